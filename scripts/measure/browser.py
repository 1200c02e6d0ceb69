"""Driving the site in Chromium (Debian's, through Playwright): the browser
and its flags, a static server for a built site on loopback, and the search
box typed into as a reader does (BROWSER_QUERY_JS). Used by the browser
tests and `make search-report`; never by the build.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that logs nothing (keeps test output clean)."""

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A browser closed while a file was on its way is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve_dir(directory: Path, handler_class=QuietHandler, port: int = 0):
    """A static server for `directory` on loopback, in a daemon thread."""
    handler = functools.partial(handler_class, directory=str(directory))
    server = _Server(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@contextlib.contextmanager
def chromium_serving(site: Path) -> Iterator[tuple[Any, str]]:
    """(a headless Chromium, the URL of `site` on a loopback server), both
    stopped afterwards: what the measuring tools drive."""
    from playwright.sync_api import sync_playwright

    server = serve_dir(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser, f"http://127.0.0.1:{server.server_address[1]}/"
            finally:
                browser.close()
    finally:
        server.shutdown()


# `ask(trigger, accept)`: runs `trigger` and resolves when the worker's answer
# that `accept`s is drawn: every report of the worker for it (search-ui.js
# passes them on; the first results, then the rest) has come, the last one
# says it is done, and the theme has drawn the list once per report. `ms`:
# when the first results were drawn.
_ASK_JS = r"""
  const input = document.querySelector("input.md-search__input");
  const list = document.querySelector(".md-search-result__list");
  const wrap = document.querySelector(".md-search__scrollwrap");
  const ask = (trigger, accept, what) => new Promise((resolve, reject) => {
    let info = null, reports = 0, lists = 0, first = null;
    const seen = new WeakSet([...list.children]);
    const t0 = performance.now();
    const check = () => {
      if (!info || !info.done) return;
      if (info.shown > 0 ? lists < reports : list.children.length > 0) return;
      stop();
      resolve({ info, ms: first === null ? performance.now() - t0 : first, last: performance.now() - t0 });
    };
    const obs = new MutationObserver(() => {
      const head = list.firstElementChild;
      if (head && !seen.has(head)) {  // a list drawn anew
        lists++;
        if (first === null) first = performance.now() - t0;
      }
      for (const li of list.children) seen.add(li);
      check();
    });
    const onAnswer = (e) => { if (accept(e.detail)) { info = e.detail; reports++; check(); } };
    const timer = setTimeout(() => { stop(); reject(new Error("no answer for " + what + ": " + JSON.stringify(info))); }, 20000);
    const stop = () => { clearTimeout(timer); obs.disconnect(); window.removeEventListener("site-search:answer", onAnswer); };
    obs.observe(list, { childList: true });
    window.addEventListener("site-search:answer", onAnswer);
    trigger();
  });
  const drawn = () => [...list.children].map((li) => ({
    text: li.innerText,
    hrefs: [...li.querySelectorAll("a[href]")].map((a) => a.href),
  }));
  const result = (r) => ({ ms: r.ms, last: r.last, worker: r.info,
    meta: document.querySelector(".md-search-result__meta").textContent, items: drawn() });
"""

# Types a query into the real search box and waits until the theme has drawn
# the results (the first ten, as it draws them); `all` scrolls until every
# listed result is drawn. Returns the time from the key to the drawn list,
# what the worker reported, and the drawn results.
BROWSER_QUERY_JS = r"""
async ([q, all]) => {""" + _ASK_JS + r"""
  const typed = (value) => ask(() => {
    input.value = value;
    input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  }, (d) => d.query === value, value);
  input.focus();
  if (input.value !== "") await typed("");
  const r = await typed(q);
  if (all) {
    const pause = () => new Promise((res) => setTimeout(res, 50));
    for (let i = 0; i < 200 && list.children.length < r.info.shown; i++) {
      wrap.scrollTop = 0;  // the theme draws four more each time the list's end comes into view
      await pause();
      wrap.scrollTop = wrap.scrollHeight;
      await pause();
    }
    wrap.scrollTop = 0;
  }
  return result(r);
}
"""

# Resolves when the filters show the counts for `query` under `filters`.
FACETS_JS = r"""
  const facetsOf = (query, filters) => new Promise((resolve, reject) => {
    const same = (a, b) => JSON.stringify(Object.entries(a || {}).sort()) === JSON.stringify(Object.entries(b || {}).sort());
    const ok = (d) => d && d.query === query && same(d.filters, filters);
    if (ok(window.__siteSearchFacets)) return resolve(window.__siteSearchFacets);
    const timer = setTimeout(() => reject(new Error("no facets for " + query)), 20000);
    const on = (e) => { if (ok(e.detail)) { clearTimeout(timer); window.removeEventListener("site-search:facets", on); resolve(e.detail); } };
    window.addEventListener("site-search:facets", on);
  });
"""
# Chooses `value` ("" for 全部) in the filter of facet `kind` (search-ui.js)
# as a reader does (kind null: presses 清除筛选), and waits until the narrowed results are drawn (as
# BROWSER_QUERY_JS) and the filters show the counts of the new answer.
BROWSER_FILTER_JS = r"""
async ([kind, value]) => {""" + _ASK_JS + FACETS_JS + r"""
  const select = document.querySelector(".site-search__filters select[data-facet='" + kind + "']");
  const chosen = () => {
    const out = {};
    for (const s of document.querySelectorAll(".site-search__filters select")) if (s.value) out[s.dataset.facet] = s.value;
    return out;
  };
  const same = (a, b) => JSON.stringify(Object.entries(a || {}).sort()) === JSON.stringify(Object.entries(b || {}).sort());
  let want = null;
  const r = await ask(() => {
    if (kind === null) {  // 清除筛选
      want = {};
      document.querySelector(".site-search__clear").click();
      return;
    }
    select.value = value;
    want = chosen();
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }, (d) => d.query === input.value && same(d.filters, want), kind + "=" + value);
  await facetsOf(input.value, want);
  return result(r);
}
"""



def open_search(page, url: str) -> None:
    """Load a page and wait until the search worker is ready (it has answered
    the theme's first, empty query)."""
    page.goto(url, wait_until="load")
    page.locator("input.md-search__input").click()
    page.wait_for_function("window.__siteSearchLast !== undefined", timeout=60_000)  # a readiness wait: under a loaded test run the worker may take long to load


def browser_query(page, query: str, all_items: bool = False) -> dict[str, Any]:
    """Type `query` into the search box of the open page (BROWSER_QUERY_JS).
    Each item gets `urls`: its links, relative to the site root."""
    return _with_urls(page, page.evaluate(BROWSER_QUERY_JS, [query, all_items]))


def browser_filter(page, kind: str | None, value: str = "") -> dict[str, Any]:
    """Choose `value` ("" for all) in the search filter of facet `kind`, or
    press 清除筛选 (kind None) (BROWSER_FILTER_JS); the answer as browser_query's."""
    return _with_urls(page, page.evaluate(BROWSER_FILTER_JS, [kind, value]))


def browser_facets(page, filters: dict[str, str] | None = None) -> dict[str, Any]:
    """What the filters show for the query in the box (search-ui.js, once
    the worker has counted): {facet: {all, values: [[id, label, depth, n]]}}."""
    return page.evaluate("async (f) => {" + FACETS_JS + "return (await facetsOf("
                         "document.querySelector('input.md-search__input').value, f)).facets; }", filters or {})


def _with_urls(page, out: dict[str, Any]) -> dict[str, Any]:
    base = page.evaluate("new URL(document.querySelector('#__config') ? JSON.parse(document.querySelector('#__config').textContent).base : '.', location.href).href")
    for item in out["items"]:
        item["urls"] = [h[len(base):] if h.startswith(base) else h for h in item["hrefs"]]
        item["url"] = item["urls"][-1] if item["urls"] else ""
    return out
