"""The cross-linked views: unit tests of the enrichment on a small corpus made
here (which tasks a department leads, timeline grouping, status by NOW, the
same duty across plans, plans against the national framework), then build
tests on the pages generated from the real data."""

from __future__ import annotations

import functools

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from built_pages import Parsed, parse_html
from scripts.model import models
from scripts.pipeline.enrich import enrich
from scripts.pipeline.enrich.comparison import infer_targets
from scripts.pipeline.enrich.timeline import SOON_DAYS, status_of, timeline
from scripts.pipeline.load.corpus import Corpus, Loaded
from scripts.pipeline.load.document import Document

D = dt.date
NOW = D(2024, 10, 15)


# --------------------------------------------------------------------------- #
# A small corpus, built in memory
# --------------------------------------------------------------------------- #


def _loaded(model) -> Loaded:
    return Loaded(Document(Path("memory.yaml")), model)


def _task(tid, number, text, lead=(), support=(), deadlines=(), recurrence=(), topics=(), national=(), title=None):
    return models.Task(
        id=tid,
        number=number,
        title=title or text.split("。")[0],
        text=text,
        lead=list(lead),
        support=list(support),
        deadlines=[models.Deadline(date=d, text=w) for d, w in deadlines],
        recurrence=[models.Recurrence(**r) for r in recurrence],
        topics=list(topics),
        national=list(national),
    )


def _plan(pid, jurisdiction, actions, goals=(), annexes=(), period=(2024, 2026), issued=None):
    return models.Plan(
        id=pid,
        title=f"{pid} 三年行动实施方案",
        short_title=f"{pid}三年行动",
        issuer="某单位",
        issued=issued,
        period=models.Period(start=period[0], end=period[1]),
        jurisdiction=jurisdiction,
        source="x.txt",
        actions=list(actions),
        goals=list(goals),
        annexes=list(annexes),
    )


def make_corpus(plans, extra_departments=()) -> Corpus:
    c = Corpus(data_dir=Path("."))
    c.categories = _loaded(models.CategoryRegistry(categories=[
        models.Category(id="fire-rescue", name="消防救援"),
        models.Category(id="emergency-management", name="应急管理"),
    ]))
    c.topics = _loaded(models.TopicRegistry(topics=[
        models.Topic(id="gas", name="燃气"),
        models.Topic(id="fire", name="消防"),
    ]))
    c.national = _loaded(models.NationalFramework(
        title="安全生产治本攻坚三年行动方案（2024—2026年）",
        issuer="国务院安全生产委员会",
        doc_number="安委〔2024〕2号",
        issued=D(2024, 1, 21),
        actions=[
            models.Line(id="nat-leader-training", title="生产经营单位主要负责人安全教育培训"),
            models.Line(id="nat-hazard-clearance", title="重大事故隐患动态清零"),
        ],
        targets=[
            models.Target(id="nat-target-2024", text="2024年底前基本消除2023年及以前排查发现的重大事故隐患存量", date=D(2024, 12, 31)),
            models.Target(id="nat-target-2025", text="2025年底前有效遏制重大事故隐患增量", date=D(2025, 12, 31)),
        ],
        local_lines=[models.Line(id="local-urban-resilience", title="城市韧性安全")],
    ))
    for jid, name in (("aa", "甲镇"), ("bb", "乙街道")):
        deps = [
            models.Department(id=f"{jid}-fire", name=f"{name}消防救援站", short=["消防站"], category="fire-rescue"),
            models.Department(id=f"{jid}-yingji", name=f"{name}应急办", category="emergency-management"),
            models.Department(id=f"{jid}-idle", name=f"{name}闲置单位", category="emergency-management"),
        ]
        deps += [d for d in extra_departments if d.id.startswith(jid + "-")]
        c.registries.append(_loaded(models.DepartmentRegistry(
            jurisdiction=models.Jurisdiction(id=jid, name=name, level="镇"), departments=deps,
        )))
    c.plans = [_loaded(p) for p in plans]
    c.index()
    return c


