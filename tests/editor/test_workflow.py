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

pytestmark = pytest.mark.long(20)  # whole builds and make commands, one after another

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "data"


@pytest.mark.parametrize("path", yaml_files(DATA), ids=lambda p: p.relative_to(DATA).as_posix())
def test_repository_data_is_formatted(path):
    """What `make fmt --check` checks, file by file (make test runs this, not the command):
    the file is in the canonical style, so formatting it again changes nothing."""
    text = path.read_text(encoding="utf-8")
    assert formatted(text) == text, f"{path.relative_to(ROOT)} is not in the canonical style: make fmt"


def test_formatter_keeps_data_and_comments_and_is_idempotent():
    text = "# comment kept\nid: x  # trailing\nlist:\n  - a\n  - b\nm: {date: 2024-12-31, text: 2024年底前}\n"
    out = formatted(text)
    assert out != text
    assert "# comment kept" in out and "# trailing" in out
    assert "list: [a, b]" in out
    assert "date: 2024-12-31" in out
    assert formatted(out) == out


@pytest.mark.parametrize("change", [
    lambda data: data.__setitem__("n", "1"),  # the number 1 written as text
    lambda data: data["list"].append("c"),
    lambda data: data.__setitem__("when", "2024-12-30"),
])
def test_formatter_refuses_to_change_the_data(monkeypatch, change):
    """Should the canonical style ever change a value (a ruamel quirk), the
    file is left to be formatted by hand, not rewritten."""
    from ruamel.yaml.error import YAMLError

    from scripts.editor import fmt

    real = fmt._canonical

    def canonical(node):
        real(node)
        if isinstance(node, dict) and "n" in node:  # the top level
            change(node)

    monkeypatch.setattr(fmt, "_canonical", canonical)
    with pytest.raises(YAMLError, match="would change the data"):
        formatted("n: 1\nlist: [a, b]\nwhen: 2024-12-31\n")


