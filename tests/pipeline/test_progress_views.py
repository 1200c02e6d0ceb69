"""What the progress reports become (scripts/pipeline/enrich/progress.py and
boards.py): the state of a task at any date, the occurrences of a recurring
duty reported, the board of a jurisdiction and its quarterly bulletins, on a
small corpus made here; and, on the real data, honesty with no reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scripts.model.progress import ProgressFile, Report
from scripts.pipeline.enrich import enrich
from scripts.pipeline.load.corpus import Loaded
from scripts.pipeline.load.document import Document
from test_views import NOW, make_corpus, two_plans

D = dt.date


def corpus_with(reports: list[dict]):
    c = make_corpus(two_plans())
    by: dict[str, list] = {}
    for r in reports:
        d = r["date"]
        by.setdefault(f"{d.year}-q{(d.month - 1) // 3 + 1}", []).append(Report(**r))
    for q, rs in by.items():
        c.progress.append(Loaded(Document(Path(f"data/progress/aa-2024-2026/{q}.yaml")),
                                 ProgressFile(plan="aa-2024-2026", quarter=q, reports=rs)))
    return c


def site_with(reports: list[dict], now: dt.date = NOW):
    return enrich(corpus_with(reports), now=now)


def state(site, task: str, at: dt.date | None = None):
    p = site.tasks[task].progress
    return p.state_at(at) if at else p.state


def r(task="aa-t1", unit="aa-yingji", date=D(2024, 5, 10), status="推进中", **kw) -> dict:
    return {"task": task, "unit": unit, "date": date, "status": status, "text": "进展。", **kw}


def test_no_report_says_so_and_infers_nothing_but_overdue():
    site = site_with([])
    assert state(site, "aa-t1").label == "暂无报送"  # due 2024-12-31, NOW 2024-10-15: nothing inferred
    assert state(site, "aa-t1", D(2025, 1, 2)).label == "已逾期（未报送）"
    assert state(site, "aa-t2").label == "暂无报送"  # a recurring duty: never overdue


def test_states_follow_the_latest_report():
    site = site_with([r(status="推进中", date=D(2024, 8, 1)), r(status="已完成", date=D(2024, 10, 2))])
    assert state(site, "aa-t1", D(2024, 8, 31)).label == "推进中"
    assert state(site, "aa-t1").key == "done" and state(site, "aa-t1").label == "已完成"
    assert state(site, "aa-t1", D(2025, 3, 1)).key == "done"  # done is never overdue
    site = site_with([r(status="滞后", date=D(2024, 10, 1))])
    assert state(site, "aa-t1").label == "滞后"
    site = site_with([r(status="未启动", date=D(2024, 10, 1))])
    assert state(site, "aa-t1").label == "未启动"
    assert state(site, "aa-t1", D(2024, 12, 5)).label == "30天内到期"
    assert state(site, "aa-t1", D(2025, 1, 1)).label == "已逾期"


def test_behind_when_the_last_complete_quarter_went_unreported():
    site = site_with([r(date=D(2024, 5, 10))])
    assert state(site, "aa-t1", D(2024, 6, 30)).key == "ontrack"  # the quarter of the report
    assert state(site, "aa-t1", D(2024, 8, 1)).key == "ontrack"  # Q2 is the last complete quarter
    assert state(site, "aa-t1", D(2024, 9, 30)).label == "滞后（上季度未报送）"  # Q3 ended without one
    assert state(site, "aa-t1").label == "滞后（上季度未报送）"


def test_duty_occurrences_reported():
    site = site_with([r(task="aa-t2", unit="aa-fire", occurrence="2024-q2", status="已完成", date=D(2024, 6, 20))])
    (duty, occs), = site.tasks["aa-t2"].progress.duties
    assert [o.key for o in occs] == ["2024-q2", "2024-q3"]  # due by NOW, from the issue date (2024-04)
    assert [o.reported for o in occs] == [True, False]
    assert state(site, "aa-t2").key == "behind"  # reported on in Q2, nothing in Q3
    assert site.tasks["aa-t2"].progress.latest is None  # an occurrence is no report on the task as a whole


def test_board_grid_and_bulletins():
    site = site_with([r(date=D(2024, 5, 10)), r(date=D(2024, 10, 2), status="已完成"),
                      r(task="aa-t3", unit="aa-fire", date=D(2024, 8, 8), status="滞后")])
    board = site.boards["aa"]
    assert board.quarters == [(2024, q) for q in range(1, 5)]
    assert board.url == "progress/aa/" and [b.url for b in board.bulletins][0] == "progress/aa/2024-q4/"
    units = {u.data.id if u else None: rows for u, rows in board.grid}
    assert set(units) == {"aa-yingji", "aa-fire", None}  # aa-t3 under both its lead units; aa-t4 has none
    t1 = next(states for x, states in units["aa-yingji"] if x.data.id == "aa-t1")
    assert [s.label for s in t1] == ["暂无报送", "推进中", "滞后（上季度未报送）", "已完成"]
    assert dict((k, n) for k, _, n in board.counts)["done"] == 1
    q4 = board.bulletins[0]
    assert q4.is_current and q4.at == NOW
    fire = next(u for u in q4.units if u.unit and u.unit.data.id == "aa-fire")
    assert fire.count("behind") == 1
    assert [(x.data.id, m.key) for x, _, m in fire.missed] == []  # Q4's quarterly duty falls due on 12-31
    q3 = board.bulletins[1]
    fire3 = next(u for u in q3.units if u.unit and u.unit.data.id == "aa-fire")
    assert [(x.data.id, m.key) for x, _, m in fire3.missed] == [("aa-t2", "2024-q3")]
    changed = {x.data.id: (a.label, b.label) for x, a, b in q4.changes}
    assert changed["aa-t1"] == ("滞后（上季度未报送）", "已完成")
    assert [(x.target.data.id, x.date) for x in q4.reports] == [("aa-t1", D(2024, 10, 2))]


def test_a_plan_that_has_ended_keeps_its_quarters():
    site = site_with([], now=D(2030, 1, 1))
    assert site.boards["aa"].quarters[-1] == (2026, 4)
    assert site.boards["aa"].bulletins[0].label == "2026年第四季度"


def test_real_data_without_reports_is_honest():
    """For any valid data: a task or annex row nobody reported on is 暂无报送,
    or 已逾期（未报送） exactly when its last deadline is past."""
    from scripts.pipeline.validate import check

    corpus, problems = check()
    assert not problems
    site = enrich(corpus, now=NOW)
    checked = 0
    for p in site.plans:
        for x in [*p.tasks, *(r for rows in p.annex_rows.values() for r in rows)]:
            if x.progress.reports:
                continue
            dues = x.progress.due_dates
            expected = "已逾期（未报送）" if dues and dues[-1] < NOW else "暂无报送"
            assert x.progress.state.label == expected, x
            checked += 1
    assert checked


@pytest.mark.parametrize("at, first", [(D(2024, 6, 30), D(2024, 4, 1)), (D(2024, 7, 1), D(2024, 4, 1)),
                                       (D(2024, 1, 5), D(2023, 10, 1))])
def test_last_period_start(at, first):
    from scripts.pipeline.enrich.progress import last_period_start

    assert last_period_start(at) == first
