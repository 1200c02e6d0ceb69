"""Stage 2, validate: every problem in every data file, in one run.

Each rule is one small function whose docstring states the rule; it yields
`Problem`s (`file:line:col: message`). Per-file rules run on each plan, then
cross-file rules on the whole corpus. `check()` returns the sorted problems.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import models
from .dates import DatePhraseError, normalise, parse_phrase
from .load import DATA, Document, Problem, load_yaml

SCHEMA_COMMENT = "# yaml-language-server: $schema=../schema/plan.schema.json"


# --------------------------------------------------------------------------- #
# Loading the corpus
# --------------------------------------------------------------------------- #


@dataclass
class Loaded:
    doc: Document
    model: Any  # the pydantic model, or None when the file did not validate


@dataclass
class Corpus:
    data_dir: Path
    plans: list[Loaded] = field(default_factory=list)
    registries: list[Loaded] = field(default_factory=list)  # department registries
    categories: Loaded | None = None
    topics: Loaded | None = None
    synonyms: Loaded | None = None
    national: Loaded | None = None
    problems: list[Problem] = field(default_factory=list)

    # lookups, filled by index()
    departments: dict[str, tuple[models.Department, Loaded]] = field(default_factory=dict)
    jurisdictions: dict[str, models.DepartmentRegistry] = field(default_factory=dict)
    category_ids: set[str] = field(default_factory=set)
    topic_ids: set[str] = field(default_factory=set)
    national_ids: set[str] = field(default_factory=set)

    def release_sources(self) -> None:
        """Let go of what only the checks need: each file's YAML data and the
        position of every node (half the memory of a checked corpus). The
        models and each file's path stay."""
        for loaded in [*self.plans, *self.registries, self.categories, self.topics, self.synonyms, self.national]:
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


def _load(path: Path, model: type[BaseModel], corpus: Corpus) -> Loaded:
    doc, problems = load_yaml(path)
    corpus.problems += problems
    if doc.data is None:
        return Loaded(doc, None)
    m, problems = validate_model(doc, model)
    corpus.problems += problems
    return Loaded(doc, m)


def load_corpus(data_dir: Path = DATA) -> Corpus:
    """Load every data file; schema problems are collected on the corpus."""
    corpus = Corpus(data_dir)
    for name, model, attr in (
        ("categories.yaml", models.CategoryRegistry, "categories"),
        ("topics.yaml", models.TopicRegistry, "topics"),
        ("synonyms.yaml", models.SynonymRegistry, "synonyms"),
        ("national.yaml", models.NationalFramework, "national"),
    ):
        path = data_dir / name
        if path.exists():
            setattr(corpus, attr, _load(path, model, corpus))
        elif attr in ("categories", "topics"):
            corpus.problems.append(Problem(str(path), 1, 1, f"the registry {name} is missing"))
    for path in sorted((data_dir / "departments").glob("*.yaml")):
        corpus.registries.append(_load(path, models.DepartmentRegistry, corpus))
    for path in sorted((data_dir / "plans").glob("*.yaml")):
        if path.name.startswith("_"):
            continue  # templates and examples
        corpus.plans.append(_load(path, models.Plan, corpus))
    corpus.index()
    return corpus


# --------------------------------------------------------------------------- #
# Walking a plan: every text that must be verbatim, every deadline, every reference
# --------------------------------------------------------------------------- #

P = tuple  # a path into the YAML document


def _verbatim_fields(plan: models.Plan) -> Iterator[tuple[P, str]]:
    """Every authored text of a plan that must appear in its source as printed."""
    if plan.preamble:
        yield ("preamble",), plan.preamble
    if plan.goals_intro:
        yield ("goals_intro",), plan.goals_intro
    for i, g in enumerate(plan.goals):
        yield ("goals", i, "text"), g.text
    for i, b in enumerate(plan.organisation):
        if b.text:
            yield ("organisation", i, "text"), b.text
    for i, part in enumerate(plan.parts):
        yield ("parts", i, "title"), part.title
    for ai, a in enumerate(plan.actions):
        yield ("actions", ai, "title"), a.title
        if a.intro:
            yield ("actions", ai, "intro"), a.intro
        for ti, t in enumerate(a.tasks):
            base = ("actions", ai, "tasks", ti)
            yield base + ("title",), t.title
            yield base + ("text",), t.text
            if t.units_text:
                yield base + ("units_text",), t.units_text
            for i, name in enumerate(t.leaders):
                yield base + ("leaders", i), name
    for i, s in enumerate(plan.sections):
        yield ("sections", i, "text"), s.text
        if s.title:
            yield ("sections", i, "title"), s.title
    for ai, annex in enumerate(plan.annexes):
        for ri, row in enumerate(annex.rows):
            base = ("annexes", ai, "rows", ri)
            for key in ("category", "item", "task", "requirement", "lead_text", "support_text", "remark"):
                value = getattr(row, key)
                if value:
                    yield base + (key,), value
            for i, name in enumerate(row.leaders):
                yield base + ("leaders", i), name
            if row.due:
                yield base + ("due", "text"), row.due.text


