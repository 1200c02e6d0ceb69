"""Pages split by jurisdiction (issue 13): where the content of their old
anchors is now, and where an area page no longer made now points.

`Places` knows, from the models, where every plan, unit, jurisdiction,
deadline and recurring duty is listed (its area: scripts/model/jurisdictions.py),
and which anchors the index pages keep as they are; `kept_anchors()` turns
the registered anchors of split pages into kept anchors, `area_redirects()`
the registered area pages no longer made into redirects. Imported by the
registry (__init__.py) and the render stage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ...model import models
from ...model import urls as U
from ...model.jurisdictions import Hierarchy
from ..load.corpus import Corpus


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
        # renamed ids (previous_ids): an old anchor resolves to what replaced it
        self.plan_alias = {old: p.id for p in self.plans.values() for old in p.previous_ids}
        self.dep_alias = {old: d.id for _, deps in registries for d in deps for old in d.previous_ids}
        self.jur_alias = {old: j.id for j, _ in registries for old in j.previous_ids}
        # the timeline and the recurring duties: each deadline's and duty's anchor (as the views make
        # them), also under the task's previous ids -> (year, quarter, plan id, its anchor now)
        self.due: dict[str, tuple[int, int, str, str]] = {}
        self.every: dict[str, tuple[str, str]] = {}  # every-<owner>-<n> -> (plan id, its anchor now)
        self.every_groups: set[str] = set()  # month, month-2 … (the periods of the calendar)
        self.undated: dict[str, tuple[str, str]] = {}  # ongoing-/event-<owner>-<n> -> (plan id, anchor now)
        self.owners: dict[str, tuple[str, str]] = {}  # a task's, goal's or section's id (or old id) -> (plan, id)
        for p in self.plans.values():
            owners = [(t.id, t) for a in p.actions for t in a.tasks] + [(g.id, g) for g in p.goals]
            owners += [(s.id, s) for s in p.sections]
            for anchor, owner in owners:
                names = [anchor, *getattr(owner, "previous_ids", [])]
                self.owners.update({name: (p.id, anchor) for name in names})
                for i, d in enumerate(owner.deadlines, 1):
                    for name in names:
                        self.due[f"due-{name}-{i}"] = (d.date.year, (d.date.month - 1) // 3 + 1, p.id, f"due-{anchor}-{i}")
                for i, r in enumerate(getattr(owner, "recurrence", []), 1):
                    for name in names:
                        self.every[f"every-{name}-{i}"] = (p.id, f"every-{anchor}-{i}")
                    self.every_groups.add(r.every if r.interval == 1 else f"{r.every}-{r.interval}")
                for i, o in enumerate(getattr(owner, "ongoing", []), 1):
                    self.undated.update({f"ongoing-{name}-{i}": (p.id, f"ongoing-{anchor}-{i}") for name in names})
                for i, e in enumerate(getattr(owner, "events", []), 1):
                    for name in names:
                        if e.date:  # an event an editor dated is on the timeline
                            self.due[f"due-{name}-e{i}"] = (e.date.year, (e.date.month - 1) // 3 + 1, p.id, f"due-{anchor}-e{i}")
                        else:
                            self.undated[f"event-{name}-{i}"] = (p.id, f"event-{anchor}-{i}")
            for annex in p.annexes:
                for row in annex.rows:
                    if row.due:
                        d = row.due.date
                        anchor = f"due-{annex.id}-{row.number}-1"
                        self.due[anchor] = (d.year, (d.month - 1) // 3 + 1, p.id, anchor)

    @classmethod
    def of_corpus(cls, corpus: Corpus) -> "Places":
        """What the corpus publishes: drafts (`make import`) are left out."""
        nat = corpus.national.model if corpus.national else None
        return cls([p.model for p in corpus.plans if p.model is not None and not p.model.draft],
                   [(r.model.jurisdiction, [d for d in r.model.departments if not d.draft])
                    for r in corpus.registries if r.model is not None],
                   corpus.topic_ids, corpus.category_ids, nat)

    def published(self) -> list[str]:
        """The jurisdictions with a plan or a unit in them or below them."""
        used = {p.jurisdiction for p in self.plans.values()} | {jid for jid, _ in self.departments.values()}
        return [j for j in self.hierarchy.by_id if j in used or any(d in used for d in self.hierarchy.descendants(j))]

    def area(self, jid: str) -> str:
        return self.hierarchy.area(jid)

    def boards(self) -> dict[str, str]:
        """address -> jurisdiction id of every 挂图作战 board made now: one
        per jurisdiction with plans of its own."""
        return {U.board_url(p.jurisdiction): p.jurisdiction for p in self.plans.values() if p.jurisdiction in self.hierarchy}

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
        for y, q, pid, _ in self.due.values():
            jid = self.plans[pid].jurisdiction
            if jid in self.hierarchy:
                out[U.timeline_quarter_url(y, q)] = ""
                out[U.timeline_area_url(y, q, self.area(jid))] = self.area(jid)
        for pid in {pid for pid, _ in self.undated.values()}:
            jid = self.plans[pid].jurisdiction
            if jid in self.hierarchy:
                out[U.ongoing_area_url(self.area(jid))] = self.area(jid)
        for pid in {pid for pid, _ in self.every.values()}:
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
        out |= {f"{U.TIMELINE_URL}#{a}" for a in ("timeline", "overview", "by-quarter", "ongoing")}
        out |= {f"{U.TIMELINE_URL}#y{y}" for y, _, _, _ in self.due.values()}
        out |= {f"{U.TIMELINE_URL}#y{y}q{q}" for y, q, _, _ in self.due.values()}
        out |= {f"{U.RECURRING_URL}#{a}" for a in ("recurring", "calendar", "by-jurisdiction")}
        out |= {f"{U.RECURRING_URL}#every-{g}" for g in self.every_groups}
        if self.national:
            nat = self.national
            out |= {f"compare/#{x.id}" for x in [*nat.actions, *nat.local_lines, *nat.targets]}
        return out

    def resolve(self, page: str, fragment: str) -> Kept | None:
        """Where the old anchor `page#fragment` of a split page is now (an id
        renamed since, through previous_ids, by its new id)."""
        plan = self.plans.get(self.plan_alias.get(fragment, fragment))
        did = self.dep_alias.get(fragment, fragment)
        dep = self.departments.get(did)
        jid = self.jur_alias.get(fragment, fragment)
        jid = jid if jid in self.hierarchy else None
        if page == U.PLANS_URL and plan and plan.jurisdiction in self.hierarchy:
            return Kept(fragment, f"{U.jurisdiction_url(plan.jurisdiction)}#{plan.id}",
                        f"{self.name(plan.jurisdiction)}：本级计划 {plan.short_title}")
        if page == U.DEPARTMENTS_URL:
            if jid:
                return Kept(fragment, f"{U.jurisdiction_url(jid)}#units", f"{self.name(jid)}：单位")
            if dep:
                return Kept(fragment, f"{U.jurisdiction_url(dep[0])}#{did}", f"{self.name(dep[0])}：单位")
        if page == U.TIMELINE_URL and fragment in self.due:
            y, q, pid, now = self.due[fragment]
            jid = self.plans[pid].jurisdiction
            if jid in self.hierarchy:
                area = self.area(jid)
                return Kept(fragment, f"{U.timeline_area_url(y, q, area)}#{now}", f"{y}年第{q}季度：{self.name(area)}")
        if page == U.TIMELINE_URL and fragment.startswith(("ongoing-", "event-")):
            pid, now = self.undated.get(fragment) or self._every_of_plan(fragment)
            jid = self.plans[pid].jurisdiction if pid else None
            if jid in self.hierarchy:
                area = self.area(jid)
                return Kept(fragment, f"{U.ongoing_area_url(area)}#{now}", f"持续性要求与节点性要求：{self.name(area)}")
        if page == U.RECURRING_URL and fragment.startswith("every-"):
            pid, now = self.every.get(fragment) or self._every_of_plan(fragment)
            jid = self.plans[pid].jurisdiction if pid else None
            if jid in self.hierarchy:
                area = self.area(jid)
                return Kept(fragment, f"{U.recurring_area_url(area)}#{now}", f"周期性要求：{self.name(area)}")
        if page in (U.TIMELINE_URL, U.RECURRING_URL):
            return self._owner_of(fragment)
        topic = _under(page, U.TOPICS_URL)
        if topic in self.topics and plan and plan.jurisdiction in self.hierarchy:
            area = self.area(plan.jurisdiction)
            if plan.id in self.topic_areas.get(topic, {}).get(area, ()):
                return Kept(fragment, f"{U.topic_area_url(topic, area)}#{plan.id}", f"{self.name(area)}：{plan.short_title}")
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
                    return Kept(fragment, f"{U.category_area_url(cat, area)}#{did}", f"{self.name(area)}：本类单位")
                return Kept(fragment, U.department_url(did), "本单位页面")
        return None

    def _owner_of(self, fragment: str) -> Kept | None:
        """A duty the data no longer holds as such (due-/every-/ongoing-/event-<owner>-<n>)
        sends the reader to what stated it: its task, goal or section."""
        kind, _, rest = fragment.partition("-")
        owner = rest.rsplit("-", 1)[0] if kind in ("due", "every", "ongoing", "event") else ""
        if owner in self.owners:
            pid, now = self.owners[owner]
            return Kept(fragment, f"{U.plan_url(pid)}#{now}", f"{self.plans[pid].short_title}（计划原文）")
        return None

    def _every_of_plan(self, fragment: str) -> tuple[str | None, str]:
        """every-<period>-<plan id> (a plan's duties of one period) -> (plan id, its anchor now)."""
        for old in sorted([*self.plans, *self.plan_alias], key=len, reverse=True):
            if fragment.endswith("-" + old):
                pid = self.plan_alias.get(old, old)
                return pid, fragment[: -len(old)] + pid
        return None, fragment


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
    timeline), a recurring or undated duties' area page to its area's (or
    the list)."""
    if len(parts) == 3 and parts[1] in ("recurring", "ongoing"):
        if parts[2] not in places.hierarchy:
            return None
        area = places.area(parts[2])
        target = U.recurring_area_url(area) if parts[1] == "recurring" else U.ongoing_area_url(area)
        return target if target in made else (U.RECURRING_URL if parts[1] == "recurring" else f"{U.TIMELINE_URL}#ongoing")
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


def board_redirects(places: Places, registered: Iterable[str]) -> dict[str, str]:
    """old board -> its jurisdiction's page, for every registered board
    (progress/<jurisdiction>/) no longer made because the jurisdiction has
    no plan of its own any more (a plan recorded under another one). A
    renamed jurisdiction's board moves with it instead (moves())."""
    made, published = places.boards(), set(places.published())
    out = {}
    for address in registered:
        parts = address.split("/")
        if len(parts) == 3 and parts[0] + "/" == U.PROGRESS_URL and parts[2] == "" and address not in made \
                and parts[1] in published:
            out[address] = U.jurisdiction_url(parts[1])
    return out
