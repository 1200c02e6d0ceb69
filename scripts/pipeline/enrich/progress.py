"""Progress: the reports (data/progress/) on each task and annex row, the
state each is in at a date, which occurrences of a recurring duty were
reported, the 挂图作战 board of each jurisdiction and the quarterly bulletin
(季度通报) of each jurisdiction and quarter (bulletins.py), the feed of
what changed (feeds.py).

States, always shown as words (the colour only repeats them):

  done        已完成 / 已销号   the latest report says so
  overdue     已逾期            the last deadline has passed and it is not done
                                (已逾期（未报送）: and nothing was ever reported —
                                the only state read from dates alone)
  none        暂无报送          nothing reported (and not overdue)
  behind      滞后              the latest report says 滞后, or it was reported
                                on before but not since the start of the last
                                complete quarter (滞后（上季度未报送）)
  soon        30天内到期        a deadline within 30 days, reported on track
  notstarted  未启动            the latest report says so
  ontrack     推进中            the latest report says so
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ...model.occurrences import occurrence_key
from ...model.progress import DONE, Report, previous_quarter, quarter_bounds, quarter_of
from ..load.corpus import Corpus
from .reads import derived
from .views import AnnexRowView, DepartmentView, PlanView, TaskView, _View

SOON_REPORT_DAYS = 30
STATES = {  # key -> the word shown (a report's own status word replaces it for done)
    "done": "已完成", "overdue": "已逾期", "behind": "滞后", "soon": "30天内到期",
    "ontrack": "推进中", "notstarted": "未启动", "none": "暂无报送",
}
STATE_ORDER = ["overdue", "behind", "soon", "ontrack", "notstarted", "none", "done"]  # worst first


@dataclass(eq=False, repr=False)
class ReportView(_View):
    data: Report
    target: Any  # TaskView or AnnexRowView
    unit: DepartmentView
    file: str  # data/progress/<plan>/<quarter>.yaml, as the site names it

    @property
    def date(self) -> dt.date:
        return self.data.date

    @property
    def status(self) -> str:
        return self.data.status

    @property
    def plan(self) -> PlanView:
        return self.target.plan

    @property
    def quarter(self) -> tuple[int, int]:
        return quarter_of(self.data.date)

    @property
    def anchor(self) -> str:
        occ = f"-{self.data.occurrence}" if self.data.occurrence else ""
        return f"report-{self.target.anchor}{occ}-{self.unit.data.id}-{self.data.date.isoformat()}"


@dataclass(frozen=True)
class State:
    key: str
    label: str  # the words shown

    @property
    def css(self) -> str:
        return f"pg-{self.key}"


def last_period_start(at: dt.date) -> dt.date:
    """First day of the last complete quarter at `at` (the quarter that ends
    on `at`, else the one before `at`'s)."""
    y, q = quarter_of(at)
    first, last = quarter_bounds(y, q)
    if at == last:
        return first
    return quarter_bounds(*previous_quarter(y, q))[0]


@dataclass(eq=False, repr=False)
class OccurrenceRow:
    """One occurrence of a recurring duty that has fallen due (or falls due
    in the current period), with the reports on it."""

    key: str
    due: dt.date
    reports: list[ReportView]

    @property
    def reported(self) -> bool:
        return bool(self.reports)


@dataclass(eq=False, repr=False)
class Progress(_View):
    """The reports on one task or annex row and what follows from them."""

    owner: Any  # TaskView or AnnexRowView
    now: dt.date
    reports: list[ReportView] = field(default_factory=list)  # every report on it, by date

    @property
    def task_reports(self) -> list[ReportView]:
        """Reports on the task (or row) as a whole, not on one occurrence of a duty."""
        return [r for r in self.reports if not r.data.occurrence]

    @property
    def latest(self) -> ReportView | None:
        reports = self.task_reports
        return reports[-1] if reports else None

    @property
    def due_dates(self) -> list[dt.date]:
        if isinstance(self.owner, AnnexRowView):
            return [self.owner.due.date] if self.owner.due else []
        return sorted(d.date for d in self.owner.deadlines)

    def state_at(self, at: dt.date) -> State:
        """The state at the end of the day `at` (see the module docstring)."""
        seen = [r for r in self.reports if r.date <= at]
        own = [r for r in seen if not r.data.occurrence]
        latest = own[-1] if own else None
        if latest and latest.status in DONE:
            return State("done", latest.status)
        dues = self.due_dates
        if dues and dues[-1] < at:
            return State("overdue", "已逾期" if seen else "已逾期（未报送）")
        if not seen:
            return State("none", STATES["none"])
        if latest and latest.status == "滞后":
            return State("behind", "滞后")
        if not any(r.date >= last_period_start(at) for r in seen):
            return State("behind", "滞后（上季度未报送）")
        if any(at <= d <= at + dt.timedelta(days=SOON_REPORT_DAYS) for d in dues):
            return State("soon", STATES["soon"])
        if latest is None:
            return State("ontrack", "按期报送")
        if latest.status == "未启动":
            return State("notstarted", "未启动")
        return State("ontrack", "推进中")

    @property
    def state(self) -> State:
        return self.state_at(self.now)

    def unit_latest(self, unit: DepartmentView) -> ReportView | None:
        mine = [r for r in self.task_reports if r.unit is unit]
        return mine[-1] if mine else None

    @derived
    def duties(self) -> list[tuple[Any, list[OccurrenceRow]]]:
        """For each recurring duty of a task: its occurrences due by today
        (and any reported ahead of its due date), with the reports on each.
        (Computed once: read after every report is attached.)"""
        out = []
        by_key: dict[str, list[ReportView]] = {}
        for r in self.reports:
            if r.data.occurrence:
                by_key.setdefault(r.data.occurrence, []).append(r)
        for rv in getattr(self.owner, "recurrence", []):
            rows = [OccurrenceRow(key, d, by_key.get(key, [])) for d in rv.due_dates
                    for key in [occurrence_key(rv.data, d)] if d <= self.now or key in by_key]
            out.append((rv, rows))
        return out


def items_of(plan: PlanView) -> list[Any]:
    """What is reported on in a plan: its tasks, then the annex rows that
    restate none of its tasks."""
    rows = [r for rows in plan.annex_rows.values() for r in rows if not r.restates]
    return [*plan.tasks, *rows]


def attach(corpus: Corpus, plans: list[PlanView], departments: dict[str, DepartmentView], now: dt.date) -> list[ReportView]:
    """Give every task and annex row its Progress (`.progress`), from the
    reports of the corpus; returns every report, newest first."""
    by_plan = {p.data.id: p for p in plans}
    targets: dict[tuple, Any] = {}
    for p in plans:
        for t in p.tasks:
            t.progress = Progress(t, now)
            targets[("task", p.data.id, t.data.id)] = t
        for rows in p.annex_rows.values():
            for r in rows:
                r.progress = Progress(r, now)
                targets[("annex", p.data.id, r.annex.id, r.data.number)] = r
    everything: list[ReportView] = []
    for f in corpus.progress:
        if f.model is None or f.model.plan not in by_plan:
            continue
        name = f.doc.name
        for r in f.model.reports:
            key = ("task", f.model.plan, r.task) if r.task else ("annex", f.model.plan, r.annex, r.row)
            target, unit = targets.get(key), departments.get(r.unit)
            if target is None or unit is None:
                continue  # the validator reports these
            view = ReportView(r, target, unit, name)
            target.progress.reports.append(view)
            everything.append(view)
    for t in targets.values():
        t.progress.reports.sort(key=lambda r: (r.date, r.unit.data.id))
    everything.sort(key=lambda r: (r.date, r.plan.data.id, r.anchor), reverse=True)
    return everything
