"""Rules on the jurisdiction hierarchy and the links between plans: every
parent exists, parents form no cycle, a plan's jurisdiction exists, and what
a plan `implements` resolves (a plan on the site, a jurisdiction) without
a cycle. The hierarchy itself: scripts/model/jurisdictions.py."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ..load.corpus import Corpus, Loaded
from ..load.document import Problem
from .rules import corpus_rule, local_rule, plan_rule


def _hint(ident: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(ident, sorted(known), n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else ""


@corpus_rule
def jurisdiction_parent_exists(corpus: Corpus) -> Iterable[Problem]:
    """A jurisdiction's parent is a jurisdiction of its own file in data/departments/."""
    for reg in corpus.registries:
        if reg.model is None:
            continue
        j = reg.model.jurisdiction
        if j.parent is not None and j.parent not in corpus.jurisdictions:
            yield reg.doc.problem(
                ("jurisdiction", "parent"),
                f"the parent '{j.parent}' is not a jurisdiction: add data/departments/{j.parent}.yaml "
                f"(a file with only `jurisdiction:` is enough){_hint(j.parent, corpus.jurisdictions)}",
            )


@corpus_rule
def jurisdictions_form_a_tree(corpus: Corpus) -> Iterable[Problem]:
    """Following parents upwards always ends at a top: no jurisdiction is its own ancestor."""
    files = {reg.model.jurisdiction.id: reg for reg in corpus.registries if reg.model is not None}
    for cycle in corpus.hierarchy.cycles():
        chain = " → ".join([*cycle, cycle[0]])
        for jid in cycle:
            yield files[jid].doc.problem(
                ("jurisdiction", "parent"), f"the parents form a cycle ({chain}): a jurisdiction cannot be above itself"
            )


@local_rule
def jurisdiction_exists(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A plan's jurisdiction has a department registry."""
    if p.model.jurisdiction not in corpus.jurisdictions:
        yield p.doc.problem(
            ("jurisdiction",),
            f"no registry data/departments/{p.model.jurisdiction}.yaml defines the jurisdiction "
            f"'{p.model.jurisdiction}'{_hint(p.model.jurisdiction, corpus.jurisdictions)}",
        )


@plan_rule
def implements_resolve(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A plan that `implements` names a plan on the site by its id (never
    itself) and the issuing jurisdiction by its id."""
    plans = corpus.plan_ids
    for i, ref in enumerate(p.model.implements):
        if ref.plan is not None:
            if ref.plan == p.model.id:
                yield p.doc.problem(("implements", i, "plan"), "a plan cannot implement itself")
            elif ref.plan not in plans:
                yield p.doc.problem(
                    ("implements", i, "plan"),
                    f"no plan '{ref.plan}' is on the site (data/plans/{ref.plan}.yaml); leave `plan` out while "
                    f"the plan is not here{_hint(ref.plan, plans)}",
                )
        if ref.jurisdiction is not None and ref.jurisdiction not in corpus.jurisdictions:
            yield p.doc.problem(
                ("implements", i, "jurisdiction"),
                f"unknown jurisdiction '{ref.jurisdiction}'{_hint(ref.jurisdiction, corpus.jurisdictions)}",
            )


@corpus_rule
def implements_form_no_cycle(corpus: Corpus) -> Iterable[Problem]:
    """Following `implements` from plan to plan never comes back to where it started."""
    loaded = {x.model.id: x for x in corpus.plans if x.model is not None}
    above = {pid: [r.plan for r in x.model.implements if r.plan in loaded and r.plan != pid] for pid, x in loaded.items()}
    for start in sorted(above):
        came_from: dict[str, str | None] = {start: None}
        todo = [start]
        while todo:  # breadth first from `start`, remembering the way back
            here = todo.pop(0)
            if start in above[here]:
                chain = [here]
                while came_from[chain[-1]] is not None:
                    chain.append(came_from[chain[-1]])
                chain = [*reversed(chain), start]  # start → … → here → start
                i = next(k for k, r in enumerate(loaded[start].model.implements) if r.plan == chain[1])
                yield loaded[start].doc.problem(
                    ("implements", i, "plan"), f"the plans implement each other in a cycle ({' → '.join(chain)})"
                )
                break
            for nxt in above[here]:
                if nxt not in came_from:
                    came_from[nxt] = here
                    todo.append(nxt)
