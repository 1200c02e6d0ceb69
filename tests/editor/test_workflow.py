"""The pull-request workflow: canonical formatting, the scaffold, the commented
template, and the registry of published addresses."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.editor.addresses import update_registry
from scripts.editor.fmt import formatted, yaml_files
from scripts.editor.scaffold import new_plan
from scripts.model import models
from scripts.pipeline.addresses import REGISTRY
from scripts.pipeline.load.corpus import load_corpus, validate_model
from scripts.pipeline.load.document import load_yaml
from scripts.pipeline.validate import check

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "data"


@pytest.mark.parametrize("path", yaml_files(DATA), ids=lambda p: p.relative_to(DATA).as_posix())
def test_formatter_is_idempotent(path):
    once = formatted(path.read_text(encoding="utf-8"))
    assert formatted(once) == once


def test_formatter_keeps_data_and_comments():
    text = "# comment kept\nid: x  # trailing\nlist:\n  - a\n  - b\nm: {date: 2024-12-31, text: 2024年底前}\n"
    out = formatted(text)
    assert "# comment kept" in out and "# trailing" in out
    assert "list: [a, b]" in out
    assert "date: 2024-12-31" in out


def test_repository_data_is_formatted():
    result = subprocess.run([sys.executable, "-m", "scripts", "fmt", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_scaffold_output_validates(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    assert new_plan("xinzhen-2025-2027", None, data_dir=data) == 0
    corpus, problems = check(data)
    assert problems == [], "\n".join(map(str, problems))
    assert any(p.model.id == "xinzhen-2025-2027" for p in corpus.plans)
    assert new_plan("xinzhen-2025-2027", None, data_dir=data) == 1, "never overwrites"
    assert new_plan("Bad_Id", None, data_dir=data) == 2


def test_template_matches_the_models():
    """The commented template is a valid plan and names every field of the format."""
    doc, problems = load_yaml(DATA / "plans" / "_template.yaml")
    assert problems == []
    plan, problems = validate_model(doc, models.Plan)
    assert problems == [], problems
    text = (DATA / "plans" / "_template.yaml").read_text(encoding="utf-8")
    for model in (models.Plan, models.Action, models.Task, models.Goal, models.Body, models.Member,
                  models.Section, models.Annex, models.AnnexRow, models.Deadline, models.Recurrence,
                  models.Ongoing, models.Event, models.ScopeNote):
        for field in model.model_fields:
            assert f"{field}:" in text, f"the template does not show {model.__name__}.{field}"


# --------------------------------------------------------------------------- #
# The registry of published addresses
# --------------------------------------------------------------------------- #


@pytest.fixture
def data(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def registry_problems(data: Path) -> list[str]:
    _, problems = check(data)
    return [str(p) for p in problems]


def test_registry_is_complete_for_the_real_data():
    _, problems = check(DATA)
    assert problems == [], "\n".join(map(str, problems))


def test_removing_a_task_names_its_address(data):
    path = data / "plans" / "maogang-2024-2026.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("      - id: mg-hazard-screening")
    end = text.index("      - id: ", start + 10)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    problems = registry_problems(data)
    hit = [p for p in problems if "plans/maogang-2024-2026/#mg-hazard-screening would no longer exist" in p]
    assert hit, problems
    assert hit[0].startswith(f"data/{REGISTRY}:") or REGISTRY in hit[0]
    assert "previous_ids" in hit[0]


def test_a_plan_that_does_not_load_is_not_reported_as_removed_addresses(data):
    path = data / "plans" / "maogang-2024-2026.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "title: [unclosed", 1), encoding="utf-8")
    problems = registry_problems(data)
    assert any("maogang-2024-2026.yaml:" in p and "syntax" in p.lower() for p in problems), problems
    assert not any(REGISTRY in p for p in problems), problems


def test_renaming_a_task_keeps_the_old_address_with_previous_ids(data):
    path = data / "plans" / "maogang-2024-2026.yaml"
    text = path.read_text(encoding="utf-8")
    renamed = text.replace("      - id: mg-hazard-screening\n", "      - id: mg-hazard-screening-capacity\n", 1)
    assert renamed != text
    path.write_text(renamed, encoding="utf-8")
    assert any("mg-hazard-screening would no longer exist" in p for p in registry_problems(data))
    path.write_text(renamed.replace(
        "      - id: mg-hazard-screening-capacity\n",
        "      - id: mg-hazard-screening-capacity\n        previous_ids: [mg-hazard-screening]\n", 1), encoding="utf-8")
    problems = registry_problems(data)
    assert not any("would no longer exist" in p for p in problems), problems
    assert any("not recorded yet" in p for p in problems), "the new address must be recorded"
    update_registry(load_corpus(data))
    assert registry_problems(data) == []


def test_renamed_plan_and_task_keep_their_old_addresses(tmp_path, browser):
    """Rename a plan and a task, list the old ids in previous_ids: the registry
    check passes, and the built site sends readers of the old addresses to the
    new ones (a redirect page for the page, a retained anchor for the task)."""
    from conftest import run_build, serve_dir

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    old = data / "plans" / "putuo-2022.yaml"
    text = old.read_text(encoding="utf-8")
    text = text.replace("\nid: putuo-2022\n", "\nid: putuo-2022-opinions\nprevious_ids: [putuo-2022]\n", 1)
    first_task = text.split("      - id: ", 1)[1].split("\n", 1)[0]
    text = re.sub(rf"(?<![-a-z0-9]){re.escape(first_task)}(?![-a-z0-9])", first_task + "-renamed", text)
    text = text.replace(f"      - id: {first_task}-renamed\n",
                        f"      - id: {first_task}-renamed\n        previous_ids: [{first_task}]\n", 1)
    (data / "plans" / "putuo-2022-opinions.yaml").write_text(text, encoding="utf-8")
    old.unlink()
    problems = registry_problems(data)
    assert not any("would no longer exist" in p for p in problems), problems
    update_registry(load_corpus(data))
    assert registry_problems(data) == []

    site = tmp_path / "site"
    result = run_build(site, data_dir=data)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (site / "plans" / "putuo-2022" / "index.html").is_file(), "no redirect page at the old address"
    assert '<meta name="renderer" content="webkit">' in (site / "plans" / "putuo-2022" / "index.html").read_text(encoding="utf-8")
    server = serve_dir(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        page = browser.new_page()
        page.goto(f"{base}plans/putuo-2022/#{first_task}")
        page.wait_for_url(f"{base}plans/putuo-2022-opinions/*", timeout=10_000)
        assert page.url.endswith(f"plans/putuo-2022-opinions/#{first_task}")
        # the old task anchor is retained on the new page, next to the renamed task
        assert page.evaluate(f"!!document.getElementById({first_task!r})")
        assert page.evaluate(f"!!document.getElementById({first_task + '-renamed'!r})")
        page.close()
    finally:
        server.shutdown()
