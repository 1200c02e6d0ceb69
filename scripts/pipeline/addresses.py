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
jurisdictions are listed now (`area_redirects()`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..model import models
from ..model import urls as U
from ..model.jurisdictions import Hierarchy
from ..paths import DATA
from .load.corpus import Corpus
from .load.document import Problem

REGISTRY = "addresses.txt"

# Site-wide pages and files (besides the ones derived from ids below).
FIXED = ["./", "plans/", "jurisdictions/", "data/", "data/plans.json"]
# Section pages that exist when their generator is present in the build.
OPTIONAL_FIXED = ["departments/", "topics/", "timeline/", "compare/"]


@dataclass(frozen=True)
class Moved:
    """An old address kept alive: `old` now lives at `new`."""

    old: str
    new: str
    kind: str  # "page" (redirect page) or "anchor" (retained anchor)


def tree_addresses(corpus: Corpus) -> dict[str, str]:
    """address -> the id it comes from, for everything the data defines now."""
    out: dict[str, str] = {}
    places = Places.of_corpus(corpus)
    for jid in places.hierarchy.by_id:
        out[U.jurisdiction_url(jid)] = jid
    for url, area in places.area_pages().items():
        out[url] = area
    for p in corpus.plans:
        if p.model is None:
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
    departments: models.Department, jurisdictions: models.Jurisdiction)."""
    out: list[Moved] = []
    for j in jurisdictions:
        for old in j.previous_ids:
            out.append(Moved(U.jurisdiction_url(old), U.jurisdiction_url(j.id), "page"))
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
            f"{len(missing)} new address(es) are not recorded yet (first: {missing[0]}); run `make addresses`",
        ))
    return problems


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
    old ids (previous_ids), and the registered area pages no longer made."""
    out = {}
    jurisdictions = places.hierarchy.by_id.values() if places else ()
    for m in moves(plans, departments, jurisdictions):
        if m.kind == "page":
            out[m.old + "index.html"] = redirect_page(m.new, m.old)
    if places is not None:
        for old, new in area_redirects(places, registered).items():
            out[old + "index.html"] = redirect_page(new, old)
    return out


# --------------------------------------------------------------------------- #
# Pages split by jurisdiction: kept anchors and area redirects
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Kept:
    """An old anchor of a split page: `fragment` stays on it and sends the
    reader to `new`, described by `label`."""

    fragment: str
    new: str
    label: str


