"""The largest page of a built site and how long headless Chromium (Debian's,
through Playwright) takes to load it from a loopback server: `make bench`'s
largest_kb and load_s."""

from __future__ import annotations

import os
import time
from pathlib import Path


LOAD_TIMEOUT_MS = 600_000


def largest_page(site: Path) -> tuple[str, int]:
    """(path under the site, bytes) of its largest HTML file."""
    best = ("", -1)
    for dirpath, _, files in os.walk(site):
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(dirpath, name)
                size = os.path.getsize(path)
                if size > best[1]:
                    best = (Path(path).relative_to(site).as_posix(), size)
    return best


def load_seconds(browser, base: str, page_path: str) -> float:
    """Seconds from navigating to the page (`page_path` under the site served
    at `base`) until its load event has run, in a fresh browser context
    (nothing cached): the Navigation Timing of the page, else the wall time."""
    address = page_path[: -len("index.html")] if page_path.endswith("index.html") else page_path
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        started = time.monotonic()
        page.goto(base + address, wait_until="load", timeout=LOAD_TIMEOUT_MS)
        wall = time.monotonic() - started
        ms = page.evaluate("() => { const n = performance.getEntriesByType('navigation')[0];"
                           " return n ? n.loadEventEnd - n.startTime : 0; }")
    finally:
        context.close()
    return ms / 1000 if ms and ms > 0 else wall
