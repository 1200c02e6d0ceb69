"""Search that narrows, in Chromium, on the built site: the filters above the
results (jurisdiction with its sub-jurisdictions, plan, year of deadline,
unit category) narrow the drawn results to exactly what they count, and
clearing them restores the list; they work from the keyboard; a query that
nothing holds as typed shows synonyms' results marked 同义词, nearest matches
marked 部分匹配 and suggestions, never an empty box. Queries and expectations
come from the data."""

from __future__ import annotations

from collections import Counter

import pytest

from scripts.measure.browser import browser_facets, browser_filter
from scripts.measure.engine import Engine
from scripts.measure.scale import load_site
from scripts.search.documents import documents
from scripts.search.text import fold, is_han
from test_search_browser import Session
from test_search_facets import synonym_pairs, unjoined_pair

pytestmark = pytest.mark.long(17)


@pytest.fixture(scope="module")
def docs():
    return documents(load_site())[0]


@pytest.fixture(scope="module")
def word(docs, built_site) -> str:
    """The two characters most task titles share, of those with every result
    listed (at most the manifest's "max") and at least ten."""
    engine = Engine(built_site)
    pairs = Counter()
    for d in docs:
        if d.rec["k"] == "t":
            t = d.rec["t"]
            pairs.update({t[i:i + 2] for i in range(len(t) - 1) if is_han(t[i]) and is_han(t[i + 1])})
    return next(w for w, _ in pairs.most_common() if 10 <= engine.search(w).total <= engine.m["max"])


def kept(docs, kind: str, value: str) -> set[str]:
    """Addresses of the documents a filter keeps."""
    return {d.rec["u"] for d in docs if value in {v for v, _ in d.facets.get(kind, [])}}


@pytest.fixture(scope="module")
def session(browser, site_url):
    s = Session(browser, site_url)
    yield s
    assert not s.outside and not s.errors, (s.outside, s.errors)
    s.close()


def urls(res: dict) -> list[str]:
    return [it["url"] for it in res["items"]]


def option_texts(page, kind: str) -> list[str]:
    return page.eval_on_selector(f".site-search__filters select[data-facet='{kind}']",
                                 "s => [...s.options].map(o => o.textContent.trim())")


@pytest.mark.parametrize("kind", ["j", "p", "y", "c"])
def test_a_filter_narrows_to_what_it_counts_and_clearing_restores(session, docs, word, kind):
    before = session.query(word, all_items=True)
    total, listed = before["worker"]["total"], urls(before)
    assert before["worker"]["exact"] and not before["worker"]["approx"] and len(listed) == total
    facet = browser_facets(session.page)[kind]
    assert facet["all"] == total
    narrowing = [v for v in facet["values"] if 0 < v[3] < total]
    assert narrowing, f"no {kind} value narrows {word}"
    value, label, _, count = max(narrowing, key=lambda v: v[3])
    assert f"{label}（{count}）" in option_texts(session.page, kind) and f"全部（{total}）" in option_texts(session.page, kind)

    after = browser_filter(session.page, kind, value)
    keep = kept(docs, kind, value)
    assert after["worker"]["total"] == count and after["worker"]["filters"] == {kind: value}
    expected = [u for u in listed if u in keep]
    assert len(expected) == count
    assert urls(after) == expected[: len(urls(after))] and len(urls(after)) == min(count, 10)
    assert str(count) in after["meta"]
    assert session.page.is_visible(".site-search__clear")

    cleared = browser_filter(session.page, None)
    assert cleared["worker"]["total"] == total and cleared["worker"]["filters"] == {}
    assert urls(cleared) == listed[: len(urls(cleared))]
    assert not session.page.is_visible(".site-search__clear")


def test_a_jurisdiction_keeps_its_sub_jurisdictions(session, docs, word):
    session.query(word)
    values = browser_facets(session.page)["j"]["values"]
    # a jurisdiction with results that has one below it with results too
    pairs = [(values[i], values[k]) for i in range(len(values)) for k in range(i + 1, len(values))
             if values[k][2] == values[i][2] + 1 and all(v[2] > values[i][2] for v in values[i + 1:k + 1])]
    assert pairs, "no jurisdiction with a sub-jurisdiction among the results"
    parent, child = max(pairs, key=lambda p: p[1][3])
    above = urls(browser_filter(session.page, "j", parent[0]))
    total_above = session.page.evaluate("window.__siteSearchLast.total")
    below = urls(browser_filter(session.page, "j", child[0]))
    total_below = session.page.evaluate("window.__siteSearchLast.total")
    assert total_above == parent[3] >= total_below == child[3] > 0
    # what the sub-jurisdiction keeps, the jurisdiction keeps too
    assert kept(docs, "j", child[0]) <= kept(docs, "j", parent[0])
    assert set(below) <= kept(docs, "j", child[0]) and set(above) <= kept(docs, "j", parent[0])
    browser_filter(session.page, None)


