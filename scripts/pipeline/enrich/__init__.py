"""Stage 3, enrich: computed fields, in one place.

Authored data stays in the pydantic models, reachable as `.data` on every view
below; everything else on a view is computed here and nowhere else:

  every view     url          address relative to the site root (from ids only)
                 anchor       fragment id on its page (tasks, actions, goals,
                              sections, deadlines)
  PlanView       tasks, deadlines (tasks, goals, sections and annex rows whose
                 date no restated task already carries), goal_deadlines,
                 section_deadlines, annex_deadlines, recurrences (flattened),
                 section_recurrence, jurisdiction, goals (GoalViews),
                 sections (SectionViews), departments (named anywhere in it),
                 timeline (by year and quarter), downloads, order,
                 changes (git history of its file: date and commit subject)
  ActionView     part, tasks, national lines (authored), order
  TaskView       label, citation, lead, support (DepartmentViews; lead adds
                 the plan's every_task_lead), topics,
                 national lines (its own, else its action's less those
                 siblings name for themselves), annex_rows (that restate it),
                 deadlines (DeadlineViews), recurrence (RecurrenceViews),
                 same_duty (tasks of other plans with the same duty) and
                 same_duty_why (the shared words, per other task id)
  GoalView       label, deadlines, targets (national targets it restates,
                 authored or found by wording; `inferred` tells which)
  SectionView    label, deadlines, recurrence
  AnnexRowView   label, lead, support, restates (tasks), restates_other
                 (goals and sections), due, due_is_duplicate
  DeadlineView   status: past | soon (from NOW to SOON_DAYS after it,
                 inclusive) | later, status_label (words, never colour
                 alone), year, quarter, kind, kind_label, label, url, anchor,
                 timeline_url, lead, support
  RecurrenceView label, every_label, kind, kind_label, title, url, anchor,
                 calendar_url,
                 lead, support, months (the months a duty falls due in),
                 first_due, until, rrule (RFC 5545 rule parts for ICS files)
  DepartmentView display, label, lead_tasks, support_tasks, tasks, role_in,
                 lead_groups, support_groups (by plan and action),
                 annex_rows, roles, deadlines, open_deadlines, recurrences,
                 downloads, is_named
  CategoryView   departments, jurisdictions, task_count
  TopicView      tasks, groups (by plan and action), plans
  Site           deadlines, open_deadlines, soon_deadlines, recurrences,
                 timeline, timeline_of, upcoming, recurrence_calendar,
                 recurrence_month_totals, jurisdictions, named_departments,
                 comparison and local_comparison (lines against plans),
                 target_comparison, unmapped_actions, shared_duties
  groupings      group_tasks, timeline (YearGroup > QuarterGroup),
                 recurrence_calendar (RecurrenceGroup), compare_line
                 (LineRow > PlanCell), TargetRow, infer_targets

"Today" is `dates.today()`, which honours NOW=YYYY-MM-DD.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from . import models
from .dates import today
from .history import Change, histories
from .validate import Corpus

SOON_DAYS = 90
STATUS_LABELS = {"past": "已到期", "soon": "90天内到期", "later": "未到期"}
EVERY_LABELS = {"month": "每月", "quarter": "每季度", "half-year": "每半年", "year": "每年"}
EVERY_ORDER = ["month", "quarter", "half-year", "year"]
EVERY_MONTHS = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}
QUARTER_LABELS = {1: "第一季度（1—3月）", 2: "第二季度（4—6月）", 3: "第三季度（7—9月）", 4: "第四季度（10—12月）"}
KIND_LABELS = {"task": "任务", "goal": "工作目标", "section": "工作要求", "annex": "任务清单"}
DOWNLOAD_FORMATS = ("csv", "xlsx", "ics")


# --------------------------------------------------------------------------- #
# Addresses: derived from ids only
# --------------------------------------------------------------------------- #


def plan_url(plan_id: str) -> str:
    return f"plans/{plan_id}/"


def department_url(dep_id: str) -> str:
    return f"departments/{dep_id}/"


def category_url(cat_id: str) -> str:
    return f"departments/categories/{cat_id}/"


def topic_url(topic_id: str) -> str:
    return f"topics/{topic_id}/"


PLANS_URL = "plans/"
DEPARTMENTS_URL = "departments/"
CATEGORIES_URL = "departments/categories/"
TOPICS_URL = "topics/"
TIMELINE_URL = "timeline/"
RECURRING_URL = "timeline/recurring/"
COMPARE_URL = "compare/"
DATA_URL = "data/"


def compare_url(line_id: str) -> str:
    return f"{COMPARE_URL}#{line_id}"


def download_url(kind: str, ident: str, fmt: str) -> str:
    """downloads/plans/<id>.csv, downloads/departments/<id>.ics …"""
    return f"downloads/{kind}/{ident}.{fmt}"


def quarter_anchor(year: int, quarter: int) -> str:
    return f"y{year}q{quarter}"


# --------------------------------------------------------------------------- #
# Views
# --------------------------------------------------------------------------- #


class _View:
    """Views point at each other (a task at its departments, a department at
    its tasks …): a short repr keeps tracebacks and test reports readable."""

    def __repr__(self) -> str:
        data = getattr(self, "data", None)
        ident = getattr(data, "id", None) or getattr(data, "text", None) or getattr(data, "number", "")
        return f"<{type(self).__name__} {ident}>"


class _Owned(_View):
    """A deadline or recurring duty: what it is, where it links and who owes
    it come from the task, goal, section or annex row that states it."""

    @property
    def kind(self) -> str:
        return self.owner.kind

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.owner.kind]

    @property
    def url(self) -> str:
        return self.owner.url

    @property
    def lead(self) -> list["DepartmentView"]:
        return getattr(self.owner, "lead", [])

    @property
    def support(self) -> list["DepartmentView"]:
        return getattr(self.owner, "support", [])


@dataclass(eq=False, repr=False)
class DeadlineView(_Owned):
    data: models.Deadline
    owner: Any  # TaskView, GoalView, SectionView or AnnexRowView
    plan: "PlanView"
    status: str = "later"
    index: int = 1  # 1-based position among the owner's deadlines

    @property
    def date(self) -> dt.date:
        return self.data.date

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def year(self) -> int:
        return self.data.date.year

    @property
    def quarter(self) -> int:
        return (self.data.date.month - 1) // 3 + 1

    @property
    def label(self) -> str:
        return self.owner.label

    @property
    def anchor(self) -> str:
        """Fragment id of this deadline on the timelines (unique site-wide)."""
        return f"due-{self.owner.anchor}-{self.index}"

    @property
    def timeline_url(self) -> str:
        return f"{TIMELINE_URL}#{self.anchor}"


@dataclass(eq=False, repr=False)
class RecurrenceView(_Owned):
    data: models.Recurrence
    owner: Any  # TaskView or SectionView
    plan: "PlanView"
    index: int = 1

    @property
    def every_label(self) -> str:
        return EVERY_LABELS[self.data.every]

    @property
    def label(self) -> str:
        r = self.data
        s = EVERY_LABELS[r.every]
        if r.day:
            s += f"{r.day}日前"
        return s + f"至少{r.min_count}次"

    @property
    def title(self) -> str:
        return self.owner.label

    @property
    def anchor(self) -> str:
        return f"every-{self.owner.anchor}-{self.index}"

    @property
    def calendar_url(self) -> str:
        """Its period's section of the recurring-duty calendar."""
        return f"{RECURRING_URL}#every-{self.data.every}"

    @property
    def months(self) -> list[int]:
        """The months of a year in which the duty falls due (the last month of
        each period): every month; Mar, Jun, Sep, Dec; Jun, Dec; Dec."""
        step = EVERY_MONTHS[self.data.every]
        return list(range(step, 13, step))

    def _due_in(self, year: int, month: int) -> dt.date:
        last = calendar.monthrange(year, month)[1]
        return dt.date(year, month, min(self.data.day, last) if self.data.day else last)

    @property
    def first_due(self) -> dt.date:
        """The first date the duty falls due within the plan's period: the end
        of the first period (or its `day` in the period's last month) on or
        after the later of 1 January of the first year and the issue date."""
        p = self.plan.data
        start = dt.date(p.period.start, 1, 1)
        if p.issued and p.issued > start and p.issued.year <= p.period.end:
            start = p.issued
        for month in self.months:
            due = self._due_in(start.year, month)
            if due >= start:
                return due
        return self._due_in(start.year + 1, self.months[0])

    @property
    def until(self) -> dt.date:
        return dt.date(self.plan.data.period.end, 12, 31)

    @property
    def rrule(self) -> dict[str, Any]:
        """RFC 5545 RRULE parts (for the ICS downloads): due at the end of
        every period, or on `day` of the period's last month, until the end
        of the plan's period."""
        r = self.data
        rule: dict[str, Any] = {"freq": "monthly" if r.every != "year" else "yearly"}
        if r.every in ("quarter", "half-year"):
            rule["interval"] = EVERY_MONTHS[r.every]
        if r.every == "year":
            rule["bymonth"] = 12
        rule["bymonthday"] = r.day if r.day else -1
        rule["until"] = self.until
        return rule


