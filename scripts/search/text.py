"""Text as search sees it: `clean` (display and index form), `fold`
(matching form, one character for one, so positions carry over), the pieces
of a query, the grams a term is looked up by, FNV-1a for sharding, and
synonym variants. The worker (docs/assets/javascripts/search-worker.js)
does exactly the same; a browser test compares them.
"""

from __future__ import annotations

import re
from typing import Any

ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# "Wide" characters: CJK ideographs and punctuation, full-width forms, and the
# punctuation Chinese text sets next to them. A space next to one is dropped.
WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
_WS = re.compile(r"\s+")
_WIDE_SPACE = re.compile(f"(?<=[{WIDE}]) | (?=[{WIDE}])")
# What clean() changes: text without any is returned as it is (most is).
_TO_CLEAN = re.compile(r"\s|" + ZERO_WIDTH.pattern)
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
    s = str(text or "")
    if not _TO_CLEAN.search(s):
        return s
    s = ZERO_WIDTH.sub("", s)
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
