"""`make import` from the files clerks have: .docx, .pdf and .txt.

The format fixtures (tests/fixtures/formats) are two real seeds as Word and PDF
files (a real annex table, page-number footers, sentences across pages); their
curated plans in data/plans/ are the reference. The text extracted from each
must be the seed's text, character for character (whitespace and the seed's own
page-break artefacts aside), with the page footers and repeated table headers
gone and every paragraph whole; and the import of either file must find the
same tasks, texts, units and annex rows as the import of the seed's text.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from scripts.cli import main
from scripts.editor.importer.draft import build_draft
from scripts.editor.importer.extract import ExtractError, read_text
from scripts.model.pages import strip_artefacts
from scripts.pipeline.validate import check

pytestmark = pytest.mark.slow  # reads Word and PDF files, runs make import

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
FORMATS = ROOT / "tests" / "fixtures" / "formats"
FIXTURES = sorted(p for p in FORMATS.iterdir() if p.suffix in (".docx", ".pdf"))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("**", "")


def curated(fixture: Path) -> dict:
    return YAML(typ="safe").load((DATA / "plans" / f"{fixture.stem}.yaml").read_text(encoding="utf-8"))


def seed_text(fixture: Path) -> str:
    return (DATA / "sources" / curated(fixture)["source"]).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def extracted(fixture: Path) -> str:
    """read_text(fixture), once per module run (reading a PDF takes a second)."""
    return read_text(fixture)


def test_there_are_format_fixtures():
    assert {p.suffix for p in FIXTURES} == {".docx", ".pdf"}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_extracted_text_is_the_seed(fixture):
    """Every character of the seed in order, no page number, no repeated header row."""
    text = extracted(fixture)
    assert squash(text) == squash(strip_artefacts(seed_text(fixture)))
    lines = [line for line in text.split("\n") if line.strip()]
    assert not [x for x in lines if re.fullmatch(r"\s*[-—–]\s*\d+\s*[-—–]\s*", x)], "a page footer is left"
    headers = [x for x in lines if x.startswith("序号\t")]
    assert len(headers) == 1, headers


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_paragraphs_are_whole(fixture):
    """Each paragraph is one line: every line of the extracted text is a line of
    the seed, or (where the seed's extraction cut a sentence at a page end) the
    seed's lines joined across that cut."""
    seed = [squash(x) for x in seed_text(fixture).split("\n") if x.strip()]
    joined = "\n".join(seed)
    for line in extracted(fixture).split("\n"):
        if not line.strip() or "\t" in line:
            continue
        s = squash(line)
        assert s in seed or s in joined.replace("\n", "") and any(s.startswith(x) for x in seed), line[:40]


def _tasks(plan: dict) -> list[tuple]:
    return [(t["number"], squash(t["text"]), tuple(t.get("lead", [])), tuple(t.get("support", [])))
            for a in plan["actions"] for t in a["tasks"]]


def _rows(plan: dict) -> list[tuple]:
    return [(r["number"], squash(r.get("task") or r.get("item") or ""), tuple(r.get("lead", [])),
             str(r.get("due", {}).get("date")))
            for a in plan.get("annexes", []) for r in a.get("rows", [])]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_import_reads_the_same_plan_as_the_text(fixture):
    plan_id = f"{fixture.stem}-draft"
    from_text, _ = build_draft(DATA / "sources" / curated(fixture)["source"], DATA, plan_id=plan_id)
    from_file, _ = build_draft(fixture, DATA, plan_id=plan_id, text=extracted(fixture))  # the file as read
    assert _tasks(from_file) == _tasks(from_text)
    assert _rows(from_file) == _rows(from_text)
    assert len(_tasks(from_file)) == sum(len(a["tasks"]) for a in curated(fixture)["actions"])


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_make_import_writes_the_source_and_a_draft_that_validates(tmp_path, kind):
    """`make import SRC=plan.pdf`: the extracted text becomes data/sources/plan.txt,
    and every text of the draft is in it as printed (the verbatim check)."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    src, original = tmp_path / f"mg-new.{kind}", FORMATS / f"maogang-2024-2026.{kind}"
    shutil.copyfile(original, src)
    assert main(["--data", str(data), "import", str(src), "--id", "maogang-new-2024-2026"]) == 0
    source = data / "sources" / "mg-new.txt"
    assert source.is_file() and squash(source.read_text(encoding="utf-8")) == squash(extracted(original))
    plan = YAML(typ="safe").load((data / "plans" / "maogang-new-2024-2026.yaml").read_text(encoding="utf-8"))
    assert plan["source"] == "mg-new.txt" and plan["draft"] is True
    _, problems = check(data)
    assert problems and all(p.todo for p in problems), "\n".join(str(p) for p in problems if not p.todo)


def test_unreadable_files_get_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "plan.pdf"
    bad.write_bytes(b"not a pdf at all")
    assert main(["--data", str(tmp_path / "data"), "import", str(bad), "--id", "x-2024"]) == 2
    err = capsys.readouterr().err
    assert "plan.pdf" in err and "Traceback" not in err
    doc = tmp_path / "plan.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ExtractError, match="docx"):
        read_text(doc)
    other = tmp_path / "plan.xlsx"
    other.write_bytes(b"PK")
    assert main(["--data", str(tmp_path / "data"), "import", str(other), "--id", "x-2024"]) == 2


def test_make_import_as_the_readme_says(tmp_path):
    """The README's command, as typed: `make import SRC=plan.pdf ID=… JURISDICTION=…`,
    in a copy of the repository (its Makefile, scripts and data; the same .venv)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("Makefile", "requirements.txt"):
        shutil.copy2(ROOT / name, repo / name)
    # a copy, not a link: scripts/paths.py finds data/ beside the scripts it runs from
    shutil.copytree(ROOT / "scripts", repo / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    (repo / ".venv").symlink_to(ROOT / ".venv")
    shutil.copytree(DATA, repo / "data")
    src = tmp_path / "new-district.pdf"
    shutil.copyfile(FORMATS / "putuo-2022.pdf", src)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make import SRC=plan.pdf ID=" in readme
    done = subprocess.run(["make", "-s", "import", f"SRC={src}", "ID=xinqu-2022", "JURISDICTION=xinqu"],
                          cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (repo / "data" / "plans" / "xinqu-2022.yaml").is_file()
    assert (repo / "data" / "sources" / "new-district.txt").is_file()
    assert (repo / "data" / "departments" / "xinqu.yaml").is_file()
    assert "draft entries" in done.stdout
    assert not (DATA / "plans" / "xinqu-2022.yaml").exists()  # the repository's own data is untouched
    done = subprocess.run(["make", "-s", "check"], cwd=repo, capture_output=True, text=True)
    assert done.returncode != 0 and "this plan is a draft" in done.stdout and "problems found" in done.stderr
