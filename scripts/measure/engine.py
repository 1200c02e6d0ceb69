"""The reference engine: the worker's algorithm in Python, over a built site
(or a docs folder), to test the worker against and to measure search:
`Engine` (the top-k search with upper bounds, exactly as the worker;
narrowed by facets, nearest matches and synonym suggestions when nothing
holds the words as typed, the counts per facet value),
`search_download_bytes` (gzipped bytes a reader downloads before the first
result) and `site_size`. Not part of the build.
"""

from __future__ import annotations

import functools
import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..paths import WORKER_FILE
from ..search.documents import HEAD, KIND_ORDER, kind_bonus, kind_of, record_fields
from ..search.facets import unrun
from ..search.index import BUNDLE_FILE, INDEX_FILE, SEARCH_DIR
from ..search.text import fnv1a, fold, grams, is_han, query_terms, variants

GZIP_LEVEL = 6  # what a static web server typically uses


def decode(postings: list[int]) -> tuple[list[int], list[int]]:
    ids, fields = [], []
    doc = 0
    for v in postings:
        doc += v >> 2
        ids.append(doc)
        fields.append(v & 3)
    return ids, fields


MAX_SUGGESTIONS = 6


@dataclass
class Hit:
    doc: int
    score: int
    rec: dict[str, Any]
    plan: list[str] | None
    mark: str = "exact"  # exact: every piece as typed | synonym: a piece only through a synonym | partial


@dataclass
class Answer:
    terms: list[str]
    hits: list[Hit]
    total: int  # matching documents (exact count up to `approx`), partial matches included
    approx: bool  # some candidates beyond the list were not verified
    fetched: list[str]  # files read, in order (paths under the site root)
    candidates: int = 0  # documents the index proposed (before narrowing)
    filters: dict[str, str] = field(default_factory=dict)  # facet -> value id
    exact: bool = False  # some result holds every piece as typed
    partial: int = 0  # nearest matches (most characters in common), listed after every match
    suggest: list[str] = field(default_factory=list)  # queries with a synonym swapped in (no exact result)
    pool: list[int] = field(default_factory=list)  # documents the facet counts count (not narrowed)


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

    def search(self, query: str, limit: int | None = None, filters: dict[str, str] | None = None) -> Answer:
        """The best `limit` results (default: the manifest's "max"; the worker
        lists the best "first" of them before the rest), narrowed by `filters`
        (facet -> value id)."""
        filters = {k: v for k, v in (filters or {}).items() if v}
        answer = self._search(query, limit, True, filters)
        if not answer.candidates and query_terms(query, merge=False) != query_terms(query, merge=True):
            answer = self._search(query, limit, False, filters)
        return answer

    def _search(self, query: str, limit: int | None, merge: bool, filters: dict[str, str]) -> Answer:
        limit = limit or self.m["max"]
        fetched: list[str] = []
        terms = query_terms(query, merge)
        if not terms:
            return Answer(terms, [], 0, False, fetched, filters=filters)
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
            bounds = best if bounds is None else {d: s + best[d] for d, s in bounds.items() if d in best}
            if not bounds:
                break
        assert bounds is not None
        head_all = 10 * HEAD * len(terms)  # the fields part when every piece is in a title
        ranges = self.m["ranges"]
        every = sorted(((s + kind_bonus(kind_of(d, ranges), s % 1000 == head_all), d) for d, s in bounds.items()),
                       key=lambda x: (-x[0], x[1]))
        mask = self.mask(filters, fetched)
        cands = every if mask is None else [c for c in every if c[1] in mask]
        results: list[tuple[int, int, Hit]] = []
        failed: set[int] = set()
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
                if s is None:
                    failed.add(d)
                else:
                    matched += 1
                    results.append((s, d, Hit(d, s, rec, plan)))
            results.sort(key=lambda r: (-r[0], r[1]))
            i += batch
        rest = len(cands) - min(i, len(cands))
        hits = [r[2] for r in results[:limit]]
        for h in hits:
            h.mark = "exact" if self.exact(h.rec, h.plan, terms) else "synonym"
        answer = Answer(terms, hits, matched + rest, rest > 0 and multi, fetched, len(every), filters)
        answer.exact = bool(hits) and hits[0].mark == "exact"  # an exact result always ranks first
        pool = {d for _, d in every} - failed
        if not answer.exact:
            near = [x for x in self.nearest(terms, fetched) if x[1] not in pool]
            pool |= {d for _, d in near}
            if mask is not None:
                near = [x for x in near if x[1] in mask]
            for ps, d in near[:max(0, limit - len(hits))]:
                rec, plan = self._record(d, fetched)
                hits.append(Hit(d, ps, rec, plan, "partial"))
            answer.partial = len(near)
            answer.total += len(near)
            answer.suggest = self.suggestions(terms, fetched)
        answer.pool = sorted(pool)
        return answer

    def exact(self, rec: dict[str, Any], plan: list[str] | None, terms: list[str]) -> bool:
        """Every piece occurs as typed (not only through a synonym)."""
        fields = [fold(s) for _, s in record_fields(rec, plan)]
        return all(any(t in s for s in fields) for t in terms)

    def nearest(self, terms: list[str], fetched: list[str]) -> list[tuple[int, int]]:
        """[(score, doc)], best first: documents holding at least half of the
        query's distinct CJK characters (two at least); score 1000 per
        character in common, plus one per pair of adjacent query characters
        it holds. From the index alone (unigram and bigram postings)."""
        chars = list(dict.fromkeys(c for t in terms for c in t if is_han(c)))
        if len(chars) < 2:
            return []
        need = (len(chars) + 1) // 2
        count: dict[int, int] = {}
        for c in chars:
            for d in self._postings(c, fetched):
                count[d] = count.get(d, 0) + 1
        pairs: dict[int, int] = {}
        for g in dict.fromkeys(g for t in terms for g in grams(t) if len(g) == 2):
            for d in self._postings(g, fetched):
                pairs[d] = pairs.get(d, 0) + 1
        return sorted(((1000 * n + pairs.get(d, 0), d) for d, n in count.items() if n >= need),
                      key=lambda x: (-x[0], x[1]))

    def suggestions(self, terms: list[str], fetched: list[str]) -> list[str]:
        """Queries to try instead: a piece with a synonym swapped in, or the
        synonym alone, where the index has a candidate for it."""
        out: list[str] = []
        for k, t in enumerate(terms):
            for group in self.m["synonyms"]:
                for member in group:
                    if not member or member not in t:
                        continue
                    for other in group:
                        if other == member:
                            continue
                        for s in (t.replace(member, other), other):
                            q = " ".join(terms[:k] + [s] + terms[k + 1:])
                            if s != t and grams(s) and q not in out and self._variant_bound(s, fetched):
                                out.append(q)
        return out[:MAX_SUGGESTIONS]

    # ------------------------------------------------------------------ facets

    def facet(self, kind: str, fetched: list[str]) -> dict[str, Any]:
        """search/f/<kind>.json: {"v": [[id, label(, parent)]...], "r": [runs...]}."""
        if kind not in self.m.get("facets", []):
            return {"v": [], "r": []}
        return self._get(f"{SEARCH_DIR}/f/{kind}.json", fetched)

    def mask(self, filters: dict[str, str], fetched: list[str]) -> set[int] | None:
        """The documents every filter keeps (None: no filter)."""
        out: set[int] | None = None
        for kind, value in sorted(filters.items()):
            table = self.facet(kind, fetched)
            ids = [v[0] for v in table["v"]]
            docs = set(unrun(table["r"][ids.index(value)])) if value in ids else set()
            out = docs if out is None else out & docs
        return out

    def counts(self, answer: Answer) -> dict[str, dict[str, int]]:
        """Per facet: value id -> how many of the answer's documents it keeps
        (the other facets' filters applied, its own not), "" -> all of them."""
        fetched: list[str] = []
        out: dict[str, dict[str, int]] = {}
        for kind in self.m.get("facets", []):
            mask = self.mask({k: v for k, v in answer.filters.items() if k != kind}, fetched)
            base = set(answer.pool) if mask is None else set(answer.pool) & mask
            table = self.facet(kind, fetched)
            c = {"": len(base)}
            for v, r in zip(table["v"], table["r"]):
                n = sum(1 for d in unrun(r) if d in base)
                if n:
                    c[v[0]] = n
            out[kind] = c
        return out

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


