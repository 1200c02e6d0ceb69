"""Every kind of time a plan states, through enrich, the downloads, the
dataset and search, on a small corpus made here: recurring duties at any
interval (their due dates, the RRULE, and the ICS expanded as a calendar
program does), dates whose year comes from the rule, ongoing duties, events
with and without a date, and scope notes."""

from __future__ import annotations

import datetime as dt

import pytest
import recurring_ical_events
from icalendar import Calendar

from scripts.model import models
from scripts.pipeline.enrich import enrich
from scripts.pipeline.render import downloads
from scripts.pipeline.render.dataset import dataset
from scripts.search.documents import documents
from test_views import _plan, _task, make_corpus

D = dt.date
NOW = D(2024, 10, 15)


def rec(text, **kw):
    return {"text": text, **kw}


def time_plan():
    """A plan issued 2024-04-10 for 2024–2026 with every time form."""
    t1 = _task("cc-t1", 1, "加强防汛。每两个月开展一次联合检查，每周调度一次，每半月报送一次，汛期前完成排水设施检修，常态化开展隐患排查。",
               lead=["aa-yingji"], recurrence=[rec("每两个月开展一次联合检查", every="month", interval=2),
                                               rec("每周调度一次", every="week"), rec("每半月报送一次", every="half-month")])
    t1.ongoing = [models.Ongoing(text="常态化开展隐患排查")]
    t1.events = [models.Event(text="汛期前完成排水设施检修")]
    t2 = _task("cc-t2", 2, "报送总结。每年3月底前报送上一年度工作总结，次年3月前报送年度报告，每两年开展一次评估，每年至少两次演练。",
               lead=["aa-fire"], recurrence=[rec("每年3月底前报送上一年度工作总结", every="year", month=3),
                                             rec("次年3月前报送年度报告", every="year", month=3, next_year=True),
                                             rec("每两年开展一次评估", every="year", interval=2),
                                             rec("每年至少两次演练", every="year", min_count=2)])
    t3 = _task("cc-t3", 3, "完善设施。6月底前完成安装，2025年推动试点，年内完成验收，春节前开展一次检查。",
               deadlines=[(D(2024, 6, 30), "6月底前"), (D(2025, 12, 31), "2025年"), (D(2025, 12, 31), "年内")])
    t3.deadlines[2].year = 2025
    t3.events = [models.Event(text="春节前开展一次检查", date=D(2025, 1, 28), note="按2025年春节（1月29日）前一日计")]
    plan = _plan("aa-2024-2026", "aa", [models.Action(id="cc-a1", number="（一）", title="防汛", tasks=[t1, t2, t3])],
                 issued=D(2024, 4, 10), annexes=[models.Annex(id="cc-annex", title="2025年清单", year=2025, rows=[
                     models.AnnexRow(number=1, item="验收", restates=["cc-t3"], due=models.Deadline(date=D(2025, 9, 30), text="9月")),
                 ])])
    plan.scope_notes = [models.ScopeNote(text="以下均需甲镇应急办负责", lead=["aa-yingji"], tasks=["cc-t2", "cc-t3"])]
    return plan


@pytest.fixture
def site():
    return enrich(make_corpus([time_plan()]), now=NOW)


def dues(site, task, i=0):
    return site.tasks[task].recurrence[i]


def test_due_dates_of_every_period(site):
    every2 = dues(site, "cc-t1", 0)
    assert every2.every_label == "每两个月" and every2.label == "每两个月至少1次"
    assert every2.due_dates[:3] == [D(2024, 4, 30), D(2024, 6, 30), D(2024, 8, 31)] and every2.last_due == D(2026, 12, 31)
    assert every2.rrule == {"freq": "monthly", "interval": 2, "bymonthday": -1, "until": D(2026, 12, 31)}
    weekly = dues(site, "cc-t1", 1)
    assert weekly.first_due == D(2024, 4, 14) and weekly.first_due.weekday() == 6  # the Sunday of the issue week
    assert all((b - a).days == 7 for a, b in zip(weekly.due_dates, weekly.due_dates[1:]))
    assert weekly.rrule == {"freq": "weekly", "until": D(2026, 12, 31)}
    half = dues(site, "cc-t1", 2)
    assert half.label == "每半月15日和月末至少1次"
    assert half.due_dates[:3] == [D(2024, 4, 15), D(2024, 4, 30), D(2024, 5, 15)]
    assert half.rrule == {"freq": "monthly", "bymonthday": [15, -1], "until": D(2026, 12, 31)}


def test_yearly_duties_with_a_month_the_next_year_and_an_interval(site):
    march = dues(site, "cc-t2", 0)
    assert march.label == "每年3月底前至少1次"
    assert march.due_dates == [D(2025, 3, 31), D(2026, 3, 31)]  # issued in April 2024: the first March is 2025's
    assert march.rrule == {"freq": "yearly", "bymonth": 3, "bymonthday": -1, "until": D(2026, 12, 31)}
    nxt = dues(site, "cc-t2", 1)
    assert nxt.label == "每年（次年3月底前）至少1次"
    assert nxt.due_dates == [D(2025, 3, 31), D(2026, 3, 31), D(2027, 3, 31)]  # for 2024, 2025 and 2026
    assert nxt.rrule["until"] == D(2027, 3, 31)
    two = dues(site, "cc-t2", 2)
    assert two.every_label == "每两年" and two.due_dates == [D(2025, 12, 31)]
    assert two.rrule == {"freq": "yearly", "interval": 2, "bymonth": 12, "bymonthday": -1, "until": D(2026, 12, 31)}
    twice = dues(site, "cc-t2", 3)
    assert twice.label == "每年至少2次" and twice.due_dates == [D(2024, 12, 31), D(2025, 12, 31), D(2026, 12, 31)]


