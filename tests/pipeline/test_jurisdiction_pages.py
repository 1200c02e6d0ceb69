"""Readers browse by jurisdiction: a page per jurisdiction with its plans,
its units, its deadlines and its sub-jurisdictions, reached from the home
page; plans link to the plans they implement (or cite them as printed);
plans.json carries the hierarchy, and docs/data.md documents every field.
Expectations come from the built dataset, never from today's plans."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from scripts.pipeline.enrich import enrich
from scripts.pipeline.render import page_jobs, pages
from scripts.pipeline.validate import check
from test_views import hrefs_to, page

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "data"


@pytest.fixture(scope="module")
def dataset(built_site):
    return json.loads((built_site / "data" / "plans.json").read_text(encoding="utf-8"))


def test_the_hierarchy_in_plans_json(dataset):
    js = {j["id"]: j for j in dataset["jurisdictions"]}
    assert js, "no jurisdiction published"
    for j in js.values():
        parent = j["parent"]
        assert j["path"][-1] == j["id"]
        assert j["path"][:-1] == (js[parent]["path"] if parent else [])
        assert all(js[c]["parent"] == j["id"] for c in j["children"])
        assert j["area"] == (j["path"][1] if len(j["path"]) > 1 else j["id"])
    for p in dataset["plans"]:
        assert p["jurisdiction_path"] == js[p["jurisdiction"]]["path"]
        assert p["id"] in js[p["jurisdiction"]]["plans"]
        for i in p["implements"]:
            if i["plan"]:
                assert p["id"] in next(x for x in dataset["plans"] if x["id"] == i["plan"])["implemented_by"]
    for d in dataset["departments"]:
        assert d["jurisdiction"] in js


def test_every_field_of_plans_json_is_documented(dataset):
    doc = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")

    def keys(node, out):
        if isinstance(node, dict):
            for k, v in node.items():
                out.add(k)
                keys(v, out)
        elif isinstance(node, list):
            for v in node:
                keys(v, out)
        return out

    missing = sorted(k for k in keys(dataset, set()) if f'"{k}"' not in doc)
    assert not missing, f"docs/data.md does not document {missing}"


def test_jurisdiction_page_lists_its_plans_units_deadlines_and_sub_jurisdictions(built_site, dataset):
    js = {j["id"]: j for j in dataset["jurisdictions"]}
    plans = {p["id"]: p for p in dataset["plans"]}
    for j in js.values():
        url = j["url"]
        p, html = page(built_site, url)
        assert j["name"] in html
        for a in j["path"][:-1]:  # the way up
            assert hrefs_to(p, js[a]["url"], url), f"{url}: no link to {a}"
        for pid in j["plans"]:
            plan = plans[pid]
            assert pid in p.ids and hrefs_to(p, plan["url"], url)
            for t in (t for a in plan["actions"] for t in a["tasks"]):
                for d in t["deadlines"]:  # its deadlines, in words and date
                    assert d["date"] in html and d["text"] in html
        for c in j["children"]:  # each sub-jurisdiction, with its own plans
            assert hrefs_to(p, js[c]["url"], url)
            for pid in js[c]["plans"]:
                assert hrefs_to(p, plans[pid]["url"], url)
        for d in (d for d in dataset["departments"] if d["jurisdiction"] == j["id"]):
            assert d["id"] in p.ids and hrefs_to(p, d["url"], url)
        if j["parent"] is None:
            assert "原文未印出" in html


def test_plans_show_what_they_implement_as_printed(built_site, dataset):
    js = {j["id"]: j for j in dataset["jurisdictions"]}
    cited = 0
    for plan in dataset["plans"]:
        p, html = page(built_site, plan["url"])
        assert hrefs_to(p, js[plan["jurisdiction"]]["url"], plan["url"])
        for i in plan["implements"]:
            assert i["title"] in html
            if i["doc_number"]:
                assert i["doc_number"] in html
            if i["plan"]:
                assert hrefs_to(p, i["url"], plan["url"])
            elif i["jurisdiction"]:
                cited += 1
                jp, jhtml = page(built_site, js[i["jurisdiction"]]["url"])
                assert i["title"] in jhtml and hrefs_to(jp, plan["url"], js[i["jurisdiction"]]["url"])
    assert cited or not any(i["jurisdiction"] for pl in dataset["plans"] for i in pl["implements"])


def test_every_plan_is_two_clicks_below_a_jurisdiction_on_the_home_page(built_site, dataset):
    """The home page lists the tops and the jurisdictions below them; a
    jurisdiction's page lists its own plans and those of its sub-jurisdictions."""
    home, _ = page(built_site, "")
    js = {j["id"]: j for j in dataset["jurisdictions"]}
    on_home = {j for j in js if hrefs_to(home, js[j]["url"], "")}
    assert {j for j in js if len(js[j]["path"]) <= 2} <= on_home
    for plan in dataset["plans"]:
        path = plan["jurisdiction_path"]
        listing = js[path[-2] if len(path) > 1 else path[-1]]
        p, _ = page(built_site, listing["url"])
        assert hrefs_to(p, plan["url"], listing["url"]), plan["id"]


