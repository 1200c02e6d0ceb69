"""Progress on the built site: the site built from a copy of data/ with
fixture reports (tests/progress_reports.py) shows every task's state as a
word with its history, a board and bulletins per jurisdiction, a
department's progress, Atom feeds linked from the pages, progress in
plans.json and in search; the bulletin prints on A4 with nothing cut; the
new pages pass axe. The real site, without reports, says 暂无报送 and infers
nothing but 已逾期（未报送）."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from conftest import serve_dir
from helpers_a11y import DESKTOP, WIDTHS, axe_at_widths
from scripts.measure.engine import Engine

pytestmark = pytest.mark.long(15)

ATOM = "{http://www.w3.org/2005/Atom}"


def dataset(site: Path) -> dict:
    return json.loads((site / "data" / "plans.json").read_text(encoding="utf-8"))


def items(data: dict):
    for p in data["plans"]:
        for a in p["actions"]:
            for t in a["tasks"]:
                yield t
        for annex in p["annex"]:
            yield from annex["rows"]


def page(site: Path, url: str) -> str:
    return (site / url.split("#")[0] / "index.html").read_text(encoding="utf-8")


class States(HTMLParser):
    """Every state badge (<span class="pg pg-…">) and its words."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if tag == "span" and "pg" in cls.split():
            self._open, self._text = cls, ""

    def handle_data(self, data):
        if self._open is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "span" and self._open is not None:
            self.found.append((self._open, self._text.strip()))
            self._open = None


def states(html: str) -> list[tuple[str, str]]:
    p = States()
    p.feed(html)
    return p.found


def test_every_state_is_a_word_and_the_task_pages_show_the_latest(progress_site):
    data = dataset(progress_site)
    reported = [t for t in items(data) if t["progress"]["reports"]]
    assert reported, "the fixture reports reached plans.json"
    assert {t["progress"]["state"] for t in items(data)} >= {"done", "ontrack", "behind", "none"}
    for t in reported[:40]:
        html = page(progress_site, t["url"])
        anchor = t["url"].split("#")[1]
        block = html[html.index(f'id="{anchor}-progress"'):]
        block = block[:block.index("</div>")]
        assert t["progress"]["state_label"] in block
        latest = [r for r in t["progress"]["reports"] if "occurrence" not in r]
        if latest:
            assert latest[-1]["text"] in block
    for board in data["boards"]:
        for url in [board["url"]] + [b["url"] for b in board["bulletins"]]:
            found = states(page(progress_site, url))
            assert found and all(words for _, words in found), url


def test_board_and_bulletin_agree_with_the_dataset(progress_site):
    data = dataset(progress_site)
    board = max(data["boards"], key=lambda b: sum(1 for p in data["plans"] if p["id"] in b["plans"]))
    mine = [t for p in data["plans"] if p["id"] in board["plans"] for t in items({"plans": [p]})]
    html = page(progress_site, board["url"])
    for key in {t["progress"]["state"] for t in mine if t["progress"]["state"] != "done"}:
        assert f"pg-{key}" in html
    latest = page(progress_site, board["bulletins"][0]["url"])
    assert "各单位任务进展" in latest and "较上季度的变化" in latest and "print-button" in latest
    for b in board["bulletins"][1:]:
        assert (progress_site / b["url"] / "index.html").exists()


def test_the_real_site_says_nothing_was_reported(built_site):
    data = dataset(built_site)
    assert data["boards"] and data["progress_statuses"] == ["未启动", "推进中", "已完成", "已销号", "滞后"]
    for t in items(data):
        if not t["progress"]["reports"]:
            assert t["progress"]["state_label"] in ("暂无报送", "已逾期（未报送）"), t["url"]
            if t["progress"]["state"] == "overdue":
                dates = [d["date"] for d in t.get("deadlines", [])] or [t["due"]["date"]]
                assert max(dates) < data["generated_for"]
    plan = data["plans"][0]
    assert "暂无报送" in page(built_site, plan["url"]) or "已逾期（未报送）" in page(built_site, plan["url"])


