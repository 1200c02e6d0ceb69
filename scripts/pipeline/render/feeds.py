"""The Atom feeds of what changed (feedgen): site-wide (feed.xml) and per
department (departments/<id>/feed.xml), so a unit can follow its own duties.
An entry is a plan added or revised (from the git history of its file,
scripts/pipeline/enrich/history.py) or a progress report. Each feed holds
its newest entries only, so no feed grows with the province; pages point at
theirs with <link rel="alternate"> (overrides/main.html).

Reproducible: entry and feed dates come from the data (the commit dates and
report dates; NOW for a feed without entries), ids are tag URIs made from
ids, links are relative to the feed.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

from ...model.urls import FEED_URL, department_feed_url, relative_url
from ..enrich.boards import department_items
from ..enrich.site import Site

SITE_ENTRIES = 50
DEPARTMENT_ENTRIES = 30
TAG = "tag:anquan-zhiben-gongjian,2024:"
TITLE = "安全生产治本攻坚行动计划参考站"


@dataclass(frozen=True)
class Entry:
    date: dt.date
    key: str  # unique, for the id
    title: str
    url: str  # relative to the site root
    summary: str


def _when(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc)


def plan_entries(plan) -> list[Entry]:
    """The plan's file history: its first commit adds it (when the whole
    history is known), the others revise it."""
    out = []
    changes = plan.changes
    for i, c in enumerate(changes):
        added = i == len(changes) - 1 and len(changes) < 20
        what = "新增计划" if added else "计划修订"
        out.append(Entry(dt.date.fromisoformat(c.date), f"plan:{plan.data.id}:{c.commit}",
                         f"{what}：{plan.data.short_title}", plan.url, f"{plan.data.title}：{c.subject}"))
    return out


def _report_key(r) -> tuple:
    """A report's entry's (date, key): what _newest() orders entries by."""
    return r.date, f"report:{r.anchor}"


def report_entry(r) -> Entry:
    occ = f"（期次 {r.data.occurrence}）" if r.data.occurrence else ""
    summary = r.data.text + (f"（佐证：{r.data.evidence}）" if r.data.evidence else "")
    return Entry(*_report_key(r),
                 f"进展报送：{r.unit.display} · {r.plan.data.short_title} {r.target.label}{occ} · {r.status}",
                 f"{r.plan.url}#{r.target.anchor}-progress", summary)


def _newest(entries: list[Entry], n: int) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.date, e.key), reverse=True)[:n]


def atom(title: str, here: str, entries: list[Entry], now: dt.date, page: str) -> bytes:
    """An Atom document at address `here` (relative to the site root) whose
    alternate page is `page`."""
    fg = FeedGenerator()
    fg.id(TAG + here)
    fg.title(title)
    fg.author({"name": TITLE})
    fg.link(href=relative_url(here, here), rel="self")
    fg.link(href=relative_url(here, page), rel="alternate")
    fg.language("zh-CN")
    fg.generator(TITLE)
    fg.updated(_when(max((e.date for e in entries), default=now)))
    for e in entries:
        fe = fg.add_entry(order="append")
        fe.id(TAG + e.key)
        fe.title(e.title)
        fe.link(href=relative_url(here, e.url))
        fe.updated(_when(e.date))
        fe.summary(e.summary)
    return fg.atom_str(pretty=True)


def feed_files(site: Site, write=None) -> Iterator[tuple[str, bytes]]:
    """(path under the site root, Atom document) of every feed. `write`:
    atom() or a stand-in (the build's keeps results between builds)."""
    yield site_feed(site, write)
    for _, _, make in jobs(site, write):
        yield from make()


def site_feed(site: Site, write=None) -> tuple[str, bytes]:
    """The site-wide feed: every plan's changes and every report (the
    newest SITE_ENTRIES of them; entries are made of the newest reports only)."""
    reports = [report_entry(r) for r in heapq.nlargest(SITE_ENTRIES, site.reports, key=_report_key)]
    changes = [e for p in site.plans for e in plan_entries(p)]
    return FEED_URL, (write or atom)(f"{TITLE}：更新", FEED_URL, _newest(reports + changes, SITE_ENTRIES), site.now,
                                     "progress/")


def jobs(site: Site, write=None) -> list[tuple[str, dict, Callable[[], list[tuple[str, bytes]]]]]:
    """The departments' feeds as jobs, as downloads.jobs(): (name, context,
    make), `make()` giving one department's feed: the changes of the plans
    that name it and the reports on its items."""
    atom_of = write or atom

    def department_feed(d) -> list[tuple[str, bytes]]:
        entries = [e for p in d.named_in for e in plan_entries(p)]
        entries += [report_entry(r) for x, _ in department_items(d) for r in x.progress.reports]
        url = department_feed_url(d.data.id)
        return [(url, atom_of(f"{d.label}：任务与进展更新", url, _newest(entries, DEPARTMENT_ENTRIES), site.now, d.url))]

    return [(f"feed:department:{d.data.id}", {"dep": d}, functools.partial(department_feed, d))
            for d in site.departments.values()]