def two_plans():
    a = _plan("aa-2024-2026", "aa", [
        models.Action(id="aa-a1", number="（一）", title="开展主要负责人培训行动", national=["nat-leader-training"], tasks=[
            _task("aa-t1", 1, "强化培训。2024年底前完成主要负责人轮训。", lead=["aa-yingji"], support=["aa-fire"],
                  deadlines=[(D(2024, 12, 31), "2024年底前")], topics=["gas"]),
            _task("aa-t2", 2, "压实责任。生产经营单位主要负责人要每季度带队对本单位重大事故隐患排查整治情况至少开展1次检查。",
                  lead=["aa-fire"], recurrence=[{"every": "quarter", "text": "每季度带队对本单位重大事故隐患排查整治情况至少开展1次检查"}]),
        ]),
        models.Action(id="aa-a2", number="（二）", title="淘汰落后", national=["nat-hazard-clearance"], tasks=[
            _task("aa-t3", 3, "强化落后产业淘汰更新。2025年底前推动变型拖拉机全部淘汰退出。", lead=["aa-yingji", "aa-fire"],
                  support=["aa-fire"], deadlines=[(D(2025, 12, 31), "2025年底前")], topics=["gas", "fire"]),
            _task("aa-t4", 4, "开展宣传。2024年底前开展安全宣传进社区活动。", deadlines=[(D(2024, 12, 31), "2024年底前")]),
        ]),
    ], goals=[
        models.Goal(id="aa-g1", text="2024年底前基本消除2023年及以前排查发现的重大事故隐患存量",
                    deadlines=[models.Deadline(date=D(2024, 12, 31), text="2024年底前")]),
        models.Goal(id="aa-g2", text="2025年底前重大风险防控取得明显成效，重大事故隐患增量得到有效遏制",
                    deadlines=[models.Deadline(date=D(2025, 12, 31), text="2025年底前")]),
    ], annexes=[
        models.Annex(id="aa-annex", title="任务清单", year=2024, rows=[
            models.AnnexRow(number=1, item="轮训", lead=["aa-yingji"], restates=["aa-t1"],
                            due=models.Deadline(date=D(2024, 12, 31), text="12月")),
            models.AnnexRow(number=2, item="专项检查", lead=["aa-fire"],
                            due=models.Deadline(date=D(2024, 11, 30), text="11月")),
        ]),
    ], issued=D(2024, 4, 10))
    b = _plan("bb-2024-2026", "bb", [
        models.Action(id="bb-a1", number="（一）", title="隐患清零", national=["nat-hazard-clearance"], tasks=[
            _task("bb-t1", 1, "及时更新技术装备，依法加快推进小散乱企业有序关闭，2025年底前推动变型拖拉机全部淘汰退出。",
                  lead=["bb-yingji"], deadlines=[(D(2025, 12, 31), "2025年底前")], topics=["gas"]),
            _task("bb-t2", 2, "完善自查自改机制。督促企业主要负责人每季度带队对本单位重大事故隐患排查整治情况至少开展1次检查。",
                  lead=["bb-fire"], recurrence=[{"every": "quarter", "text": "每季度带队对本单位重大事故隐患排查整治情况至少开展1次检查"}]),
            _task("bb-t3", 3, "完善清单。2024年底前全面排摸街道重大事故隐患底数，完善三张清单。", deadlines=[(D(2024, 12, 31), "2024年底前")]),
        ]),
        models.Action(id="bb-a2", number="（二）", title="城市韧性", national=["local-urban-resilience"], tasks=[
            _task("bb-t4", 4, "每月25日前报送工作进展。", lead=["bb-yingji"],
                  recurrence=[{"every": "month", "day": 25, "text": "每月25日前报送工作进展"}]),
            _task("bb-t5", 5, "每半年开展一次进度评估。", recurrence=[{"every": "half-year", "text": "每半年开展一次进度评估"}]),
            _task("bb-t6", 6, "每年至少组织开展一次疏散逃生演练。", recurrence=[{"every": "year", "text": "每年至少组织开展一次疏散逃生演练"}],
                  national=["nat-leader-training"]),
        ]),
    ])
    return [a, b]


@pytest.fixture
def site():
    return enrich(make_corpus(two_plans()), now=NOW)


# --------------------------------------------------------------------------- #
# Departments: what a unit leads and supports
# --------------------------------------------------------------------------- #


def ids(tasks):
    return [t.data.id for t in tasks]


def test_department_leads_and_supports(site):
    fire = site.departments["aa-fire"]
    yingji = site.departments["aa-yingji"]
    assert ids(yingji.lead_tasks) == ["aa-t1", "aa-t3"]
    assert ids(yingji.support_tasks) == []
    assert ids(fire.lead_tasks) == ["aa-t2", "aa-t3"]
    # aa-t3 names the fire station as lead and support: it counts once, as lead
    assert ids(fire.support_tasks) == ["aa-t1"]
    assert fire.role_in(site.tasks["aa-t1"]) == "配合" and fire.role_in(site.tasks["aa-t3"]) == "牵头"
    assert site.departments["aa-idle"].lead_tasks == [] and not site.departments["aa-idle"].is_named
    # a department of the other jurisdiction is untouched by this plan
    assert ids(site.departments["bb-fire"].lead_tasks) == ["bb-t2"]