@dataclass(eq=False, repr=False)
class TopicView(_View):
    data: models.Topic
    url: str
    tasks: list["TaskView"] = field(default_factory=list)

    @property
    def groups(self) -> list[tuple["PlanView", list[tuple["ActionView", list["TaskView"]]]]]:
        return group_tasks(self.tasks)

    @property
    def plans(self) -> list["PlanView"]:
        return [p for p, _ in self.groups]


@dataclass(eq=False, repr=False)
class CategoryView(_View):
    data: models.Category
    url: str
    departments: list["DepartmentView"] = field(default_factory=list)

    @property
    def jurisdictions(self) -> list[tuple[models.Jurisdiction, list["DepartmentView"]]]:
        out: dict[str, tuple[models.Jurisdiction, list[DepartmentView]]] = {}
        for d in self.departments:
            out.setdefault(d.jurisdiction.id, (d.jurisdiction, []))[1].append(d)
        return list(out.values())

    @property
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
        return sorted(seen.values(), key=_task_order)

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
        for r in self.annex_rows:
            if r.due and not r.due_is_duplicate:
                seen[id(r.due)] = r.due
        return sorted(seen.values(), key=_deadline_order)

    @property
    def open_deadlines(self) -> list[DeadlineView]:
        return [d for d in self.deadlines if d.status != "past"]

    @property
    def recurrences(self) -> list[RecurrenceView]:
        return [r for t in self.tasks for r in t.recurrence]

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
    annex_rows: list["AnnexRowView"] = field(default_factory=list)
    same_duty: list["TaskView"] = field(default_factory=list)
    same_duty_why: dict[str, str] = field(default_factory=dict)

    kind = "task"

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
    def deadlines(self) -> list[DeadlineView]:
        ds = [d for t in self.tasks for d in t.deadlines] + self.goal_deadlines + self.section_deadlines
        return sorted(ds + self.annex_deadlines, key=_deadline_order)

    @property
    def recurrences(self) -> list[RecurrenceView]:
        return [r for t in self.tasks for r in t.recurrence] + self.section_recurrence

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

    # set by enrich()
    order: int = 0  # position among the plans, for sorting
    now: dt.date = dt.date.min
    role_departments: list[DepartmentView] = field(default_factory=list)


