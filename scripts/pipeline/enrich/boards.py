"""The 挂图作战 board of a jurisdiction (its own plans' open tasks in a grid
by lead unit and quarter), the quarterly bulletin (季度通报) of a
jurisdiction and quarter, and a department's share of both (the progress
section of its page). States come from progress.py.

A jurisdiction's pages list only its own plans; jurisdictions below it are
summarised by counts (`children`), so no page grows with the province.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ...model import models
from ...model.progress import next_quarter, previous_quarter, quarter_bounds, quarter_of
from ...model.urls import board_url, bulletin_url
from .progress import STATE_ORDER, STATES, OccurrenceRow, ReportView, State, items_of
from .reads import derived
from .views import DepartmentView, PlanView


def _at(year: int, quarter: int, now: dt.date) -> dt.date:
    """The day a quarter is judged at: its last day, or today while it runs."""
    return min(quarter_bounds(year, quarter)[1], now)


def count_states(states: list[State]) -> list[tuple[str, str, int]]:
    """(key, word, how many) for each state that occurs, worst first."""
    c = Counter(s.key for s in states)
    return [(k, STATES[k], c[k]) for k in STATE_ORDER if c[k]]


def _units(item: Any) -> list[DepartmentView]:
    return list(item.lead)


def _unit_order(d: DepartmentView | None) -> tuple:
    return (1, "") if d is None else (0, d.data.id)


@dataclass(eq=False)
class Board:
    """The board of one jurisdiction: its plans' tasks and annex rows."""

    jurisdiction: models.Jurisdiction
    plans: list[PlanView]
    now: dt.date
    children: list[tuple[Any, "Board"]] = field(default_factory=list)  # (jurisdiction view, its board)

    @property
    def url(self) -> str:
        return board_url(self.jurisdiction.id)

    @property
    def name(self) -> str:
        return self.jurisdiction.name

    @derived
    def items(self) -> list[Any]:
        return [x for p in self.plans for x in items_of(p)]

    @derived
    def quarters(self) -> list[tuple[int, int]]:
        """The quarters of its plans' periods up to the current one."""
        if not self.plans:
            return []
        first = (min(p.data.period.start for p in self.plans), 1)
        last = min((max(p.data.period.end for p in self.plans), 4), quarter_of(self.now))
        out, q = [], first
        while q <= last:
            out.append(q)
            q = next_quarter(*q)
        return out

    @property
    def current(self) -> tuple[int, int]:
        return quarter_of(self.now)

    @derived
    def states(self) -> list[State]:
        return [x.progress.state for x in self.items]

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        return count_states(self.states)

    @property
    def reported(self) -> int:
        """How many of its items have any report."""
        return sum(bool(x.progress.reports) for x in self.items)

    @derived
    def closed(self) -> list[Any]:
        """Items done before the current quarter began: left out of the grid."""
        start = quarter_bounds(*self.current)[0] - dt.timedelta(days=1)
        return [x for x in self.items if x.progress.state_at(start).key == "done"]

    @derived
    def grid(self) -> list[tuple[DepartmentView | None, list[tuple[Any, list[State]]]]]:
        """The open items by lead unit (each under every unit that leads it;
        None: no lead unit named), each with its state at the end of every
        quarter of `quarters` (the current one: today)."""
        closed = {id(x) for x in self.closed}
        ats = [_at(y, q, self.now) for y, q in self.quarters]
        groups: dict[str, tuple[DepartmentView | None, list]] = {}
        for x in self.items:
            if id(x) in closed:
                continue
            row = (x, [x.progress.state_at(at) for at in ats])
            for unit in _units(x) or [None]:
                key = unit.data.id if unit else ""
                groups.setdefault(key, (unit, []))[1].append(row)
        return sorted(groups.values(), key=lambda g: _unit_order(g[0]))

    @derived
    def bulletins(self) -> list["Bulletin"]:
        """One per quarter of `quarters`, newest first."""
        return [Bulletin(self, y, q) for y, q in reversed(self.quarters)]

    @property
    def latest_bulletin(self) -> "Bulletin | None":
        return self.bulletins[0] if self.bulletins else None

    @property
    def total_counts(self) -> list[tuple[str, str, int]]:
        c = self.totals()
        return [(k, STATES[k], c[k]) for k in STATE_ORDER if c[k]]

    def totals(self) -> Counter:
        """Counts of current states, its own and every board below it."""
        c = Counter(s.key for s in self.states)
        for _, child in self.children:
            c += child.totals()
        return c