def test_department_tasks_grouped_by_plan_and_action(site):
    groups = site.departments["aa-fire"].lead_groups
    assert [p.data.id for p, _ in groups] == ["aa-2024-2026"]
    assert [(a.data.id, ids(ts)) for a, ts in groups[0][1]] == [("aa-a1", ["aa-t2"]), ("aa-a2", ["aa-t3"])]


def test_department_deadlines_include_annex_rows_without_doubles(site):
    yingji = site.departments["aa-yingji"]
    # annex row 1 restates aa-t1 with the same date: counted once
    assert [d.date for d in yingji.deadlines] == [D(2024, 12, 31), D(2025, 12, 31)]
    fire = site.departments["aa-fire"]
    assert D(2024, 11, 30) in [d.date for d in fire.deadlines]  # annex row 2 names it, restates nothing
    assert all(d.status != "past" for d in fire.open_deadlines)


def test_category_and_topic_gather_across_plans(site):
    cat = site.categories["fire-rescue"]
    assert [d.data.id for d in cat.departments] == ["aa-fire", "bb-fire"]
    assert [j.id for j, _ in cat.jurisdictions] == ["aa", "bb"]
    assert cat.task_count == 4  # aa-t1, aa-t2, aa-t3, bb-t2
    gas = site.topics["gas"]
    assert ids(gas.tasks) == ["aa-t1", "aa-t3", "bb-t1"]
    assert [p.data.id for p in gas.plans] == ["aa-2024-2026", "bb-2024-2026"]


# --------------------------------------------------------------------------- #
# Status by NOW, and timelines
# --------------------------------------------------------------------------- #


def test_status_boundaries():
    assert SOON_DAYS == 90
    assert status_of(NOW - dt.timedelta(days=1), NOW) == "past"
    assert status_of(NOW, NOW) == "soon"
    assert status_of(NOW + dt.timedelta(days=90), NOW) == "soon"
    assert status_of(NOW + dt.timedelta(days=91), NOW) == "later"


def test_status_follows_the_NOW_variable(monkeypatch):
    corpus = make_corpus(two_plans())
    monkeypatch.setenv("NOW", "2025-10-01")
    site = enrich(corpus)
    assert site.now == D(2025, 10, 1)
    by_date = {d.date: d.status for d in site.deadlines}
    assert by_date[D(2024, 12, 31)] == "past"
    assert by_date[D(2025, 12, 31)] == "later"  # 91 days after 2025-10-01
    monkeypatch.setenv("NOW", "2025-10-02")
    assert {d.date: d.status for d in enrich(corpus).deadlines}[D(2025, 12, 31)] == "soon"
    monkeypatch.setenv("NOW", "2024-01-01")
    assert {d.status for d in enrich(corpus).deadlines} == {"later"}


def test_status_label_is_words(site):
    labels = {d.status: d.status_label for d in site.deadlines}
    assert labels["soon"] == "90天内到期" and labels["later"] == "未到期"


def test_timeline_groups_by_year_and_quarter(site):
    years = site.timeline
    assert [y.year for y in years] == [2024, 2025]
    q2024 = years[0].quarters
    assert [q.quarter for q in q2024] == [4]
    assert q2024[0].anchor == "y2024q4" and q2024[0].is_current and q2024[0].open
    entries = q2024[0].entries
    assert [d.date for d in entries] == sorted(d.date for d in entries)
    assert D(2024, 11, 30) in [d.date for d in entries]  # the annex row's own deadline
    assert q2024[0].counts == {"past": 0, "soon": len(entries), "later": 0}
    assert years[1].counts["later"] == len(years[1].entries) and not years[1].open


def test_timeline_quarters_and_counts():
    class Fake:
        def __init__(self, date, status):
            self.date, self.status = date, status
            self.plan = type("P", (), {"data": type("X", (), {"id": "p"})})()
            self.anchor = date.isoformat()

        @property
        def year(self):
            return self.date.year

        @property
        def quarter(self):
            return (self.date.month - 1) // 3 + 1

    dates = [D(2024, 3, 31), D(2024, 4, 1), D(2024, 6, 30), D(2024, 12, 31), D(2026, 1, 1)]
    years = timeline([Fake(x, status_of(x, NOW)) for x in reversed(dates)], NOW)
    assert [(y.year, [(q.quarter, len(q.entries)) for q in y.quarters]) for y in years] == [
        (2024, [(1, 1), (2, 2), (4, 1)]),
        (2026, [(1, 1)]),
    ]
    assert years[0].counts == {"past": 3, "soon": 1, "later": 0}
    assert [q.open for q in years[0].quarters] == [False, False, True]
    assert years[0].quarter(3) is None


