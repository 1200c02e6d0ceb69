"""Patching the last build's search data instead of making it again.

The postings (index.py) are most of the search data's cost: every gram of
every document. After one plan's edit, most documents are as they were.
patch_tables() reads the search data the last build published, finds the
documents whose searchable fields changed and makes the tables of
postings the full build would make, touching only the grams of those
documents:

- The old documents are read back from the document store (search/d/):
  each record with its plan's row gives its fields (record_fields, as the
  worker does).
- With as many documents as before, the changed ones are those whose
  fields differ. Otherwise the old and new documents are aligned by their
  fields (difflib's matching blocks: any alignment of equal fields gives
  the same postings); documents in no block changed, the others may have
  moved.
- The affected grams are those of the changed documents, before and after.
  Their postings are decoded, the changed documents' entries replaced and
  encoded again. With documents moved, every other gram's first entry after
  the change moves too (the postings are delta-coded).
- A shard's JSON is written again only if one of its grams changed, unless
  the number of shards changes (it follows from the table's size), when all
  are.

The last build's data is used only if all of it is there and as made: its
digest (the manifest's version) is computed again and compared with the
`state` the build cache kept (index.assemble()), which also gives each
table's size and shard count. Anything else, or more changed documents
than `limit` of them, gives None: the tables are made in full.
tests/pipeline/test_incremental.py patches after many kinds of edit and
compares with making everything.
"""

from __future__ import annotations

import json
import operator
from bisect import bisect_left, bisect_right
from difflib import SequenceMatcher
from itertools import accumulate, repeat
from pathlib import Path

from .documents import Doc, documents, folded_synonyms, record_fields
from .index import (
    CHUNK,
    FORMAT,
    INDEX_FILE,
    SEARCH_DIR,
    TABLES,
    Shards,
    _json,
    _shards,
    assemble,
    chunk_files,
    digest_of,
    doc_grams,
    full_tables,
    gram_size,
    shard_count,
)
from .text import fnv1a

LIMIT = 0.1  # more changed documents than this share of them: made in full
FEW = 32  # changes to a gram's postings made one by one; more: all of them sorted again


