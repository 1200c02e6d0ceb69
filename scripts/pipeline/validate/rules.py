"""The registry of rules: `@plan_rule` (run on each plan that loaded),
`@file_rule` (a plan rule that reads nothing but the plan's own file: the
build's memo keeps what it found by the file's bytes, build/memo.py) and
`@corpus_rule` (run once on the whole corpus). A rule is one small function
whose docstring states the rule; it yields `Problem`s. The modules beside
this one hold the rules, by subject.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..load.corpus import Corpus, Loaded
from ..load.document import Problem

PlanRule = Callable[[Corpus, Loaded], Iterable[Problem]]
PLAN_RULES: list[PlanRule] = []
FILE_RULES: list[PlanRule] = []
CORPUS_RULES: list[Callable[[Corpus], Iterable[Problem]]] = []


def plan_rule(fn: PlanRule) -> PlanRule:
    PLAN_RULES.append(fn)
    return fn


def file_rule(fn: PlanRule) -> PlanRule:
    FILE_RULES.append(fn)
    return fn


def corpus_rule(fn):
    CORPUS_RULES.append(fn)
    return fn
