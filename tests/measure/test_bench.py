"""`make bench` at its smallest size (about 300 tasks: two copies of the
real corpus) runs the real pipeline on a synthetic corpus that passes every
check, and prints its lines of figures: the build and its largest page
loaded in Chromium, the search timed in Chromium, the reference build of
stock MkDocs + Material and the rebuild after one plan's edit (which reuses
most pages); then times `make serve` showing a YAML edit. The figures are the bench's to report, not this
test's: it checks they are there and sane."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.long(50)]  # the benchmark and make serve

LINE = re.compile(
    r"^bench: plans=(?P<plans>\d+) tasks=(?P<tasks>\d+) build_s=(?P<build_s>[\d.]+) "
    r"peak_mb=(?P<peak_mb>\d+) site_mb=(?P<site_mb>[\d.]+) search_gz_mb=(?P<search_gz_mb>[\d.]+)"
    r".* largest_kb=(?P<largest_kb>\d+) load_s=(?P<load_s>[\d.]+) \((?P<page>[^)]+\.html)\)$"
)
RATIOS = re.compile(
    r"^bench: tasks=(?P<tasks>\d+) reference_s=(?P<reference_s>[\d.]+) build_ratio=(?P<build_ratio>[\d.]+) "
    r"rebuild_s=(?P<rebuild_s>[\d.]+) rebuild_ratio=(?P<rebuild_ratio>[\d.]+) "
    r"converted=(?P<converted>\d+)/(?P<pages>\d+) "
    r"cpu_build_ratio=(?P<cpu_build_ratio>[\d.]+) cpu_rebuild_ratio=(?P<cpu_rebuild_ratio>[\d.]+) "
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
    assert int(m["largest_kb"]) > 0 and float(m["load_s"]) > 0
    assert "build: 2/2 mkdocs build --strict" in result.stderr, "no progress shown"
    ratios = [r for r in map(RATIOS.match, result.stdout.splitlines()) if r]
    assert len(ratios) == 1, result.stdout
    r = ratios[0]
    assert r["tasks"] == m["tasks"] and float(r["reference_s"]) > 0
    assert float(r["build_ratio"]) > 0 and float(r["rebuild_s"]) > 0 and float(r["rebuild_ratio"]) > 0
    assert float(r["cpu_build_ratio"]) > 0 and float(r["cpu_rebuild_ratio"]) > 0
    assert 0 < int(r["converted"]) < int(r["pages"]) // 2, "the rebuild did not reuse the unchanged pages"
    search = re.search(r"^bench: tasks=(\d+) search_ms_max=([\d.]+) search_ms_median=([\d.]+) \(.*; (\d+) timed\)$",
                       result.stdout, re.M)
    assert search and search[1] == m["tasks"], result.stdout
    assert 0 < float(search[3]) <= float(search[2]) and int(search[4]) >= 10
    serve = re.search(r"^bench: serve_edit_s=([\d.]+) ", result.stdout, re.M)
    assert serve and 0 < float(serve[1]) < 60, result.stdout
