"""Stage 4, render: the enriched site into Markdown pages and data files.

Templates in templates/ only format (environment.py sets them up); what
they show is computed in the enrich stage. Besides the pages: the dataset
(dataset.py), the downloads (downloads.py), redirect pages of moved
addresses (scripts/pipeline/addresses/) and the search data
(scripts/search/). Output goes to build/docs (git-ignored), the `docs_dir`
of mkdocs.yml, together with the hand-written pages of docs/. Files are
written only when their content changes, so `mkdocs serve` reloads just
what changed. The build passes a record of the last build (Renders,
incremental.py): pages and downloads whose reads are as they were are
hard-linked from the last build instead of made.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from ...model.urls import (
    CATEGORIES_URL,
    COMPARE_URL,
    DEPARTMENTS_URL,
    JURISDICTIONS_URL,
    PLANS_URL,
    PROGRESS_URL,
    RECURRING_URL,
    TIMELINE_URL,
    TOPICS_URL,
    page_of,
)
from ...paths import DATA, HAND_WRITTEN, OUT
from ...search.index import index_files
from ...search.patch import index_files_from
from ..addresses import Places, kept_anchors, redirect_files
from ..enrich import reads
from ..enrich.site import Site
from . import downloads, feeds
from .dataset import dataset
from .environment import environment
from .incremental import Renders, code_key


def page_jobs(site: Site) -> list[tuple[str, str, dict]]:
    """Every generated page as (template, URL, context). A page split by
    jurisdiction gets its kept anchors (`kept`, scripts/pipeline/addresses/split.py)."""
    kept = kept_anchors(places(site), site.registered)
    jobs = [("home.md.j2", "", {}), ("plans_index.md.j2", PLANS_URL, {})]
    jobs += [("plan.md.j2", p.url, {"plan": p}) for p in site.plans]
    jobs.append(("jurisdictions_index.md.j2", JURISDICTIONS_URL, {}))
    jobs += [("jurisdiction.md.j2", j.url, {"j": j}) for j in site.jurisdiction_views.values()]
    jobs.append(("departments_index.md.j2", DEPARTMENTS_URL, {}))
    jobs += [("department.md.j2", d.url, {"dep": d}) for d in site.departments.values()]
    jobs.append(("categories_index.md.j2", CATEGORIES_URL, {}))
    jobs += [("category.md.j2", c.url, {"cat": c}) for c in site.categories.values()]
    jobs += [("category_area.md.j2", s.url, {"share": s}) for c in site.categories.values() for s in c.areas.values()]
    jobs.append(("topics_index.md.j2", TOPICS_URL, {}))
    jobs += [("topic.md.j2", t.url, {"topic": t}) for t in site.topics.values()]
    jobs += [("topic_area.md.j2", s.url, {"share": s}) for t in site.topics.values() for s in t.areas.values()]
    jobs.append(("timeline.md.j2", TIMELINE_URL, {}))
    jobs += [("timeline_quarter.md.j2", q.url, {"q": q}) for q in site.timeline_quarters]
    jobs += [("timeline_area.md.j2", a.url, {"q": q, "share": a}) for q in site.timeline_quarters for a in q.areas.values()]
    jobs += [("timeline_ongoing.md.j2", a.url, {"share": a}) for a in site.ongoing_areas.values()]
    jobs.append(("recurring.md.j2", RECURRING_URL, {}))
    jobs += [("recurring_area.md.j2", a.url, {"share": a}) for a in site.recurring_areas.values()]
    jobs.append(("compare.md.j2", COMPARE_URL, {}))
    jobs += [("compare_area.md.j2", a.url, {"area": a}) for a in site.compare_areas]
    jobs += [("compare_line.md.j2", a.line_url(row), {"area": a, "row": row}) for a in site.compare_areas for row in a.rows]
    jobs.append(("progress_index.md.j2", PROGRESS_URL, {}))  # progress: boards and bulletins
    for b in site.boards.values():
        jobs.append(("board.md.j2", b.url, {"board": b}))
        jobs += [("bulletin.md.j2", x.url, {"bulletin": x}) for x in b.bulletins]
    return [(template, url, {**ctx, "kept": kept.get(url, [])}) for template, url, ctx in jobs]


def places(site: Site) -> Places:
    """Where everything is, for the kept anchors and redirects of split pages."""
    return Places([p.data for p in site.plans], [(j.data, [d.data for d in j.departments]) for j in site.jurisdiction_views.values()],
                  site.topics, site.categories, site.national)


def pages(site: Site, jobs: list | None = None) -> Iterator[tuple[str, str]]:
    """(path under docs_dir, Markdown) of every generated page (of `jobs`),
    one page at a time."""
    env = environment()
    for template, url, ctx in page_jobs(site) if jobs is None else jobs:
        yield page_of(url), render_page(env, site, template, url, ctx)


def render_page(env, site: Site, template: str, url: str, ctx: dict) -> str:
    return env.get_template(template).render(site=site, page_url=url, **ctx)


def write_if_changed(path: Path, content: str | bytes, folders: set[Path] | None = None) -> bool:
    """Write the file unless it holds `content` already. `folders`: the
    folders known to exist, kept up to date (a province's hundred thousand
    files would otherwise cost as many failing mkdir calls)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if path.exists() and path.read_bytes() == data:
        return False
    if folders is None or path.parent not in folders:
        path.parent.mkdir(parents=True, exist_ok=True)
        if folders is not None:
            folders.add(path.parent)
    path.write_bytes(data)
    return True


