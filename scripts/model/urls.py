"""Every address of the site, derived from ids only (never from positions or
titles), and the relative link from one page to another.

A plan is `plans/<plan-id>/`, a task `plans/<plan-id>/#<task-id>`, a department
`departments/<department-id>/` … (see README, Addresses). Addresses are
relative to the site root; `relative_url()` turns one into the link a page
writes, so the site works under any sub-path. The published-address registry
(scripts/pipeline/addresses/) and the pages both use these, and nothing
else makes an address.
"""

from __future__ import annotations

import functools
import posixpath

DOWNLOAD_FORMATS = ("csv", "xlsx", "ics")


def plan_url(plan_id: str) -> str:
    return f"plans/{plan_id}/"


def department_url(dep_id: str) -> str:
    return f"departments/{dep_id}/"


def jurisdiction_url(jid: str) -> str:
    return f"jurisdictions/{jid}/"


def category_url(cat_id: str) -> str:
    return f"departments/categories/{cat_id}/"


def topic_url(topic_id: str) -> str:
    return f"topics/{topic_id}/"


# One area's share of a page split by jurisdiction (scripts/pipeline/enrich/areas.py).
def topic_area_url(topic_id: str, area: str) -> str:
    return f"topics/{topic_id}/{area}/"


def category_area_url(cat_id: str, area: str) -> str:
    return f"departments/categories/{cat_id}/{area}/"


def compare_area_url(area: str) -> str:
    return f"compare/{area}/"


def timeline_quarter_url(year: int, quarter: int) -> str:
    """The deadlines of one quarter, by area."""
    return f"{TIMELINE_URL}{year}q{quarter}/"


def timeline_area_url(year: int, quarter: int, area: str) -> str:
    """The deadlines of one quarter in one area."""
    return f"{timeline_quarter_url(year, quarter)}{area}/"


def ongoing_area_url(area: str) -> str:
    """The undated duties (ongoing, event-tied) of one area."""
    return f"{TIMELINE_URL}ongoing/{area}/"


def recurring_area_url(area: str) -> str:
    """The recurring duties of one area."""
    return f"{RECURRING_URL}{area}/"


def compare_line_url(area: str, line_id: str) -> str:
    """One line of action in one area: each plan's actions and tasks on it."""
    return f"compare/{area}/{line_id}/"


PLANS_URL = "plans/"
JURISDICTIONS_URL = "jurisdictions/"
DEPARTMENTS_URL = "departments/"
CATEGORIES_URL = "departments/categories/"
TOPICS_URL = "topics/"
TIMELINE_URL = "timeline/"
RECURRING_URL = "timeline/recurring/"
COMPARE_URL = "compare/"
DATA_URL = "data/"


def compare_url(line_id: str) -> str:
    return f"{COMPARE_URL}#{line_id}"


def download_url(kind: str, ident: str, fmt: str) -> str:
    """downloads/plans/<id>.csv, downloads/departments/<id>.ics …"""
    return f"downloads/{kind}/{ident}.{fmt}"


def quarter_anchor(year: int, quarter: int) -> str:
    return f"y{year}q{quarter}"


# Section pages: the index.md of a folder that holds other pages (mkdocs.yml nav).
SECTIONS = {PLANS_URL, JURISDICTIONS_URL, DEPARTMENTS_URL, CATEGORIES_URL, TOPICS_URL, TIMELINE_URL, COMPARE_URL,
            "progress/"}


def page_of(url: str) -> str:
    """The Markdown file that produces a directory URL: plans/x/ -> plans/x.md;
    a section's own page (a URL other pages sit under, such as plans/ or
    departments/categories/) is its folder's index.md."""
    path = url.split("#", 1)[0]
    if path in ("", "/"):
        return "index.md"
    if path in SECTIONS:
        return path + "index.md"
    path = path.rstrip("/")
    return path + ".md"


def relative_url(here: str, url: str) -> str:
    """The link from the page at directory URL `here` to `url`; both are
    relative to the site root, so the result works under any sub-path."""
    path, _, frag = url.partition("#")
    here_dir = here if here.endswith("/") or here == "" else posixpath.dirname(here) + "/"
    if path == here_dir:
        rel = "" if frag else "./"
    else:
        rel = _relative_path(path, here_dir)
    return rel + ("#" + frag if frag else "")


@functools.lru_cache(maxsize=1 << 16)
def _relative_path(path: str, here_dir: str) -> str:
    """Cached: a page links to the same few pages many times (each task of
    a plan), and posixpath.relpath was a third of rendering a province."""
    rel = posixpath.relpath("/" + path, "/" + here_dir)
    if (path.endswith("/") or path == "") and not rel.endswith("/"):
        rel += "/"
    return rel


# Progress (挂图作战): a board per jurisdiction, a quarterly bulletin per
# jurisdiction and quarter, the Atom feeds of what changed.
PROGRESS_URL = "progress/"
FEED_URL = "feed.xml"


def board_url(jid: str) -> str:
    return f"{PROGRESS_URL}{jid}/"


def bulletin_url(jid: str, year: int, quarter: int) -> str:
    return f"{PROGRESS_URL}{jid}/{year}-q{quarter}/"


def department_feed_url(dep_id: str) -> str:
    return f"departments/{dep_id}/feed.xml"
