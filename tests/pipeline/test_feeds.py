"""The site-wide feed: the newest SITE_ENTRIES of every plan's changes and
every progress report (scripts/pipeline/render/feeds.py), on the data with
progress reports."""

from __future__ import annotations

from scripts.pipeline.render import feeds


def test_the_site_feed_holds_the_newest_entries(progress_data):
    from scripts.measure.scale import load_site

    site = load_site(progress_data)
    every = [feeds.report_entry(r) for r in site.reports] + [e for p in site.plans for e in feeds.plan_entries(p)]
    assert len(every) > feeds.SITE_ENTRIES  # else any choice would do
    newest = sorted(every, key=lambda e: (e.date, e.key), reverse=True)[: feeds.SITE_ENTRIES]
    kept = []
    feeds.site_feed(site, lambda title, here, entries, now, page: kept.extend(entries) or b"")
    assert kept == newest
