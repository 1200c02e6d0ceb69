"""Pages that do not grow with the province: a topic, a category, the
comparison, the timeline (also by quarter) and the recurring duties are
split by jurisdiction. Each is shown on one page per *area*
(scripts/model/jurisdictions.py: a top of the hierarchy, or a jurisdiction
directly below a top — a city of a province, a district of a city): the
area's share lists what the jurisdictions of that area hold, whatever their
depth. The topic's, category's or comparison's own page lists the areas.

An area is defined by the hierarchy alone, so its share (and page) is as
large as one area of the province, whatever the size of the province.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...model import models
from ...model.urls import (
    category_area_url,
    compare_area_url,
    compare_line_url,
    ongoing_area_url,
    recurring_area_url,
    timeline_area_url,
    timeline_quarter_url,
    topic_area_url,
)
from .comparison import LineRow, TargetRow, compare_line
from .hierarchy import JurisdictionView
from .reads import derived, summary
from .same_duty import shared_groups
from .timeline import QUARTER_LABELS, STATUS_LABELS, QuarterEntries, RecurrenceGroup, deadline_order, recurrence_calendar, status_of
from .views import (
    ActionView,
    CategoryView,
    DeadlineView,
    DepartmentView,
    PlanView,
    RecurrenceView,
    TaskView,
    TopicView,
    group_tasks,
    task_order,
)


def _by_jurisdiction(items: list, where) -> list[tuple[JurisdictionView, list]]:
    """`items` grouped by their jurisdiction (`where(item)`), in tree order."""
    groups: dict[int, tuple[JurisdictionView, list]] = {}
    for x in items:
        j = where(x)
        groups.setdefault(id(j), (j, []))[1].append(x)
    return sorted(groups.values(), key=lambda g: [a.data.id for a in g[0].path])


@dataclass(eq=False)
class TopicArea:
    """The tasks of one topic in one area."""

    topic: TopicView
    area: JurisdictionView
    url: str
    tasks: list[TaskView] = field(default_factory=list)

    @property
    def jurisdictions(self) -> list[tuple[JurisdictionView, list[tuple[PlanView, list[tuple[ActionView, list[TaskView]]]]]]]:
        """By jurisdiction, then plan and action."""
        return [(j, group_tasks(ts)) for j, ts in _by_jurisdiction(self.tasks, lambda t: t.plan.jurisdiction_view)]

    @property
    def plans(self) -> list[PlanView]:
        return [p for p, _ in group_tasks(self.tasks)]

    @summary
    def task_count(self) -> int:
        return len(self.tasks)


@dataclass(eq=False)
class CategoryArea:
    """The units of one category in one area."""

    category: CategoryView
    area: JurisdictionView
    url: str
    departments: list[DepartmentView] = field(default_factory=list)

    @property
    def jurisdictions(self) -> list[tuple[JurisdictionView, list[DepartmentView]]]:
        return _by_jurisdiction(self.departments, lambda d: d.jurisdiction_view)

    @summary
    def department_count(self) -> int:
        return len(self.departments)

    @summary
    def task_count(self) -> int:
        return len({id(t) for d in self.departments for t in d.lead_tasks + d.support_tasks})


@dataclass(eq=False)
class CompareArea:
    """The plans of one area against the national plan, and against each other."""

    area: JurisdictionView
    url: str
    plans: list[PlanView]
    national: models.NationalFramework | None
    now: object

    @property
    def jurisdictions(self) -> list[tuple[JurisdictionView, list[PlanView]]]:
        return _by_jurisdiction(self.plans, lambda p: p.jurisdiction_view)

    def line_url(self, row: LineRow) -> str:
        return compare_line_url(self.area.data.id, row.line.id)

    @property
    def rows(self) -> list[LineRow]:
        """Every line, national then local."""
        return self.comparison + self.local_comparison

    @derived
    def comparison(self) -> list[LineRow]:
        return [compare_line(ln, False, self.plans) for ln in self.national.actions] if self.national else []

    @derived
    def local_comparison(self) -> list[LineRow]:
        return [compare_line(ln, True, self.plans) for ln in self.national.local_lines] if self.national else []

    @derived
    def target_comparison(self) -> list[TargetRow]:
        if not self.national:
            return []
        return [TargetRow(t, [(p, [g for g in p.goals if any(x.id == t.id for x in g.targets)]) for p in self.plans],
                          status_of(t.date, self.now)) for t in self.national.targets]

    @derived
    def unmapped_actions(self) -> list[ActionView]:
        return [a for p in self.plans for a in p.actions if not a.national and not any(t.national for t in a.tasks)]

    @derived
    def shared_duties(self) -> list[list[TaskView]]:
        """Groups of the same duty that have a task in this area."""
        return shared_groups(self.plans)


@dataclass(eq=False)
class TimelineShare(QuarterEntries):
    """The deadlines of one quarter in one area, in date order."""

    year: int
    quarter: int
    area: JurisdictionView
    url: str
    entries: list[DeadlineView] = field(default_factory=list)


@dataclass(eq=False)
class TimelineQuarter:
    """One quarter of the timeline: its deadlines by area."""

    year: int
    quarter: int
    url: str
    now: object
    areas: dict[str, TimelineShare] = field(default_factory=dict)  # area id -> share, in tree order

    @property
    def anchor(self) -> str:
        return f"y{self.year}q{self.quarter}"

    @property
    def label(self) -> str:
        return f"{self.year}年{QUARTER_LABELS[self.quarter]}"

    @property
    def entries(self) -> list[DeadlineView]:
        return [d for a in self.areas.values() for d in a.entries]

    @property
    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUS_LABELS}
        for a in self.areas.values():
            for s, n in a.counts.items():
                out[s] += n
        return out

    @property
    def is_current(self) -> bool:
        return (self.year, self.quarter) == (self.now.year, (self.now.month - 1) // 3 + 1)


@dataclass(eq=False)
class RecurringShare:
    """The recurring duties of one area, by period."""

    area: JurisdictionView
    url: str
    entries: list[RecurrenceView] = field(default_factory=list)

    @derived
    def calendar(self) -> list[RecurrenceGroup]:
        return recurrence_calendar(self.entries)

    def group(self, key: str) -> RecurrenceGroup | None:
        return next((g for g in self.calendar if g.key == key), None)


@dataclass(eq=False)
class OngoingShare:
    """The ongoing and undated event-tied duties of one area, by plan."""

    area: JurisdictionView
    url: str
    plans: list[tuple[PlanView, list]] = field(default_factory=list)

    @property
    def items(self) -> list:
        return [x for _, items in self.plans for x in items]


def split_timeline(plans: list[PlanView], jurisdictions: dict[str, JurisdictionView],
                   now) -> tuple[list[TimelineQuarter], dict[str, RecurringShare], dict[str, OngoingShare]]:
    """The timeline by quarter and area, the recurring duties by area, and
    the undated (ongoing, event-tied) duties by area."""
    order = {jid: n for n, jid in enumerate(jurisdictions)}
    quarters: dict[tuple[int, int], TimelineQuarter] = {}
    recurring: dict[str, RecurringShare] = {}
    for d in sorted((d for p in plans if p.jurisdiction_view for d in p.deadlines), key=deadline_order):
        a = d.plan.jurisdiction_view.area
        q = quarters.setdefault((d.year, d.quarter), TimelineQuarter(d.year, d.quarter, timeline_quarter_url(d.year, d.quarter), now))
        q.areas.setdefault(a.data.id, TimelineShare(d.year, d.quarter, a, timeline_area_url(d.year, d.quarter, a.data.id))).entries.append(d)
    ongoing: dict[str, OngoingShare] = {}
    for p in plans:
        if p.jurisdiction_view is None:
            continue
        a = p.jurisdiction_view.area
        for r in p.recurrences:
            recurring.setdefault(a.data.id, RecurringShare(a, recurring_area_url(a.data.id))).entries.append(r)
        undated = p.ongoing + p.undated_events
        if undated:
            ongoing.setdefault(a.data.id, OngoingShare(a, ongoing_area_url(a.data.id))).plans.append((p, undated))
    for q in quarters.values():
        q.areas = dict(sorted(q.areas.items(), key=lambda kv: order[kv[0]]))

    def in_order(shares: dict) -> dict:
        return dict(sorted(shares.items(), key=lambda kv: order[kv[0]]))

    return [quarters[k] for k in sorted(quarters)], in_order(recurring), in_order(ongoing)


def split_by_area(plans: list[PlanView], departments: dict[str, DepartmentView], topics: dict[str, TopicView],
                  categories: dict[str, CategoryView], jurisdictions: dict[str, JurisdictionView],
                  national: models.NationalFramework | None, now) -> list[CompareArea]:
    """Fill each topic's and category's `areas` ({area id: share}, in tree
    order) and return the comparison's areas."""
    order = {jid: n for n, jid in enumerate(jurisdictions)}

    def area_of(j: JurisdictionView | None) -> JurisdictionView | None:
        return j.area if j is not None else None

    for topic in topics.values():
        for t in sorted(topic.tasks, key=task_order):
            a = area_of(t.plan.jurisdiction_view)
            if a is not None:
                topic.areas.setdefault(a.data.id, TopicArea(topic, a, topic_area_url(topic.data.id, a.data.id))).tasks.append(t)
        topic.areas = dict(sorted(topic.areas.items(), key=lambda kv: order[kv[0]]))
    for cat in categories.values():
        for d in cat.departments:
            a = area_of(d.jurisdiction_view)
            if a is not None:
                cat.areas.setdefault(a.data.id, CategoryArea(cat, a, category_area_url(cat.data.id, a.data.id))).departments.append(d)
        cat.areas = dict(sorted(cat.areas.items(), key=lambda kv: order[kv[0]]))
    compare: dict[str, list[PlanView]] = {}
    for p in plans:
        a = area_of(p.jurisdiction_view)
        if a is not None:
            compare.setdefault(a.data.id, []).append(p)
    return [CompareArea(jurisdictions[aid], compare_area_url(aid), ps, national, now)
            for aid, ps in sorted(compare.items(), key=lambda kv: order[kv[0]])]
