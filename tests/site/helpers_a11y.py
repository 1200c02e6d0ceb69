"""Accessibility checks with axe-core (npm, pinned in package-lock.json),
injected into a page with Playwright, and the pages every reader must be able
to use, chosen from the built dataset (never from a list of today's plans)."""

from __future__ import annotations

import functools
from pathlib import Path

from scripts.measure.browser import QuietHandler, serve_dir

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
ZOOM_200 = {"width": 640, "height": 450}  # a 1280 × 900 screen at 200 % zoom
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


class _Cached(QuietHandler):
    """Lets the browser keep what it fetched: Chromium then reuses its
    compiled axe from page to page (on 25 pages: 0.24 s of CPU per page
    injected as text, 0.09 s loaded from here)."""

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=86400")
        super().end_headers()


@functools.cache
def axe_url() -> str:
    """The address of axe.min.js on a loopback server of its own (a daemon
    thread, for the whole test process): never served with the site."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `make test` (npm ci installs axe-core from package-lock.json)")
    server = serve_dir(AXE.parent, _Cached)
    return f"http://127.0.0.1:{server.server_address[1]}/{AXE.name}"


def reader_pages(dataset: dict) -> dict[str, str]:
    """name -> address (relative to the site root) of each kind of page."""
    unit = next((d for d in dataset["departments"] if not d.get("group")), dataset["departments"][0])
    js = dataset["jurisdictions"]
    with_plans = next(j for j in js if j["plans"])
    with_children = next((j for j in js if j["children"]), with_plans)
    topic = next((t for t in dataset["topics"] if t["areas"]), dataset["topics"][0])
    category = next((c for c in dataset["categories"] if c["areas"]), dataset["categories"][0])
    pages = {
        "home": "",
        "plans index": "plans/",
        "plan": dataset["plans"][0]["url"],
        "jurisdictions index": "jurisdictions/",
        "jurisdiction with plans": with_plans["url"],
        "jurisdiction with sub-jurisdictions": with_children["url"],
        "departments index": "departments/",
        "department": unit["url"],
        "category": category["url"],
        "topics index": "topics/",
        "topic": topic["url"],
        "timeline": "timeline/",
        "recurring duties": "timeline/recurring/",
        "comparison": "compare/",
        "progress": "progress/",
        **({"board": dataset["boards"][0]["url"], "bulletin": dataset["boards"][0]["bulletins"][0]["url"]}
           if dataset.get("boards") and dataset["boards"][0]["bulletins"] else {}),
    }
    # the pages split by jurisdiction: one area's share of each
    if topic["areas"]:
        pages["topic in one area"] = topic["areas"][0]["url"]
    if category["areas"]:
        pages["category in one area"] = category["areas"][0]["url"]
    if dataset["compare"]:
        pages["comparison in one area"] = dataset["compare"][0]["url"]
        pages["one line of the comparison in one area"] = dataset["compare"][0]["url"] + dataset["national"]["actions"][0]["id"] + "/"
    if dataset["timeline"]:
        quarter = max(dataset["timeline"], key=lambda q: sum(1 for _ in q["areas"]))
        pages["one quarter of the timeline"] = quarter["url"]
        pages["one quarter of the timeline in one area"] = quarter["areas"][0]["url"]
    if dataset["recurring"]:
        pages["recurring duties in one area"] = dataset["recurring"][0]["url"]
    if dataset["ongoing"]:
        pages["undated duties in one area"] = dataset["ongoing"][0]["url"]
    return pages


def axe_violations(page) -> list[str]:
    """One line per WCAG 2.1 A/AA violation on the page as it is now:
    rule, impact, how many nodes, the first nodes' selectors and summary."""
    # colours are measured as they end, not halfway through a transition
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')", timeout=5_000)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=axe_url())
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
                 .then(r => r.violations.map(v => ({id: v.id, impact: v.impact,
                     nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))})))""",
        WCAG_TAGS,
    )
    return [f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): " + " | ".join(v["nodes"][:3]) for v in result]


def axe_at_widths(page) -> dict[str, list[str]]:
    """axe_violations() of the loaded page at each of WIDTHS in turn: the
    window is resized, not the page loaded again (the stylesheets and the
    theme's scripts follow the window's width, as when a reader turns a
    tablet). Open the page's context with reduced_motion="reduce" (a
    reader's setting the theme honours): a resized page is then at once as
    it ends, not a third of a second later."""
    found = {}
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        found[width] = axe_violations(page)
    return found
