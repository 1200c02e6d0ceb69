"""Shared fixtures: the real build of the real data into a temporary folder
(once per test run, with NOW fixed, shared by the parallel workers), the
same site with its search data scaled to 1,500 tasks, a static HTTP server
on loopback, and headless Chromium (Debian's) driven by Playwright, one per
worker.

Markers (pytest.ini): `browser`, set here on every test that uses the
`browser` fixture (directly or through `page`); `data`, set here on every
test that reads the real data (through `data_dir`, `built_site` or
`real_site`); `slow`, set here on every test that uses `progress_site` (a
second whole site) and by hand on tests that take seconds: that build whole
sites of their own, run a command (`make import`, `import-progress`, `serve`,
the benchmark) or read the Word and PDF fixtures. `make test` runs everything in
parallel; `make test-fast` leaves out browser and slow tests.

The real data is data/, or the folder TEST_DATA names: tests/test_extra_plan.py
runs the `data` tests once more on a copy of data/ with an extra plan, so
that they hold for any valid data.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import scheduling
from scripts.measure.browser import CHROMIUM, CHROMIUM_ARGS, serve_dir  # noqa: F401 (tests import them from here)

ROOT = Path(__file__).resolve().parent.parent
NOW = "2024-10-15"  # fixed "today" for every date-dependent assertion
SEARCH_SCALE = 1_500  # tasks in the scaled search site (search_site_at_scale)
DATA = Path(os.environ.get("TEST_DATA") or ROOT / "data").resolve()  # the data the `data` tests read
DATA_FIXTURES = {"data_dir", "built_site", "real_site"}
# Builds started by tests use one process per stage unless a test asks for more
# (tests/pipeline/test_parallel_build.py, test_reproducible.py): the parallel
# workers already keep every core busy, and a build's own processes would only
# add their start-up and the pages every mkdocs process reads.
os.environ.setdefault("BUILD_JOBS", "1")


def run_build(site_dir: Path, env_extra: dict | None = None, data_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NOW": NOW, "NO_MKDOCS_2_WARNING": "1", **(env_extra or {})}
    data = ["--data", str(data_dir)] if data_dir else []
    return subprocess.run(
        [sys.executable, "-m", "scripts", *data, "build", "--site-dir", str(site_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )


def build_with_extra_page(monkeypatch, site: Path, extra_page: str, data_dir: Path | None = None, **env: str) -> int:
    """The real build (scripts.pipeline.build.build, in this process) of `data_dir`
    (default data/) into `site`, with one more generated page, extra.md;
    NOW and SOURCE_DATE_EPOCH fixed, `env` set. Returns its exit code."""
    from scripts.pipeline import render
    from scripts.pipeline.build import build

    real = render.render_site

    def render_site(site_view, out, data_dir, **kw):
        n = real(site_view, out=out, data_dir=data_dir, **kw)
        (out / "extra.md").write_text(extra_page, encoding="utf-8")
        return n + 1

    monkeypatch.setattr(render, "render_site", render_site)
    for key, value in {"NOW": NOW, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1700000000"), **env}.items():
        monkeypatch.setenv(key, value)
    return build(site_dir=site, **({"data_dir": data_dir} if data_dir else {}))


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller, or a run without workers
        config.pluginmanager.register(scheduling.Plugin(), "long-last")


def pytest_collection_modifyitems(config, items):
    """Mark `browser` every test that drives Chromium and `data` every test
    that reads the real data, whoever writes it. Then order the modules for
    the parallel workers, heaviest first (tests/scheduling.py): a long
    module taken last would leave the other workers idle at the end of the
    run."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "browser" in names:
            item.add_marker(pytest.mark.browser)
        if "progress_site" in names:  # a second whole site
            item.add_marker(pytest.mark.slow)
        if names & DATA_FIXTURES:
            item.add_marker(pytest.mark.data)
    scheduling.order(config, items)


def shared(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """`make(path)` once per test run, for every parallel worker (pytest-xdist):
    the first worker to ask makes it, under a file lock in the folder the
    workers share; the others wait for it and use the same path. A failure
    is remembered, so that each worker reports it without trying again."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's folder
    target, done, failed = root / name, root / f"{name}.done", root / f"{name}.failed"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            pytest.fail(failed.read_text(encoding="utf-8"), pytrace=False)
        if not done.exists():
            try:
                make(target)
            except BaseException as e:
                failed.write_text(f"making the shared {name} failed: {type(e).__name__}: {e}", encoding="utf-8")
                raise
            done.touch()
    return target


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real data: data/, or the folder TEST_DATA names."""
    return DATA


@pytest.fixture(scope="session")
def real_site(data_dir):
    """The enriched Site of the real data."""
    from scripts.measure.scale import load_site

    return load_site(data_dir)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, data_dir) -> Path:
    """The site built from the real data with NOW fixed (once per run)."""

    def make(site: Path) -> None:
        result = run_build(site, data_dir=data_dir)
        assert result.returncode == 0, result.stderr + result.stdout

    return shared(tmp_path_factory, "built-site", make)


@pytest.fixture(scope="session")
def progress_data(tmp_path_factory) -> Path:
    """A copy of data/ with fixture progress reports (tests/progress_reports.py:
    derived from whatever plans data/ holds). Once per run."""
    import datetime as dt
    import shutil

    from progress_reports import write_reports

    def make(data: Path) -> None:
        shutil.copytree(ROOT / "data", data)
        assert write_reports(data, dt.date.fromisoformat(NOW)) > 0

    return shared(tmp_path_factory, "progress-data", make)


@pytest.fixture(scope="session")
def progress_site(tmp_path_factory, progress_data) -> Path:
    """The site built from progress_data with NOW fixed (once per run)."""

    def make(site: Path) -> None:
        result = run_build(site, data_dir=progress_data)
        assert result.returncode == 0, result.stderr + result.stdout

    return shared(tmp_path_factory, "progress-site", make)


@pytest.fixture(scope="session")
def search_site_at_scale(tmp_path_factory, built_site) -> tuple[Path, dict]:
    """A copy of the built site whose search data holds the real tasks
    replicated into at least SEARCH_SCALE (scripts/measure/scale.py): data
    too large to ship as one file, so read by shards as at a province's
    30,000 tasks (whose timings `make bench` reports); and what
    make_scaled_site reported (documents, tasks, sizes). Once per run."""
    from scripts.measure.scale import make_scaled_site

    def make(folder: Path) -> None:
        info = make_scaled_site(built_site, folder / "site", SEARCH_SCALE, data_dir=DATA)
        (folder / "info.json").write_text(json.dumps(info), encoding="utf-8")

    folder = shared(tmp_path_factory, f"search-{SEARCH_SCALE}", make)
    return folder / "site", json.loads((folder / "info.json").read_text(encoding="utf-8"))


SEARCH_INPUT = "input.md-search__input"
SEARCH_RESULT = ".md-search-result__item"


def search(page, word: str) -> int:
    """Type `word` into the site's search box; the number of results shown."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator(SEARCH_INPUT)
    box.click()
    box.fill(word)
    try:
        page.wait_for_selector(SEARCH_RESULT, timeout=10_000)
    except PlaywrightTimeout:
        return 0
    return page.locator(SEARCH_RESULT).count()


@pytest.fixture(scope="session")
def site_url(built_site):
    """Base URL (ending in /) of the built site on a loopback server."""
    server = serve_dir(built_site)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is required for browser tests: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()
