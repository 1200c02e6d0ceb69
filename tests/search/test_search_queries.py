"""What a cadre types, and what search must answer: the query list shared by
the Chromium test (test_search_browser.py) and `make search-report`, checked
here against the Python engine (scripts/measure/engine.py: Engine, the worker's
algorithm) over the real build.

Each query: the words typed; `expect`, addresses of documents that must be
listed (a task id, or a page address such as departments/x/), each within
the first `top` results; `contain`, pieces every one of the first `first`
results must show (a list: all of them). Drawn from the source texts in
data/sources/ of the five plans.

The data grows: a plan added later may hold the same words and rank
anywhere among them. So ranks are counted among the results the queries were
drawn from (`drawn_from`: the plans that hold an expected address, the
departments of their jurisdictions, the shared pages), and a query whose
expected address is no longer published is skipped, saying so. Counts and
`contain` hold for any corpus as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest


@dataclass
class Q:
    text: str
    kind: str  # known-item | substring | department | date | synonym | official | and
    expect: list[str] = field(default_factory=list)
    top: int = 10
    contain: list[str] = field(default_factory=list)
    first: int = 10
    at_least: int = 1


QUERIES: list[Q] = [
    # known items: a distinctive phrase finds its task first
    Q("瓶退管进", "known-item", ["mg-gas-campaign"], 1),
    Q("五包一", "known-item", ["qpj-fire-key-units"], 1),
    Q("吹哨人", "known-item", ["pt-whistleblower"], 1),
    Q("六查一打", "known-item", ["qpj-six-checks-one-strike"], 1),
    Q("头雁效应", "known-item", ["pt-exemplary-enterprises"], 1),
    Q("减量控大", "known-item", ["pt-road-traffic"], 1),
    Q("融合通信", "known-item", ["pt-command-communication"], 1),
    Q("地下空间综合体征指数", "known-item", ["pt-smart-civil-defence"], 1),
    Q("治已病", "known-item", ["pt-long-term-mechanisms"], 1),
    Q("铁路沿线", "known-item", ["pt-railway"], 1),
    Q("信用监管", "known-item", ["pt-credit-supervision"], 1),
    Q("九小场所", "known-item", ["qpj-fire-big-screening"], 1),
    Q("一票否优", "known-item", ["bsg-inspection-assessment", "mg-assessment"], 2, ["一票否优"]),
    Q("五带头", "known-item", ["mg-enterprise-responsibility", "pxl-enterprise-responsibility"], 2),
    Q("变型拖拉机", "known-item", ["mg-outdated-phaseout", "qpj-outdated-equipment"], 2, ["变型拖拉机"]),
    Q("健全重大事故隐患数据库", "known-item", ["qpj-hazard-database"], 1),
    Q("提升重大事故隐患排查能力", "known-item", ["mg-hazard-screening"], 1),
    # substrings: a phrase inside a longer word
    Q("隐患", "substring", ["mg-hazard-screening"], 60, ["隐患"], 10, at_least=10),
    Q("重大事故隐患", "substring", ["mg-hazard-screening"], 10, ["重大事故隐患"]),
    Q("拖拉机", "substring", ["mg-outdated-phaseout", "qpj-outdated-equipment"], 2, ["拖拉机"]),
    Q("电焊", "substring", ["pxl-problem-area-campaigns"], 1, ["电焊"]),
    Q("监管模式", "substring", ["qpj-digital-transition"], 1),
    Q("上账", "substring", ["pxl-hazard-ledger-system"], 5, ["上账"]),
    Q("逃生", "substring", ["bsg-evacuation-drills", "qpj-evacuation-drills"], 5, ["逃生"]),
    Q("数据库", "substring", ["qpj-hazard-database"], 1, ["数据库"]),
    # departments, as the plans name them
    Q("区应急局", "department", ["departments/putuo-emergency/", "pt-expert-service"], 40, ["区应急局"], 10, 10),
    Q("区苏河办", "department", ["pt-water-transport"], 2),
    Q("应急局执法五中队", "department", ["qpj-hazardous-chemicals", "qpj-hot-work"], 5, ["应急局执法五中队"]),
    Q("城管局青屏中队", "department", ["qpj-gas"], 3),
    Q("消防安全服务中心", "department", ["qpj-fire-key-units"], 5, ["消防安全服务中心"]),
    Q("区大数据中心", "department", ["pt-information-sharing"], 6, ["区大数据中心"]),
    Q("城运中心", "department", ["pt-data-resources"], 10),
    Q("派出所", "department", ["mg-territorial-responsibility"], 10, ["派出所"]),
    # date and recurrence phrases
    Q("2024年底前", "date", ["qpj-hazard-database"], 30, ["2024年底前"], 10, 10),
    Q("2024 年底前", "date", ["mg-enterprise-responsibility"], 30, ["2024年底前"], 10, 10),
    Q("2024年上半年", "date", ["bsg-dual-prevention", "bsg-manager-training"], 2),
    Q("2024年6月底前", "date", ["qpj-hot-work", "qpj-fire-key-units"], 2),
    Q("2026年底前", "date", ["mg-enterprise-responsibility", "pxl-model-enterprises"], 10, ["2026年底前"]),
    Q("每季度", "date", ["mg-hazard-screening"], 10, ["每季度"]),
    Q("每年至少", "date", ["mg-worker-emergency"], 5, ["每年至少"], 10),
    Q("每月", "date", ["bsg-self-inspection"], 8, ["每月"]),
    # synonyms from data/synonyms.yaml, either direction
    Q("危化品", "synonym", ["mg-industry-chemicals-campaign"], 1),
    Q("电动车", "synonym", ["pt-fire-campaign", "mg-hazard-governance"], 10),
    Q("电瓶车", "synonym", ["pt-fire-campaign"], 10),
    Q("城市运行管理中心", "synonym", ["pt-data-resources"], 8),
    Q("重大隐患", "synonym", ["pxl-closed-loop-rectification", "mg-hazard-screening"], 20),
    Q("受限空间", "synonym", ["mg-industry-chemicals-campaign"], 6),
    Q("双控", "synonym", ["bsg-dual-prevention", "pt-water-transport"], 4),
    Q("疏散演练", "synonym", ["bsg-evacuation-drills"], 3),
    # officials and document numbers
    Q("泖府字〔2024〕35号", "official", ["plans/maogang-2024-2026/"], 1),
    Q("泖府字[2024]35号", "official", ["plans/maogang-2024-2026/"], 1),
    Q("普安委〔2022〕6号", "official", ["plans/putuo-2022/"], 1),
    Q("杜劲松", "official", ["plans/maogang-2024-2026/"], 1),
    Q("黄建春", "official", ["plans/maogang-2024-2026/"], 1),
    # several words: all of them
    Q("危险化学品 运输", "and", ["mg-road-traffic-campaign"], 10, ["危险化学品", "运输"], 5, 5),
    Q("区应急局 危险化学品", "and", ["pt-chemicals-platform", "pt-chemical-enterprises", "pt-industry-trade-chemicals"], 5,
      ["区应急局", "危险化学品"]),
    Q("燃气 2024年底前", "and", ["qpj-gas"], 2, ["燃气", "2024年底前"]),
    Q("消防 电动自行车", "and", ["pt-fire-campaign"], 5, ["消防", "电动自行车"]),
    Q("泖港镇三年行动 燃气", "and", ["mg-gas-campaign"], 2),
]

_WS_DIGIT = re.compile(r"(?<=\d)\s+(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])\s+(?=\d)")


def normalised(text: str) -> str:
    """Text as search compares it: folded, whitespace between digits and CJK gone."""
    from scripts.search.text import fold

    return fold(_WS_DIGIT.sub("", text))


def matches(address: str, url: str) -> bool:
    """A result URL is the expected document: #<task id>, or the page address."""
    return url.endswith("#" + address) or url == address


