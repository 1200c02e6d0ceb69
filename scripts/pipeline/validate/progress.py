"""Rules on progress reports (data/progress/<plan-id>/<YYYY>-q<N>.yaml, models
in scripts/model/progress.py): the file's place and first line; each report
names one task, annex row or duty occurrence of its plan; the unit is
responsible for it; the date lies in the file's quarter and the plan's
period and not after today; a status never goes backwards without a note;
no report twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ...model import models
from ...model.dates import today
from ...model.occurrences import occurrences
from ...model.progress import PROGRESS_SCHEMA_COMMENT, QUARTER, RANK, Report, quarter_bounds
from ..load.corpus import Corpus, Loaded
from ..load.document import Problem
from .rules import corpus_rule


@dataclass
class _Plan:
    """What the rules need of one plan: its tasks with their units and
    occurrences, its annex rows with their units."""

    model: models.Plan
    tasks: dict[str, set[str]] = field(default_factory=dict)  # task id -> responsible unit ids (none named: empty)
    occurrences: dict[str, dict[str, dt.date]] = field(default_factory=dict)  # task id -> occurrence -> due
    rows: dict[tuple[str, int], set[str]] = field(default_factory=dict)  # (annex id, number) -> unit ids
    previous: dict[str, str] = field(default_factory=dict)  # an old task id -> its task's id now


def _plans(corpus: Corpus) -> dict[str, _Plan]:
    """Plan id -> _Plan, made once per corpus."""
    cached = corpus.__dict__.get("_progress_plans")
    if cached is not None:
        return cached
    out: dict[str, _Plan] = {}
    for loaded in corpus.plans:
        p = loaded.model
        if p is None:
            continue
        info = _Plan(p)
        for a in p.actions:
            for t in a.tasks:
                units = {*t.lead, *t.support}
                for note in p.scope_notes:
                    if t.id in note.tasks:
                        units |= {*note.lead, *note.support}
                info.tasks[t.id] = units
                for r in t.recurrence:
                    info.occurrences.setdefault(t.id, {}).update(occurrences(r, p))
                for old in t.previous_ids:
                    info.previous[old] = t.id
        for annex in p.annexes:
            for row in annex.rows:
                info.rows[(annex.id, row.number)] = {*row.lead, *row.support}
        out[p.id] = info
    corpus.__dict__["_progress_plans"] = out
    return out


def _files(corpus: Corpus) -> Iterator[tuple[Loaded, _Plan | None]]:
    plans = _plans(corpus)
    for f in corpus.progress:
        if f.model is not None:
            yield f, plans.get(f.model.plan)


def _named(r: Report) -> bool:
    return (r.task is not None) != (r.annex is not None or r.row is not None)


def _target(r: Report) -> tuple:
    return ("task", r.task, r.occurrence) if r.task else ("annex", r.annex, r.row)


def _what(r: Report) -> str:
    if r.task:
        return f"task {r.task}" + (f" (occurrence {r.occurrence})" if r.occurrence else "")
    return f"row {r.row} of annex {r.annex}"


@corpus_rule
def progress_file_place(corpus: Corpus) -> Iterable[Problem]:
    """A progress file is data/progress/<plan-id>/<YYYY>-q<N>.yaml: its `plan`
    is the folder's name and a plan of the data, its `quarter` the file's name."""
    plans = _plans(corpus)
    root = corpus.data_dir / "progress"
    for f in corpus.progress:
        rel = f.doc.path.relative_to(root).parts if f.doc.path.is_relative_to(root) else ()
        if len(rel) != 2 or not QUARTER.match(f.doc.path.stem):
            yield Problem(f.doc.name, 1, 1, "a progress file is data/progress/<plan-id>/<YYYY>-q<N>.yaml "
                          "(e.g. data/progress/maogang-2024-2026/2025-q1.yaml)")
            continue
        if f.model is None:
            continue
        if f.model.plan != rel[0]:
            yield f.doc.problem(("plan",), f"plan '{f.model.plan}' must equal the folder name '{rel[0]}'")
        elif f.model.plan not in plans:
            yield f.doc.problem(("plan",), f"there is no plan '{f.model.plan}' in data/plans/")
        if f.model.quarter != f.doc.path.stem:
            yield f.doc.problem(("quarter",), f"quarter '{f.model.quarter}' must equal the file name '{f.doc.path.stem}'")


@corpus_rule
def progress_schema_comment_first(corpus: Corpus) -> Iterable[Problem]:
    """Line 1 of a progress file points editors at its JSON Schema."""
    for f in corpus.progress:
        first = f.doc.path.read_text(encoding="utf-8", errors="replace").lstrip("\ufeff").split("\n", 1)[0].strip()
        if first != PROGRESS_SCHEMA_COMMENT:
            yield Problem(f.doc.name, 1, 1, f"the first line must be '{PROGRESS_SCHEMA_COMMENT}'")


@corpus_rule
def report_names_one_thing(corpus: Corpus) -> Iterable[Problem]:
    """A report is on a task (with `occurrence` for one of its recurring
    duties), or on an annex row (`annex` and `row`), never both."""
    for f, _ in _files(corpus):
        for i, r in enumerate(f.model.reports):
            if not _named(r):
                yield f.doc.problem(("reports", i), "a report names either `task` or `annex` with `row`, not both or neither")
            elif r.annex is not None and r.row is None or r.row is not None and r.annex is None:
                yield f.doc.problem(("reports", i), "a report on an annex row names both `annex` and `row`")
            elif r.occurrence and not r.task:
                yield f.doc.problem(("reports", i, "occurrence"), "`occurrence` belongs to a report on a task")


@corpus_rule
def report_target_exists(corpus: Corpus) -> Iterable[Problem]:
    """The task, or the annex row, a report is on is in the plan of its file."""
    for f, plan in _files(corpus):
        if plan is None:
            continue
        for i, r in enumerate(f.model.reports):
            if not _named(r):
                continue
            if r.task and r.task not in plan.tasks:
                hint = f"; it is now '{plan.previous[r.task]}'" if r.task in plan.previous else ""
                yield f.doc.problem(("reports", i, "task"), f"plan {plan.model.id} has no task '{r.task}'{hint}")
            elif r.annex is not None and r.row is not None and (r.annex, r.row) not in plan.rows:
                yield f.doc.problem(("reports", i, "row"), f"plan {plan.model.id} has no row {r.row} in annex '{r.annex}'")


@corpus_rule
def report_unit_responsible(corpus: Corpus) -> Iterable[Problem]:
    """The reporting unit is a department of the data and a lead or
    supporting unit of the task or annex row (scope notes included); where
    the task names no unit (按职责分工负责), a unit of the plan's jurisdiction."""
    for f, plan in _files(corpus):
        if plan is None:
            continue
        for i, r in enumerate(f.model.reports):
            if r.unit not in corpus.departments:
                yield f.doc.problem(("reports", i, "unit"), f"unknown department '{r.unit}' (ids are in data/departments/)")
                continue
            units = plan.tasks.get(r.task) if r.task else plan.rows.get((r.annex, r.row))
            if units == set():  # no unit named (按职责分工负责): any unit of the plan's jurisdiction
                _, registry = corpus.departments[r.unit]
                if registry.model.jurisdiction.id != plan.model.jurisdiction:
                    yield f.doc.problem(("reports", i, "unit"), f"{_what(r)} names no unit; '{r.unit}' is not a unit of "
                                        f"the plan's jurisdiction '{plan.model.jurisdiction}'")
            elif units is not None and r.unit not in units:
                listed = "、".join(sorted(units)) or "none"
                yield f.doc.problem(("reports", i, "unit"),
                                    f"'{r.unit}' is not a lead or supporting unit of {_what(r)} (its units: {listed})")


