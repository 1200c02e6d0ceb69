"""Stage 3, enrich: computed fields, in one place.

Authored data stays in the pydantic models (scripts/model/models.py),
reachable as `.data` on every view below; everything else on a view is
computed in this package and nowhere else. enrich() below makes the views and
links them; the list of every computed field:

  every view     url          address relative to the site root (from ids only)
                 anchor       fragment id on its page (tasks, actions, goals,
                              sections, deadlines)
  PlanView       jurisdiction_view, jurisdiction_path (ids, top first),
                 implements (ImplementsViews), implemented_by,
                 tasks, deadlines (tasks, goals, sections and annex rows whose
                 date no restated task already carries, and dated events),
                 events, undated_events, ongoing, goal_deadlines,
                 section_deadlines, annex_deadlines, recurrences (flattened),
                 section_recurrence, jurisdiction, goals (GoalViews),
                 sections (SectionViews), departments (named anywhere in it),
                 timeline (by year and quarter), downloads, order,
                 changes (git history of its file: date and commit subject)
  ActionView     part, tasks, national lines (authored), order
  TaskView       label, citation, lead, support (DepartmentViews; each adds
                 the units of the scope notes that govern the task),
                 scope_notes (those notes), ongoing (OngoingViews), events
                 (EventViews), topics,
                 national lines (its own, else its action's less those
                 siblings name for themselves), annex_rows (that restate it),
                 deadlines (DeadlineViews), recurrence (RecurrenceViews),
                 same_duty (tasks of other plans with the same duty),
                 same_duty_why (the shared words, per other task id) and
                 progress (its reports, state, occurrences reported)
  GoalView       label, deadlines, targets (national targets it restates,
                 authored or found by wording; `inferred` tells which)
  SectionView    label, deadlines, recurrence, ongoing, events
  AnnexRowView   label, lead, support, restates (tasks), restates_other
                 (goals and sections), due, due_is_duplicate, progress
  Progress       reports (ReportViews), task_reports, latest, state,
                 state_at(date), unit_latest(unit), duties (occurrences of
                 each recurring duty, with the reports on each)
  Board          per jurisdiction with plans: items, quarters, states,
                 counts, grid (open items by lead unit and quarter), closed,
                 bulletins (Bulletin: units (UnitLine), counts, changes,
                 reports, missed duty occurrences), children
  DeadlineView   status: past | soon (from NOW to SOON_DAYS after it,
                 inclusive) | later, status_label (words, never colour
                 alone), year, quarter, kind, kind_label, label, url, anchor,
                 timeline_url, lead, support, year_source (plan | annex |
                 override | bare-year: why the words do not print the
                 year; the year rule, phrases.rule_year), inferred,
                 inferred_label, inferred_note (the reason in words)
  EventView      a DeadlineView of timing tied to an event: dated (by an
                 editor; then in the deadlines, inferred_label 日期由编者补注)
                 or not, anchor (due-…-eN dated, event-… undated)
  OngoingView    kind, kind_label, label, url, anchor, lead, support
  RecurrenceView label, every_label (每两个月 …), due_label (25日前, 3月底前,
                 次年3月底前, 15日和月末), kind, kind_label, title, url,
                 anchor, group (its period: month, month-2 …), calendar_url,
                 lead, support, window, due_dates (every date it falls
                 due), months (the months it falls due in), first_due,
                 last_due, until, rrule (RFC 5545 rule parts for ICS files)
  DepartmentView jurisdiction_view, display, label, lead_tasks, support_tasks, tasks, role_in,
                 lead_groups, support_groups (by plan and action),
                 annex_rows, roles, named_in (the plans that name it, in
                 site order), deadlines (with dated events),
                 open_deadlines, recurrences, ongoing, undated_events,
                 downloads, is_named
  CategoryView   departments, jurisdictions, task_count, areas (CategoryArea
                 per area: its departments, by jurisdiction; department_count,
                 task_count)
  TopicView      tasks, groups (by plan and action), plans, task_count,
                 plan_count, areas (TopicArea per area: its tasks, by
                 jurisdiction, plan and action; task_count)
  JurisdictionView  parent, ancestors (top first), children, area, path,
                 full_name, plans, departments, cited (plans it issued that
                 plans cite but the site lacks), total_plans, total_tasks,
                 total_departments (with all below it), deadlines,
                 open_deadlines, recurrences, named_departments
  ImplementsView plan (on the site) or the citation, jurisdiction
  Site           deadlines, open_deadlines, soon_deadlines, recurrences,
                 ongoing, undated_events,
                 timeline, timeline_of, upcoming, recurrence_calendar,
                 recurrence_month_totals, jurisdictions, named_departments,
                 named_department_count,
                 comparison and local_comparison (lines against plans),
                 roots (of the hierarchy), jurisdiction_views, compare_areas
                 (CompareArea per area: its plans against the lines and
                 targets, unmapped actions, shared duties), recent_plans,
                 registered (the published addresses: kept anchors),
                 timeline_quarters (TimelineQuarter > TimelineShare per
                 area), recurring_areas (RecurringShare per area),
                 ongoing_areas (OngoingShare per area: undated duties),
                 target_comparison, unmapped_actions, shared_duties,
                 boards (by jurisdiction id), reports (newest first)
  groupings      group_tasks, timeline (YearGroup > QuarterGroup),
                 recurrence_calendar (RecurrenceGroup), compare_line
                 (LineRow > PlanCell), TargetRow, infer_targets

Where each is computed:

  hierarchy.py   JurisdictionView, ImplementsView
  areas.py       the shares of topics, categories and the comparison per area
  views.py       the views and their fields (addresses come from
                 scripts/model/urls.py), group_tasks
  duties.py      the views of deadlines, recurring and ongoing duties and
                 events, and the words for inferred dates
  timeline.py    status (past | soon | later), the timeline and the
                 calendar of recurring duties, their labels, the due dates
                 and RRULE of a recurring duty
  comparison.py  plans against the national lines of action and targets
  same_duty.py   same_duty, same_duty_why (tasks of other plans)
  site.py        Site and its site-wide lists
  history.py     changes (git log of each plan file)
  progress.py    progress: reports, states, occurrences reported
  boards.py      boards and bulletins; a department's items and counts

"Today" is `scripts.model.dates.today()`, which honours NOW=YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as dt

from ...model import models
from ...model.dates import today
from ...model.phrases import read_deadline, rule_year
from ...model.urls import category_url, department_url, jurisdiction_url, plan_url, topic_url
from ..addresses import read_registry
from ..load.corpus import Corpus
from .areas import split_by_area, split_timeline
from .boards import boards
from .comparison import infer_targets
from .hierarchy import ImplementsView, JurisdictionView
from .history import histories
from .progress import attach as attach_progress
from .same_duty import link_same_duty
from .site import Site
from .timeline import status_of
from .views import (
    ActionView,
    AnnexRowView,
    CategoryView,
    DeadlineView,
    DepartmentView,
    EventView,
    GoalView,
    OngoingView,
    PlanView,
    RecurrenceView,
    SectionView,
    TaskView,
    TopicView,
)


def enrich(corpus: Corpus, now: dt.date | None = None, memo=None) -> Site:
    """Build the views of a validated corpus (call only when check() found
    no problems). `memo`: the build's memo (build/memo.py), where the
    same duty across plans keeps what it compared (same_duty.py)."""
    now = now or today()
    categories = {
        c.id: CategoryView(c, category_url(c.id)) for c in (corpus.categories.model.categories if corpus.categories else [])
    }
    topics = {t.id: TopicView(t, topic_url(t.id)) for t in (corpus.topics.model.topics if corpus.topics else [])}
    national = corpus.national.model if corpus.national else None
    lines = {ln.id: ln for ln in ([*national.actions, *national.local_lines] if national else [])}
    targets = {t.id: t for t in (national.targets if national else [])}

    history = histories(corpus.data_dir / "plans")
    jurisdictions = _jurisdictions(corpus)
    departments: dict[str, DepartmentView] = {}
    for reg in sorted(corpus.registries, key=lambda r: r.model.jurisdiction.id):
        for d in reg.model.departments:
            view = DepartmentView(d, reg.model.jurisdiction, department_url(d.id), categories.get(d.category))
            view.jurisdiction_view = jurisdictions[reg.model.jurisdiction.id]
            view.jurisdiction_view.departments.append(view)
            departments[d.id] = view
            if view.category:
                view.category.departments.append(view)

    plans: list[PlanView] = []
    tasks: dict[str, TaskView] = {}
    for order, loaded in enumerate(sorted(corpus.plans, key=lambda p: p.model.id)):
        p = loaded.model
        reg = corpus.jurisdictions.get(p.jurisdiction)
        pv = PlanView(p, plan_url(p.id), reg.jurisdiction if reg else None)
        pv.jurisdiction_view = jurisdictions.get(p.jurisdiction)
        if pv.jurisdiction_view:
            pv.jurisdiction_view.plans.append(pv)
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
                notes = [n for n in p.scope_notes if t.id in n.tasks]  # 以下均需各社区负责
                tv.scope_notes = notes
                lead_ids = list(dict.fromkeys([*t.lead, *(d for n in notes for d in n.lead)]))
                support_ids = list(dict.fromkeys([*t.support, *(d for n in notes for d in n.support)]))
                tv.lead = [departments[d] for d in lead_ids if d in departments]
                tv.support = [departments[d] for d in support_ids if d in departments]
                tv.topics = [topics[x] for x in t.topics if x in topics]
                tv.national = _task_lines(t, a, lines)
                tv.deadlines = [_deadline(d, tv, pv, now, i) for i, d in enumerate(t.deadlines, 1)]
                tv.recurrence = [RecurrenceView(r, tv, pv, i) for i, r in enumerate(t.recurrence, 1)]
                tv.ongoing = [OngoingView(o, tv, pv, i) for i, o in enumerate(t.ongoing, 1)]
                tv.events = [_event(e, tv, pv, now, i) for i, e in enumerate(t.events, 1)]
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
            gv.deadlines = [_deadline(d, gv, pv, now, i) for i, d in enumerate(g.deadlines, 1)]
            gv.targets = [targets[x] for x in g.national if x in targets]
            if not g.national and targets:
                gv.targets = infer_targets(g, list(targets.values()))
                gv.inferred = bool(gv.targets)
            pv.goals.append(gv)
        for s in p.sections:
            sv = SectionView(s, pv, f"{pv.url}#{s.id}", s.id)
            sv.deadlines = [_deadline(d, sv, pv, now, i) for i, d in enumerate(s.deadlines, 1)]
            sv.recurrence = [RecurrenceView(r, sv, pv, i) for i, r in enumerate(s.recurrence, 1)]
            sv.ongoing = [OngoingView(o, sv, pv, i) for i, o in enumerate(s.ongoing, 1)]
            sv.events = [_event(e, sv, pv, now, i) for i, e in enumerate(s.events, 1)]
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
                    rv.due = _deadline(row.due, rv, pv, now, 1, annex.year)
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

    for pv in plans:
        for dv in pv.departments:
            dv.named_in.append(pv)
    link_same_duty(plans, memo)
    _link_implements(plans, jurisdictions)
    _totals(jurisdictions)
    compare_areas = split_by_area(plans, departments, topics, categories, jurisdictions, national, now)
    quarters, recurring, ongoing = split_timeline(plans, jurisdictions, now)
    synonyms = [list(s.terms) for s in corpus.synonyms.model.synonyms] if corpus.synonyms and corpus.synonyms.model else []
    registered = [address for _, address in read_registry(corpus.data_dir)]
    site = Site(now, plans, departments, categories, topics, tasks, national, synonyms, jurisdictions, corpus.hierarchy,
                compare_areas, registered, quarters, recurring, ongoing)
    site.reports = attach_progress(corpus, plans, departments, now)
    site.boards = boards(plans, {r.model.jurisdiction.id: r.model.jurisdiction for r in corpus.registries}, now)
    return site


def _jurisdictions(corpus: Corpus) -> dict[str, JurisdictionView]:
    """A view per jurisdiction, linked to its parent, ancestors, children and
    area (scripts/model/jurisdictions.py), in the order of the tree."""
    h = corpus.hierarchy
    views = {jid: JurisdictionView(j, jurisdiction_url(jid)) for jid, j in h.by_id.items()}
    for jid, v in views.items():
        v.ancestors = [views[a] for a in h.ancestors(jid)]
        v.parent = v.ancestors[-1] if v.ancestors else None
        v.children = [views[c] for c in h.children(jid)]
        v.area = views[h.area(jid)]
    order = [j for r in h.roots() for j in (r, *h.descendants(r))]
    order += sorted(set(views) - set(order))  # in a cycle (the validator stops those)
    return {jid: views[jid] for jid in order}


def _link_implements(plans: list[PlanView], jurisdictions: dict[str, JurisdictionView]) -> None:
    by_id = {p.data.id: p for p in plans}
    for p in plans:
        for ref in p.data.implements:
            iv = ImplementsView(ref, p, by_id.get(ref.plan) if ref.plan else None, jurisdictions.get(ref.jurisdiction or ""))
            p.implements.append(iv)
            if iv.plan is not None:
                iv.plan.implemented_by.append(p)
            elif iv.jurisdiction is not None:
                iv.jurisdiction.cited.append(iv)


def _totals(jurisdictions: dict[str, JurisdictionView]) -> None:
    """Plans, tasks and units of each jurisdiction and all below it (the
    views are in tree order: children after their parent)."""
    for j in reversed(list(jurisdictions.values())):
        j.total_plans = len(j.plans) + sum(c.total_plans for c in j.children)
        j.total_tasks = sum(len(p.tasks) for p in j.plans) + sum(c.total_tasks for c in j.children)
        j.total_departments = len(j.named_departments) + sum(c.total_departments for c in j.children)


def _deadline(d: models.Deadline, owner, pv: PlanView, now: dt.date, index: int,
              annex_year: int | None = None) -> DeadlineView:
    """A deadline's view; where its words do not print its year, why
    (year_source: the plan's first year, the annex's, the editor's, or a bare year)."""
    words = read_deadline(d.text, rule_year(d.year, annex_year, pv.data.period.start)[0])
    source = None
    if words.bare_year:
        source = "bare-year"
    elif not words.year_named:
        source = rule_year(d.year, annex_year, pv.data.period.start)[1]
    return DeadlineView(d, owner, pv, status_of(d.date, now), index, source)


def _event(e: models.Event, owner, pv: PlanView, now: dt.date, index: int) -> EventView:
    return EventView(e, owner, pv, status_of(e.date, now) if e.date else "later", index)


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
