"""The build memo (scripts/pipeline/build/memo.py): a kept function gives
what the function gives, from the memo the next time; a damaged value or
database is computed again; what a run did not ask for is dropped."""

from __future__ import annotations

import datetime as dt
import sqlite3

import yaml

from scripts.measure.corpus import _dump
from scripts.pipeline.build.memo import Memo
from scripts.pipeline.render.downloads import Table, xlsx_bytes

TABLE = Table("某部门 任务清单", ["序号", "任务"], [["1", "排查整治重大事故隐患"], ["2", "每季度报送进展"]])
NOW = dt.date(2024, 10, 15)


def test_kept_results_are_the_functions(tmp_path):
    path = tmp_path / "memo.sqlite"
    memo = Memo(path)
    kept = memo.function(xlsx_bytes)
    assert kept(TABLE, NOW) == xlsx_bytes(TABLE, NOW)
    memo.close()
    memo = Memo(path)
    kept = memo.function(xlsx_bytes)
    assert kept(TABLE, NOW) == xlsx_bytes(TABLE, NOW) and memo.hits == 1
    other = Table(TABLE.title, TABLE.columns, [*TABLE.rows, ["3", "新增"]])
    assert kept(other, NOW) == xlsx_bytes(other, NOW) and memo.misses == 1
    assert kept(TABLE, dt.date(2025, 1, 1)) == xlsx_bytes(TABLE, dt.date(2025, 1, 1)) and memo.misses == 2
    memo.close()


def test_a_damaged_value_is_computed_again(tmp_path):
    path = tmp_path / "memo.sqlite"
    memo = Memo(path)
    memo.function(xlsx_bytes)(TABLE, NOW)
    memo.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE memo SET value = ?", (b"PK not a spreadsheet",))
    memo = Memo(path)
    assert memo.function(xlsx_bytes)(TABLE, NOW) == xlsx_bytes(TABLE, NOW) and memo.hits == 0
    memo.close()


def test_a_damaged_database_is_replaced(tmp_path):
    path = tmp_path / "memo.sqlite"
    path.write_bytes(b"\x00" * 4096)
    memo = Memo(path)
    assert memo.function(xlsx_bytes)(TABLE, NOW) == xlsx_bytes(TABLE, NOW)
    memo.close()
    memo = Memo(path)
    memo.function(xlsx_bytes)(TABLE, NOW)
    assert memo.hits == 1
    memo.close()


def test_what_a_run_did_not_ask_for_is_dropped(tmp_path):
    path = tmp_path / "memo.sqlite"
    other = Table(TABLE.title, TABLE.columns, TABLE.rows[:1])
    memo = Memo(path)
    kept = memo.function(xlsx_bytes)
    kept(TABLE, NOW)
    kept(other, NOW)
    memo.close()
    memo = Memo(path)
    memo.function(xlsx_bytes)(TABLE, NOW)
    memo.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM memo").fetchone()[0] == 1


def test_arguments_that_are_not_plain_data_are_never_kept(tmp_path):
    """An object is written out as <… at 0x…>, and two objects can share an
    address one after the other: such calls are made, never looked up."""

    class Opaque:
        pass

    calls = []

    def make(x) -> bytes:
        calls.append(x)
        return b"made"

    memo = Memo(tmp_path / "memo.sqlite")
    kept = memo.function(make)
    for _ in range(3):
        kept(Opaque())
        kept([Opaque()])
    assert len(calls) == 6 and memo.hits == 0
    memo.close()


