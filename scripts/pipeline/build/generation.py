"""Generating the docs folder: check -> enrich -> render (stages 2 to 4).

`generate()` is `python -m scripts generate` and what `make serve` runs on
every edit; `generate_into()` is the build's, run in a child process
(`Generation`) that writes the pages, tells the build to start mkdocs, then
writes the downloads, redirect pages and search data beside it (for a
rebuild, those are made beside the pages by processes of their own: see
generate_into).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import NamedTuple

from ...paths import DATA
from .progress import cores, say


class Kept(NamedTuple):
    """What the build cache keeps of the last build, and where this build's
    goes (cache.py)."""

    renders: Path  # what each of its pages and downloads read (renders.pickle)
    docs: Path  # its Markdown
    new_renders: Path  # where this build's record goes
    site: Path  # the site it published (its downloads and search data)
    search: Path  # the state of its search data (search.json)
    new_search: Path  # where this build's goes


def generate(quiet: bool = False, data_dir: Path = DATA, out: Path | None = None, drafts: bool = False) -> bool:
    """check -> enrich -> render into `out` (default build/docs). On problems,
    print them and leave the pages as they were. With `drafts` (`make serve`),
    the to-dos of draft plans (validate/drafts.py) are printed and the pages
    generated all the same: a draft is previewed with its 草稿 banner."""
    from ..enrich import enrich
    from ..render import render_site
    from ..validate import check

    corpus, problems = check(data_dir)
    if drafts and problems and all(p.todo for p in problems):
        for p in problems:
            print(p, file=sys.stderr)
        print(f"generate: {len(problems)} to-do{'s' if len(problems) != 1 else ''} left in drafts (previewed "
              "with a 草稿 banner; `make check` and `make site` refuse them)", file=sys.stderr)
        problems = []
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        print(f"generate: {len(problems)} problems; pages left unchanged", file=sys.stderr)
        return False
    site = enrich(corpus)
    changed = render_site(site, data_dir=data_dir, **({"out": out} if out else {}))
    if not quiet:
        print(f"generate: {len(site.plans)} plans, {len(site.tasks)} tasks, {changed} files changed", file=sys.stderr)
    return True


def generate_into(docs: Path, extras: Path, search: Path, data_dir: Path = DATA, pages_done=lambda hashes: None,
                  memo: Path | None = None, rebuild: bool = False,
                  kept: Kept | None = None) -> bool:
    """check -> enrich -> render the pages into `docs`, call
    `pages_done(hashes)` (the build starts mkdocs then; `hashes`: each
    page's SHA-256 by its path, when the last build's record gave them, else
    None), then write the downloads and redirect pages into `extras` (the
    build passes the folder mkdocs builds the site in) and the search data
    into `search`.

    `rebuild`: mkdocs has little to convert, and what would come after the
    pages is made beside them, each by a process of its own: the search
    data (a computation over the whole site, as long as rendering the
    pages) and the files pages link to (the dataset) from the moment the
    site is enriched, the downloads, feeds and redirect pages once the
    last build's record is read. Not for a full build, where mkdocs is the
    long part and those processes would only add their memory to the
    build's peak. `memo`: the build cache's memo (memo.py: the data
    files as loaded, the spreadsheets), if any. `kept`: what the build cache
    keeps of the last build (Kept): pages and downloads whose reads are as
    they were are taken from it (render/incremental.py), the search data
    patched from it (scripts/search/patch.py). On problems, print them and
    return False."""
    from ..enrich import enrich
    from ..render import render_site, write_linked
    from ..render.incremental import Renders
    from ..validate import check
    from .memo import LoadMemo, Memo

    t0 = time.monotonic()
    # The corpus is millions of small long-lived objects: the cyclic garbage
    # collector would walk them all again and again while they are created
    # (a third of the check at 30,000 tasks). Load without it, then freeze
    # what was loaded (and later the views) out of its sight.
    gc.disable()
    loads = Memo(memo) if memo else None
    try:
        try:
            corpus, problems = check(data_dir, LoadMemo(loads) if loads else None)
            corpus.release_sources()
        finally:
            gc.enable()
        gc.freeze()
        if problems:
            for p in problems:
                print(p, file=sys.stderr)
            say(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the data")
            return False
        n_tasks = sum(len(a.tasks) for p in corpus.plans for a in p.model.actions)
        t1 = time.monotonic()
        reused = f", {loads.hits} of {loads.hits + loads.misses} files as loaded before" if loads else ""
        say(f"checked {len(corpus.plans)} plans, {n_tasks} tasks ({t1 - t0:.1f} s{reused})")
        site = enrich(corpus, memo=loads)
    finally:
        if loads:
            loads.close()
    gc.freeze()
    t2 = time.monotonic()
    say(f"enriched ({t2 - t1:.1f} s)")
    search_states = (kept.site, kept.search, kept.new_search) if kept else None
    fork = multiprocessing.get_context("fork")
    indexing = linking = None
    if rebuild:
        indexing = fork.Process(target=_without_gc, args=(_write_search, site, search, t2, search_states),
                                name="search")
        indexing.start()
        # the files pages link to (the dataset is seconds at a province's scale), beside the digests
        linking = fork.Process(target=_without_gc, args=(write_linked, site, docs, data_dir), name="linked")
        linking.start()
    try:
        # the fingerprints are millions of long-lived objects too: made without
        # the cyclic collector, then frozen out of its sight like the site
        gc.disable()
        try:
            recorded = Renders(kept.renders, kept.docs, site, kept.site) if kept else None
        finally:
            gc.enable()
        gc.freeze()
        if recorded:
            say(f"compared with the last build's record ({time.monotonic() - t2:.1f} s, {len(recorded.changed)} of "
                f"{len(recorded.old_units)} things read changed)")
        beside = _Beside(lambda: _write_extras(site, extras, memo, recorded), recorded) if rebuild and recorded else None
        n = render_site(site, out=docs, data_dir=data_dir, extras=False, jobs=cores(), renders=recorded,
                        linked=linking is None)
        if linking is not None:
            linking.join()
            if linking.exitcode != 0:
                return False
        t3 = time.monotonic()
        pages = recorded.taken if recorded else 0
        taken = f", {pages} as the last build left them" if recorded else ""
        say(f"rendered {n} pages and linked files ({t3 - t2:.1f} s{taken})")
        pages_done(_page_hashes(recorded, docs) if recorded else None)
        if beside is None:
            n, hits = _write_extras(site, extras, memo, recorded)
        else:  # made beside the pages: their records join this process's
            found = beside.result()
            if found is None:
                return False
            (n, hits), (new, taken_there, hashed) = found
            recorded.new.update(new)
            recorded.taken += taken_there
            recorded.hashed += hashed
        reused = f", {hits} spreadsheets and feeds from the build cache" if memo else ""
        if recorded:
            reused += f", {recorded.taken - pages} sets of downloads and feeds as the last build left them"
            recorded.save(kept.new_renders)
        how = " beside the pages" if beside else ""
        say(f"rendered {n} downloads and redirect pages{how} ({time.monotonic() - t3:.1f} s after the pages{reused})")
        if indexing is None:
            _write_search(site, search, time.monotonic(), search_states)
    finally:
        for child in (indexing, linking):
            if child is not None:
                child.join()
    return indexing is None or indexing.exitcode == 0


def _page_hashes(recorded, docs: Path) -> dict[str, str]:
    """cache.page_hashes(docs) without reading the pages again: the SHA-256
    of each generated page as recorded when it was made or taken (and then
    checked: Renders.unchanged), of each hand-written page as read now."""
    from ...paths import HAND_WRITTEN
    from ..render.incremental import hash_files

    out = {f[0]: f[1] for record in recorded.new.values() for f in record[4] if f[0].endswith(".md")}
    hand = sorted(src.relative_to(HAND_WRITTEN).as_posix() for src in HAND_WRITTEN.rglob("*.md"))
    out.update((rel, sha) for rel, sha in zip(hand, hash_files([docs / rel for rel in hand])) if sha)
    return dict(sorted(out.items()))


def _write_extras(site, extras: Path, memo: Path | None, recorded) -> tuple[int, int]:
    """The downloads, feeds and redirect pages into `extras`, the XLSX and
    Atom files from the memo where it has them; (files written, taken
    from the memo)."""
    from ..render import downloads, feeds, render_extras
    from .memo import Memo

    made = Memo(memo) if memo else None
    try:
        n = render_extras(site, extras, search=False, xlsx=made.function(downloads.xlsx_bytes) if made else None,
                          atom=made.function(feeds.atom) if made else None, renders=recorded)
    finally:
        if made:
            made.close()
    return n, made.hits if made else 0


class _Beside:
    """make() in a forked process, rendering with this process's Renders
    `recorded` (Renders.record and .reusable read nothing a page rendering
    here changes). result(): what make() returned, with the records of its
    jobs and how many files it took and hashed, or None if it failed."""

    def __init__(self, make, recorded):
        fork = multiprocessing.get_context("fork")
        self.receive, send = fork.Pipe(duplex=False)
        self.child = fork.Process(target=self._run, args=(make, recorded, send), name="beside")
        self.child.start()
        send.close()

    @staticmethod
    def _run(make, recorded, conn) -> None:
        gc.disable()  # as _without_gc
        recorded.new, recorded.taken, recorded.hashed = {}, 0, 0  # this process's own
        found = make()
        conn.send((found, (recorded.new, recorded.taken, recorded.hashed)))

    def result(self):
        try:
            found = self.receive.recv()
        except EOFError:  # it failed (its error is on stderr)
            found = None
        self.child.join()
        return found if self.child.exitcode == 0 else None


def _without_gc(fn, *args) -> None:
    """fn(*args) in a forked process that ends with it: without the cyclic
    collector, which would walk again and again the many objects it makes
    (the search documents, the dataset); what it leaves is freed at exit."""
    gc.disable()
    fn(*args)


def _write_search(site, out: Path, started: float, states: tuple[Path, Path, Path] | None) -> None:
    from ..render import render_search

    n, patched = render_search(site, out, *(states or ()))
    how = ", patched from the published site's" if patched else ""
    say(f"rendered {n} search files ({time.monotonic() - started:.1f} s{how})")


class Generation:
    """generate_into() in a child process (forked, so it sees this process's
    state), so that the memory the corpus and the pages take is given back
    before mkdocs has grown: the build's peak is not the sum of both.

    The child writes the pages into `docs`, tells this process
    (pages_ready() returns True and the pages' hashes: mkdocs can start), then writes the
    downloads and redirect pages into `extras` and the search data into
    `search` while mkdocs runs (for a `rebuild`, its own children make
    them beside the pages); finish() waits for them."""

    def __init__(self, docs: Path, extras: Path, search: Path, data_dir: Path = DATA, memo: Path | None = None,
                 rebuild: bool = False, kept: Kept | None = None):
        ctx = multiprocessing.get_context("fork")
        self.receive, send = ctx.Pipe(duplex=False)
        self.child = ctx.Process(target=_generate_child,
                                 args=(docs, extras, search, data_dir, send, memo, rebuild, kept),
                                 name="generate")
        self.child.start()
        send.close()

    def pages_ready(self) -> tuple[bool, dict[str, str] | None]:
        """(whether the pages are written, the SHA-256 of each page's
        Markdown by its path in docs/ when the child knows them)."""
        try:
            what, hashes = self.receive.recv()
        except EOFError:  # the child ended without sending: it failed
            return False, None
        return what == "pages", hashes

    def finish(self) -> bool:
        self.child.join()
        return self.child.exitcode == 0

    def stop(self) -> None:
        if self.child.is_alive():
            self.child.terminate()
        self.child.join()


def _generate_child(docs: Path, extras: Path, search: Path, data_dir: Path, conn, memo: Path | None,
                    rebuild: bool, kept: Kept | None) -> None:
    def run() -> bool:
        return generate_into(docs, extras, search, data_dir, lambda hashes: conn.send(("pages", hashes)), memo, rebuild, kept)

    profile = os.environ.get("BUILD_PROFILE")  # a file: write a cProfile of the generation there
    if not profile:
        ok = run()
    else:
        import cProfile

        profiler = cProfile.Profile()
        ok = profiler.runcall(run)
        profiler.dump_stats(profile)
    sys.exit(0 if ok else 1)