def rank_of(address: str, urls: list[str], inside: Callable[[str], bool] = lambda u: True) -> int | None:
    """1-based rank of the first result that is `address`, counting only the
    results `inside` keeps."""
    for i, u in enumerate([u for u in urls if inside(u)], 1):
        if matches(address, u):
            return i
    return None


@dataclass
class DrawnFrom:
    """What the queries were drawn from, in the built site: `inside(url)`;
    `complete` when the site holds nothing else; `missing`, expected
    addresses the site no longer publishes."""

    plans: set[str]
    departments: set[str]
    complete: bool
    missing: set[str]

    def inside(self, url: str) -> bool:
        page = url.split("#")[0]
        if page.startswith("plans/"):
            return page in self.plans
        if re.fullmatch(r"departments/[^/]+/", page) and not page.startswith("departments/categories/"):
            return page in self.departments
        return True

    def check(self, q: Q) -> None:
        gone = [a for a in q.expect if a in self.missing]
        if gone:
            pytest.skip(f"{q.text}: the site no longer publishes {gone}")


@pytest.fixture(scope="session")
def drawn_from(built_site) -> DrawnFrom:
    data = json.loads((built_site / "data" / "plans.json").read_text(encoding="utf-8"))
    expected = {a for q in QUERIES for a in q.expect}
    tasks = {t["id"]: p["url"] for p in data["plans"] for a in p["actions"] for t in a["tasks"]}
    pages = {p["url"] for p in data["plans"]} | {d["url"] for d in data["departments"]}
    plans = {tasks[a] for a in expected if a in tasks} | {a for a in expected if a.startswith("plans/") and a in pages}
    jurisdictions = {p["jurisdiction"] for p in data["plans"] if p["url"] in plans}
    departments = {d["url"] for d in data["departments"] if d["jurisdiction"] in jurisdictions}
    complete = plans == {p["url"] for p in data["plans"]} and departments == {d["url"] for d in data["departments"]}
    return DrawnFrom(plans, departments, complete, {a for a in expected if a not in tasks and a not in pages})


def test_at_least_forty_queries_of_every_kind():
    assert len(QUERIES) >= 40
    kinds = {q.kind for q in QUERIES}
    assert {"known-item", "substring", "department", "date", "synonym"} <= kinds


@pytest.fixture(scope="module")
def engine(built_site):
    from scripts.measure.engine import Engine

    return Engine(built_site)


@pytest.mark.parametrize("q", QUERIES, ids=[q.text for q in QUERIES])
def test_query_with_the_python_engine(engine, drawn_from, q):
    from scripts.search.documents import record_fields

    drawn_from.check(q)
    answer = engine.search(q.text)
    urls = [h.rec["u"] for h in answer.hits]
    assert len(urls) >= q.at_least, f"{q.text}: {len(urls)} results"
    for address in q.expect:
        r = rank_of(address, urls, drawn_from.inside)
        assert r is not None and r <= q.top, f"{q.text}: {address} at rank {r}, expected within {q.top}"
    for hit in answer.hits[: q.first]:
        text = normalised(" ".join(s for _, s in record_fields(hit.rec, hit.plan)))
        for piece in q.contain:
            assert normalised(piece) in text, f"{q.text}: {hit.rec['u']} lacks {piece}"
