"""The benchmark's synthetic progress: for a plan of the synthetic corpus
(corpus.py), a report on every task for every quarter of the plan's period
up to NOW, by one of its units (its first lead, else supporting, else a unit
its scope notes name, else the first unit of its jurisdiction), with the
statuses a province would see (mostly 推进中, some 已完成, 滞后, 未启动), so
that boards, bulletins, feeds and the task pages carry their full weight.
Every report passes `make check`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from ..model.progress import PROGRESS_SCHEMA_COMMENT, quarter_bounds, quarter_name



def _status(k: int, n: int, last: int) -> str:
    """Task k's status in its n-th quarter: never going backwards."""
    if n == 0 and k % 5 == 0:
        return "未启动"
    if n == last and n > 0 and k % 7 == 0:
        return "已完成"
    return "滞后" if (k + n) % 4 == 0 else "推进中"


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """No anchors and aliases for a date written twice (the loader's fast path takes none)."""

    def ignore_aliases(self, data) -> bool:
        return True


def _day(year: int, quarter: int, now: dt.date) -> dt.date:
    return min(dt.date(year, 3 * quarter - 1, 15), now)


def write_progress(plan: dict, jurisdiction_units: list[str], out: Path, now: dt.date) -> int:
    """Write data/progress/<plan>/<quarter>.yaml files for one plan (raw
    YAML data) into the data folder `out`; returns how many reports."""
    period = plan["period"]
    quarters = [(y, q) for y in range(period["start"], period["end"] + 1) for q in range(1, 5)
                if quarter_bounds(y, q)[0] <= now]
    scoped: dict[str, list[str]] = {}
    for note in plan.get("scope_notes", []):
        for t in note.get("tasks", []):
            scoped.setdefault(t, []).extend([*note.get("lead", []), *note.get("support", [])])
    tasks = [t for a in plan["actions"] for t in a.get("tasks", [])]
    by_quarter: dict[str, list[dict]] = {quarter_name(y, q): [] for y, q in quarters}
    for k, t in enumerate(tasks):
        units = [*t.get("lead", []), *t.get("support", []), *scoped.get(t["id"], [])] or jurisdiction_units[:1]
        if not units:
            continue
        for n, (y, q) in enumerate(quarters):
            status = _status(k, n, len(quarters) - 1)
            by_quarter[quarter_name(y, q)].append({
                "task": t["id"], "unit": units[0], "date": _day(y, q, now), "status": status,
                "text": f"{y}年第{q}季度工作进展：按计划推进，已完成阶段性任务。",
            })
    total = 0
    for name, reports in by_quarter.items():
        if not reports:
            continue
        path = out / "progress" / plan["id"] / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = yaml.dump({"plan": plan["id"], "quarter": name, "reports": reports}, Dumper=_Dumper,
                         allow_unicode=True, sort_keys=False, width=10**9)
        path.write_text(PROGRESS_SCHEMA_COMMENT + "\n" + body, encoding="utf-8")
        total += len(reports)
    return total


def progress_figures(data: Path, site: Path) -> str:
    """The bench's progress line: how many reports the corpus holds and the
    largest page (KB) of each kind that carries progress."""
    reports = sum(f.read_text(encoding="utf-8").count("\n  - ") + f.read_text(encoding="utf-8").count("\n- ")
                  for f in (data / "progress").rglob("*.yaml")) if (data / "progress").exists() else 0

    def largest(pattern: str) -> float:
        sizes = [p.stat().st_size for p in site.glob(pattern)]
        return max(sizes, default=0) / 1024

    boards = [p for p in site.glob("progress/*/index.html")]
    bulletins = list(site.glob("progress/*/*/index.html"))
    kb = lambda paths: max((p.stat().st_size for p in paths), default=0) / 1024  # noqa: E731
    return (f"bench: progress reports={reports} largest_kb: index={largest('progress/index.html'):.0f} "
            f"board={kb(boards):.0f} bulletin={kb(bulletins):.0f} department={largest('departments/*/index.html'):.0f} "
            f"plan={largest('plans/*/index.html'):.0f} feed={largest('feed.xml'):.0f} "
            f"department_feed={largest('departments/*/feed.xml'):.0f}")