def _last_year(plan: _Plan, r: Report, end: int) -> int:
    """The period's last year; for an occurrence due after it (次年 duties), the year it falls due."""
    due = plan.occurrences.get(r.task or "", {}).get(r.occurrence or "")
    return max(end, due.year) if due else end


@corpus_rule
def report_date_in_period(corpus: Corpus) -> Iterable[Problem]:
    """A report is dated inside its plan's period (or, on an occurrence of a
    次年 duty, by the year it falls due) and not after today (NOW)."""
    now = today()
    for f, plan in _files(corpus):
        if plan is None:
            continue
        start, end = plan.model.period.start, plan.model.period.end
        for i, r in enumerate(f.model.reports):
            if r.date > now:
                yield f.doc.problem(("reports", i, "date"), f"{r.date.isoformat()} is in the future (today is {now.isoformat()})")
            elif not start <= r.date.year <= _last_year(plan, r, end):
                yield f.doc.problem(("reports", i, "date"), f"{r.date.isoformat()} is outside the plan's period {start}–{end}")


@corpus_rule
def report_date_in_quarter(corpus: Corpus) -> Iterable[Problem]:
    """A report is dated inside the quarter its file is for."""
    for f, _ in _files(corpus):
        m = QUARTER.match(f.model.quarter)
        first, last = quarter_bounds(int(m[1]), int(m[2]))
        for i, r in enumerate(f.model.reports):
            if not first <= r.date <= last:
                yield f.doc.problem(("reports", i, "date"), f"{r.date.isoformat()} is not in {f.model.quarter} "
                                    f"({first.isoformat()}–{last.isoformat()}): it belongs in another quarter's file")