def test_thousand_deadlines_fold_into_quarters():
    """1,000 deadlines stay readable: at most 4 groups a year, and only the
    current quarter or quarters due soon unfold."""
    from types import SimpleNamespace

    start = D(2024, 1, 1)
    fakes = []
    for i in range(1000):
        date = start + dt.timedelta(days=i % 1096)
        fakes.append(SimpleNamespace(date=date, status=status_of(date, NOW), year=date.year,
                                     quarter=(date.month - 1) // 3 + 1, anchor=f"d{i}",
                                     plan=SimpleNamespace(data=SimpleNamespace(id="p"))))
    years = timeline(fakes, NOW)
    assert sum(len(y.entries) for y in years) == 1000
    assert all(len(y.quarters) <= 4 for y in years)
    opened = [(q.year, q.quarter) for y in years for q in y.quarters if q.open]
    assert opened == [(2024, 4), (2025, 1)]


# --------------------------------------------------------------------------- #
# Recurring duties
# --------------------------------------------------------------------------- #


def test_recurrence_calendar_and_rules(site):
    cal = site.recurrence_calendar
    assert [g.every for g in cal] == ["month", "quarter", "half-year", "year"]
    assert [g.months for g in cal] == [list(range(1, 13)), [3, 6, 9, 12], [6, 12], [12]]
    quarterly = next(g for g in cal if g.every == "quarter")
    assert [p.data.id for p, _ in quarterly.plans] == ["aa-2024-2026", "bb-2024-2026"]
    totals = dict(site.recurrence_month_totals)
    assert totals[1] == 1 and totals[3] == 3 and totals[6] == 4 and totals[12] == 5

    r = site.tasks["aa-t2"].recurrence[0]
    # plan aa was issued 2024-04-10: the first quarter end after it
    assert r.first_due == D(2024, 6, 30)
    assert r.rrule == {"freq": "monthly", "interval": 3, "bymonthday": -1, "until": D(2026, 12, 31)}
    monthly = site.tasks["bb-t4"].recurrence[0]
    assert monthly.first_due == D(2024, 1, 25)
    assert monthly.rrule == {"freq": "monthly", "bymonthday": 25, "until": D(2026, 12, 31)}
    assert site.tasks["bb-t5"].recurrence[0].rrule["interval"] == 6
    assert site.tasks["bb-t6"].recurrence[0].rrule == {"freq": "yearly", "bymonth": 12, "bymonthday": -1, "until": D(2026, 12, 31)}
    assert site.tasks["bb-t6"].recurrence[0].first_due == D(2024, 12, 31)


# --------------------------------------------------------------------------- #
# The same duty in other plans
# --------------------------------------------------------------------------- #


def test_same_duty_links_across_plans(site):
    t = site.tasks
    # the same dated duty, a sentence in one plan and a clause in the other
    assert ids(t["aa-t3"].same_duty) == ["bb-t1"] and ids(t["bb-t1"].same_duty) == ["aa-t3"]
    assert "变型拖拉机" in t["aa-t3"].same_duty_why["bb-t1"]
    # the same quarterly duty, with a different subject (生产经营单位 / 督促企业)
    assert ids(t["aa-t2"].same_duty) == ["bb-t2"]
    assert t["aa-t2"].same_duty_why["bb-t2"].startswith("每季度带队")
    # the same date alone is not the same duty
    assert t["aa-t4"].same_duty == [] and t["bb-t3"].same_duty == []
    # never within one plan
    assert all(o.plan is not x.plan for x in t.values() for o in x.same_duty)


def test_same_duty_by_title_and_not_within_a_plan():
    a, b = two_plans()
    b.actions[0].tasks[2].title = "强化培训"  # bb-t3 now shares aa-t1's title
    a.actions[1].tasks[1].title = "强化培训"  # aa-t4 too, in the same plan as aa-t1
    site = enrich(make_corpus([a, b]), now=NOW)
    assert ids(site.tasks["bb-t3"].same_duty) == ["aa-t1", "aa-t4"]
    assert ids(site.tasks["aa-t1"].same_duty) == ["bb-t3"]
    assert site.tasks["aa-t1"].same_duty_why["bb-t3"] == "同一标题：强化培训"
    groups = site.shared_duties
    assert any(ids(g) == ["aa-t1", "aa-t4", "bb-t3"] for g in groups)


