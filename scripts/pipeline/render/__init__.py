"""Stage 4, render: the enriched site into Markdown pages and data files.

Templates in scripts/templates only format; what they show is computed in
enrich.py. Output goes to build/docs (git-ignored), the `docs_dir` of
mkdocs.yml, together with the hand-written pages of docs/. Files are written
only when their content changes, so `mkdocs serve` reloads just what changed.
"""

from __future__ import annotations

import functools
import html
import json
import multiprocessing
import posixpath
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup

from . import downloads, search
from .addresses import redirect_files
from .enrich import (
    CATEGORIES_URL,
    COMPARE_URL,
    DEPARTMENTS_URL,
    EVERY_LABELS,
    PLANS_URL,
    RECURRING_URL,
    STATUS_LABELS,
    TIMELINE_URL,
    TOPICS_URL,
    Site,
    compare_url,
)
from .load import DATA, ROOT

TEMPLATES = Path(__file__).parent / "templates"
OUT = ROOT / "build" / "docs"
HAND_WRITTEN = ROOT / "docs"

# Section pages: the index.md of a folder that holds other pages (mkdocs.yml nav).
SECTIONS = {PLANS_URL, DEPARTMENTS_URL, CATEGORIES_URL, TOPICS_URL, TIMELINE_URL, COMPARE_URL}

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_inline(text: str) -> Markup:
    """Text safe inside a Markdown heading or list item: HTML and Markdown
    punctuation escaped, so content is shown as typed, never interpreted.
    Returned as Markup, so that autoescape does not escape it a second time."""
    return Markup(_MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False)))


def page_of(url: str) -> str:
    """The Markdown file that produces a directory URL: plans/x/ -> plans/x.md;
    a section's own page (a URL other pages sit under, such as plans/ or
    departments/categories/) is its folder's index.md."""
    path = url.split("#", 1)[0]
    if path in ("", "/"):
        return "index.md"
    if path in SECTIONS:
        return path + "index.md"
    path = path.rstrip("/")
    return path + ".md"


def relative_url(here: str, url: str) -> str:
    """The link from the page at directory URL `here` to `url`; both are
    relative to the site root, so the result works under any sub-path."""
    path, _, frag = url.partition("#")
    here_dir = here if here.endswith("/") or here == "" else posixpath.dirname(here) + "/"
    if path == here_dir:
        rel = "" if frag else "./"
    else:
        rel = _relative_path(path, here_dir)
    return rel + ("#" + frag if frag else "")


@functools.lru_cache(maxsize=1 << 16)
def _relative_path(path: str, here_dir: str) -> str:
    """Cached: a page links to the same few pages many times (each task of
    a plan), and posixpath.relpath was a third of rendering a province."""
    rel = posixpath.relpath("/" + path, "/" + here_dir)
    if (path.endswith("/") or path == "") and not rel.endswith("/"):
        rel += "/"
    return rel


def front_title(text: str) -> Markup:
    """A page title for the YAML front matter: HTML-escaped (MkDocs and the
    theme put `page.title` into <title>, the header and the navigation as
    HTML, unescaped), then quoted as a JSON string, which YAML reads as a
    double-quoted scalar."""
    return Markup(json.dumps(html.escape(str(text), quote=False), ensure_ascii=False))


@pass_context
def href(ctx, url: str) -> str:
    return relative_url(ctx["page_url"], url)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
        # Markdown writes heading ids as {#id}: Jinja comments use {## ... ##}
        comment_start_string="{##",
        comment_end_string="##}",
    )
    env.filters["md"] = md_inline
    env.filters["href"] = href
    env.filters["front_title"] = front_title
    env.globals.update(STATUS_LABELS=STATUS_LABELS, EVERY_LABELS=EVERY_LABELS, compare_url=compare_url)
    return env


