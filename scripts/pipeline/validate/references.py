"""Rules on references: every department, topic, national line and target,
part and restated task a plan names exists, and a department a plan names
belongs to the plan's own jurisdiction. (Jurisdictions and `implements`:
jurisdictions.py.)"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from ...model import models
from ..load.corpus import Corpus, Loaded
from ..load.document import Problem
from .rules import local_rule
from .walk import P, ids_of, responsibilities


@local_rule
def department_references_resolve(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Every department id a plan names is in a department registry."""
    known = list(corpus.departments)

    def check(path: P, ident: str) -> Iterator[Problem]:
        if ident not in corpus.departments:
            close = difflib.get_close_matches(ident, known, n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            yield p.doc.problem(path, f"unknown department '{ident}'{hint}")

    for path, r in responsibilities(p.model):
        for key in ("lead", "support"):
            for i, ident in enumerate(getattr(r, key)):
                yield from check(path + (key, i), ident)
    for si, note in enumerate(p.model.scope_notes):
        for key in ("lead", "support"):
            for i, ident in enumerate(getattr(note, key)):
                yield from check(("scope_notes", si, key, i), ident)
    for bi, b in enumerate(p.model.organisation):
        for mi, m in enumerate(b.members):
            if m.department:
                yield from check(("organisation", bi, "members", mi, "department"), m.department)


@local_rule
def topics_resolve(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Every topic a task is tagged with is in data/topics.yaml."""
    for ai, a in enumerate(p.model.actions):
        for ti, t in enumerate(a.tasks):
            for i, topic in enumerate(t.topics):
                if topic not in corpus.topic_ids:
                    close = difflib.get_close_matches(topic, sorted(corpus.topic_ids), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    yield p.doc.problem(("actions", ai, "tasks", ti, "topics", i), f"unknown topic '{topic}'{hint}")


@local_rule
def national_lines_resolve(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Every national line of action an action or task maps to is in data/national.yaml."""
    for ai, a in enumerate(p.model.actions):
        refs = [(("actions", ai, "national", i), n) for i, n in enumerate(a.national)]
        for ti, t in enumerate(a.tasks):
            refs += [(("actions", ai, "tasks", ti, "national", i), n) for i, n in enumerate(t.national)]
        for path, n in refs:
            if n not in corpus.national_ids:
                yield p.doc.problem(path, f"unknown national line of action '{n}'")


@local_rule
def goal_targets_resolve(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Every national target a goal restates is in data/national.yaml."""
    targets = {t.id for t in corpus.national.model.targets} if corpus.national and corpus.national.model else set()
    for gi, g in enumerate(p.model.goals):
        for i, n in enumerate(g.national):
            if n not in targets:
                yield p.doc.problem(("goals", gi, "national", i), f"unknown national target '{n}'")


@local_rule
def parts_resolve(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """An action's part is one of the plan's parts."""
    parts = {part.id for part in p.model.parts}
    for ai, a in enumerate(p.model.actions):
        if a.part and a.part not in parts:
            yield p.doc.problem(("actions", ai, "part"), f"unknown part '{a.part}'")


@local_rule
def annex_rows_point_at_plan(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """An annex row restates tasks (or goals, bodies, sections) of the same plan."""
    targets = {ident for _, ident, kind in ids_of(p.model) if kind in ("task", "goal", "body", "section")}
    for ai, annex in enumerate(p.model.annexes):
        for ri, row in enumerate(annex.rows):
            for i, ident in enumerate(row.restates):
                if ident not in targets:
                    close = difflib.get_close_matches(ident, sorted(targets), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    yield p.doc.problem(
                        ("annexes", ai, "rows", ri, "restates", i), f"'{ident}' is not a task of this plan{hint}"
                    )
        if annex.rows and annex.year is None and any(r.due for r in annex.rows):
            yield p.doc.problem(("annexes", ai), "an annex with 时间节点 needs 'year:' for its bare months")


@local_rule
def scope_notes_govern_tasks(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A scope note governs tasks of its own plan, each named once, and
    assigns at least one unit."""
    tasks = {ident for _, ident, kind in ids_of(p.model) if kind == "task"}
    for si, note in enumerate(p.model.scope_notes):
        seen: set[str] = set()
        for i, ident in enumerate(note.tasks):
            if ident not in tasks:
                close = difflib.get_close_matches(ident, sorted(tasks), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                yield p.doc.problem(("scope_notes", si, "tasks", i), f"'{ident}' is not a task of this plan{hint}")
            elif ident in seen:
                yield p.doc.problem(("scope_notes", si, "tasks", i), f"'{ident}' is listed twice")
            seen.add(ident)
        if not note.lead and not note.support:
            yield p.doc.problem(("scope_notes", si), "a scope note assigns units: give 'lead' or 'support'")


def _department_refs(plan: models.Plan) -> Iterator[tuple[P, str]]:
    """(path, department id) of every unit a plan assigns: lead, support
    (of tasks, annex rows and scope notes) and organisation members."""
    for path, r in responsibilities(plan):
        for key in ("lead", "support"):
            for i, ident in enumerate(getattr(r, key)):
                yield path + (key, i), ident
    for si, note in enumerate(plan.scope_notes):
        for key in ("lead", "support"):
            for i, ident in enumerate(getattr(note, key)):
                yield ("scope_notes", si, key, i), ident
    for bi, b in enumerate(plan.organisation):
        for mi, m in enumerate(b.members):
            if m.department:
                yield ("organisation", bi, "members", mi, "department"), m.department


@local_rule
def departments_in_own_jurisdiction(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A lead, support or member department belongs to the registry of the
    plan's own jurisdiction (units of other levels that the plan names, such as
    区安委办 in a street plan, are registered there too)."""
    jid = p.model.jurisdiction
    if jid not in corpus.jurisdictions:
        return  # reported by jurisdiction_exists
    for path, ident in _department_refs(p.model):
        if ident not in corpus.departments:
            continue  # reported by department_references_resolve
        other = corpus.departments[ident][1].model.jurisdiction.id
        if other != jid:
            yield p.doc.problem(
                path,
                f"the department '{ident}' belongs to the registry of '{other}', not to this plan's "
                f"jurisdiction '{jid}'; register the unit in data/departments/{jid}.yaml",
            )
