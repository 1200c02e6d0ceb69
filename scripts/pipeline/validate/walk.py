"""Walking a plan: every text that must be verbatim, every text with its
deadlines and recurring duties (and every time field: `timed`), every
responsibility, every id; and
`squash`, text as it is compared with the source. The rules read plans
through these.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ...model import models
from ...model.dates import normalise

P = tuple  # a path into the YAML document


def verbatim_fields(plan: models.Plan) -> Iterator[tuple[P, str]]:
    """Every authored text of a plan that must appear in its source as printed."""
    for i, ref in enumerate(plan.implements):
        for key in ("title", "issuer", "doc_number"):
            if getattr(ref, key):
                yield ("implements", i, key), getattr(ref, key)
    if plan.preamble:
        yield ("preamble",), plan.preamble
    if plan.goals_intro:
        yield ("goals_intro",), plan.goals_intro
    for i, g in enumerate(plan.goals):
        yield ("goals", i, "text"), g.text
    for i, b in enumerate(plan.organisation):
        if b.text:
            yield ("organisation", i, "text"), b.text
    for i, part in enumerate(plan.parts):
        yield ("parts", i, "title"), part.title
    for i, note in enumerate(plan.scope_notes):
        yield ("scope_notes", i, "text"), note.text
    for ai, a in enumerate(plan.actions):
        yield ("actions", ai, "title"), a.title
        if a.intro:
            yield ("actions", ai, "intro"), a.intro
        for ti, t in enumerate(a.tasks):
            base = ("actions", ai, "tasks", ti)
            yield base + ("title",), t.title
            yield base + ("text",), t.text
            if t.units_text:
                yield base + ("units_text",), t.units_text
            for i, name in enumerate(t.leaders):
                yield base + ("leaders", i), name
    for i, s in enumerate(plan.sections):
        yield ("sections", i, "text"), s.text
        if s.title:
            yield ("sections", i, "title"), s.title
    for ai, annex in enumerate(plan.annexes):
        for ri, row in enumerate(annex.rows):
            base = ("annexes", ai, "rows", ri)
            for key in ("category", "item", "task", "requirement", "lead_text", "support_text", "remark"):
                value = getattr(row, key)
                if value:
                    yield base + (key,), value
            for i, name in enumerate(row.leaders):
                yield base + ("leaders", i), name
            if row.due:
                yield base + ("due", "text"), row.due.text


def dated(plan: models.Plan) -> Iterator[tuple[P, str, list[models.Deadline], list[models.Recurrence]]]:
    """Every text that carries deadlines or recurring duties, with them."""
    for i, g in enumerate(plan.goals):
        yield ("goals", i), g.text, g.deadlines, []
    for ai, a in enumerate(plan.actions):
        for ti, t in enumerate(a.tasks):
            yield ("actions", ai, "tasks", ti), t.text, t.deadlines, t.recurrence
    for i, s in enumerate(plan.sections):
        yield ("sections", i), s.text, s.deadlines, s.recurrence


@dataclass
class Timed:
    """A text that states time, with every field that records it."""

    path: P
    text: str
    deadlines: list[models.Deadline]
    recurrence: list[models.Recurrence]
    ongoing: list[models.Ongoing]
    events: list[models.Event]
    not_time: list[str]
    note: str | None


def timed(plan: models.Plan) -> Iterator[Timed]:
    """Every goal, task and section with its time fields."""
    for i, g in enumerate(plan.goals):
        yield Timed(("goals", i), g.text, g.deadlines, [], [], [], g.not_time, g.note)
    for ai, a in enumerate(plan.actions):
        for ti, t in enumerate(a.tasks):
            yield Timed(("actions", ai, "tasks", ti), t.text, t.deadlines, t.recurrence, t.ongoing, t.events,
                        t.not_time, t.note)
    for i, s in enumerate(plan.sections):
        yield Timed(("sections", i), s.text, s.deadlines, s.recurrence, s.ongoing, s.events, s.not_time, s.note)


def responsibilities(plan: models.Plan) -> Iterator[tuple[P, models.Responsibility]]:
    for ai, a in enumerate(plan.actions):
        for ti, t in enumerate(a.tasks):
            yield ("actions", ai, "tasks", ti), t
    for ai, annex in enumerate(plan.annexes):
        for ri, row in enumerate(annex.rows):
            yield ("annexes", ai, "rows", ri), row


def ids_of(plan: models.Plan) -> Iterator[tuple[P, str, str]]:
    """(path, id, kind) of everything in a plan that has an id."""
    yield ("id",), plan.id, "plan"
    for i, g in enumerate(plan.goals):
        yield ("goals", i, "id"), g.id, "goal"
    for i, b in enumerate(plan.organisation):
        yield ("organisation", i, "id"), b.id, "body"
    for i, p in enumerate(plan.parts):
        yield ("parts", i, "id"), p.id, "part"
    for ai, a in enumerate(plan.actions):
        yield ("actions", ai, "id"), a.id, "action"
        for ti, t in enumerate(a.tasks):
            yield ("actions", ai, "tasks", ti, "id"), t.id, "task"
    for i, s in enumerate(plan.sections):
        yield ("sections", i, "id"), s.id, "section"
    for i, a in enumerate(plan.annexes):
        yield ("annexes", i, "id"), a.id, "annex"


def squash(text: str) -> str:
    """Text as compared with the source: no whitespace, no `**` emphasis."""
    return normalise(text).replace("**", "")
