"""The validator's rules on the jurisdiction hierarchy and `implements`,
each with file:line (one broken thing per case), on copies of the valid
fixture (tests/fixtures/data)."""

from __future__ import annotations

import pytest

from scripts.pipeline.validate import check
from test_validator import FIXTURE, PLAN, assert_reported, data, edit, line_of  # noqa: F401 (data is a fixture)

DEMO = "departments/demo.yaml"
LINZHEN = "departments/linzhen.yaml"
TITLE = "示例镇安全生产治本攻坚三年行动实施方案"  # printed in the fixture's source


def implements(entry: str) -> tuple[str, str]:
    return "source: demo.txt\n", f"implements:\n  - {entry}\nsource: demo.txt\n"


CASES = [
    ("parent-missing", DEMO, "  level: 镇\n", "  level: 镇\n  parent: linzen\n",
     "the parent 'linzen' is not a jurisdiction", "parent: linzen"),
    ("plan-jurisdiction-missing", PLAN, "jurisdiction: demo\n", "jurisdiction: demoo\n",
     "defines the jurisdiction 'demoo'; did you mean 'demo'?", "jurisdiction: demoo"),
    ("implements-unknown-plan", PLAN, *implements(f"{{title: {TITLE}, plan: demo-2024-2025}}"),
     "no plan 'demo-2024-2025' is on the site", "plan: demo-2024-2025"),
    ("implements-itself", PLAN, *implements(f"{{title: {TITLE}, plan: demo-2024-2026}}"),
     "a plan cannot implement itself", "plan: demo-2024-2026"),
    ("implements-unknown-jurisdiction", PLAN, *implements(f"{{title: {TITLE}, jurisdiction: linzen}}"),
     "unknown jurisdiction 'linzen'; did you mean 'linzhen'?", "jurisdiction: linzen"),
    ("implements-title-not-printed", PLAN, *implements("{title: 示例区安全生产治本攻坚三年行动实施方案}"),
     "not in the source demo.txt as printed", "title: 示例区"),
    ("implements-issuer-not-printed", PLAN, *implements(f"{{title: {TITLE}, issuer: 示例区安委会}}"),
     "not in the source demo.txt as printed", "issuer: 示例区安委会"),
    ("jurisdiction-id-is-a-plan-id", LINZHEN, "  id: linzhen\n", "  id: demo-2024-2026\n",
     "the id 'demo-2024-2026' is already used in", "id: demo-2024-2026"),
]


@pytest.mark.parametrize("rel, old, new, message, line_text", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_reports_file_and_line(data, rel, old, new, message, line_text):  # noqa: F811
    assert_reported(data, rel, old, new, message, line_text)


def test_a_cycle_of_parents_is_reported_in_each_file(data):  # noqa: F811
    edit(data, DEMO, "  level: 镇\n", "  level: 镇\n  parent: linzhen\n")
    edit(data, LINZHEN, "  level: 镇\n", "  level: 镇\n  parent: demo\n")
    _, problems = check(data)
    cycle = [p for p in problems if "form a cycle (demo → linzhen → demo)" in p.message]
    assert {(p.file.split("data/")[-1], p.line) for p in cycle} == {
        (DEMO, line_of(data, DEMO, "parent: linzhen")), (LINZHEN, line_of(data, LINZHEN, "parent: demo"))}, problems


def test_a_valid_parent_passes(data):  # noqa: F811
    edit(data, DEMO, "  level: 镇\n", "  level: 镇\n  parent: linzhen\n")
    edit(data, PLAN, *implements(f"{{title: {TITLE}, issuer: 示例镇人民政府, jurisdiction: linzhen}}"))
    assert check(data)[1] == []


def test_plans_that_implement_each_other_are_a_cycle(data):  # noqa: F811
    text = (data / PLAN).read_text(encoding="utf-8")
    ids = sorted(set(__import__("re").findall(r"id: (demo-[a-z0-9-]+)", text)) - {"demo-anweiban", "demo-paichusuo"})
    other = text
    for ident in sorted(ids, key=len, reverse=True):
        other = other.replace(f"id: {ident}", f"id: x{ident}").replace(f"[{ident}]", f"[x{ident}]")
    (data / "plans" / "xdemo-2024-2026.yaml").write_text(
        other.replace("source: demo.txt\n", f"implements:\n  - {{title: {TITLE}, plan: demo-2024-2026}}\nsource: demo.txt\n", 1),
        encoding="utf-8")
    edit(data, PLAN, *implements(f"{{title: {TITLE}, plan: xdemo-2024-2026}}"))
    _, problems = check(data)
    cycle = [p for p in problems if "implement each other in a cycle" in p.message]
    assert any("demo-2024-2026 → xdemo-2024-2026 → demo-2024-2026" in p.message and p.file.endswith(PLAN)
               and p.line == line_of(data, PLAN, "plan: xdemo-2024-2026") for p in cycle), problems
