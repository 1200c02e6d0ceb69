"""Stage 2, validate: every problem in every data file, in one run.

Each rule is one small function whose docstring states the rule; it yields
`Problem`s (`file:line:col: message`). Plan rules run on each plan (what
file rules and local rules found, which read no other plan, may come from
the build's memo), then cross-file rules on the whole corpus, then the
published addresses are compared with their registry
(scripts/pipeline/addresses.py). `check()` returns the sorted problems.

The rules, by subject (registered by @plan_rule, @local_rule, @file_rule and
@corpus_rule, rules.py):

  files.py       id = file name, the schema comment on line 1, the source exists
  ids.py         ids unique in a plan and across files, never reused
  text.py        verbatim text, explained exceptions, names, no markup
  dates.py       the period, deadline words and dates, recurring duties
  references.py  departments, topics, national lines, parts, annex rows
  registries.py  department registries: file names, id prefixes, categories, names
  jurisdictions.py  the hierarchy (parents exist, no cycles), a plan's jurisdiction,
                 `implements` (plans and jurisdictions resolve, no cycles)
  drafts.py      what a draft still needs: draft marks, to-dos, annex rows that
                 restate nothing, named units assigned to nobody (to-do problems)
  progress.py    progress reports: task, unit, dates, statuses going backwards
  walk.py        how the rules walk a plan (every text, date, responsibility, id)
"""

from __future__ import annotations

from pathlib import Path

from ...paths import DATA
from ..addresses import REGISTRY, check_registry
from ..load.corpus import Corpus, load_corpus
from ..load.document import Problem
from . import dates, drafts, files, ids, jurisdictions, progress, references, registries, text
from .rules import CORPUS_RULES, FILE_RULES, LOCAL_RULES, PLAN_RULES, Local

# Importing a module of rules registers its rules (PLAN_RULES, LOCAL_RULES, FILE_RULES, CORPUS_RULES).
RULE_MODULES = (files, ids, text, dates, references, registries, jurisdictions, drafts, progress)


def check(data_dir: Path = DATA, memo=None) -> tuple[Corpus, list[Problem]]:
    """Load and validate everything; return the corpus and all problems,
    sorted. `memo`: files loaded before (load_corpus) and what the file
    and local rules found in them (build/memo.py)."""
    corpus = load_corpus(data_dir, memo)
    problems = list(corpus.problems)
    local = Local(corpus)
    for p in corpus.plans:
        if p.model is None:
            continue
        for rule in PLAN_RULES:
            problems += list(rule(corpus, p))
        problems += _kept(memo, p, FILE_RULES, corpus, "file")
        problems += _kept(memo, p, LOCAL_RULES, local, memo.local_key(corpus, p) if memo is not None else None)
    for rule in CORPUS_RULES:
        problems += list(rule(corpus))
    # A file that did not load publishes nothing: its own problems are listed,
    # and the registry would only repeat them as "removed" addresses.
    loaded = all(x.model is not None for x in [*corpus.plans, *corpus.registries])
    if loaded and ((data_dir / REGISTRY).exists() or data_dir == DATA):
        problems += check_registry(corpus)
    return corpus, sorted(set(problems), key=lambda x: (x.file, x.line, x.col, x.message))


def _kept(memo, p, rules: list, corpus, key: str | None) -> list[Problem]:
    """What `rules` find in the plan `p`, from the memo when it has them
    under `key` (None: not kept)."""
    found = memo.problems(p.doc.path, key) if memo is not None and key else None
    if found is None:
        found = [x for rule in rules for x in rule(corpus, p)]
        if memo is not None and key:
            memo.keep_problems(p.doc.path, found, key)
    return found