def dataset(site: Site) -> dict:
    """The published machine-readable dataset, site/data/plans.json
    (documented in docs/data.md)."""

    def deps(views):
        return [{"id": d.data.id, "name": d.data.name, "url": d.url} for d in views]

    def deadline(d):
        return {"date": d.date.isoformat(), "text": d.data.text, "status": d.status}

    def recurrence(r):
        out = {"every": r.data.every, "min_count": r.data.min_count, "text": r.data.text}
        if r.data.day:
            out["day"] = r.data.day
        if r.data.scope:
            out["scope"] = r.data.scope
        return out

    plans = []
    for p in site.plans:
        d = p.data
        plans.append({
            "id": d.id,
            "title": d.title,
            "short_title": d.short_title,
            "doc_number": d.doc_number,
            "issuer": d.issuer,
            "signer": d.signer,
            "issued": d.issued.isoformat() if d.issued else None,
            "period": {"start": d.period.start, "end": d.period.end},
            "jurisdiction": d.jurisdiction,
            "implements": [i.model_dump() for i in d.implements],
            "source": f"sources/{d.source}",
            "url": p.url,
            "downloads": dict(p.downloads),
            "goals": [
                {
                    "id": g.data.id,
                    "text": g.data.text,
                    "deadlines": [deadline(x) for x in g.deadlines],
                    "targets": [x.id for x in g.targets],
                    "targets_inferred": g.inferred,
                }
                for g in p.goals
            ],
            "organisation": [b.model_dump(exclude_none=True) for b in d.organisation],
            "actions": [
                {
                    "id": a.data.id,
                    "number": a.data.number,
                    "title": a.data.title,
                    "url": a.url,
                    "national": [n.id for n in a.national],
                    "tasks": [
                        {
                            "id": t.data.id,
                            "number": t.data.number,
                            "title": t.data.title,
                            "text": t.data.text,
                            "url": t.url,
                            "deadlines": [deadline(x) for x in t.deadlines],
                            "recurrence": [recurrence(r) for r in t.recurrence],
                            "lead": deps(t.lead),
                            "support": deps(t.support),
                            "leaders": list(t.data.leaders),
                            "by_duty": t.data.by_duty,
                            "units_text": t.data.units_text,
                            "topics": [x.data.id for x in t.topics],
                            "national": [n.id for n in t.national],
                            "same_duty": [o.data.id for o in t.same_duty],
                        }
                        for t in a.tasks
                    ],
                }
                for a in p.actions
            ],
            "sections": [s.model_dump(mode="json", exclude_none=True) for s in d.sections],
            "annex": [
                {
                    "id": annex.id,
                    "title": annex.title,
                    "included": annex.included,
                    "columns": list(annex.columns),
                    "rows": [
                        {
                            **r.data.model_dump(mode="json", exclude_none=True, exclude={"not_verbatim"}),
                            "lead": deps(r.lead),
                            "support": deps(r.support),
                            "url": r.url,
                        }
                        for r in p.annex_rows.get(annex.id, [])
                    ],
                }
                for annex in d.annexes
            ],
        })
    departments = [
        {
            "id": v.data.id,
            "name": v.data.name,
            "short": list(v.data.short),
            "aliases": list(v.data.aliases),
            "category": v.data.category,
            "jurisdiction": v.jurisdiction.id,
            "group": v.data.group,
            "url": v.url,
            "downloads": dict(v.downloads),
        }
        for v in sorted(site.departments.values(), key=lambda v: v.data.id)
    ]
    national = None
    if site.national:
        n = site.national
        national = {
            "title": n.title,
            "issuer": n.issuer,
            "doc_number": n.doc_number,
            "issued": n.issued.isoformat(),
            "actions": [ln.model_dump(exclude_none=True) for ln in n.actions],
            "targets": [t.model_dump(mode="json") for t in n.targets],
            "local_lines": [ln.model_dump(exclude_none=True) for ln in n.local_lines],
        }
    return {
        "generated_for": site.now.isoformat(),
        "national": national,
        "plans": plans,
        "departments": departments,
        "topics": [{"id": t.data.id, "name": t.data.name, "url": t.url} for t in site.topics.values()],
        "categories": [{"id": c.data.id, "name": c.data.name, "url": c.url} for c in site.categories.values()],
    }


