"""Progress reports as data: data/progress/<plan-id>/<YYYY>-q<N>.yaml, one file
per plan per quarter, each report dated and made by one unit on one task, one
annex row or one occurrence of a task's recurring duty.

The JSON Schema data/schema/progress.schema.json is generated from these
models (`make schema`); the rules that read reports against the plans
(the task exists, the unit is responsible, dates, statuses going backwards)
are in scripts/pipeline/validate/progress.py.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import Field

from .models import Id, Strict, Text

# Line 1 of every progress file (checked by the validator, written by `make import-progress`).
PROGRESS_SCHEMA_COMMENT = "# yaml-language-server: $schema=../../schema/progress.schema.json"

STATUSES = ("未启动", "推进中", "已完成", "已销号", "滞后")
Status = Literal["未启动", "推进中", "已完成", "已销号", "滞后"]
# How far a status has got: a later report with a lower rank goes backwards and needs a note.
RANK = {"未启动": 0, "推进中": 1, "滞后": 1, "已完成": 2, "已销号": 3}
DONE = ("已完成", "已销号")

QUARTER = re.compile(r"^(\d{4})-q([1-4])$")
OCCURRENCE = r"^\d{4}(-(q[1-4]|h[12]|w\d{2}|\d{2}(-\d{2})?))?$"


class Report(Strict):
    """One report: what it is on (a task; an annex row; or an occurrence of a
    task's recurring duty), who reports, when, and how far the work has got."""

    task: Id | None = Field(default=None, description="Id of the task reported on (alone, or with `occurrence`).")
    annex: Id | None = Field(default=None, description="Id of the annex, for a report on an annex row (with `row`).")
    row: int | None = Field(default=None, ge=1, description="序号 of the annex row reported on (with `annex`).")
    occurrence: str | None = Field(
        default=None, pattern=OCCURRENCE,
        description="For a recurring duty of the task: the occurrence reported on, named after its period: "
        "2025-03 (每月), 2025-q1 (每季度), 2025-h1 (每半年), 2025 (每年), 2025-w07 (每周), 2025-03-15 (每半月).",
    )
    unit: Id = Field(description="Id of the reporting department: a lead or supporting unit of what it reports on.")
    date: dt.date = Field(description="报送日期: inside the file's quarter and the plan's period, not in the future.")
    status: Status = Field(description="未启动, 推进中, 已完成, 已销号 or 滞后.")
    text: Text = Field(description="进展情况: what was done, as the unit reports it.")
    evidence: str | None = Field(default=None, description="佐证材料: a document number or an intranet link.")
    note: str | None = Field(default=None, description="Required when the status goes backwards (e.g. 已完成 -> 推进中): why.")


class ProgressFile(Strict):
    """data/progress/<plan-id>/<YYYY>-q<N>.yaml: one plan's reports of one quarter."""

    plan: Id = Field(description="Id of the plan: equals the folder name.")
    quarter: str = Field(pattern=QUARTER.pattern, description="The quarter, YYYY-qN: equals the file name.")
    reports: list[Report] = Field(default_factory=list)


def quarter_of(date: dt.date) -> tuple[int, int]:
    return date.year, (date.month - 1) // 3 + 1


def quarter_name(year: int, quarter: int) -> str:
    return f"{year}-q{quarter}"


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * quarter - 2, 1)
    last = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return first, last


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)
