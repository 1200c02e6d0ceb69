"""Fixture progress reports for any valid data: `write_reports(data_dir, now)`
writes data/progress/ files into a copy of data/ with reports derived from
the plans themselves (their tasks, lead units, periods and recurring duties),
never from a list of today's plans. The real data/ has no reports; tests
use these.

Per plan, task k (in plan order, only tasks with a responsible unit; the first reports) gets, with the
quarters of the plan's period up to `now` (each report on the 15th of the
quarter's middle month, or on `now` when that is later):

  k % 6 == 0  推进中 in the first quarter, 已完成 in the second
  k % 6 == 1  推进中 in every quarter
  k % 6 == 2  推进中 in the first quarter, 滞后 in the last
  k % 6 == 3  推进中 in the first quarter only
  k % 6 == 4  已完成 in the first quarter, 推进中 in the second, with a note (backwards)
  k % 6 == 5  nothing

and every task with a recurring duty a report on the first occurrence of
its first duty (as that occurrence's due quarter allows). Annex rows that
restate no task get 推进中 in the first quarter.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from scripts.model.occurrences import occurrences
from scripts.model.progress import PROGRESS_SCHEMA_COMMENT, quarter_bounds, quarter_name
from scripts.pipeline.load.corpus import load_corpus


def _quarters(start: int, end: int, now: dt.date) -> list[tuple[int, int]]:
    out = []
    for y in range(start, end + 1):
        for q in range(1, 5):
            if quarter_bounds(y, q)[0] <= now:
                out.append((y, q))
    return out


def _day(y: int, q: int, now: dt.date) -> dt.date:
    d = dt.date(y, 3 * q - 1, 15)
    return d if d <= now else dt.date.fromordinal(now.toordinal())  # a new object: no YAML alias


def plan_reports(plan, now: dt.date) -> list[dict]:
    quarters = _quarters(plan.period.start, plan.period.end, now)
    if not quarters:
        return []
    first, second, last = quarters[0], quarters[min(1, len(quarters) - 1)], quarters[-1]
    out: list[dict] = []

    def add(target: dict, unit: str, quarter, status: str, text: str, **extra) -> None:
        out.append({**target, "unit": unit, "date": _day(*quarter, now), "status": status, "text": text, **extra})

    def units(t) -> list[str]:
        scoped = [d for n in plan.scope_notes if t.id in n.tasks for d in [*n.lead, *n.support]]
        return [*t.lead, *t.support, *scoped]

    tasks = [t for a in plan.actions for t in a.tasks if units(t)]
    for k, t in enumerate(tasks):
        target, unit = {"task": t.id}, units(t)[0]
        kind = k % 6
        if kind == 0:
            add(target, unit, first, "推进中", "已制定工作方案，正在推进。", evidence="示例〔2024〕1号")
            if second != first:
                add(target, unit, second, "已完成", "已按要求完成。")
        elif kind == 1:
            for q in quarters:
                add(target, unit, q, "推进中", f"{q[0]}年第{q[1]}季度按计划推进。")
        elif kind == 2:
            add(target, unit, first, "推进中", "已启动。")
            if last != first:
                add(target, unit, last, "滞后", "受客观因素影响，进度滞后。")
        elif kind == 3:
            add(target, unit, first, "推进中", "已部署。")
        elif kind == 4 and second != first:
            add(target, unit, first, "已完成", "已完成。")
            add(target, unit, second, "推进中", "发现新问题，重新整改。", note="复查发现问题，重新打开。")
        if t.recurrence:
            occ = occurrences(t.recurrence[0], plan)
            for key, due in occ.items():
                q = ((due.year, (due.month - 1) // 3 + 1))
                if q in quarters and _day(*q, now) <= now:
                    add({"task": t.id, "occurrence": key}, unit, q, "已完成", f"{key} 期已按要求开展。")
                    break
    for annex in plan.annexes:
        for row in annex.rows:
            if not row.restates and row.lead:
                add({"annex": annex.id, "row": row.number}, row.lead[0], first, "推进中", "清单事项推进中。")
    return out


def write_reports(data_dir: Path, now: dt.date) -> int:
    """Write the fixture reports of every plan of `data_dir`; returns how many."""
    corpus = load_corpus(data_dir)
    n = 0
    for loaded in corpus.plans:
        plan = loaded.model
        by_quarter: dict[str, list[dict]] = {}
        for r in plan_reports(plan, now):
            q = quarter_name(r["date"].year, (r["date"].month - 1) // 3 + 1)
            by_quarter.setdefault(q, []).append(r)
        for q, reports in by_quarter.items():
            path = data_dir / "progress" / plan.id / f"{q}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            body = yaml.safe_dump({"plan": plan.id, "quarter": q, "reports": reports}, allow_unicode=True, sort_keys=False)
            path.write_text(PROGRESS_SCHEMA_COMMENT + "\n" + body, encoding="utf-8")
            n += len(reports)
    return n
