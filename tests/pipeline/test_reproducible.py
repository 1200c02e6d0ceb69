"""Builds are reproducible: two builds of the same commit (same data, same
NOW) give byte-identical files, whatever the hash seed, the time zone, the
output folder, the wall clock or the number of processes (BUILD_JOBS); the dates mkdocs writes come from
SOURCE_DATE_EPOCH, which the build takes from the last commit."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import NOW, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.long(8)]  # a whole build of its own


def build(data: Path, site: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scripts", "--data", str(data), "build", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True,
        env={**{k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"},
             "NOW": NOW, "NO_MKDOCS_2_WARNING": "1", **env},
    )


def hashes(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def commit_epoch() -> int:
    out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True).stdout
    return int(out.strip())


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory, built_site, data_dir):
    """The run's build of the real data (built_site: one mkdocs process,
    the hash seed and time zone the run has) and a second build of the same
    data: another hash seed, time zone (another offset from UTC), folder
    and number of mkdocs processes, at least a second later."""
    tmp = tmp_path_factory.mktemp("reproducible")
    zone = "UTC" if time.localtime().tm_gmtoff else "Asia/Shanghai"
    time.sleep(max(0.0, built_site.stat().st_mtime + 1.1 - time.time()))  # a gzip header or a page with the wall clock in it would differ
    second = build(data_dir, tmp / "two" / "public", PYTHONHASHSEED="4242", TZ=zone, BUILD_JOBS="3")
    assert second.returncode == 0, second.stderr
    assert "3 processes" in second.stderr, "the build did not share the pages"
    return built_site, tmp / "two" / "public"


def test_two_builds_are_byte_identical(two_builds):
    a, b = (hashes(s) for s in two_builds)
    assert sorted(a) == sorted(b), f"different files: {sorted(set(a) ^ set(b))[:20]}"
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, f"{len(differ)} of {len(a)} files differ: {differ[:20]}"
    assert len(a) > 50


def gzip_time(path: Path) -> int:
    return struct.unpack("<I", path.read_bytes()[4:8])[0]


def day_start(epoch: int) -> int:
    """mkdocs stamps sitemap.xml.gz with the start (UTC) of the build date."""
    return epoch - epoch % 86400


def test_dates_come_from_the_last_commit(two_builds):
    """Without SOURCE_DATE_EPOCH, the build takes the last commit's date
    (the gzip header of sitemap.xml.gz shows it)."""
    site = two_builds[1]  # built here, without SOURCE_DATE_EPOCH
    assert gzip_time(site / "sitemap.xml.gz") == day_start(commit_epoch()), "gzip header time is not the commit's date"
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()) == (site / "sitemap.xml").read_bytes()


def test_source_date_epoch_wins_when_set(tmp_path):
    """An explicit SOURCE_DATE_EPOCH (a packager's) is honoured as it is:
    sitemap dates (listed when SITE_URL is set) and the gzip header."""
    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "data", data)
    result = build(data, tmp_path / "site", SOURCE_DATE_EPOCH="1700000000", SITE_URL="http://intranet.example/plans/")
    assert result.returncode == 0, result.stderr
    sitemap = (tmp_path / "site" / "sitemap.xml").read_text(encoding="utf-8")
    lastmods = set(re.findall(r"<lastmod>([^<]+)</lastmod>", sitemap))
    assert lastmods == {dt.datetime.fromtimestamp(1700000000, dt.timezone.utc).date().isoformat()}, sitemap[:300]
    assert gzip_time(tmp_path / "site" / "sitemap.xml.gz") == day_start(1700000000)