def test_same_wording_links_but_slogans_do_not():
    a, b = two_plans()
    slogan = "按照“管行业必须管安全、管业务必须管安全、管生产经营必须管安全”原则"
    shared = "完善第三方专业技术服务机构参与排查整治工作的长效机制"
    a.actions[1].tasks[1].text = f"开展宣传。{slogan}，落实宣传责任。{shared}。"
    b.actions[0].tasks[2].text = f"完善清单。{slogan}，全面排摸底数。"
    b.actions[1].tasks[1].text = f"每半年开展一次进度评估。{shared}。"
    site = enrich(make_corpus([a, b]), now=NOW)
    assert ids(site.tasks["aa-t4"].same_duty) == ["bb-t5"]
    assert site.tasks["aa-t4"].same_duty_why["bb-t5"] == shared
    assert site.tasks["bb-t3"].same_duty == []


def test_same_duty_in_the_real_data(data_dir):
    """The examples of the issue link wherever two plans carry them."""
    from scripts.pipeline.validate import check

    corpus, problems = check(data_dir)
    if problems:
        pytest.skip("the data has problems; `make check` reports them")
    site = enrich(corpus, now=NOW)
    for words in ("2025年底前推动变型拖拉机全部淘汰退出", "每季度带队对本单位重大事故隐患排查整治情况至少开展"):
        holders = [t for t in site.tasks.values() if words in "".join(t.data.text.split())]
        if len({t.plan.data.id for t in holders}) < 2:
            continue
        for t in holders:
            others = {o.data.id for o in t.same_duty}
            missing = [o.data.id for o in holders if o.plan is not t.plan and o.data.id not in others]
            assert not missing, f"{t.data.id} does not link {missing} ({words})"


# --------------------------------------------------------------------------- #
# Plans side by side
# --------------------------------------------------------------------------- #


def test_comparison_against_the_national_lines(site):
    rows = {r.line.id: r for r in site.comparison}
    leader = rows["nat-leader-training"]
    cells = {c.plan.data.id: c for c in leader.cells}
    assert [a.data.id for a, _ in cells["aa-2024-2026"].actions] == ["aa-a1"]
    assert ids(cells["aa-2024-2026"].actions[0][1]) == ["aa-t1", "aa-t2"]
    # plan bb has no action for it, but one task that names it
    assert [(a.data.id, ids(ts)) for a, ts in cells["bb-2024-2026"].actions] == [("bb-a2", ["bb-t6"])]
    clearance = rows["nat-hazard-clearance"]
    assert clearance.missing == []
    local = {r.line.id: r for r in site.local_comparison}["local-urban-resilience"]
    assert [p.data.id for p in local.missing] == ["aa-2024-2026"]
    assert site.unmapped_actions == []


def test_task_level_lines_narrow_their_action():
    """An action on two lines whose first task names one of them: the other
    tasks restate the other line only."""
    a, b = two_plans()
    act = a.actions[1]  # aa-a2: 淘汰落后
    act.national = ["nat-hazard-clearance", "local-urban-resilience"]
    act.tasks[0].national = ["local-urban-resilience"]
    site = enrich(make_corpus([a, b]), now=NOW)
    assert [n.id for n in site.tasks["aa-t3"].national] == ["local-urban-resilience"]
    assert [n.id for n in site.tasks["aa-t4"].national] == ["nat-hazard-clearance"]
    rows = {r.line.id: r for r in site.comparison + site.local_comparison}
    cell = next(c for c in rows["nat-hazard-clearance"].cells if c.plan.data.id == "aa-2024-2026")
    assert [(x.data.id, ids(ts)) for x, ts in cell.actions] == [("aa-a2", ["aa-t4"])]
    cell = next(c for c in rows["local-urban-resilience"].cells if c.plan.data.id == "aa-2024-2026")
    assert [(x.data.id, ids(ts)) for x, ts in cell.actions] == [("aa-a2", ["aa-t3"])]


def test_targets_by_wording(site):
    rows = {r.target.id: r for r in site.target_comparison}
    cells = dict((p.data.id, [g.data.id for g in gs]) for p, gs in rows["nat-target-2024"].cells)
    assert cells == {"aa-2024-2026": ["aa-g1"], "bb-2024-2026": []}
    assert [p.data.id for p in rows["nat-target-2025"].missing] == ["bb-2024-2026"]
    g2 = next(g for g in site.plans[0].goals if g.data.id == "aa-g2")
    assert [t.id for t in g2.targets] == ["nat-target-2025"] and g2.inferred
    # a goal of another year, or of other words, restates no target
    targets = site.national.targets
    assert infer_targets(models.Goal(id="x", text="2025年底前基本消除2023年及以前排查发现的重大事故隐患存量",
                                     deadlines=[models.Deadline(date=D(2025, 12, 31), text="2025年底前")]), targets[:1]) == []
    assert infer_targets(models.Goal(id="y", text="2024年底前建成消防站",
                                     deadlines=[models.Deadline(date=D(2024, 12, 31), text="2024年底前")]), targets) == []