# --------------------------------------------------------------------------- #
# Groupings
# --------------------------------------------------------------------------- #


def _task_order(t: TaskView) -> tuple:
    return (t.plan.order, t.action.order, t.data.number, t.data.id)


def _deadline_order(d: DeadlineView) -> tuple:
    return (d.date, d.plan.data.id, d.anchor)


def group_tasks(tasks: list[TaskView]) -> list[tuple[PlanView, list[tuple[ActionView, list[TaskView]]]]]:
    """Tasks grouped by plan, then by action, in the plans' own order."""
    by_plan: dict[int, tuple[PlanView, dict[int, tuple[ActionView, list[TaskView]]]]] = {}
    for t in sorted({id(x): x for x in tasks}.values(), key=_task_order):
        _, actions = by_plan.setdefault(id(t.plan), (t.plan, {}))
        actions.setdefault(id(t.action), (t.action, []))[1].append(t)
    return [(p, list(actions.values())) for p, actions in by_plan.values()]


@dataclass
class QuarterGroup:
    year: int
    quarter: int
    entries: list[DeadlineView]
    now: dt.date

    @property
    def anchor(self) -> str:
        return quarter_anchor(self.year, self.quarter)

    @property
    def label(self) -> str:
        return f"{self.year}年{QUARTER_LABELS[self.quarter]}"

    @property
    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUS_LABELS}
        for d in self.entries:
            out[d.status] += 1
        return out

    @property
    def is_current(self) -> bool:
        return (self.year, self.quarter) == (self.now.year, (self.now.month - 1) // 3 + 1)

    @property
    def open(self) -> bool:
        """Shown unfolded: the current quarter and any quarter with deadlines
        due within SOON_DAYS."""
        return self.is_current or self.counts["soon"] > 0


@dataclass
class YearGroup:
    year: int
    quarters: list[QuarterGroup]
    now: dt.date

    @property
    def anchor(self) -> str:
        return f"y{self.year}"

    @property
    def entries(self) -> list[DeadlineView]:
        return [d for q in self.quarters for d in q.entries]

    @property
    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUS_LABELS}
        for q in self.quarters:
            for s, n in q.counts.items():
                out[s] += n
        return out

    @property
    def open(self) -> bool:
        return self.year == self.now.year or any(q.open for q in self.quarters)

    def quarter(self, q: int) -> QuarterGroup | None:
        return next((x for x in self.quarters if x.quarter == q), None)


