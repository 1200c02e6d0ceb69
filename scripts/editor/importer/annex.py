"""The annex table (序号 … as tab-separated rows): its columns mapped to the
fields of an annex row, merged or shifted cells read from the due date,
units resolved, and rows linked to the tasks they restate."""

from __future__ import annotations

import re
from typing import Any

from ...model.phrases import PhraseError, read_deadline
from .read import Line
from .structure import hash_id
from .text import CN_NUM, cjk_tight, squash
from .units import Registry


COLUMN_FIELDS = [
    (re.compile(r"^序号$"), "number"),
    (re.compile(r"时间节点|完成时限|完成时间|时限"), "due"),
    (re.compile(r"牵头.*领导|责任领导|分管领导"), "leaders"),
    (re.compile(r"责任单位|牵头单位|责任部门|牵头部门"), "lead_text"),
    (re.compile(r"配合单位|配合部门|协同单位"), "support_text"),
    (re.compile(r"工作要求|具体要求|工作内容|具体措施"), "requirement"),
    (re.compile(r"备注"), "remark"),
    (re.compile(r"类别|分类"), "category"),
    (re.compile(r"任务|目标|事项"), "item"),
]
MONTH_CELL = re.compile(r"^\d{1,2}\s*月(?:底|末)?(?:前)?$")


def _field_of(heading: str) -> str | None:
    for rx, name in COLUMN_FIELDS:
        if rx.search(heading):
            return name
    return None


def _leaders(cell: str) -> list[str]:
    tokens = cell.split()
    out, i = [], 0
    while i < len(tokens):
        if len(tokens[i]) == 1 and i + 1 < len(tokens) and len(tokens[i + 1]) == 1:
            out.append(tokens[i] + tokens[i + 1])  # 王 珏
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


def read_annexes(lines: list[Line], reg: Registry, period, prefix, salt, used, actions, note_unknown):
    notes: list[str] = []
    texts = [ln.text for ln in lines]
    named = None
    for s in texts:
        m = re.match(r"^附件\s*[:：]\s*(.+)$", s)
        if m:
            named = cjk_tight(m.group(1))
            break
    header_i = next((i for i, s in enumerate(texts) if s.startswith("序号") and "\t" in s), None)
    if header_i is None:
        if not named:
            return [], notes
        return [{"id": hash_id(prefix, "annex", named, salt, used), "title": named, "included": False,
                 "note": "The document names this annex but its text has no table (序号 …); "
                         "nothing is recorded."}], ["the document names the annex " + named + " but its text has "
                                                    "no table: check whether the source misses it"]
    title = texts[header_i - 1] if header_i > 0 and not re.fullmatch(r"附件\s*[:：]?", texts[header_i - 1]) else named
    title = cjk_tight(title or "附件")
    header_raw = [c.strip() for c in texts[header_i].split("\t")]
    fields = [_field_of(c) if c else None for c in header_raw]
    columns = [c for c in header_raw if c]
    ym = re.search(r"(\d{4})\s*年", title)
    year = int(ym.group(1)) if ym else period[0]
    anchor = "due" in fields
    task_by_title = {squash(t["title"]): t["id"] for a in actions for t in a["tasks"]}

    rows: list[dict] = []
    category = None
    for s_raw in lines[header_i + 1:]:
        s = s_raw.text
        if s.startswith("序号") and "\t" in s:
            continue
        m = re.match(r"^(\d{1,3})\t", s)
        if not m:
            flat = s.replace("\t", "").strip()
            cm = re.match(rf"^([{CN_NUM}]+、.+?)\s*[（(]\s*小计.*$", flat)
            if cm:
                category = cm.group(1).strip()
            continue
        cells = [c.strip() for c in s.split("\t")]
        row: dict[str, Any] = {"number": int(m.group(1))}
        values: dict[str, str] = {}
        di = next((i for i, c in enumerate(cells) if i > 0 and MONTH_CELL.match(c)), None) if anchor else None
        if di is not None:
            # the columns before 时间节点 (category, item, task) may be merged or shifted:
            # read them from the right of the due cell, and the units after it
            before = cells[1:di]
            after_fields = [f for f in fields[fields.index("due") + 1:] if f]
            values["due"] = cells[di]
            for f, c in zip(after_fields, cells[di + 1:]):
                values[f] = c
            names = ["task", "item", "category"]
            for f, c in zip(names, reversed(before)):
                values[f] = c
        else:
            for f, c in zip(fields, cells):
                if f and f != "number":
                    values[f] = c
        if values.get("category"):
            category = values["category"]
        if category and "category" not in row:
            row["category"] = category
        for f in ("item", "task", "requirement"):
            if values.get(f):
                row[f] = values[f]
        if values.get("due"):
            try:
                row["due"] = {"date": read_deadline(values["due"], year=year).date, "text": values["due"]}
            except PhraseError:
                row["remark"] = values["due"]
        lead_ids, support_ids, unknown = [], [], []
        if values.get("lead_text"):
            row["lead_text"] = values["lead_text"]
            lead_ids, unknown = reg.resolve(values["lead_text"])
        if values.get("support_text"):
            row["support_text"] = values["support_text"]
            ids, unk = reg.resolve(values["support_text"])
            support_ids = [x for x in ids if x not in lead_ids]
            unknown += [u for u in unk if u not in unknown]
        if values.get("remark"):
            row["remark"] = values["remark"]
        if lead_ids:
            row["lead"] = lead_ids
        if support_ids:
            row["support"] = support_ids
        if values.get("leaders"):
            row["leaders"] = _leaders(values["leaders"])
        restates = [task_by_title[squash(row[f])] for f in ("item", "task") if row.get(f)
                    and squash(row[f]) in task_by_title]
        if restates:
            row["restates"] = restates[:1]
        if unknown:
            note_unknown(unknown, f"annex row {row['number']}")
            row["todo"] = ["map these units to departments (lead or support): " + "、".join(unknown)]
        rows.append(row)
    annex = {"id": hash_id(prefix, "annex", title, salt, used), "title": title, "year": year,
             "columns": columns, "rows": rows}
    if named and squash(named) != squash(title):
        notes.append(f"the annex title is read as '{title}' but the 附件 line names it '{named}': check it")
    return [annex], notes