def _with_a_plan_above(tmp_path) -> Path:
    """The fixture data with a second jurisdiction above the first and a plan
    there that the fixture's plan implements."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    reg = data / "departments" / "demo.yaml"
    reg.write_text(reg.read_text(encoding="utf-8").replace("  level: 镇\n", "  level: 镇\n  parent: linzhen\n", 1), encoding="utf-8")
    text = (data / "plans" / "demo-2024-2026.yaml").read_text(encoding="utf-8")
    ids = set(re.findall(r"id: (demo-[a-z0-9-]+)", text)) - {"demo-anweiban", "demo-paichusuo"}
    upper = text.replace("jurisdiction: demo\n", "jurisdiction: linzhen\n")
    for ident in sorted(ids, key=len, reverse=True):
        upper = upper.replace(f"id: {ident}", f"id: up-{ident}").replace(f"[{ident}]", f"[up-{ident}]")
    upper = upper.replace("[demo-anweiban]", "[linzhen-anweiban]").replace("support: [demo-paichusuo]", "support: []")
    (data / "plans" / "up-demo-2024-2026.yaml").write_text(upper, encoding="utf-8")
    plan = data / "plans" / "demo-2024-2026.yaml"
    plan.write_text(text.replace("source: demo.txt\n", "implements:\n  - {title: 示例镇安全生产治本攻坚三年行动实施方案, "
                                 "plan: up-demo-2024-2026}\nsource: demo.txt\n", 1), encoding="utf-8")
    return data


def test_a_plan_on_the_site_is_linked_both_ways(tmp_path):
    data = _with_a_plan_above(tmp_path)
    corpus, problems = check(data)
    assert problems == [], problems
    site = enrich(corpus)
    lower = next(p for p in site.plans if p.data.id == "demo-2024-2026")
    upper = next(p for p in site.plans if p.data.id == "up-demo-2024-2026")
    assert lower.implements[0].plan is upper and upper.implemented_by == [lower]
    assert lower.jurisdiction_path == ["linzhen", "demo"]
    md = dict(pages(site, [j for j in page_jobs(site) if j[1] in (lower.url, upper.url, "jurisdictions/linzhen/")]))
    assert "../up-demo-2024-2026/" in md["plans/demo-2024-2026.md"]  # implements: a link, not a citation
    assert "本站未收录" not in md["plans/demo-2024-2026.md"].split("落实的上级方案", 1)[1].split("</dd>", 1)[0]
    assert "../demo-2024-2026/" in md["plans/up-demo-2024-2026.md"].split("落实本方案的计划", 1)[1]
    juris = md["jurisdictions/linzhen.md"]
    assert "../../plans/up-demo-2024-2026/" in juris and "../../plans/demo-2024-2026/" in juris  # own and below


def test_every_board_is_on_its_jurisdiction_page_and_the_progress_index_stays_bounded(built_site, dataset):
    """The progress index lists the tops of the hierarchy and the jurisdictions
    below them; every jurisdiction's page links its own board (挂图作战图)."""
    js = {j["id"]: j for j in dataset["jurisdictions"]}
    index, _ = page(built_site, "progress/")
    for b in dataset["boards"]:
        j = js[b["jurisdiction"]]
        p, _ = page(built_site, j["url"])
        assert hrefs_to(p, b["url"], j["url"]), b["url"]
        assert bool(hrefs_to(index, b["url"], "progress/")) == (len(j["path"]) <= 2), b["url"]
