"""From what was read to the plan's structure: actions and tasks as plan
data (text, title, units, deadlines, recurring duties), goals split from a
paragraph, and ids that are short hashes of titles, unique in the data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.scalarstring import LiteralScalarString

from ...pipeline.load.document import load_yaml
from ...model.phrases import find_time_phrases
from .phrases import time_fields
from .read import Task
from .text import clean, join_paragraphs, split_top, squash, title_of, trailing_paren
from .units import Registry, looks_like_units, parse_units, prose_units


def hash_id(prefix: str, kind: str, text: str, salt: str, used: set[str]) -> str:
    digest = hashlib.sha1(f"{salt}\n{kind}\n{squash(text)}".encode()).hexdigest()
    tag = {"task": "", "action": "a-", "section": "s-", "goal": "goal-", "part": "p-",
           "body": "b-", "annex": "annex-"}[kind]
    n = 6
    while True:
        ident = f"{prefix}-{tag}{digest[:n]}"
        if ident not in used:
            used.add(ident)
            return ident
        n += 1


def existing_ids(data_dir: Path, skip: Path | None) -> set[str]:
    """Ids used anywhere in the data (plans and registries), to stay unique.
    The files are read as `make check` reads them (its libyaml fast path: a
    tenth of the time of ruamel's safe loader); a file that does not load
    is skipped, its problems are `make check`'s business."""
    used: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            v = node.get("id")
            if isinstance(v, str):
                used.add(v)
            for x in node.values():
                walk(x)
        elif isinstance(node, list):
            for x in node:
                walk(x)

    for path in list((data_dir / "plans").glob("*.yaml")) + list((data_dir / "departments").glob("*.yaml")):
        if skip is not None and path.resolve() == skip.resolve():
            continue
        walk(load_yaml(path)[0].data)  # None when it does not load
    return used


def close_if_units(task: Task, reg: Registry) -> None:
    tp = trailing_paren(task.joined())
    if tp and looks_like_units(tp[1], reg):
        task.closed = True


def goal_pieces(text: str) -> list[str]:
    """One goal per sentence (。；), also split before a clause that starts with a deadline."""
    out = []
    for sentence in split_top(text.replace("\n", ""), "。；"):
        chunk = ""
        for clause in split_top(sentence, "，"):
            first = next((t for t in find_time_phrases(clause) if t.kind == "deadline"), None)
            if chunk and first and not clause[:first.start].strip():
                out.append(chunk)
                chunk = ""
            chunk += clause
        if chunk:
            out.append(chunk)
    return [p.strip().rstrip("，。；").strip() for p in out if p.strip().rstrip("，。；").strip()]


@dataclass
class Ctx:
    """What building actions and tasks needs: the registry, the period and the ids in use."""

    reg: Registry
    period: tuple[int, int]
    prefix: str
    salt: str
    used: set[str]


def make_action(ctx: Ctx, number: str, title: str, intro_paras: list[str], tasks: list[Task],
            part: str | None) -> dict:
    a: dict[str, Any] = {"id": hash_id(ctx.prefix, "action", title, ctx.salt, ctx.used), "number": number,
                         "title": title}
    if part:
        a["part"] = part
    intro = clean(join_paragraphs(intro_paras))
    if intro:
        a["intro"] = intro
    a["tasks"] = [make_task(ctx, t) for t in tasks]
    return a


def make_task(ctx: Ctx, t: Task) -> dict:
    """A task as plan data. Its responsibility words: the parenthesis that ends
    it, the `牵头单位：…` lines after it, else a `由…牵头，…配合` sentence in it."""
    reg = ctx.reg
    full = t.joined()
    units_text = None
    tp = trailing_paren(full)
    if tp and looks_like_units(tp[1], reg):
        full, units_text = tp[0], clean(tp[1])
    text = clean(full)
    title = t.heading.rstrip("。").strip() if t.heading else title_of(text)
    title = clean(title)
    out: dict[str, Any] = {"id": hash_id(ctx.prefix, "task", title, ctx.salt, ctx.used), "number": t.number}
    if t.printed:
        out["number_text"] = t.printed
    out.update(title=title, text=LiteralScalarString(text) if "\n" in text else text)
    todo = []
    words = [w for w in ([units_text] if units_text else []) + t.resp if w]
    parsed = [parse_units(w, reg) for w in words]
    if not parsed:
        prose = prose_units(text, reg)
        if prose:
            words = [prose[0]]
            parsed = [prose[1]]
    if words:
        out["units_text"] = "\n".join(words)
        u: dict[str, Any] = {"lead": [], "support": [], "leaders": [], "unknown": [], "skipped": [], "scope": None}
        for p in parsed:
            for key in ("lead", "support", "leaders", "unknown", "skipped"):
                u[key] += [x for x in p[key] if x not in u[key]]
            u["scope"] = u["scope"] or p["scope"]
        u["support"] = [x for x in u["support"] if x not in u["lead"]]
        for key in ("lead", "support", "leaders"):
            if u[key]:
                out[key] = u[key]
        if all(p["by_duty"] for p in parsed):
            out["by_duty"] = True
        if u["unknown"]:
            out["_unknown"] = u["unknown"]
            todo.append("map these units to departments (lead or support): " + "、".join(u["unknown"]))
        if u["scope"]:
            out["_scope"] = u["scope"]
    times, remarks = time_fields(text, ctx.period)
    out.update(times)
    todo += remarks
    flat = text.replace("\n", "")
    if not t.heading and flat.startswith(title) and flat[len(title):len(title) + 1] not in ("", "，", "；", "：", "。"):
        todo.append(f"title: '{title}' is cut from a long first clause; write a short title in the plan's words")
    if todo:
        out["todo"] = todo
    return out
