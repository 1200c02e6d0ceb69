"""Site search: the data behind the search box, and a reference engine.

The search box is Material's own (header, look and place unchanged); the
answers come from our worker, docs/assets/javascripts/search-worker.js,
which speaks Material's worker protocol, so Material renders the results.
This module writes the data that worker reads, from the enriched Site:

  search/search_index.json   what Material's bundle fetches on every page:
                             {"config": {... "cjk": manifest}, "docs": []};
                             Material hands `config` to the worker (SETUP).
  search/g/<n>.json          bigram shards: {gram: postings}
  search/u/<n>.json          unigram shards (one-character queries)
  search/d/<n>.json          document store: CHUNK documents per file
  search/all.json            all of the above in one file, when they are
                             small (BUNDLE_MAX): read once, when the page has
                             loaded (Material's SETUP message)

What is searched. One document per task (plan, action, number, title, text,
units, departments with names, short names and aliases, leaders, deadline and
recurrence words, topics), per plan (title, short title, document number,
issuer, signer, organisation with officials, preamble), per department and
per topic; and per goal, section, action introduction and annex row (任务清单),
which are listed after tasks that match as well.

Matching. Text is cleaned (zero-width characters dropped, whitespace next
to a CJK character dropped: "2024 年底前" -> "2024年底前", other runs of
whitespace to one space) and folded character by character (full-width
ASCII to ASCII, A-Z to a-z, dashes, brackets and quotes to one form each),
so positions in the folded text are positions in the displayed text. A query
is split at spaces (and ，、；), pieces joined again where a digit meets a CJK
character; each piece must occur as an exact substring (AND). Synonyms from
data/synonyms.yaml are expanded in either direction; a piece found only
through a synonym counts as "not exact".

The index. Every document's fields are cut into character bigrams (and
single CJK characters); a posting is (document, best field the gram occurs
in). Postings are sharded by FNV-1a hash of the gram, so a query fetches only
the shards of its own grams. Intersecting postings gives candidates and an
upper bound of their score; the worker then verifies candidates in score
order against the document store (exact phrase, exact field) until the top
MAX_RESULTS are certain (a classic top-k with upper bounds): results are
exact, and only the documents near the top are ever downloaded.

Ranking, per query piece: 1000 if the piece itself occurs (not only a
synonym), plus 10 x field: 3 title (and a plan's, department's or topic's
names), 2 tags: topics, departments, officials, deadline and recurrence
words, 1 text, 0 context (plan and action names). A page whose names hold every
piece (plan, department, topic) gets +5, goals and sections -3. Ties: site
order. So a document lacking the exact phrase never outranks one that has it.

`Engine` below is the same algorithm in Python (tests, `make search-report`
and `search_download_bytes`, which the benchmark calls).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

FORMAT = 1
SEARCH_DIR = "search"
INDEX_FILE = "search/search_index.json"
WORKER_FILE = "assets/javascripts/search-worker.js"
CHUNK = 16  # documents per document-store file
SHARD_TARGET = 24 * 1024  # bytes of postings JSON per shard, roughly
MAX_SHARDS = 8192
MAX_RESULTS = 100  # results listed (the count shown is the full count)
FIRST_RESULTS = 20  # listed first, while the worker makes sure of the rest
BUNDLE_MAX = 1536 * 1024  # search data up to this size (raw) also ships as one file
BUNDLE_FILE = "search/all.json"
GZIP_LEVEL = 6  # what a static web server typically uses

# Field codes, best first (see "Ranking" above).
HEAD, NAMES, TEXT, CONTEXT = 3, 2, 1, 0

# --------------------------------------------------------------------------- #
# Text: clean (for display and index) and fold (for matching)
# --------------------------------------------------------------------------- #

ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# "Wide" characters: CJK ideographs and punctuation, full-width forms, and the
# punctuation Chinese text sets next to them. A space next to one is dropped.
WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
_WS = re.compile(r"\s+")
_WIDE_SPACE = re.compile(f"(?<=[{WIDE}]) | (?=[{WIDE}])")
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")

_FOLD: dict[int, str] = {}
for _c in range(0xFF01, 0xFF5F):
    _FOLD[_c] = chr(_c - 0xFEE0).lower()  # Ａ -> a in one step
for _c in range(ord("A"), ord("Z") + 1):
    _FOLD[_c] = chr(_c + 32)
for _c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d":
    _FOLD[ord(_c)] = "-"
for _c in "\u3014\u3010\u3016\uff3b[\uff08":
    _FOLD[ord(_c)] = "("
for _c in "\u3015\u3011\u3017\uff3d]\uff09":
    _FOLD[ord(_c)] = ")"
for _c in "\u201c\u201d\u201e\u201f\u300c\u300d\u300e\u300f\uff02":
    _FOLD[ord(_c)] = '"'
for _c in "\u2018\u2019\u201a\u201b\uff07":
    _FOLD[ord(_c)] = "'"
for _c in "\u30fb\u2022\u2027\uff65":
    _FOLD[ord(_c)] = "\u00b7"
_FOLD[0x3000] = " "
del _c

# Query pieces are separated by whitespace and by these (never inside a phrase).
QUERY_SEPARATORS = re.compile("[\\s\u3000，、；;,？?！!。]+")
# Stripped from both ends of a query piece: quotes and title marks.
QUOTES = "\"'\u201c\u201d\u2018\u2019\u300c\u300d\u300e\u300f\u300a\u300b\u3008\u3009<>"


def clean(text: Any) -> str:
    """Display form: zero-width characters removed, whitespace next to a
    wide (CJK) character removed, other whitespace runs made one space."""
    s = ZERO_WIDTH.sub("", str(text or ""))
    s = _WS.sub(" ", s).strip()
    return _WIDE_SPACE.sub("", s)


def fold(text: str) -> str:
    """Matching form; one character for one character (positions carry over)."""
    return text.translate(_FOLD)


def is_han(ch: str) -> bool:
    return bool(HAN.match(ch))


def is_digit(ch: str) -> bool:
    return "0" <= ch <= "9" or "\uff10" <= ch <= "\uff19"


def grams(term: str) -> list[str]:
    """The keys a term is looked up by: its bigrams, or the character itself
    when it is a single CJK character. Empty when it cannot be looked up."""
    if len(term) == 1:
        return [term] if is_han(term) else []
    return [term[i:i + 2] for i in range(len(term) - 1)]


def fnv1a(s: str) -> int:
    """32-bit FNV-1a over code points (the worker computes the same)."""
    h = 0x811C9DC5
    for ch in s:
        h = ((h ^ ord(ch)) * 16777619) & 0xFFFFFFFF
    return h


def query_terms(query: str, merge: bool = True) -> list[str]:
    """The pieces of a query, cleaned and folded: split at whitespace and
    ，、；; pieces split only by whitespace where a digit meets a CJK
    character are joined ("2024 年底前" -> "2024年底前") when `merge`."""
    q = ZERO_WIDTH.sub("", query or "")
    pieces: list[str] = []
    glue = False  # the previous separator was whitespace only
    pos = 0
    for m in list(QUERY_SEPARATORS.finditer(q)) + [None]:
        end = m.start() if m else len(q)
        piece = q[pos:end]
        if piece:
            if merge and glue and pieces and pieces[-1] and (
                (is_digit(pieces[-1][-1]) and is_han(piece[0])) or (is_han(pieces[-1][-1]) and is_digit(piece[0]))
            ):
                pieces[-1] += piece
            else:
                pieces.append(piece)
        if m:
            glue = not m.group().strip()  # whitespace only
            pos = m.end()
    out: list[str] = []
    for p in pieces:
        t = fold(clean(p)).strip(QUOTES + " ")
        if t and grams(t) and t not in out:
            out.append(t)
    return out


def variants(term: str, synonyms: list[list[str]], limit: int = 12) -> list[str]:
    """The term itself first, then the term with one synonym swapped in for
    another (either direction)."""
    out = [term]
    for group in synonyms:
        for m in group:
            if m and m in term:
                for other in group:
                    if other != m:
                        v = term.replace(m, other)
                        if v not in out and grams(v):
                            out.append(v)
    return out[:limit]


# --------------------------------------------------------------------------- #
# Documents
# --------------------------------------------------------------------------- #


@dataclass
class Doc:
    """One search document: the record the worker reads (`rec`) and its
    searchable strings by field code."""

    rec: dict[str, Any]
    plan: int | None = None  # index into the plan table, for context fields
    fields: list[tuple[int, str]] = field(default_factory=list)


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

    def add(rec: dict[str, Any], plan: int | None = None) -> None:
        rec = _compact(rec)
        if plan is not None:
            rec["p"] = plan
        docs.append(Doc(rec=rec, plan=plan))

    for p in site.plans:
        pi = len(plans)
        plans.append(plan_row(p))
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
                 "m": _unique(x.data.text for x in g.deadlines)}, pi)
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
                add({
                    "k": "t", "u": t.url, "a": action, "n": td.number, "t": clean(td.title),
                    "x": clean(td.text), "o": clean(units or ""),
                    "g": _unique(x.data.name for x in t.topics),
                    "m": _unique(names),
                }, pi)
        for s in p.sections:
            add({"k": "s", "u": s.url, "t": clean(s.label), "x": clean(s.data.text),
                 "m": _unique([x.data.text for x in s.deadlines] + [r.data.text for r in s.recurrence])}, pi)
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
                                 + ([rd.due.text] if rd.due else [])),
                    "g": _unique([rd.category or ""]),
                }, pi)
    for dep in site.departments.values():
        d = dep.data
        counts = f"牵头 {len(dep.lead_tasks)} 项任务，配合 {len(dep.support_tasks)} 项"
        cat = dep.category.data.name if dep.category else ""
        add({
            "k": "d", "u": dep.url, "t": clean(d.name),
            "h": _unique([*d.short, *d.aliases]),
            "m": _unique([dep.jurisdiction.name, cat]),
            "o": clean(" · ".join(x for x in [dep.jurisdiction.name, cat, counts] if x)),
        })
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


# --------------------------------------------------------------------------- #
# Index
# --------------------------------------------------------------------------- #


def _pow2_at_least(n: float) -> int:
    s = 1
    while s < n:
        s *= 2
    return s


_BIGRAMS = re.compile(r"(?=([^ ][^ ]))")  # every two characters, overlapping, without a space


def _postings(docs: list[Doc]) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """gram -> [delta-coded (doc << 2 | field)], for bigrams and unigrams.
    (The hot loop of the build: regular expressions cut the grams, one
    dictionary lookup per posting; deltas stay small, so do the lists.)"""
    out: list[dict[str, list]] = [{}, {}]
    for i, doc in enumerate(docs):
        best: list[dict[str, int]] = [{}, {}]
        for code, s in sorted(doc.fields, key=lambda f: f[0]):  # higher codes win
            f = fold(s)
            best[0].update(dict.fromkeys(_BIGRAMS.findall(f), code))
            best[1].update(dict.fromkeys(HAN.findall(f), code))
        for table, grams_of_doc in zip(out, best):
            get = table.get
            for g, code in grams_of_doc.items():
                entry = get(g)  # [last doc, postings]
                if entry is None:
                    table[g] = [i, [(i << 2) | code]]
                else:
                    entry[1].append(((i - entry[0]) << 2) | code)
                    entry[0] = i
    return {g: e[1] for g, e in out[0].items()}, {g: e[1] for g, e in out[1].items()}


def _shards(table: dict[str, list[int]]) -> tuple[int, dict[int, bytes]]:
    size = sum(len(g) * 3 + 6 + 3 * len(v) for g, v in table.items())
    n = min(MAX_SHARDS, _pow2_at_least(size / SHARD_TARGET))
    grouped: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for g in sorted(table):
        grouped[fnv1a(g) & (n - 1)][g] = table[g]
    return n, {k: _json(v) for k, v in grouped.items()}


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def index_files(site) -> dict[str, bytes]:
    """Every file of the search data: path under the site root -> bytes."""
    docs, plans = documents(site)
    return build_files(docs, plans, folded_synonyms(site))


def build_files(docs: list[Doc], plans: list[list[str]], synonyms: list[list[str]]) -> dict[str, bytes]:
    bi, uni = _postings(docs)
    n_bi, bi_files = _shards(bi)
    n_uni, uni_files = _shards(uni)
    files: dict[str, bytes] = {}
    for k, data in bi_files.items():
        files[f"{SEARCH_DIR}/g/{k}.json"] = data
    for k, data in uni_files.items():
        files[f"{SEARCH_DIR}/u/{k}.json"] = data
    for start in range(0, len(docs), CHUNK):
        chunk = docs[start:start + CHUNK]
        used = sorted({d.plan for d in chunk if d.plan is not None})
        files[f"{SEARCH_DIR}/d/{start // CHUNK}.json"] = _json({
            "p": {str(i): plans[i] for i in used},
            "d": [d.rec for d in chunk],
        })
    raw = sum(len(v) for v in files.values())
    if raw <= BUNDLE_MAX:
        # A small site: everything in one file, read once (one request instead
        # of a dozen before the first result). The files above stay, for tests
        # of the path large sites take.
        prefix = SEARCH_DIR + "/"
        files[BUNDLE_FILE] = b"{" + b",".join(
            _json(path[len(prefix):]) + b":" + data for path, data in sorted(files.items())) + b"}"
    digest = hashlib.sha1()
    for path in sorted(files):
        digest.update(path.encode())
        digest.update(files[path])
    digest.update(_json(synonyms))
    manifest = {
        "format": FORMAT,
        "version": digest.hexdigest()[:12],
        "docs": len(docs),
        "chunk": CHUNK,
        "shards": n_bi,
        "ushards": n_uni,
        "bi": sorted(int(k) for k in bi_files),  # shards that exist (others are empty)
        "uni": sorted(int(k) for k in uni_files),
        "max": MAX_RESULTS,
        "first": FIRST_RESULTS,
        "ranges": kind_ranges(docs),
        "bundle": BUNDLE_FILE[len(SEARCH_DIR) + 1:] if BUNDLE_FILE in files else None,
        "synonyms": synonyms,
    }
    # Material's bundle fetches this file and hands `config` to the worker.
    files[INDEX_FILE] = _json({
        "config": {"lang": ["zh"], "separator": "[\\s\\u200b\\u3000\\-、。，．？！；]+",
                   "pipeline": [], "fields": {}, "cjk": manifest},
        "docs": [],
    })
    return files


def write_search_index(site, out_dir: Path) -> int:
    """Write the search data under `out_dir` (a docs_dir or a site dir);
    returns how many files changed."""
    changed = 0
    for rel, data in index_files(site).items():
        path = Path(out_dir) / rel
        if path.exists() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        changed += 1
    return changed


# --------------------------------------------------------------------------- #
# Reference engine (what the worker does), over a built site
# --------------------------------------------------------------------------- #


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


# --------------------------------------------------------------------------- #
# Measurement: synthetic scale, Chromium, `make search-report`
# --------------------------------------------------------------------------- #


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


def scaled_documents(site, tasks: int, permute: bool = False, seed: int = 1) -> tuple[list[Doc], list[list[str]]]:
    """The real documents replicated until there are at least `tasks` tasks.
    Replica r > 0 has its plans renamed (short title + "·r"); with `permute`
    its CJK characters are also permuted by a bijection of its own (as
    scripts/bench.py does), so its grams differ from the real ones."""
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
            doc = Doc(rec=rec, plan=rec.get("p"))
            doc.fields = record_fields(rec, out_plans[doc.plan] if doc.plan is not None else None)
            out_docs.append(doc)
    out_docs.sort(key=lambda d: KIND_ORDER[d.rec["k"]])
    return out_docs, out_plans


def load_site():
    """The enriched Site of data/ (NOW as set)."""
    from .enrich import enrich
    from .load import DATA
    from .validate import check

    corpus, problems = check(DATA)
    if problems:
        raise SystemExit("search: the data has problems; run `make check`")
    return enrich(corpus)


def make_scaled_site(built: Path, out: Path, tasks: int, permute: bool = False) -> dict[str, Any]:
    """A copy of the built site `built` whose search data holds `tasks` tasks
    (scaled_documents). Returns sizes and the time the index took."""
    import shutil

    site = load_site()
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


# Types a query into the real search box and waits until the theme has drawn
# the results (the first ten, as it draws them); `all` scrolls until every
# listed result is drawn. Returns the time from the key to the drawn list,
# what the worker reported, and the drawn results.
BROWSER_QUERY_JS = r"""
async ([q, all]) => {
  const input = document.querySelector("input.md-search__input");
  const list = document.querySelector(".md-search-result__list");
  const wrap = document.querySelector(".md-search__scrollwrap");
  // Resolves when the answer to `value` is drawn: every report of the worker
  // for it (search-ui.js passes them on; the first results, then the rest)
  // has come, the last one says it is done, and the theme has drawn the list
  // once per report. `ms`: when the first results were drawn.
  const ask = (value) => new Promise((resolve, reject) => {
    let info = null, reports = 0, lists = 0, first = null;
    const seen = new WeakSet([...list.children]);
    const t0 = performance.now();
    const check = () => {
      if (!info || !info.done) return;
      if (info.shown > 0 ? lists < reports : list.children.length > 0) return;
      stop();
      resolve({ info, ms: first === null ? performance.now() - t0 : first, last: performance.now() - t0 });
    };
    const obs = new MutationObserver(() => {
      const head = list.firstElementChild;
      if (head && !seen.has(head)) {  // a list drawn anew
        lists++;
        if (first === null) first = performance.now() - t0;
      }
      for (const li of list.children) seen.add(li);
      check();
    });
    const onAnswer = (e) => { if (e.detail.query === value) { info = e.detail; reports++; check(); } };
    const timer = setTimeout(() => { stop(); reject(new Error("no answer for " + value + ": " + JSON.stringify(info))); }, 20000);
    const stop = () => { clearTimeout(timer); obs.disconnect(); window.removeEventListener("site-search:answer", onAnswer); };
    obs.observe(list, { childList: true });
    window.addEventListener("site-search:answer", onAnswer);
    input.value = value;
    input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  });
  input.focus();
  if (input.value !== "") await ask("");
  const r = await ask(q);
  if (all) {
    const pause = () => new Promise((res) => setTimeout(res, 50));
    for (let i = 0; i < 200 && list.children.length < r.info.shown; i++) {
      wrap.scrollTop = 0;  // the theme draws four more each time the list's end comes into view
      await pause();
      wrap.scrollTop = wrap.scrollHeight;
      await pause();
    }
    wrap.scrollTop = 0;
  }
  const items = [...list.children].map((li) => ({
    text: li.innerText,
    hrefs: [...li.querySelectorAll("a[href]")].map((a) => a.href),
  }));
  return { ms: r.ms, last: r.last, worker: r.info, meta: document.querySelector(".md-search-result__meta").textContent, items };
}
"""


def open_search(page, url: str) -> None:
    """Load a page and wait until the search worker is ready (it has answered
    the theme's first, empty query)."""
    page.goto(url, wait_until="load")
    page.locator("input.md-search__input").click()
    page.wait_for_function("window.__siteSearchLast !== undefined", timeout=20_000)


def browser_query(page, query: str, all_items: bool = False) -> dict[str, Any]:
    """Type `query` into the search box of the open page (BROWSER_QUERY_JS).
    Each item gets `urls`: its links, relative to the site root."""
    base = page.evaluate("new URL(document.querySelector('#__config') ? JSON.parse(document.querySelector('#__config').textContent).base : '.', location.href).href")
    out = page.evaluate(BROWSER_QUERY_JS, [query, all_items])
    for item in out["items"]:
        item["urls"] = [h[len(base):] if h.startswith(base) else h for h in item["hrefs"]]
        item["url"] = item["urls"][-1] if item["urls"] else ""
    return out


def _queries():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "tests" / "test_search_queries.py"
    spec = importlib.util.spec_from_file_location("search_queries", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["search_queries"] = mod
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def report(site: Path | None, browser: bool = True, repeat: int = 1) -> int:
    """Per query of tests/test_search_queries.py: the rank of each expected
    document ("!" when not within its bound), how many results, the time in
    Chromium (key to first results drawn, and to the full list drawn) and
    the gzipped bytes read before the first results. Exit status 1 when an
    expectation is missed. Without Chromium: the Python engine's ranks and
    time."""
    import os
    import subprocess
    import tempfile

    mod = _queries()
    tmp = None
    if site is None:
        tmp = tempfile.TemporaryDirectory(prefix="search-report-")
        site = Path(tmp.name) / "site"
        env = {**os.environ, "NOW": os.environ.get("NOW", "2024-10-15")}
        root = Path(__file__).resolve().parent.parent
        r = subprocess.run([sys.executable, "-m", "scripts", "build", "--site-dir", str(site)], cwd=root, env=env)
        if r.returncode:
            return r.returncode
    engine = Engine(site)
    misses = 0
    ctx = server = page = None
    if browser:
        from playwright.sync_api import sync_playwright

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from conftest import CHROMIUM, CHROMIUM_ARGS, serve_dir  # type: ignore

        server = serve_dir(site)
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        ctx = sync_playwright().start()
        b = ctx.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1280, "height": 900})
        open_search(page, url)
    print(f"search report: {site} ({engine.m['docs']} documents)")
    print("ms: Chromium, from the key to the first results drawn; all: to the full list drawn; "
          "KiB gz: data read before the first results")
    print(f"{'query':<16} {'kind':<10} {'expected rank':<26} {'results':>7} {'ms':>7} {'all':>7} {'KiB gz':>7}")
    times = []
    for q in mod.QUERIES:
        t = time.perf_counter()
        ans = engine.search(q.text)
        py_ms = (time.perf_counter() - t) * 1000
        urls = [h.rec["u"] for h in ans.hits]
        total, ms, worker = ans.total, None, None
        if browser:
            best = None
            for _ in range(repeat):
                res = browser_query(page, q.text, all_items=True)
                if best is None or res["ms"] < best["ms"]:
                    best = res
            urls = [it["url"] for it in best["items"]]
            total, ms, worker = best["worker"]["total"], best["ms"], best["last"]
            times.append(ms)
        ranks = []
        for address in q.expect:
            r = mod.rank_of(address, urls)
            ok = r is not None and r <= q.top
            misses += not ok
            ranks.append(f"{r if r else '-'}{'' if ok else '!'}")
        kib = search_download_bytes(site, q.text) / 1024
        shown = f"{ms:7.1f} {worker:7.0f}" if browser else f"{py_ms:7.1f} {'':>7}"
        pad = 16 - sum(2 if ord(c) > 0x2e80 else 1 for c in q.text)  # CJK is two columns wide
        print(f"{q.text}{' ' * max(1, pad)} {q.kind:<10} {'/'.join(ranks) + f' (<= {q.top})':<26} {total:>7} {shown} {kib:7.1f}")
    if browser:
        times.sort()
        print(f"Chromium, key to drawn list: median {times[len(times) // 2]:.1f} ms, max {times[-1]:.1f} ms "
              f"over {len(times)} queries")
        ctx.stop()
        server.shutdown()
    size = site_size(site)
    print(f"search data: {size['files']} files, {size['raw'] / 1024:.0f} KiB raw, {size['gz'] / 1024:.0f} KiB gzipped; "
          f"largest download before a first result (DEFAULT_QUERIES): {search_download_bytes(site) / 1024:.1f} KiB gz")
    print(f"{len(mod.QUERIES)} queries, {misses} expectation(s) missed")
    if tmp:
        tmp.cleanup()
    return 1 if misses else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m scripts.search", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    rep = sub.add_parser("report", help="per query: rank of the expected task and the time, in Chromium")
    rep.add_argument("--site", type=Path, help="a built site (default: build one, NOW=2024-10-15)")
    rep.add_argument("--no-browser", action="store_true", help="Python engine only")
    rep.add_argument("--repeat", type=int, default=1, help="run each query N times, keep the fastest")
    q = sub.add_parser("query", help="answer one query with the Python engine")
    q.add_argument("site", type=Path)
    q.add_argument("query")
    sc = sub.add_parser("scale", help="copy a built site with search data replicated to N tasks")
    sc.add_argument("site", type=Path)
    sc.add_argument("out", type=Path)
    sc.add_argument("--tasks", type=int, default=30_000)
    sc.add_argument("--permute", action="store_true", help="permute CJK characters per replica")
    args = ap.parse_args(argv)
    if args.cmd == "query":
        t = time.perf_counter()
        a = Engine(args.site).search(args.query)
        ms = (time.perf_counter() - t) * 1000
        print(f"{args.query}: {a.total} results{' (about)' if a.approx else ''}, {ms:.1f} ms, "
              f"{len(a.fetched)} files, {search_download_bytes(args.site, args.query) / 1024:.1f} KiB gz")
        for h in a.hits[:20]:
            print(f"  {h.score:5d} {h.rec.get('u')}  {h.rec.get('t')}")
        return 0
    if args.cmd == "scale":
        info = make_scaled_site(args.site, args.out, args.tasks, args.permute)
        print(f"scale: {info['tasks']} tasks, {info['docs']} documents; index built in {info['index_s']:.1f} s; "
              f"{info['files']} files, {info['raw'] / 2**20:.1f} MiB raw, {info['gz'] / 2**20:.1f} MiB gzipped")
        print(f"scale: largest download before a first result: {search_download_bytes(args.out) / 1024:.1f} KiB gz")
        return 0
    return report(args.site, browser=not args.no_browser, repeat=args.repeat)


if __name__ == "__main__":
    sys.exit(main())
