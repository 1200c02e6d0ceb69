"""Generating the docs folder: check -> enrich -> render (stages 2 to 4).

`generate()` is `python -m scripts generate` and what `make serve` runs on
every edit; `generate_into()` is the build's, run in a child process
(`Generation`) that writes the pages, tells the build to start mkdocs, then
writes the downloads, redirect pages and search data beside it.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
from pathlib import Path

from ...paths import DATA
from .progress import cores, say


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


def generate_into(docs: Path, extras: Path, data_dir: Path = DATA, pages_done=lambda: None) -> bool:
    """check -> enrich -> render the pages into `docs`, call `pages_done()`
    (the build starts mkdocs then), then write the downloads, redirect pages
    and search data into `extras`. On problems, print them and return
    False."""
    from ..enrich import enrich
    from ..render import render_extras, render_site
    from ..validate import check

    t0 = time.monotonic()
    # The corpus is millions of small long-lived objects: the cyclic garbage
    # collector would walk them all again and again while they are created
    # (a third of the check at 30,000 tasks). Load without it, then freeze
    # what was loaded (and later the views) out of its sight.
    gc.disable()
    try:
        corpus, problems = check(data_dir)
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
    say(f"checked {len(corpus.plans)} plans, {n_tasks} tasks ({t1 - t0:.1f} s)")
    site = enrich(corpus)
    gc.freeze()
    t2 = time.monotonic()
    say(f"enriched ({t2 - t1:.1f} s)")
    n = render_site(site, out=docs, data_dir=data_dir, extras=False, jobs=cores())
    t3 = time.monotonic()
    say(f"rendered {n} pages and linked files ({t3 - t2:.1f} s)")
    pages_done()
    n = render_extras(site, extras)
    say(f"rendered {n} downloads, redirect pages and search files ({time.monotonic() - t3:.1f} s)")
    return True


class Generation:
    """generate_into() in a child process (forked, so it sees this process's
    state), so that the memory the corpus and the pages take is given back
    before mkdocs has grown: the build's peak is not the sum of both.

    The child writes the pages into `docs`, tells this process
    (pages_ready() returns True: mkdocs can start), then writes the
    downloads, redirect pages and search data into `extras` while mkdocs
    runs on the other core; finish() waits for it."""

    def __init__(self, docs: Path, extras: Path, data_dir: Path = DATA):
        ctx = multiprocessing.get_context("fork")
        self.receive, send = ctx.Pipe(duplex=False)
        self.child = ctx.Process(target=_generate_child, args=(docs, extras, data_dir, send), name="generate")
        self.child.start()
        send.close()

    def pages_ready(self) -> bool:
        try:
            return self.receive.recv() == "pages"
        except EOFError:  # the child ended without sending: it failed
            return False

    def finish(self) -> bool:
        self.child.join()
        return self.child.exitcode == 0

    def stop(self) -> None:
        if self.child.is_alive():
            self.child.terminate()
        self.child.join()


def _generate_child(docs: Path, extras: Path, data_dir: Path, conn) -> None:
    def run() -> bool:
        return generate_into(docs, extras, data_dir, lambda: conn.send("pages"))

    profile = os.environ.get("BUILD_PROFILE")  # a file: write a cProfile of the generation there
    if not profile:
        ok = run()
    else:
        import cProfile

        profiler = cProfile.Profile()
        ok = profiler.runcall(run)
        profiler.dump_stats(profile)
    sys.exit(0 if ok else 1)
