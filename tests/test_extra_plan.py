"""A sixth plan, added as a clerk adds one, breaks no test: the fictional plan
in tests/fixtures/extra/ (a town of its own with its own department registry;
intervals, half-months, weeks, yearly duties with a month and 次年, deadlines
whose year comes from the plan or the context, bare years, ongoing duties,
events with and without a date, a scope note, an annex) is copied with data/
into a temporary folder, its addresses recorded with `make addresses` as the
contributor guide says, and then every test that reads the real data (marker
`data`: check, fidelity, build, views, time pages, downloads and calendars,
search index and queries; browser and slow tests aside) runs once more on
that copy (TEST_DATA, tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import NOW, ROOT

EXTRA = ROOT / "tests" / "fixtures" / "extra"


def with_extra_plan(target):
    shutil.copytree(ROOT / "data", target)
    for sub in ("plans", "departments", "sources"):
        for path in (EXTRA / sub).iterdir():
            assert not (target / sub / path.name).exists(), f"the extra plan would replace data/{sub}/{path.name}"
            shutil.copy(path, target / sub / path.name)


def scripts(data, *args):
    return subprocess.run([sys.executable, "-m", "scripts", "--data", str(data), *args], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "NOW": NOW})


def test_the_extra_plan_states_every_kind_of_time(tmp_path):
    """What the copy adds is worth testing with: every form of the data model."""
    from scripts.pipeline.enrich import enrich
    from scripts.pipeline.validate import check

    data = tmp_path / "data"
    with_extra_plan(data)
    corpus, problems = check(data)
    assert [p.message for p in problems if "not recorded yet" not in p.message] == []
    plan = next(p for p in enrich(corpus).plans if p.data.id == "qingxi-2025-2027")
    assert plan.jurisdiction.id not in {p.model.jurisdiction for p in corpus.plans if p.model.id != plan.data.id}
    recs = plan.recurrences
    assert {r.data.every for r in recs} >= {"week", "half-month", "month", "quarter", "half-year", "year"}
    assert any(r.data.interval > 1 for r in recs) and any(r.data.next_year for r in recs)
    assert any(r.data.month for r in recs) and any(r.data.min_count > 1 for r in recs)
    dues = [r.due for rows in plan.annex_rows.values() for r in rows if r.due]
    assert {d.year_source for d in [*plan.deadlines, *dues]} >= {None, "plan", "override", "bare-year", "annex"}
    assert plan.ongoing and plan.undated_events and any(e.dated for e in plan.events)
    assert plan.data.scope_notes and any(t.data.not_time for t in plan.tasks)


@pytest.mark.slow
@pytest.mark.long(30)
def test_the_data_tests_hold_with_an_extra_plan(tmp_path):
    if os.environ.get("TEST_DATA"):
        pytest.skip("this run is itself on a copy")
    data = tmp_path / "data"
    with_extra_plan(data)
    recorded = scripts(data, "addresses")
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    checked = scripts(data, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # A run of its own: no parallel workers' variables, its own temporary folder.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_XDIST", "PYTEST_CURRENT"))}
    env.update(TEST_DATA=str(data), NOW=NOW)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "data and not browser and not slow",
         "--basetemp", str(tmp_path / "run"), "tests"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and " failed" not in run.stdout
