"""Stage 4, render: the enriched site into Markdown pages and data files.

Templates in scripts/templates only format; what they show is computed in
enrich.py. Output goes to build/docs (git-ignored), the `docs_dir` of
mkdocs.yml, together with the hand-written pages of docs/. Files are written
only when their content changes, so `mkdocs serve` reloads just what changed.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import shutil
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from .enrich import EVERY_LABELS, STATUS_LABELS, Site
from .load import DATA, ROOT

TEMPLATES = Path(__file__).parent / "templates"
OUT = ROOT / "build" / "docs"
HAND_WRITTEN = ROOT / "docs"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_inline(text: str) -> str:
    """Text safe inside a Markdown heading or list item: HTML and Markdown
    punctuation escaped, so content is shown as typed, never interpreted."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False).replace("&amp;", "&amp;"))


def page_of(url: str) -> str:
    """The Markdown file that produces a directory URL: plans/x/ -> plans/x/index.md,
    so section indexes (plans/) and pages (plans/x/) follow one rule."""
    path = url.split("#", 1)[0].strip("/")
    return f"{path}/index.md" if path else "index.md"


def relative_url(here: str, url: str) -> str:
    """The link from the page at directory URL `here` to `url`; both are
    relative to the site root, so the result works under any sub-path."""
    path, _, frag = url.partition("#")
    here_dir = here if here.endswith("/") or here == "" else posixpath.dirname(here) + "/"
    if path == here_dir:
        rel = "" if frag else "./"
    else:
        rel = posixpath.relpath("/" + path, "/" + here_dir)
        if (path.endswith("/") or path == "") and not rel.endswith("/"):
            rel += "/"
    return rel + ("#" + frag if frag else "")


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
    env.globals.update(STATUS_LABELS=STATUS_LABELS, EVERY_LABELS=EVERY_LABELS)
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
            "goals": [
                {"id": g.id, "text": g.text, "deadlines": [{"date": x.date.isoformat(), "text": x.text} for x in g.deadlines]}
                for g in d.goals
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
        }
        for v in sorted(site.departments.values(), key=lambda v: v.data.id)
    ]
    return {
        "generated_for": site.now.isoformat(),
        "plans": plans,
        "departments": departments,
        "topics": [{"id": t.data.id, "name": t.data.name, "url": t.url} for t in site.topics.values()],
        "categories": [{"id": c.data.id, "name": c.data.name, "url": c.url} for c in site.categories.values()],
    }


def pages(site: Site) -> dict[str, str]:
    """Every generated page: path under docs_dir -> Markdown."""
    env = environment()
    out: dict[str, str] = {}

    def render(template: str, url: str, **ctx) -> None:
        out[page_of(url)] = env.get_template(template).render(site=site, page_url=url, **ctx)

    render("home.md.j2", "")
    render("plans_index.md.j2", "plans/")
    for p in site.plans:
        render("plan.md.j2", p.url, plan=p)
    return out


def write_if_changed(path: Path, content: str | bytes) -> bool:
    data = content.encode("utf-8") if isinstance(content, str) else content
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def render_site(site: Site, out: Path = OUT, data_dir: Path = DATA) -> int:
    """Write the whole docs_dir; returns how many files changed."""
    files: dict[Path, str | bytes] = {}
    for rel, text in pages(site).items():
        files[out / rel] = text
    for src in sorted(HAND_WRITTEN.rglob("*")):
        if src.is_file():
            files[out / src.relative_to(HAND_WRITTEN)] = src.read_bytes()
    for p in site.plans:
        src = data_dir / "sources" / p.data.source
        files[out / "sources" / p.data.source] = src.read_bytes()
    files[out / "data" / "plans.json"] = json.dumps(dataset(site), ensure_ascii=False, indent=1, sort_keys=False) + "\n"

    changed = sum(write_if_changed(path, content) for path, content in files.items())
    keep = set(files)
    if out.exists():
        for path in sorted(out.rglob("*"), reverse=True):
            if path.is_file() and path not in keep:
                path.unlink()
                changed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed


def clean(out: Path = OUT) -> None:
    shutil.rmtree(out, ignore_errors=True)