def test_files_as_loaded_before_are_the_files_as_loaded_now(tmp_path, data_dir):
    """The check's memo gives the models and node positions loading gives,
    and the problems the file rules find (one is made to find one); a
    changed file, or one with a problem, is loaded anew."""
    import shutil

    from scripts.pipeline.build.memo import LoadMemo
    from scripts.pipeline.validate import check

    data = tmp_path / "data"
    shutil.copytree(data_dir, data)
    plan = sorted((data / "plans").glob("[!_]*.yaml"))[0]
    doc = yaml.safe_load(plan.read_text(encoding="utf-8"))
    task = next(t for a in doc["actions"] for t in a.get("tasks", []) if t.get("deadlines"))
    task.update(deadlines=[], recurrence=[], ongoing=[], events=[], not_time=[])  # its time phrases unrecorded
    _dump(plan, doc)

    def run():
        memo = Memo(tmp_path / "memo.sqlite")
        corpus, problems = check(data, LoadMemo(memo))
        memo.close()
        return corpus, problems, memo

    def loaded(corpus):
        return [(x.doc.path, x.model, x.doc.data, x.doc.positions, x.doc.key_positions)
                for x in [*corpus.plans, *corpus.registries, corpus.categories, corpus.topics]]

    plain, problems = check(data)
    first, first_problems, memo = run()
    assert memo.hits == 0 and memo.misses > 5
    second, second_problems, memo = run()
    assert memo.misses == 0 and memo.hits > 5
    assert loaded(first) == loaded(second) == loaded(plain)
    assert first_problems == second_problems == problems
    assert any("phrase no field records" in p.message for p in problems)

    plan.write_text(plan.read_text(encoding="utf-8").replace("\nactions:", "\nactions: [\n", 1), encoding="utf-8")
    bad, bad_problems, memo = run()
    assert memo.misses == 1 and any(p.file.endswith(plan.name) for p in bad_problems)
    _, again, memo = run()
    assert memo.misses == 1 and again == bad_problems, "a file with problems was kept"


def test_local_rules_run_again_when_what_they_read_changes(tmp_path, data_dir):
    """What the local rules found in a plan is kept by the plan's file, the
    files that are not plans and the plan's source text: a unit removed
    from its registry, or a source text cut short, leaves the plan's file
    as it was, yet the problems with the memo are those of a plain check."""
    import shutil

    from scripts.pipeline.build.memo import LoadMemo
    from scripts.pipeline.validate import check

    data = tmp_path / "data"
    shutil.copytree(data_dir, data)

    def run():
        memo = Memo(tmp_path / "memo.sqlite")
        problems = check(data, LoadMemo(memo))[1]
        memo.close()
        return problems, memo

    run()
    problems, memo = run()
    assert memo.misses == 0 and problems == check(data)[1]

    plan = sorted((data / "plans").glob("[!_]*.yaml"))[0]
    doc = yaml.safe_load(plan.read_text(encoding="utf-8"))
    unit = next(u for a in doc["actions"] for t in a.get("tasks", []) for u in t.get("lead", []))
    registry = next(r for r in (data / "departments").glob("*.yaml") if f"id: {unit}\n" in r.read_text(encoding="utf-8"))
    reg = yaml.safe_load(registry.read_text(encoding="utf-8"))
    reg["departments"] = [d for d in reg["departments"] if d["id"] != unit]
    _dump(registry, reg)
    plain = check(data)[1]
    assert any(f"unknown department '{unit}'" in p.message and p.file.endswith(plan.name) for p in plain)
    assert run()[0] == plain

    source = data / "sources" / doc["source"]
    source.write_text(source.read_text(encoding="utf-8")[:200], encoding="utf-8")
    plain = check(data)[1]
    assert any("source" in p.message and p.file.endswith(plan.name) for p in plain)
    assert run()[0] == plain


def test_a_local_rule_cannot_read_other_plans(real_site):
    """Local rules are kept by what they may read: the corpus they are given
    has no plans and no progress reports."""
    import pytest

    from scripts.pipeline.validate.rules import Local

    corpus = Local(real_site)  # any object: Local only hides names
    for name in ("plans", "plan_ids", "progress"):
        with pytest.raises(AttributeError, match="@plan_rule"):
            getattr(corpus, name)
    assert corpus.tasks is real_site.tasks
