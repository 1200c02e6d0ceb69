"""Stage 1, load: every data file read (document.py) and checked against the
models (scripts/model/models.py), collected in one Corpus with the lookups
the later stages use (departments, jurisdictions, category, topic and
national ids). Schema problems are collected on the corpus, never raised.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ...model import models
from ...model.jurisdictions import Hierarchy
from ...model.progress import ProgressFile
from ...paths import DATA
from .document import Document, Problem, load_yaml


@dataclass
class Loaded:
    doc: Document
    model: Any  # the pydantic model, or None when the file did not validate


@dataclass
class Corpus:
    data_dir: Path
    plans: list[Loaded] = field(default_factory=list)
    progress: list[Loaded] = field(default_factory=list)  # data/progress/<plan-id>/<YYYY>-q<N>.yaml
    registries: list[Loaded] = field(default_factory=list)  # department registries
    categories: Loaded | None = None
    topics: Loaded | None = None
    synonyms: Loaded | None = None
    national: Loaded | None = None
    problems: list[Problem] = field(default_factory=list)

    # lookups, filled by index()
    departments: dict[str, tuple[models.Department, Loaded]] = field(default_factory=dict)
    jurisdictions: dict[str, models.DepartmentRegistry] = field(default_factory=dict)
    hierarchy: Hierarchy = field(default_factory=lambda: Hierarchy([]))  # of the registries' jurisdictions
    category_ids: set[str] = field(default_factory=set)
    topic_ids: set[str] = field(default_factory=set)
    national_ids: set[str] = field(default_factory=set)
    plan_ids: set[str] = field(default_factory=set)  # of the plans that loaded

    def release_sources(self) -> None:
        """Let go of what only the checks need: each file's YAML data and the
        position of every node (half the memory of a checked corpus). The
        models and each file's path stay."""
        for loaded in [*self.plans, *self.progress, *self.registries, self.categories, self.topics, self.synonyms, self.national]:
            if loaded is not None:
                loaded.doc.data = None
                loaded.doc.positions.clear()
                loaded.doc.key_positions.clear()

    def index(self) -> None:
        if self.categories and self.categories.model:
            self.category_ids = {c.id for c in self.categories.model.categories}
        if self.topics and self.topics.model:
            self.topic_ids = {t.id for t in self.topics.model.topics}
        if self.national and self.national.model:
            nat = self.national.model
            self.national_ids = {a.id for a in nat.actions} | {a.id for a in nat.local_lines}
        for reg in self.registries:
            if reg.model is None:
                continue
            self.jurisdictions[reg.model.jurisdiction.id] = reg.model
            for d in reg.model.departments:
                self.departments.setdefault(d.id, (d, reg))
        self.hierarchy = Hierarchy(reg.jurisdiction for reg in self.jurisdictions.values())
        self.plan_ids = {p.model.id for p in self.plans if p.model is not None}


def _friendly(err: dict) -> str:
    loc = [str(x) for x in err["loc"] if not isinstance(x, int)]
    field_name = loc[-1] if loc else "value"
    kind = err["type"]
    if kind == "missing":
        return f"required key '{field_name}' is missing"
    if kind == "extra_forbidden":
        return f"unknown key '{field_name}'"
    if kind == "string_pattern_mismatch":
        return (
            f"'{field_name}' must be an id of lowercase letters, digits and hyphens "
            f"(e.g. mg-hazard-screening), not {err.get('input')!r}"
        )
    if kind.startswith("date"):
        return f"'{field_name}' must be a real date written YYYY-MM-DD, not {err.get('input')!r}"
    if kind == "literal_error":
        return f"'{field_name}': {err['msg'].replace('Input should be', 'must be')}, not {err.get('input')!r}"
    msg = err["msg"].replace("Input should be", "must be")
    return f"'{field_name}': {msg}, not {err.get('input')!r}" if "input" in err else f"'{field_name}': {msg}"


def _suggest_key(model: type[BaseModel], data: Any, loc: tuple) -> str:
    """For an unknown key, name the closest allowed key of the model at loc."""
    cls: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        f = getattr(cls, "model_fields", {}).get(part)
        if f is None:
            return ""
        ann = f.annotation
        for _ in range(3):
            args = getattr(ann, "__args__", None)
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                break
            if not args:
                break
            ann = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), args[0])
        cls = ann
    allowed = list(getattr(cls, "model_fields", {}))
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    return f"; did you mean '{close[0]}'?" if close else f"; allowed keys: {', '.join(allowed)}"


def validate_model(doc: Document, model: type[BaseModel]) -> tuple[Any, list[Problem]]:
    try:
        return model.model_validate(doc.data), []
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = tuple(err["loc"])
            msg = _friendly(err)
            if err["type"] == "extra_forbidden":
                msg += _suggest_key(model, doc.data, loc)
                problems.append(doc.problem(loc, msg, key=True))
            else:
                problems.append(doc.problem(loc, msg))
        return None, problems


def _load(path: Path, model: type[BaseModel], corpus: Corpus, memo=None) -> Loaded:
    if memo is not None and (kept := memo.load(path, model)) is not None:
        return Loaded(*kept)
    doc, problems = load_yaml(path)
    corpus.problems += problems
    if doc.data is None:
        return Loaded(doc, None)
    m, more = validate_model(doc, model)
    corpus.problems += more
    if memo is not None and not problems and not more:
        memo.keep(path, model, doc, m)
    return Loaded(doc, m)


def load_corpus(data_dir: Path = DATA, memo=None) -> Corpus:
    """Load every data file; schema problems are collected on the corpus.
    `memo`: files loaded before, kept by their bytes (the build's:
    scripts/pipeline/build/memo.py; only files without problems are kept)."""
    corpus = Corpus(data_dir)
    for name, model, attr in (
        ("categories.yaml", models.CategoryRegistry, "categories"),
        ("topics.yaml", models.TopicRegistry, "topics"),
        ("synonyms.yaml", models.SynonymRegistry, "synonyms"),
        ("national.yaml", models.NationalFramework, "national"),
    ):
        path = data_dir / name
        if path.exists():
            setattr(corpus, attr, _load(path, model, corpus, memo))
        elif attr in ("categories", "topics"):
            corpus.problems.append(Problem(str(path), 1, 1, f"the registry {name} is missing"))
    for path in sorted((data_dir / "departments").glob("*.yaml")):
        corpus.registries.append(_load(path, models.DepartmentRegistry, corpus, memo))
    for path in sorted((data_dir / "plans").glob("*.yaml")):
        if path.name.startswith("_"):
            continue  # templates and examples
        corpus.plans.append(_load(path, models.Plan, corpus, memo))
    for path in sorted((data_dir / "progress").rglob("*.yaml")):
        corpus.progress.append(_load(path, ProgressFile, corpus, memo))
    corpus.index()
    return corpus
