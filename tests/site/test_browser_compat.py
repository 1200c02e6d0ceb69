"""Every browser a cadre has: domestic browsers on government desktops run
Chromium kernels from 87 to 106. Our JavaScript (docs/assets/javascripts and
the inline scripts of overrides/) parses as ES2020 and calls no API newer
than Chrome 87; our CSS uses no selector or rule newer than it; the search
answers in a Chromium stripped of late APIs (Intl.Segmenter among them), in
the page and in the search worker; every page asks dual-engine browsers for
their Chromium engine (<meta name="renderer" content="webkit">)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, search

JS_DIR = ROOT / "docs" / "assets" / "javascripts"
CSS_DIR = ROOT / "docs" / "assets" / "stylesheets"
OVERRIDES = ROOT / "overrides"
PARSER = Path(__file__).parent / "js" / "parse_es2020.js"
RENDERER = '<meta name="renderer" content="webkit">'

# APIs our scripts must not call: (pattern, what, first Chrome with it).
LATE_JS = [
    (r"\.at\(", "Array/String.prototype.at", 92),
    (r"\bObject\.hasOwn\b", "Object.hasOwn", 93),
    (r"\bstructuredClone\b", "structuredClone", 98),
    (r"\.findLast(Index)?\(", "Array.prototype.findLast", 97),
    (r"\.(toSorted|toReversed|toSpliced)\(", "change-array-by-copy methods", 110),
    (r"\b(Object|Map)\.groupBy\b", "Object.groupBy / Map.groupBy", 117),
    (r"\bArray\.fromAsync\b", "Array.fromAsync", 121),
    (r"\bPromise\.withResolvers\b", "Promise.withResolvers", 119),
    (r"\bAbortSignal\.(timeout|any)\b", "AbortSignal.timeout / any", 103),
    (r"\bcrypto\.randomUUID\b", "crypto.randomUUID", 92),
    (r"\.(isWellFormed|toWellFormed)\(", "String.prototype.isWellFormed", 111),
    (r"\bnavigator\.userAgentData\b", "navigator.userAgentData", 90),
    (r"\.showPicker\(", "HTMLInputElement.showPicker", 99),
    (r"\bscheduler\.(postTask|yield)\b", "scheduler.postTask", 94),
    (r"\.checkVisibility\(", "Element.checkVisibility", 105),
    (r"\bnew\s+Set\([^)]*\)\.(union|intersection|difference)\(", "Set methods", 122),
]
GUARDED = [  # allowed only behind a feature test in the same file
    (r"\bIntl\.Segmenter\b", r"typeof\s+Intl\.Segmenter|['\"]Segmenter['\"]\s+in\s+Intl", "Intl.Segmenter"),
]
LATE_CSS = [
    (r":has\(", ":has()", 105),
    (r"@container\b", "container queries", 105),
    (r":(is|where)\(", ":is() / :where()", 88),
    (r"\baspect-ratio\s*:", "aspect-ratio", 88),
    (r"\bcolor-mix\(", "color-mix()", 111),
    (r"@layer\b", "cascade layers", 99),
    (r"\b\d+(\.\d+)?(dvh|svh|lvh|dvw|svw|lvw)\b", "dynamic viewport units", 108),
    (r"^\s*&", "CSS nesting", 112),
    (r"\btext-wrap\s*:", "text-wrap", 114),
]


def our_scripts(tmp_path: Path) -> list[Path]:
    """docs/assets/javascripts/*.js, and every inline <script> of overrides/
    written to a file of its own."""
    files = sorted(JS_DIR.glob("*.js"))
    for template in sorted(OVERRIDES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for k, m in enumerate(re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", text, re.S)):
            out = tmp_path / f"{template.stem}-inline-{k}.js"
            out.write_text(m.group(1), encoding="utf-8")
            files.append(out)
    return files


def strip_comments(js: str) -> str:
    """Comments blanked out, their line breaks kept (line numbers stay)."""
    return re.sub(r"/\*.*?\*/|(?<![:\"'\\])//[^\n]*", lambda m: "\n" * m.group(0).count("\n"), js, flags=re.S)


def test_our_scripts_parse_as_es2020(tmp_path, built_site):
    node = shutil.which("node")
    assert node, "node is required (Debian's nodejs; .ci/run installs it)"
    scripts = our_scripts(tmp_path)
    assert any("inline" in p.name for p in scripts), "the inline script of overrides/main.html was not found"
    # the theme's bundle runs on the same browsers: it must parse too
    bundle = sorted((built_site / "assets" / "javascripts").glob("bundle.*.min.js"))
    assert bundle
    r = subprocess.run([node, str(PARSER), *map(str, scripts + bundle)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, "syntax newer than ES2020 (Chrome 87 reads ES2020):\n" + r.stdout + r.stderr


def test_our_scripts_call_no_api_newer_than_chrome_87(tmp_path):
    found = []
    for path in our_scripts(tmp_path):
        js = strip_comments(path.read_text(encoding="utf-8"))
        for pattern, what, chrome in LATE_JS:
            for m in re.finditer(pattern, js):
                found.append(f"{path.name}:{js.count(chr(10), 0, m.start()) + 1}: {what} (Chrome {chrome})")
        for pattern, guard, what in GUARDED:
            if re.search(pattern, js) and not re.search(guard, js):
                found.append(f"{path.name}: {what} without a feature test")
    assert not found, "\n".join(found)


def test_our_css_needs_nothing_newer_than_chrome_87():
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(CSS_DIR.glob("*.css"))}
    for template in sorted(OVERRIDES.rglob("*.html")):
        styles = re.findall(r"<style[^>]*>(.*?)</style>", template.read_text(encoding="utf-8"), re.S)
        sources[template.name] = "\n".join(styles)
    found = []
    for name, css in sources.items():
        css = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), css, flags=re.S)
        for pattern, what, chrome in LATE_CSS:
            for m in re.finditer(pattern, css, re.M):
                found.append(f"{name}:{css.count(chr(10), 0, m.start()) + 1}: {what} (Chrome {chrome})")
    assert not found, "\n".join(found)


