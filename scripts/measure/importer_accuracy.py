"""`python -m scripts.measure.importer_accuracy`: how much of an unseen plan
`make import` gets right before any hand edit.

Each held-out plan of tests/fixtures/heldout/ (fictional plans with a
hand-written gold file, format in its README) is imported from each of its
files (.txt, .docx, .pdf) exactly as a clerk would: `python -m scripts import
FILE --id ID` into a fresh copy of data/ (no registry for its jurisdiction),
and the draft is compared with the gold:

  tasks       a gold task has a draft task in the same order, with the same number
  texts       … and the same text (whitespace and ** aside)
  lead        (task, unit) pairs of lead units, scope notes applied, compared
  support     … of supporting units          through the gold's printed forms
  deadlines   (task, words, date): the draft's words contain or lie inside the gold's
  recurrence  (task, words, unit, interval, count)
  ongoing, events  (task, words)

A cell is `right/gold`, `+n` for what the draft adds that the gold has not,
and the score right / (gold + added): a miss and an addition cost the same.
The importer is never tuned on these plans: the figures are reported as they
come (README, "Importing a plan").
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..paths import DATA, ROOT

HELDOUT = ROOT / "tests" / "fixtures" / "heldout"
KINDS = ("txt", "docx", "pdf")
MEASURES = ("tasks", "texts", "lead", "support", "deadlines", "recurrence", "ongoing", "events")
TARGET = ("tasks", "texts", "lead", "support", "deadlines", "recurrence")  # issue 11: >= 95 % each
CN = {c: i + 1 for i, c in enumerate("一二三四五六七八九十")}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).replace("**", "")


def number_of(printed) -> int | None:
    """1 from '1.', '1、', 1; 3 from '（三）'; 12 from '（十二）'."""
    if isinstance(printed, int):
        return printed
    s = re.sub(r"[\s.．、（）()]", "", str(printed))
    if s.isdigit():
        return int(s)
    if s and all(c in CN for c in s):
        if len(s) == 1:
            return CN[s]
        if s[0] == "十":
            return 10 + CN.get(s[1:], 0)
        return CN[s[0]] * 10 + (CN.get(s[2:], 0) if len(s) > 2 else 0)
    return None


@dataclass
class Cell:
    right: int = 0
    gold: int = 0
    got: int = 0

    def add(self, other: Cell) -> None:
        self.right += other.right
        self.gold += other.gold
        self.got += other.got

    @property
    def score(self) -> float | None:
        denominator = self.gold + self.got - self.right
        return self.right / denominator if denominator else None

    def __str__(self) -> str:
        s = self.score
        extra = self.got - self.right
        return f"{self.right}/{self.gold}" + (f" +{extra}" if extra else "") + (f" {s:.0%}" if s is not None else " -")


@dataclass
class Result:
    plan: str
    kind: str
    cells: dict[str, Cell] = field(default_factory=lambda: {m: Cell() for m in MEASURES})
    error: str | None = None


# --------------------------------------------------------------------------- #
# Units: draft department ids and gold names, both to the gold's units
# --------------------------------------------------------------------------- #


def gold_units(gold: dict) -> dict[str, str]:
    """Every printed form (squashed) -> the gold unit's name."""
    out = {}
    for u in gold.get("units") or []:
        for form in [u["name"], u.get("full"), *(u.get("forms") or [])]:
            if form:
                out[squash(form)] = u["name"]
    return out


def draft_unit_names(registry: dict) -> dict[str, list[str]]:
    """Department id -> its names in the draft's registry (name, short, aliases)."""
    out = {}
    for d in (registry or {}).get("departments") or []:
        out[d["id"]] = [x for x in [d.get("name"), *(d.get("short") or []), *(d.get("aliases") or [])] if x]
    return out


def unit_of_gold_name(name: str, forms: dict[str, str]) -> str:
    return forms.get(squash(name), "?" + squash(name))


