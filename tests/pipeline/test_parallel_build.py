"""The build's use of several cores (scripts/pipeline/build/): pages rendered by
forked processes, mkdocs run as several processes that each build a share of
the pages, downloads and search data made beside mkdocs. None of it may show
in the result: links are checked across the shares as in one process (that
the site is the same, byte for byte, whatever the number of processes:
tests/pipeline/test_reproducible.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, build_with_extra_page

pytestmark = pytest.mark.slow  # two whole builds


def _build_with_page(monkeypatch, site: Path, page: str) -> int:
    """The real build of data/, with one more generated page, in 2 shares."""
    return build_with_extra_page(monkeypatch, site, page, BUILD_JOBS="2")


def _task_links(anchor_suffix: str = "") -> str:
    """A Markdown link to the first task of every plan page: with two
    shares dealt by size, some plan pages are built by the other share."""
    import yaml

    lines = ["# Extra", ""]
    for path in sorted((ROOT / "data" / "plans").glob("[!_]*.yaml")):
        plan = yaml.safe_load(path.read_text(encoding="utf-8"))
        task = plan["actions"][0]["tasks"][0]["id"]
        lines.append(f"- [{task}](plans/{plan['id']}.md#{task}{anchor_suffix})")
    return "\n".join(lines) + "\n"


def test_anchor_links_into_other_shares_are_checked(tmp_path, monkeypatch, capfd):
    assert _build_with_page(monkeypatch, tmp_path / "good", _task_links()) == 0
    assert (tmp_path / "good" / "extra" / "index.html").is_file()
    capfd.readouterr()
    assert _build_with_page(monkeypatch, tmp_path / "bad", _task_links("-no-such-anchor")) == 1
    err = capfd.readouterr().err
    assert "-no-such-anchor" in err, err[-2000:]
    assert not (tmp_path / "bad").exists(), "a failed build published something"
