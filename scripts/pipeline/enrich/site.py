"""The Site: everything the templates need, computed once, and the
site-wide lists (deadlines, the timeline, the comparison with the national
plan, the same duties across plans).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ...model import models
from ...model.jurisdictions import Hierarchy
from .areas import CompareArea, OngoingShare, RecurringShare, TimelineQuarter
from .comparison import LineRow, TargetRow, compare_line
from .hierarchy import JurisdictionView
from .reads import derived, summary
from .same_duty import shared_groups
from .timeline import RecurrenceGroup, YearGroup, deadline_order, recurrence_calendar, status_of, timeline
from .views import (ActionView, CategoryView, DeadlineView, DepartmentView, EventView, OngoingView, PlanView, RecurrenceView,
                    TaskView, TopicView, task_order)


@dataclass(repr=False)
class Site:
    """Everything the templates need, computed once."""

    def __repr__(self) -> str:
        return f"<Site now={self.now} plans={len(self.plans)} tasks={len(self.tasks)}>"

    now: dt.date
    plans: list[PlanView]
    departments: dict[str, DepartmentView]
    categories: dict[str, CategoryView]
    topics: dict[str, TopicView]
    tasks: dict[str, TaskView]
    national: models.NationalFramework | None
    synonyms: list[list[str]]
    jurisdiction_views: dict[str, JurisdictionView] = field(default_factory=dict)  # in tree order
    hierarchy: Hierarchy = field(default_factory=lambda: Hierarchy([]))
    compare_areas: list[CompareArea] = field(default_factory=list)  # the comparison, one page per area
    registered: list[str] = field(default_factory=list)  # data/addresses.txt: what split pages keep
    timeline_quarters: list[TimelineQuarter] = field(default_factory=list)  # by quarter, each by area
    recurring_areas: dict[str, RecurringShare] = field(default_factory=dict)  # area id -> its recurring duties
    ongoing_areas: dict[str, OngoingShare] = field(default_factory=dict)  # area id -> its undated duties
    boards: dict[str, Any] = field(default_factory=dict)  # jurisdiction id -> boards.Board (挂图作战)
    reports: list[Any] = field(default_factory=list)  # every progress report (progress.ReportView), newest first

    def timeline_quarter(self, year: int, quarter: int) -> TimelineQuarter | None:
        return next((q for q in self.timeline_quarters if (q.year, q.quarter) == (year, quarter)), None)

    @property
    def roots(self) -> list[JurisdictionView]:
        """The tops of the hierarchy."""
        return [self.jurisdiction_views[r] for r in self.hierarchy.roots()]

    @derived  # read by several site-wide pages, several times each
    def deadlines(self) -> list[DeadlineView]:
        return sorted((d for p in self.plans for d in p.deadlines), key=deadline_order)

    @property
    def recurrences(self) -> list[RecurrenceView]:
        return [r for p in self.plans for r in p.recurrences]

    @property
    def ongoing(self) -> list[OngoingView]:
        return [o for p in self.plans for o in p.ongoing]

    @property
    def undated_events(self) -> list[EventView]:
        return [e for p in self.plans for e in p.undated_events]

    @property
    def timeline(self) -> list[YearGroup]:
        return timeline(self.deadlines, self.now)

    @derived
    def recurrence_calendar(self) -> list[RecurrenceGroup]:
        return recurrence_calendar(self.recurrences)

    @property
    def recurrence_month_totals(self) -> list[tuple[int, int]]:
        """(month, how many recurring duties fall due in it) for months 1–12."""
        calendar = self.recurrence_calendar
        return [(mo, sum(g.due_in(mo) for g in calendar)) for mo in range(1, 13)]

    def recent_plans(self, n: int = 20) -> list[PlanView]:
        """The `n` plans issued last (those with an issue date), newest first."""
        dated = [p for p in self.plans if p.data.issued]
        return sorted(dated, key=lambda p: (p.data.issued, p.data.id), reverse=True)[:n]

    def timeline_of(self, deadlines: list[DeadlineView]) -> list[YearGroup]:
        return timeline(deadlines, self.now)

    def upcoming(self, n: int = 10) -> list[DeadlineView]:
        """The next `n` deadlines not yet past (all of those due on the last
        date shown, so that a cut never hides a deadline of the same day)."""
        ahead = [d for d in self.deadlines if d.status != "past"]
        if len(ahead) <= n:
            return ahead
        last = ahead[n - 1].date
        return [d for d in ahead if d.date <= last]

    @property
    def open_deadlines(self) -> list[DeadlineView]:
        return [d for d in self.deadlines if d.status != "past"]

    @property
    def soon_deadlines(self) -> list[DeadlineView]:
        return [d for d in self.deadlines if d.status == "soon"]

    @property
    def jurisdictions(self) -> list[tuple[models.Jurisdiction, list[DepartmentView]]]:
        out: dict[str, tuple[models.Jurisdiction, list[DepartmentView]]] = {}
        for d in self.departments.values():
            out.setdefault(d.jurisdiction.id, (d.jurisdiction, []))[1].append(d)
        return list(out.values())

    @derived
    def comparison(self) -> list[LineRow]:
        """The national lines of action, each against every plan."""
        if not self.national:
            return []
        return [compare_line(ln, False, self.plans) for ln in self.national.actions]

    @derived
    def local_comparison(self) -> list[LineRow]:
        """The lines local plans add, each against every plan."""
        if not self.national:
            return []
        return [compare_line(ln, True, self.plans) for ln in self.national.local_lines]

    @derived
    def target_comparison(self) -> list[TargetRow]:
        if not self.national:
            return []
        rows = []
        for t in self.national.targets:
            cells = [(p, [g for g in p.goals if any(x.id == t.id for x in g.targets)]) for p in self.plans]
            rows.append(TargetRow(t, cells, status_of(t.date, self.now)))
        return rows

    @property
    def unmapped_actions(self) -> list[ActionView]:
        """Actions that restate no line, national or local."""
        return [a for p in self.plans for a in p.actions if not a.national and not any(t.national for t in a.tasks)]

    @derived
    def shared_duties(self) -> list[list[TaskView]]:
        """Groups of tasks linked as the same duty (connected through
        same_duty), largest first."""
        return shared_groups(self.plans)

    @property
    def named_departments(self) -> list[DepartmentView]:
        return [d for d in self.departments.values() if d.is_named]

    @summary
    def named_department_count(self) -> int:
        return sum(1 for d in self.departments.values() if d.is_named)
