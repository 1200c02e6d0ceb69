"""The registry of rules. A rule is one small function whose docstring
states the rule; it yields `Problem`s. The modules beside this one hold
the rules, by subject.

- `@plan_rule`: run on each plan that loaded.
- `@local_rule`: a plan rule that reads the plan's file, its source text
  and the data files that are neither plans nor progress reports. It is
  given the corpus without `plans`, `plan_ids` and `progress` (Local), and
  the build's memo keeps what it found by the bytes of those files
  (build/memo.py's LoadMemo.local_key).
- `@file_rule`: a plan rule that reads nothing but the plan's own file:
  the memo keeps what it found by the file's bytes alone.
- `@corpus_rule`: run once on the whole corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..load.corpus import Corpus, Loaded
from ..load.document import Problem

PlanRule = Callable[[Corpus, Loaded], Iterable[Problem]]
PLAN_RULES: list[PlanRule] = []
FILE_RULES: list[PlanRule] = []
LOCAL_RULES: list[PlanRule] = []
CORPUS_RULES: list[Callable[[Corpus], Iterable[Problem]]] = []


def plan_rule(fn: PlanRule) -> PlanRule:
    PLAN_RULES.append(fn)
    return fn


def file_rule(fn: PlanRule) -> PlanRule:
    FILE_RULES.append(fn)
    return fn


def local_rule(fn: PlanRule) -> PlanRule:
    LOCAL_RULES.append(fn)
    return fn


class Local:
    """The corpus as a local rule sees it: everything but the plans and the
    progress reports (reading them fails, so that a rule marked local that
    is not fails every check)."""

    def __init__(self, corpus: Corpus):
        self._corpus = corpus

    def __getattr__(self, name: str):
        if name in ("plans", "progress", "plan_ids"):
            raise AttributeError(f"a local rule reads no plan but its own (corpus.{name}): make it a @plan_rule")
        return getattr(self._corpus, name)


def corpus_rule(fn):
    CORPUS_RULES.append(fn)
    return fn