def test_addresses_come_from_ids(site):
    assert site.departments["aa-fire"].url == "departments/aa-fire/"
    assert site.categories["fire-rescue"].url == "departments/categories/fire-rescue/"
    assert site.topics["gas"].url == "topics/gas/"
    assert site.plans[0].downloads == {
        "csv": "downloads/plans/aa-2024-2026.csv",
        "xlsx": "downloads/plans/aa-2024-2026.xlsx",
        "ics": "downloads/plans/aa-2024-2026.ics",
    }
    assert site.departments["aa-fire"].downloads["ics"] == "downloads/departments/aa-fire.ics"
    d = site.tasks["aa-t1"].deadlines[0]
    assert d.anchor == "due-aa-t1-1" and d.timeline_url == "timeline/2024q4/aa/#due-aa-t1-1"  # its quarter, its area


def test_upcoming_never_cuts_a_day_in_half(site):
    first = site.upcoming(1)
    assert first and all(d.date == D(2024, 11, 30) for d in first)
    two = site.upcoming(2)
    assert len({d.date for d in two}) == 2 and len(two) == len([d for d in site.deadlines if d.date <= D(2024, 12, 31)])


# --------------------------------------------------------------------------- #
# Build tests: the pages generated from the real data (NOW=2024-10-15)
# --------------------------------------------------------------------------- #


@functools.lru_cache(maxsize=None)
def page(site: Path, url: str) -> tuple[Parsed, str]:
    """A built page, parsed once per test run (read only: the site does not change)."""
    html = (site / url / "index.html").read_text(encoding="utf-8")
    return parse_html(html), html


def hrefs_to(p: Parsed, url: str, here: str) -> list[str]:
    """The links of page `here` that lead to the site address `url`."""
    return p.hrefs_to(url, here)


@pytest.fixture(scope="module")
def dataset(built_site):
    return json.loads((built_site / "data" / "plans.json").read_text(encoding="utf-8"))


def all_tasks(dataset):
    return [(p, a, t) for p in dataset["plans"] for a in p["actions"] for t in a["tasks"]]


def test_every_department_category_and_topic_has_its_page(built_site, dataset):
    for d in dataset["departments"]:
        assert (built_site / "departments" / d["id"] / "index.html").is_file(), d["id"]
        for fmt in ("csv", "xlsx", "ics"):
            assert (built_site / d["downloads"][fmt]).is_file()
    for c in dataset["categories"]:
        assert (built_site / c["url"] / "index.html").is_file(), c["id"]
    for t in dataset["topics"]:
        assert (built_site / t["url"] / "index.html").is_file(), t["id"]
    for j in dataset["jurisdictions"]:
        assert (built_site / j["url"] / "index.html").is_file(), j["id"]
    for section in ("plans/", "jurisdictions/", "departments/", "departments/categories/", "topics/", "timeline/",
                    "timeline/recurring/", "compare/"):
        assert (built_site / section / "index.html").is_file(), section


def test_department_page_lists_what_it_leads_and_supports(built_site, dataset):
    lead: dict[str, list[str]] = {}
    support: dict[str, list[str]] = {}
    for _, _, t in all_tasks(dataset):
        for u in t["lead"]:
            lead.setdefault(u["id"], []).append(t["url"])
        for u in t["support"]:
            if u["id"] not in [x["id"] for x in t["lead"]]:
                support.setdefault(u["id"], []).append(t["url"])
    assert lead, "no task names a lead unit"
    for dep in dataset["departments"]:
        url = dep["url"]
        p, html = page(built_site, url)
        for section, expected in (("lead", lead.get(dep["id"], [])), ("support", support.get(dep["id"], []))):
            # the section between its heading and the next h2
            part = html.split(f'id="{section}"', 1)[1].split("<h2", 1)[0]
            sub = parse_html(part)
            for task_url in expected:
                assert hrefs_to(sub, task_url, url), f"{url} {section}: no link to {task_url}"
            if not expected:
                assert "未将本单位列为" in part
        counts = re.search(r'牵头 <a href="#lead">(\d+)</a> 项 · 配合 <a href="#support">(\d+)</a> 项', html)
        assert counts and (int(counts[1]), int(counts[2])) == (len(lead.get(dep["id"], [])), len(support.get(dep["id"], [])))
        assert hrefs_to(p, dep["downloads"]["xlsx"], url) and hrefs_to(p, dep["downloads"]["ics"], url)


