"""The published machine-readable dataset, site/data/plans.json: its shape
is documented in docs/data.md, and others (and our tests) rely on it."""

from __future__ import annotations

from ...model.progress import STATUSES
from ..enrich.site import Site


def dataset(site: Site) -> dict:
    """The published machine-readable dataset, site/data/plans.json
    (documented in docs/data.md)."""

    def deps(views):
        return [{"id": d.data.id, "name": d.data.name, "url": d.url} for d in views]

    def deadline(d):
        out = {"date": d.date.isoformat(), "text": d.data.text, "status": d.status, "inferred": d.inferred,
               "timeline": d.timeline_url}
        if d.inferred:
            out["inferred_label"] = d.inferred_label
        if d.data.year is not None:
            out["year"] = d.data.year
        if d.data.note:
            out["note"] = d.data.note
        return out

    def ongoing(o):
        return {"text": o.data.text, **({"note": o.data.note} if o.data.note else {})}

    def event(e):
        out = {"text": e.data.text}
        if e.dated:
            out.update(date=e.date.isoformat(), status=e.status, editor_dated=True, timeline=e.timeline_url)
        if e.data.note:
            out["note"] = e.data.note
        return out

    def timing(x) -> dict:
        """The time fields of a task or section."""
        return {
            "deadlines": [deadline(d) for d in x.deadlines],
            "recurrence": [recurrence(r) for r in x.recurrence],
            "ongoing": [ongoing(o) for o in x.ongoing],
            "events": [event(e) for e in x.events],
        }

    def recurrence(r):
        out = {"every": r.data.every, "interval": r.data.interval, "min_count": r.data.min_count,
               "text": r.data.text, "label": r.label}
        if r.data.day:
            out["day"] = r.data.day
        if r.data.month:
            out["month"] = r.data.month
        if r.data.next_year:
            out["next_year"] = True
        if r.data.scope:
            out["scope"] = r.data.scope
        out["first_due"] = r.first_due.isoformat()
        out["last_due"] = r.last_due.isoformat()
        return out

    def report(r):
        out = {"date": r.date.isoformat(), "unit": r.unit.data.id, "status": r.status, "text": r.data.text}
        for key in ("occurrence", "evidence", "note"):
            if getattr(r.data, key):
                out[key] = getattr(r.data, key)
        return out

    def progress(item):
        p = item.progress
        return {"state": p.state.key, "state_label": p.state.label,
                "status": p.latest.status if p.latest else None,
                "reports": [report(r) for r in p.reports]}

    plans = []
    for p in site.plans:
        d = p.data
        plans.append({
            "id": d.id,
            "title": d.title,
            "short_title": d.short_title,
            "doc_number": d.doc_number,
            "issuer": d.issuer,
            "signer": d.signer,
            "issued": d.issued.isoformat() if d.issued else None,
            "period": {"start": d.period.start, "end": d.period.end},
            "jurisdiction": d.jurisdiction,
            "jurisdiction_path": p.jurisdiction_path,
            "implements": [{**i.data.model_dump(), "url": i.plan.url if i.plan else None} for i in p.implements],
            "implemented_by": [x.data.id for x in p.implemented_by],
            "source": f"sources/{d.source}",
            "url": p.url,
            "downloads": dict(p.downloads),
            "goals": [
                {
                    "id": g.data.id,
                    "text": g.data.text,
                    "deadlines": [deadline(x) for x in g.deadlines],
                    "targets": [x.id for x in g.targets],
                    "targets_inferred": g.inferred,
                }
                for g in p.goals
            ],
            "organisation": [b.model_dump(exclude_none=True) for b in d.organisation],
            "actions": [
                {
                    "id": a.data.id,
                    "number": a.data.number,
                    "title": a.data.title,
                    "url": a.url,
                    "national": [n.id for n in a.national],
                    "tasks": [
                        {
                            "id": t.data.id,
                            "number": t.data.number,
                            "printed_number": t.printed_number,
                            "title": t.data.title,
                            "text": t.data.text,
                            "url": t.url,
                            **timing(t),
                            "lead": deps(t.lead),
                            "support": deps(t.support),
                            "leaders": list(t.data.leaders),
                            "by_duty": t.data.by_duty,
                            "units_text": t.data.units_text,
                            "topics": [x.data.id for x in t.topics],
                            "national": [n.id for n in t.national],
                            "same_duty": [o.data.id for o in t.same_duty],
                            "progress": progress(t),
                        }
                        for t in a.tasks
                    ],
                }
                for a in p.actions
            ],
            "scope_notes": [n.model_dump(mode="json", exclude_none=True) for n in d.scope_notes],
            "sections": [
                {**s.data.model_dump(mode="json", exclude_none=True), **timing(s)} for s in p.sections
            ],
            "annex": [
                {
                    "id": annex.id,
                    "title": annex.title,
                    "included": annex.included,
                    "columns": list(annex.columns),
                    "rows": [
                        {
                            **r.data.model_dump(mode="json", exclude_none=True, exclude={"not_verbatim", "todo"}),
                            **({"due": deadline(r.due)} if r.due else {}),
                            "lead": deps(r.lead),
                            "support": deps(r.support),
                            "url": r.url,
                            "progress": progress(r),
                        }
                        for r in p.annex_rows.get(annex.id, [])
                    ],
                }
                for annex in d.annexes
            ],
        })
    departments = [
        {
            "id": v.data.id,
            "name": v.data.name,
            "short": list(v.data.short),
            "aliases": list(v.data.aliases),
            "category": v.data.category,
            "jurisdiction": v.jurisdiction.id,
            "group": v.data.group,
            "url": v.url,
            "downloads": dict(v.downloads),
        }
        for v in sorted(site.departments.values(), key=lambda v: v.data.id)
    ]
    national = None
    if site.national:
        n = site.national
        national = {
            "title": n.title,
            "issuer": n.issuer,
            "doc_number": n.doc_number,
            "issued": n.issued.isoformat(),
            "actions": [ln.model_dump(exclude_none=True) for ln in n.actions],
            "targets": [t.model_dump(mode="json") for t in n.targets],
            "local_lines": [ln.model_dump(exclude_none=True) for ln in n.local_lines],
        }
    jurisdictions = [
        {
            "id": j.data.id,
            "name": j.data.name,
            "level": j.data.level,
            "parent": j.parent.data.id if j.parent else None,
            "path": [x.data.id for x in j.path],
            "full_name": j.full_name,
            "note": j.data.note,
            "url": j.url,
            "plans": [p.data.id for p in j.plans],
            "children": [c.data.id for c in j.children],
            "area": j.area.data.id if j.area else j.data.id,
        }
        for j in site.jurisdiction_views.values()
    ]

    def areas(shares):
        return [{"jurisdiction": a, "url": x.url} for a, x in shares.items()]

    return {
        "generated_for": site.now.isoformat(),
        "progress_statuses": list(STATUSES),
        "national": national,
        "jurisdictions": jurisdictions,
        "plans": plans,
        "departments": departments,
        "topics": [{"id": t.data.id, "name": t.data.name, "url": t.url, "areas": areas(t.areas)} for t in site.topics.values()],
        "boards": [
            {"jurisdiction": jid, "url": b.url, "plans": [p.data.id for p in b.plans],
             "bulletins": [{"quarter": f"{x.year}-q{x.quarter}", "url": x.url} for x in b.bulletins]}
            for jid, b in site.boards.items()
        ],
        "categories": [{"id": c.data.id, "name": c.data.name, "url": c.url, "areas": areas(c.areas)}
                       for c in site.categories.values()],
        "compare": [{"jurisdiction": a.area.data.id, "url": a.url, "plans": [p.data.id for p in a.plans]}
                    for a in site.compare_areas],
        "timeline": [{"year": q.year, "quarter": q.quarter, "url": q.url, "areas": areas(q.areas)}
                     for q in site.timeline_quarters],
        "recurring": areas(site.recurring_areas),
        "ongoing": areas(site.ongoing_areas),
    }
