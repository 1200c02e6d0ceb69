"""`make import-progress SRC=file.xlsx`: the progress a unit filled in on its
task list (the department XLSX download) into data/progress/.

The download carries, on every row, the task's id (任务编号: a task id, or
`<annex-id>#<row>` for an annex row) and the unit's id (单位编号), so rows are
placed whatever a clerk does to their order; the columns are found by their
headings, so moved columns are found too. A workbook may hold several sheets
(several units' lists, one quarter or more); a row is a report when any of
状态, 进展情况, 佐证材料, 报送日期, 期次, 备注 is filled in.

Every row that cannot be placed or fails the check is reported with its
sheet and row number, all in one run, and then nothing is written. A report never replaces an earlier one: the
same report again is skipped as already imported; a different report by the
same unit on the same thing and day is refused. The new files are checked
with the whole data (`make check`) in a copy first; data/ changes only when
all of it passes, each file replaced whole.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap

from ..model.progress import PROGRESS_SCHEMA_COMMENT, STATUSES, Report, quarter_name, quarter_of
from ..paths import DATA
from ..pipeline.load.document import load_yaml
from ..pipeline.validate import check
from .fmt import _yaml, formatted

# The headings of the department download (scripts/pipeline/render/downloads.py).
ID_COLUMN, UNIT_COLUMN = "任务编号", "单位编号"
INPUT_COLUMNS = {"状态": "status", "进展情况": "text", "佐证材料": "evidence", "报送日期": "date", "期次": "occurrence", "备注": "note"}
REQUIRED = (ID_COLUMN, UNIT_COLUMN, "状态", "进展情况", "报送日期")
KEY_ORDER = ("task", "annex", "row", "occurrence", "unit", "date", "status", "text", "evidence", "note")


@dataclass
class Row:
    """A report read from one row, and where it came from."""

    where: str  # sheet 'X' row N
    plan: str
    report: Report


class ImportFailed(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def read_date(value) -> dt.date:
    """A date as a clerk types it: a date cell, 2025-03-20, 2025/3/20,
    2025.3.20 or 2025年3月20日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE.match(_text(value))
    if not m:
        raise ValueError(f"报送日期 '{_text(value)}' is not a date (write it as 2025-03-20)")
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def _targets(corpus) -> dict[str, tuple[str, dict]]:
    """任务编号 -> (plan id, the fields naming it in a report)."""
    out: dict[str, tuple[str, dict]] = {}
    for loaded in corpus.plans:
        p = loaded.model
        for a in p.actions:
            for t in a.tasks:
                out[t.id] = (p.id, {"task": t.id})
        for annex in p.annexes:
            for row in annex.rows:
                out[f"{annex.id}#{row.number}"] = (p.id, {"annex": annex.id, "row": row.number})
    return out