def test_every_page_asks_for_the_chromium_engine(built_site):
    """Every page (the theme's, and the redirect pages of moved addresses)
    carries the renderer meta in its <head>."""
    missing, pages = [], 0
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        pages += 1
        head = html[: html.find("</head>")]
        if RENDERER not in head:
            missing.append(page.relative_to(built_site).as_posix())
    assert pages > 10
    assert not missing, f"{len(missing)} pages without {RENDERER}: {missing[:5]}"


# Run first in the page and in the search worker: the APIs a Chromium 87–106
# kernel may lack are taken away.
REMOVE_LATE_APIS = """
(function (g) {
  function drop(owner, name) {  // from the object and every prototype it inherits from
    for (var o = owner; o; o = Object.getPrototypeOf(o)) { try { delete o[name]; } catch (e) {} }
  }
  if (typeof Intl !== "undefined") drop(Intl, "Segmenter");
  drop(Array.prototype, "at"); drop(String.prototype, "at");
  drop(Array.prototype, "findLast"); drop(Array.prototype, "findLastIndex");
  drop(Array.prototype, "toSorted"); drop(Array.prototype, "toReversed"); drop(Array.prototype, "toSpliced");
  drop(Object, "hasOwn"); drop(Object, "groupBy"); drop(g, "structuredClone");
  drop(Promise, "withResolvers"); drop(String.prototype, "isWellFormed");
  if (g.crypto) drop(Object.getPrototypeOf(g.crypto), "randomUUID");
  if (g.AbortSignal) { drop(AbortSignal, "timeout"); drop(AbortSignal, "any"); }
  g.__lateApisRemoved = typeof Intl.Segmenter === "undefined" && !("at" in []) && typeof structuredClone === "undefined";
})(self);
"""


@pytest.mark.browser
def test_search_answers_without_late_apis(browser, site_url, built_site):
    dataset = json.loads((built_site / "data" / "plans.json").read_text(encoding="utf-8"))
    task = dataset["plans"][0]["actions"][0]["tasks"][0]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(REMOVE_LATE_APIS)
    worker_requests = []

    def strip_worker(route):
        worker_requests.append(route.request.url)
        response = route.fetch()
        route.fulfill(response=response, body=REMOVE_LATE_APIS + response.text())

    context.route("**/assets/javascripts/search-worker.js*", strip_worker)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(site_url, wait_until="load")
        assert page.evaluate("window.__lateApisRemoved") is True
        assert search(page, task["title"][:4]) > 0, "no search result without the late APIs"
        assert worker_requests, "the search worker was not loaded through the stripping route"
        assert any(w.evaluate("self.__lateApisRemoved") is True for w in page.workers), "the worker kept its late APIs"
        assert not errors, errors
    finally:
        context.close()
