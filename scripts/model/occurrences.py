"""When a recurring duty falls due, and how one of its occurrences is named.

A recurring duty (models.Recurrence) of a plan falls due on the dates
`due_dates()` lists, within the plan's `window()`. Each of those dues is an
occurrence a unit reports on (data/progress/, scripts/model/progress.py),
named by `occurrence_key()` after the period it is for:

    week        2025-w07      (ISO week of the due Sunday)
    half-month  2025-03-15, 2025-03-31   (the due date itself)
    month       2025-03
    quarter     2025-q1
    half-year   2025-h1
    year        2025          (the year it is for: for 次年 duties the year before the due)

The validator checks a report's occurrence against these names; the enrich
stage lists which occurrences were reported.
"""

from __future__ import annotations

import calendar
import datetime as dt

from . import models
from .phrases import MONTHS_IN


def window(r: models.Recurrence, plan: models.Plan) -> tuple[dt.date, dt.date]:
    """The days a duty's dues fall on: from 1 January of the plan's first year
    (or the issue date, when later) to the end of its last year; a duty for
    each year due in the next (次年) falls a year later."""
    start, end = dt.date(plan.period.start, 1, 1), dt.date(plan.period.end, 12, 31)
    if r.next_year:
        return dt.date(plan.period.start + 1, 1, 1), dt.date(plan.period.end + 1, 12, 31)
    if plan.issued and start < plan.issued <= end:
        start = plan.issued
    return start, end


def due_dates(r: models.Recurrence, first: dt.date, last: dt.date, year0: int) -> list[dt.date]:
    """Every date a recurring duty falls due from `first` to `last`: the end
    (Sunday) of each week; the 15th and the last day of each month; else the
    end of each period counted from January of `year0` (the plan's first
    year, the next for 次年 duties), or its `day`, or for a yearly or
    half-yearly duty its `month`."""
    out: list[dt.date] = []
    if r.every == "week":
        day = first + dt.timedelta(days=(6 - first.weekday()) % 7)
        while day <= last:
            out.append(day)
            day += dt.timedelta(days=7 * r.interval)
        return out
    if r.every == "half-month":
        for y in range(first.year, last.year + 1):
            for m in range(1, 13):
                for d in (15, calendar.monthrange(y, m)[1]):
                    if first <= dt.date(y, m, d) <= last:
                        out.append(dt.date(y, m, d))
        return out
    span = MONTHS_IN[r.every] * r.interval
    offset = span  # the month of each period it falls due in (1-based)
    if r.month and r.every == "year":
        offset = span - 12 + r.month
    elif r.month and r.every == "half-year":
        offset = span - 6 + (r.month - 1) % 6 + 1
    k = 0
    while True:
        months = k * span + offset - 1
        y, m = year0 + months // 12, months % 12 + 1
        end_day = calendar.monthrange(y, m)[1]
        due = dt.date(y, m, min(r.day, end_day) if r.day else end_day)
        if due > last:
            return out
        if due >= first:
            out.append(due)
        k += 1


def plan_due_dates(r: models.Recurrence, plan: models.Plan) -> list[dt.date]:
    """Every date the duty falls due within its plan's window."""
    year0 = plan.period.start + (1 if r.next_year else 0)
    return due_dates(r, *window(r, plan), year0)


def occurrence_key(r: models.Recurrence, due: dt.date) -> str:
    """The name of the occurrence that falls due on `due` (see the module docstring)."""
    if r.every == "week":
        year, week, _ = due.isocalendar()
        return f"{year}-w{week:02d}"
    if r.every == "half-month":
        return due.isoformat()
    if r.every == "month":
        return f"{due.year}-{due.month:02d}"
    if r.every == "quarter":
        return f"{due.year}-q{(due.month - 1) // 3 + 1}"
    if r.every == "half-year":
        return f"{due.year}-h{1 if due.month <= 6 else 2}"
    return str(due.year - 1 if r.next_year else due.year)


def occurrences(r: models.Recurrence, plan: models.Plan) -> dict[str, dt.date]:
    """Occurrence name -> its due date, for every due of the duty in its plan."""
    return {occurrence_key(r, d): d for d in plan_due_dates(r, plan)}
