"""Every reader: axe-core finds no WCAG 2.1 A/AA violation on each kind of
page and with the search open on its results, at desktop and phone widths;
keyboard users see which search result they are on, screen-reader users hear
the number of results; a reader can switch to large text (适老化), kept
across pages; at 200 % zoom no page scrolls sideways."""

from __future__ import annotations

import json

import pytest

from conftest import SEARCH_INPUT, SEARCH_RESULT, search
from helpers_a11y import DESKTOP, PHONE, WIDTHS, ZOOM_200, axe_at_widths, axe_violations, reader_pages

pytestmark = [pytest.mark.browser, pytest.mark.long(45)]


@pytest.fixture(scope="module")
def dataset(built_site):
    return json.loads((built_site / "data" / "plans.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def search_word(dataset):
    """A word of a real task title: the search has results for it."""
    return dataset["plans"][0]["actions"][0]["tasks"][0]["title"][:2]


def open_search(page, word: str) -> int:
    """The search box opened (on a phone, by its header button) and `word` typed."""
    opener = page.locator("label.md-header__button[for=__search]")  # shown on narrow screens only
    if opener.is_visible():
        opener.click()
    return search(page, word)


@pytest.fixture(scope="module")
def looked_at(browser, site_url, dataset):
    """Each kind of page loaded once and looked at as the tests below need:
    axe at desktop and at phone width (axe_at_widths), and what reaches past
    the window's edge at 200 % zoom with normal and with large text (the
    window resized again; large text is the class the page's first script
    sets when the reader chose it, overrides/main.html). {what: [finding, …]}."""
    found: dict[str, list[str]] = {"desktop": [], "phone": [], "normal": [], "large-text": []}
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    page = context.new_page()
    try:
        for name, url in reader_pages(dataset).items():
            page.set_viewport_size(DESKTOP)
            page.goto(site_url + url, wait_until="load")
            where = f"{name} ({url or '/'})"
            for width, violations in axe_at_widths(page).items():
                found[width] += [f"{where}: {v}" for v in violations]
            page.set_viewport_size(ZOOM_200)
            for text, on in (("normal", False), ("large-text", True)):
                page.evaluate("on => document.documentElement.classList.toggle('site-large-text', on)", on)
                page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
                found[text] += [f"{where}: {line}" for line in page.evaluate(OVERFLOW)]
    finally:
        context.close()
    return found


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_no_wcag_violations(browser, site_url, looked_at, search_word, width):
    context = browser.new_context(viewport=WIDTHS[width])
    page = context.new_page()
    found = list(looked_at[width])
    try:
        page.goto(site_url, wait_until="load")
        assert open_search(page, search_word) > 0
        found += [f"search results: {v}" for v in axe_violations(page)]
    finally:
        context.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_wcag_violations_with_search_filters_and_suggestions(browser, site_url, search_word, viewport):
    """The filters above the results, one of them chosen, and the
    suggestions a query without an exact result brings (search-ui.js)."""
    from scripts.measure.browser import browser_facets, browser_filter, browser_query

    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    found = []
    try:
        page.goto(site_url, wait_until="load")
        assert open_search(page, search_word) > 0
        value = browser_facets(page)["j"]["values"][-1][0]
        browser_filter(page, "j", value)
        assert page.is_visible(".site-search__filters select") and page.is_visible(".site-search__clear")
        found += [f"search filters: {v}" for v in axe_violations(page)]
        browser_filter(page, None)
        synonyms = page.evaluate("fetch('search/search_index.json').then(r => r.json()).then(i => i.config.cjk.synonyms)")
        for group in synonyms:  # a name with no exact result: marked results, suggestions
            res = browser_query(page, group[0])
            if not res["worker"]["exact"] and res["worker"]["suggest"]:
                break
        assert page.is_visible(".site-search__suggest button"), "no synonym without an exact result"
        found += [f"search suggestions ({group[0]}): {v}" for v in axe_violations(page)]
    finally:
        context.close()
    assert not found, "\n".join(found)


def test_search_count_is_announced_and_selection_visible(page, site_url, search_word):
    page.goto(site_url, wait_until="load")
    meta = page.locator(".md-search-result__meta")
    assert meta.get_attribute("aria-live") == "polite" and meta.get_attribute("role") == "status"
    assert search(page, search_word) > 0
    page.wait_for_function("/[0-9]/.test(document.querySelector('.md-search-result__meta').textContent)")
    # the arrow key moves to a result: it is framed, not only tinted
    page.locator(SEARCH_INPUT).press("ArrowDown")
    focused = page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
                   return [e.className, s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
    )
    assert "md-search-result__link" in focused[0].split(), focused
    assert focused[1] != "none" and focused[2] >= 2, focused
    assert page.locator(f"{SEARCH_RESULT} a:focus").count() == 1


TEXT_SIZE = "button.site-text-size"
# When <body> first exists (before anything is painted), record whether
# the large-text class is already on <html>.
RECORD_AT_BODY = """
new MutationObserver(function (_, observer) {
  if (document.body && !('atBody' in window)) {
    window.atBody = document.documentElement.classList.contains('site-large-text');
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def body_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-content .md-typeset')).fontSize)")


def test_large_text_switch_is_kept_across_pages(browser, site_url, dataset):
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(RECORD_AT_BODY)
    page = context.new_page()
    try:
        first, second = reader_pages(dataset)["home"], reader_pages(dataset)["plan"]
        page.goto(site_url + first, wait_until="load")
        button = page.locator(TEXT_SIZE)
        assert button.inner_text() == "大字" and button.get_attribute("aria-pressed") == "false"
        normal = body_font_px(page)
        button.click()
        assert button.get_attribute("aria-pressed") == "true"
        assert body_font_px(page) >= 1.25 * normal
        # another page: large from its first paint on
        page.goto(site_url + second, wait_until="load")
        assert page.evaluate("window.atBody") is True
        assert body_font_px(page) >= 1.25 * normal
        assert page.locator(TEXT_SIZE).get_attribute("aria-pressed") == "true"
        # switched back: normal again, on the next page too
        page.locator(TEXT_SIZE).click()
        page.goto(site_url + first, wait_until="load")
        assert page.evaluate("window.atBody") is False and body_font_px(page) == normal
    finally:
        context.close()


# Elements of the page body that reach past the window's right edge, other
# than inside a container that scrolls on its own (a wide table).
OVERFLOW = """() => {
  const d = document.documentElement, out = [];
  const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true; } return false; };
  for (const e of document.querySelectorAll('.md-main *, .md-header *')) {
    const r = e.getBoundingClientRect();
    if (r.width && r.right > d.clientWidth + 1 && getComputedStyle(e).visibility !== 'hidden' && !scrolls(e))
      out.push(e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '') + ' reaches ' + Math.round(r.right) + 'px');
  }
  if (d.scrollWidth > d.clientWidth) out.push('the page scrolls sideways: ' + d.scrollWidth + ' > ' + d.clientWidth);
  return out.slice(0, 5);
}"""


@pytest.mark.parametrize("text", ["normal", "large-text"])
def test_200_percent_zoom_needs_no_sideways_scrolling(looked_at, text):
    """A 1280 px screen at 200 % zoom is a 640 CSS px window."""
    assert not looked_at[text], "\n".join(looked_at[text])
