"""Stage 3, enrich: computed fields, in one place.

Authored data stays in the pydantic models, reachable as `.data` on every view
below; everything else on a view is computed here and nowhere else:

  every view     url          address relative to the site root (from ids only)
                 anchor       fragment id on its page (tasks, actions)
  PlanView       tasks, deadlines, recurrences (flattened), jurisdiction,
                 departments (named anywhere in the plan)
  TaskView       lead, support (DepartmentViews), topics, national lines,
                 annex_rows (that restate it), deadlines (DeadlineViews),
                 same_duty (tasks of other plans with the same duty)
  DeadlineView   status: past | soon (within SOON_DAYS of NOW) | later,
                 status_label (words, never colour alone), quarter
  DepartmentView lead_tasks, support_tasks, annex_rows, roles, open_deadlines
  CategoryView   departments; TopicView tasks; NationalView actions per plan

"Today" is `dates.today()`, which honours NOW=YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from . import models
from .dates import today
from .validate import Corpus

SOON_DAYS = 90
STATUS_LABELS = {"past": "已到期", "soon": "90天内到期", "later": "未到期"}
EVERY_LABELS = {"month": "每月", "quarter": "每季度", "half-year": "每半年", "year": "每年"}


def plan_url(plan_id: str) -> str:
    return f"plans/{plan_id}/"


def department_url(dep_id: str) -> str:
    return f"departments/{dep_id}/"


def category_url(cat_id: str) -> str:
    return f"departments/categories/{cat_id}/"


def topic_url(topic_id: str) -> str:
    return f"topics/{topic_id}/"


@dataclass(eq=False)
class DeadlineView:
    data: models.Deadline
    owner: Any  # TaskView, GoalView, SectionView or AnnexRowView
    plan: "PlanView"
    status: str = "later"

    @property
    def date(self) -> dt.date:
        return self.data.date

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def quarter(self) -> int:
        return (self.data.date.month - 1) // 3 + 1


@dataclass(eq=False)
class RecurrenceView:
    data: models.Recurrence
    owner: Any
    plan: "PlanView"

    @property
    def label(self) -> str:
        r = self.data
        s = EVERY_LABELS[r.every]
        if r.day:
            s += f"{r.day}日前"
        return s + f"至少{r.min_count}次"


@dataclass(eq=False)
class TopicView:
    data: models.Topic
    url: str
    tasks: list["TaskView"] = field(default_factory=list)


@dataclass(eq=False)
class CategoryView:
    data: models.Category
    url: str
    departments: list["DepartmentView"] = field(default_factory=list)


@dataclass(eq=False)
class DepartmentView:
    data: models.Department
    jurisdiction: models.Jurisdiction
    url: str
    category: CategoryView | None = None
    lead_tasks: list["TaskView"] = field(default_factory=list)
    support_tasks: list["TaskView"] = field(default_factory=list)
    annex_rows: list["AnnexRowView"] = field(default_factory=list)
    roles: list[tuple["PlanView", models.Body, models.Member]] = field(default_factory=list)

    @property
    def open_deadlines(self) -> list[DeadlineView]:
        seen = {}
        for t in self.lead_tasks + self.support_tasks:
            for d in t.deadlines:
                if d.status != "past":
                    seen[id(d)] = d
        return sorted(seen.values(), key=lambda d: d.date)


@dataclass(eq=False)
class TaskView:
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

    @property
    def citation(self) -> str:
        p = self.plan.data
        parts = [p.title]
        if p.doc_number:
            parts.append(p.doc_number)
        parts.append(f"{self.action.data.number}{self.action.data.title}")
        parts.append(f"第{self.data.number}项 {self.data.title}")
        return " · ".join(parts)


@dataclass(eq=False)
class ActionView:
    data: models.Action
    plan: "PlanView"
    url: str
    anchor: str
    part: models.Part | None = None
    tasks: list[TaskView] = field(default_factory=list)
    national: list[models.Line] = field(default_factory=list)


@dataclass(eq=False)
class AnnexRowView:
    data: models.AnnexRow
    annex: models.Annex
    plan: "PlanView"
    url: str
    lead: list[DepartmentView] = field(default_factory=list)
    support: list[DepartmentView] = field(default_factory=list)
    restates: list[TaskView] = field(default_factory=list)
    due: DeadlineView | None = None


@dataclass(eq=False)
class PlanView:
    data: models.Plan
    url: str
    jurisdiction: models.Jurisdiction | None
    actions: list[ActionView] = field(default_factory=list)
    annex_rows: dict[str, list[AnnexRowView]] = field(default_factory=dict)
    goal_deadlines: list[DeadlineView] = field(default_factory=list)
    section_deadlines: list[DeadlineView] = field(default_factory=list)
    section_recurrence: list[RecurrenceView] = field(default_factory=list)

    @property
    def tasks(self) -> list[TaskView]:
        return [t for a in self.actions for t in a.tasks]

    @property
    def deadlines(self) -> list[DeadlineView]:
        ds = [d for t in self.tasks for d in t.deadlines] + self.goal_deadlines + self.section_deadlines
        return sorted(ds, key=lambda d: (d.date, d.plan.data.id))

    @property
    def recurrences(self) -> list[RecurrenceView]:
        return [r for t in self.tasks for r in t.recurrence] + self.section_recurrence


@dataclass
class Site:
    """Everything the templates need, computed once."""

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
        return sorted((d for p in self.plans for d in p.deadlines), key=lambda d: (d.date, d.plan.data.id))

    @property
    def recurrences(self) -> list[RecurrenceView]:
        return [r for p in self.plans for r in p.recurrences]


def status_of(date: dt.date, now: dt.date) -> str:
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

    departments: dict[str, DepartmentView] = {}
    for reg in corpus.registries:
        for d in reg.model.departments:
            view = DepartmentView(d, reg.model.jurisdiction, department_url(d.id), categories.get(d.category))
            departments[d.id] = view
            if view.category:
                view.category.departments.append(view)

    plans: list[PlanView] = []
    tasks: dict[str, TaskView] = {}
    for loaded in sorted(corpus.plans, key=lambda p: p.model.id):
        p = loaded.model
        reg = corpus.jurisdictions.get(p.jurisdiction)
        pv = PlanView(p, plan_url(p.id), reg.jurisdiction if reg else None)
        parts = {part.id: part for part in p.parts}
        for a in p.actions:
            av = ActionView(a, pv, f"{pv.url}#{a.id}", a.id, parts.get(a.part), national=[lines[n] for n in a.national if n in lines])
            pv.actions.append(av)
            for t in a.tasks:
                tv = TaskView(t, pv, av, f"{pv.url}#{t.id}", t.id)
                tv.lead = [departments[d] for d in t.lead if d in departments]
                tv.support = [departments[d] for d in t.support if d in departments]
                tv.topics = [topics[x] for x in t.topics if x in topics]
                tv.national = [lines[n] for n in t.national if n in lines] or av.national
                tv.deadlines = [DeadlineView(d, tv, pv, status_of(d.date, now)) for d in t.deadlines]
                tv.recurrence = [RecurrenceView(r, tv, pv) for r in t.recurrence]
                for dv in tv.lead:
                    dv.lead_tasks.append(tv)
                for dv in tv.support:
                    dv.support_tasks.append(tv)
                for topic in tv.topics:
                    topic.tasks.append(tv)
                av.tasks.append(tv)
                tasks[t.id] = tv
        for g in p.goals:
            pv.goal_deadlines += [DeadlineView(d, g, pv, status_of(d.date, now)) for d in g.deadlines]
        for s in p.sections:
            pv.section_deadlines += [DeadlineView(d, s, pv, status_of(d.date, now)) for d in s.deadlines]
            pv.section_recurrence += [RecurrenceView(r, s, pv) for r in s.recurrence]
        for annex in p.annexes:
            rows = []
            for row in annex.rows:
                rv = AnnexRowView(row, annex, pv, f"{pv.url}#{annex.id}-{row.number}")
                rv.lead = [departments[d] for d in row.lead if d in departments]
                rv.support = [departments[d] for d in row.support if d in departments]
                rv.restates = [tasks[x] for x in row.restates if x in tasks]
                if row.due:
                    rv.due = DeadlineView(row.due, rv, pv, status_of(row.due.date, now))
                for tv in rv.restates:
                    tv.annex_rows.append(rv)
                for dv in {id(x): x for x in rv.lead + rv.support}.values():
                    dv.annex_rows.append(rv)
                rows.append(rv)
            pv.annex_rows[annex.id] = rows
        for body in p.organisation:
            for m in body.members:
                if m.department in departments:
                    departments[m.department].roles.append((pv, body, m))
        plans.append(pv)

    _link_same_duty(plans)
    synonyms = [list(s.terms) for s in corpus.synonyms.model.synonyms] if corpus.synonyms and corpus.synonyms.model else []
    return Site(now, plans, departments, categories, topics, tasks, national, synonyms)


def _link_same_duty(plans: list[PlanView]) -> None:
    """Tasks of different plans with the same title, or the same recurring duty
    or dated duty worded alike, point at each other."""
    by_key: dict[str, list[TaskView]] = defaultdict(list)
    for p in plans:
        for t in p.tasks:
            keys = {"title:" + _norm(t.data.title)}
            for r in t.data.recurrence:
                keys.add("rec:" + _norm(r.text))
            for d in t.data.deadlines:
                sentence = _sentence_with(t.data.text, d.text)
                if sentence:
                    keys.add("dl:" + _norm(sentence))
            for k in keys:
                by_key[k].append(t)
    for group in by_key.values():
        plan_ids = {t.plan.data.id for t in group}
        if len(plan_ids) < 2:
            continue
        for t in group:
            for other in group:
                if other.plan is not t.plan and other not in t.same_duty:
                    t.same_duty.append(other)


def _norm(s: str) -> str:
    return "".join(ch for ch in s if ch.isalnum())


def _sentence_with(text: str, phrase: str) -> str | None:
    """The sentence of `text` that holds `phrase` (split on 。；)."""
    flat = "".join(text.split())
    key = "".join(phrase.split())
    for sentence in flat.replace("；", "。").split("。"):
        if key in sentence and len(sentence) <= 60:
            return sentence
    return None
