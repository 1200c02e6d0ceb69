"""Chromium follows the cross-links of the built site as a reader would: from a
task to its department, topic and timeline entry, and back to the task; the
site is served under a sub-path, so every link must be relative. Also: a
department's page prints as an A4 list without the site's chrome."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import serve_dir

SUB = "sub/path/"


@pytest.fixture(scope="module")
def dataset(built_site):
    return json.loads((built_site / "data" / "plans.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sub_url(built_site, tmp_path_factory):
    """The built site served under /sub/path/ instead of the root."""
    root = tmp_path_factory.mktemp("mirror")
    (root / "sub").mkdir()
    (root / "sub" / "path").symlink_to(built_site, target_is_directory=True)
    server = serve_dir(root)
    yield f"http://127.0.0.1:{server.server_address[1]}/{SUB}"
    server.shutdown()


def pick_task(dataset):
    """A task with a lead unit, a topic and a deadline; preferably one whose
    deadline sits in a folded quarter of the timeline (already past)."""
    candidates = [
        (p, t) for p in dataset["plans"] for a in p["actions"] for t in a["tasks"]
        if t["lead"] and t["topics"] and t["deadlines"]
    ]
    assert candidates, "no task has a lead unit, a topic and a deadline"
    folded = [c for c in candidates if c[1]["deadlines"][0]["status"] == "past"]
    return (folded or candidates)[0]


def at(page, url: str) -> str:
    """The current address relative to the served root (sub-path removed)."""
    return page.url.split(SUB, 1)[1]


def back_to_task(page, task, plan):
    link = page.locator(f'a[href$="#{task["id"]}"]').first
    assert link.count(), f"{page.url} has no link back to {task['id']}"
    link.click()
    page.wait_for_load_state()
    assert at(page, "") == f"{plan['url']}#{task['id']}"
    heading = page.locator(f'[id="{task["id"]}"]')
    heading.wait_for(state="visible")
    assert heading.is_visible()


def test_task_to_department_topic_timeline_and_back(page, sub_url, dataset):
    plan, task = pick_task(dataset)
    page.goto(sub_url + task["url"])
    body = page.locator(f'[id="{task["id"]}-body"]')
    assert body.is_visible()

    # task -> its lead department -> back
    lead = task["lead"][0]
    body.locator(f'a.dep[href$="departments/{lead["id"]}/"]').first.click()
    page.wait_for_load_state()
    assert at(page, "") == f"departments/{lead['id']}/"
    assert page.locator("h1").inner_text().strip().startswith(lead["name"][:4])
    lead_section = page.locator("#lead ~ .task-table")
    assert lead_section.first.locator(f'a.task-link[href$="#{task["id"]}"]').count() == 1
    back_to_task(page, task, plan)

    # task -> its first topic -> the topic's page for the task's area -> back
    topic = task["topics"][0]
    body = page.locator(f'[id="{task["id"]}-body"]')
    body.locator(f'a.topic[href$="topics/{topic}/"]').click()
    page.wait_for_load_state()
    assert at(page, "") == f"topics/{topic}/"
    assert page.locator("h1").inner_text().startswith("专题")
    area = next(a["url"] for a in next(t for t in dataset["topics"] if t["id"] == topic)["areas"]
                if a["jurisdiction"] == area_of(dataset, plan))
    page.locator(f'.area-index a[href$="{area.split("/")[-2]}/"]').click()
    page.wait_for_load_state()
    assert at(page, "") == area
    back_to_task(page, task, plan)

    # task -> its deadline on the timeline (its quarter, its area) -> back
    body = page.locator(f'[id="{task["id"]}-body"]')
    body.locator("a.to-timeline").first.click()
    page.wait_for_load_state()
    anchor = f"due-{task['id']}-1"
    timeline = task["deadlines"][0]["timeline"]
    assert timeline.endswith("#" + anchor) and at(page, "") == timeline
    row = page.locator(f'[id="{anchor}"]')
    row.wait_for(state="visible")
    assert row.is_visible()
    status_words = {"past": "已到期", "soon": "90天内到期", "later": "未到期"}[task["deadlines"][0]["status"]]
    assert status_words in row.inner_text()
    assert task["deadlines"][0]["date"] in row.inner_text()
    row.locator(f'a.tl-item[href$="#{task["id"]}"]').click()
    page.wait_for_load_state()
    assert at(page, "") == f"{plan['url']}#{task['id']}"

    # the browser's own Back returns to the timeline entry
    page.go_back()
    page.wait_for_load_state()
    assert at(page, "") == timeline


def area_of(dataset, plan_or_unit) -> str:
    """The area (enrich/areas.py) of a plan's or a unit's jurisdiction."""
    return next(j["area"] for j in dataset["jurisdictions"] if j["id"] == plan_or_unit["jurisdiction"])


def test_department_category_and_index_link_both_ways(page, sub_url, dataset):
    plan, task = pick_task(dataset)
    dep = next(d for d in dataset["departments"] if d["id"] == task["lead"][0]["id"])
    jurisdiction = next(j for j in dataset["jurisdictions"] if j["id"] == dep["jurisdiction"])
    # the index -> a jurisdiction's units (its parent's row leads there too) -> the unit
    page.goto(sub_url + "departments/")
    shown = next(x for x in reversed(jurisdiction["path"]) if page.locator(f'.jurisdiction-tree a[href$="jurisdictions/{x}/#units"]').count())
    page.locator(f'.jurisdiction-tree a[href$="jurisdictions/{shown}/#units"]').click()
    page.wait_for_load_state()
    while at(page, "").split("#")[0] != jurisdiction["url"]:  # down the sub-jurisdictions
        below = jurisdiction["path"][jurisdiction["path"].index(at(page, "").split("/")[1]) + 1]
        page.locator(f'.sub-jurisdictions a[href$="/{below}/"]').click()
        page.wait_for_load_state()
    page.locator(f'tr[id="{dep["id"]}"] a[href$="{dep["id"]}/"]').click()
    page.wait_for_load_state()
    assert at(page, "") == f"departments/{dep['id']}/"
    # the unit -> its category -> the category in the unit's area -> the unit
    page.locator("a.category").click()
    page.wait_for_load_state()
    assert at(page, "") == f"departments/categories/{dep['category']}/"
    page.locator(f'.area-index a[href="{area_of(dataset, dep)}/"]').click()
    page.wait_for_load_state()
    assert at(page, "") == f"departments/categories/{dep['category']}/{area_of(dataset, dep)}/"
    page.locator(f'.md-content a[href$="/{dep["id"]}/"]').first.click()
    page.wait_for_load_state()
    assert at(page, "") == f"departments/{dep['id']}/"


def test_compare_page_links_to_plans_and_tasks(page, sub_url, dataset):
    page.goto(sub_url + "compare/")
    nat = dataset["national"]["actions"][0]
    page.locator(f'.compare-matrix a[href="#{nat["id"]}"]').click()
    assert page.url.endswith(f"compare/#{nat['id']}")
    # the line -> an area's comparison -> the line in that area -> a plan
    page.locator(f'[id="{nat["id"]}"] ~ p a[href*="#{nat["id"]}"]').first.click()
    page.wait_for_load_state()
    assert re.fullmatch(rf"compare/[a-z0-9-]+/#{nat['id']}", at(page, ""))
    page.locator(f'[id="{nat["id"]}"] ~ p a[href="{nat["id"]}/"]').first.click()
    page.wait_for_load_state()
    assert re.fullmatch(rf"compare/[a-z0-9-]+/{nat['id']}/", at(page, ""))
    link = page.locator('.compare-line a[href*="plans/"]').first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_load_state()
    assert "plans/" in at(page, "") and page.locator("h1").is_visible()
    assert href and not href.startswith("/")


def test_department_page_prints_as_an_a4_list(page, site_url, dataset):
    _, task = pick_task(dataset)
    dep_id = task["lead"][0]["id"]
    page.goto(site_url + f"departments/{dep_id}/")
    page.emulate_media(media="print")
    assert not page.locator("header.md-header").is_visible()
    assert not page.locator(".md-sidebar--primary").is_visible()
    assert not page.locator(".md-tabs").is_visible() if page.locator(".md-tabs").count() else True
    assert not page.locator(".downloads").first.is_visible()
    table = page.locator(".task-table table").first
    assert table.is_visible()
    assert page.locator(".print-only").first.is_visible()
    # beforeprint unfolds the task texts so that the list carries them
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator(".task-table details.task-text[open]").count() == page.locator(".task-table details.task-text").count()
    pdf = page.pdf(prefer_css_page_size=True)
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box, "no page size in the PDF"
    width, height = float(box[1]), float(box[2])
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2, (width, height)  # A4 in points