@corpus_rule
def report_occurrence_known(corpus: Corpus) -> Iterable[Problem]:
    """A report's occurrence is one of the occurrences of its task's recurring duties."""
    for f, plan in _files(corpus):
        if plan is None:
            continue
        for i, r in enumerate(f.model.reports):
            if not (r.task and r.occurrence) or r.task not in plan.tasks:
                continue
            known = plan.occurrences.get(r.task, {})
            if not known:
                yield f.doc.problem(("reports", i, "occurrence"), f"task {r.task} has no recurring duty to report an occurrence of")
            elif r.occurrence not in known:
                some = "、".join(list(known)[:4])
                yield f.doc.problem(("reports", i, "occurrence"),
                                    f"'{r.occurrence}' is no occurrence of task {r.task}'s recurring duties (they are named like {some} …)")


def _reports_by_target(corpus: Corpus) -> dict[tuple, list[tuple[Report, Loaded, int]]]:
    """(plan, target, unit) -> its reports with their file and index, by date."""
    out: dict[tuple, list[tuple[Report, Loaded, int]]] = {}
    for f, _ in _files(corpus):
        for i, r in enumerate(f.model.reports):
            if _named(r):
                out.setdefault((f.model.plan, _target(r), r.unit), []).append((r, f, i))
    for reports in out.values():
        reports.sort(key=lambda x: (x[0].date, x[1].model.quarter, x[2]))
    return out


@corpus_rule
def status_backwards_needs_note(corpus: Corpus) -> Iterable[Problem]:
    """A unit's report whose status is behind its previous report on the same
    thing (已完成 -> 推进中, 推进中 -> 未启动 …) says why in `note`."""
    for reports in _reports_by_target(corpus).values():
        for (before, _, _), (r, f, i) in zip(reports, reports[1:]):
            if RANK[r.status] < RANK[before.status] and not (r.note or "").strip():
                yield f.doc.problem(("reports", i, "status"),
                                    f"{r.status} goes back from {before.status} (reported {before.date.isoformat()}): "
                                    "add a `note` saying why")


@corpus_rule
def no_duplicate_report(corpus: Corpus) -> Iterable[Problem]:
    """A unit reports on the same thing at most once a day."""
    for reports in _reports_by_target(corpus).values():
        for (before, bf, bi), (r, f, i) in zip(reports, reports[1:]):
            if r.date == before.date:
                line, _ = bf.doc.where(("reports", bi))
                yield f.doc.problem(("reports", i), f"{r.unit} already reported on {_what(r)} on {r.date.isoformat()} "
                                    f"({bf.doc.name}:{line}); change that report or date this one")