def _linked_groups(site: Site, data_dir: Path) -> list:
    """What mkdocs reads besides the pages: the hand-written pages and the
    files pages link to by Markdown links (mkdocs checks those). They win
    over a generated page of the same path."""
    return [
        lambda: ((src.relative_to(HAND_WRITTEN).as_posix(), src.read_bytes())
                 for src in sorted(HAND_WRITTEN.rglob("*")) if src.is_file()),
        lambda: ((f"sources/{p.data.source}", (data_dir / "sources" / p.data.source).read_bytes()) for p in site.plans),
        # one line: Python's JSON encoder in C does not indent (indented, the
        # dataset of a province took seconds of a rebuild)
        lambda: [("data/plans.json", json.dumps(dataset(site), ensure_ascii=False, separators=(",", ":")) + "\n")],
    ]


def write_linked(site: Site, out: Path, data_dir: Path = DATA) -> int:
    """Write what mkdocs reads besides the generated pages (_linked_groups)
    into `out`; returns how many files changed."""
    return _write_groups(_linked_groups(site, data_dir), out)[1]


def _extra_groups(site: Site, search: bool = True, others: bool = True, xlsx=None, atom=None,
                  files: bool = True) -> list:
    """What mkdocs only copies: downloads and the departments' feeds (with
    `files`), redirect pages of moved addresses and the site's feed
    (`others`) and the search data (`search`).
    `build` makes them beside mkdocs (render_extras; `xlsx`, `atom`: the
    XLSX and Atom writers to use, their results kept between builds)."""
    return [
        *([lambda: downloads.files(site, xlsx)] if others and files else []),
        *([lambda: redirect_files([p.data for p in site.plans], [d.data for d in site.departments.values()],
                                  places(site), site.registered).items(),  # addresses kept alive
           # Atom feeds of what changed (without `files`, only the site's)
           lambda: feeds.feed_files(site, atom) if files else [feeds.site_feed(site, atom)],
           ] if others else []),
        *([lambda: index_files(site).items()] if search else []),  # scripts/search/
    ]


def _write_groups(groups: list, out: Path) -> tuple[set[Path], int]:
    """Write the groups into `out`. Each group of files is written as soon as
    it is made, so that only one group is in memory at a time (a province's
    pages and downloads are gigabytes). Where two groups hold the same path
    the later one wins; groups are therefore written last first, and a path
    once written is not written again."""
    files: set[Path] = set()
    folders: set[Path] = set()
    changed = 0
    for make in reversed(groups):
        for rel, content in make():
            path = out / rel
            if path not in files:
                files.add(path)
                changed += write_if_changed(path, content, folders)
    return files, changed


