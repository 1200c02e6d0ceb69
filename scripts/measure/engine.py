"""The reference engine: the worker's algorithm in Python, over a built site
(or a docs folder), to test the worker against and to measure search:
`Engine` (the top-k search with upper bounds, exactly as the worker),
`search_download_bytes` (gzipped bytes a reader downloads before the first
result) and `site_size`. Not part of the build.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..search.documents import HEAD, KIND_ORDER, kind_bonus, kind_of, record_fields
from ..search.index import BUNDLE_FILE, INDEX_FILE, SEARCH_DIR, WORKER_FILE
from ..search.text import fnv1a, fold, grams, query_terms, variants

GZIP_LEVEL = 6  # what a static web server typically uses


def decode(postings: list[int]) -> tuple[list[int], list[int]]:
    ids, fields = [], []
    doc = 0
    for v in postings:
        doc += v >> 2
        ids.append(doc)
        fields.append(v & 3)
    return ids, fields


@dataclass
class Hit:
    doc: int
    score: int
    rec: dict[str, Any]
    plan: list[str] | None


@dataclass
class Answer:
    terms: list[str]
    hits: list[Hit]
    total: int  # matching documents (exact count up to `approx`)
    approx: bool  # some candidates beyond the list were not verified
    fetched: list[str]  # files read, in order (paths under the site root)
    candidates: int = 0  # documents the index proposed


class Engine:
    """The worker's algorithm over a built site (or a docs dir)."""

    def __init__(self, root: Path, bundle: bool = True):
        self.root = Path(root)
        index = json.loads((self.root / INDEX_FILE).read_text(encoding="utf-8"))
        self.m = index["config"]["cjk"]
        self._bi = set(self.m["bi"])
        self._uni = set(self.m["uni"])
        self.cache: dict[str, Any] = {}
        self.bundle = f"{SEARCH_DIR}/{self.m['bundle']}" if bundle and self.m.get("bundle") else None

    def _get(self, rel: str, fetched: list[str]) -> Any:
        if self.bundle:  # one file holds them all
            if self.bundle not in self.cache:
                data = json.loads((self.root / self.bundle).read_text(encoding="utf-8"))
                self.cache[self.bundle] = {f"{SEARCH_DIR}/{k}": v for k, v in data.items()}
            if self.bundle not in fetched:
                fetched.append(self.bundle)
            return self.cache[self.bundle][rel]
        if rel not in self.cache:
            self.cache[rel] = json.loads((self.root / rel).read_text(encoding="utf-8"))
        if rel not in fetched:
            fetched.append(rel)
        return self.cache[rel]

    def _postings(self, gram: str, fetched: list[str]) -> dict[int, int]:
        """doc -> best field of the gram."""
        if len(gram) == 1:
            k = fnv1a(gram) & (self.m["ushards"] - 1)
            if k not in self._uni:
                return {}
            shard = self._get(f"{SEARCH_DIR}/u/{k}.json", fetched)
        else:
            k = fnv1a(gram) & (self.m["shards"] - 1)
            if k not in self._bi:
                return {}
            shard = self._get(f"{SEARCH_DIR}/g/{k}.json", fetched)
        ids, fields = decode(shard.get(gram, []))
        return dict(zip(ids, fields))

    def _variant_bound(self, v: str, fetched: list[str]) -> dict[int, int]:
        """doc -> upper bound of the field the phrase `v` can lie in."""
        out: dict[int, int] | None = None
        for g in sorted(set(grams(v)), key=lambda g: g):
            post = self._postings(g, fetched)
            if out is None:
                out = dict(post)
            else:
                out = {d: min(f, post[d]) for d, f in out.items() if d in post}
            if not out:
                return {}
        return out or {}

    def search(self, query: str, limit: int | None = None) -> Answer:
        """The best `limit` results (default: the manifest's "max"; the worker
        lists the best "first" of them before the rest)."""
        answer = self._search(query, limit, merge=True)
        if not answer.candidates and query_terms(query, merge=False) != query_terms(query, merge=True):
            answer = self._search(query, limit, merge=False)
        return answer

    def _search(self, query: str, limit: int | None, merge: bool) -> Answer:
        limit = limit or self.m["max"]
        fetched: list[str] = []
        terms = query_terms(query, merge)
        if not terms:
            return Answer(terms, [], 0, False, fetched)
        per_term: list[list[str]] = [variants(t, self.m["synonyms"]) for t in terms]
        bounds: dict[int, int] | None = None
        multi = False
        for vs in per_term:
            best: dict[int, int] = {}
            for j, v in enumerate(vs):
                multi |= len(set(grams(v))) > 1
                exact = 1000 if j == 0 else 0
                for d, f in self._variant_bound(v, fetched).items():
                    s = exact + 10 * f
                    if s > best.get(d, -1):
                        best[d] = s
            if bounds is None:
                bounds = best
            else:
                bounds = {d: s + best[d] for d, s in bounds.items() if d in best}
            if not bounds:
                return Answer(terms, [], 0, False, fetched)
        assert bounds is not None
        head_all = 10 * HEAD * len(terms)  # the fields part when every piece is in a title
        ranges = self.m["ranges"]
        cands = sorted(((s + kind_bonus(kind_of(d, ranges), s % 1000 == head_all), d) for d, s in bounds.items()),
                       key=lambda x: (-x[0], x[1]))
        results: list[tuple[int, int, Hit]] = []
        matched = 0
        i = 0
        batch = limit  # one round, unless some fail
        while i < len(cands):
            if len(results) >= limit:
                kth = results[limit - 1]
                if (kth[0] > cands[i][0]) or (kth[0] == cands[i][0] and kth[1] < cands[i][1]):
                    break
            for ub, d in cands[i:i + batch]:
                rec, plan = self._record(d, fetched)
                s = self.verify(rec, plan, per_term)
                if s is not None:
                    matched += 1
                    results.append((s, d, Hit(d, s, rec, plan)))
            results.sort(key=lambda r: (-r[0], r[1]))
            i += batch
        rest = len(cands) - min(i, len(cands))
        return Answer(terms, [r[2] for r in results[:limit]], matched + rest, rest > 0 and multi, fetched, len(cands))

    def _record(self, d: int, fetched: list[str]) -> tuple[dict[str, Any], list[str] | None]:
        chunk = self._get(f"{SEARCH_DIR}/d/{d // self.m['chunk']}.json", fetched)
        rec = chunk["d"][d % self.m["chunk"]]
        plan = chunk["p"].get(str(rec["p"])) if "p" in rec else None
        return rec, plan

    def verify(self, rec: dict[str, Any], plan: list[str] | None, per_term: list[list[str]]) -> int | None:
        """The exact score of a record, or None when a piece is missing."""
        fields = [(code, fold(s)) for code, s in record_fields(rec, plan)]
        total = 0
        all_head = True
        for vs in per_term:
            best = -1
            for j, v in enumerate(vs):
                exact = 1000 if j == 0 else 0
                for code, s in fields:
                    if exact + 10 * code > best and v in s:
                        best = exact + 10 * code
            if best < 0:
                return None
            all_head &= best % 1000 == 10 * HEAD
            total += best
        return total + kind_bonus(KIND_ORDER[rec.get("k", "t")], all_head)


