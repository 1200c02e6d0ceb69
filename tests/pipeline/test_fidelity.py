"""Fidelity of every plan in the data to its source document: tasks, actions
and parts numbered as printed, verbatim texts, annex rows that restate the
plan and fill the columns the annex prints, resolving references, and scope
notes that govern only their tasks. One case per plan, whatever plans the
data holds (data/, or the copy tests/test_extra_plan.py makes)."""

from __future__ import annotations

import pytest

from conftest import DATA
from scripts.model import models
from scripts.pipeline.load.corpus import Corpus
from scripts.pipeline.validate import check
from scripts.pipeline.validate.walk import squash

PLAN_IDS = sorted(p.stem for p in (DATA / "plans").glob("*.yaml") if not p.name.startswith("_"))
CN = "一二三四五六七八九十"


@pytest.fixture(scope="module")
def checked(data_dir) -> tuple[Corpus, list]:
    return check(data_dir)


@pytest.fixture(scope="module")
def corpus(checked) -> Corpus:
    return checked[0]


def plan_of(corpus: Corpus, plan_id: str) -> models.Plan:
    found = [p.model for p in corpus.plans if p.model is not None and p.model.id == plan_id]
    assert found, f"the plan {plan_id} is missing or does not validate"
    return found[0]


def tasks_of(plan: models.Plan) -> list[models.Task]:
    return [t for a in plan.actions for t in a.tasks]


def source_of(corpus: Corpus, plan: models.Plan) -> str:
    return squash((corpus.data_dir / "sources" / plan.source).read_text(encoding="utf-8"))


def chinese(n: int) -> str:
    """1 -> 一, 12 -> 十二, 23 -> 二十三."""
    if n <= 10:
        return CN[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens - 1]) + "十" + (CN[ones - 1] if ones else "")


def test_the_real_data_has_no_problems(checked):
    _, problems = checked
    assert problems == [], "\n".join(map(str, problems))


def test_every_plan_file_is_a_plan(corpus):
    assert PLAN_IDS, "no plan in the data"
    assert sorted(p.model.id for p in corpus.plans if p.model is not None) == PLAN_IDS


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_numbered_as_printed(corpus, plan_id):
    """Each task's number is printed just before its text (1. 1、 （1） （一）),
    each action's and part's number just before its title; numbers rise by
    one within an action and run on or restart at 1 across actions."""
    plan = plan_of(corpus, plan_id)
    source = source_of(corpus, plan)
    wrong = []
    for t in tasks_of(plan):
        head = squash(t.text)[:6]
        forms = [f"{t.number}{sep}{head}" for sep in (".", "、", "．")]
        forms += [f"{o}{n}{c}{head}" for o, c in (("（", "）"), ("(", ")")) for n in (t.number, chinese(t.number))]
        if not any(f in source for f in forms):
            wrong.append(f"{t.id}: '{t.number}' is not printed before '{head}…'")
    for x in [*plan.actions, *plan.parts]:
        if squash(x.number + x.title) not in source:
            wrong.append(f"{x.id}: '{x.number}{x.title}' is not printed")
    previous = 0
    for a in plan.actions:
        numbers = [t.number for t in a.tasks]
        if numbers:
            assert numbers[0] in (previous + 1, 1), f"{a.id} starts at {numbers[0]} after {previous}"
            assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), f"{a.id}: {numbers}"
            previous = numbers[-1]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_task_texts_are_verbatim(corpus, plan_id):
    plan = plan_of(corpus, plan_id)
    source = source_of(corpus, plan)
    missing = []
    for t in tasks_of(plan):
        for field in ("title", "text", "units_text"):
            value = getattr(t, field)
            if value and squash(value) not in source and field not in t.not_verbatim:
                missing.append(f"{t.id}.{field}")
    assert not missing, f"not in {plan.source} as printed: {missing}"


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_annex_rows_are_linked(corpus, plan_id):
    plan = plan_of(corpus, plan_id)
    targets = {t.id for t in tasks_of(plan)} | {g.id for g in plan.goals}
    targets |= {b.id for b in plan.organisation} | {s.id for s in plan.sections}
    for annex in plan.annexes:
        for row in annex.rows:
            assert row.restates, f"{annex.id} row {row.number} restates nothing"
            unknown = [r for r in row.restates if r not in targets]
            assert not unknown, f"{annex.id} row {row.number} restates unknown ids {unknown}"
        assert [r.number for r in annex.rows] == list(range(1, len(annex.rows) + 1))


# A column an annex prints, and the field of a row that holds it.
COLUMN_FIELDS = {"时间节点": "due", "牵头区领导": "leaders", "牵头领导": "leaders", "责任单位": "lead_text"}


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_annex_rows_fill_the_columns_the_annex_prints(corpus, plan_id):
    """A row leaves a printed column (时间节点, 牵头领导, 责任单位) empty only
    with a note saying why; an annex the document names but does not include
    has no rows, no columns and a note."""
    plan = plan_of(corpus, plan_id)
    for annex in plan.annexes:
        if not annex.included:
            assert annex.rows == [] and annex.columns == [] and annex.note, annex.id
            continue
        for column, field in COLUMN_FIELDS.items():
            if column in annex.columns:
                empty = [r.number for r in annex.rows if not getattr(r, field) and not r.note]
                assert not empty, f"{annex.id}: rows {empty} have no {column} and no note"


def _department_refs(plan: models.Plan):
    for t in tasks_of(plan):
        yield from t.lead
        yield from t.support
    for annex in plan.annexes:
        for row in annex.rows:
            yield from row.lead
            yield from row.support
    for note in plan.scope_notes:
        yield from note.lead
        yield from note.support
    for body in plan.organisation:
        for m in body.members:
            if m.department:
                yield m.department


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_department_references_resolve(corpus, plan_id):
    plan = plan_of(corpus, plan_id)
    own = {d.id for d in corpus.jurisdictions[plan.jurisdiction].departments}
    unknown = sorted({r for r in _department_refs(plan) if r not in own})
    assert not unknown, f"not in data/departments/{plan.jurisdiction}.yaml: {unknown}"


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_topics_and_national_lines_resolve(corpus, plan_id):
    plan = plan_of(corpus, plan_id)
    assert not sorted({x for t in tasks_of(plan) for x in t.topics} - corpus.topic_ids)
    lines = {n for a in plan.actions for n in a.national} | {n for t in tasks_of(plan) for n in t.national}
    assert not sorted(lines - corpus.national_ids)


def test_scope_notes_govern_only_their_tasks(corpus):
    """A scope note (以下均需各社区负责) adds its units to the tasks it governs
    and to no other task."""
    from scripts.pipeline.enrich import enrich

    site = enrich(corpus)
    for plan in site.plans:
        for note in plan.data.scope_notes:
            for t in plan.tasks:
                lead = {d.data.id for d in t.lead}
                if t.data.id in note.tasks:
                    assert set(note.lead) <= lead and note in t.scope_notes, t.data.id
                else:
                    assert note not in t.scope_notes
                    own = set(t.data.lead) | {d for n in t.scope_notes for d in n.lead}
                    assert not (set(note.lead) - own) & lead, t.data.id
