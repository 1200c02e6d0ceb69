"""Progress reports as data (data/progress/, scripts/model/progress.py) and
their rules (scripts/pipeline/validate/progress.py): the fixture reports for
any valid data pass `make check`; each broken report is named with its file
and line; the occurrence names of recurring duties."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW, ROOT
from scripts.model import models
from scripts.model.occurrences import occurrence_key, occurrences
from scripts.model.progress import PROGRESS_SCHEMA_COMMENT
from scripts.pipeline.validate import check

FIXTURE = ROOT / "tests" / "fixtures" / "data"
PLAN = "demo-2024-2026"


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setenv("NOW", NOW)


def test_fixture_reports_of_the_real_data_pass_the_check(progress_data):
    corpus, problems = check(progress_data)
    assert not problems, "\n".join(map(str, problems[:10]))
    assert sum(len(f.model.reports) for f in corpus.progress) > 0
    assert {f.model.plan for f in corpus.progress} <= {p.model.id for p in corpus.plans}


def write(data: Path, quarter: str, body: str, plan: str = PLAN) -> Path:
    path = data / "progress" / plan / f"{quarter}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{PROGRESS_SCHEMA_COMMENT}\nplan: {plan}\nquarter: {quarter}\nreports:\n{body}", encoding="utf-8")
    return path


def report(task="demo-party-responsibility", unit="demo-anweiban", date="2024-05-10", status="推进中", **extra) -> str:
    lines = [f"  - task: {task}"] if task else []
    lines += [f"    {k}: {v}" for k, v in extra.items()]
    if not task:
        lines[0] = "  - " + lines[0].strip()
    lines += [f"    unit: {unit}", f"    date: {date}", f"    status: {status}", "    text: 已推进。"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def data(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(FIXTURE, target)
    return target


def problems_of(data: Path) -> list[str]:
    _, problems = check(data)
    return [f"{Path(p.file).name}:{p.line}: {p.message}" for p in problems]


def test_a_good_file_passes(data):
    write(data, "2024-q2", report() + report(date="2024-06-20", status="已完成")
          + report(task="demo-hazard-screening", occurrence="2024-05", status="已完成")
          + report(task=None, annex="demo-annex-2024", row=1, unit="demo-paichusuo"))
    assert problems_of(data) == []


@pytest.mark.parametrize("body, line, words", [
    (report(task="demo-nothing"), 5, "has no task 'demo-nothing'"),
    (report(unit="demo-nobody"), 6, "unknown department 'demo-nobody'"),
    (report(unit="linzhen-anweiban"), 6, "is not a lead or supporting unit"),
    (report(task="demo-hazard-screening", unit="linzhen-anweiban"), 6, "names no unit"),
    (report(date="2024-08-01"), 7, "is not in 2024-q2"),
    (report(date="2099-05-01"), 7, "in the future"),
    (report(task="demo-hazard-screening", occurrence="2024-h1"), 6, "is no occurrence"),
    (report(occurrence="2024-05"), 6, "is no occurrence"),
    (report(task=None, annex="demo-annex-2024", row=9), 6, "has no row 9"),
    (report(status="完成了"), 8, "'status'"),
    (report() + report(), 10, "already reported"),
    (report(status="已完成") + report(date="2024-06-01"), 13, "goes back from 已完成"),
])
def test_each_broken_report_is_named_with_its_line(data, body, line, words):
    write(data, "2024-q2", body)
    found = problems_of(data)
    assert any(p.startswith(f"2024-q2.yaml:{line}:") and words in p for p in found), found


def test_going_backwards_with_a_note_passes_and_across_quarters_is_seen(data):
    write(data, "2024-q2", report(status="已完成"))
    write(data, "2024-q3", report(date="2024-07-02", status="推进中"))
    assert any("2024-q3.yaml:8:" in p and "goes back from 已完成" in p for p in problems_of(data))
    write(data, "2024-q3", report(date="2024-07-02", status="推进中", note="复查发现新问题"))
    assert problems_of(data) == []


def test_a_file_in_the_wrong_place_or_of_another_plan(data):
    write(data, "2024-q2", report(), plan="demo-2024-2026")
    (data / "progress" / "demo-2024-2026" / "2024-q2.yaml").rename(data / "progress" / "demo-2024-2026" / "2024-q3.yaml")
    found = problems_of(data)
    assert any("2024-q3.yaml:3:" in p and "must equal the file name" in p for p in found), found
    path = write(data, "2024-q1", report(date="2024-02-01"), plan="nowhere-2024")
    path.write_text(path.read_text(encoding="utf-8").replace("# yaml", "#yaml"), encoding="utf-8")
    found = problems_of(data)
    assert any("2024-q1.yaml:2:" in p and "no plan 'nowhere-2024'" in p for p in found), found
    assert any("2024-q1.yaml:1:" in p and "first line" in p for p in found), found


def test_make_check_lists_progress_problems_with_file_and_line(data):
    write(data, "2024-q2", report(unit="linzhen-anweiban"))
    r = subprocess.run([sys.executable, "-m", "scripts", "--data", str(data), "check"], cwd=ROOT,
                       capture_output=True, text=True, env={**os.environ, "NOW": NOW})
    assert r.returncode == 1
    assert "progress/demo-2024-2026/2024-q2.yaml:6:" in r.stdout and "Traceback" not in r.stderr


def test_occurrence_names():
    plan = models.Plan(id="x-2024-2026", title="t", short_title="t", issuer="i", period=models.Period(start=2024, end=2026),
                       jurisdiction="x", source="s", actions=[models.Action(id="a", number="一", title="t", tasks=[])])
    every = lambda **kw: models.Recurrence(text="每", **kw)  # noqa: E731
    assert list(occurrences(every(every="quarter"), plan))[:2] == ["2024-q1", "2024-q2"]
    assert list(occurrences(every(every="month", interval=2), plan))[:2] == ["2024-02", "2024-04"]
    assert list(occurrences(every(every="half-year"), plan)) == ["2024-h1", "2024-h2", "2025-h1", "2025-h2", "2026-h1", "2026-h2"]
    assert list(occurrences(every(every="year", month=3, next_year=True), plan)) == ["2024", "2025", "2026"]
    assert occurrence_key(every(every="week"), dt.date(2024, 1, 7)) == "2024-w01"
    assert occurrence_key(every(every="half-month"), dt.date(2024, 2, 29)) == "2024-02-29"


def test_the_editors_schema_and_the_check_agree_on_progress_files(progress_data, data):
    """The JSON Schema a clerk's editor reads (data/schema/progress.schema.json)
    accepts the fixture files and refuses what the models refuse."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("schema_agrees", ROOT / "tests" / "model" / "test_schema_agrees.py")
    agrees = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(agrees)
    schema_verdicts = agrees.schema_verdicts

    good = sorted((progress_data / "progress").rglob("*.yaml"))
    assert good and not any(schema_verdicts(good, ROOT / "data" / "schema" / "progress.schema.json").values())
    bad = [write(data, "2024-q2", report(status="完成了")), write(data, "2024-q3", report(date="2024-07-05", evidence="[1"))]
    bad[1].write_text(bad[1].read_text(encoding="utf-8").replace("    text: 已推进。\n", ""), encoding="utf-8")
    verdicts = schema_verdicts(bad, ROOT / "data" / "schema" / "progress.schema.json")
    assert all(verdicts[p.resolve()] for p in bad)
    assert {Path(p.file).name for p in check(data)[0].problems} >= {"2024-q2.yaml", "2024-q3.yaml"}


@pytest.mark.parametrize("content, words", [
    (b"\x00\x01binary", "binary file"),
    (b"\xff\xfe not utf-8", "not UTF-8"),
    (PROGRESS_SCHEMA_COMMENT.encode() + b"\nplan: [unclosed\n", "YAML syntax error"),
    (PROGRESS_SCHEMA_COMMENT.encode() + b"\nplan: demo-2024-2026\nquarter: 2024-q2\nreports:\n  - tsak: x\n", "unknown key 'tsak'"),
])
def test_a_broken_progress_file_is_a_problem_not_a_traceback(data, content, words):
    path = data / "progress" / PLAN / "2024-q2.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    found = problems_of(data)
    assert any(p.startswith("2024-q2.yaml:") and words in p for p in found), found
