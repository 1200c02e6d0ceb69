"""The pages of the real build show every kind of time the data records, as
the dataset (site/data/plans.json) lists it: dates whose year the plan does
not print marked in words, recurring duties with their period in words (每两个月),
ongoing duties and undated events on the plan, department and timeline pages,
dated events on the timeline (its pages by quarter and jurisdiction area);
and the CSV lists carry the same words."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest


@pytest.fixture(scope="module")
def dataset(built_site):
    return json.loads((built_site / "data" / "plans.json").read_text(encoding="utf-8"))


def text_of(built_site, url: str) -> str:
    """A page's text: tags dropped, entities decoded, whitespace squashed."""
    page = (built_site / url.split("#")[0] / "index.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", page)))


def section(built_site, url: str, anchor: str) -> str:
    """The text from the element with id `anchor` to the next heading of its level or above."""
    page = (built_site / url / "index.html").read_text(encoding="utf-8")
    m = re.search(rf'<h([1-6]) id="{anchor}"', page)
    assert m, f"{url} has no #{anchor}"
    rest = page[m.end():]
    end = re.search(rf"<h[1-{m.group(1)}][ >]", rest)
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", rest[: end.start() if end else None])))


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def tasks(dataset):
    return [(p, t) for p in dataset["plans"] for a in p["actions"] for t in a["tasks"]]


def page_of(built_site, url: str) -> str:
    return (built_site / url.split("#")[0] / "index.html").read_text(encoding="utf-8")


def area_of(dataset, plan) -> str:
    return next(j["area"] for j in dataset["jurisdictions"] if j["id"] == plan["jurisdiction"])


def test_dates_the_plan_does_not_print_whole_are_marked_in_words(built_site, dataset):
    for plan, t in tasks(dataset):
        page = (built_site / plan["url"] / "index.html").read_text(encoding="utf-8")
        for i, d in enumerate(t["deadlines"], 1):
            # the plan's own timeline, and the timeline's page of its quarter and area
            for where in (page, page_of(built_site, d["timeline"])):
                row = re.search(rf'<tr id="due-{t["id"]}-{i}".*?</tr>', where, re.S)
                assert row, f"{t['id']} deadline {i} is not on the timelines"
                marked = "inferred" in row.group(0)
                assert marked == d["inferred"], f"{t['id']} {d['text']}"
                if d["inferred"]:
                    assert d["inferred_label"] in row.group(0)


def test_ongoing_duties_and_undated_events_are_listed_not_dated(built_site, dataset):
    timeline = section(built_site, "timeline/", "ongoing")
    pages = {a["jurisdiction"]: a["url"] for a in dataset["ongoing"]}
    for plan, t in tasks(dataset):
        undated = [e["text"] for e in t["events"] if "date" not in e]
        items = [o["text"] for o in t["ongoing"]] + undated
        if not items:
            continue
        on_plan = section(built_site, plan["url"], "ongoing")
        area = pages[area_of(dataset, plan)]  # the timeline links the page of the plan's area
        assert f'href="{area.removeprefix("timeline/")}"' in page_of(built_site, "timeline/"), area
        on_timeline = section(built_site, area, f"ongoing-{plan['id']}")
        for words in items:
            assert squash(words) in on_plan and squash(words) in on_timeline, f"{t['id']}: {words}"
            for unit in t["lead"]:
                assert squash(words) in section(built_site, unit["url"], "ongoing"), f"{unit['id']}: {words}"
        body = text_of(built_site, plan["url"])
        if t["ongoing"]:
            assert "持续性要求" in body
    if dataset["ongoing"]:
        assert "按辖区分页" in timeline


def test_dated_events_are_on_the_timeline_as_the_editors(built_site, dataset):
    for _, t in tasks(dataset):
        for i, e in enumerate(t["events"], 1):
            assert ("timeline" in e) == ("date" in e), f"{t['id']}: {e['text']}"
            if "date" in e:
                row = re.search(rf'<tr id="due-{t["id"]}-e{i}".*?</tr>', page_of(built_site, e["timeline"]), re.S)
                assert row and e["date"] in row.group(0) and "日期由编者补注" in row.group(0), e


def test_recurring_duties_say_their_period_in_words(built_site, dataset):
    page = "".join(text_of(built_site, a["url"]) for a in dataset["recurring"])  # by area
    for _, t in tasks(dataset):
        for r in t["recurrence"]:
            assert squash(r["label"]) in page, r["label"]
            if r["interval"] > 1:
                assert re.match(r"每[两三四五六七八九十]", r["label"]), r["label"]


def test_task_lists_carry_ongoing_and_event_words(built_site, dataset):
    for plan in dataset["plans"]:
        raw = (built_site / plan["downloads"]["csv"]).read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(raw, newline="")))
        col = {n: i for i, n in enumerate(rows[0])}
        by_url = {r[col["站内地址"]]: r for r in rows[1:]}
        for a in plan["actions"]:
            for t in a["tasks"]:
                row = by_url[t["url"]]
                for o in t["ongoing"]:
                    assert o["text"] in row[col["持续性要求"]]
                for e in t["events"]:
                    assert e["text"] in row[col["节点性要求"]]
                for d in t["deadlines"]:
                    if d["inferred"]:
                        assert f"{d['date']}，{d['inferred_label']}" in row[col["时间节点"]]