def test_feeds_are_atom_and_linked_from_the_pages(progress_site):
    data = dataset(progress_site)
    for path in [progress_site / "feed.xml"] + [progress_site / d["url"] / "feed.xml" for d in data["departments"][:30]]:
        root = ET.parse(path).getroot()
        assert root.tag == f"{ATOM}feed" and root.find(f"{ATOM}updated") is not None
        here = "http://site/" + path.relative_to(progress_site).as_posix()
        for entry in root.findall(f"{ATOM}entry"):
            assert entry.find(f"{ATOM}id").text.startswith("tag:")
            target = urlparse(urljoin(here, entry.find(f"{ATOM}link").get("href")))
            html = (progress_site / target.path.lstrip("/") / "index.html").read_text(encoding="utf-8")
            assert f'id="{target.fragment}"' in html, target
    site_feed = ET.parse(progress_site / "feed.xml").getroot()
    assert 0 < len(site_feed.findall(f"{ATOM}entry")) <= 50
    home = (progress_site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="feed.xml">', home)
    dep = data["departments"][0]
    html = page(progress_site, dep["url"])
    assert '<link rel="alternate" type="application/atom+xml"' in html and 'href="feed.xml"' in html
    assert (progress_site / dep["url"] / "feed.xml").exists()


def test_search_finds_tasks_by_their_state(progress_site):
    data = dataset(progress_site)
    behind = {t["url"] for t in items(data) if "滞后" in t["progress"]["state_label"]}
    assert behind
    hits = {h.rec["u"] for h in Engine(progress_site).search("滞后", limit=500).hits}
    assert behind <= hits | {u for u in behind if "#" not in u}, sorted(behind - hits)[:5]


@pytest.fixture(scope="module")
def progress_url(progress_site):
    server = serve_dir(progress_site)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _progress_pages(site: Path) -> dict[str, str]:
    data = dataset(site)
    board = data["boards"][0]
    dep = next(d for d in data["departments"] if not d["group"])
    task = next(t for t in items(data) if t["progress"]["reports"] and "#" in t["url"])
    return {"progress": "progress/", "board": board["url"], "bulletin": board["bulletins"][0]["url"],
            "department": dep["url"], "plan": task["url"].split("#")[0]}


@pytest.fixture(scope="module")
def progress_axe(browser, progress_site, progress_url) -> dict[str, list[str]]:
    """axe on each page that shows progress, every <details> open, at each width (axe_at_widths)."""
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    pg = context.new_page()
    found: dict[str, list[str]] = {width: [] for width in WIDTHS}
    try:
        for name, url in _progress_pages(progress_site).items():
            pg.set_viewport_size(DESKTOP)
            pg.goto(progress_url + url, wait_until="load")
            pg.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            for width, violations in axe_at_widths(pg).items():
                found[width] += [f"{name} ({url}): {v}" for v in violations]
    finally:
        context.close()
    return found


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_progress_pages_pass_axe(progress_axe, width):
    assert not progress_axe[width], "\n".join(progress_axe[width])


A4_POINTS = (595.0, 842.0)
PRINTABLE_PX = round((210 - 24) / 25.4 * 96)  # A4 less the 12 mm margins of site.css, in CSS pixels


def test_bulletin_prints_on_a4_with_nothing_cut(browser, progress_site, progress_url):
    data = dataset(progress_site)
    board = max(data["boards"], key=lambda b: len(b["plans"]))
    context = browser.new_context(viewport={"width": PRINTABLE_PX, "height": 1000})
    pg = context.new_page()
    try:
        pg.goto(progress_url + board["bulletins"][0]["url"], wait_until="load")
        pg.emulate_media(media="print")
        cut = pg.evaluate("""() => {
            const width = document.documentElement.clientWidth, out = [];
            document.querySelectorAll('.md-content table, .md-content p, .md-content h1, .md-content ul').forEach(e => {
                const r = e.getBoundingClientRect();
                if (r.width && (r.right > width + 1 || r.left < -1)) out.push(e.tagName + ' ' + Math.round(r.right));
            });
            return {out, scroll: document.documentElement.scrollWidth, width};
        }""")
        assert not cut["out"] and cut["scroll"] <= cut["width"], cut
        hidden = pg.evaluate("[...document.querySelectorAll('.md-header, .md-sidebar, .print-button')]"
                             ".every(e => getComputedStyle(e).display === 'none')")
        assert hidden, "the header, navigation and buttons are not printed"
        pdf = pg.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes, "no page in the PDF"
    for w, h in boxes:
        assert abs(float(w) - A4_POINTS[0]) < 2 and abs(float(h) - A4_POINTS[1]) < 2, (w, h)
