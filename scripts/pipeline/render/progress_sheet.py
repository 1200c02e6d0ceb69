"""Progress in the task lists (CSV and XLSX, downloads.py): the latest
progress of every row, and on a department's list the columns a unit fills
in to report (状态, 进展情况, 佐证材料, 报送日期, 期次, 备注) with the ids that
place each row whatever a clerk does to the order (任务编号, 单位编号).
`make import-progress` (scripts/editor/progress_import.py) reads them back.

In the XLSX the fill-in columns are shaded, 状态 offers the five status words
as a drop-down list, and 报送日期 and 期次 explain what to write.
"""

from __future__ import annotations

from typing import Any

from ...model.progress import STATUSES

LATEST = "最新进展"
INPUTS = ["状态", "进展情况", "佐证材料", "报送日期", "期次", "备注"]
IDS = ["任务编号", "单位编号"]
WIDTHS = {LATEST: 28, "状态": 10, "进展情况": 40, "佐证材料": 20, "报送日期": 12, "期次": 10, "备注": 20,
          "任务编号": 22, "单位编号": 22}
# Shown when a cell of the column is selected (Excel and LibreOffice show it).
PROMPTS = {
    "状态": ("状态", "从下拉列表中选择：" + "、".join(STATUSES)),
    "报送日期": ("报送日期", "填写报送日期，如 2025-03-20；须在本季度内、不晚于今天"),
    "期次": ("期次（选填）", "仅对周期性要求填写所报送的期次：2025-03（月）、2025-q1（季度）、2025-h1（半年）、2025（年）"),
    "备注": ("备注", "状态较上次倒退（如已完成改为推进中）时必须说明原因"),
}


def item_code(item: Any) -> str:
    """任务编号: the task id, or <annex-id>#<row> for an annex row."""
    if getattr(item, "kind", "") == "annex":
        return f"{item.annex.id}#{item.data.number}"
    return item.data.id


def latest_text(item: Any) -> str:
    """The latest report in words, e.g. 推进中（2025-03-20，镇安委办）：…; else
    the state (暂无报送, 已逾期（未报送）)."""
    p = item.progress
    r = p.latest
    if r is None:
        return p.state.label
    return f"{r.status}（{r.date.isoformat()}，{r.unit.display}）：{r.data.text}"


def _insert(columns: list[str], rows: list[list[str]], at: int, names: list[str], values) -> None:
    columns[at:at] = names
    for row, extra in zip(rows, values):
        row[at:at] = extra


def add_plan_progress(table, items: list[Any]) -> None:
    """最新进展 after the five columns of the annex task lists."""
    _insert(table.columns, table.rows, 5, [LATEST], ([latest_text(x)] for x in items))


def add_department_progress(table, items: list[Any], dep_id: str) -> None:
    """最新进展 and the fill-in columns after 本单位角色; the ids last."""
    at = table.columns.index("本单位角色") + 1
    _insert(table.columns, table.rows, at, [LATEST, *INPUTS], ([latest_text(x)] + [""] * len(INPUTS) for x in items))
    end = len(table.columns)
    _insert(table.columns, table.rows, end, IDS, ([item_code(x), dep_id] for x in items))
    table.inputs = list(INPUTS)


def validations(columns: list[str], nrows: int, col) -> str:
    """<dataValidations> of a sheet: the status list and the prompts, on the
    body rows of the fill-in columns (`col(n)` is the letter of column n)."""
    out = []
    for name, (title, prompt) in PROMPTS.items():
        if name not in columns:
            continue
        letter = col(columns.index(name) + 1)
        ref = f"{letter}2:{letter}{max(nrows, 2)}"
        attrs = f'allowBlank="1" showInputMessage="1" promptTitle="{title}" prompt="{prompt}" sqref="{ref}"'
        if name == "状态":
            words = ",".join(STATUSES)
            out.append(f'<dataValidation type="list" showErrorMessage="1" errorTitle="状态" '
                       f'error="请从列表中选择：{"、".join(STATUSES)}" {attrs}><formula1>"{words}"</formula1></dataValidation>')
        else:
            out.append(f"<dataValidation {attrs}/>")
    return f'<dataValidations count="{len(out)}">{"".join(out)}</dataValidations>' if out else ""