def read_workbook(src: Path, corpus) -> tuple[list[Row], list[str]]:
    """The reports of every sheet, and a message for every row (or sheet)
    that cannot be placed."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(src, read_only=True, data_only=True)
    except Exception as e:  # not a workbook, damaged, encrypted …
        return [], [f"{src}: cannot be read as an XLSX workbook ({type(e).__name__}: {e})"]
    targets = _targets(corpus)
    rows: list[Row] = []
    errors: list[str] = []
    for ws in wb.worksheets:
        values = list(ws.iter_rows(values_only=True))
        head = next((i for i, r in enumerate(values[:20]) if ID_COLUMN in map(_text, r)), None)
        if head is None:
            if any(any(_text(v) for v in r) for r in values):
                errors.append(f"sheet '{ws.title}': no {ID_COLUMN} column; fill in the XLSX list downloaded from the unit's page")
            continue
        col = {name: i for i, name in enumerate(map(_text, values[head])) if name}
        missing = [c for c in REQUIRED if c not in col]
        if missing:
            errors.append(f"sheet '{ws.title}' row {head + 1}: the columns {'、'.join(missing)} are missing")
            continue
        for n, cells in enumerate(values[head + 1:], head + 2):
            cell = lambda name: cells[col[name]] if name in col and col[name] < len(cells) else None  # noqa: E731
            filled = {key: cell(name) for name, key in INPUT_COLUMNS.items() if _text(cell(name))}
            if not filled:
                continue  # nothing reported on this row
            where = f"sheet '{ws.title}' row {n}"
            code, unit = _text(cell(ID_COLUMN)), _text(cell(UNIT_COLUMN))
            if code not in targets:
                errors.append(f"{where}: {ID_COLUMN} '{code}' is no task or annex row of any plan" if code
                              else f"{where}: the {ID_COLUMN} cell is empty, so the row cannot be placed")
                continue
            plan, names = targets[code]
            fields = {**names, "unit": unit}
            try:
                fields["date"] = read_date(filled["date"]) if "date" in filled else None
            except ValueError as e:
                errors.append(f"{where}: {e}")
                continue
            for key in ("status", "text", "evidence", "occurrence", "note"):
                if key in filled:
                    fields[key] = _text(filled[key])
            problem = _row_problem(fields)
            if problem:
                errors.append(f"{where}: {problem}")
                continue
            try:
                rows.append(Row(where, plan, Report(**fields)))
            except ValidationError as e:
                errors.append(f"{where}: " + "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors()))
    return rows, errors


def _row_problem(fields: dict) -> str:
    if not fields["unit"]:
        return f"the {UNIT_COLUMN} cell is empty"
    if "status" not in fields:
        return "状态 is empty: choose one of " + "、".join(STATUSES)
    if fields["status"] not in STATUSES:
        return f"状态 '{fields['status']}' is not one of " + "、".join(STATUSES)
    if "text" not in fields:
        return "进展情况 is empty: say what was done"
    if fields.get("date") is None:
        return "报送日期 is empty"
    return ""


def _same(a: Report, b: Report) -> bool:
    return a.model_dump() == b.model_dump()


def _key(r: Report) -> tuple:
    return (r.task, r.annex, r.row, r.occurrence, r.unit, r.date)


def merge(rows: list[Row], data_dir: Path) -> tuple[dict[Path, str], dict[Path, list[tuple[int, str]]], list[str], int]:
    """The new text of every progress file that gains reports, the index
    and origin of each new report in it, the messages of reports refused,
    and how many rows were already imported."""
    by_file: dict[Path, list[Row]] = {}
    for row in rows:
        q = quarter_name(*quarter_of(row.report.date))
        by_file.setdefault(data_dir / "progress" / row.plan / f"{q}.yaml", []).append(row)
    texts: dict[Path, str] = {}
    placed: dict[Path, list[tuple[int, str]]] = {}
    errors: list[str] = []
    skipped = 0
    y = _yaml()
    for path, new in sorted(by_file.items()):
        if path.exists():
            text = path.read_text(encoding="utf-8")
            data = y.load(text)
            doc, _ = load_yaml(path)
            old = [Report.model_validate(r) for r in (data.get("reports") or [])]
        else:
            data = CommentedMap([("plan", new[0].plan), ("quarter", path.stem), ("reports", [])])
            doc, old = None, []
        seen = {_key(r): (i, r) for i, r in enumerate(old)}
        added = 0
        for row in new:
            earlier = seen.get(_key(row.report))
            if earlier is None:
                seen[_key(row.report)] = (len(old) + added, row.report)
                placed.setdefault(path, []).append((len(old) + added, row.where))
                data.setdefault("reports", []).append(_entry(row.report))
                added += 1
            elif _same(earlier[1], row.report):
                skipped += 1
            else:
                line = doc.where(("reports", earlier[0]))[0] if doc else 0
                errors.append(f"{row.where}: {row.report.unit} already reported on {row.report.task or row.report.annex} "
                              f"on {row.report.date.isoformat()} ({_rel(path, data_dir)}:{line}); an earlier report is "
                              "never overwritten: give the new report its own date, or correct the file by pull request")
        if added:
            out = io.StringIO()
            y.dump(data, out)
            body = out.getvalue()
            if not body.startswith(PROGRESS_SCHEMA_COMMENT):
                body = PROGRESS_SCHEMA_COMMENT + "\n" + body
            texts[path] = formatted(body)
    return texts, placed, errors, skipped


def _entry(r: Report) -> CommentedMap:
    d = r.model_dump(exclude_none=True)
    return CommentedMap([(k, d[k]) for k in KEY_ORDER if k in d])


def _rel(path: Path, data_dir: Path) -> str:
    return f"data/{path.relative_to(data_dir).as_posix()}"


def import_progress(src: Path, data_dir: Path = DATA) -> tuple[dict[Path, str], int]:
    """Read `src`, check the result with the whole data; returns the files to
    write and how many rows were already imported. Raises ImportFailed with
    every message when anything cannot be imported."""
    corpus, problems = check(data_dir)
    if problems:
        raise ImportFailed([str(p) for p in problems[:20]] + ["the data has problems (`make check`): fix them first"])
    rows, errors = read_workbook(src, corpus)
    texts, placed, refused, skipped = merge(rows, data_dir)  # the rows that could be read, even beside bad ones:
    errors += refused  # every problem is told in one run
    if texts:
        try:
            _check_in_copy(texts, placed, data_dir)
        except ImportFailed as e:
            errors += e.messages
    if errors:
        raise ImportFailed(errors)
    return texts, skipped


def _check_in_copy(texts: dict[Path, str], placed: dict[Path, list[tuple[int, str]]], data_dir: Path) -> None:
    """Run the whole check on a copy of the data with the new files; a
    problem in a new report is told with the sheet and row it came from."""
    with tempfile.TemporaryDirectory(prefix="import-progress-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data_dir, copy)
        where: dict[str, list[tuple[int, str]]] = {}  # file -> (first line of a new report, its row)
        for path, text in texts.items():
            target = copy / path.relative_to(data_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            doc, _ = load_yaml(target)
            where[doc.name] = sorted((doc.where(("reports", i))[0], origin) for i, origin in placed[path])
        _, problems = check(copy)
    if problems:
        messages = []
        for p in problems:
            starts = [origin for line, origin in where.get(p.file, []) if line <= p.line]
            messages.append(f"{starts[-1]}: {p.message}" if starts else str(p).replace(str(copy), "data"))
        raise ImportFailed(messages)


def write(texts: dict[Path, str]) -> None:
    """Replace each file whole: all new files are written beside their
    places first, then moved in."""
    staged = []
    try:
        for path, text in texts.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".import-", suffix=".yaml", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(tmp, 0o644)
            staged.append((tmp, path))
    except OSError:
        for tmp, _ in staged:
            os.unlink(tmp)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)


def run(src: Path, data_dir: Path = DATA) -> int:
    if not src.is_file():
        print(f"import-progress: {src} does not exist", file=sys.stderr)
        return 2
    try:
        texts, skipped = import_progress(src, data_dir)
    except ImportFailed as e:
        for m in e.messages:
            print(f"{src.name}: {m}")
        print(f"import-progress: nothing imported ({len(e.messages)} problem(s)); data/ is unchanged", file=sys.stderr)
        return 1
    write(texts)
    for path in sorted(texts):
        print(f"import-progress: wrote {_rel(path, data_dir)}")
    note = f"; {skipped} row(s) already imported, skipped" if skipped else ""
    if not texts:
        print(f"import-progress: nothing new to import{note}", file=sys.stderr)
        return 0
    print(f"import-progress: {len(texts)} file(s) updated{note}. Review with `git diff data/progress`, "
          "then open a pull request.", file=sys.stderr)
    return 0
