"""What `make bench` measures besides the full build: the reference build
(stock MkDocs + Material on plain pages, the yardstick the full build is
reported against) and a one-plan edit (the change a pull request brings,
rebuilt with the build cache).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

from .corpus import _dump

REFERENCE_CONFIG = """\
# Stock MkDocs + Material: the theme's defaults (its search plugin included),
# a navigation of the home page only (a listing of every page would make
# each page as long as the site).
site_name: 参考站
theme:
  name: material
nav:
  - index.md
"""
PARAGRAPH = ("各地区、各有关部门要压紧压实安全生产责任，深入开展重大事故隐患排查整治，"
             "健全完善风险分级管控和隐患排查治理双重预防机制，第{n}项工作按季度报送进展情况。")


def reference_build(pages: int, work: Path) -> tuple[float, float]:
    """(seconds, seconds of CPU) `mkdocs build` takes on `pages` plain
    one-paragraph pages (and a home page) with a stock mkdocs.yml and the
    Material theme, in one process, as MkDocs runs out of the box."""
    docs = work / "docs"
    for n in range(pages):
        path = docs / "pages" / f"{n // 1000:03d}" / f"{n:06d}.md"
        if n % 1000 == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# 第{n + 1}页\n\n{PARAGRAPH.format(n=n + 1)}\n", encoding="utf-8")
    (docs / "index.md").write_text("# 参考站\n\n" + PARAGRAPH.format(n=0) + "\n", encoding="utf-8")
    (work / "mkdocs.yml").write_text(REFERENCE_CONFIG, encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(work / "mkdocs.yml"),
                             "-d", str(work / "site")], cwd=work, env=env, stderr=subprocess.PIPE, text=True)
    errors = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"bench: the reference build failed:\n{errors[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime


def edit_one_plan(data: Path) -> str:
    """A clerk's correction to one plan, as a pull request brings it: in the
    plan in the middle of the corpus (by file name), the first task that
    names a lead unit gets one more supporting unit of its own jurisdiction
    (so the plan's page, that unit's page and downloads, the indexes and the
    search data change). Returns what was edited."""
    plans = sorted((data / "plans").glob("[!_]*.yaml"))
    if not plans:
        raise SystemExit(f"bench: no plan to edit in {data}")
    for path in plans[len(plans) // 2:] + plans[: len(plans) // 2]:
        plan = yaml.safe_load(path.read_text(encoding="utf-8"))
        registry = data / "departments" / f"{plan['jurisdiction']}.yaml"
        if not registry.is_file():
            continue
        units = [d["id"] for d in yaml.safe_load(registry.read_text(encoding="utf-8"))["departments"]]
        for action in plan["actions"]:
            for task in action.get("tasks", []):
                named = set(task.get("lead", [])) | set(task.get("support", []))
                spare = [u for u in units if u not in named]
                if task.get("lead") and spare:
                    task.setdefault("support", []).append(spare[0])
                    _dump(path, plan)
                    return f"{path.relative_to(data).as_posix()}: task {task['id']} also supported by {spare[0]}"
    raise SystemExit(f"bench: found no task to edit in {data}")