def unit_of_draft_id(ident: str, names: dict[str, list[str]], forms: dict[str, str]) -> str:
    for n in names.get(ident, []):
        if squash(n) in forms:
            return forms[squash(n)]
    return "!" + ident  # a unit the gold does not know: always an addition


# --------------------------------------------------------------------------- #
# Comparing one draft with its gold
# --------------------------------------------------------------------------- #


def draft_tasks(plan: dict) -> list[dict]:
    return [t for a in plan.get("actions") or [] for t in a.get("tasks") or []]


def scope_lead(plan: dict) -> dict[str, list[str]]:
    """Task id -> the units that scope notes make responsible for it."""
    out: dict[str, list[str]] = {}
    for note in plan.get("scope_notes") or []:
        for tid in note.get("applies_to") or note.get("tasks") or []:
            out.setdefault(tid, []).extend(note.get("units") or note.get("lead") or [])
    return out


def align(gold_tasks: list[dict], tasks: list[dict]) -> list[dict | None]:
    """For each gold task, the draft task that is the same task (in order), or None."""
    a = [squash(t["text"]) for t in gold_tasks]
    b = [squash(t.get("text", "")) for t in tasks]
    out: list[dict | None] = [None] * len(a)
    j0 = 0
    for i, ga in enumerate(a):
        best, best_j = 0.0, None
        for j in range(j0, min(len(b), j0 + 6)):
            r = difflib.SequenceMatcher(None, ga, b[j], autojunk=False).ratio()
            if r > best:
                best, best_j = r, j
        if best_j is not None and best >= 0.6:
            out[i] = tasks[best_j]
            j0 = best_j + 1
    return out


def _inside(a: str, b: str) -> bool:
    a, b = squash(a), squash(b)
    return bool(a and b) and (a in b or b in a)


def _pairs(cell: Cell, want: list, got: list, same) -> None:
    cell.gold += len(want)
    cell.got += len(got)
    left = list(got)
    for w in want:
        hit = next((g for g in left if same(w, g)), None)
        if hit is not None:
            left.remove(hit)
            cell.right += 1


def _recurrence_key(r: dict) -> tuple:
    every, interval, count = r.get("every"), r.get("interval") or 1, r.get("min_count") or 1
    if every == "half-month":  # the gold: 每半月 is unit month, interval 1, count 2
        return ("month", interval, 2 * count)
    return (every, interval, count)


def compare(gold: dict, plan: dict, registry: dict) -> dict[str, Cell]:
    cells = {m: Cell() for m in MEASURES}
    forms = gold_units(gold)
    names = draft_unit_names(registry)
    tasks = draft_tasks(plan)
    matched = align(gold["tasks"], tasks)
    scoped = scope_lead(plan)
    cells["tasks"].got = cells["texts"].got = len(tasks)
    for g, t in zip(gold["tasks"], matched):
        cells["tasks"].gold += 1
        cells["texts"].gold += 1
        t = t or {}
        if t and number_of(t.get("number")) == number_of(g["number"]):
            cells["tasks"].right += 1
            if squash(t.get("text", "")) == squash(g["text"]):
                cells["texts"].right += 1
        for role in ("lead", "support"):
            want = {unit_of_gold_name(n, forms) for n in g.get(role) or []}
            ids = list(t.get(role) or []) + (scoped.get(t.get("id"), []) if role == "lead" and t else [])
            got = {unit_of_draft_id(i, names, forms) for i in ids}
            if role == "support":
                got -= {unit_of_draft_id(i, names, forms) for i in t.get("lead") or []}
            cells[role].gold += len(want)
            cells[role].got += len(got)
            cells[role].right += len(want & got)
        _pairs(cells["deadlines"], g.get("deadlines") or [], t.get("deadlines") or [],
               lambda w, x: _inside(w["text"], x["text"]) and str(w["date"]) == str(x.get("date")))
        _pairs(cells["recurrence"], g.get("recurrence") or [], t.get("recurrence") or [],
               lambda w, x: _inside(w["text"], x["text"])
               and (w["unit"], w.get("interval") or 1, w.get("count") or 1) == _recurrence_key(x))
        _pairs(cells["ongoing"], g.get("ongoing") or [], t.get("ongoing") or [],
               lambda w, x: _inside(w, x.get("text", "")))
        _pairs(cells["events"], g.get("events") or [], t.get("events") or [],
               lambda w, x: _inside(w, x.get("text", "")))
    for t in tasks:  # what the draft says of tasks the gold does not have
        if not any(t is m for m in matched):
            for role in ("lead", "support", "deadlines", "recurrence", "ongoing", "events"):
                cells[role].got += len(t.get(role) or [])
    return cells


