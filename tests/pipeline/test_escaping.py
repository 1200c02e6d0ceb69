"""Content is data, never code. Markup pasted into the YAML (a <script>, an
<img onerror=…>) takes one of two paths, and both are tested:

1. the validator rejects it with file:line (`no_markup_in_plan` in plans,
   `no_markup_in_text` in the other files), so the
   build stops and the published site is untouched;
2. if it gets past the validator (here: the rule is switched off for the
   build), every place that shows the text escapes it: in Chromium nothing
   runs (window.__xss stays undefined, no injected element exists) and the
   text is shown as typed, on the plan page, the department page, the home
   page, in search results, and as the same characters in plans.json and
   the CSV download.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import NOW, ROOT, serve_dir

pytestmark = pytest.mark.long(15)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "data"
PLAN = "plans/demo-2024-2026.yaml"
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
HARMLESS = "a<b>c"  # allowed by the validator; must still show as typed
PROBE = "xssprobe"  # an ASCII word beside the markup, so that any search finds it
INSERT = f" {PROBE} {SCRIPT}{IMG}{HARMLESS} "  # put into the task text (and its source)

TITLE = f"示例镇安全生产治本攻坚三年行动实施方案{SCRIPT}"
SHORT_TITLE = f"示例镇三年行动{IMG}"
DEPARTMENT = f"示例镇安全生产委员会办公室{SCRIPT}{IMG}"
ANNEX_ITEM = f"进一步强化党委政府责任{IMG}"
TASK_ANCHOR = "专题研究推进安全生产重大问题。"


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{path.name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def poisoned_data(target: Path) -> Path:
    """A copy of the fixture with markup in a plan's title and short title, a
    task text, a department name and an annex cell (sources edited alike, so that the
    verbatim check still passes)."""
    shutil.copytree(FIXTURE, target)
    plan, source = target / PLAN, target / "sources" / "demo.txt"
    q = json.dumps  # a JSON string is a YAML double-quoted scalar
    replace_once(plan, "title: 示例镇安全生产治本攻坚三年行动实施方案", f"title: {q(TITLE, ensure_ascii=False)}")
    replace_once(plan, "short_title: 示例镇三年行动", f"short_title: {q(SHORT_TITLE, ensure_ascii=False)}")
    lines = plan.read_text(encoding="utf-8").split("\n")
    i = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("text: ") and TASK_ANCHOR in ln)
    key, value = lines[i].split(": ", 1)
    lines[i] = f"{key}: {q(value.replace(TASK_ANCHOR, TASK_ANCHOR + INSERT), ensure_ascii=False)}"
    plan.write_text("\n".join(lines), encoding="utf-8")
    replace_once(plan, "item: 进一步强化党委政府责任", f"item: {q(ANNEX_ITEM, ensure_ascii=False)}")
    replace_once(target / "departments" / "demo.yaml", "name: 示例镇安全生产委员会办公室",
                 f"name: {q(DEPARTMENT, ensure_ascii=False)}")
    replace_once(source, TASK_ANCHOR, TASK_ANCHOR + INSERT)
    replace_once(source, "1\t进一步强化党委政府责任\t", f"1\t{ANNEX_ITEM}\t")
    return target


# --------------------------------------------------------------------------- #
# Path 1: the validator rejects markup with file:line
# --------------------------------------------------------------------------- #


def test_validator_rejects_markup_with_file_and_line(tmp_path):
    data = poisoned_data(tmp_path / "data")
    result = subprocess.run([sys.executable, "-m", "scripts", "--data", str(data), "check"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    reported = [ln for ln in result.stdout.splitlines() if "holds HTML markup" in ln]

    def line_of(rel: str, needle: str) -> int:
        lines = (data / rel).read_text(encoding="utf-8").splitlines()
        return next(n for n, ln in enumerate(lines, 1) if needle in ln)

    expected = {
        (PLAN, line_of(PLAN, "title: ")),
        (PLAN, line_of(PLAN, "short_title: ")),
        (PLAN, line_of(PLAN, PROBE)),
        (PLAN, line_of(PLAN, "item: ")),
        ("departments/demo.yaml", line_of("departments/demo.yaml", "window.__xss")),
    }
    for rel, line in expected:
        assert any(f"{rel}:{line}:" in ln for ln in reported), f"{rel}:{line} not reported:\n" + "\n".join(reported)
    assert not any("a<b>c" in ln for ln in reported)


def test_rejected_markup_never_reaches_the_published_site(tmp_path, browser):
    """A build of markup stops at the validator; the site published before
    stays as it was and runs nothing."""
    good, bad, site = tmp_path / "good", tmp_path / "bad", tmp_path / "site"
    shutil.copytree(FIXTURE, good)
    poisoned_data(bad)
    env = {"NOW": NOW, "NO_MKDOCS_2_WARNING": "1"}
    run = lambda data: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "scripts", "--data", str(data), "build", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, env={**__import__("os").environ, **env})
    assert run(good).returncode == 0
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    result = run(bad)
    assert result.returncode == 1 and "holds HTML markup" in result.stderr
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    server = serve_dir(site)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/plans/demo-2024-2026/")
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert "__xss" not in page.content()
        page.close()
    finally:
        server.shutdown()


# --------------------------------------------------------------------------- #
# Path 2: past the validator, every output escapes it
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def poisoned_site(tmp_path_factory) -> Path:
    """The poisoned fixture built with the markup rule switched off."""
    from scripts.pipeline import validate
    from scripts.pipeline.build import build

    tmp = tmp_path_factory.mktemp("escaping")
    data = poisoned_data(tmp / "data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NOW", NOW)
        mp.setenv("NO_MKDOCS_2_WARNING", "1")
        mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
        mp.setattr(validate, "CORPUS_RULES", [r for r in validate.CORPUS_RULES if r.__name__ != "no_markup_in_text"])
        mp.setattr(validate, "FILE_RULES", [r for r in validate.FILE_RULES if r.__name__ != "no_markup_in_plan"])
        _, problems = validate.check(data)
        assert not problems, "\n".join(map(str, problems))
        assert build(site_dir=tmp / "site", data_dir=data) == 0
    return tmp / "site"


@pytest.fixture(scope="module")
def poisoned_url(poisoned_site):
    server = serve_dir(poisoned_site)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class Injected(HTMLParser):
    """Elements the markup would have created, had it not been escaped."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "onerror" in a or (tag == "img" and a.get("src") == "x"):
            self.found.append(f"<{tag} {a}>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "__xss" in data:
            self.found.append(f"<script>{data}")


@pytest.mark.slow
def test_no_built_page_holds_the_markup_as_html(poisoned_site):
    found = []
    for page in poisoned_site.rglob("*.html"):
        p = Injected()
        p.feed(page.read_text(encoding="utf-8"))
        found += [f"{page.relative_to(poisoned_site)}: {x}" for x in p.found]
    assert not found, "\n".join(found)


def assert_inert(page) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined", "injected script ran"
    assert page.locator("img[src='x']").count() == 0, "an injected <img> exists"
    assert page.evaluate("[...document.scripts].some(s => s.text.includes('__xss'))") is False


def shown(page) -> str:
    return page.inner_text("body")


def test_plan_page_shows_the_markup_as_text(page, poisoned_url):
    page.goto(poisoned_url + "plans/demo-2024-2026/", wait_until="load")
    page.wait_for_load_state("networkidle")
    assert_inert(page)
    body = shown(page)
    for text in (SCRIPT, IMG, HARMLESS):
        assert text in body, f"{text!r} is not shown as typed"
    assert page.locator("b", has_text="b").count() == 0, "a<b>c became bold"
    assert page.inner_text("article h1").rstrip("¶").strip() == TITLE, "the heading does not show the title as typed"
    assert SHORT_TITLE in page.title() or TITLE in page.title(), f"the window title is not the text as typed: {page.title()}"


def test_home_and_department_pages_show_the_markup_as_text(page, poisoned_url, poisoned_site):
    page.goto(poisoned_url, wait_until="load")
    assert_inert(page)
    dep = poisoned_site / "departments" / "demo-anweiban" / "index.html"
    if not dep.exists():
        pytest.skip("department pages (departments/<id>/) are not built yet")
    page.goto(poisoned_url + "departments/demo-anweiban/", wait_until="load")
    page.wait_for_load_state("networkidle")
    assert_inert(page)
    assert DEPARTMENT in shown(page)
    assert page.inner_text("article h1").rstrip("¶").strip() == DEPARTMENT, "the heading does not show the name as typed"


def test_search_results_show_the_markup_as_text(page, poisoned_url):
    page.goto(poisoned_url, wait_until="load")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(PROBE)
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    page.wait_for_timeout(300)
    assert_inert(page)
    results = page.inner_text(".md-search-result")
    assert "window.__xss=1" in results, f"the markup is not in the results as text:\n{results[:500]}"


@pytest.mark.slow
def test_dataset_and_csv_keep_the_text_as_typed(poisoned_site):
    data = json.loads((poisoned_site / "data" / "plans.json").read_text(encoding="utf-8"))
    plan = next(p for p in data["plans"] if p["id"] == "demo-2024-2026")
    assert plan["title"] == TITLE
    task = plan["actions"][0]["tasks"][0]
    assert INSERT.strip() in task["text"]
    assert any(r.get("item") == ANNEX_ITEM for a in plan["annex"] for r in a["rows"])
    assert any(d["name"] == DEPARTMENT for d in data["departments"])
    csv_path = poisoned_site / "downloads" / "plans" / "demo-2024-2026.csv"
    if csv_path.exists():
        rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
        assert any(INSERT.strip() in cell for row in rows for cell in row), "the CSV does not hold the text as typed"
