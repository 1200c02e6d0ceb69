"""Progress lines of the build (`build: …`, one per stage with its time, and
every PROGRESS_EVERY seconds while a long stage runs) and the number of
processes a stage may use (and what a page weighs when mkdocs' work is
shared)."""

from __future__ import annotations

import os
import sys
import threading
import time

PROGRESS_EVERY = 10.0  # seconds between progress lines while mkdocs runs
PAGE_WEIGHT = 7_000  # a page's fixed cost in mkdocs, in bytes of Markdown of equal cost


def say(msg: str) -> None:
    print(f"build: {msg}", file=sys.stderr, flush=True)


class Ticker:
    """While a long stage runs, a progress line every PROGRESS_EVERY seconds."""

    def __init__(self, stage: str, detail=lambda: ""):
        self.stage, self.detail = stage, detail
        self.started = time.monotonic()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.done.wait(PROGRESS_EVERY):
            extra = self.detail()
            say(f"{self.stage} … {time.monotonic() - self.started:.0f} s{', ' + extra if extra else ''}")

    def __enter__(self) -> "Ticker":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()


def cores() -> int:
    """The processes a build stage may use: BUILD_JOBS when set, else one
    per core this process may run on (at most 4)."""
    if os.environ.get("BUILD_JOBS", "").strip().isdigit():
        return max(1, int(os.environ["BUILD_JOBS"]))
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(n, 4))
