"""Plans side by side, and against the national plan: for each national (or
local) line of action, what every plan says under it; for each national
target, the goals that restate it (authored, or found by wording:
infer_targets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...model import models
from .same_duty import norm
from .timeline import STATUS_LABELS
from .views import ActionView, GoalView, PlanView, TaskView


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
    return LineRow(line, local, [PlanCell(p, list(p.by_line.get(line.id, ()))) for p in plans])


_TARGET_MATCH = 0.5  # share of a target's character pairs found in a goal's text


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)}


def _strip_date(s: str) -> str:
    return re.sub(r"\d{4}年(?:底|年底)?(?:前|以前|之前)?", "", s, count=1)


def infer_targets(goal: models.Goal, targets: list[models.Target]) -> list[models.Target]:
    """National targets a goal restates by its wording: a deadline in the
    target's year, and at least half of the target's character pairs (its
    date words aside) in the goal's text."""
    text = norm(goal.text)
    years = {d.date.year for d in goal.deadlines}
    out = []
    for t in targets:
        if t.date.year not in years:
            continue
        grams = _bigrams(norm(_strip_date(t.text)))
        if grams and len(grams & _bigrams(text)) / len(grams) >= _TARGET_MATCH:
            out.append(t)
    return out
