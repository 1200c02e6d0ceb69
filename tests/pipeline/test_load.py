"""Broken files give file:line messages, exit 1 and no traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.pipeline.validate import check

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "data"
GOOD = (FIXTURE / "plans" / "demo-2024-2026.yaml").read_bytes()

BROKEN = [
    # (case, file content, expected message part, expected line)
    ("empty", b"", "the file is empty", 1),
    ("only-comments", b"# nothing here\n", "the file is empty", 1),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file", 3),
    ("not-utf8", "id: 测试\n".encode("gbk"), "not UTF-8", 1),
    ("tab-indent", GOOD.replace(b"\n  - id: demo-goal-2024", b"\n\t- id: demo-goal-2024"), "tab is used for indentation", 12),
    ("syntax-error", GOOD.replace(b"short_title: ", b"short_title: [", 1), "YAML syntax error", None),
    ("duplicate-key", GOOD.replace(b"issuer: ", b"title: x\nissuer: ", 1), "appears twice", 5),
    ("list-at-top", b"- a\n- b\n", "mapping of keys", 1),
    ("unclosed-quote", GOOD.replace(b"issuer: ", b'issuer: "', 1), "YAML syntax error", None),
]


@pytest.mark.parametrize("content, message, line", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_file(tmp_path, content, message, line):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    (data / "plans" / "broken.yaml").write_bytes(content)
    _, problems = check(data)
    mine = [p for p in problems if p.file.endswith("plans/broken.yaml")]
    assert mine, problems
    assert any(message in p.message for p in mine), mine
    if line is not None:
        assert any(p.line == line for p in mine), mine
    # the valid plan beside it is still loaded and checked
    assert not [p for p in problems if p.file.endswith("demo-2024-2026.yaml")]


def test_cli_never_shows_a_traceback(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    for case, content, *_ in BROKEN:
        (data / "plans" / f"{case}.yaml").write_bytes(content)
    result = subprocess.run([sys.executable, "-m", "scripts", "--data", str(data), "check"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = [ln for ln in result.stdout.splitlines() if ln]
    assert len(lines) >= len(BROKEN)
    assert all(":" in ln and ln.split(":")[1].isdigit() for ln in lines), lines
    assert "problems found" in result.stderr
