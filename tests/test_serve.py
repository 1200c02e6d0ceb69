"""`make serve`: the site is served with live reload, and an edit of a plan
file shows on the served page without restarting; a broken edit keeps the
last good pages and names the file and line. (How fast an edit shows is
measured by `make bench`, not here.)"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import NOW, ROOT

pytestmark = pytest.mark.slow  # make serve



def _a_plan_and_note() -> tuple[str, str]:
    """A plan of the data (the first) and an editor's note of one of its
    tasks that occurs once in it: what the tests edit."""
    path = sorted(p for p in (ROOT / "data" / "plans").glob("*.yaml") if not p.name.startswith("_"))[0]
    text = path.read_text(encoding="utf-8")
    tasks = [t for a in yaml.safe_load(text)["actions"] for t in a["tasks"]]
    notes = [t["note"] for t in tasks if t.get("note") and not re.search(r"[\n'\"&<>#{}\[\]]", t["note"])]
    note = next(n for n in notes if text.count(n) == 1 and f"note: {n}\n" in text)
    return f"plans/{path.name}", note


PLAN, NOTE = _a_plan_and_note()
PLAN_PAGE = f"plans/{Path(PLAN).stem}/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8")
    except OSError:
        return None


def wait_for(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


class Served:
    """`make serve` of a copy of the real data, its temporary folder (TMPDIR)
    one of its own."""

    def __init__(self, tmp_path: Path):
        self.data, self.temp = tmp_path / "data", tmp_path / "tmp"
        shutil.copytree(ROOT / "data", self.data)
        self.temp.mkdir()
        port = free_port()
        self.log = open(tmp_path / "serve.log", "w+", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scripts", "--data", str(self.data), "serve", "--addr", f"127.0.0.1:{port}",
             "--docs", str(tmp_path / "docs")],
            cwd=ROOT, env={**os.environ, "NOW": NOW, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(self.temp)},
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{port}/{PLAN_PAGE}"

    def stop(self) -> None:
        """SIGTERM to the whole process group, as a service manager stops it."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)


@pytest.fixture()
def served(tmp_path):
    server = Served(tmp_path)
    try:
        assert wait_for(lambda: fetch(server.url) is not None, 120), "mkdocs serve did not come up"
        yield server
    finally:
        server.stop()
        server.log.close()


def test_an_edit_shows_without_restart_and_a_bad_edit_keeps_the_pages(served, tmp_path):
    """Served with --docs, the pages go there: a `make serve` running from
    build/docs at the same time is not disturbed by any of it."""
    assert (tmp_path / "docs" / "plans" / f"{Path(PLAN).stem}.md").is_file()
    shared = ROOT / "build" / "docs" / "plans" / f"{Path(PLAN).stem}.md"
    before = shared.stat().st_mtime_ns if shared.exists() else None
    data, url, log = served.data, served.url, served.log
    plan = data / PLAN
    text = plan.read_text(encoding="utf-8")
    assert NOTE in text and NOTE in fetch(url)
    # made as the build makes pages (mkdocs_child.speed_up): the search worker's address is versioned by
    # its content, not by the build date
    from scripts.pipeline.build.mkdocs_child import worker_version

    assert f'search-worker.js?v={worker_version(tmp_path / "docs")}"' in fetch(url)

    plan.write_text(text.replace(NOTE, "服务测试：编者注已修改。"), encoding="utf-8")
    assert wait_for(lambda: "服务测试：编者注已修改。" in (fetch(url) or ""), 60), "the edit never showed"

    # a broken edit: the problem is printed with file:line, the page stays
    lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    line_no = next(i for i, ln in enumerate(lines) if "服务测试" in ln)
    lines[line_no] = lines[line_no].replace("note:", "note: [unclosed", 1)
    plan.write_text("".join(lines), encoding="utf-8")

    def reported() -> bool:  # the parser stops on the broken line or the next
        log.flush()
        out = Path(log.name).read_text(encoding="utf-8")
        return any(f"{PLAN}:{n}:" in out for n in (line_no + 1, line_no + 2))

    assert wait_for(reported, 60), Path(log.name).read_text(encoding="utf-8")[-2000:]
    assert "服务测试：编者注已修改。" in (fetch(url) or ""), "the last good page was lost"
    out = Path(log.name).read_text(encoding="utf-8")
    assert "Traceback" not in out
    assert "addresses.txt" not in out, "a file that does not load was reported as removed addresses"
    assert (shared.stat().st_mtime_ns if shared.exists() else None) == before

    # stopped, mkdocs serve removes the site it served from the temporary folder
    assert list(served.temp.iterdir()), "mkdocs serve did not use TMPDIR: the check below proves nothing"
    served.stop()
    assert not list(served.temp.iterdir()), "make serve left its temporary site behind"
