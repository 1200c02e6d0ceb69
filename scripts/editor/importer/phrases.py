"""Deadlines, recurring duties and event-tied timing in a text, as drafts
record them: found and read by scripts/model/phrases.py (find_time_phrases,
read_deadline, read_recurrence), the parser `make check` reads them with, so
that a draft records every phrase the check would report as unrecorded."""

from __future__ import annotations

import re
from typing import Any

from ...model.dates import DatePhraseError, parse_phrase  # noqa: F401 (annex.py reads bare months with it)
from ...model.phrases import PhraseError, find_time_phrases, read_deadline, read_recurrence

_SP = r"[ \u3000]*"
DEADLINE_RE = re.compile(  # a clause that starts with a dated deadline (goal_pieces splits there)
    rf"(?:到|至)?\d{{4}}{_SP}年{_SP}"
    rf"(?:底|上半年|下半年|第[1-4一二三四]季度(?:末|底)?|\d{{1,2}}{_SP}月{_SP}(?:\d{{1,2}}{_SP}日|底|末)?)"
    rf"{_SP}(?:以前|之前|前)?"
)


def find_deadlines(text: str, period: tuple[int, int]) -> tuple[list[dict], list[str]]:
    """Deadlines in a text (words naming no year take the plan's first year,
    or with `year:` the year the text names just before them), and remarks
    on phrases that could not be recorded."""
    found, remarks = [], []
    for p in find_time_phrases(text):
        if p.kind != "deadline":
            continue
        year = p.context_year if p.context_year and p.context_year != period[0] else None
        try:
            date = read_deadline(p.text, year or period[0]).date
        except PhraseError:
            remarks.append(f"'{p.text}' could not be read as a date")
            continue
        if not period[0] <= date.year <= period[1]:
            remarks.append(f"'{p.text}' ({date.isoformat()}) is outside the plan's period; not recorded as a deadline")
            continue
        entry: dict[str, Any] = {"date": date, "text": p.text}
        if year:
            entry["year"] = year
        found.append(entry)
    return found, remarks


def find_recurrences(text: str) -> list[dict]:
    """Recurring duties: 每季度…至少1次, （高危行业领域每月至少1次）, 每月25日前,
    每两个月, 每年3月底前, 次年3月前. The words are the clause from the period
    word (with the scope words before it inside a parenthesis)."""
    out = []
    for p in find_time_phrases(text):
        if p.kind != "recurrence":
            continue
        try:
            w = read_recurrence(p.text)
        except PhraseError:
            continue
        entry: dict[str, Any] = {"every": w.every}
        if w.interval != 1:
            entry["interval"] = w.interval
        entry["min_count"] = w.min_count
        for key in ("day", "month"):
            if getattr(w, key):
                entry[key] = getattr(w, key)
        if w.next_year:
            entry["next_year"] = True
        words = p.text
        before = text[:p.start]
        k = max(before.rfind("（"), before.rfind("("))
        if k >= 0 and not re.search(r"[）)，。；]", before[k + 1:]) and before[k + 1:].strip():
            scope = before[k + 1:].strip()  # a stricter rule in a parenthesis: （高危行业领域每月至少1次）
            entry["scope"] = scope
            words = scope + words
        entry["text"] = words
        out.append(entry)
    return out


def find_events(text: str) -> list[dict]:
    """Timing tied to an event (汛期前, 春节前, 重大活动期间): the clause, undated."""
    return [{"text": p.text} for p in find_time_phrases(text) if p.kind == "event"]
