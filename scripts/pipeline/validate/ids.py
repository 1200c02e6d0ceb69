"""Rules on ids: unique inside a plan and across all files; a previous id
is never used again."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ...model import models
from ..load.corpus import Corpus, Loaded
from ..load.document import Problem
from .rules import corpus_rule, local_rule
from .walk import P, ids_of


@local_rule
def ids_unique_in_plan(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """No id is used twice inside a plan."""
    seen: dict[str, P] = {}
    for path, ident, kind in ids_of(p.model):
        if ident in seen and kind != "plan":
            line, _ = p.doc.where(seen[ident])
            yield p.doc.problem(path, f"the id '{ident}' is already used on line {line}")
        seen.setdefault(ident, path)


@corpus_rule
def ids_unique_across_files(corpus: Corpus) -> Iterable[Problem]:
    """Ids are unique across all plans, jurisdictions and departments, and a
    previous id is never reused for something else."""
    seen: dict[str, tuple[Loaded, P]] = {}
    previous: dict[str, tuple[Loaded, P]] = {}

    def entries():
        for p in corpus.plans:
            if p.model is None:
                continue
            for path, ident, kind in ids_of(p.model):
                yield p, path, ident
            for path, obj in _with_previous(p.model):
                for i, old in enumerate(obj.previous_ids):
                    previous.setdefault(old, (p, path + ("previous_ids", i)))
        for reg in corpus.registries:
            if reg.model is None:
                continue
            j = reg.model.jurisdiction
            yield reg, ("jurisdiction", "id"), j.id
            for k, old in enumerate(j.previous_ids):
                previous.setdefault(old, (reg, ("jurisdiction", "previous_ids", k)))
            for i, d in enumerate(reg.model.departments):
                yield reg, ("departments", i, "id"), d.id
                for j, old in enumerate(d.previous_ids):
                    previous.setdefault(old, (reg, ("departments", i, "previous_ids", j)))

    for loaded, path, ident in entries():
        if ident in seen:
            other, other_path = seen[ident]
            if other is loaded:
                continue  # reported by ids_unique_in_plan
            line, _ = other.doc.where(other_path)
            yield loaded.doc.problem(path, f"the id '{ident}' is already used in {other.doc.name}:{line}")
        else:
            seen[ident] = (loaded, path)
    for old, (loaded, path) in previous.items():
        if old in seen:
            other, other_path = seen[old]
            line, _ = other.doc.where(other_path)
            yield loaded.doc.problem(
                path, f"the previous id '{old}' is in use again at {other.doc.name}:{line}; ids are never reused"
            )


def _with_previous(plan: models.Plan) -> Iterator[tuple[P, Any]]:
    yield (), plan
    for ai, a in enumerate(plan.actions):
        yield ("actions", ai), a
        for ti, t in enumerate(a.tasks):
            yield ("actions", ai, "tasks", ti), t
