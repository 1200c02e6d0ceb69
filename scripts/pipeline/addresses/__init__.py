"""Published addresses never break.

`data/addresses.txt` records every address the site has published, one per
line (relative to the site root, e.g. `plans/maogang-2024-2026/#mg-hazard-screening`).
`make check` (the validate stage) compares it with the addresses the data
would publish now:

- an address in the registry that would no longer exist is an error that
  names the id that moved and how to keep it alive (add the old id to
  `previous_ids` of what replaced it);
- an address the data publishes that is not in the registry yet is an error
  too, so the registry stays complete: `make addresses` records it
  (scripts/editor/addresses.py).

Old ids listed in `previous_ids` keep their addresses alive: the render stage
writes a redirect page for an old page (`redirect_files()`), and the plan
page template a retained anchor for an old task or action anchor.

Pages split by jurisdiction (issue 13; scripts/pipeline/enrich/areas.py)
keep their old anchors too. An anchor of such a page that the registry
records (`plans/#maogang-2024-2026`, `departments/#putuo-emergency`,
`topics/gas/#putuo-2022` …) stays on the page as a *kept anchor*: an element
with that id whose link says where the content went (`kept_anchors()`,
followed at once by docs/assets/javascripts/site.js). Where it went follows
from the data by rule (`Places.resolve()`), so the registry needs no table
of moves. An area page that is no longer made (the hierarchy above it
changed, or its topic left the area) becomes a redirect page to where its
jurisdictions are listed now (`area_redirects()`). Those rules: split.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ...model import models
from ...model import urls as U
from ...paths import DATA
from ..load.corpus import Corpus
from ..load.document import Problem
from .split import Kept, Places, area_redirects, board_redirects, kept_anchors

__all__ = ["FIXED", "OPTIONAL_FIXED", "REGISTRY", "Kept", "Moved", "Places", "area_redirects", "board_redirects", "check_registry",
           "current", "kept_anchors", "moves", "read_registry", "redirect_files", "redirect_page", "tree_addresses"]

REGISTRY = "addresses.txt"
UNRECORDED = "are not recorded yet"  # the words of the one problem `make addresses` fixes

# Site-wide pages and files (besides the ones derived from ids below).
FIXED = ["./", "plans/", "jurisdictions/", "progress/", "data/", "data/plans.json"]
# Section pages that exist when their generator is present in the build.
OPTIONAL_FIXED = ["departments/", "topics/", "timeline/", "compare/"]


@dataclass(frozen=True)
class Moved:
    """An old address kept alive: `old` now lives at `new`."""

    old: str
    new: str
    kind: str  # "page" (redirect page) or "anchor" (retained anchor)


def tree_addresses(corpus: Corpus) -> dict[str, str]:
    """address -> the id it comes from, for everything the data defines now.
    A draft (a plan or department marked `draft: true` by `make import`) is
    never published: its addresses are not recorded until it is finished."""
    out: dict[str, str] = {}
    places = Places.of_corpus(corpus)
    for jid in places.published():
        out[U.jurisdiction_url(jid)] = jid
    for url, area in places.area_pages().items():
        out[url] = area
    out.update(places.boards())
    for p in corpus.plans:
        if p.model is None or p.model.draft:
            continue
        plan = p.model
        url = U.plan_url(plan.id)
        out[url] = plan.id
        out[f"sources/{plan.source}"] = plan.id
        for a in plan.actions:
            out[f"{url}#{a.id}"] = a.id
            for t in a.tasks:
                out[f"{url}#{t.id}"] = t.id
    for reg in corpus.registries:
        if reg.model is None:
            continue
        for d in reg.model.departments:
            if not d.draft:
                out[U.department_url(d.id)] = d.id
    if corpus.topics and corpus.topics.model:
        for t in corpus.topics.model.topics:
            out[U.topic_url(t.id)] = t.id
    return out


def _models(corpus: Corpus) -> tuple[list, list]:
    plans = [p.model for p in corpus.plans if p.model is not None]
    deps = [d for reg in corpus.registries if reg.model is not None for d in reg.model.departments]
    return plans, deps


def moves(plans: list, departments: list, jurisdictions: Iterable[models.Jurisdiction] = ()) -> list[Moved]:
    """Old addresses kept alive by previous_ids (plans: models.Plan,
    departments: models.Department, jurisdictions: models.Jurisdiction).
    A renamed jurisdiction with plans of its own (so a 挂图作战 board) keeps
    its board's address too."""
    out: list[Moved] = []
    with_board = {p.jurisdiction for p in plans if not p.draft}
    for j in jurisdictions:
        for old in j.previous_ids:
            out.append(Moved(U.jurisdiction_url(old), U.jurisdiction_url(j.id), "page"))
            if j.id in with_board:
                out.append(Moved(U.board_url(old), U.board_url(j.id), "page"))
    for plan in plans:
        url = U.plan_url(plan.id)
        for old in plan.previous_ids:
            out.append(Moved(U.plan_url(old), url, "page"))
        for a in plan.actions:
            for old in a.previous_ids:
                out.append(Moved(f"{url}#{old}", f"{url}#{a.id}", "anchor"))
            for t in a.tasks:
                for old in t.previous_ids:
                    out.append(Moved(f"{url}#{old}", f"{url}#{t.id}", "anchor"))
    for d in departments:
        for old in d.previous_ids:
            out.append(Moved(U.department_url(old), U.department_url(d.id), "page"))
    return out


