"""The benchmark's synthetic corpus: a data folder the size of a province.

A province is thousands of towns and districts with plans like
the five real ones, so a corpus of about M tasks is made of replicas of the
real data/ (replica 0 is the real data itself). Every replica has

- the same shape: every plan, action, task, goal, section, annex row,
  deadline, recurring duty, department and organisation body of the real
  corpus, with the same references between them;
- unique ids: every id (plans, plan parts, departments, jurisdictions) is
  prefixed with `r<replica>-`, references likewise;
- the same text statistics: the text of a replica is the real text with its
  Chinese characters permuted by a bijection of its own (a different one per
  replica), applied alike to the plans, their sources and the department
  registries. Lengths, character frequencies and n-gram statistics stay those
  of the real plans, every text is still in its source (the verbatim check
  passes), names stay unambiguous, and the links between similar tasks stay
  as dense as in the real corpus (inside a replica). The characters the
  date parser and the validator read (年, 月, 底, 季, 每 …) are never
  permuted, so every date and period still reads the same.

The shared registries (categories, topics, national framework, synonyms)
are copied as they are.

The replicas sit in a hierarchy shaped like a province (replica 0 keeps the
real one): one synthetic province, and below it one district per group of
GROUP replicas (about 16 at 30,000 tasks). The district is the group's
first copy of the real jurisdiction of the highest level (a 区); below it
sit every other jurisdiction of the group's replicas with a plan — towns
and streets (three per replica, about 40 per district) and departments with
plans of their own (委办局: the real 国资委's copies, and the other replicas'
copies of the district). One jurisdiction per plan, as each copy brings its
own units. A plan that cites a higher plan implements the district's plan
(`plan:`, its citation left as printed). An area of the split pages is a
district, so an area is the same size at 3,000 and at 30,000 tasks; only
the number of areas grows. Real jurisdictions without a plan (the
ancestors 上海市, 松江区 …) are not replicated.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import time
from pathlib import Path
from typing import Any

import yaml

from ..model.models import SCHEMA_COMMENT
from ..paths import DATA, ROOT
from ..pipeline.load.document import load_yaml
from .progress_corpus import write_progress

# Keys whose values are ids or references to ids: prefixed, never permuted.
# ("tasks" holds ids only in a scope note: an action's tasks are mappings, walked key by key.)
ID_KEYS = {"id", "part", "restates", "lead", "support", "tasks", "department", "previous_ids", "parent", "plan",
           "jurisdiction"}
# Keys whose values hold Chinese characters but are literals of the format.
# (Shared ids, dates and field names are ASCII, which the permutation leaves alone.)
KEEP_KEYS = {"level"}
HAN = re.compile(r"[\u4e00-\u9fff]")
GROUP = 13  # replicas per synthetic district: ~16 districts at 30,000 tasks
PROVINCE = "synth-province"
LEVEL_RANK = ["省", "市", "区", "县", "乡", "镇", "街道", "委办局"]  # highest first


class Real:
    """The real corpus as plain data, and what a replica needs from it."""

    def __init__(self, data: Path = DATA):
        self.data = data
        self.plans: list[dict] = []
        self.registries: list[dict] = []
        self.sources: dict[str, str] = {}
        for path in sorted((data / "plans").glob("*.yaml")):
            if path.name.startswith("_"):
                continue
            doc, problems = load_yaml(path)
            if problems:
                raise SystemExit(f"bench: the real data has problems, run `make check`: {problems[0]}")
            self.plans.append(doc.data)
            self.sources[doc.data["source"]] = (data / "sources" / doc.data["source"]).read_text(encoding="utf-8")
        for path in sorted((data / "departments").glob("*.yaml")):
            doc, problems = load_yaml(path)
            if problems:
                raise SystemExit(f"bench: the real data has problems, run `make check`: {problems[0]}")
            self.registries.append(doc.data)
        self.tasks = sum(len(a.get("tasks", [])) for p in self.plans for a in p["actions"])
        if not self.plans:
            raise SystemExit("bench: the real data has no plan to replicate")
        self.protected = self._protected()
        everything = "".join(self.sources.values()) + yaml.safe_dump([self.plans, self.registries], allow_unicode=True)
        self.alphabet = sorted(set(HAN.findall(everything)) - self.protected)

    def head(self) -> str:
        """The real jurisdiction with a plan of the highest level (a 区): its
        copies are the synthetic districts (ties: most tasks, then id)."""
        tasks: dict[str, int] = {}
        for p in self.plans:
            tasks[p["jurisdiction"]] = tasks.get(p["jurisdiction"], 0) + sum(len(a.get("tasks", [])) for a in p["actions"])
        levels = {r["jurisdiction"]["id"]: r["jurisdiction"].get("level") for r in self.registries}
        rank = {lv: n for n, lv in enumerate(LEVEL_RANK)}
        return min(tasks, key=lambda j: (rank.get(levels.get(j), len(rank)), -tasks[j], j))

    def _protected(self) -> set[str]:
        """Characters never permuted: those the date parser and the validator
        read (年, 月, 底, 季, 每 …) and those of the jurisdiction levels."""
        chars: set[str] = set("市区镇街道委办局")
        scripts = ROOT / "scripts"
        for path in [scripts / "model" / "dates.py", scripts / "model" / "phrases.py", *sorted((scripts / "pipeline" / "validate").glob("*.py"))]:
            chars |= set(HAN.findall(path.read_text(encoding="utf-8")))
        return chars


def _translate(table: dict[int, str] | None, prefix: str):
    def text(s: str) -> str:
        return s.translate(table) if table else s

    def ident(s: str) -> str:
        return f"{prefix}{s}" if prefix else s

    def walk(node: Any, key: str = "") -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key) for v in node]
        if isinstance(node, str):
            if key in ID_KEYS:
                return ident(node)
            if key in KEEP_KEYS:
                return node
            return text(node)
        return node

    return text, ident, walk


def write_replica(real: Real, out: Path, replica: int, now: dt.date | None = None, group: int = GROUP) -> int:
    """Write replica number `replica` of the real plans and registries into
    the data folder `out`, in the synthetic hierarchy (replica 0: the real
    data as it is; with `now`: and a progress report on every task for every
    quarter up to it, progress_corpus.py); returns its number of tasks."""
    if replica == 0:
        table, prefix = None, ""
    else:
        rng = random.Random(replica)
        shuffled = real.alphabet[:]
        rng.shuffle(shuffled)
        table = {ord(a): b for a, b in zip(real.alphabet, shuffled)}
        prefix = f"r{replica:04d}-"
    text, ident, walk = _translate(table, prefix)
    head = real.head()
    first = _replica_id(replica - (replica - 1) % group) if replica else ""  # the group's first replica
    district = f"{first}{head}"
    with_plans = {p["jurisdiction"] for p in real.plans}
    units: dict[str, list[str]] = {}
    for reg in real.registries:
        jid = reg["jurisdiction"]["id"]
        if replica and jid not in with_plans:
            continue  # the real ancestors are not replicated
        new = walk(reg)
        j = new["jurisdiction"]
        j["id"] = ident(jid)
        if replica:
            j.pop("previous_ids", None)
            j["parent"] = PROVINCE if j["id"] == district else district
            if jid == head and j["id"] != district:
                j["level"] = "委办局"  # a district office's plan of its own
        units[j["id"]] = [d["id"] for d in new.get("departments", [])]
        _dump(out / "departments" / f"{j['id']}.yaml", new, comment=False)
    head_plan = next((p["id"] for p in real.plans if p["jurisdiction"] == head), None)
    tasks = 0
    for plan in real.plans:
        new = walk(plan)
        new["jurisdiction"] = ident(plan["jurisdiction"])
        if replica:
            refs = [{k: v for k, v in ref.items() if k not in ("plan", "jurisdiction")} for ref in new.get("implements", [])]
            if refs and head_plan and new["jurisdiction"] != district:
                refs[0]["plan"] = f"{first}{head_plan}"  # the district's plan: cited as printed, linked
            if refs:
                new["implements"] = refs
        new["source"] = f"{prefix}{plan['source']}"
        (out / "sources" / new["source"]).write_text(text(real.sources[plan["source"]]), encoding="utf-8")
        _dump(out / "plans" / f"{new['id']}.yaml", new)
        if now:
            write_progress(new, units.get(new["jurisdiction"], []), out, now)
        tasks += sum(len(a.get("tasks", [])) for a in new["actions"])
    return tasks


def _replica_id(replica: int) -> str:
    return f"r{replica:04d}-" if replica else ""


def _province(out: Path) -> None:
    """The registry of the synthetic province at the top of the replicas."""
    _dump(out / "departments" / f"{PROVINCE}.yaml", {
        "jurisdiction": {"id": PROVINCE, "name": "合成省", "level": "省", "note": "基准测试的合成语料（scripts/measure/corpus.py）。"},
        "departments": [],
    }, comment=False)


def _dump(path: Path, data: dict, comment: bool = True) -> None:
    body = yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True,
                     sort_keys=False, width=10**9, default_flow_style=False)
    path.write_text((SCHEMA_COMMENT + "\n" if comment else "") + body, encoding="utf-8")


def make_corpus(out: Path, tasks_wanted: int, real: Real | None = None, say=lambda msg: None,
                now: dt.date | None = None, group: int = GROUP) -> tuple[int, int]:
    """A data folder of about `tasks_wanted` tasks, `group` replicas to a
    district (with `now`: and their progress reports up to it); returns
    (plans, tasks). `say` is given a progress line every five seconds."""
    real = real or Real()
    replicas = max(1, round(tasks_wanted / real.tasks))
    for sub in ("plans", "departments", "sources"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for name in ("categories.yaml", "topics.yaml", "national.yaml", "synonyms.yaml"):
        if (real.data / name).exists():
            shutil.copy2(real.data / name, out / name)
    tasks = 0
    last = time.monotonic()
    if replicas > 1:
        _province(out)
    for r in range(replicas):
        tasks += write_replica(real, out, r, now, group)
        if time.monotonic() - last > 5:
            say(f"  … {r + 1} of {replicas} replicas written")
            last = time.monotonic()
    return replicas * len(real.plans), tasks
