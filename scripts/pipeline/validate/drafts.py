"""Rules on drafts: everything an imported plan still needs before it is
finished, each at its own line, so that "check: ok" means finished. These
problems are to-dos (`Problem.todo`): `make check`, `make site` and `make
addresses` fail on them like on any problem, while `make serve` still
previews the draft (with a 草稿 banner) for the clerk to review.

- a plan marked `draft: true`, and every `todo:` entry of a plan, task or
  annex row (the importer's notes);
- every department marked `draft: true` (a draft registry entry: name, short
  name and category guessed by the importer), and every `todo:` of one;
- an annex row that restates no task (`restates:` empty);
- a unit that a task's responsibility words (`units_text`) name, as one of
  the names they list, but that is neither lead nor support of the task.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from ..load.corpus import Corpus, Loaded
from ..load.document import Problem
from .rules import corpus_rule, local_rule
from .walk import responsibilities, squash


def _todo(p: Problem) -> Problem:
    return dataclasses.replace(p, todo=True)


@local_rule
def plan_is_not_a_draft(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A plan marked `draft: true` is not finished: the review deletes the mark
    once every to-do is done."""
    if p.model.draft:
        yield _todo(p.doc.problem(("draft",), "this plan is a draft (make import): review it against the source, "
                                              "do every to-do listed, then delete 'draft: true'"))


@local_rule
def todos_are_done(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Every `todo:` entry of the plan, a task or an annex row is a to-do left."""
    for i, text in enumerate(p.model.todo):
        yield _todo(p.doc.problem(("todo", i), f"to do: {text}"))
    for path, r in responsibilities(p.model):
        for i, text in enumerate(r.todo):
            yield _todo(p.doc.problem(path + ("todo", i), f"to do: {text}"))


@local_rule
def annex_rows_restate_tasks(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Every row of an included annex restates a task (or goal, body, section)
    of the plan: `restates: [...]` links it."""
    for ai, annex in enumerate(p.model.annexes):
        for ri, row in enumerate(annex.rows):
            if not row.restates:
                yield _todo(p.doc.problem(("annexes", ai, "rows", ri), f"annex row {row.number} restates no task: "
                                                                      "link it with 'restates: [task-id]'"))


@local_rule
def named_units_are_assigned(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A unit of the jurisdiction that a task's responsibility words
    (`units_text`) name is a lead or a supporting unit of the task."""
    names = _names(corpus, p.model.jurisdiction)
    if not names:
        return
    for path, r in responsibilities(p.model):
        words = getattr(r, "units_text", None)
        if not words or r.by_duty:
            continue
        assigned = set(r.lead) | set(r.support)
        named: list[str] = []
        for piece in _PIECES.split(squash(words)):
            piece = _ROLE.sub("", re.sub(r"^(?:由|以下均需|以下均由)", "", piece))
            ident = names.get(piece)
            if ident and ident not in assigned and ident not in named:
                named.append(ident)
        for ident in named:
            yield _todo(p.doc.problem(path + ("units_text",), f"the responsibility words name '{ident}' but it is "
                                                             "neither lead nor support of this task"))


_PIECES = re.compile(r"[、，,；;：:/／（）()。]+")
_ROLE = re.compile(r"(?:分别|按职责|分工|协同|配合|负责|牵头|参与|协助|共同|等|积极)+$|^(?:牵头|责任|配合)(?:单位|部门)")


def _names(corpus: Corpus, jurisdiction: str) -> dict[str, str]:
    """Squashed name, short name or alias -> department id, in a jurisdiction."""
    out = {}
    for reg in corpus.registries:
        if reg.model is None or reg.model.jurisdiction.id != jurisdiction:
            continue
        for d in reg.model.departments:
            for name in (d.name, *d.short, *d.aliases):
                out.setdefault(squash(name), d.id)
    return out


@corpus_rule
def registry_entries_reviewed(corpus: Corpus) -> Iterable[Problem]:
    """A department marked `draft: true` (an entry the importer made) is reviewed:
    its name as printed, its short names and its category checked, then the
    mark deleted; every `todo:` of a department is done."""
    for reg in corpus.registries:
        if reg.model is None:
            continue
        for i, d in enumerate(reg.model.departments):
            if d.draft:
                yield _todo(reg.doc.problem(("departments", i, "draft"), f"'{d.name}' ({d.id}) is a draft entry "
                                            "(make import): check its name, short names and category, then delete "
                                            "'draft: true'"))
            for k, text in enumerate(d.todo):
                yield _todo(reg.doc.problem(("departments", i, "todo", k), f"to do: {text}"))