def search_download_bytes(site: Path, query: str | None = None, filters: dict[str, str] | None = None) -> int:
    """Gzipped bytes a reader downloads before the first result for `query`
    (the worker script, search_index.json, the shards of the query's grams,
    the facet files of `filters` and the document-store files read to rank
    and show the results). Without a query: the largest over DEFAULT_QUERIES."""
    site = Path(site)
    if query is None:
        return max(search_download_bytes(site, q, filters) for q in DEFAULT_QUERIES)
    index = (site / INDEX_FILE).stat()
    engine = _engine(site.resolve(), index.st_mtime_ns, index.st_size, index.st_ino)
    answer = engine.search(query, engine.m.get("first") or engine.m["max"], filters)
    total = 0
    for rel in [WORKER_FILE, INDEX_FILE, *answer.fetched]:
        try:
            st = (site / rel).stat()
        except FileNotFoundError:
            continue
        total += _gzipped_size(site / rel, st.st_mtime_ns, st.st_size, st.st_ino)
    return total


# A report asks for the bytes of every query: the site's files read, and
# each gzipped, once (the file's time, size and inode in the key).
@functools.lru_cache(maxsize=8)
def _engine(site: Path, *stamp: int) -> Engine:
    return Engine(site)


@functools.lru_cache(maxsize=4096)
def _gzipped_size(path: Path, *stamp: int) -> int:
    return len(gzip.compress(path.read_bytes(), GZIP_LEVEL, mtime=0))


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
