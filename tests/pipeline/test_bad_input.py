"""Bad input, through the command line, all at once: a corpus of broken plan
files (syntax errors, tabs, empty and binary files, wrong types, unknown
keys, duplicate ids, unknown departments, impossible dates, dates outside
the plan's period, text not in the source, markup) beside the valid fixture
plan. Each broken file gets its own `file:line:col: message`; the run exits 1
and never shows a traceback; the valid plan gets no message. And a failed
build — bad data, mkdocs failing, a reference to an outside host — never
touches what was published: the site stays byte for byte as it was.

The broken files are the cases of test_load.py (raw files) and
test_validator.py (one edit of the valid fixture each), reused here: those
tests check each rule in-process, this one the command line with every
broken file in one folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW, ROOT, build_with_extra_page
from test_load import BROKEN
from test_validator import CASES

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "data"
PLAN = "plans/demo-2024-2026.yaml"
GOOD = (FIXTURE / PLAN).read_text(encoding="utf-8")
# ids of the fixture plan (renamed in every copy, so that copies do not clash)
PLAN_IDS = sorted(set(re.findall(r"^\s*(?:- )?id: (demo-[a-z0-9-]+)", GOOD, re.M)) - {"demo-anweiban", "demo-paichusuo"},
                  key=len, reverse=True)
LINE = re.compile(r"^(?P<file>[^:\n]+\.yaml):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")

# What the issue lists, and the case that covers it (all must be present).
REQUIRED = {
    "syntax error": "syntax-error", "tab": "tab-indent", "empty file": "empty", "binary file": "binary",
    "wrong type": "wrong-type", "unknown key": "unknown-key", "duplicate id in a file": "duplicate-id-in-plan",
    "unknown department": "unknown-department", "impossible date": "impossible-date",
    "date outside the period": "outside-period", "text not in the source": "text-not-verbatim",
    "markup": "markup-in-text",
}


def renamed(text: str, stem: str) -> str:
    """The plan with its own ids: demo-2024-2026 -> <stem>, others prefixed."""
    def sub(m):
        ident = m.group(0)
        return stem if ident == "demo-2024-2026" else f"{stem}-{ident}"
    return re.sub(r"(?<![a-z0-9-])(?:" + "|".join(map(re.escape, PLAN_IDS)) + r")(?![a-z0-9-])", sub, text)


def broken_corpus(target: Path) -> dict[str, tuple[str, int | None]]:
    """Write the fixture plus every broken plan into `target`; returns
    {relative file: (expected message part, expected line or None)}."""
    shutil.copytree(FIXTURE, target)
    expected: dict[str, tuple[str, int | None]] = {}
    for case, content, message, line in BROKEN:
        rel = f"plans/load-{case}.yaml"
        (target / rel).write_bytes(content.replace(b"demo-", f"load-{case}-".encode()) if content.startswith(b"#") else content)
        expected[rel] = (message, line)
    for case, rel_file, old, new, message, line_text in CASES:
        if rel_file != PLAN:
            continue  # registry cases: one registry per jurisdiction, covered in test_validator.py
        stem = f"bad-{case}"
        assert old in GOOD, f"{case}: the fixture no longer holds {old!r}"
        text = renamed(GOOD.replace(old, new, 1), stem)
        needle, nth = line_text if isinstance(line_text, tuple) else (line_text, 1)
        needle = renamed(needle, stem)
        hits = [n for n, ln in enumerate(text.splitlines(), 1) if needle in ln]
        assert len(hits) >= nth, f"{case}: {needle!r} not in the broken file"
        rel = f"plans/{stem}.yaml"
        (target / rel).write_text(text, encoding="utf-8")
        expected[rel] = (renamed(message, stem) if case != "id-not-file-name" else message, hits[nth - 1])
    # an id used in another file (named to sort after the valid plan, which keeps the id)
    stem = "x-duplicate-id-across-files"
    text = renamed(GOOD, stem).replace(f"id: {stem}-demo-hazard-screening", "id: demo-hazard-screening")
    (target / f"plans/{stem}.yaml").write_text(text, encoding="utf-8")
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if "id: demo-hazard-screening" in ln)
    expected[f"plans/{stem}.yaml"] = ("the id 'demo-hazard-screening' is already used in", line)
    return expected


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scripts", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "NOW": NOW, "NO_MKDOCS_2_WARNING": "1"})


def test_the_corpus_covers_every_kind_of_mistake():
    cases = {c[0] for c in BROKEN} | {c[0] for c in CASES if c[1] == PLAN}
    missing = {kind for kind, case in REQUIRED.items() if case not in cases}
    assert not missing, f"no broken file for: {sorted(missing)}"


def test_every_broken_file_gets_file_line_messages(tmp_path):
    data = tmp_path / "data"
    expected = broken_corpus(data)
    result = run("--data", str(data), "check")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "Traceback" not in out, out
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    parsed = [LINE.match(ln) for ln in lines]
    assert all(parsed), "not file:line:col: message:\n" + "\n".join(ln for ln, m in zip(lines, parsed) if not m)
    by_file: dict[str, list[re.Match]] = {}
    for m in parsed:
        by_file.setdefault(Path(m["file"]).relative_to(data).as_posix() if m["file"].startswith("/") else m["file"], []).append(m)
    wrong = []
    for rel, (message, line) in sorted(expected.items()):
        mine = by_file.get(rel, [])
        if not any(message in m["message"] and (line is None or int(m["line"]) == line) for m in mine):
            got = "\n    ".join(f"{m['line']}: {m['message']}" for m in mine) or "(nothing)"
            wrong.append(f"{rel}: expected line {line} '{message}'; got\n    {got}")
    assert not wrong, "\n".join(wrong)
    assert PLAN not in by_file, f"the valid plan got messages: {[m.group(0) for m in by_file[PLAN]]}"
    assert re.search(rf"check: {len(lines)} problems found", result.stderr), result.stderr


# --------------------------------------------------------------------------- #
# A failed build never damages what was published
# --------------------------------------------------------------------------- #


def snapshot(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The fixture, built and published once for the tests below: each
    snapshots it first, tries to publish over it and fails, and asserts that
    nothing changed."""
    site = tmp_path_factory.mktemp("www") / "site"
    result = run("--data", str(FIXTURE), "build", "--site-dir", str(site))
    assert result.returncode == 0, result.stderr
    return site


