"""The search documents: one per task, plan, department and topic, and per
goal, section, action introduction and annex row; the fields of a record by
field code (what ranks a match), and the kinds a document's number tells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .facets import Value, category_values, jurisdiction_paths, plan_values, year_values
from .text import clean, fold

# Field codes, best first (see "Ranking" in scripts/search/__init__.py).
HEAD, NAMES, TEXT, CONTEXT = 3, 2, 1, 0


@dataclass
class Doc:
    """One search document: the record the worker reads (`rec`) and its
    searchable strings by field code."""

    rec: dict[str, Any]
    plan: int | None = None  # index into the plan table, for context fields
    fields: list[tuple[int, str]] = field(default_factory=list)
    facets: dict[str, list[Value]] = field(default_factory=dict)  # facet -> values (facets.py)


def _names(dep) -> list[str]:
    d = dep.data
    return [d.name, *d.short, *d.aliases]


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for s in items:
        s = clean(s)
        if s:
            seen.setdefault(s, None)
    return list(seen)


def _time_words(x) -> list[str]:
    """A task's or section's time words besides its deadlines and duties:
    the period in words (每两个月), its ongoing duties and event-tied timing."""
    return [r.every_label for r in x.recurrence] + [o.data.text for o in x.ongoing] + [e.data.text for e in x.events]


def progress_words(item) -> list[str]:
    """The words of an item's progress a search finds it by (滞后, 已完成,
    已逾期（未报送） …): its state and latest status, once anything was
    reported or it is overdue (暂无报送 alone is no search term)."""
    p = getattr(item, "progress", None)
    if p is None or not (p.reports or p.state.key == "overdue"):
        return []
    return [p.state.label] + ([p.latest.status] if p.latest else [])


def plan_row(p) -> list[str]:
    d = p.data
    return [clean(d.short_title), clean(d.doc_number or ""), clean(d.title), p.url]


def plan_context(row: list[str]) -> list[str]:
    return [s for s in row[:3] if s]


def record_fields(rec: dict[str, Any], plan: list[str] | None) -> list[tuple[int, str]]:
    """Searchable strings of a record, by field code. The worker computes
    exactly the same (fieldsOf in search-worker.js)."""
    out: list[tuple[int, str]] = []
    head = [rec.get("t", "")] + list(rec.get("h", []))
    out += [(HEAD, s) for s in head if s]
    out += [(NAMES, s) for s in list(rec.get("g", [])) + list(rec.get("m", [])) if s]
    out += [(TEXT, s) for s in (rec.get("x", ""), rec.get("o", "")) if s]
    ctx = list(plan_context(plan)) if plan else []
    if rec.get("a"):
        ctx.append(rec["a"])
    if rec.get("n"):
        ctx.append(f"第{rec['n']}项")
    out += [(CONTEXT, s) for s in ctx if s]
    return out


def _compact(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if v not in (None, "", [], 0) or k == "k"}


KIND_ORDER = {"t": 0, "s": 1, "p": 2, "d": 2, "g": 2}  # tasks, goals and sections, pages


def documents(site) -> tuple[list[Doc], list[list[str]]]:
    """Every search document, and the plan table. Documents are numbered
    tasks first (in site order), then goals and sections, then pages (plans,
    departments, topics): the kind of a document follows from its number
    (manifest "ranges"), which keeps the index's score bounds exact."""
    docs: list[Doc] = []
    plans: list[list[str]] = []
    paths = jurisdiction_paths(site.hierarchy.by_id.values())
    shared: dict[str, list[Value]] = {}  # the facets of the documents added next (a plan's, a department's)

    def add(rec: dict[str, Any], plan: int | None = None, **facets: list[Value]) -> None:
        rec = _compact(rec)
        if plan is not None:
            rec["p"] = plan
        docs.append(Doc(rec=rec, plan=plan, facets={**shared, **{k: v for k, v in facets.items() if v}}))

    for p in site.plans:
        pi = len(plans)
        plans.append(plan_row(p))
        shared = plan_values(p, paths)
        d = p.data
        officials: list[str] = [d.issuer, d.signer or ""]
        org_text: list[str] = []
        for body in d.organisation:
            officials.append(body.name)
            org_text.append(body.text or "")
            for m in body.members:
                officials += [m.person or "", m.position or ""]
        add({
            "k": "p", "u": p.url, "t": clean(d.title),
            "h": _unique([d.short_title, d.doc_number or ""]),
            "m": _unique(officials),
            "x": clean(" ".join([d.preamble or "", *org_text])),
            "o": clean(f"{d.issuer} · {d.period.start}—{d.period.end}年"),
        })
        for g in p.goals:
            add({"k": "s", "u": g.url, "t": "工作目标", "x": clean(g.data.text),
                 "m": _unique(x.data.text for x in g.deadlines)}, pi, y=year_values(g.deadlines))
        for a in p.actions:
            action = clean(f"{a.data.number}{a.data.title}")
            for t in a.tasks:
                td = t.data
                units = td.units_text
                if not units and (t.lead or t.support):
                    parts = []
                    if t.lead:
                        parts.append("牵头：" + "、".join(x.display for x in t.lead))
                    if t.support:
                        parts.append("配合：" + "、".join(x.display for x in t.support))
                    units = "；".join(parts)
                names = [n for dep in t.lead + t.support for n in _names(dep)]
                names += list(td.leaders)
                names += [x.data.text for x in t.deadlines] + [r.data.text for r in t.recurrence]
                names += _time_words(t)
                names += progress_words(t)
                add({
                    "k": "t", "u": t.url, "a": action, "n": td.number, "t": clean(td.title),
                    "x": clean(td.text), "o": clean(units or ""),
                    "g": _unique(x.data.name for x in t.topics),
                    "m": _unique(names),
                }, pi, y=year_values(t.deadlines), c=category_values(t.lead + t.support))
        for s in p.sections:
            add({"k": "s", "u": s.url, "t": clean(s.label), "x": clean(s.data.text),
                 "m": _unique([x.data.text for x in s.deadlines] + [r.data.text for r in s.recurrence] + _time_words(s))},
                pi, y=year_values(s.deadlines))
        for a in p.actions:
            if a.data.intro:
                add({"k": "s", "u": a.url, "t": clean(f"{a.data.number}{a.data.title}"), "x": clean(a.data.intro)}, pi)
        for annex in d.annexes:
            for r in p.annex_rows.get(annex.id, []):
                rd = r.data
                units = "；".join(x for x in [rd.lead_text and f"责任单位：{rd.lead_text}",
                                              rd.support_text and f"配合单位：{rd.support_text}"] if x)
                add({
                    "k": "s", "u": r.url, "t": clean(r.label),
                    "x": clean("。".join(x.rstrip("。") for x in [rd.task, rd.requirement, rd.remark] if x)),
                    "o": clean(units),
                    "m": _unique([n for dep in r.lead + r.support for n in _names(dep)]
                                 + ([rd.due.text] if rd.due else []) + progress_words(r)),
                    "g": _unique([rd.category or ""]),
                }, pi, y=year_values([r.due]), c=category_values(r.lead + r.support))
    for dep in site.departments.values():
        d = dep.data
        shared = {"j": paths[dep.jurisdiction.id]}
        counts = f"牵头 {len(dep.lead_tasks)} 项任务，配合 {len(dep.support_tasks)} 项"
        cat = dep.category.data.name if dep.category else ""
        add({
            "k": "d", "u": dep.url, "t": clean(d.name),
            "h": _unique([*d.short, *d.aliases]),
            "m": _unique([dep.jurisdiction.name, cat]),
            "o": clean(" · ".join(x for x in [dep.jurisdiction.name, cat, counts] if x)),
        }, c=category_values([dep]))
    shared = {}
    for topic in site.topics.values():
        add({"k": "g", "u": topic.url, "t": clean(topic.data.name),
             "o": f"专题 · {len(topic.tasks)} 项任务"})
    docs.sort(key=lambda d: KIND_ORDER[d.rec["k"]])  # stable: site order within a kind
    for doc in docs:
        doc.fields = record_fields(doc.rec, plans[doc.plan] if doc.plan is not None else None)
    return docs, plans


def kind_ranges(docs: list[Doc]) -> list[int]:
    """[first goal or section, first page]: documents before the first are
    tasks, from the second on pages."""
    kinds = [KIND_ORDER[d.rec["k"]] for d in docs]
    assert kinds == sorted(kinds), "documents must come tasks, sections, pages"
    return [next((i for i, k in enumerate(kinds) if k >= 1), len(kinds)),
            next((i for i, k in enumerate(kinds) if k >= 2), len(kinds))]


def kind_of(doc: int, ranges: list[int]) -> int:
    """0 task, 1 goal or section, 2 page (plan, department, topic)."""
    return 0 if doc < ranges[0] else 1 if doc < ranges[1] else 2


def kind_bonus(kind: int, all_head: bool) -> int:
    """Score adjustment by kind: a page whose names hold every piece +5,
    goals and sections -3."""
    return (5 if all_head else 0) if kind == 2 else -3 if kind == 1 else 0


def folded_synonyms(site) -> list[list[str]]:
    out = []
    for group in site.synonyms:
        terms = _unique(fold(clean(t)) for t in group)
        if len(terms) >= 2:
            out.append(terms)
    return out
