"""`make new-plan ID=... [JURISDICTION=...]`: a valid stub plan to start from.

The period comes from the id (xinzhen-2025-2027 -> 2025–2027, putuo-2022 ->
2022). Writes data/plans/<ID>.yaml (and, where missing, a placeholder source text in
data/sources/<ID>.txt and a department registry for the jurisdiction). The
stub passes `make check` as it is; the editor then replaces the placeholder
source with the real text and fills in the plan following
data/plans/_template.yaml.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from ..model.models import SCHEMA_COMMENT
from ..paths import DATA

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

SOURCE = """\
（在此粘贴计划原文的纯文本，替换本占位文本。）
待填写的计划标题
（一）待填写的行动
1. 待填写的任务。任务原文。
"""


def prefix_of(plan_id: str) -> str:
    return "".join(part[0] for part in plan_id.split("-") if part and not part.isdigit()) or plan_id[:3]


def period_of(plan_id: str) -> tuple[int, int] | None:
    """The period an id names at its end: xinzhen-2025-2027 -> (2025, 2027),
    putuo-2022 -> (2022, 2022); None when it names none."""
    if m := re.search(r"-(\d{4})-(\d{4})$", plan_id):
        return int(m.group(1)), int(m.group(2))
    if m := re.search(r"-(\d{4})$", plan_id):
        return int(m.group(1)), int(m.group(1))
    return None


def stub(plan_id: str, jurisdiction: str, source: str) -> str:
    year = dt.date.today().year
    start, end = period_of(plan_id) or (year, year + 2)
    p = prefix_of(plan_id)
    return f"""{SCHEMA_COMMENT}
# 新计划草稿：按 data/plans/_template.yaml 的说明逐项填写，完成后运行 make check。
id: {plan_id}
title: 待填写的计划标题
short_title: 待填写的简称
issuer: 待填写的发文单位
period: {{start: {start}, end: {end}}}
jurisdiction: {jurisdiction}
source: {source}
actions:
  - id: {p}-a-first
    number: （一）
    title: 待填写的行动
    tasks:
      - id: {p}-first-task
        number: 1
        title: 待填写的任务
        text: 待填写的任务。任务原文。
"""


def registry_stub(jurisdiction: str) -> str:
    return f"""# yaml-language-server: $schema=../schema/departments.schema.json
jurisdiction:
  id: {jurisdiction}
  name: 待填写的辖区名称
  level: 镇
  # parent: 上级辖区的编号（仅当原文印出上级时；上级辖区要有自己的文件）
departments:
  - id: {jurisdiction}-anweiban
    name: 待填写的安委会办公室全称
    short: [安委办]
    category: safety-committee
"""


def new_plan(plan_id: str, jurisdiction: str | None = None, data_dir: Path = DATA) -> int:
    if not ID_RE.match(plan_id):
        print(f"new-plan: '{plan_id}' is not an id: use lowercase letters, digits and hyphens, e.g. xinzhen-2025-2027",
              file=sys.stderr)
        return 2
    period = period_of(plan_id)
    if period and not (2000 <= period[0] <= period[1] <= 2100):
        print(f"new-plan: the id '{plan_id}' names the period {period[0]}–{period[1]}, which is not a plan's period",
              file=sys.stderr)
        return 2
    jurisdiction = jurisdiction or plan_id.split("-")[0]
    if not ID_RE.match(jurisdiction):
        print(f"new-plan: '{jurisdiction}' is not an id", file=sys.stderr)
        return 2
    plan_path = data_dir / "plans" / f"{plan_id}.yaml"
    if plan_path.exists():
        print(f"new-plan: {plan_path} already exists; nothing written", file=sys.stderr)
        return 1
    source = f"{plan_id}.txt"
    written = []
    source_path = data_dir / "sources" / source
    if not source_path.exists():
        source_path.parent.mkdir(parents=True, exist_ok=True)
        source_path.write_text(SOURCE, encoding="utf-8")
        written.append(source_path)
    registry = data_dir / "departments" / f"{jurisdiction}.yaml"
    if not registry.exists():
        registry.parent.mkdir(parents=True, exist_ok=True)
        registry.write_text(registry_stub(jurisdiction), encoding="utf-8")
        written.append(registry)
    plan_path.parent.mkdir(parents=True, exist_ok=True)
    plan_path.write_text(stub(plan_id, jurisdiction, source), encoding="utf-8")
    written.append(plan_path)
    for path in written:
        print(f"new-plan: wrote {path}")
    if not period:
        print(f"new-plan: the id names no period (…-2025-2027): the stub says {dt.date.today().year}–"
              f"{dt.date.today().year + 2}; correct `period:`")
    print("new-plan: next, paste the real text into the source file, fill in the plan, run `make check`,"
          " and `make addresses` when it is ready to publish")
    return 0