def timeline(deadlines: list[DeadlineView], now: dt.date) -> list[YearGroup]:
    """Deadlines grouped by year, then quarter, in date order; only the
    quarters that have deadlines appear."""
    by: dict[int, dict[int, list[DeadlineView]]] = defaultdict(lambda: defaultdict(list))
    for d in sorted(deadlines, key=_deadline_order):
        by[d.year][d.quarter].append(d)
    return [
        YearGroup(y, [QuarterGroup(y, q, by[y][q], now) for q in sorted(by[y])], now)
        for y in sorted(by)
    ]


@dataclass
class RecurrenceGroup:
    every: str
    entries: list[RecurrenceView]

    @property
    def label(self) -> str:
        return EVERY_LABELS[self.every]

    @property
    def anchor(self) -> str:
        return f"every-{self.every}"

    @property
    def months(self) -> list[int]:
        step = EVERY_MONTHS[self.every]
        return list(range(step, 13, step))

    @property
    def plans(self) -> list[tuple["PlanView", list[RecurrenceView]]]:
        out: dict[int, tuple[PlanView, list[RecurrenceView]]] = {}
        for r in self.entries:
            out.setdefault(id(r.plan), (r.plan, []))[1].append(r)
        return sorted(out.values(), key=lambda x: x[0].order)


def recurrence_calendar(recurrences: list[RecurrenceView]) -> list[RecurrenceGroup]:
    """Recurring duties by period (month, quarter, half-year, year)."""
    by: dict[str, list[RecurrenceView]] = defaultdict(list)
    for r in recurrences:
        by[r.data.every].append(r)
    return [RecurrenceGroup(e, by[e]) for e in EVERY_ORDER if by[e]]


# --------------------------------------------------------------------------- #
# Plans side by side
# --------------------------------------------------------------------------- #


@dataclass
class PlanCell:
    """What one plan says under one line of action."""

    plan: PlanView
    actions: list[tuple[ActionView, list[TaskView]]]

    @property
    def none(self) -> bool:
        return not self.actions

    @property
    def task_count(self) -> int:
        return sum(len(ts) for _, ts in self.actions)


@dataclass
class LineRow:
    line: models.Line
    local: bool
    cells: list[PlanCell]

    @property
    def anchor(self) -> str:
        return self.line.id

    @property
    def missing(self) -> list[PlanView]:
        return [c.plan for c in self.cells if c.none]

    @property
    def present(self) -> list[PlanCell]:
        return [c for c in self.cells if not c.none]


@dataclass
class TargetRow:
    target: models.Target
    cells: list[tuple[PlanView, list[GoalView]]]
    status: str

    @property
    def anchor(self) -> str:
        return self.target.id

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def missing(self) -> list[PlanView]:
        return [p for p, goals in self.cells if not goals]


def compare_line(line: models.Line, local: bool, plans: list[PlanView]) -> LineRow:
    """For each plan: the actions that restate the line, each with its tasks
    that do (a task restates the lines it names, else its action's)."""
    cells = []
    for p in plans:
        found = []
        for a in p.actions:
            tasks = [t for t in a.tasks if any(n.id == line.id for n in t.national)]
            if tasks or any(n.id == line.id for n in a.national):
                found.append((a, tasks))
        cells.append(PlanCell(p, found))
    return LineRow(line, local, cells)


