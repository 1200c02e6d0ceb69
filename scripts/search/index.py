"""The index files: postings of every gram (delta-coded, sharded by the
FNV-1a hash of the gram), the document store in chunks, the bundle of all
of them for a small site, and the manifest Material's bundle hands the
worker (search/search_index.json). index_files() is what the render stage
writes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .documents import Doc, documents, folded_synonyms, kind_ranges
from .facets import facet_tables
from .text import HAN, fnv1a, fold

FORMAT = 1
SEARCH_DIR = "search"
INDEX_FILE = "search/search_index.json"
CHUNK = 16  # documents per document-store file
SHARD_TARGET = 24 * 1024  # bytes of postings JSON per shard, roughly
MAX_SHARDS = 8192
MAX_RESULTS = 100  # results listed (the count shown is the full count)
FIRST_RESULTS = 20  # listed first, while the worker makes sure of the rest
BUNDLE_MAX = 1536 * 1024  # search data up to this size (raw) also ships as one file
BUNDLE_FILE = "search/all.json"


def _pow2_at_least(n: float) -> int:
    s = 1
    while s < n:
        s *= 2
    return s


_BIGRAMS = re.compile(r"(?=([^ ][^ ]))")  # every two characters, overlapping, without a space


def doc_grams(fields: list[tuple[int, str]]) -> tuple[dict[str, int], dict[str, int]]:
    """A document's bigrams and unigrams, each with the code of the best
    field it is in."""
    best: tuple[dict[str, int], dict[str, int]] = ({}, {})
    for code, s in sorted(fields, key=lambda f: f[0]):  # higher codes win
        f = fold(s)
        best[0].update(dict.fromkeys(_BIGRAMS.findall(f), code))
        best[1].update(dict.fromkeys(HAN.findall(f), code))
    return best


def _postings(docs: list[Doc]) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """gram -> [delta-coded (doc << 2 | field)], for bigrams and unigrams.
    (The hot loop of the build: regular expressions cut the grams, one
    dictionary lookup per posting; deltas stay small, so do the lists.)"""
    out: list[dict[str, list]] = [{}, {}]
    for i, doc in enumerate(docs):
        for table, grams_of_doc in zip(out, doc_grams(doc.fields)):
            get = table.get
            for g, code in grams_of_doc.items():
                entry = get(g)  # [last doc, postings]
                if entry is None:
                    table[g] = [i, [(i << 2) | code]]
                else:
                    entry[1].append(((i - entry[0]) << 2) | code)
                    entry[0] = i
    return {g: e[1] for g, e in out[0].items()}, {g: e[1] for g, e in out[1].items()}


@dataclass
class Shards:
    """A table of postings as files: `n` shards (a power of two; gram g is
    in shard fnv1a(g) & (n - 1)), the JSON of each shard that has grams,
    and the table's size (what `n` follows from)."""

    n: int
    files: dict[int, bytes]
    size: int


def table_size(table: dict[str, list[int]]) -> int:
    return sum(gram_size(g, v) for g, v in table.items())


def gram_size(gram: str, postings: list[int]) -> int:
    return len(gram) * 3 + 6 + 3 * len(postings)


def shard_count(size: int) -> int:
    return min(MAX_SHARDS, _pow2_at_least(size / SHARD_TARGET))


def _shards(table: dict[str, list[int]]) -> Shards:
    size = table_size(table)
    n = shard_count(size)
    grouped: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for g in sorted(table):
        grouped[fnv1a(g) & (n - 1)][g] = table[g]
    return Shards(n, {k: _json(v) for k, v in grouped.items()}, size)


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


TABLES = ("g", "u")  # bigram and unigram shards, in search/g/ and search/u/


def index_files(site) -> dict[str, bytes]:
    """Every file of the search data: path under the site root -> bytes."""
    docs, plans = documents(site)
    return build_files(docs, plans, folded_synonyms(site))


def build_files(docs: list[Doc], plans: list[list[str]], synonyms: list[list[str]]) -> dict[str, bytes]:
    return assemble(docs, plans, synonyms, full_tables(docs), chunk_files(docs, plans))[0]


def full_tables(docs: list[Doc]) -> dict[str, Shards]:
    """Both tables of postings, made from every document."""
    bi, uni = _postings(docs)
    return {"g": _shards(bi), "u": _shards(uni)}


def chunk_files(docs: list[Doc], plans: list[list[str]]) -> list[bytes]:
    """The document store: CHUNK documents a file, with the plans they name."""
    out = []
    for start in range(0, len(docs), CHUNK):
        chunk = docs[start:start + CHUNK]
        used = sorted({d.plan for d in chunk if d.plan is not None})
        out.append(_json({"p": {str(i): plans[i] for i in used}, "d": [d.rec for d in chunk]}))
    return out


def assemble(docs: list[Doc], plans: list[list[str]], synonyms: list[list[str]], tables: dict[str, Shards],
             chunks: list[bytes]) -> tuple[dict[str, bytes], dict]:
    """Every file of the search data from the tables of postings and the
    document store; and the state a later build patches from (patch.py)."""
    files: dict[str, bytes] = {}
    for table in TABLES:
        for k, data in tables[table].files.items():
            files[f"{SEARCH_DIR}/{table}/{k}.json"] = data
    for k, data in enumerate(chunks):
        files[f"{SEARCH_DIR}/d/{k}.json"] = data
    facets = facet_tables(docs)
    for kind, table in facets.items():
        files[f"{SEARCH_DIR}/f/{kind}.json"] = _json(table)
    raw = sum(len(v) for v in files.values())
    if raw <= BUNDLE_MAX:
        # A small site: everything in one file, read once (one request instead
        # of a dozen before the first result). The files above stay, for tests
        # of the path large sites take.
        prefix = SEARCH_DIR + "/"
        files[BUNDLE_FILE] = b"{" + b",".join(
            _json(path[len(prefix):]) + b":" + data for path, data in sorted(files.items())) + b"}"
    version = digest_of(files, synonyms)
    bi, uni = tables["g"], tables["u"]
    manifest = {
        "format": FORMAT,
        "version": version,
        "docs": len(docs),
        "chunk": CHUNK,
        "shards": bi.n,
        "ushards": uni.n,
        "bi": sorted(bi.files),  # shards that exist (others are empty)
        "uni": sorted(uni.files),
        "max": MAX_RESULTS,
        "first": FIRST_RESULTS,
        "ranges": kind_ranges(docs),
        "facets": list(facets),  # search/f/<facet>.json (facets.py)
        "bundle": BUNDLE_FILE[len(SEARCH_DIR) + 1:] if BUNDLE_FILE in files else None,
        "synonyms": synonyms,
    }
    # Material's bundle fetches this file and hands `config` to the worker.
    files[INDEX_FILE] = _json({
        "config": {"lang": ["zh"], "separator": "[\\s\\u200b\\u3000\\-、。，．？！；]+",
                   "pipeline": [], "fields": {}, "cjk": manifest},
        "docs": [],
    })
    state = {"format": FORMAT, "version": version, "docs": len(docs),
             **{table: [tables[table].n, tables[table].size] for table in TABLES}}
    return files, state


def digest_of(files: dict[str, bytes], synonyms: list[list[str]]) -> str:
    """The manifest's version: every file of the search data but the
    manifest, and the synonyms."""
    digest = hashlib.sha1()
    for path in sorted(files):
        if path != INDEX_FILE:
            digest.update(path.encode())
            digest.update(files[path])
    digest.update(_json(synonyms))
    return digest.hexdigest()[:12]


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
