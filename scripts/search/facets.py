"""Facets: what the search results can be narrowed by. Every search
document carries, per facet, the values it belongs to as (id, label) pairs:

  j  jurisdiction: the path from the top jurisdiction down to its own
     (plans and their tasks, goals, sections, annex rows: the plan's;
     a department page: the department's), so that choosing a jurisdiction
     keeps everything of its sub-jurisdictions too
  p  plan (the plan's page and everything in it)
  y  year of a deadline (tasks, goals, sections and annex rows with one)
  c  unit category of a lead or supporting unit (tasks and annex rows;
     a department page: its own)

A document without a value of a facet is left out when that facet is
narrowed. The index (index.py) writes one file per facet,
search/f/<facet>.json: {"v": [[id, label(, parent)]...], "r": [runs...]},
where the documents of value i are runs[i] = [gap, length, gap, length, …]
(each run starts `gap` documents after the end of the one before; the first
after 0). Documents come plan by plan, so a plan or a jurisdiction is a few
runs. The worker reads a facet file only to narrow or to count, never before
the first result of a query that narrows nothing.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..model.jurisdictions import ancestors

FACETS = ("j", "p", "y", "c")  # jurisdiction, plan, year of deadline, unit category

Value = tuple[str, str]  # (id, label)

def jurisdiction_paths(jurisdictions: Iterable[Any]) -> dict[str, list[Value]]:
    """Jurisdiction id -> its path, top first, itself last: [(id, name)].
    The hierarchy is the model's (`parent` ids, scripts/model/jurisdictions.py:
    ancestors()); pass every jurisdiction, so that the ones above are known."""
    known = {j.id: j for j in jurisdictions}
    return {jid: [(a, known[a].name) for a in [*ancestors(jid, known), jid]] for jid in known}


def plan_values(plan, paths: dict[str, list[Value]]) -> dict[str, list[Value]]:
    """The facets every document of a plan shares: its jurisdiction path, itself."""
    j = plan.jurisdiction
    out: dict[str, list[Value]] = {"p": [(plan.data.id, plan.data.short_title)]}
    if j is not None:
        out["j"] = paths.get(j.id) or [(j.id, j.name)]
    return out


def year_values(deadlines: Iterable[Any]) -> list[Value]:
    years = sorted({d.data.date.year for d in deadlines if d is not None})
    return [(str(y), f"{y}年") for y in years]


def category_values(departments: Iterable[Any]) -> list[Value]:
    out: dict[str, str] = {}
    for dep in departments:
        if dep.category is not None:
            out.setdefault(dep.category.data.id, dep.category.data.name)
    return list(out.items())


def runs(docs: list[int]) -> list[int]:
    """Sorted document numbers as [gap, length, gap, length, …]."""
    out: list[int] = []
    end = i = 0
    while i < len(docs):
        j = i
        while j + 1 < len(docs) and docs[j + 1] == docs[j] + 1:
            j += 1
        out += [docs[i] - end, j - i + 1]
        end = docs[j] + 1
        i = j + 1
    return out


def unrun(r: list[int]) -> list[int]:
    """The document numbers of runs (runs() undone)."""
    out: list[int] = []
    pos = 0
    for k in range(0, len(r), 2):
        start = pos + r[k]
        out.extend(range(start, start + r[k + 1]))
        pos = start + r[k + 1]
    return out


def facet_tables(docs: list[Any]) -> dict[str, dict[str, list]]:
    """Per facet: its values, in the order a reader sees them (jurisdictions
    as a tree, each under its parent; years ascending; others in document
    order), and the runs of documents of each."""
    out: dict[str, dict[str, list]] = {}
    for kind in FACETS:
        members: dict[str, list[int]] = {}
        labels: dict[str, str] = {}
        parent: dict[str, str | None] = {}
        for i, doc in enumerate(docs):
            values = doc.facets.get(kind) or []
            for k, (vid, label) in enumerate(values):
                if vid not in labels:
                    labels[vid] = label
                    parent[vid] = values[k - 1][0] if kind == "j" and k else None
                lst = members.setdefault(vid, [])
                if not lst or lst[-1] != i:
                    lst.append(i)
        if not labels:
            continue
        order = list(labels)
        if kind == "y":
            order.sort(key=lambda v: (len(v), v))
        elif kind == "j":
            children: dict[str | None, list[str]] = {}
            for v in order:
                children.setdefault(parent[v], []).append(v)
            order = []

            def walk(v: str) -> None:
                order.append(v)
                for c in children.get(v, []):
                    walk(c)

            for root in children.get(None, []):
                walk(root)
        index = {v: n for n, v in enumerate(order)}
        values = [[v, labels[v], index[parent[v]] if parent[v] is not None else -1] if kind == "j"
                  else [v, labels[v]] for v in order]
        out[kind] = {"v": values, "r": [runs(members[v]) for v in order]}
    return out