_TARGET_MATCH = 0.5  # share of a target's character pairs found in a goal's text


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)}


def _strip_date(s: str) -> str:
    return re.sub(r"\d{4}年(?:底|年底)?(?:前|以前|之前)?", "", s, count=1)


def infer_targets(goal: models.Goal, targets: list[models.Target]) -> list[models.Target]:
    """National targets a goal restates by its wording: a deadline in the
    target's year, and at least half of the target's character pairs (its
    date words aside) in the goal's text."""
    text = _norm(goal.text)
    years = {d.date.year for d in goal.deadlines}
    out = []
    for t in targets:
        if t.date.year not in years:
            continue
        grams = _bigrams(_norm(_strip_date(t.text)))
        if grams and len(grams & _bigrams(text)) / len(grams) >= _TARGET_MATCH:
            out.append(t)
    return out


# --------------------------------------------------------------------------- #
# The site
# --------------------------------------------------------------------------- #


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

    @property
    def deadlines(self) -> list[DeadlineView]:
        return sorted((d for p in self.plans for d in p.deadlines), key=_deadline_order)

    @property
    def recurrences(self) -> list[RecurrenceView]:
        return [r for p in self.plans for r in p.recurrences]

    @property
    def timeline(self) -> list[YearGroup]:
        return timeline(self.deadlines, self.now)

    @property
    def recurrence_calendar(self) -> list[RecurrenceGroup]:
        return recurrence_calendar(self.recurrences)

    @property
    def recurrence_month_totals(self) -> list[tuple[int, int]]:
        """(month, how many recurring duties fall due in it) for months 1–12."""
        return [(mo, sum(len(g.entries) for g in self.recurrence_calendar if mo in g.months)) for mo in range(1, 13)]

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

    @property
    def comparison(self) -> list[LineRow]:
        """The national lines of action, each against every plan."""
        if not self.national:
            return []
        return [compare_line(ln, False, self.plans) for ln in self.national.actions]

    @property
    def local_comparison(self) -> list[LineRow]:
        """The lines local plans add, each against every plan."""
        if not self.national:
            return []
        return [compare_line(ln, True, self.plans) for ln in self.national.local_lines]

    @property
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

    @property
    def shared_duties(self) -> list[list[TaskView]]:
        """Groups of tasks linked as the same duty (connected through
        same_duty), largest first."""
        seen: set[int] = set()
        groups = []
        for p in self.plans:
            for t in p.tasks:
                if id(t) in seen or not t.same_duty:
                    continue
                group, todo = [], [t]
                while todo:
                    x = todo.pop()
                    if id(x) in seen:
                        continue
                    seen.add(id(x))
                    group.append(x)
                    todo.extend(x.same_duty)
                groups.append(sorted(group, key=_task_order))
        return sorted(groups, key=lambda g: (-len({t.plan.data.id for t in g}), _task_order(g[0])))

    @property
    def named_departments(self) -> list[DepartmentView]:
        return [d for d in self.departments.values() if d.is_named]


def status_of(date: dt.date, now: dt.date) -> str:
    """past: before NOW; soon: from NOW to SOON_DAYS days after it, inclusive;
    later: after that."""
    if date < now:
        return "past"
    if (date - now).days <= SOON_DAYS:
        return "soon"
    return "later"