def test_calendar_programs_expand_the_rules_to_the_due_dates(site):
    """Each duty's ICS event, expanded by recurring-ical-events, falls due on
    exactly its due dates."""
    plan = site.plans[0]
    cal = Calendar.from_ical(downloads.ics_bytes("x", plan.deadlines, plan.recurrences, NOW))
    got: dict[str, list] = {}
    for e in recurring_ical_events.of(cal).between(D(2000, 1, 1), D(2100, 1, 1)):
        got.setdefault(str(e["UID"]).split("@")[0], []).append(e["DTSTART"].dt)
    for r in plan.recurrences:
        assert sorted(got[r.anchor]) == r.due_dates, r.data.text
    assert got["due-cc-t3-e1"] == [D(2025, 1, 28)]  # the event an editor dated
    assert "event-cc-t1-1" not in got  # an undated event has no place in a calendar


def test_the_recurring_calendar_counts_months(site):
    groups = {g.key: g for g in site.recurrence_calendar}
    assert list(groups) == ["week", "half-month", "month-2", "year", "year-2"]
    assert groups["month-2"].months == [2, 4, 6, 8, 10, 12] and groups["month-2"].label == "每两个月"
    assert groups["year"].due_in(3) == 2 and groups["year"].due_in(12) == 1
    assert dict(site.recurrence_month_totals)[3] == 2 + 2  # weekly and half-monthly fall due every month


def test_dates_the_plan_does_not_print_whole_say_why(site):
    d1, d2, d3 = site.tasks["cc-t3"].deadlines
    assert (d1.date, d1.inferred, d1.inferred_label) == (D(2024, 6, 30), True, "年份按方案年度推定")
    assert (d2.inferred_label, d3.inferred_label) == ("仅写年份，按年底计", "年份由编者据上下文确定")
    row = site.plans[0].annex_rows["cc-annex"][0]
    assert row.due.inferred_label == "年份按清单年度"
    event = site.tasks["cc-t3"].events[0]
    assert event.dated and event.inferred_label == "日期由编者补注" and event in site.plans[0].deadlines
    assert not any(d.inferred for d in site.tasks["cc-t1"].deadlines)


def test_ongoing_and_undated_events_are_listed_never_dated(site):
    plan = site.plans[0]
    assert [o.data.text for o in plan.ongoing] == ["常态化开展隐患排查"]
    assert [e.data.text for e in plan.undated_events] == ["汛期前完成排水设施检修"]
    assert all(not isinstance(d.data, models.Ongoing) for d in plan.deadlines)
    assert [e.data.text for e in site.undated_events] == ["汛期前完成排水设施检修"]
    yingji = site.departments["aa-yingji"]
    assert [o.anchor for o in yingji.ongoing] == ["ongoing-cc-t1-1"] and len(yingji.undated_events) == 1


def test_scope_notes_govern_only_their_tasks(site):
    assert [d.data.id for d in site.tasks["cc-t2"].lead] == ["aa-fire", "aa-yingji"]
    assert [d.data.id for d in site.tasks["cc-t3"].lead] == ["aa-yingji"]
    assert site.tasks["cc-t1"].scope_notes == [] and site.tasks["cc-t3"].scope_notes[0].text == "以下均需甲镇应急办负责"


def test_task_lists_carry_the_same_words(site):
    table = downloads.plan_table(site.plans[0])
    col = {n: i for i, n in enumerate(table.columns)}
    r1, r2, r3 = table.rows
    assert r1[col["持续性要求"]] == "常态化开展隐患排查" and r1[col["节点性要求"]] == "汛期前完成排水设施检修（未定日期）"
    assert "每两个月至少1次：每两个月开展一次联合检查" in r1[col["周期性要求"]]
    assert r3[col["时间节点"]] == ("6月底前（2024-06-30，年份按方案年度推定）；2025年（2025-12-31，仅写年份，按年底计）；"
                                 "年内（2025-12-31，年份由编者据上下文确定）")
    assert r3[col["节点性要求"]] == "春节前开展一次检查（2025-01-28，日期由编者补注）"


def test_dataset_and_search_carry_the_new_fields(site):
    data = dataset(site)
    (plan,) = data["plans"]
    t1, t2, t3 = plan["actions"][0]["tasks"]
    assert t1["ongoing"] == [{"text": "常态化开展隐患排查"}] and t1["events"] == [{"text": "汛期前完成排水设施检修"}]
    assert t1["recurrence"][0] | {"first_due": "", "last_due": ""} == {
        "every": "month", "interval": 2, "min_count": 1, "text": "每两个月开展一次联合检查", "label": "每两个月至少1次",
        "first_due": "", "last_due": ""}
    assert t2["recurrence"][1]["next_year"] is True and t2["recurrence"][1]["month"] == 3
    assert [d["inferred"] for d in t3["deadlines"]] == [True, True, True] and t3["deadlines"][2]["year"] == 2025
    assert t3["events"][0]["editor_dated"] and t3["events"][0]["date"] == "2025-01-28"
    assert plan["scope_notes"][0]["tasks"] == ["cc-t2", "cc-t3"]
    docs, _ = documents(site)
    names = next(d.rec["m"] for d in docs if d.rec.get("u", "").endswith("#cc-t1"))
    assert {"每两个月", "每周", "常态化开展隐患排查", "汛期前完成排水设施检修"} <= set(names)
