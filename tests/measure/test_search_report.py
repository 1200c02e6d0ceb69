"""`make search-report SITE=…`, as the README says: for each test query the
rank of the expected result and its time in Chromium, then the filters and
the queries nothing holds as typed; it exits 0 when every expectation holds.
The figures are the report's to give, not this test's: it checks they are
there. And `python -m scripts.measure.search_report scale`, which makes the
replicated site the README's figures at 30,033 tasks were measured on."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT, SEARCH_SCALE

pytestmark = [pytest.mark.slow, pytest.mark.long(20)]  # runs a command that drives Chromium


def test_make_search_report_on_a_built_site(built_site):
    result = subprocess.run(["make", "search-report", f"SITE={built_site}"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    done = re.search(r"^(\d+) queries, 0 expectation\(s\) missed$", out, re.M)
    assert done and int(done[1]) >= 40, out[-2000:]  # tests/search/test_search_queries.py: forty at least
    assert re.search(rf"^Chromium, key to drawn list: median [\d.]+ ms, max [\d.]+ ms over {done[1]} queries$",
                     out, re.M), out[-2000:]
    assert "filters, for " in out and "nothing as typed" in out and " ms in Chromium" in out


def test_scale_copies_a_built_site_with_its_search_data_replicated(built_site, tmp_path):
    """`python -m scripts.measure.search_report scale SITE OUT` (the README's way to the figures at a
    province's size), here at the tests' SEARCH_SCALE rather than its default 30,000."""
    out = tmp_path / "scaled"
    result = subprocess.run([sys.executable, "-m", "scripts.measure.search_report", "scale", str(built_site), str(out),
                             "--tasks", str(SEARCH_SCALE)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    m = re.search(r"^scale: (\d+) tasks, (\d+) documents; index built in [\d.]+ s; (\d+) files", result.stdout, re.M)
    assert m and int(m[1]) >= SEARCH_SCALE and int(m[3]) > 1, result.stdout
    largest = r"^scale: largest download before a first result: [\d.]+ KiB gz$"
    assert re.search(largest, result.stdout, re.M), result.stdout
    assert (out / "index.html").is_file() and (out / "search" / "search_index.json").is_file()
