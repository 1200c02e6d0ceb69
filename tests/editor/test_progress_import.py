"""`make import-progress SRC=file.xlsx` (scripts/editor/progress_import.py):
the department task lists the site publishes, filled in by two units as
clerks do (rows reordered, columns moved, both sheets in one workbook), come
back as progress data that passes the check; every row that cannot be placed
is told with its sheet and row, and then data/ is left as it was; an earlier
report is never overwritten."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from conftest import NOW, ROOT
from scripts.pipeline.enrich import enrich
from scripts.pipeline.render import downloads
from scripts.pipeline.validate import check

pytestmark = pytest.mark.long(10)

TODAY = dt.date.fromisoformat(NOW)


@pytest.fixture
def data(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns("progress"))
    return target


def units_with_tasks(data: Path, n: int = 2):
    """`n` departments with at least two tasks whose plan period has started,
    and their XLSX lists as the site publishes them."""
    corpus, problems = check(data)
    assert not problems
    site = enrich(corpus, now=TODAY)
    out = []
    for dep in site.departments.values():
        tasks = [t for t in dep.tasks if t.plan.data.period.start <= TODAY.year <= t.plan.data.period.end]
        if len(tasks) >= 2 and not dep.data.group:
            out.append((dep, downloads.xlsx_bytes(downloads.department_table(dep), TODAY)))
        if len(out) == n:
            return out
    pytest.skip("the data has no two units with two current tasks each")


def fill(xlsx: bytes, rows: dict[int, dict[str, object]]) -> list[list[object]]:
    """The sheet's values, with `rows` (body row index -> column -> value) filled in."""
    ws = load_workbook(io.BytesIO(xlsx))["任务清单"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    col = {name: i for i, name in enumerate(values[0])}
    for i, cells in rows.items():
        for name, value in cells.items():
            values[1 + i][col[name]] = value
    return values


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, values in sheets.items():
        ws = wb.create_sheet(name)
        for row in values:
            ws.append(row)
    wb.save(path)
    return path


def run(data: Path, src: Path) -> subprocess.CompletedProcess:
    """What `make import-progress SRC=…` runs, on the data folder `data`."""
    return subprocess.run([sys.executable, "-m", "scripts", "--data", str(data), "import-progress", str(src)],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NOW": NOW})


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def report(status="推进中", text="已部署，正在推进。", date=TODAY, **extra) -> dict:
    return {"状态": status, "进展情况": text, "报送日期": date, **extra}


@pytest.mark.slow  # runs make import-progress
def test_two_units_filled_lists_round_trip(data, tmp_path):
    (a, xa), (b, xb) = units_with_tasks(data)
    sheet_a = fill(xa, {0: report(佐证材料="某安委办〔2024〕5号"), 1: report("已完成", "已完成。", "2024/10/9")})
    sheet_b = fill(xb, {1: report("滞后", "受天气影响滞后。", "2024年10月8日")})
    # clerks reorder rows and move columns: the ids place them all the same
    sheet_a = [sheet_a[0]] + sheet_a[1:][::-1]
    sheet_b = [[row[-1], *row[:-1]] for row in sheet_b]
    src = workbook(tmp_path / "returned.xlsx", {a.display[:20]: sheet_a, b.display[:20] + "（回执）": sheet_b})
    r = run(data, src)
    assert r.returncode == 0, r.stdout + r.stderr
    corpus, problems = check(data)
    assert not problems, problems
    got = {(x.unit, x.status, x.text, x.evidence) for f in corpus.progress for x in f.model.reports}
    assert got == {(a.data.id, "推进中", "已部署，正在推进。", "某安委办〔2024〕5号"), (a.data.id, "已完成", "已完成。", None),
                   (b.data.id, "滞后", "受天气影响滞后。", None)}
    q = f"{TODAY.year}-q{(TODAY.month - 1) // 3 + 1}"
    assert all(f.doc.path.name == f"{q}.yaml" for f in corpus.progress)
    assert subprocess.run([sys.executable, "-m", "scripts", "--data", str(data), "fmt", "--check"], cwd=ROOT,
                          capture_output=True).returncode == 0, "imported files are in the canonical style"
    # the same workbook again: nothing new, nothing overwritten
    before = snapshot(data)
    r = run(data, src)
    assert r.returncode == 0 and "3 row(s) already imported" in r.stderr
    assert snapshot(data) == before
    # a different report by the same unit on the same thing and day is refused, naming both places
    changed = workbook(tmp_path / "changed.xlsx", {"甲": fill(xa, {0: report(text="改写的进展。")})})
    r = run(data, changed)
    assert r.returncode == 1 and "sheet '甲' row 2" in r.stdout and "never overwritten" in r.stdout
    assert ".yaml:" in r.stdout and snapshot(data) == before


CANNOT = [  # a change to a filled-in row, and what the import says of it
    ({"任务编号": "no-such-task"}, "is no task or annex row"),
    ({"任务编号": None}, "cannot be placed"),
    ({"单位编号": None}, "单位编号 cell is empty"),
    ({"状态": "差不多"}, "状态 '差不多' is not one of"),
    ({"进展情况": None}, "进展情况 is empty"),
    ({"报送日期": "下周"}, "is not a date"),
    ({"报送日期": None}, "报送日期 is empty"),
    ({"报送日期": "2099-01-05"}, "in the future"),
    ({"单位编号": "__other__"}, "is not a lead or supporting unit"),
]


@pytest.mark.slow  # runs make import-progress
def test_rows_that_cannot_be_imported_are_told_and_nothing_is_written(data, tmp_path):
    """Each kind of row that cannot be imported, on a sheet of its own (the
    first also holds a good row): one run tells every one at its sheet and
    row, and writes nothing."""
    (a, xa), _ = units_with_tasks(data)
    departments = check(data)[0].departments
    sheets = {}
    for k, (change, _) in enumerate(CANNOT, 1):
        values = fill(xa, {**({0: report()} if k == 1 else {}), 1: report()})
        col = {name: i for i, name in enumerate(values[0])}
        task = next(t for t in a.tasks if t.data.id == values[2][col["任务编号"]])
        responsible = {d.data.id for d in [*task.lead, *task.support]}
        other = next(d for d in departments if d not in responsible)
        for name, value in change.items():
            values[2][col[name]] = other if value == "__other__" else value
        sheets[f"回执{k}"] = values
    src = workbook(tmp_path / "bad.xlsx", sheets)
    before = snapshot(data)
    r = run(data, src)
    assert r.returncode == 1, r.stdout
    lines = r.stdout.splitlines()
    untold = [f"回执{k}: {words}" for k, (_, words) in enumerate(CANNOT, 1)
              if not any(f"sheet '回执{k}' row 3: " in line and words in line for line in lines)]
    assert not untold, f"not told: {untold}\n{r.stdout}"
    assert "nothing imported" in r.stderr and "Traceback" not in r.stderr
    assert snapshot(data) == before


@pytest.mark.slow  # runs make import-progress
def test_going_backwards_needs_a_note(data, tmp_path):
    (a, xa), _ = units_with_tasks(data)
    first = workbook(tmp_path / "q.xlsx", {"一": fill(xa, {0: report("已完成", "完成。", TODAY - dt.timedelta(days=3))})})
    assert run(data, first).returncode == 0
    back = workbook(tmp_path / "back.xlsx", {"二": fill(xa, {0: report("推进中", "复查发现问题。")})})
    before = snapshot(data)
    r = run(data, back)
    assert r.returncode == 1 and "sheet '二' row 2: 推进中 goes back from 已完成" in r.stdout, r.stdout
    assert snapshot(data) == before
    noted = workbook(tmp_path / "noted.xlsx", {"二": fill(xa, {0: report("推进中", "复查发现问题。", 备注="复查发现新隐患")})})
    assert run(data, noted).returncode == 0


@pytest.mark.slow  # runs make import-progress
def test_a_workbook_that_is_not_ours(data, tmp_path):
    src = workbook(tmp_path / "other.xlsx", {"Sheet1": [["序号", "任务"], [1, "某事"]]})
    r = run(data, src)
    assert r.returncode == 1 and "sheet 'Sheet1': no 任务编号 column" in r.stdout
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    r = run(data, junk)
    assert r.returncode == 1 and "cannot be read as an XLSX workbook" in r.stdout and "Traceback" not in r.stderr


def test_the_download_offers_the_status_words_and_the_ids(data):
    (a, xa), _ = units_with_tasks(data)
    ws = load_workbook(io.BytesIO(xa))["任务清单"]
    header = [c.value for c in ws[1]]
    assert {"状态", "进展情况", "佐证材料", "报送日期", "任务编号", "单位编号"} <= set(header)
    status = header.index("状态") + 1
    lists = [v for v in ws.data_validations.dataValidation if v.type == "list"]
    assert lists and lists[0].formula1 == '"未启动,推进中,已完成,已销号,滞后"'
    letter = ws.cell(row=2, column=status).column_letter
    assert f"{letter}2" in lists[0].sqref
    assert ws.cell(row=2, column=header.index("单位编号") + 1).value == a.data.id
    assert ws.cell(row=2, column=status).fill.fgColor.rgb.endswith("FFF2CC")  # shaded: to fill in
