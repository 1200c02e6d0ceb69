"""When: the status of a date against NOW, deadlines grouped by year and
quarter (the timelines), and recurring duties by period (the calendar of
recurring duties). The words for statuses and periods live here too.

Works on the views of views.py (which use these) by their attributes
(date, plan, anchor …); it imports them for type checkers only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...model import models
from ...model.occurrences import due_dates  # noqa: F401 (the views and the tests use it from here)
from ...model.phrases import MONTHS_IN
from ...model.urls import quarter_anchor

if TYPE_CHECKING:  # not run: views.py imports this module
    from .views import DeadlineView, PlanView, RecurrenceView

SOON_DAYS = 90
STATUS_LABELS = {"past": "已到期", "soon": "90天内到期", "later": "未到期"}
EVERY_ORDER = ["week", "half-month", "month", "quarter", "half-year", "year"]
QUARTER_LABELS = {1: "第一季度（1—3月）", 2: "第二季度（4—6月）", 3: "第三季度（7—9月）", 4: "第四季度（10—12月）"}


def status_of(date: dt.date, now: dt.date) -> str:
    """past: before NOW; soon: from NOW to SOON_DAYS days after it, inclusive;
    later: after that."""
    if date < now:
        return "past"
    if (date - now).days <= SOON_DAYS:
        return "soon"
    return "later"


def deadline_order(d: DeadlineView) -> tuple:
    return (d.date, d.plan.data.id, d.anchor)


class QuarterEntries:
    """What a quarter's list of deadlines shows of itself (a dataclass with
    `year`, `quarter` and `entries`): its label and how many of each status."""

    year: int
    quarter: int
    entries: list[DeadlineView]

    @property
    def label(self) -> str:
        return f"{self.year}年{QUARTER_LABELS[self.quarter]}"

    @property
    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUS_LABELS}
        for d in self.entries:
            out[d.status] += 1
        return out


@dataclass
class QuarterGroup(QuarterEntries):
    year: int
    quarter: int
    entries: list[DeadlineView]
    now: dt.date

    @property
    def anchor(self) -> str:
        return quarter_anchor(self.year, self.quarter)

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
    for d in sorted(deadlines, key=deadline_order):
        by[d.year][d.quarter].append(d)
    return [
        YearGroup(y, [QuarterGroup(y, q, by[y][q], now) for q in sorted(by[y])], now)
        for y in sorted(by)
    ]


def rrule_parts(r: models.Recurrence, first_due: dt.date, until: dt.date) -> dict[str, Any]:
    """RFC 5545 RRULE parts of a recurring duty whose first due date is
    `first_due` (the ICS event's start): weekly; the 15th and last day of each
    month; else monthly (yearly when whole years) at the period's interval, on
    `day` or the month's last day; until `until`."""
    if r.every == "week":
        rule: dict[str, Any] = {"freq": "weekly"}
        if r.interval > 1:
            rule["interval"] = r.interval
    elif r.every == "half-month":
        rule = {"freq": "monthly", "bymonthday": [15, -1]}
    else:
        span = MONTHS_IN[r.every] * r.interval
        if span % 12 == 0:
            rule = {"freq": "yearly"}
            if span > 12:
                rule["interval"] = span // 12
            rule["bymonth"] = first_due.month
        else:
            rule = {"freq": "monthly"}
            if span > 1:
                rule["interval"] = span
        rule["bymonthday"] = r.day if r.day else -1
    rule["until"] = until
    return rule


@dataclass
class RecurrenceGroup:
    """The recurring duties of one period (每月, 每两个月, 每年 …)."""

    key: str  # month, month-2 … (RecurrenceView.group)
    entries: list[RecurrenceView]

    @property
    def every(self) -> str:
        return self.entries[0].data.every

    @property
    def label(self) -> str:
        return self.entries[0].every_label

    @property
    def anchor(self) -> str:
        return f"every-{self.key}"

    @property
    def months(self) -> list[int]:
        """The months in which any of its duties falls due."""
        return sorted({m for r in self.entries for m in r.months})

    def due_in(self, month: int) -> int:
        """How many of its duties fall due in `month`."""
        return sum(1 for r in self.entries if month in r.months)

    @property
    def plans(self) -> list[tuple["PlanView", list[RecurrenceView]]]:
        out: dict[int, tuple[PlanView, list[RecurrenceView]]] = {}
        for r in self.entries:
            out.setdefault(id(r.plan), (r.plan, []))[1].append(r)
        return sorted(out.values(), key=lambda x: x[0].order)


def recurrence_calendar(recurrences: list[RecurrenceView]) -> list[RecurrenceGroup]:
    """Recurring duties by period (week, half-month, month, quarter, half-year,
    year; a longer interval after the shorter)."""
    by: dict[str, list[RecurrenceView]] = defaultdict(list)
    for r in recurrences:
        by[r.group].append(r)
    order = sorted(by, key=lambda k: (EVERY_ORDER.index(by[k][0].data.every), by[k][0].data.interval))
    return [RecurrenceGroup(k, by[k]) for k in order]
