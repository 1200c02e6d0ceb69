"""The parallel workers are given modules as tests/scheduling.py says: a
worker still busy with a long module is not handed the next long one to
queue behind it. Checked on a suite made for it, run with two workers as
`make test` runs its own: the longest module's test waits until the
third-longest has started, which can only happen on the other worker (a
worker runs one test at a time); handed out as xdist's own loadscope does,
the third-longest would queue behind it and the wait would time out."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.long(7)]  # a run of pytest with two workers of its own

CONFTEST = f"""
import sys
sys.path.insert(0, {str(ROOT / "tests")!r})
import scheduling

def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(scheduling.Plugin(), "long-last")

def pytest_collection_modifyitems(config, items):
    scheduling.order(config, items)
"""

LONGEST = """
import time
from pathlib import Path

import pytest

@pytest.mark.long(30)
def test_longest():
    started = Path({flag!r})
    deadline = time.monotonic() + 15
    while not started.exists():
        assert time.monotonic() < deadline, "the third-longest module never started on another worker"
        time.sleep(0.05)
"""

THIRD = """
from pathlib import Path

import pytest

@pytest.mark.long(10)
def test_third():
    Path({flag!r}).touch()
"""


def test_a_busy_worker_is_not_given_the_next_long_module(tmp_path):
    suite, flag = tmp_path / "suite", tmp_path / "third-started"
    suite.mkdir()
    (suite / "pytest.ini").write_text("[pytest]\nmarkers =\n    long(seconds): rough seconds\n", encoding="utf-8")
    (suite / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (suite / "test_a_longest.py").write_text(LONGEST.format(flag=str(flag)), encoding="utf-8")
    (suite / "test_b_second.py").write_text("import pytest\n\n@pytest.mark.long(20)\ndef test_second():\n    pass\n",
                                            encoding="utf-8")
    (suite / "test_c_third.py").write_text(THIRD.format(flag=str(flag)), encoding="utf-8")
    for k in range(4):
        (suite / f"test_plain_{k}.py").write_text("def test_one():\n    pass\n\n\ndef test_two():\n    pass\n",
                                                  encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_XDIST", "PYTEST_CURRENT"))}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadscope",
         "--no-loadscope-reorder", "--basetemp", str(tmp_path / "run"), "."],
        cwd=suite, env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "11 passed" in run.stdout, run.stdout[-1000:]
    assert flag.exists()