def assert_untouched(site: Path, before: dict[str, str]) -> None:
    assert snapshot(site) == before, "the published site changed"
    leftovers = [p.name for p in site.parent.iterdir() if p.name != site.name]
    assert not leftovers, f"temporary folders left behind: {leftovers}"


@pytest.mark.slow
def test_bad_data_leaves_the_site_byte_for_byte(published, tmp_path):
    before = snapshot(published)
    data = tmp_path / "data"
    broken_corpus(data)
    result = run("--data", str(data), "build", "--site-dir", str(published))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "the published site was not touched" in result.stderr
    assert_untouched(published, before)


def _build_in_process(monkeypatch, site: Path, extra_page: str) -> int:
    """The real build of the fixture, with one more generated page."""
    return build_with_extra_page(monkeypatch, site, extra_page, FIXTURE)


@pytest.mark.slow
def test_mkdocs_failure_leaves_the_site_byte_for_byte(published, monkeypatch):
    """A broken link fails `mkdocs build --strict`: nothing is published."""
    before = snapshot(published)
    assert _build_in_process(monkeypatch, published, "# Extra\n\n[nowhere](no-such-page.md)\n") == 1
    assert_untouched(published, before)


@pytest.mark.slow
def test_outside_reference_fails_the_build(published, monkeypatch, capfd):
    """A page that would load something from an outside host fails the
    build's own check, after mkdocs: nothing is published."""
    before = snapshot(published)
    page = '# Extra\n\n<img src="https://cdn.example.com/logo.png" alt="">\n'
    assert _build_in_process(monkeypatch, published, page) == 1
    assert "extra/index.html: //cdn.example.com" in capfd.readouterr().err
    assert_untouched(published, before)