def test_filters_from_the_keyboard(browser, site_url, word):
    s = Session(browser, site_url)
    page = s.page
    active = "document.activeElement && (document.activeElement.dataset.facet || document.activeElement.className.split(' ')[0])"
    try:
        s.query(word)
        browser_facets(page)
        page.locator("input.md-search__input").focus()
        page.keyboard.press("Tab")  # from the box to the first filter; the search stays open
        assert page.evaluate(active) == "j"
        assert page.evaluate("document.getElementById('__search').checked") is True
        page.keyboard.press("ArrowDown")  # the first jurisdiction
        chosen = page.eval_on_selector(".site-search__filters select[data-facet='j']", "s => s.value")
        assert chosen
        page.wait_for_function("([v]) => window.__siteSearchFacets && window.__siteSearchFacets.filters.j === v", arg=[chosen])
        assert page.evaluate("window.__siteSearchLast.filters") == {"j": chosen}
        for expected in ["p", "y", "c", "site-search__clear"]:
            page.keyboard.press("Tab")
            assert page.evaluate(active) == expected
        page.keyboard.press("Tab")  # past the last: the first result; the arrows go on from there
        assert page.evaluate("document.activeElement.classList.contains('md-search-result__link')")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.classList.contains('md-search-result__link')")
        page.keyboard.press("Shift+Tab")  # Material: Tab on a result closes the search, as before
        page.locator("input.md-search__input").focus()
        page.keyboard.press("Tab")
        for _ in range(4):
            page.keyboard.press("Tab")
        assert page.evaluate(active) == "site-search__clear"
        page.keyboard.press("Enter")  # 清除筛选
        page.wait_for_function("window.__siteSearchFacets && Object.keys(window.__siteSearchFacets.filters).length === 0")
        assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
        page.keyboard.press("Tab")
        page.keyboard.press("Shift+Tab")  # back to the box
        assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
        page.keyboard.press("Escape")  # closes the search, as the theme does
        assert page.evaluate("document.getElementById('__search').checked") is False
        assert not s.outside and not s.errors, (s.outside, s.errors)
    finally:
        s.close()


def synonym_pair(session, docs) -> tuple[str, str]:
    """A name of data/synonyms.yaml no document holds and one some hold
    (煤气 and 燃气 when the data allows)."""
    synonyms = session.page.evaluate("fetch('search/search_index.json').then(r => r.json()).then(i => i.config.cjk.synonyms)")
    pairs = synonym_pairs(docs, synonyms)
    assert pairs
    return ("煤气", "燃气") if ("煤气", "燃气") in pairs else pairs[0]


def test_no_exact_result_offers_synonyms_marked_and_suggested(session, docs):
    absent, present = synonym_pair(session, docs)
    res = session.query(absent, all_items=True)
    w = res["worker"]
    assert not w["exact"] and w["total"] > 0 and res["items"]
    assert f"没有完全符合“{absent}”的结果" in res["meta"]
    assert w["marks"][0] == "synonym"
    for item, mark in zip(res["items"], w["marks"]):
        assert ("同义词" if mark == "synonym" else "部分匹配") in item["text"], item["url"]
        if mark == "synonym":
            assert fold(present) in fold(item["text"]), item["url"]
    buttons = session.page.locator(".site-search__suggest button.site-search__try")
    assert present in buttons.all_inner_texts()
    # the suggestion searches for it: results that hold it as typed, unmarked
    session.page.wait_for_function("window.__siteSearchLast && window.__siteSearchLast.query !== undefined")
    buttons.filter(has_text=present).first.click()
    session.page.wait_for_function("([q]) => window.__siteSearchLast.query === q && window.__siteSearchLast.done", arg=[present])
    last = session.page.evaluate("window.__siteSearchLast")
    assert last["exact"] and set(last["marks"]) == {"exact"}
    assert session.page.input_value("input.md-search__input") == present


def test_nothing_as_typed_gives_the_nearest_matches_marked(session, docs):
    """Two characters the plans hold, never side by side (nor a synonym):
    documents with either are listed, each marked 部分匹配."""
    query = unjoined_pair(docs)
    res = session.query(query)
    w = res["worker"]
    assert not w["exact"] and w["partial"] == w["total"] > 0 and set(w["marks"]) == {"partial"}
    assert f"部分匹配 {w['partial']} 个" in res["meta"]
    for item in res["items"]:
        assert "部分匹配" in item["text"] and (query[0] in item["text"] or query[1] in item["text"]), item["url"]


def test_each_page_narrows_only_its_own_results(browser, site_url, word):
    """Two tabs of the site: a filter chosen in one leaves the other alone."""
    a, b = Session(browser, site_url), Session(browser, site_url)
    try:
        a.query(word)
        b.query(word)
        before = b.page.evaluate("window.__siteSearchLast")
        value = browser_facets(a.page)["p"]["values"][0][0]
        browser_filter(a.page, "p", value)
        b.page.wait_for_timeout(300)
        assert b.page.evaluate("window.__siteSearchLast") == before
        assert not a.errors and not b.errors
    finally:
        a.close()
        b.close()