def render_site(site: Site, out: Path = OUT, data_dir: Path = DATA, extras: bool = True, jobs: int = 1,
                renders: Renders | None = None, linked: bool = True) -> int:
    """Write the whole docs_dir (without the downloads, redirect pages and
    search data when `extras` is false); returns how many files changed.
    Files that are no longer generated are removed. `jobs` processes render
    the pages (forked: more than one only from a single-threaded process,
    such as the build's generation); this one writes the other files
    meanwhile. A hand-written page wins over a generated one. `renders`
    (incremental.py): pages whose reads are as they were are taken from
    the last build, the others rendered and recorded into `renders.new`.
    Without `linked`, the files pages link to (write_linked) are left to
    the caller, and `out` is a new folder: nothing is removed."""
    groups = (_linked_groups(site, data_dir) if linked else []) + (_extra_groups(site) if extras else [])
    todo = page_jobs(site)
    hand_written = {src.relative_to(HAND_WRITTEN).as_posix() for src in HAND_WRITTEN.rglob("*.md")}
    others: dict = {}

    def meanwhile() -> None:
        others["keep"], others["changed"] = _write_groups(groups, out)

    changed = _write_pages(site, todo, out, hand_written, jobs, meanwhile, renders)
    changed += others["changed"]
    if out.exists() and linked:
        keep = others["keep"] | {out / page_of(url) for _, url, _ in todo}
        for path in sorted(out.rglob("*"), reverse=True):
            if path.is_file() and path not in keep:
                path.unlink()
                changed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed


def _write_pages(site: Site, todo: list, out: Path, taken: set[str], jobs: int, meanwhile=lambda: None,
                 renders: Renders | None = None) -> int:
    """Render and write the pages of `todo` (not over the pages `taken`, paths in `out`)
    in `jobs` processes, each every jobs-th page, calling `meanwhile()` in
    this process while the others render; returns how many pages changed.
    With `renders`, what each page read is recorded (and pages that may be
    taken from the last build are linked from it, then checked)."""

    def write(part: list) -> tuple[int, dict]:
        if renders is None:
            folders: set[Path] = set()
            return sum(write_if_changed(out / rel, md, folders) for rel, md in pages(site, part)
                       if rel not in taken), {}
        return _write_recorded(_page_jobs(site, part, out, taken), out, renders, renders.pages_from)

    if jobs <= 1:
        meanwhile()
        changed, records = write(todo)
    else:
        ctx = multiprocessing.get_context("fork")
        children = []
        for k in range(1, jobs):
            receive, send = ctx.Pipe(duplex=False)
            child = ctx.Process(target=lambda part, conn: conn.send(write(part)), args=(todo[k::jobs], send))
            child.start()
            send.close()
            children.append((child, receive))
        meanwhile()
        changed, records = write(todo[::jobs])
        for child, receive in children:
            try:
                n, more = receive.recv()
                changed += n
                records.update(more)
            except EOFError:
                pass
            child.join()
            if child.exitcode != 0:
                raise RuntimeError("a page rendering process failed (see above)")
    if renders is not None:
        renders.new.update(records)
        changed += _check_taken(lambda: _page_jobs(site, todo, out, taken), out, renders, records)
    return changed


def _page_jobs(site: Site, todo: list, out: Path, taken: set[str]) -> list:
    """The pages of `todo` (not over `taken`) as jobs of _write_recorded."""
    env = environment()
    return [(page_of(url), template, url, ctx,
             lambda template=template, url=url, ctx=ctx: [(page_of(url), render_page(env, site, template, url, ctx))])
            for template, url, ctx in todo if page_of(url) not in taken]


def _write_recorded(jobs: list, out: Path, renders: Renders, source: Path | None, redo: bool = False,
                    skip: frozenset[Path] = frozenset()) -> tuple[int, dict]:
    """Write the files of `jobs` ((name, kind, address, context, make):
    make() gives the files) into `out`, not over the paths in `skip`: taken
    from `source` (hard links) where the last build's record allows (the
    record is marked for _check_taken), else made with their reads
    recorded. `redo`: make all. Returns (files written, records by job name)."""
    folders: set[str] = set()
    records: dict[str, list] = {}
    changed = 0
    root = os.fspath(out)
    skipped = {os.fspath(p) for p in skip}
    reads.watch(renders.prints.by_field, renders.prints.cross, renders.prints.alone)
    try:
        for name, kind, url, ctx, make in jobs:
            found = None if redo or source is None else renders.reusable(name, kind, url, ctx)
            if found is not None and skipped and any(f"{root}/{f[0]}" in skipped for f in found[4]):
                found = None
            if found is not None and _link_all(os.fspath(source), root, [f[0] for f in found[4]], folders):
                records[name] = found + ["taken"]
                changed += len(found[4])
                continue
            with reads.recording() as raw:
                raw.update(renders.prints.units_in(ctx))  # the plans of the job's context
                made = [(path, content) for path, content in make() if os.fspath(out / path) not in skipped]
            changed += sum(write_if_changed(out / path, content) for path, content in made)
            records[name] = renders.record(kind, url, ctx, raw, made, out)
    finally:
        reads.unwatch()
    return changed, records