def enrich(corpus: Corpus, now: dt.date | None = None) -> Site:
    """Build the views of a validated corpus (call only when check() found no problems)."""
    now = now or today()
    categories = {
        c.id: CategoryView(c, category_url(c.id)) for c in (corpus.categories.model.categories if corpus.categories else [])
    }
    topics = {t.id: TopicView(t, topic_url(t.id)) for t in (corpus.topics.model.topics if corpus.topics else [])}
    national = corpus.national.model if corpus.national else None
    lines = {ln.id: ln for ln in ([*national.actions, *national.local_lines] if national else [])}
    targets = {t.id: t for t in (national.targets if national else [])}

    history = histories(corpus.data_dir / "plans")
    departments: dict[str, DepartmentView] = {}
    for reg in sorted(corpus.registries, key=lambda r: r.model.jurisdiction.id):
        for d in reg.model.departments:
            view = DepartmentView(d, reg.model.jurisdiction, department_url(d.id), categories.get(d.category))
            departments[d.id] = view
            if view.category:
                view.category.departments.append(view)

    plans: list[PlanView] = []
    tasks: dict[str, TaskView] = {}
    for order, loaded in enumerate(sorted(corpus.plans, key=lambda p: p.model.id)):
        p = loaded.model
        reg = corpus.jurisdictions.get(p.jurisdiction)
        pv = PlanView(p, plan_url(p.id), reg.jurisdiction if reg else None)
        pv.changes = history.get(loaded.doc.path.resolve(), [])
        pv.order = order
        pv.now = now
        parts = {part.id: part for part in p.parts}
        for a_order, a in enumerate(p.actions):
            av = ActionView(a, pv, f"{pv.url}#{a.id}", a.id, parts.get(a.part), national=[lines[n] for n in a.national if n in lines])
            av.order = a_order
            pv.actions.append(av)
            for t in a.tasks:
                tv = TaskView(t, pv, av, f"{pv.url}#{t.id}", t.id)
                lead_ids = list(dict.fromkeys([*t.lead, *p.every_task_lead]))  # 以下均需各社区负责
                tv.lead = [departments[d] for d in lead_ids if d in departments]
                tv.support = [departments[d] for d in t.support if d in departments]
                tv.topics = [topics[x] for x in t.topics if x in topics]
                tv.national = _task_lines(t, a, lines)
                tv.deadlines = [DeadlineView(d, tv, pv, status_of(d.date, now), i) for i, d in enumerate(t.deadlines, 1)]
                tv.recurrence = [RecurrenceView(r, tv, pv, i) for i, r in enumerate(t.recurrence, 1)]
                for dv in tv.lead:
                    dv.lead_tasks.append(tv)
                for dv in tv.support:
                    if tv not in dv.lead_tasks:
                        dv.support_tasks.append(tv)
                for topic in tv.topics:
                    topic.tasks.append(tv)
                av.tasks.append(tv)
                tasks[t.id] = tv
        for g in p.goals:
            gv = GoalView(g, pv, f"{pv.url}#{g.id}", g.id)
            gv.deadlines = [DeadlineView(d, gv, pv, status_of(d.date, now), i) for i, d in enumerate(g.deadlines, 1)]
            gv.targets = [targets[x] for x in g.national if x in targets]
            if not g.national and targets:
                gv.targets = infer_targets(g, list(targets.values()))
                gv.inferred = bool(gv.targets)
            pv.goals.append(gv)
        for s in p.sections:
            sv = SectionView(s, pv, f"{pv.url}#{s.id}", s.id)
            sv.deadlines = [DeadlineView(d, sv, pv, status_of(d.date, now), i) for i, d in enumerate(s.deadlines, 1)]
            sv.recurrence = [RecurrenceView(r, sv, pv, i) for i, r in enumerate(s.recurrence, 1)]
            pv.sections.append(sv)
        others = {v.data.id: v for v in [*pv.goals, *pv.sections]}
        for annex in p.annexes:
            rows = []
            for row in annex.rows:
                rv = AnnexRowView(row, annex, pv, f"{pv.url}#{annex.id}-{row.number}")
                rv.lead = [departments[d] for d in row.lead if d in departments]
                rv.support = [departments[d] for d in row.support if d in departments]
                rv.restates = [tasks[x] for x in row.restates if x in tasks]
                rv.restates_other = [others[x] for x in row.restates if x in others]
                if row.due:
                    rv.due = DeadlineView(row.due, rv, pv, status_of(row.due.date, now))
                    rv.due_is_duplicate = any(
                        d.date == row.due.date for x in [*rv.restates, *rv.restates_other] for d in x.deadlines
                    )
                for tv in rv.restates:
                    tv.annex_rows.append(rv)
                for dv in {id(x): x for x in rv.lead + rv.support}.values():
                    dv.annex_rows.append(rv)
                rows.append(rv)
            pv.annex_rows[annex.id] = rows
        for body in p.organisation:
            for m in body.members:
                if m.department in departments:
                    dv = departments[m.department]
                    dv.roles.append((pv, body, m))
                    if dv not in pv.role_departments:
                        pv.role_departments.append(dv)
        plans.append(pv)

    _link_same_duty(plans)
    synonyms = [list(s.terms) for s in corpus.synonyms.model.synonyms] if corpus.synonyms and corpus.synonyms.model else []
    return Site(now, plans, departments, categories, topics, tasks, national, synonyms)


