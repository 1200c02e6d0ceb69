"""The editor's JSON Schema and `make check` give every file the same verdict.

Clerks see the JSON Schema in their editor (line 1 of every plan points at it);
`make check` validates with the models the schema is generated from. Run on
every file of the bad-input corpus (tests/pipeline/test_bad_input.py), on the
type cases below and on every real data file, a standard validator
(check-jsonschema, the command line, which reads YAML as the editor does: dates
as text) rejects a file exactly when the check's load-and-model stage does.

What the schema cannot say is left to the check's rules: they need other files
(a registry, the source text, other plans) or compare values with each other
or with words. Every rule is listed below with the reason, so a new rule has
to be placed here too.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from scripts.pipeline import validate
from scripts.pipeline.load.corpus import load_corpus
from scripts.pipeline.validate.rules import CORPUS_RULES, FILE_RULES, LOCAL_RULES, PLAN_RULES, Local

pytestmark = pytest.mark.long(13)

ROOT = Path(__file__).resolve().parents[2]
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")

# Every rule of `make check` beyond the models, and why the schema cannot hold it.
CROSS_FILE = "needs another file"
BETWEEN_VALUES = "compares values with each other or with words"
UNFINISHED = "a to-do of a draft: valid data, work not finished (make serve still previews it)"
BEYOND_SCHEMA = {
    # files.py
    "id_matches_file_name": "the file's name is not in its content",
    "schema_comment_first": "a comment is not data",
    "source_exists": CROSS_FILE,
    # ids.py
    "ids_unique_in_plan": BETWEEN_VALUES,
    "ids_unique_across_files": CROSS_FILE,
    # text.py
    "text_is_verbatim": CROSS_FILE,
    "not_verbatim_is_explained": BETWEEN_VALUES,
    "member_names_in_source": CROSS_FILE,
    "no_markup_in_text": BETWEEN_VALUES,
    "no_markup_in_plan": BETWEEN_VALUES,
    "number_text_is_the_number": BETWEEN_VALUES,
    # dates.py
    "period_is_ordered": BETWEEN_VALUES,
    "time_words_in_text": BETWEEN_VALUES,
    "deadline_date_agrees_with_words": BETWEEN_VALUES,
    "deadline_year_only_for_words_without_one": BETWEEN_VALUES,
    "dates_inside_period": BETWEEN_VALUES,
    "recurrence_period_agrees_with_words": BETWEEN_VALUES,
    "recurrence_count_agrees_with_words": BETWEEN_VALUES,
    "recurrence_day_agrees_with_words": BETWEEN_VALUES,
    "recurrence_month_agrees_with_words": BETWEEN_VALUES,
    "ongoing_words_are_ongoing": BETWEEN_VALUES,
    "events_are_events": BETWEEN_VALUES,
    "not_time_is_explained": BETWEEN_VALUES,
    "time_phrases_are_recorded": BETWEEN_VALUES,
    # references.py
    "department_references_resolve": CROSS_FILE,
    "topics_resolve": CROSS_FILE,
    "national_lines_resolve": CROSS_FILE,
    "goal_targets_resolve": CROSS_FILE,
    "parts_resolve": BETWEEN_VALUES,
    "annex_rows_point_at_plan": BETWEEN_VALUES,
    "missing_annex_has_no_rows": BETWEEN_VALUES,
    "departments_in_own_jurisdiction": CROSS_FILE,
    "scope_notes_govern_tasks": BETWEEN_VALUES,
    # registries.py
    "registry_file_name": "the file's name is not in its content",
    "department_names_unambiguous": CROSS_FILE,
    # jurisdictions.py
    "jurisdiction_exists": CROSS_FILE,
    "jurisdiction_parent_exists": CROSS_FILE,
    "jurisdictions_form_a_tree": CROSS_FILE,
    "implements_resolve": CROSS_FILE,
    "implements_form_no_cycle": CROSS_FILE,
    # drafts.py
    "plan_is_not_a_draft": UNFINISHED,
    "todos_are_done": UNFINISHED,
    "annex_rows_restate_tasks": UNFINISHED,
    "named_units_are_assigned": UNFINISHED,
    "registry_entries_reviewed": UNFINISHED,
    # progress.py (data/progress/)
    "progress_file_place": "the file's name is not in its content",
    "progress_schema_comment_first": "a comment is not data",
    "report_names_one_thing": BETWEEN_VALUES,
    "report_target_exists": CROSS_FILE,
    "report_unit_responsible": CROSS_FILE,
    "report_date_in_period": CROSS_FILE,
    "report_date_in_quarter": "the file's name is not in its content",
    "report_occurrence_known": CROSS_FILE,
    "status_backwards_needs_note": BETWEEN_VALUES,
    "no_duplicate_report": BETWEEN_VALUES,
    # addresses.py (run by check() after the rules)
    "check_registry": CROSS_FILE,
}

# Values that YAML, the models and the schema could each read differently.
TYPE_CASES = {
    # case: (text in the valid fixture plan, replacement, accepted?)
    "start-as-text": ("period: {start: 2024", 'period: {start: "2024"', False),
    "number-as-text": ("number: 1\n", 'number: "1"\n', False),
    "issued-with-time": ("issued: 2024-04-10", "issued: 2024-04-10T00:00:00", False),
    "issued-quoted": ("issued: 2024-04-10", "issued: '2024-04-10'", True),
    "issued-not-a-date": ("issued: 2024-04-10", "issued: '2024-13-10'", False),
    "number-as-float": ("number: 1\n", "number: 1.0\n", True),  # JSON Schema: 1.0 is an integer
    "boolean-as-yes": ("        number: 1\n", "        number: 1\n        by_duty: yes\n", False),
    "text-as-number": ("short_title: ", "short_title: 2024 #", False),
}


def _bad_input():
    spec = importlib.util.spec_from_file_location("bad_input", ROOT / "tests" / "pipeline" / "test_bad_input.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "tests" / "pipeline"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "tests" / "pipeline"))
    return module


def schema_verdicts(files: list[Path], schema: Path) -> dict[Path, list[str]]:
    """check-jsonschema's messages per file (empty: the file is valid)."""
    assert CHECK_JSONSCHEMA.exists(), "check-jsonschema is pinned in requirements.txt"
    out = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--schemafile", str(schema), "-o", "json", *map(str, files)],
        capture_output=True, text=True, timeout=120,
    )
    result = json.loads(out.stdout)
    found: dict[Path, list[str]] = {f.resolve(): [] for f in files}
    for err in result["errors"]:
        found[Path(err["filename"]).resolve()].append(f"{err['path']}: {err['message']}")
    for err in result.get("parse_errors", []):
        found[Path(err["filename"]).resolve()].append(err["message"])
    return found