def test_department_counts_on_their_jurisdiction_page(built_site, dataset):
    """The units of a jurisdiction (the departments index split by
    jurisdiction) are listed on its page, with the tasks each leads."""
    lead = {}
    for _, _, t in all_tasks(dataset):
        for u in t["lead"]:
            lead[u["id"]] = lead.get(u["id"], 0) + 1
    for dep in dataset["departments"]:
        url = f"jurisdictions/{dep['jurisdiction']}/"
        p, html = page(built_site, url)
        cells = re.findall(rf'<tr id="{re.escape(dep["id"])}">(.*?)</tr>', html, re.S)
        assert cells, f"{url} does not list {dep['id']}"
        nums = re.findall(r'<td class="num">(\d+)</td>', cells[0])
        assert int(nums[0]) == lead.get(dep["id"], 0), dep["id"]
        assert hrefs_to(p, dep["url"], url)


def test_topic_pages_list_every_tagged_task(built_site, dataset):
    """A topic's page links to one page per area, and together those list
    every task tagged with the topic."""
    tagged: dict[str, list[str]] = {}
    for _, _, t in all_tasks(dataset):
        for x in t["topics"]:
            tagged.setdefault(x, []).append(t["url"])
    for topic in dataset["topics"]:
        p, html = page(built_site, topic["url"])
        assert f"{len(tagged.get(topic['id'], []))} 项任务" in html
        linked = set()
        for area in topic["areas"]:
            assert hrefs_to(p, area["url"], topic["url"]), f"{topic['url']}: no link to {area['url']}"
            sub, _ = page(built_site, area["url"])
            linked |= {u for u in tagged.get(topic["id"], []) if hrefs_to(sub, u, area["url"])}
        assert linked == set(tagged.get(topic["id"], [])), topic["id"]


def test_timeline_shows_every_deadline_with_status_in_words(built_site, dataset):
    """The timeline is split by quarter and area: every dated task is a row of
    the page its plan page links to (timeline/<year>q<n>/<area>/), with its
    status in words, and links back to the task; the timeline's page and the
    quarter's page link there."""
    from urllib.parse import urljoin

    p, html = page(built_site, "timeline/")
    assert "2024-10-15" in html
    now = D(2024, 10, 15)
    seen = 0
    for plan, _, t in all_tasks(dataset):
        pp, _ = page(built_site, plan["url"])
        for i, d in enumerate(t["deadlines"], 1):
            anchor = f"due-{t['id']}-{i}"
            href = next(h for h in pp.links if h.endswith("#" + anchor))
            target = urljoin("http://s/" + plan["url"], href)[len("http://s/"):]
            url = target.split("#", 1)[0]
            assert re.fullmatch(r"timeline/\d{4}q[1-4]/[a-z0-9-]+/", url), target
            tp, _ = page(built_site, url)
            row = next(r for r in tp.rows if r["id"] == anchor)
            status = status_of(D.fromisoformat(d["date"]), now)
            assert d["status"] == status
            assert f"tl-{status}" in row["class"]
            text = row["text"]
            assert {"past": "已到期", "soon": "90天内到期", "later": "未到期"}[status] in text
            assert d["date"] in text
            assert hrefs_to(tp, t["url"], url)  # the entry links to its task
            quarter = url.rsplit("/", 2)[0] + "/"
            assert hrefs_to(page(built_site, quarter)[0], url, quarter)
            assert hrefs_to(p, quarter, "timeline/")
            seen += 1
    assert seen, "no dated task"
    years = re.findall(r'<h3 id="y(\d{4})"', html)
    assert years == sorted(years) and len(set(years)) == len(years)
    quarters = re.findall(r'<li id="y(\d{4})q([1-4])"', html)
    assert quarters == sorted(quarters)
    assert "y2024q4" in p.ids and "本季度" in html.split('id="y2024q4"', 1)[1].split("</li>", 1)[0]


def test_plan_pages_have_their_timeline_and_downloads(built_site, dataset):
    for plan in dataset["plans"]:
        p, html = page(built_site, plan["url"])
        assert "timeline" in p.ids and "recurring" in p.ids
        for fmt in ("csv", "xlsx", "ics"):
            assert hrefs_to(p, plan["downloads"][fmt], plan["url"])
        for a in plan["actions"]:
            for t in a["tasks"]:
                for i, _ in enumerate(t["deadlines"], 1):
                    assert f"due-{t['id']}-{i}" in p.ids, f"{plan['id']}: {t['id']} not on the plan's timeline"


