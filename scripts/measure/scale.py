"""Search at the scale of a province: the real search documents replicated
to N tasks (optionally with the CJK characters of each replica permuted),
and a copy of a built site whose search data holds them (`python -m
scripts.measure.search_report scale`, the search tests at scale).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..search.documents import KIND_ORDER, Doc, documents, folded_synonyms, record_fields
from ..search.index import SEARCH_DIR, build_files
from ..search.text import is_han
from .engine import site_size

def scaled_documents(site, tasks: int, permute: bool = False, seed: int = 1) -> tuple[list[Doc], list[list[str]]]:
    """The real documents replicated until there are at least `tasks` tasks.
    Replica r > 0 has its plans renamed (short title + "·r"); with `permute`
    its CJK characters are also permuted by a bijection of its own (as
    scripts/measure/corpus.py does), so its grams differ from the real ones."""
    import random

    docs, plans = documents(site)
    real = sum(1 for d in docs if d.rec["k"] == "t") or 1
    han = sorted({c for d in docs for _, s in d.fields for c in s if is_han(c)})
    out_docs: list[Doc] = []
    out_plans: list[list[str]] = []
    for r in range(max(1, -(-tasks // real))):
        table: dict[int, str] = {}
        if permute and r:
            shuffled = han[:]
            random.Random(seed * 100_003 + r).shuffle(shuffled)
            table = {ord(a): b for a, b in zip(han, shuffled)}

        def tr(v: Any) -> Any:
            if isinstance(v, str):
                return v.translate(table) if table else v
            if isinstance(v, list):
                return [tr(x) for x in v]
            return v

        offset = len(out_plans)
        for row in plans:
            out_plans.append([tr(row[0]) + (f"·{r}" if r else ""), tr(row[1]), tr(row[2]), row[3]])
        for d in docs:
            rec = {k: (v if k in ("k", "u", "n", "p") else tr(v)) for k, v in d.rec.items()}
            if "p" in rec:
                rec["p"] = rec["p"] + offset
            facets = dict(d.facets)
            if r and "p" in facets:  # each replica's plans are plans of their own
                facets["p"] = [(vid + f"·{r}", label + f"·{r}") for vid, label in facets["p"]]
            doc = Doc(rec=rec, plan=rec.get("p"), facets=facets)
            doc.fields = record_fields(rec, out_plans[doc.plan] if doc.plan is not None else None)
            out_docs.append(doc)
    out_docs.sort(key=lambda d: KIND_ORDER[d.rec["k"]])
    return out_docs, out_plans


def load_site(data_dir: Path | None = None):
    """The enriched Site of data/ or `data_dir` (NOW as set)."""
    from ..paths import DATA
    from ..pipeline.enrich import enrich
    from ..pipeline.validate import check

    corpus, problems = check(data_dir or DATA)
    if problems:
        raise SystemExit("search: the data has problems; run `make check`")
    return enrich(corpus)


def make_scaled_site(built: Path, out: Path, tasks: int, permute: bool = False,
                     data_dir: Path | None = None) -> dict[str, Any]:
    """A copy of the built site `built` (of data/ or `data_dir`) whose search
    data holds `tasks` tasks (scaled_documents). Returns sizes and the time
    the index took."""
    import shutil

    site = load_site(data_dir)
    t0 = time.perf_counter()
    docs, plans = scaled_documents(site, tasks, permute)
    t1 = time.perf_counter()
    files = build_files(docs, plans, folded_synonyms(site))
    t2 = time.perf_counter()
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(built, out, ignore=lambda d, names: [SEARCH_DIR] if Path(d) == Path(built) else [])
    for rel, data in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return {"docs": len(docs), "tasks": sum(1 for d in docs if d.rec["k"] == "t"),
            "docs_s": t1 - t0, "index_s": t2 - t1, **site_size(out)}