def _task_lines(t: models.Task, a: models.Action, lines: dict[str, models.Line]) -> list[models.Line]:
    """The lines of action a task restates: those it names; else its
    action's, less those a sibling task names for itself (an action on two
    lines whose task 1 names one of them leaves its other tasks the other);
    else all of its action's."""
    if t.national:
        return [lines[n] for n in t.national if n in lines]
    claimed = {n for x in a.tasks for n in x.national}
    own = [n for n in a.national if n not in claimed] or list(a.national)
    return [lines[n] for n in own if n in lines]


# --------------------------------------------------------------------------- #
# The same duty in other plans
# --------------------------------------------------------------------------- #

_CLAUSE_SPLIT = re.compile(r"[。；;！？!?，,：:（）()\n]")
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」")
_CN_NUM = str.maketrans({"一": "1", "二": "2", "两": "2", "三": "3", "四": "4"})
MIN_DUTY_CHARS = 10  # a duty clause shorter than this (once normalised) links nothing
SIMILAR_DUTY = 0.8  # SequenceMatcher ratio for two duty clauses to count as the same
MIN_SHARED_CHARS = 24  # a shared sentence this long marks the same wording


def _norm(s: str) -> str:
    return "".join(ch for ch in s if ch.isalnum())


def _duty_norm(s: str) -> str:
    """A clause as compared: letters and digits only, 一次 = 1次."""
    return _norm(s).translate(_CN_NUM) if s else ""


def _clauses(text: str) -> list[str]:
    flat = "".join(text.split())
    return [c for c in _CLAUSE_SPLIT.split(flat) if c]


def _duty_clauses(t: TaskView) -> list[tuple[str, str, str]]:
    """(signature, normalised core, words as printed) for each dated or
    recurring duty of a task. The core runs from the date or period words to
    the end of the clause that holds them (the subject before them, which
    differs from plan to plan — 企业, 区管企业, 生产经营单位 — is left out);
    the signature is the date or the period, so only like duties compare."""
    clauses = _clauses(t.data.text)
    out = []
    phrases = [(d.date.isoformat(), d.data.text) for d in t.deadlines]
    phrases += [(r.data.every, r.data.text) for r in t.recurrence]
    for sig, words in phrases:
        key = "".join(words.split())
        core_words = key  # words that span clauses are compared as they are
        for c in clauses:
            pos = c.find(key)
            if pos >= 0:
                core_words = c[pos:]
                if len(_duty_norm(core_words)) < MIN_DUTY_CHARS:
                    core_words = c  # the date closes the clause: take all of it
                break
        core = _duty_norm(core_words)
        if len(core) >= MIN_DUTY_CHARS:
            out.append((sig, core, core_words))
    return out


def _link(a: TaskView, b: TaskView, why: str) -> None:
    if a.plan is b.plan:
        return
    if b not in a.same_duty:
        a.same_duty.append(b)
        a.same_duty_why[b.data.id] = why
    if a not in b.same_duty:
        b.same_duty.append(a)
        b.same_duty_why[a.data.id] = why