def test_recurring_calendar_page(built_site, dataset):
    """The recurring duties: the calendar on their page, each duty on the
    page of its plan's area, which their page links."""
    p, html = page(built_site, "timeline/recurring/")
    area_of = {j["id"]: j["area"] for j in dataset["jurisdictions"]}
    n = 0
    for plan, _, t in all_tasks(dataset):
        url = f"timeline/recurring/{area_of[plan['jurisdiction']]}/"
        if t["recurrence"]:
            assert hrefs_to(p, url, "timeline/recurring/")
            ap, _ = page(built_site, url)
        for i, r in enumerate(t["recurrence"], 1):
            assert f"every-{t['id']}-{i}" in ap.ids
            group = r["every"] if r.get("interval", 1) == 1 else f"{r['every']}-{r['interval']}"
            assert f"every-{group}" in p.ids and f"every-{group}" in ap.ids
            n += 1
    assert n == 0 or "全年日历" in html


def test_compare_page_covers_every_line_and_plan(built_site, dataset):
    """The comparison is split by area: its page covers every line and
    target and links each area's page, which links a page per line where
    every plan of the area is set against the line."""
    p, html = page(built_site, "compare/")
    national = dataset["national"]
    assert national and len(national["actions"]) == 8
    for target in national["targets"]:
        assert target["id"] in p.ids and target["text"] in html
    assert "shared" in p.ids
    area_of = {j["id"]: j["area"] for j in dataset["jurisdictions"]}
    areas = {a["jurisdiction"]: a for a in dataset["compare"]}
    assert sorted(x for a in dataset["compare"] for x in a["plans"]) == sorted(pl["id"] for pl in dataset["plans"])
    for line in national["actions"] + national["local_lines"]:
        assert line["id"] in p.ids
        for a in dataset["compare"]:
            assert hrefs_to(p, f"{a['url']}#{line['id']}", "compare/")
    for plan in dataset["plans"]:
        area = areas[area_of[plan["jurisdiction"]]]
        assert plan["id"] in area["plans"]
        sub, sub_html = page(built_site, area["url"])
        assert hrefs_to(sub, plan["url"], area["url"])
        for line in national["actions"] + national["local_lines"]:
            assert line["id"] in sub.ids
            line_url = f"{area['url']}{line['id']}/"
            assert hrefs_to(sub, line_url, area["url"])
            _, line_html = page(built_site, line_url)
            section = line_html.split(f'id="{line["id"]}"', 1)[1]
            assert plan["short_title"] in section
            mapped = any(line["id"] in t["national"] for a in plan["actions"] for t in a["tasks"]) or any(
                line["id"] in a["national"] for a in plan["actions"])
            if not mapped:
                assert "无对应" in section


def test_same_duty_links_on_plan_pages(built_site, dataset):
    tasks = {t["id"]: (pl, t) for pl, _, t in all_tasks(dataset)}
    for pl, _, t in all_tasks(dataset):
        if not t["same_duty"]:
            continue
        p, html = page(built_site, pl["url"])
        for other in t["same_duty"]:
            assert tasks[other][0]["id"] != pl["id"]
            assert hrefs_to(p, tasks[other][1]["url"], pl["url"])


def test_home_page_counts_next_deadlines_and_entry_points(built_site, dataset):
    p, html = page(built_site, "")
    n_tasks = len(all_tasks(dataset))
    assert f"<dt>任务</dt><dd>{n_tasks}</dd>" in html
    for url in ("departments/", "topics/", "timeline/", "timeline/recurring/", "compare/", "plans/"):
        assert hrefs_to(p, url, ""), url
    upcoming = sorted(d["date"] for _, _, t in all_tasks(dataset) for d in t["deadlines"] if d["date"] >= "2024-10-15")
    if upcoming:
        assert upcoming[0] in html.split('id="next"')[1].split("<h2")[0]
    assert "检索" in html and "复制链接" in html


def test_nav_is_bounded(built_site, dataset):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    nav = html.split("md-nav--primary", 1)[1].split('class="md-content"', 1)[0]  # tabs and sidebar
    for dep in dataset["departments"]:
        assert f'departments/{dep["id"]}/' not in nav
    for j in dataset["jurisdictions"]:  # nor a jurisdiction, nor a page split by jurisdiction
        assert f'jurisdictions/{j["id"]}/' not in nav and f'/{j["id"]}/"' not in nav
    for label in ("辖区", "部门", "专题", "时间表", "对照"):
        assert label in nav


def test_tables_keep_material_styling(built_site):
    """Material styles only table:not([class]): no generated table has one."""
    for path in list(built_site.glob("*/index.html")) + list(built_site.glob("*/*/index.html")):
        assert not re.search(r"<table\s+class=", path.read_text(encoding="utf-8")), path


def test_print_stylesheet(built_site):
    css = (built_site / "assets" / "stylesheets" / "site.css").read_text(encoding="utf-8")
    assert "@page" in css and "size: A4" in css
    printed = css.split("@media print", 1)[1]
    for hidden in (".md-header", ".md-sidebar", ".md-tabs", ".downloads", ".copy-link"):
        assert hidden in printed
