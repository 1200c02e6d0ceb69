"""Rules on files: a plan's id is its file name, line 1 points at the JSON
Schema, the source text it names exists."""

from __future__ import annotations

from collections.abc import Iterable

from ...model.models import SCHEMA_COMMENT
from ..load.corpus import Corpus, Loaded
from ..load.document import Problem
from .rules import local_rule


@local_rule
def id_matches_file_name(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A plan's id equals its file name (without .yaml)."""
    if p.model.id != p.doc.path.stem:
        yield p.doc.problem(("id",), f"the plan id '{p.model.id}' must equal the file name '{p.doc.path.stem}'")


@local_rule
def schema_comment_first(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Line 1 points editors at the JSON Schema."""
    first = p.doc.path.read_text(encoding="utf-8").lstrip("\ufeff").split("\n", 1)[0].strip()
    if first != SCHEMA_COMMENT:
        yield Problem(p.doc.name, 1, 1, f"the first line must be '{SCHEMA_COMMENT}'")


@local_rule
def source_exists(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """The source text named by the plan is under data/sources/."""
    if not (corpus.data_dir / "sources" / p.model.source).is_file():
        yield p.doc.problem(("source",), f"the source text data/sources/{p.model.source} does not exist")
