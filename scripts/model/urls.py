"""Every address of the site, derived from ids only (never from positions or
titles), and the relative link from one page to another.

A plan is `plans/<plan-id>/`, a task `plans/<plan-id>/#<task-id>`, a department
`departments/<department-id>/` … (see README, Addresses). Addresses are
relative to the site root; `relative_url()` turns one into the link a page
writes, so the site works under any sub-path. The published-address registry
(scripts/pipeline/addresses.py) and the pages both use these, and nothing
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


def category_url(cat_id: str) -> str:
    return f"departments/categories/{cat_id}/"


def topic_url(topic_id: str) -> str:
    return f"topics/{topic_id}/"


PLANS_URL = "plans/"
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
SECTIONS = {PLANS_URL, DEPARTMENTS_URL, CATEGORIES_URL, TOPICS_URL, TIMELINE_URL, COMPARE_URL, "progress/"}


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