class _Old:
    """The last build's search data, read and checked against its state."""

    def __init__(self, site: Path, state: dict):
        self.files: dict[str, bytes] = {}
        manifest = json.loads((site / INDEX_FILE).read_bytes())["config"]["cjk"]
        if manifest["version"] != state["version"] or manifest["chunk"] != CHUNK:
            raise ValueError("not the data of the state")
        self.docs = state["docs"]
        self.n = {table: state[table][0] for table in TABLES}
        self.size = {table: state[table][1] for table in TABLES}
        names = [f"{table}/{k}" for table, listed in (("g", manifest["bi"]), ("u", manifest["uni"])) for k in listed]
        names += [f"d/{k}" for k in range(-(-self.docs // CHUNK))] + [f"f/{f}" for f in manifest["facets"]]
        for name in names:
            path = f"{SEARCH_DIR}/{name}.json"
            self.files[path] = (site / path).read_bytes()
        if manifest["bundle"]:
            path = f"{SEARCH_DIR}/{manifest['bundle']}"
            self.files[path] = (site / path).read_bytes()
        if digest_of(self.files, manifest["synonyms"]) != state["version"]:
            raise ValueError("changed since it was made")
        self._chunks: dict[int, dict] = {}

    def chunk(self, k: int) -> bytes:
        return self.files[f"{SEARCH_DIR}/d/{k}.json"]

    def fields(self, doc: int) -> list[tuple[int, str]]:
        chunk = self._chunks.get(doc // CHUNK)
        if chunk is None:
            chunk = self._chunks[doc // CHUNK] = json.loads(self.chunk(doc // CHUNK))
        rec = chunk["d"][doc % CHUNK]
        return record_fields(rec, chunk["p"][str(rec["p"])] if "p" in rec else None)

    def shard(self, table: str, k: int) -> dict[str, list[int]]:
        data = self.files.get(f"{SEARCH_DIR}/{table}/{k}.json")
        return json.loads(data) if data is not None else {}


def read_previous(site: Path, state: dict | None) -> _Old | None:
    """The search data `site` published, if it is that of `state`."""
    if not state or state.get("format") != FORMAT:
        return None
    try:
        return _Old(site, state)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def patch_tables(docs: list[Doc], chunks: list[bytes], old: _Old, limit: float = LIMIT) -> dict[str, Shards] | None:
    """The tables of postings of `docs` (whose document store is `chunks`),
    patched from `old`; None when too much changed."""
    lo, ln = old.docs, len(docs)
    if lo == ln:  # the changed documents where they were; a chunk of the store as it was holds none
        gone = [i for k, data in enumerate(chunks) if old.chunk(k) != data
                for i in range(k * CHUNK, min(ln, (k + 1) * CHUNK)) if old.fields(i) != docs[i].fields]
        came, blocks = gone, [(0, 0, lo)]
    else:  # documents aligned by their fields (any alignment of equal fields gives the same postings)
        matcher = SequenceMatcher(None, [tuple(old.fields(i)) for i in range(lo)], [tuple(d.fields) for d in docs],
                                  autojunk=False)
        blocks = [(a, b, size) for a, b, size in matcher.get_matching_blocks() if size]
        gone = _outside(blocks, lo, 0)
        came = _outside(blocks, ln, 1)
    if len(gone) + len(came) > limit * max(ln, 1):
        return None
    moves = Moves(blocks, set(gone))
    out = {}
    for t, table in enumerate(TABLES):
        removed: dict[str, list[int]] = {}  # gram -> the changed documents that had it
        for i in gone:
            for g in doc_grams(old.fields(i))[t]:
                removed.setdefault(g, []).append(i)
        added: dict[str, list[tuple[int, int]]] = {}  # gram -> (changed document, code) that have it
        for i in came:
            for g, code in doc_grams(docs[i].fields)[t].items():
                added.setdefault(g, []).append((i, code))
        out[table] = _patch_table(old, table, removed, added, moves)
    return out


def _outside(blocks: list[tuple[int, int, int]], n: int, side: int) -> list[int]:
    """The documents (old: side 0, new: 1) in no block."""
    out, at = [], 0
    for block in blocks:
        out += range(at, block[side])
        at = block[side] + block[2]
    return out + list(range(at, n))


class Moves:
    """Where the unchanged documents went: blocks of (old first, new first,
    length), the changed old documents (`gone`) in none."""

    def __init__(self, blocks: list[tuple[int, int, int]], gone: set[int]):
        self.blocks = [(a, a + size, b - a) for a, b, size in blocks]  # (old start, old end, offset)
        self.starts = [a for a, _, _ in self.blocks]
        self.gone = gone
        self.moved = any(offset for _, _, offset in self.blocks)
        # where the offset changes: an entry there gets another gap to the entry before
        self.edges = [a for k, (a, _, offset) in enumerate(self.blocks) if offset != (self.blocks[k - 1][2] if k else 0)]

    def offset(self, doc: int) -> int:
        return self.blocks[bisect_right(self.starts, doc) - 1][2]


def _patch_table(old: _Old, table: str, removed: dict[str, list[int]], added: dict[str, list[tuple[int, int]]],
                 moves: Moves) -> Shards:
    """One table patched: the postings of the grams of changed documents
    made again (the entries of `removed` dropped, those of `added` put in),
    and, when documents moved, the gaps of every other gram's entries
    where the move changes."""
    n = old.n[table]
    affected = set(removed) | set(added)
    touched = set(range(n)) if moves.moved else {fnv1a(g) & (n - 1) for g in affected}
    shards = {k: old.shard(table, k) for k in touched}
    size = old.size[table]
    for g in affected:
        grams = shards[fnv1a(g) & (n - 1)]
        v = grams.get(g)
        if v is not None:
            size -= gram_size(g, v)
        v = _replace(v or [], removed.get(g, []), added.get(g, []), moves)
        if v:
            grams[g] = v
            size += gram_size(g, v)
        else:
            grams.pop(g, None)
    if moves.moved:
        for grams in shards.values():
            for g, v in grams.items():
                if g not in affected:
                    _move(v, moves)
    if shard_count(size) != n:  # another number of shards: every gram moves
        return _shards({g: v for k in range(n) for g, v in (shards[k] if k in shards else old.shard(table, k)).items()})
    files = {k: data for k in range(n) if k not in touched
             for data in [old.files.get(f"{SEARCH_DIR}/{table}/{k}.json")] if data is not None}
    for k, grams in shards.items():
        if grams:
            files[k] = _json({g: grams[g] for g in sorted(grams)})
    return Shards(n, files, size)


def _docs(v: list[int]) -> list[int]:
    """The document of each entry of delta-coded postings."""
    return list(accumulate(map(operator.rshift, v, repeat(2))))


def _encode(docs: list[int], codes: list[int]) -> list[int]:
    if not docs:
        return []
    gaps = map(operator.sub, docs, [0, *docs[:-1]])
    return list(map(operator.or_, map(operator.lshift, gaps, repeat(2)), codes))


def _replace(v: list[int], removed: list[int], added: list[tuple[int, int]], moves: Moves) -> list[int]:
    """A gram's postings with the entries of the changed documents replaced."""
    docs, codes = _docs(v), list(map(operator.and_, v, repeat(3)))
    if moves.moved:  # the entries of each block, moved
        kept_docs: list[int] = []
        kept_codes: list[int] = []
        for start, end, offset in moves.blocks:
            i, j = bisect_left(docs, start), bisect_left(docs, end)
            kept_docs += map(operator.add, docs[i:j], repeat(offset))
            kept_codes += codes[i:j]
        docs, codes = kept_docs, kept_codes
        removed = []
    if len(removed) + len(added) > FEW:
        entries = dict(zip(docs, codes))
        for d in removed:
            del entries[d]
        entries.update(added)
        docs = sorted(entries)
        return _encode(docs, [entries[d] for d in docs])
    for d in removed:
        i = bisect_left(docs, d)
        del docs[i], codes[i]
    for d, c in added:
        i = bisect_left(docs, d)
        docs.insert(i, d)
        codes.insert(i, c)
    return _encode(docs, codes)


def _move(v: list[int], moves: Moves) -> None:
    """The postings of a gram no changed document had, with their documents
    moved, in place: in delta-coded postings, only an entry whose document
    moved by another offset than the entry before it changes."""
    docs = _docs(v)
    for k in sorted({bisect_left(docs, edge) for edge in moves.edges}):
        if k < len(v):
            before = moves.offset(docs[k - 1]) if k else 0
            v[k] += (moves.offset(docs[k]) - before) << 2

def index_files_from(site, previous: Path | None, state: dict | None,
                     limit: float = LIMIT) -> tuple[dict[str, bytes], dict, bool]:
    """Every file of the search data (index.index_files()), the tables of
    postings patched from the search data the site folder `previous`
    published if `state` is its state; with this data's state and whether
    it was patched."""
    docs, plans = documents(site)
    chunks = chunk_files(docs, plans)
    old = read_previous(previous, state) if previous is not None else None
    tables = patch_tables(docs, chunks, old, limit) if old is not None else None
    files, new_state = assemble(docs, plans, folded_synonyms(site), tables or full_tables(docs), chunks)
    return files, new_state, tables is not None