def search_download_bytes(site: Path, query: str | None = None) -> int:
    """Gzipped bytes a reader downloads before the first result for `query`
    (the worker script, search_index.json, the shards of the query's grams and
    the document-store files read to rank and show the results). Without a
    query: the largest over DEFAULT_QUERIES."""
    site = Path(site)
    if query is None:
        return max(search_download_bytes(site, q) for q in DEFAULT_QUERIES)
    engine = Engine(site)
    answer = engine.search(query, engine.m.get("first") or engine.m["max"])
    files = [WORKER_FILE, INDEX_FILE, *answer.fetched]
    total = 0
    for rel in files:
        path = site / rel
        if path.exists():
            total += len(gzip.compress(path.read_bytes(), GZIP_LEVEL, mtime=0))
    return total


# Broad and typical queries: the benchmark's worst case is the largest.
DEFAULT_QUERIES = ["隐患", "安全", "安全生产", "重大事故隐患", "区应急局", "2024年底前", "每年至少",
                   "危险化学品 运输", "消防 检查", "泖府字〔2024〕35号"]


def site_size(site: Path) -> dict[str, float]:
    """Files of the search data on disk: count, bytes raw and gzipped."""
    raw = gz = n = 0
    for path in (Path(site) / SEARCH_DIR).rglob("*.json"):
        if path == Path(site) / BUNDLE_FILE:
            continue  # the same data again
        data = path.read_bytes()
        raw += len(data)
        gz += len(gzip.compress(data, GZIP_LEVEL, mtime=0))
        n += 1
    return {"files": n, "raw": raw, "gz": gz}
