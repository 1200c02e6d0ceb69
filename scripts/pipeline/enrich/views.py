"""The views: one per authored object (plan, action, task, goal, section,
annex row, department, category, topic); those of deadlines, recurring,
ongoing and event-tied duties are in duties.py; jurisdictions and the plans
they implement in hierarchy.py.
Each holds its authored model as `.data` and the fields computed for it (see
the list at the top of scripts/pipeline/enrich/__init__.py); enrich() makes
them and links them to each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...model import models
from ...model.urls import DOWNLOAD_FORMATS, download_url
from .duties import KIND_LABELS, DeadlineView, EventView, OngoingView, RecurrenceView, _View  # noqa: F401 (views of time)
from .history import Change
from .reads import derived, summary
from .timeline import YearGroup, deadline_order, timeline

if TYPE_CHECKING:  # not run: hierarchy.py imports this module
    from .hierarchy import ImplementsView, JurisdictionView


@dataclass(eq=False, repr=False)
class TopicView(_View):
    data: models.Topic
    url: str
    tasks: list["TaskView"] = field(default_factory=list)
    areas: dict[str, Any] = field(default_factory=dict)  # area id -> TopicArea (areas.py), in tree order

    @property
    def groups(self) -> list[tuple["PlanView", list[tuple["ActionView", list["TaskView"]]]]]:
        return group_tasks(self.tasks)

    @property
    def plans(self) -> list["PlanView"]:
        return [p for p, _ in self.groups]

    @summary
    def task_count(self) -> int:
        return len(self.tasks)

    @summary
    def plan_count(self) -> int:
        return len({id(t.plan) for t in self.tasks})


@dataclass(eq=False, repr=False)
class CategoryView(_View):
    data: models.Category
    url: str
    departments: list["DepartmentView"] = field(default_factory=list)
    areas: dict[str, Any] = field(default_factory=dict)  # area id -> CategoryArea (areas.py), in tree order

    @property
    def jurisdictions(self) -> list[tuple[models.Jurisdiction, list["DepartmentView"]]]:
        out: dict[str, tuple[models.Jurisdiction, list[DepartmentView]]] = {}
        for d in self.departments:
            out.setdefault(d.jurisdiction.id, (d.jurisdiction, []))[1].append(d)
        return list(out.values())

    @summary
    def task_count(self) -> int:
        return len({id(t) for d in self.departments for t in d.lead_tasks + d.support_tasks})


@dataclass(eq=False, repr=False)
class DepartmentView(_View):
    data: models.Department
    jurisdiction: models.Jurisdiction
    url: str
    category: CategoryView | None = None
    lead_tasks: list["TaskView"] = field(default_factory=list)
    support_tasks: list["TaskView"] = field(default_factory=list)
    annex_rows: list["AnnexRowView"] = field(default_factory=list)
    roles: list[tuple["PlanView", models.Body, models.Member]] = field(default_factory=list)
    named_in: list["PlanView"] = field(default_factory=list)
    jurisdiction_view: "JurisdictionView | None" = None

    @property
    def display(self) -> str:
        """The name as the plans print it (its first short name), for lists
        inside one jurisdiction."""
        return self.data.short[0] if self.data.short else self.data.name

    @property
    def label(self) -> str:
        """Jurisdiction and name, for lists across jurisdictions."""
        return f"{self.jurisdiction.name}·{self.display}"

    @property
    def lead_groups(self):
        return group_tasks(self.lead_tasks)

    @property
    def support_groups(self):
        return group_tasks(self.support_tasks)

    @property
    def tasks(self) -> list["TaskView"]:
        """Every task it leads or supports, in plan order, each once."""
        seen = {id(t): t for t in self.lead_tasks + self.support_tasks}
        return sorted(seen.values(), key=task_order)

    def role_in(self, task: "TaskView") -> str:
        return "牵头" if task in self.lead_tasks else "配合"

    @property
    def deadlines(self) -> list[DeadlineView]:
        """Deadlines of the tasks it leads or supports and of the annex rows
        that name it (unless a restated task carries the same date)."""
        seen: dict[int, DeadlineView] = {}
        for t in self.tasks:
            for d in t.deadlines:
                seen[id(d)] = d
            for e in t.events:
                if e.dated:
                    seen[id(e)] = e
        for r in self.annex_rows:
            if r.due and not r.due_is_duplicate:
                seen[id(r.due)] = r.due
        return sorted(seen.values(), key=deadline_order)

    @property
    def open_deadlines(self) -> list[DeadlineView]:
        return [d for d in self.deadlines if d.status != "past"]

    @property
    def recurrences(self) -> list[RecurrenceView]:
        return [r for t in self.tasks for r in t.recurrence]

    @property
    def ongoing(self) -> list[OngoingView]:
        return [o for t in self.tasks for o in t.ongoing]

    @property
    def undated_events(self) -> list[EventView]:
        return [e for t in self.tasks for e in t.events if not e.dated]

    @property
    def downloads(self) -> dict[str, str]:
        return {fmt: download_url("departments", self.data.id, fmt) for fmt in DOWNLOAD_FORMATS}

    @property
    def is_named(self) -> bool:
        """Named anywhere in a plan (task, annex row or organisation)."""
        return bool(self.lead_tasks or self.support_tasks or self.annex_rows or self.roles)


@dataclass(eq=False, repr=False)
class TaskView(_View):
    data: models.Task
    plan: "PlanView"
    action: "ActionView"
    url: str
    anchor: str
    lead: list[DepartmentView] = field(default_factory=list)
    support: list[DepartmentView] = field(default_factory=list)
    topics: list[TopicView] = field(default_factory=list)
    national: list[models.Line] = field(default_factory=list)
    deadlines: list[DeadlineView] = field(default_factory=list)
    recurrence: list[RecurrenceView] = field(default_factory=list)
    ongoing: list[OngoingView] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)
    annex_rows: list["AnnexRowView"] = field(default_factory=list)
    scope_notes: list[models.ScopeNote] = field(default_factory=list)  # the notes that govern it
    same_duty: list["TaskView"] = field(default_factory=list)
    same_duty_why: dict[str, str] = field(default_factory=dict)
    progress: Any = None  # progress.Progress: its reports and state

    kind = "task"

    @property
    def printed_number(self) -> str:
        """The number as the plan prints it: `number_text` (（一）) or `N.`."""
        return self.data.number_text or f"{self.data.number}."

    @property
    def label(self) -> str:
        return f"第{self.data.number}项 {self.data.title}"

    @property
    def citation(self) -> str:
        p = self.plan.data
        parts = [p.title]
        if p.doc_number:
            parts.append(p.doc_number)
        parts.append(f"{self.action.data.number}{self.action.data.title}")
        parts.append(f"第{self.data.number}项 {self.data.title}")
        return " · ".join(parts)


@dataclass(eq=False, repr=False)
class ActionView(_View):
    data: models.Action
    plan: "PlanView"
    url: str
    anchor: str
    part: models.Part | None = None
    tasks: list[TaskView] = field(default_factory=list)
    national: list[models.Line] = field(default_factory=list)
    order: int = 0  # position in the plan, for sorting


@dataclass(eq=False, repr=False)
class GoalView(_View):
    data: models.Goal
    plan: "PlanView"
    url: str
    anchor: str
    deadlines: list[DeadlineView] = field(default_factory=list)
    targets: list[models.Target] = field(default_factory=list)
    inferred: bool = False  # targets found by wording, not authored

    kind = "goal"

    @property
    def label(self) -> str:
        return f"工作目标：{self.data.text}"


@dataclass(eq=False, repr=False)
class SectionView(_View):
    data: models.Section
    plan: "PlanView"
    url: str
    anchor: str
    deadlines: list[DeadlineView] = field(default_factory=list)
    recurrence: list[RecurrenceView] = field(default_factory=list)
    ongoing: list[OngoingView] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)

    kind = "section"

    @property
    def label(self) -> str:
        s = self.data
        return f"{s.kind}：{s.number or ''}{s.title or ''}".rstrip("：")


@dataclass(eq=False, repr=False)
class AnnexRowView(_View):
    data: models.AnnexRow
    annex: models.Annex
    plan: "PlanView"
    url: str
    lead: list[DepartmentView] = field(default_factory=list)
    support: list[DepartmentView] = field(default_factory=list)
    restates: list[TaskView] = field(default_factory=list)
    restates_other: list[GoalView | SectionView] = field(default_factory=list)
    due: DeadlineView | None = None
    due_is_duplicate: bool = False  # a restated task already carries this date
    progress: Any = None  # progress.Progress: its reports and state

    kind = "annex"

    @property
    def anchor(self) -> str:
        return f"{self.annex.id}-{self.data.number}"

    @property
    def label(self) -> str:
        what = self.data.item or self.data.task or self.data.category or ""
        return f"附件第{self.data.number}项 {what}".strip()


@dataclass(eq=False, repr=False)
class PlanView(_View):
    data: models.Plan
    url: str
    jurisdiction: models.Jurisdiction | None
    actions: list[ActionView] = field(default_factory=list)
    annex_rows: dict[str, list[AnnexRowView]] = field(default_factory=dict)
    goals: list[GoalView] = field(default_factory=list)
    sections: list[SectionView] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def tasks(self) -> list[TaskView]:
        return [t for a in self.actions for t in a.tasks]

    @derived
    def by_line(self) -> dict[str, list[tuple[ActionView, list[TaskView]]]]:
        """Line of action (national or local) id -> the actions that restate
        it, in plan order, each with its tasks that do (a task restates the
        lines it names, else its action's): what the comparison shows of the
        plan, found in one pass instead of once per line."""
        out: dict[str, list[tuple[ActionView, list[TaskView]]]] = {}
        for a in self.actions:
            tasks: dict[str, list[TaskView]] = {n.id: [] for n in a.national}  # the action's own: even with no task
            for t in a.tasks:
                for line in dict.fromkeys(n.id for n in t.national):
                    tasks.setdefault(line, []).append(t)
            for line, named in tasks.items():
                out.setdefault(line, []).append((a, named))
        return out

    @property
    def goal_deadlines(self) -> list[DeadlineView]:
        return [d for g in self.goals for d in g.deadlines]

    @property
    def section_deadlines(self) -> list[DeadlineView]:
        return [d for s in self.sections for d in s.deadlines]

    @property
    def section_recurrence(self) -> list[RecurrenceView]:
        return [r for s in self.sections for r in s.recurrence]

    @property
    def annex_deadlines(self) -> list[DeadlineView]:
        return [r.due for rows in self.annex_rows.values() for r in rows if r.due and not r.due_is_duplicate]

    @property
    def events(self) -> list[EventView]:
        """Every event-tied timing of its tasks and sections."""
        return [e for x in [*self.tasks, *self.sections] for e in x.events]

    @property
    def undated_events(self) -> list[EventView]:
        return [e for e in self.events if not e.dated]

    @property
    def deadlines(self) -> list[DeadlineView]:
        """Its dates: of tasks, goals, sections, annex rows (unless a restated
        task carries the same date) and events an editor dated."""
        ds = [d for t in self.tasks for d in t.deadlines] + self.goal_deadlines + self.section_deadlines
        ds += [e for e in self.events if e.dated]
        return sorted(ds + self.annex_deadlines, key=deadline_order)

    @property
    def recurrences(self) -> list[RecurrenceView]:
        return [r for t in self.tasks for r in t.recurrence] + self.section_recurrence

    @property
    def ongoing(self) -> list[OngoingView]:
        return [o for x in [*self.tasks, *self.sections] for o in x.ongoing]

    @property
    def timeline(self) -> list["YearGroup"]:
        return timeline(self.deadlines, self.now)

    @property
    def departments(self) -> list[DepartmentView]:
        """Every department named in the plan (tasks, annex rows, organisation)."""
        seen: dict[str, DepartmentView] = {}
        for t in self.tasks:
            for d in t.lead + t.support:
                seen.setdefault(d.data.id, d)
        for rows in self.annex_rows.values():
            for r in rows:
                for d in r.lead + r.support:
                    seen.setdefault(d.data.id, d)
        for d in self.role_departments:
            seen.setdefault(d.data.id, d)
        return list(seen.values())

    @property
    def downloads(self) -> dict[str, str]:
        return {fmt: download_url("plans", self.data.id, fmt) for fmt in DOWNLOAD_FORMATS}

    @property
    def jurisdiction_path(self) -> list[str]:
        """Ids of its jurisdiction and those above it, from the top down."""
        return [j.data.id for j in self.jurisdiction_view.path] if self.jurisdiction_view else [self.data.jurisdiction]

    # set by enrich()
    order: int = 0  # position among the plans, for sorting
    now: dt.date = dt.date.min
    role_departments: list[DepartmentView] = field(default_factory=list)
    jurisdiction_view: "JurisdictionView | None" = None
    implements: list["ImplementsView"] = field(default_factory=list)
    implemented_by: list["PlanView"] = field(default_factory=list)  # plans on the site that implement it


def task_order(t: TaskView) -> tuple:
    return (t.plan.order, t.action.order, t.data.number, t.data.id)


def group_tasks(tasks: list[TaskView]) -> list[tuple[PlanView, list[tuple[ActionView, list[TaskView]]]]]:
    """Tasks grouped by plan, then by action, in the plans' own order."""
    by_plan: dict[int, tuple[PlanView, dict[int, tuple[ActionView, list[TaskView]]]]] = {}
    for t in sorted({id(x): x for x in tasks}.values(), key=task_order):
        _, actions = by_plan.setdefault(id(t.plan), (t.plan, {}))
        actions.setdefault(id(t.action), (t.action, []))[1].append(t)
    return [(p, list(actions.values())) for p, actions in by_plan.values()]
