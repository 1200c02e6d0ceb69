"""Fidelity of the five curated plans to their source documents: counts and
numbering as printed, verbatim texts, linked annex rows, resolving references,
topics and national lines. One parametrized case per plan where it applies."""

from __future__ import annotations

import pytest

from scripts.model import models
from scripts.pipeline.load.corpus import Corpus
from scripts.pipeline.validate import check
from scripts.pipeline.validate.walk import squash

# plan id: (tasks, actions, parts); None where the document has no such count to check
EXPECTED = {
    "maogang-2024-2026": (30, 9, None),
    "puxinglu-2024-2026": (27, 12, None),
    "qingpingjie-2024-2026": (23, 10, None),
    "putuo-2022": (50, 17, 5),
    "baoshan-gzw-2024-2026": (11, 1, None),
}
PLAN_IDS = sorted(EXPECTED)


@pytest.fixture(scope="module")
def checked() -> tuple[Corpus, list]:
    return check()


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


def test_the_real_data_has_no_problems(checked):
    _, problems = checked
    assert problems == [], "\n".join(map(str, problems))


def test_every_plan_is_covered(corpus):
    assert sorted(p.model.id for p in corpus.plans if p.model is not None) == PLAN_IDS


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_counts(corpus, plan_id):
    plan = plan_of(corpus, plan_id)
    tasks, actions, parts = EXPECTED[plan_id]
    assert len(tasks_of(plan)) == tasks
    assert len(plan.actions) == actions
    if parts is not None:
        assert len(plan.parts) == parts
        part_ids = {p.id for p in plan.parts}
        assert all(a.part in part_ids for a in plan.actions), "every action sits under one of the parts"
        assert {a.part for a in plan.actions} == part_ids, "every part has actions"


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_numbering_without_gaps(corpus, plan_id):
    numbers = [t.number for t in tasks_of(plan_of(corpus, plan_id))]
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_task_texts_are_verbatim(corpus, plan_id):
    plan = plan_of(corpus, plan_id)
    source = source_of(corpus, plan)
    missing = []
    for t in tasks_of(plan):
        for field in ("title", "text", "units_text"):
            value = getattr(t, field)
            if value and squash(value) not in source:
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


def test_maogang_annex(corpus):
    (annex,) = plan_of(corpus, "maogang-2024-2026").annexes
    assert annex.included and annex.year == 2024
    assert len(annex.rows) == 26
    for row in annex.rows:
        assert row.due is not None, f"row {row.number} has no 时间节点"
        assert row.due.date.year == 2024
        assert row.lead, f"row {row.number} has no 责任单位"


def test_putuo_annex(corpus):
    (annex,) = plan_of(corpus, "putuo-2022").annexes
    assert len(annex.rows) == 23
    for row in annex.rows:
        assert row.leaders, f"row {row.number} names no 牵头区领导"
        assert row.lead, f"row {row.number} has no 责任单位"


def test_puxinglu_annex_is_recorded_as_missing(corpus):
    (annex,) = plan_of(corpus, "puxinglu-2024-2026").annexes
    assert annex.included is False
    assert annex.rows == [] and annex.columns == []
    assert annex.note, "a missing annex says so in its note"


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
    refs = list(_department_refs(plan))
    assert refs, "the plan names responsible units"
    unknown = sorted({r for r in refs if r not in own})
    assert not unknown, f"not in data/departments/{plan.jurisdiction}.yaml: {unknown}"


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_every_task_has_a_topic(corpus, plan_id):
    plan = plan_of(corpus, plan_id)
    assert not [t.id for t in tasks_of(plan) if not t.topics]
    unknown = sorted({x for t in tasks_of(plan) for x in t.topics} - corpus.topic_ids)
    assert not unknown


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_every_action_maps_to_national_lines(corpus, plan_id):
    plan = plan_of(corpus, plan_id)
    assert not [a.id for a in plan.actions if not a.national]
    unknown = sorted({n for a in plan.actions for n in a.national} - corpus.national_ids)
    assert not unknown


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
                    assert not (set(note.lead) - set(t.data.lead) - {d for n in t.scope_notes for d in n.lead}) & lead, t.data.id
