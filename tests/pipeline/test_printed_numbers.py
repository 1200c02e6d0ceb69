"""A task the plan numbers with a label such as （二） (a department's
sub-plan) shows that label on its plan's page and in plans.json; the others
keep `N.`."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from conftest import NOW
from scripts.pipeline.enrich import enrich
from scripts.pipeline.render import render_site
from scripts.pipeline.render.dataset import dataset
from scripts.pipeline.validate import check

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "data"
PLAN = "demo-2024-2026"


def test_a_task_printed_with_a_label_shows_the_label(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    path = data / "plans" / f"{PLAN}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "        number: 2\n" in text
    path.write_text(text.replace("        number: 2\n", "        number: 2\n        number_text: （二）\n", 1), encoding="utf-8")
    corpus, problems = check(data)
    assert [p for p in problems if "not recorded yet" not in p.message] == []
    site = enrich(corpus, now=dt.date.fromisoformat(NOW))
    render_site(site, out=tmp_path / "docs", data_dir=data, extras=False)
    page = (tmp_path / "docs" / "plans" / f"{PLAN}.md").read_text(encoding="utf-8")
    task = next(t for t in site.tasks.values() if t.data.number_text)
    assert f"#### （二） {task.data.title}" in page
    assert "#### 1. " in page and "#### 2. " not in page
    printed = {t["id"]: t["printed_number"] for p in dataset(site)["plans"] for a in p["actions"] for t in a["tasks"]}
    assert printed[task.data.id] == "（二）"
    assert all(v == f"{site.tasks[k].data.number}." for k, v in printed.items() if k != task.data.id)