# --------------------------------------------------------------------------- #
# Running the import as a clerk would
# --------------------------------------------------------------------------- #


def import_file(path: Path, plan_id: str, work: Path) -> tuple[dict, dict]:
    """`python -m scripts --data COPY import PATH --id PLAN_ID` in a fresh copy of
    data/; the draft plan and its jurisdiction's registry."""
    data = work / "data"
    if data.exists():
        shutil.rmtree(data)
    shutil.copytree(DATA, data)
    done = subprocess.run([sys.executable, "-m", "scripts", "--data", str(data), "import", str(path), "--id", plan_id],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip()[-500:] or f"exit {done.returncode}")
    plan = yaml.safe_load((data / "plans" / f"{plan_id}.yaml").read_text(encoding="utf-8"))
    reg_path = data / "departments" / f"{plan['jurisdiction']}.yaml"
    registry = yaml.safe_load(reg_path.read_text(encoding="utf-8")) if reg_path.is_file() else {}
    return plan, registry


def measure(heldout: Path = HELDOUT, kinds: tuple[str, ...] = KINDS) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory(prefix="importer-accuracy-") as tmp:
        for gold_path in sorted(heldout.glob("*.gold.yaml")):
            gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
            plan_id = gold["plan"]["id"]
            for kind in kinds:
                src = heldout / gold["files"][kind]
                r = Result(plan_id, kind)
                try:
                    plan, registry = import_file(src, plan_id, Path(tmp))
                    r.cells = compare(gold, plan, registry)
                except Exception as e:  # reported in the table, counted as nothing right
                    r.error = f"{type(e).__name__}: {e}"
                    r.cells["tasks"].gold = r.cells["texts"].gold = len(gold["tasks"])
                results.append(r)
    return results


def totals(results: list[Result], kind: str | None = None) -> dict[str, Cell]:
    out = {m: Cell() for m in MEASURES}
    for r in results:
        if kind is None or r.kind == kind:
            for m in MEASURES:
                out[m].add(r.cells[m])
    return out


def table(results: list[Result]) -> str:
    width = 16
    lines = ["importer accuracy on the held-out plans (right/gold +added score; score = right / (gold + added))",
             f"{'plan':24}{'file':6}" + "".join(f"{m:>{width}}" for m in MEASURES)]
    for r in results:
        row = f"{r.plan:24}{r.kind:6}" + "".join(f"{str(r.cells[m]):>{width}}" for m in MEASURES)
        lines.append(row + (f"  ERROR {r.error}" if r.error else ""))
    for kind in sorted({r.kind for r in results}, key=KINDS.index):
        t = totals(results, kind)
        lines.append(f"{'all plans':24}{kind:6}" + "".join(f"{str(t[m]):>{width}}" for m in MEASURES))
    t = totals(results)
    lines.append(f"{'all plans':24}{'all':6}" + "".join(f"{str(t[m]):>{width}}" for m in MEASURES))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.measure.importer_accuracy", description=__doc__.split("\n")[0])
    parser.add_argument("--heldout", type=Path, default=HELDOUT, help="folder of plans with .gold.yaml files")
    parser.add_argument("--kinds", default=",".join(KINDS), help="file kinds to import (default: txt,docx,pdf)")
    args = parser.parse_args(argv)
    print(table(measure(args.heldout, tuple(args.kinds.split(",")))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