def test_fmt_check_names_a_file_out_of_style(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    plan = sorted((data / "plans").glob("[!_]*.yaml"))[0]
    plan.write_text(plan.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "scripts", "--data", str(data), "fmt", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 1 and plan.name in result.stdout + result.stderr, result.stdout + result.stderr


def test_scaffold_output_validates(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    assert new_plan("xinzhen-2025-2027", None, data_dir=data) == 0
    corpus, problems = check(data)
    assert problems == [], "\n".join(map(str, problems))
    assert any(p.model.id == "xinzhen-2025-2027" for p in corpus.plans)
    assert new_plan("xinzhen-2025-2027", None, data_dir=data) == 1, "never overwrites"
    assert new_plan("Bad_Id", None, data_dir=data) == 2


@pytest.mark.parametrize("plan_id, period", [
    ("xinzhen-2024-2026", {"start": 2024, "end": 2026}),
    ("putuo-2023", {"start": 2023, "end": 2023}),
])
def test_new_plan_takes_the_period_from_the_id(tmp_path, plan_id, period):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    assert new_plan(plan_id, None, data_dir=data) == 0
    plan = load_yaml(data / "plans" / f"{plan_id}.yaml")[0].data
    assert plan["period"] == period
    assert check(data)[1] == []


def test_new_plan_refuses_an_id_with_an_impossible_period(tmp_path):
    assert new_plan("xinzhen-2027-2025", None, data_dir=tmp_path / "data") == 2


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


def a_plan_and_task(data: Path) -> tuple[Path, str, str]:
    """A plan file of the data (the first) and the id of a task in it that is
    not its last (the tests remove or rename it)."""
    path = sorted(p for p in (data / "plans").glob("*.yaml") if not p.name.startswith("_"))[0]
    tasks = re.findall(r"^      - id: ([a-z0-9-]+)$", path.read_text(encoding="utf-8"), re.M)
    return path, path.stem, tasks[0]


def test_removing_a_task_names_its_address(data):
    path, plan_id, task = a_plan_and_task(data)
    text = path.read_text(encoding="utf-8")
    start = text.index(f"      - id: {task}\n")
    end = text.index("      - id: ", start + 10)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    problems = registry_problems(data)
    hit = [p for p in problems if f"plans/{plan_id}/#{task} would no longer exist" in p]
    assert hit, problems
    assert hit[0].startswith(f"data/{REGISTRY}:") or REGISTRY in hit[0]
    assert "previous_ids" in hit[0]


def test_a_plan_that_does_not_load_is_not_reported_as_removed_addresses(data):
    path, plan_id, _ = a_plan_and_task(data)
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "title: [unclosed", 1), encoding="utf-8")
    problems = registry_problems(data)
    assert any(f"{plan_id}.yaml:" in p and "syntax" in p.lower() for p in problems), problems
    assert not any(REGISTRY in p for p in problems), problems


def test_renaming_a_task_keeps_the_old_address_with_previous_ids(data):
    path, _, task = a_plan_and_task(data)
    text = path.read_text(encoding="utf-8")
    renamed = text.replace(f"      - id: {task}\n", f"      - id: {task}-renamed\n", 1)
    assert renamed != text
    path.write_text(renamed, encoding="utf-8")
    assert any(f"{task} would no longer exist" in p for p in registry_problems(data))
    path.write_text(renamed.replace(
        f"      - id: {task}-renamed\n",
        f"      - id: {task}-renamed\n        previous_ids: [{task}]\n", 1), encoding="utf-8")
    problems = registry_problems(data)
    assert not any("would no longer exist" in p for p in problems), problems
    assert any("not recorded yet" in p for p in problems), "the new address must be recorded"
    update_registry(load_corpus(data))
    assert registry_problems(data) == []


def test_addresses_refuses_while_check_fails(data):
    """`make addresses` records nothing for data that fails `make check`
    (besides the addresses it is there to record), and records a valid
    new plan's addresses."""
    registry = data / REGISTRY
    before = registry.read_text(encoding="utf-8")
    assert new_plan("xinzhen-2025-2027", None, data_dir=data) == 0
    path = data / "plans" / "xinzhen-2025-2027.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("number: 1\n", "number: 1\n        topics: [no-such-topic]\n", 1), encoding="utf-8")

    def run():
        return subprocess.run([sys.executable, "-m", "scripts", "--data", str(data), "addresses"], cwd=ROOT,
                              capture_output=True, text=True)

    refused = run()
    assert refused.returncode == 1 and "nothing recorded" in refused.stderr
    assert "unknown topic 'no-such-topic'" in refused.stdout and "Traceback" not in refused.stderr
    assert registry.read_text(encoding="utf-8") == before
    path.write_text(good, encoding="utf-8")
    recorded = run()
    assert recorded.returncode == 0, recorded.stderr
    assert "plans/xinzhen-2025-2027/" in registry.read_text(encoding="utf-8").splitlines()
    assert registry_problems(data) == []


def test_renamed_plan_and_task_keep_their_old_addresses(tmp_path, browser):
    """Rename a plan and a task, list the old ids in previous_ids: the registry
    check passes, and the built site sends readers of the old addresses to the
    new ones (a redirect page for the page, a retained anchor for the task)."""
    from conftest import run_build, serve_dir

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    old, plan_id, _ = a_plan_and_task(data)
    new_id = f"{plan_id}-renamed"
    text = old.read_text(encoding="utf-8")
    text = text.replace(f"\nid: {plan_id}\n", f"\nid: {new_id}\nprevious_ids: [{plan_id}]\n", 1)
    first_task = text.split("      - id: ", 1)[1].split("\n", 1)[0]
    text = re.sub(rf"(?<![-a-z0-9]){re.escape(first_task)}(?![-a-z0-9])", first_task + "-renamed", text)
    text = text.replace(f"      - id: {first_task}-renamed\n",
                        f"      - id: {first_task}-renamed\n        previous_ids: [{first_task}]\n", 1)
    (data / "plans" / f"{new_id}.yaml").write_text(text, encoding="utf-8")
    old.unlink()
    problems = registry_problems(data)
    assert not any("would no longer exist" in p for p in problems), problems
    update_registry(load_corpus(data))
    assert registry_problems(data) == []

    site = tmp_path / "site"
    result = run_build(site, data_dir=data)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (site / "plans" / plan_id / "index.html").is_file(), "no redirect page at the old address"
    assert '<meta name="renderer" content="webkit">' in (site / "plans" / plan_id / "index.html").read_text(encoding="utf-8")
    server = serve_dir(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        page = browser.new_page()
        page.goto(f"{base}plans/{plan_id}/#{first_task}")
        page.wait_for_url(f"{base}plans/{new_id}/*", timeout=10_000)
        assert page.url.endswith(f"plans/{new_id}/#{first_task}")
        # the old task anchor is retained on the new page, next to the renamed task
        assert page.evaluate(f"!!document.getElementById({first_task!r})")
        assert page.evaluate(f"!!document.getElementById({first_task + '-renamed'!r})")
        page.close()
    finally:
        server.shutdown()