def _similar_candidates(cores: list[str]) -> list[list[int]]:
    """For each i, the j > i (ascending) whose cores may link: one holds the
    other, or their SequenceMatcher ratio can reach SIMILAR_DUTY. Exact: no
    pair that can link is left out, but pairs are found through an index of
    characters instead of comparing each with each (which grew with the
    square of the tasks: minutes at a province's 30,000). A ratio of 0.8
    needs lengths within 2/3 of each other and at least 2/3 of the shorter
    core's characters in common (quick_ratio), so two such cores share one of
    the rarest len - ceil(2/3 len) + 2 characters of each (prefix filtering,
    the k-th occurrence of a character counted as its own token); a core
    inside another shares all its characters, its rarest among them."""
    assert SIMILAR_DUTY >= 0.8, "the bound below assumes a ratio of at least 0.8"
    tokens: list[list[tuple[str, int]]] = []
    for core in cores:
        seen: dict[str, int] = defaultdict(int)
        toks = []
        for ch in core:
            seen[ch] += 1
            toks.append((ch, seen[ch]))
        tokens.append(toks)
    df: dict[tuple[str, int], int] = defaultdict(int)
    for toks in tokens:
        for t in toks:
            df[t] += 1
    holding: dict[tuple[str, int], list[int]] = defaultdict(list)  # token -> cores holding it
    in_prefix: dict[tuple[str, int], list[int]] = defaultdict(list)  # token -> cores with it in their prefix
    prefixes = []
    for i, toks in enumerate(tokens):
        toks.sort(key=lambda t: (df[t], t))
        n = len(toks)
        common = max(0, (2 * n + 2) // 3 - 1)  # ceil(2n/3), less one to spare rounding
        prefixes.append(toks[: n - common + 1])
        for t in prefixes[-1]:
            in_prefix[t].append(i)
        for t in toks:
            holding[t].append(i)
    sets = [set(toks) for toks in tokens]
    out: list[set[int]] = [set() for _ in cores]
    for i, prefix in enumerate(prefixes):
        others = {j for t in prefix for j in in_prefix[t]}
        if tokens[i]:
            others.update(holding[tokens[i][0]])
        others.discard(i)
        for j in others:
            a, b = min(i, j), max(i, j)
            if b in out[a]:
                continue
            # keep the pair if one core may hold the other, or if it passes
            # SequenceMatcher's real_quick_ratio and quick_ratio (the same
            # arithmetic), without building a SequenceMatcher
            la, lb = len(tokens[a]), len(tokens[b])
            common = len(sets[a] & sets[b])
            holds = common == min(la, lb)
            if holds or (2.0 * min(la, lb) / (la + lb) >= SIMILAR_DUTY and 2.0 * common / (la + lb) >= SIMILAR_DUTY):
                out[a].add(b)
    return [sorted(s) for s in out]


def _link_same_duty(plans: list[PlanView]) -> None:
    """Tasks of different plans link to each other as the same duty when
    (1) their titles are the same (letters and digits compared), or
    (2) they carry a dated or recurring duty worded alike: the same date or
        period, and clauses from the date or period words on that are equal
        or similar (SIMILAR_DUTY), e.g. 2025年底前推动变型拖拉机全部淘汰退出,
        or 每季度带队对本单位重大事故隐患排查整治情况至少开展1次检查 whether
        the subject is 企业主要负责人 or 区管企业主要负责人要, or
    (3) they share a clause of at least MIN_SHARED_CHARS characters word for
        word (the same wording copied from the plan above), quotations
        (slogans such as “三管三必须”) not counted.
    `same_duty_why` keeps the shared words for each link."""
    all_tasks = [t for p in plans for t in p.tasks]
    for t in all_tasks:
        t.same_duty.clear()
        t.same_duty_why.clear()

    by_title: dict[str, list[TaskView]] = defaultdict(list)
    for t in all_tasks:
        by_title[_norm(t.data.title)].append(t)
    for group in by_title.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                _link(a, b, f"同一标题：{a.data.title}")

    by_sig: dict[str, list[tuple[TaskView, str, str]]] = defaultdict(list)
    for t in all_tasks:
        for sig, core, words in _duty_clauses(t):
            by_sig[sig].append((t, core, words))
    for entries in by_sig.values():
        candidates = _similar_candidates([core for _, core, _ in entries])
        for i, (a, ca, wa) in enumerate(entries):
            for j in candidates[i]:
                b, cb, _ = entries[j]
                if a.plan is b.plan or b in a.same_duty:
                    continue
                if ca == cb or ca in cb or cb in ca:
                    _link(a, b, wa)
                    continue
                sm = SequenceMatcher(None, ca, cb, autojunk=False)
                if sm.real_quick_ratio() >= SIMILAR_DUTY and sm.quick_ratio() >= SIMILAR_DUTY and sm.ratio() >= SIMILAR_DUTY:
                    _link(a, b, wa)

    by_clause: dict[str, list[tuple[TaskView, str]]] = defaultdict(list)
    for t in all_tasks:
        for c in _clauses(t.data.text):
            # a slogan in quotation marks (“三管三必须” …) is shared by many
            # plans without making their duties the same: it does not count
            if len(_duty_norm(_QUOTED.sub("", c))) >= MIN_SHARED_CHARS:
                by_clause[_duty_norm(c)].append((t, c))
    for entries in by_clause.values():
        for i, (a, words) in enumerate(entries):
            for b, _ in entries[i + 1 :]:
                if b not in a.same_duty:
                    _link(a, b, words)

    for t in all_tasks:
        t.same_duty.sort(key=_task_order)