@dataclass(eq=False)
class UnitLine:
    """One lead unit's line of a bulletin."""

    unit: DepartmentView | None
    items: list[Any]
    states: list[State]
    reports: int  # its reports dated in the quarter
    missed: list[tuple[Any, Any, OccurrenceRow]]  # (item, duty, occurrence) due in the quarter, unreported

    def count(self, *keys: str) -> int:
        return sum(s.key in keys for s in self.states)

    def listed(self, *keys: str) -> list[tuple[Any, State]]:
        return [(x, s) for x, s in zip(self.items, self.states) if s.key in keys]


@dataclass(eq=False)
class Bulletin:
    """The quarterly bulletin of one jurisdiction: where each lead unit's
    tasks stand at the quarter's end (today while it runs), which recurring
    duties that fell due in it were not reported, and what changed since the
    end of the quarter before."""

    board: Board
    year: int
    quarter: int

    @property
    def url(self) -> str:
        return bulletin_url(self.board.jurisdiction.id, self.year, self.quarter)

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"

    @property
    def at(self) -> dt.date:
        return _at(self.year, self.quarter, self.board.now)

    @property
    def first(self) -> dt.date:
        return quarter_bounds(self.year, self.quarter)[0]

    @property
    def is_current(self) -> bool:
        return (self.year, self.quarter) == self.board.current

    @property
    def before(self) -> dt.date:
        return self.first - dt.timedelta(days=1)

    @property
    def previous(self) -> "Bulletin | None":
        prev = previous_quarter(self.year, self.quarter)
        return next((b for b in self.board.bulletins if (b.year, b.quarter) == prev), None)

    @property
    def next(self) -> "Bulletin | None":
        nxt = next_quarter(self.year, self.quarter)
        return next((b for b in self.board.bulletins if (b.year, b.quarter) == nxt), None)

    @derived
    def units(self) -> list[UnitLine]:
        by_unit: dict[str, tuple[DepartmentView | None, list]] = {}
        for x in self.board.items:
            for unit in _units(x) or [None]:
                by_unit.setdefault(unit.data.id if unit else "", (unit, []))[1].append(x)
        lines = []
        for unit, items in sorted(by_unit.values(), key=lambda g: _unit_order(g[0])):
            states = [x.progress.state_at(self.at) for x in items]
            reports = sum(1 for x in items for r in x.progress.reports
                          if self.first <= r.date <= self.at and (unit is None or r.unit is unit))
            missed = [(x, duty, occ) for x in items for duty, occs in x.progress.duties
                      for occ in occs if self.first <= occ.due <= self.at and not occ.reported]
            lines.append(UnitLine(unit, items, states, reports, missed))
        return lines

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        return count_states([s for line in self.units for s in line.states])

    @derived
    def changes(self) -> list[tuple[Any, State, State]]:
        """Items whose state at `at` differs from their state at the end of
        the quarter before."""
        out = []
        for x in self.board.items:
            old, new = x.progress.state_at(self.before), x.progress.state_at(self.at)
            if old != new:
                out.append((x, old, new))
        return out

    @derived
    def reports(self) -> list[ReportView]:
        """Every report dated in the quarter, by date."""
        found = [r for x in self.board.items for r in x.progress.reports if self.first <= r.date <= self.at]
        return sorted(found, key=lambda r: (r.date, r.anchor))

    @property
    def missed(self) -> int:
        return sum(len(line.missed) for line in self.units)


def department_items(dep: DepartmentView) -> list[tuple[Any, str]]:
    """(task or annex row, 牵头 or 配合) for everything a department is
    responsible for, in plan order: its tasks, then the annex rows that name
    it and restate none of them."""
    out = [(t, dep.role_in(t)) for t in dep.tasks]
    tasks = set(map(id, dep.tasks))
    out += [(r, "牵头" if dep in r.lead else "配合") for r in dep.annex_rows
            if not any(id(t) in tasks for t in r.restates) and not r.restates]
    return out


def department_counts(dep: DepartmentView) -> list[tuple[str, str, int]]:
    return count_states([x.progress.state for x, _ in department_items(dep)])


def boards(plans: list[PlanView], jurisdictions: dict[str, models.Jurisdiction], now: dt.date) -> dict[str, Board]:
    """jurisdiction id -> its board, for every jurisdiction with plans."""
    by: dict[str, list[PlanView]] = {}
    for p in plans:
        by.setdefault(p.data.jurisdiction, []).append(p)
    return {jid: Board(jurisdictions[jid], ps, now) for jid, ps in sorted(by.items()) if jid in jurisdictions}