def check_verdicts(data: Path) -> tuple[dict[Path, list[str]], dict[Path, set[str]]]:
    """The check's load-and-model problems per file, and the rules that
    found something in each file."""
    corpus = load_corpus(data)
    structural: dict[Path, list[str]] = defaultdict(list)
    for p in corpus.problems:
        structural[(data / p.file).resolve() if not Path(p.file).is_absolute() else Path(p.file)].append(str(p))
    by_rule: dict[Path, set[str]] = defaultdict(set)

    def note(rule_name, problems):
        for p in problems:
            by_rule[Path(p.file).resolve() if Path(p.file).is_absolute() else (data / p.file).resolve()].add(rule_name)

    for loaded in corpus.plans:
        if loaded.model is not None:
            for rule in PLAN_RULES + FILE_RULES:
                note(rule.__name__, rule(corpus, loaded))
            for rule in LOCAL_RULES:
                note(rule.__name__, rule(Local(corpus), loaded))
    for rule in CORPUS_RULES:
        note(rule.__name__, rule(corpus))
    return structural, by_rule


def test_every_rule_is_placed():
    rules = {r.__name__ for r in PLAN_RULES + FILE_RULES + LOCAL_RULES + CORPUS_RULES} | {"check_registry"}
    assert rules == set(BEYOND_SCHEMA), (
        f"rules not listed in BEYOND_SCHEMA: {sorted(rules - set(BEYOND_SCHEMA))}; "
        f"listed but gone: {sorted(set(BEYOND_SCHEMA) - rules)}"
    )
    assert validate.RULE_MODULES  # the rules above are the registered ones


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> tuple[Path, dict[str, bool]]:
    """The bad-input corpus, the type cases and a copy of every real data
    file; returns the folder and {type case file: accepted?}."""
    bad = _bad_input()
    data = tmp_path_factory.mktemp("agree") / "data"
    bad.broken_corpus(data)
    cases = {}
    for case, (old, new, accepted) in TYPE_CASES.items():
        assert old in bad.GOOD, f"{case}: the fixture plan no longer holds {old!r}"
        stem = f"type-{case}"
        (data / "plans" / f"{stem}.yaml").write_text(bad.renamed(bad.GOOD.replace(old, new, 1), stem), encoding="utf-8")
        cases[f"plans/{stem}.yaml"] = accepted
    real = data / "real"
    for sub in ("plans", "departments"):
        shutil.copytree(ROOT / "data" / sub, real / sub)
    return data, cases


def _files(data: Path, sub: str) -> list[Path]:
    return sorted(p for p in (data / sub).glob("*.yaml"))


@pytest.mark.parametrize("sub, schema", [("plans", "plan.schema.json"), ("departments", "departments.schema.json")])
def test_schema_and_check_agree_on_every_file(corpus_dir, sub, schema):
    data, _ = corpus_dir
    files = _files(data, sub) + _files(data / "real", sub)
    by_schema = schema_verdicts(files, ROOT / "data" / "schema" / schema)
    structural = {**check_verdicts(data)[0], **check_verdicts(data / "real")[0]}
    disagree = [
        f"{f.relative_to(data)}: the schema says {by_schema[f.resolve()] or 'valid'}; "
        f"the check says {structural.get(f.resolve()) or 'valid'}"
        for f in files
        if bool(by_schema[f.resolve()]) != bool(structural.get(f.resolve()))
    ]
    assert not disagree, "\n".join(disagree)
    assert len(files) >= 5


def test_type_cases_get_the_verdict_they_should(corpus_dir):
    data, cases = corpus_dir
    files = [data / rel for rel in cases]
    by_schema = schema_verdicts(files, ROOT / "data" / "schema" / "plan.schema.json")
    structural, _ = check_verdicts(data)
    for rel, accepted in cases.items():
        f = (data / rel).resolve()
        assert (not by_schema[f]) == accepted, f"{rel}: the schema says {by_schema[f] or 'valid'}"
        assert (not structural.get(f)) == accepted, f"{rel}: the check says {structural.get(f) or 'valid'}"


def test_real_data_is_valid_for_both():
    files = _files(ROOT / "data", "plans")
    assert not any(schema_verdicts(files, ROOT / "data" / "schema" / "plan.schema.json").values())
    regs = _files(ROOT / "data", "departments")
    assert not any(schema_verdicts(regs, ROOT / "data" / "schema" / "departments.schema.json").values())
