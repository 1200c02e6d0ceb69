"""The real build of the real data: pages, anchors and the published dataset."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from built_pages import parsed


@pytest.fixture(scope="module")
def dataset(built_site):
    return json.loads((built_site / "data" / "plans.json").read_text(encoding="utf-8"))


def page_for(site: Path, url: str) -> Path:
    path = url.split("#")[0]
    return site / path / "index.html" if path.endswith("/") or path == "" else site / path


def test_dataset_has_the_documented_fields(dataset):
    assert dataset["plans"], "no plans published"
    for plan in dataset["plans"]:
        assert {"id", "title", "doc_number", "issuer", "issued", "url", "goals", "actions", "annex"} <= set(plan)
        for action in plan["actions"]:
            assert {"id", "title", "url", "tasks"} <= set(action)
            for task in action["tasks"]:
                assert {"id", "number", "title", "text", "url", "deadlines", "recurrence", "lead", "support", "leaders"} <= set(task)
                for d in task["deadlines"]:
                    assert re.fullmatch(r"\d{4}-\d\d-\d\d", d["date"]) and d["text"]
                for r in task["recurrence"]:
                    assert r["every"] in {"week", "half-month", "month", "quarter", "half-year", "year"}
                    assert r["interval"] >= 1 and r["min_count"] >= 1 and r["label"]
                    assert r["first_due"] <= r["last_due"]
                for unit in task["lead"] + task["support"]:
                    assert {"id", "name"} <= set(unit)
    assert dataset["departments"] and {"id", "name", "category"} <= set(dataset["departments"][0])


def test_every_task_url_is_an_anchor_on_its_page(built_site, dataset):
    for plan in dataset["plans"]:
        page = page_for(built_site, plan["url"])
        ids = parsed(page).ids
        for action in plan["actions"]:
            assert action["url"].split("#")[1] in ids
            for task in action["tasks"]:
                path, anchor = task["url"].split("#")
                assert path == plan["url"]
                assert anchor == task["id"], "task addresses come from ids"
                assert anchor in ids, f"{task['url']} has no anchor"


def test_plan_page_shows_text_deadlines_and_units(built_site, dataset):
    plan = next(p for p in dataset["plans"] if any(t["deadlines"] and t["lead"] for a in p["actions"] for t in a["tasks"]))
    html = page_for(built_site, plan["url"]).read_text(encoding="utf-8")
    task = next(t for a in plan["actions"] for t in a["tasks"] if t["deadlines"] and t["lead"])
    assert task["text"][:30] in html.replace("\n", "")
    assert task["deadlines"][0]["date"] in html
    assert task["lead"][0]["name"] in html or any(s in html for s in [task["lead"][0]["name"]])
    assert plan["doc_number"] in html


def test_internal_links_resolve(built_site):
    """Every link on every page leads to an existing file and, with a
    fragment, to an existing id on that page."""
    broken = []
    for page in built_site.rglob("*.html"):
        rel = page.relative_to(built_site).as_posix()
        base = "http://site/" + rel
        for href in parsed(page).links:
            target = urlparse(urljoin(base, href))
            if target.scheme in ("mailto", "tel", "javascript") or target.netloc != "site":
                continue
            path = built_site / target.path.lstrip("/")
            if target.path.endswith("/"):
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{rel}: {href}")
                continue
            if target.fragment and path.suffix == ".html":
                ids = parsed(path).ids
                if target.fragment not in ids:
                    broken.append(f"{rel}: {href} (no anchor)")
    assert not broken, "\n".join(broken[:30])


def test_nothing_points_outside_the_site(built_site):
    external = []
    for path in list(built_site.rglob("*.html")) + list(built_site.rglob("*.css")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for url in re.findall(r"""(?:src|href)\s*=\s*["'](https?:)?//([^"'/]+)""", text):
            external.append(f"{path.relative_to(built_site)}: {url[1]}")
        for host in re.findall(r"url\(\s*[\"']?(?:https?:)?//([^)\"'/]+)", text):
            external.append(f"{path.relative_to(built_site)}: {host}")
    assert not external, "\n".join(external[:20])


def test_sources_are_published(built_site, dataset):
    for plan in dataset["plans"]:
        assert (built_site / plan["source"]).is_file()


def test_task_text_is_escaped(built_site, dataset):
    """Text is shown as typed: no tag from the data reaches the HTML unescaped."""
    for plan in dataset["plans"]:
        html = page_for(built_site, plan["url"]).read_text(encoding="utf-8")
        assert "**（" not in html or "<strong>" not in html.split("**（")[0][-50:]