def _dated(plan: models.Plan) -> Iterator[tuple[P, str, list[models.Deadline], list[models.Recurrence]]]:
    """Every text that carries deadlines or recurring duties, with them."""
    for i, g in enumerate(plan.goals):
        yield ("goals", i), g.text, g.deadlines, []
    for ai, a in enumerate(plan.actions):
        for ti, t in enumerate(a.tasks):
            yield ("actions", ai, "tasks", ti), t.text, t.deadlines, t.recurrence
    for i, s in enumerate(plan.sections):
        yield ("sections", i), s.text, s.deadlines, s.recurrence


def _responsibilities(plan: models.Plan) -> Iterator[tuple[P, models.Responsibility]]:
    for ai, a in enumerate(plan.actions):
        for ti, t in enumerate(a.tasks):
            yield ("actions", ai, "tasks", ti), t
    for ai, annex in enumerate(plan.annexes):
        for ri, row in enumerate(annex.rows):
            yield ("annexes", ai, "rows", ri), row


def _ids(plan: models.Plan) -> Iterator[tuple[P, str, str]]:
    """(path, id, kind) of everything in a plan that has an id."""
    yield ("id",), plan.id, "plan"
    for i, g in enumerate(plan.goals):
        yield ("goals", i, "id"), g.id, "goal"
    for i, b in enumerate(plan.organisation):
        yield ("organisation", i, "id"), b.id, "body"
    for i, p in enumerate(plan.parts):
        yield ("parts", i, "id"), p.id, "part"
    for ai, a in enumerate(plan.actions):
        yield ("actions", ai, "id"), a.id, "action"
        for ti, t in enumerate(a.tasks):
            yield ("actions", ai, "tasks", ti, "id"), t.id, "task"
    for i, s in enumerate(plan.sections):
        yield ("sections", i, "id"), s.id, "section"
    for i, a in enumerate(plan.annexes):
        yield ("annexes", i, "id"), a.id, "annex"


def squash(text: str) -> str:
    """Text as compared with the source: no whitespace, no `**` emphasis."""
    return normalise(text).replace("**", "")


# --------------------------------------------------------------------------- #
# Per-plan rules
# --------------------------------------------------------------------------- #

PlanRule = Callable[[Corpus, Loaded], Iterable[Problem]]
PLAN_RULES: list[PlanRule] = []
CORPUS_RULES: list[Callable[[Corpus], Iterable[Problem]]] = []


def plan_rule(fn: PlanRule) -> PlanRule:
    PLAN_RULES.append(fn)
    return fn


def corpus_rule(fn):
    CORPUS_RULES.append(fn)
    return fn


