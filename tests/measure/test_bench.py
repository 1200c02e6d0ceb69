"""`make bench` at its smallest size (about 300 tasks: two copies of the
real corpus) runs the real pipeline on a synthetic corpus that passes every
check, and prints its one line of figures; then times `make serve` showing
a YAML edit (the figure is the bench's to report, not this test's)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # the benchmark and make serve

LINE = re.compile(
    r"^bench: plans=(?P<plans>\d+) tasks=(?P<tasks>\d+) build_s=(?P<build_s>[\d.]+) "
    r"peak_mb=(?P<peak_mb>\d+) site_mb=(?P<site_mb>[\d.]+) search_gz_mb=(?P<search_gz_mb>[\d.]+)"
)


def test_bench_smallest_size():
    result = subprocess.run([sys.executable, "-m", "scripts.bench", "--sizes", "300"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [m for m in map(LINE.match, result.stdout.splitlines()) if m]
    assert len(lines) == 1, result.stdout
    m = lines[0]
    assert 200 <= int(m["tasks"]) <= 400 and int(m["plans"]) >= 5
    assert float(m["build_s"]) > 0 and int(m["peak_mb"]) > 0 and float(m["site_mb"]) > 0
    assert float(m["search_gz_mb"]) > 0
    assert "build: 2/2 mkdocs build --strict" in result.stderr, "no progress shown"
    serve = re.search(r"^bench: serve_edit_s=([\d.]+) ", result.stdout, re.M)
    assert serve and 0 < float(serve[1]) < 60, result.stdout
