"""How fast the search of a built site answers in headless Chromium: `make
bench`'s search line. From the key (or the filter chosen) to the first
results drawn, the best of three runs of each (the first one cold: it reads
the search data): the default queries, each filter chosen (the value keeping
the most results short of all), queries typed with a filter on, and queries
no document holds as typed (synonyms, nearest matches)."""

from __future__ import annotations

import statistics

from .browser import browser_facets, browser_filter, browser_query, open_search
from .engine import DEFAULT_QUERIES
from .search_report import NARROW_QUERY, NO_EXACT_QUERIES

QUERIES = DEFAULT_QUERIES + ["瓶退管进", "每季度"]
FILTERED = ["安全", "每季度"]  # typed with a filter on
RUNS = 3


def search_times(browser, base: str) -> dict[str, float]:
    """What was timed -> milliseconds (best of RUNS), on the site served at `base`."""
    times: dict[str, float] = {}
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        open_search(page, base)

        def best(run) -> float:
            return min(run()["ms"] for _ in range(RUNS))

        for text in QUERIES:
            times[text] = best(lambda: browser_query(page, text))
        browser_query(page, NARROW_QUERY)
        facets = browser_facets(page)
        for kind, facet in facets.items():
            value = max(facet["values"], key=lambda v: (v[3] < facet["all"], v[3]))[0]
            times[f"filter {kind}"] = best(lambda: browser_filter(page, kind, value))
            browser_filter(page, None)
        if "j" in facets:
            browser_filter(page, "j", facets["j"]["values"][-1][0])
            for text in FILTERED:
                times[f"{text} (filtered)"] = best(lambda: browser_query(page, text))
            browser_filter(page, None)
        for text in NO_EXACT_QUERIES:
            times[text] = best(lambda: browser_query(page, text))
    finally:
        page.close()
    return times


def summary(times: dict[str, float] | None) -> str:
    """`search_ms_max=… search_ms_median=… (slowest: …; N timed)`, or n/a."""
    if not times:
        return "search_ms_max=n/a search_ms_median=n/a (no Chromium)"
    slowest = max(times, key=times.get)
    return (f"search_ms_max={times[slowest]:.0f} search_ms_median={statistics.median(times.values()):.0f} "
            f"(Chromium, key or filter to first results drawn, best of {RUNS}; slowest: {slowest}; "
            f"{len(times)} timed)")