def _link_all(source: str, out: str, paths: list[str], folders: set[str]) -> bool:
    """Hard-link the files `paths` of `source` into `out`; False (and none
    left linked: a linked file is another build's, never written to) if
    one cannot be."""
    done = []
    for path in paths:
        dest = f"{out}/{path}"
        parent = os.path.dirname(dest)
        if parent not in folders:
            os.makedirs(parent, exist_ok=True)
            folders.add(parent)
        try:
            try:
                os.link(f"{source}/{path}", dest)
            except FileExistsError:
                os.unlink(dest)
                os.link(f"{source}/{path}", dest)
            done.append(dest)
        except OSError:
            for d in done:
                os.unlink(d)
            return False
    return True


def _check_taken(jobs, out: Path, renders: Renders, records: dict[str, list]) -> int:
    """Make again the jobs (of those `jobs()` gives) whose files, taken
    from the last build, are not as recorded (changed in place since:
    Renders.unchanged); count the jobs taken in `renders.taken`. Returns
    how many files were made again."""
    taken = [name for name, r in records.items() if r[-1] == "taken"]
    entries = [(name, entry) for name in taken for entry in records[name][4]]
    root = os.fspath(out)
    found = renders.unchanged([f"{root}/{entry[0]}" for _, entry in entries], [entry for _, entry in entries])
    bad = {name for (name, _), ok in zip(entries, found) if not ok}
    for name in taken:
        records[name] = renders.new[name] = records[name][:5]
    renders.taken += len(taken) - len(bad)
    if not bad:
        return 0
    redo = [job for job in jobs() if job[0] in bad]
    for name in bad:
        for entry in records[name][4]:
            (out / entry[0]).unlink(missing_ok=True)
    changed, again = _write_recorded(redo, out, renders, None, redo=True)
    renders.new.update(again)
    return changed


def render_extras(site: Site, out: Path, search: bool = True, others: bool = True, xlsx=None, atom=None,
                  renders: Renders | None = None) -> int:
    """The files render_site(extras=False) leaves out, into the folder `out`
    (they win over a page file of the same path, as in render_site): the
    search data (`search`), the downloads and redirect pages (`others`).
    The search data wins over the others where paths meet: written apart,
    merge it in last. With `renders` (and `others`), the downloads of each
    plan and department, and each department's feed, are recorded and
    taken from the last build's site where their reads are as they were."""
    if renders is None or not others:
        return _write_groups(_extra_groups(site, search, others, xlsx, atom), out)[1]
    groups = _extra_groups(site, search, others, xlsx, atom, files=False)  # downloads and feeds: below
    written, changed = _write_groups(groups, out)  # these win where paths meet, as in _write_groups
    jobs = [(name, "downloads", "", ctx, make) for name, ctx, make in downloads.jobs(site, xlsx)]
    jobs += [(name, "feed", "", ctx, make) for name, ctx, make in feeds.jobs(site, atom)]
    more, records = _write_recorded(jobs, out, renders, renders.files_from, skip=frozenset(written))
    renders.new.update(records)
    return changed + more + _check_taken(lambda: jobs, out, renders, records)


def render_search(site: Site, out: Path, previous: Path | None = None, state: Path | None = None,
                  new_state: Path | None = None) -> tuple[int, bool]:
    """The search data into the folder `out`, its tables of postings patched
    from the search data the site folder `previous` published
    (scripts/search/patch.py) when `state` (the build cache's) says that
    data was made by this code; this data's state is written to
    `new_state`. Returns (files written, whether it was patched)."""
    code = code_key()
    kept = None
    if previous is not None and state is not None:
        try:
            kept = json.loads(state.read_bytes())
        except (OSError, ValueError):
            kept = None
    if not isinstance(kept, dict) or kept.get("code") != code:
        kept = None
    files, made, patched = index_files_from(site, previous, kept)
    changed = _write_groups([lambda: files.items()], out)[1]
    if new_state is not None:
        new_state.write_text(json.dumps({**made, "code": code}), encoding="utf-8")
    return changed, patched


def clean(out: Path = OUT) -> None:
    shutil.rmtree(out, ignore_errors=True)