def current(corpus: Corpus, registered: Iterable[str] = ()) -> set[str]:
    """Every address the data publishes now, including kept-alive old ones
    (of `registered`: the kept anchors of split pages and the redirects of
    area pages no longer made)."""
    now = set(tree_addresses(corpus)) | set(FIXED)
    places = Places.of_corpus(corpus)
    now |= places.index_anchors()
    registered = list(registered)
    now |= {f"{page}#{k.fragment}" for page, kept in kept_anchors(places, registered).items() for k in kept}
    now |= set(area_redirects(places, registered))
    now |= set(board_redirects(places, registered))
    moved = moves(*_models(corpus), places.hierarchy.by_id.values())
    now |= {m.old for m in moved}
    for m in moved:  # an old page's redirect keeps the #fragment: its anchors live on too
        if m.kind == "page":
            now |= {m.old + a[len(m.new):] for a in list(now) if a.startswith(m.new + "#")}
    return now


def read_registry(data_dir: Path = DATA) -> list[tuple[int, str]]:
    path = data_dir / REGISTRY
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            out.append((n, line))
    return out


def _id_of(address: str) -> str:
    path, _, frag = address.partition("#")
    return frag or path.rstrip("/").rsplit("/", 1)[-1]


def check_registry(corpus: Corpus, optional: set[str] | None = None) -> list[Problem]:
    """Problems between the registry and what the data publishes."""
    data_dir = corpus.data_dir
    name = f"data/{REGISTRY}" if data_dir == DATA else str(data_dir / REGISTRY)
    registry = read_registry(data_dir)
    if not (data_dir / REGISTRY).exists():
        return [Problem(name, 1, 1, "the registry of published addresses is missing; run `make addresses`")]
    now = current(corpus, (a for _, a in registry)) | (optional if optional is not None else set(OPTIONAL_FIXED))
    problems = []
    seen = set()
    for n, address in registry:
        seen.add(address)
        if address not in now:
            ident = _id_of(address)
            problems.append(Problem(
                name, n, 1,
                f"the published address {address} would no longer exist: '{ident}' was renamed, moved or "
                f"removed. To keep the address alive, add '{ident}' to `previous_ids` of the item that "
                f"replaces it (ids are never reused); never delete this line",
            ))
    missing = sorted(set(tree_addresses(corpus)) - seen)
    if missing:
        problems.append(Problem(
            name, max((n for n, _ in registry), default=1), 1,
            f"{len(missing)} new address(es) {UNRECORDED} (first: {missing[0]}); run `make addresses`",
        ))
    return problems


def is_unrecorded(problem: Problem) -> bool:
    """The problem `make addresses` fixes: new addresses not recorded yet."""
    return UNRECORDED in problem.message


def redirect_page(target: str, here: str) -> str:
    """A static page that sends readers of an old address to the new one,
    keeping any #fragment; works without JavaScript via meta refresh."""
    rel = U.relative_url(here, target)
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8">
<meta name="renderer" content="webkit">
<title>页面已迁移</title>
<link rel="canonical" href="{rel}">
<meta http-equiv="refresh" content="0; url={rel}">
<script>location.replace("{rel}" + location.hash);</script>
</head><body><p>此页面已迁移至 <a href="{rel}">新地址</a>。</p></body></html>
"""


def redirect_files(plans: list, departments: list, places: "Places | None" = None,
                   registered: Iterable[str] = ()) -> dict[str, str]:
    """docs-relative path -> HTML of the redirect page for every moved page:
    old ids (previous_ids), and the registered area pages and boards no
    longer made."""
    out = {}
    jurisdictions = places.hierarchy.by_id.values() if places else ()
    for m in moves(plans, departments, jurisdictions):
        if m.kind == "page":
            out[m.old + "index.html"] = redirect_page(m.new, m.old)
    if places is not None:
        for old, new in {**area_redirects(places, registered), **board_redirects(places, registered)}.items():
            out[old + "index.html"] = redirect_page(new, old)
    return out