def page_jobs(site: Site) -> list[tuple[str, str, dict]]:
    """Every generated page as (template, URL, context)."""
    jobs = [("home.md.j2", "", {}), ("plans_index.md.j2", PLANS_URL, {})]
    jobs += [("plan.md.j2", p.url, {"plan": p}) for p in site.plans]
    jobs.append(("departments_index.md.j2", DEPARTMENTS_URL, {}))
    jobs += [("department.md.j2", d.url, {"dep": d}) for d in site.departments.values()]
    jobs.append(("categories_index.md.j2", CATEGORIES_URL, {}))
    jobs += [("category.md.j2", c.url, {"cat": c}) for c in site.categories.values()]
    jobs.append(("topics_index.md.j2", TOPICS_URL, {}))
    jobs += [("topic.md.j2", t.url, {"topic": t}) for t in site.topics.values()]
    jobs += [("timeline.md.j2", TIMELINE_URL, {}), ("recurring.md.j2", RECURRING_URL, {}), ("compare.md.j2", COMPARE_URL, {})]
    return jobs


def pages(site: Site, jobs: list | None = None) -> Iterator[tuple[str, str]]:
    """(path under docs_dir, Markdown) of every generated page (of `jobs`),
    one page at a time."""
    env = environment()
    for template, url, ctx in page_jobs(site) if jobs is None else jobs:
        yield page_of(url), env.get_template(template).render(site=site, page_url=url, **ctx)


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
        lambda: [("data/plans.json", json.dumps(dataset(site), ensure_ascii=False, indent=1, sort_keys=False) + "\n")],
    ]


def _extra_groups(site: Site) -> list:
    """What mkdocs only copies: downloads, redirect pages of moved addresses
    and the search data. `build` makes them beside mkdocs (render_extras)."""
    return [
        lambda: downloads.files(site),
        # addresses kept alive
        lambda: redirect_files([p.data for p in site.plans], [d.data for d in site.departments.values()]).items(),
        lambda: search.index_files(site).items(),  # scripts/search.py
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


def render_site(site: Site, out: Path = OUT, data_dir: Path = DATA, extras: bool = True, jobs: int = 1) -> int:
    """Write the whole docs_dir (without the downloads, redirect pages and
    search data when `extras` is false); returns how many files changed.
    Files that are no longer generated are removed. `jobs` processes render
    the pages (forked: more than one only from a single-threaded process,
    such as the build's generation); this one writes the other files
    meanwhile. A hand-written page wins over a generated one."""
    groups = _linked_groups(site, data_dir) + (_extra_groups(site) if extras else [])
    todo = page_jobs(site)
    hand_written = {out / src.relative_to(HAND_WRITTEN) for src in HAND_WRITTEN.rglob("*.md")}
    others: dict = {}

    def meanwhile() -> None:
        others["keep"], others["changed"] = _write_groups(groups, out)

    changed = _write_pages(site, todo, out, hand_written, jobs, meanwhile)
    changed += others["changed"]
    keep = others["keep"] | {out / page_of(url) for _, url, _ in todo}
    if out.exists():
        for path in sorted(out.rglob("*"), reverse=True):
            if path.is_file() and path not in keep:
                path.unlink()
                changed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed


def _write_pages(site: Site, todo: list, out: Path, taken: set[Path], jobs: int, meanwhile=lambda: None) -> int:
    """Render and write the pages of `todo` (not over the paths in `taken`)
    in `jobs` processes, each every jobs-th page, calling `meanwhile()` in
    this process while the others render; returns how many pages changed."""

    def write(part: list) -> int:
        folders: set[Path] = set()
        return sum(write_if_changed(out / rel, md, folders) for rel, md in pages(site, part) if out / rel not in taken)

    if jobs <= 1:
        meanwhile()
        return write(todo)
    ctx = multiprocessing.get_context("fork")
    children = []
    for k in range(1, jobs):
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=lambda part, conn: conn.send(write(part)), args=(todo[k::jobs], send))
        child.start()
        send.close()
        children.append((child, receive))
    meanwhile()
    changed = write(todo[::jobs])
    for child, receive in children:
        try:
            changed += receive.recv()
        except EOFError:
            pass
        child.join()
        if child.exitcode != 0:
            raise RuntimeError("a page rendering process failed (see above)")
    return changed


def render_extras(site: Site, out: Path) -> int:
    """The files render_site(extras=False) leaves out, into the folder `out`
    (they win over a page file of the same path, as in render_site)."""
    return _write_groups(_extra_groups(site), out)[1]


def clean(out: Path = OUT) -> None:
    shutil.rmtree(out, ignore_errors=True)