class Places:
    """Where each plan, unit, jurisdiction, topic and category is: what the
    split pages and their kept anchors are made from. Built from the models
    (of a checked corpus, or of the enriched site)."""

    def __init__(self, plans: Iterable[models.Plan],
                 registries: Iterable[tuple[models.Jurisdiction, Iterable[models.Department]]],
                 topics: Iterable[str] = (), categories: Iterable[str] = (), national: models.NationalFramework | None = None):
        registries = [(j, list(deps)) for j, deps in registries]
        self.hierarchy = Hierarchy(j for j, _ in registries)
        self.plans: dict[str, models.Plan] = {p.id: p for p in plans}
        self.departments: dict[str, tuple[str, str]] = {d.id: (j.id, d.category) for j, deps in registries for d in deps}
        self.topics = set(topics)
        self.categories = set(categories)
        self.national = national
        self.topic_areas: dict[str, dict[str, set[str]]] = {}  # topic -> area -> plan ids
        for p in self.plans.values():
            if p.jurisdiction not in self.hierarchy:
                continue
            for t in {x for a in p.actions for task in a.tasks for x in task.topics}:
                self.topic_areas.setdefault(t, {}).setdefault(self.area(p.jurisdiction), set()).add(p.id)
        self.category_areas: dict[str, dict[str, set[str]]] = {}  # category -> area -> jurisdiction ids
        for jid, cat in self.departments.values():
            self.category_areas.setdefault(cat, {}).setdefault(self.area(jid), set()).add(jid)
        self.compare_areas = {self.area(p.jurisdiction) for p in self.plans.values() if p.jurisdiction in self.hierarchy}
        # the timeline and the recurring duties: each deadline's and duty's anchor (as the views make them)
        self.due: dict[str, tuple[int, int, str]] = {}  # due-<owner>-<n> -> (year, quarter, plan id)
        self.every: dict[str, str] = {}  # every-<owner>-<n> -> plan id
        self.every_groups: set[str] = set()  # month, month-2 … (the periods of the calendar)
        for p in self.plans.values():
            owners = [(t.id, t) for a in p.actions for t in a.tasks] + [(g.id, g) for g in p.goals]
            owners += [(s.id, s) for s in p.sections]
            for anchor, owner in owners:
                for i, d in enumerate(owner.deadlines, 1):
                    self.due[f"due-{anchor}-{i}"] = (d.date.year, (d.date.month - 1) // 3 + 1, p.id)
                for i, r in enumerate(getattr(owner, "recurrence", []), 1):
                    self.every[f"every-{anchor}-{i}"] = p.id
                    self.every_groups.add(r.every if r.interval == 1 else f"{r.every}-{r.interval}")
            for annex in p.annexes:
                for row in annex.rows:
                    if row.due:
                        d = row.due.date
                        self.due[f"due-{annex.id}-{row.number}-1"] = (d.year, (d.month - 1) // 3 + 1, p.id)

    @classmethod
    def of_corpus(cls, corpus: Corpus) -> "Places":
        nat = corpus.national.model if corpus.national else None
        return cls([p.model for p in corpus.plans if p.model is not None],
                   [(r.model.jurisdiction, r.model.departments) for r in corpus.registries if r.model is not None],
                   corpus.topic_ids, corpus.category_ids, nat)

    def area(self, jid: str) -> str:
        return self.hierarchy.area(jid)

    def name(self, jid: str) -> str:
        j = self.hierarchy.by_id.get(jid)
        return j.name if j else jid

    def area_pages(self) -> dict[str, str]:
        """address -> area id of every area page made now."""
        out = {}
        for t, areas in self.topic_areas.items():
            if t in self.topics:
                out.update({U.topic_area_url(t, a): a for a in areas})
        for c, areas in self.category_areas.items():
            if c in self.categories:
                out.update({U.category_area_url(c, a): a for a in areas})
        out.update({U.compare_area_url(a): a for a in self.compare_areas})
        if self.national:
            lines = [x.id for x in [*self.national.actions, *self.national.local_lines]]
            out.update({U.compare_line_url(a, ln): a for a in self.compare_areas for ln in lines})
        for y, q, pid in self.due.values():
            jid = self.plans[pid].jurisdiction
            if jid in self.hierarchy:
                out[U.timeline_quarter_url(y, q)] = ""
                out[U.timeline_area_url(y, q, self.area(jid))] = self.area(jid)
        for pid in set(self.every.values()):
            jid = self.plans[pid].jurisdiction
            if jid in self.hierarchy:
                out[U.recurring_area_url(self.area(jid))] = self.area(jid)
        return out

    def index_anchors(self) -> set[str]:
        """The anchors the index pages keep as they are (their sections and
        one row per topic, category, line of action and target)."""
        out = {f"./#{a}" for a in ("home", "next", "views", "plans", "guide")}
        out |= {"plans/#plans", "plans/#by-jurisdiction", "plans/#recent", "departments/#departments"}
        out |= {"topics/#topics"} | {f"topics/#{t}" for t in self.topics}
        out |= {"departments/categories/#categories"} | {f"departments/categories/#{c}" for c in self.categories}
        out |= {f"{U.topic_url(t)}#topic" for t in self.topics}
        out |= {f"{U.category_url(c)}#category" for c in self.categories}
        out |= {f"compare/#{a}" for a in ("compare", "overview", "national-lines", "targets", "local-lines", "shared")}
        out |= {f"{U.TIMELINE_URL}#{a}" for a in ("timeline", "overview", "by-quarter")}
        out |= {f"{U.TIMELINE_URL}#y{y}" for y, _, _ in self.due.values()}
        out |= {f"{U.TIMELINE_URL}#y{y}q{q}" for y, q, _ in self.due.values()}
        out |= {f"{U.RECURRING_URL}#{a}" for a in ("recurring", "calendar", "by-jurisdiction")}
        out |= {f"{U.RECURRING_URL}#every-{g}" for g in self.every_groups}
        if self.national:
            nat = self.national
            out |= {f"compare/#{x.id}" for x in [*nat.actions, *nat.local_lines, *nat.targets]}
        return out

    def resolve(self, page: str, fragment: str) -> Kept | None:
        """Where the old anchor `page#fragment` of a split page is now."""
        plan = self.plans.get(fragment)
        dep = self.departments.get(fragment)
        jid = fragment if fragment in self.hierarchy else None
        if page == U.PLANS_URL and plan and plan.jurisdiction in self.hierarchy:
            return Kept(fragment, f"{U.jurisdiction_url(plan.jurisdiction)}#{fragment}",
                        f"{self.name(plan.jurisdiction)}：本级计划 {plan.short_title}")
        if page == U.DEPARTMENTS_URL:
            if jid:
                return Kept(fragment, f"{U.jurisdiction_url(jid)}#units", f"{self.name(jid)}：单位")
            if dep:
                return Kept(fragment, f"{U.jurisdiction_url(dep[0])}#{fragment}", f"{self.name(dep[0])}：单位")
        if page == U.TIMELINE_URL and fragment in self.due:
            y, q, pid = self.due[fragment]
            jid = self.plans[pid].jurisdiction
            if jid in self.hierarchy:
                area = self.area(jid)
                return Kept(fragment, f"{U.timeline_area_url(y, q, area)}#{fragment}", f"{y}年第{q}季度：{self.name(area)}")
        if page == U.RECURRING_URL and fragment.startswith("every-"):
            pid = self.every.get(fragment) or next((x for x in self.plans if fragment.endswith("-" + x)), None)
            jid = self.plans[pid].jurisdiction if pid else None
            if jid in self.hierarchy:
                area = self.area(jid)
                return Kept(fragment, f"{U.recurring_area_url(area)}#{fragment}", f"周期性要求：{self.name(area)}")
        topic = _under(page, U.TOPICS_URL)
        if topic in self.topics and plan and plan.jurisdiction in self.hierarchy:
            area = self.area(plan.jurisdiction)
            if plan.id in self.topic_areas.get(topic, {}).get(area, ()):
                return Kept(fragment, f"{U.topic_area_url(topic, area)}#{fragment}", f"{self.name(area)}：{plan.short_title}")
            return Kept(fragment, U.plan_url(plan.id), plan.short_title)
        cat = _under(page, U.CATEGORIES_URL)
        if cat in self.categories:
            if jid:
                area = self.area(jid)
                if jid in self.category_areas.get(cat, {}).get(area, ()):
                    return Kept(fragment, f"{U.category_area_url(cat, area)}#{jid}", f"{self.name(area)}：{self.name(jid)}")
                return Kept(fragment, f"{U.jurisdiction_url(jid)}#units", f"{self.name(jid)}：单位")
            if dep:
                area = self.area(dep[0])
                if dep[1] == cat:
                    return Kept(fragment, f"{U.category_area_url(cat, area)}#{fragment}", f"{self.name(area)}：本类单位")
                return Kept(fragment, U.department_url(fragment), "本单位页面")
        return None


def _under(page: str, section: str) -> str | None:
    """The id of `page` if it is a page directly under `section` (topics/gas/ -> gas)."""
    if page.startswith(section) and page.endswith("/"):
        rest = page[len(section):-1]
        if rest and "/" not in rest:
            return rest
    return None


def kept_anchors(places: Places, registered: Iterable[str]) -> dict[str, list[Kept]]:
    """page -> its kept anchors: the registered anchors of split pages that
    are no longer an element of their own page, and where each went."""
    keep = places.index_anchors()
    out: dict[str, list[Kept]] = {}
    for address in registered:
        page, sep, fragment = address.partition("#")
        if not sep or address in keep:
            continue
        kept = places.resolve(page, fragment)
        if kept is not None:
            out.setdefault(page, []).append(kept)
    return out


def _timeline_redirect(places: Places, parts: list[str], made: dict[str, str]) -> str | None:
    """Where a timeline page no longer made now points: a quarter's area
    page to the area's page of that quarter (or the quarter, or the
    timeline), a recurring-duty area page to its area's (or the list)."""
    if len(parts) == 3 and parts[1] == "recurring":
        if parts[2] not in places.hierarchy:
            return None
        target = U.recurring_area_url(places.area(parts[2]))
        return f"{target}#{parts[2]}" if target in made else U.RECURRING_URL
    m = re.fullmatch(r"(\d{4})q([1-4])", parts[1]) if len(parts) in (2, 3) else None
    if not m:
        return None
    y, q = int(m[1]), int(m[2])
    if len(parts) == 3 and parts[2] in places.hierarchy:
        target = U.timeline_area_url(y, q, places.area(parts[2]))
        if target in made:
            return target
    quarter = U.timeline_quarter_url(y, q)
    return quarter if quarter in made else U.TIMELINE_URL


def area_redirects(places: Places, registered: Iterable[str]) -> dict[str, str]:
    """old area page -> where its jurisdictions are listed now, for every
    registered area page (topics/<t>/<area>/, departments/categories/<c>/<area>/,
    compare/<area>/ …, timeline/<year>q<n>/<area>/, timeline/recurring/<area>/)
    that is no longer made."""
    made = places.area_pages()
    out = {}
    for address in registered:
        if "#" in address or address in made:
            continue
        parts = address.rstrip("/").split("/")
        if parts[0] == "timeline":
            target = _timeline_redirect(places, parts, made)
            if target:
                out[address] = target
            continue
        if len(parts) == 3 and parts[0] == "topics" and parts[1] in places.topics:
            section, new_area = U.topic_url(parts[1]), U.topic_area_url
        elif len(parts) == 4 and parts[:2] == ["departments", "categories"] and parts[2] in places.categories:
            section, new_area = U.category_url(parts[2]), U.category_area_url
        elif len(parts) in (2, 3) and parts[0] == "compare":
            section, new_area = U.COMPARE_URL, None
        else:
            continue
        jid = parts[1] if parts[0] == "compare" else parts[-1]
        if jid not in places.hierarchy:
            continue
        area = places.area(jid)
        if parts[0] == "compare":
            target = U.compare_line_url(area, parts[2]) if len(parts) == 3 else U.compare_area_url(area)
            out[address] = target if target in made else section
            continue
        target = new_area(parts[-2], area)
        out[address] = f"{target}#{jid}" if target in made else section
    return out
