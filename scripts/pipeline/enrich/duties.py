"""The views of time: a deadline, a recurring duty, an ongoing duty
(持续性要求) and timing tied to an event (节点性要求), each stated by a task,
goal, section or annex row (its `owner`, which says what it is, where it
links and who owes it). enrich() makes them; their computed fields are listed
at the top of scripts/pipeline/enrich/__init__.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...model import models
from ...model.occurrences import window
from ...model.phrases import every_words
from ...model.urls import RECURRING_URL, TIMELINE_URL, timeline_area_url
from .reads import derived
from .timeline import STATUS_LABELS, due_dates, rrule_parts

if TYPE_CHECKING:  # not run: views.py imports this module
    from .views import DepartmentView, PlanView

KIND_LABELS = {"task": "任务", "goal": "工作目标", "section": "工作要求", "annex": "任务清单"}
# Why a date's year is not printed with its words (DeadlineView.year_source).
INFERRED_LABELS = {
    "plan": "年份按方案年度推定",
    "annex": "年份按清单年度",
    "override": "年份由编者据上下文确定",
    "bare-year": "仅写年份，按年底计",
}
INFERRED_NOTES = {
    "plan": "原文只写月份或“年内”“上半年”等，未写年份：按方案的起始年度计。",
    "annex": "原文只写月份，未写年份：按所在任务清单的年度计。",
    "override": "原文未写年份：编者按上下文确定年份。",
    "bare-year": "原文只写年份，未写月日：按该年年底计。",
}
EDITOR_DATED = "日期由编者补注"


class _View:
    """Views point at each other (a task at its departments, a department at
    its tasks …): a short repr keeps tracebacks and test reports readable."""

    def __repr__(self) -> str:
        data = getattr(self, "data", None)
        ident = getattr(data, "id", None) or getattr(data, "text", None) or getattr(data, "number", "")
        return f"<{type(self).__name__} {ident}>"


class _Owned(_View):
    """A deadline or duty: what it is, where it links and who owes it come
    from the task, goal, section or annex row that states it."""

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
    # Why the year is not the words' own: plan | annex | override | bare-year (None: the words print it)
    year_source: str | None = None

    editor_dated = False  # an event an editor gave a date (EventView)

    @property
    def date(self) -> dt.date:
        return self.data.date

    @property
    def inferred(self) -> bool:
        """The year comes from the rule or an editor, or the words are a bare year."""
        return self.year_source is not None

    @property
    def inferred_label(self) -> str:
        """Words marking a date the plan does not print whole ("" if it does)."""
        return INFERRED_LABELS.get(self.year_source or "", "")

    @property
    def inferred_note(self) -> str:
        return INFERRED_NOTES.get(self.year_source or "", "")

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
        """Its line on the timeline: the page of its quarter and its plan's
        area (the timeline is split by quarter and jurisdiction area)."""
        j = self.plan.jurisdiction_view
        if j is None:
            return f"{TIMELINE_URL}#{self.anchor}"
        return f"{timeline_area_url(self.year, self.quarter, j.area.data.id)}#{self.anchor}"


@dataclass(eq=False, repr=False)
class RecurrenceView(_Owned):
    data: models.Recurrence
    owner: Any  # TaskView or SectionView
    plan: "PlanView"
    index: int = 1

    @property
    def every_label(self) -> str:
        """The period in words: 每月, 每两个月, 每周, 每半月, 每两年."""
        return every_words(self.data.every, self.data.interval)

    @property
    def due_label(self) -> str:
        """When in its period it falls due, in words ("" for the period's end):
        25日前; 3月底前; （次年3月底前）; 15日和月末."""
        r = self.data
        if r.every == "half-month":
            return "15日和月末"
        when = (f"{r.month}月{r.day}日前" if r.day else f"{r.month}月底前") if r.month else \
            (f"{r.day}日前" if r.day else "")
        if r.next_year:
            return f"（次年{when or '年底前'}）"
        return when

    @property
    def label(self) -> str:
        return f"{self.every_label}{self.due_label}至少{self.data.min_count}次"

    @property
    def title(self) -> str:
        return self.owner.label

    @property
    def anchor(self) -> str:
        return f"every-{self.owner.anchor}-{self.index}"

    @property
    def group(self) -> str:
        """Its period's key on the recurring-duty calendar: month, month-2 …"""
        r = self.data
        return r.every if r.interval == 1 else f"{r.every}-{r.interval}"

    @property
    def calendar_url(self) -> str:
        """Its period's section of the recurring-duty calendar."""
        return f"{RECURRING_URL}#every-{self.group}"

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        """The days its dues fall on: from 1 January of the plan's first year
        (or the issue date, when later) to the end of its last year; a duty
        for each year due in the next (次年) falls a year later."""
        return window(self.data, self.plan.data)

    @property
    def due_dates(self) -> list[dt.date]:
        """Every date the duty falls due within its window (timeline.due_dates)."""
        year0 = self.plan.data.period.start + (1 if self.data.next_year else 0)
        return due_dates(self.data, *self.window, year0)

    @derived
    def months(self) -> list[int]:
        """The months of a year in which the duty falls due (kept: the
        calendars ask every duty about every month)."""
        return sorted({d.month for d in self.due_dates})

    @property
    def first_due(self) -> dt.date:
        dues = self.due_dates
        return dues[0] if dues else self.window[0]

    @property
    def last_due(self) -> dt.date:
        dues = self.due_dates
        return dues[-1] if dues else self.window[1]

    @property
    def until(self) -> dt.date:
        """The end of the plan's period (of the year after it, for 次年 duties)."""
        return self.window[1] if not self.data.next_year else self.last_due

    @property
    def rrule(self) -> dict[str, Any]:
        """RFC 5545 RRULE parts for the ICS downloads (timeline.rrule_parts)."""
        return rrule_parts(self.data, self.first_due, self.until)


@dataclass(eq=False, repr=False)
class OngoingView(_Owned):
    """An ongoing duty (持续性要求): never dated."""

    data: models.Ongoing
    owner: Any  # TaskView or SectionView
    plan: "PlanView"
    index: int = 1

    @property
    def label(self) -> str:
        return self.owner.label

    @property
    def anchor(self) -> str:
        return f"ongoing-{self.owner.anchor}-{self.index}"


@dataclass(eq=False, repr=False)
class EventView(DeadlineView):
    """Timing tied to an event (节点性要求: 汛期前, 春节前 …). Undated, it is
    listed beside the ongoing duties; dated by an editor, it is also a
    deadline on the timelines and calendars, marked as the editor's."""

    data: models.Event  # type: ignore[assignment]

    @property
    def dated(self) -> bool:
        return self.data.date is not None

    @property
    def editor_dated(self) -> bool:  # type: ignore[override]
        return self.dated

    @property
    def inferred_label(self) -> str:
        return EDITOR_DATED if self.dated else ""

    @property
    def inferred_note(self) -> str:
        return f"原文未写日期，编者补注：{self.data.note}" if self.dated else ""

    @property
    def anchor(self) -> str:
        """Dated, it is on the timelines beside the deadlines (due-…); undated, event-…"""
        return f"due-{self.owner.anchor}-e{self.index}" if self.dated else f"event-{self.owner.anchor}-{self.index}"
