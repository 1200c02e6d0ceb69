"""Time phrases in a text, as plan data: deadlines, recurring duties, ongoing
duties and event-tied timing, found and read by the one parser the
validator uses (scripts/model/phrases.py: find_time_phrases, read_deadline,
read_recurrence).

- A deadline whose words name no year (6月底前, 年内, 三季度末) takes the
  year of the rule (rule_year: the annex's year for an annex row, else the
  plan's first year); where the text itself names another year before the
  words (2025年完成…，其中6月底前…), the draft writes that year as `year:`.
  A bare year (2024年推动…) is that year's end.
- A recurring duty keeps the words from its period word to the clause's end,
  with the scope words before it inside a parenthesis (（高危行业领域每月至少1次）).
- Ongoing duties (常态化, 长期坚持 …) and events (汛期前, 春节前 …) keep their
  clause; an event gets no date.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from ...model.phrases import PhraseError, find_time_phrases, read_deadline, read_recurrence, rule_year


def find_deadlines(text: str, period: tuple[int, int], annex_year: int | None = None
                   ) -> tuple[list[dict], list[str]]:
    """Deadlines in a text, and remarks on date phrases that could not be recorded."""
    return _deadlines([p for p in find_time_phrases(text) if p.kind == "deadline"], period, annex_year)


def _deadlines(phrases, period: tuple[int, int], annex_year: int | None) -> tuple[list[dict], list[str]]:
    found, remarks = [], []
    rule, _ = rule_year(None, annex_year, period[0])
    for p in phrases:
        words = p.text.strip()
        try:
            w = read_deadline(words)
            year = None
        except PhraseError:  # names no year: the rule's, or the year the text names before it
            year = p.context_year if p.context_year and p.context_year != rule else None
            try:
                w = read_deadline(words, year or rule)
            except PhraseError:
                remarks.append(f"'{words}' is not read as a deadline; record it if it is one")
                continue
        if not period[0] <= w.date.year <= period[1] + (1 if not w.year_named else 0):
            remarks.append(f"'{words}' ({w.date.isoformat()}) is outside the plan's period; not recorded")
            continue
        entry: dict[str, Any] = {"date": w.date, "text": words}
        if year:
            entry["year"] = year
        found.append(entry)
    return found, remarks


def find_recurrences(text: str) -> list[dict]:
    """Recurring duties: 每季度…至少1次, （高危行业领域每月至少1次）, 每月25日前, 每两个月, 次年3月前."""
    return _recurrences(text, [p for p in find_time_phrases(text) if p.kind == "recurrence"])


def _recurrences(text: str, phrases) -> list[dict]:
    out = []
    for p in phrases:
        try:
            w = read_recurrence(p.text)
        except PhraseError:
            continue
        fields = {k: v for k, v in asdict(w).items() if k != "marker"}
        entry: dict[str, Any] = {"every": fields["every"]}
        if fields["interval"] != 1:
            entry["interval"] = fields["interval"]
        entry["min_count"] = fields["min_count"]
        for key in ("day", "month"):
            if fields[key]:
                entry[key] = fields[key]
        if fields["next_year"]:
            entry["next_year"] = True
        start, words = p.start, p.text
        # a stricter rule in a parenthesis: （高危行业领域每月至少1次）
        before = text[:start]
        k = max(before.rfind("（"), before.rfind("("))
        if k >= 0 and not re.search(r"[）)，。；\n]", before[k + 1:]) and before[k + 1:].strip():
            entry["scope"] = before[k + 1:].strip()
            words = text[k + 1:p.end]
        entry["text"] = words.strip()
        out.append({key: entry[key] for key in ("every", "interval", "min_count", "day", "month", "next_year",
                                                "text", "scope") if key in entry})
    return out


def time_fields(text: str, period: tuple[int, int]) -> tuple[dict[str, list], list[str]]:
    """deadlines, recurrence, ongoing and events of a task's or section's text
    (only the non-empty ones), and remarks for the editor."""
    phrases = find_time_phrases(text)
    out: dict[str, list] = {}
    dls, remarks = _deadlines([p for p in phrases if p.kind == "deadline"], period, None)
    recs = _recurrences(text, [p for p in phrases if p.kind == "recurrence"])
    ongoing = _unique(p.text.strip() for p in phrases if p.kind == "ongoing")
    events = _unique(p.text.strip() for p in phrases if p.kind == "event")
    for key, value in (("deadlines", dls), ("recurrence", recs), ("ongoing", [{"text": t} for t in ongoing]),
                       ("events", [{"text": t} for t in events])):
        if value:
            out[key] = value
    return out, remarks


def _unique(texts) -> list[str]:
    out: list[str] = []
    for t in texts:
        if t and t not in out:
            out.append(t)
    return out
