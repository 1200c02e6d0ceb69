"""Rules on department registries: named after their jurisdiction, ids that
start with it, known categories, names that mean one department."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ..load.corpus import Corpus
from ..load.document import Problem
from .rules import corpus_rule


@corpus_rule
def registry_file_name(corpus: Corpus) -> Iterable[Problem]:
    """A department registry is named after its jurisdiction id, and its
    department ids start with that id and a hyphen."""
    for reg in corpus.registries:
        if reg.model is None:
            continue
        jid = reg.model.jurisdiction.id
        if reg.doc.path.stem != jid:
            yield reg.doc.problem(("jurisdiction", "id"), f"the jurisdiction id '{jid}' must equal the file name")
        for i, d in enumerate(reg.model.departments):
            if not d.id.startswith(jid + "-"):
                yield reg.doc.problem(("departments", i, "id"), f"department ids here start with '{jid}-'")
            if d.category not in corpus.category_ids:
                close = difflib.get_close_matches(d.category, sorted(corpus.category_ids), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                yield reg.doc.problem(("departments", i, "category"), f"unknown category '{d.category}'{hint}")


@corpus_rule
def department_names_unambiguous(corpus: Corpus) -> Iterable[Problem]:
    """Inside one jurisdiction a name, short name or alias means one department."""
    for reg in corpus.registries:
        if reg.model is None:
            continue
        seen: dict[str, str] = {}
        for i, d in enumerate(reg.model.departments):
            for name in {d.name, *d.short, *d.aliases}:
                if name in seen and seen[name] != d.id:
                    yield reg.doc.problem(("departments", i), f"the name '{name}' is also used by '{seen[name]}'")
                seen.setdefault(name, d.id)