@plan_rule
def id_matches_file_name(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A plan's id equals its file name (without .yaml)."""
    if p.model.id != p.doc.path.stem:
        yield p.doc.problem(("id",), f"the plan id '{p.model.id}' must equal the file name '{p.doc.path.stem}'")


@plan_rule
def schema_comment_first(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Line 1 points editors at the JSON Schema."""
    first = p.doc.path.read_text(encoding="utf-8").lstrip("\ufeff").split("\n", 1)[0].strip()
    if first != SCHEMA_COMMENT:
        yield Problem(p.doc.name, 1, 1, f"the first line must be '{SCHEMA_COMMENT}'")


@plan_rule
def ids_unique_in_plan(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """No id is used twice inside a plan."""
    seen: dict[str, P] = {}
    for path, ident, kind in _ids(p.model):
        if ident in seen and kind != "plan":
            line, _ = p.doc.where(seen[ident])
            yield p.doc.problem(path, f"the id '{ident}' is already used on line {line}")
        seen.setdefault(ident, path)


@plan_rule
def period_is_ordered(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A plan's period starts no later than it ends."""
    if p.model.period.start > p.model.period.end:
        yield p.doc.problem(("period",), "the period starts after it ends")


@plan_rule
def source_exists(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """The source text named by the plan is under data/sources/."""
    if not (corpus.data_dir / "sources" / p.model.source).is_file():
        yield p.doc.problem(("source",), f"the source text data/sources/{p.model.source} does not exist")


def _source_text(corpus: Corpus, plan: models.Plan) -> str | None:
    path = corpus.data_dir / "sources" / plan.source
    return squash(path.read_text(encoding="utf-8")) if path.is_file() else None


@plan_rule
def text_is_verbatim(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Every quoted text appears in the plan's source text (ignoring whitespace,
    page-break line breaks and ** emphasis)."""
    source = _source_text(corpus, p.model)
    if source is None:
        return
    for path, text in _verbatim_fields(p.model):
        owner = _get(p.model, path[:-1]) if isinstance(path[-1], str) else _get(p.model, path[:-2])
        if path[-1] in getattr(owner, "not_verbatim", ()):
            continue
        if squash(text) not in source:
            hint = _first_difference(squash(text), source)
            yield p.doc.problem(path, f"this text is not in the source {p.model.source} as printed{hint}")


def _get(obj: Any, path: P) -> Any:
    for part in path:
        obj = obj[part] if isinstance(part, int) else getattr(obj, part)
    return obj


@plan_rule
def not_verbatim_is_explained(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A text marked not_verbatim names real fields and is explained in a note."""
    for path, r in _responsibilities(p.model):
        for i, name in enumerate(r.not_verbatim):
            if name not in type(r).model_fields or not isinstance(getattr(r, name), (str, list)):
                yield p.doc.problem(path + ("not_verbatim", i), f"'{name}' is not a text field here")
        if r.not_verbatim and not r.note:
            yield p.doc.problem(path + ("not_verbatim",), "explain in 'note' why this text is not verbatim")


def _first_difference(text: str, source: str) -> str:
    """Point at where a text stops matching its source."""
    lo, hi = 0, len(text)
    while lo < hi:  # longest prefix of text found in source
        mid = (lo + hi + 1) // 2
        if text[:mid] in source:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return ""
    return f"; it matches up to '…{text[max(0, lo - 12):lo]}' and then differs at '{text[lo:lo + 12]}…'"


@plan_rule
def deadline_words_in_text(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A deadline's and a recurring duty's original words appear in the text they belong to."""
    for path, text, deadlines, recurrences in _dated(p.model):
        flat = squash(text)
        for i, d in enumerate(deadlines):
            if squash(d.text) not in flat:
                yield p.doc.problem(path + ("deadlines", i, "text"), f"'{d.text}' is not in the text above it")
        for i, r in enumerate(recurrences):
            if squash(r.text) not in flat:
                yield p.doc.problem(path + ("recurrence", i, "text"), f"'{r.text}' is not in the text above it")


def _all_deadlines(plan: models.Plan) -> Iterator[tuple[P, models.Deadline, int | None]]:
    for path, _, deadlines, _ in _dated(plan):
        for i, d in enumerate(deadlines):
            yield path + ("deadlines", i), d, None
    for ai, annex in enumerate(plan.annexes):
        for ri, row in enumerate(annex.rows):
            if row.due:
                yield ("annexes", ai, "rows", ri, "due"), row.due, annex.year


@plan_rule
def deadline_date_agrees_with_words(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A deadline's ISO date is the date its original words mean."""
    for path, d, year in _all_deadlines(p.model):
        try:
            meant = parse_phrase(d.text, year=year)
        except DatePhraseError as e:
            yield p.doc.problem(path + ("text",), f"{e}; write the date phrase alone, e.g. '2024年底前'")
            continue
        if meant != d.date:
            yield p.doc.problem(path + ("date",), f"'{d.text}' means {meant.isoformat()}, not {d.date.isoformat()}")


@plan_rule
def dates_inside_period(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Deadlines fall inside the plan's period."""
    start, end = p.model.period.start, p.model.period.end
    for path, d, _ in _all_deadlines(p.model):
        if not start <= d.date.year <= end:
            yield p.doc.problem(path + ("date",), f"{d.date.isoformat()} is outside the plan's period {start}–{end}")
    if p.model.issued and not start - 1 <= p.model.issued.year <= end:
        yield p.doc.problem(("issued",), f"issued {p.model.issued.isoformat()} is outside the plan's period")


@plan_rule
def department_references_resolve(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Every department id a plan names is in a department registry."""
    known = list(corpus.departments)

    def check(path: P, ident: str) -> Iterator[Problem]:
        if ident not in corpus.departments:
            close = difflib.get_close_matches(ident, known, n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            yield p.doc.problem(path, f"unknown department '{ident}'{hint}")

    for path, r in _responsibilities(p.model):
        for key in ("lead", "support"):
            for i, ident in enumerate(getattr(r, key)):
                yield from check(path + (key, i), ident)
    for i, ident in enumerate(p.model.every_task_lead):
        yield from check(("every_task_lead", i), ident)
    for bi, b in enumerate(p.model.organisation):
        for mi, m in enumerate(b.members):
            if m.department:
                yield from check(("organisation", bi, "members", mi, "department"), m.department)


@plan_rule
def jurisdiction_exists(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A plan's jurisdiction has a department registry."""
    if p.model.jurisdiction not in corpus.jurisdictions:
        yield p.doc.problem(
            ("jurisdiction",),
            f"no registry data/departments/{p.model.jurisdiction}.yaml defines the jurisdiction '{p.model.jurisdiction}'",
        )


@plan_rule
def topics_resolve(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Every topic a task is tagged with is in data/topics.yaml."""
    for ai, a in enumerate(p.model.actions):
        for ti, t in enumerate(a.tasks):
            for i, topic in enumerate(t.topics):
                if topic not in corpus.topic_ids:
                    close = difflib.get_close_matches(topic, sorted(corpus.topic_ids), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    yield p.doc.problem(("actions", ai, "tasks", ti, "topics", i), f"unknown topic '{topic}'{hint}")


@plan_rule
def national_lines_resolve(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Every national line of action an action or task maps to is in data/national.yaml."""
    for ai, a in enumerate(p.model.actions):
        refs = [(("actions", ai, "national", i), n) for i, n in enumerate(a.national)]
        for ti, t in enumerate(a.tasks):
            refs += [(("actions", ai, "tasks", ti, "national", i), n) for i, n in enumerate(t.national)]
        for path, n in refs:
            if n not in corpus.national_ids:
                yield p.doc.problem(path, f"unknown national line of action '{n}'")


@plan_rule
def goal_targets_resolve(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Every national target a goal restates is in data/national.yaml."""
    targets = {t.id for t in corpus.national.model.targets} if corpus.national and corpus.national.model else set()
    for gi, g in enumerate(p.model.goals):
        for i, n in enumerate(g.national):
            if n not in targets:
                yield p.doc.problem(("goals", gi, "national", i), f"unknown national target '{n}'")


@plan_rule
def recurrence_day_in_words(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A recurring duty's day of the month is the day its words name (每月20日前 -> 20)."""
    for path, _, _, recurrences in _dated(p.model):
        for i, r in enumerate(recurrences):
            if r.day is not None and f"{r.day}日" not in squash(r.text):
                yield p.doc.problem(path + ("recurrence", i, "day"), f"day {r.day} is not in the words '{r.text}'")


@plan_rule
def parts_resolve(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """An action's part is one of the plan's parts."""
    parts = {part.id for part in p.model.parts}
    for ai, a in enumerate(p.model.actions):
        if a.part and a.part not in parts:
            yield p.doc.problem(("actions", ai, "part"), f"unknown part '{a.part}'")


@plan_rule
def annex_rows_point_at_plan(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """An annex row restates tasks (or goals, bodies, sections) of the same plan."""
    targets = {ident for _, ident, kind in _ids(p.model) if kind in ("task", "goal", "body", "section")}
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


@plan_rule
def missing_annex_has_no_rows(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """An annex the document names but does not include (`included: false`) has
    no rows: its contents are not in the source, so none may be invented."""
    for ai, annex in enumerate(p.model.annexes):
        if not annex.included and annex.rows:
            yield p.doc.problem(
                ("annexes", ai, "included"),
                f"the annex '{annex.id}' is marked 'included: false' but has {len(annex.rows)} row(s); "
                "an annex missing from the source has no rows",
            )


def _department_refs(plan: models.Plan) -> Iterator[tuple[P, str]]:
    """(path, department id) of every unit a plan assigns: lead, support,
    every_task_lead and organisation members."""
    for path, r in _responsibilities(plan):
        for key in ("lead", "support"):
            for i, ident in enumerate(getattr(r, key)):
                yield path + (key, i), ident
    for i, ident in enumerate(plan.every_task_lead):
        yield ("every_task_lead", i), ident
    for bi, b in enumerate(plan.organisation):
        for mi, m in enumerate(b.members):
            if m.department:
                yield ("organisation", bi, "members", mi, "department"), m.department


@plan_rule
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


RECURRENCE_MARKERS = (  # (period, words that name it)
    ("month", re.compile(r"每月")),
    ("quarter", re.compile(r"每季度|季(?!节)")),
    ("half-year", re.compile(r"每半年")),
    ("year", re.compile(r"每年|年度")),
)


@plan_rule
def recurrence_period_in_words(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A recurring duty's period agrees with its words where they name one:
    每月 -> month, 每季度/季 -> quarter, 每半年 -> half-year, 每年/年度 -> year."""
    for path, _, _, recurrences in _dated(p.model):
        for i, r in enumerate(recurrences):
            words = squash(r.text)
            named = {period: m.group(0) for period, rx in RECURRENCE_MARKERS if (m := rx.search(words))}
            if named and r.every not in named:
                said = "、".join(named.values())
                yield p.doc.problem(
                    path + ("recurrence", i, "every"),
                    f"the words '{r.text}' say {said} ({' or '.join(named)}), but 'every' is '{r.every}'",
                )


@plan_rule
def member_names_in_source(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """The name of every person in an organisation body appears in the plan's
    source text (ignoring whitespace, as printed names may be padded: 王 珏)."""
    source = _source_text(corpus, p.model)
    if source is None:
        return
    for bi, b in enumerate(p.model.organisation):
        for mi, m in enumerate(b.members):
            if m.person and squash(m.person) not in source:
                yield p.doc.problem(
                    ("organisation", bi, "members", mi, "person"),
                    f"the name '{m.person}' is not in the source {p.model.source}",
                )


# --------------------------------------------------------------------------- #
# Registry and cross-file rules
# --------------------------------------------------------------------------- #


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


@corpus_rule
def ids_unique_across_files(corpus: Corpus) -> Iterable[Problem]:
    """Ids are unique across all plans and registries, and a previous id is
    never reused for something else."""
    seen: dict[str, tuple[Loaded, P]] = {}
    previous: dict[str, tuple[Loaded, P]] = {}

    def entries():
        for p in corpus.plans:
            if p.model is None:
                continue
            for path, ident, kind in _ids(p.model):
                yield p, path, ident
            for path, obj in _with_previous(p.model):
                for i, old in enumerate(obj.previous_ids):
                    previous.setdefault(old, (p, path + ("previous_ids", i)))
        for reg in corpus.registries:
            if reg.model is None:
                continue
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


_MARKUP = re.compile(
    r"<\s*/?\s*(?:script|style|i?frame|frameset|object|embed|applet|svg|math|img|image|video|audio|source"
    r"|link|meta|base|form|input|button|textarea|select|template|html|head|body)\b"
    r"|(?<![a-z])on[a-z]{3,}\s*=|javascript\s*:",
    re.IGNORECASE,
)


@corpus_rule
def no_markup_in_text(corpus: Corpus) -> Iterable[Problem]:
    """Text is plain text: no HTML tag that runs or loads something (<script,
    <img, <iframe …), no on…= event attribute, no javascript: address, in any
    data file. (The site escapes every text anyway; this stops pasted markup
    at the source. Harmless brackets such as a<b>c are allowed.)"""
    docs = [*corpus.plans, *corpus.registries, corpus.categories, corpus.topics, corpus.synonyms, corpus.national]

    def walk(node: Any, path: P) -> Iterator[tuple[P, str]]:
        if isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, path + (i,))
        elif isinstance(node, str) and ("<" in node or "=" in node or ":" in node):
            yield path, node

    for loaded in docs:
        if loaded is None or not isinstance(loaded.doc.data, dict):
            continue
        for path, text in walk(loaded.doc.data, ()):
            m = _MARKUP.search(text)
            if m:
                yield loaded.doc.problem(
                    path, f"this text holds HTML markup ('{m.group(0)}…'); write plain text, the site shows text as typed"
                )


# --------------------------------------------------------------------------- #


def check(data_dir: Path = DATA) -> tuple[Corpus, list[Problem]]:
    """Load and validate everything; return the corpus and all problems, sorted."""
    corpus = load_corpus(data_dir)
    problems = list(corpus.problems)
    for p in corpus.plans:
        if p.model is None:
            continue
        for rule in PLAN_RULES:
            problems += list(rule(corpus, p))
    for rule in CORPUS_RULES:
        problems += list(rule(corpus))
    from .addresses import REGISTRY, check_registry

    # A file that did not load publishes nothing: its own problems are listed,
    # and the registry would only repeat them as "removed" addresses.
    loaded = all(x.model is not None for x in [*corpus.plans, *corpus.registries])
    if loaded and ((data_dir / REGISTRY).exists() or data_dir == DATA):
        problems += check_registry(corpus)
    return corpus, sorted(set(problems), key=lambda x: (x.file, x.line, x.col, x.message))
