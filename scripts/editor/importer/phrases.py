"""Deadlines and recurring duties in a text: date phrases (2024年底前,
2024年6月底前 …, read by scripts.model.dates.parse_phrase) and duties such as
每季度…至少1次, 高危行业领域每月至少1次, 每月25日前."""

from __future__ import annotations

import re
from typing import Any

from ...model.dates import DatePhraseError, parse_phrase
from .text import squash


_SP = r"[ \u3000]*"
DEADLINE_RE = re.compile(
    rf"(?:到|至)?\d{{4}}{_SP}年{_SP}"
    rf"(?:底|上半年|下半年|第[1-4一二三四]季度(?:末|底)?|\d{{1,2}}{_SP}月{_SP}(?:\d{{1,2}}{_SP}日|底|末)?)"
    rf"{_SP}(?:以前|之前|前)?"
)
YEARLESS_RE = re.compile(rf"(?<![\d年 ])\d{{1,2}}{_SP}月{_SP}(?:底|末)?{_SP}(?:以前|之前|前)")


def find_deadlines(text: str, period: tuple[int, int]) -> tuple[list[dict], list[str]]:
    """Deadlines in a text, and remarks on date phrases that could not be recorded."""
    found, remarks = [], []
    for m in DEADLINE_RE.finditer(text):
        phrase = m.group(0).strip()
        core = squash(phrase)
        if re.search(r"\d月$", core):
            continue  # "2024年6月，…": a month without 底/前 is not read as a deadline
        try:
            date = parse_phrase(phrase)
        except DatePhraseError:
            continue
        if not period[0] <= date.year <= period[1]:
            remarks.append(f"'{phrase}' ({date.isoformat()}) is outside the plan's period; not recorded as a deadline")
            continue
        found.append({"date": date, "text": phrase})
    for m in YEARLESS_RE.finditer(text):
        remarks.append(f"'{m.group(0).strip()}' names no year; not recorded as a deadline")
    return found, remarks


_PERIODS = {"半年": "half-year", "季度": "quarter", "季": "quarter", "月": "month", "年": "year"}
_CN_COUNT = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
RECUR_RE = re.compile(r"每(半年|季度|月|年)(?!度)([^，。；：,;（）()“”\n]*)")


def _count(s: str) -> int:
    return int(s) if s.isdigit() else _CN_COUNT.get(s, 1)


def find_recurrences(text: str) -> list[dict]:
    """Recurring duties: 每季度…至少1次, （高危行业领域每月至少1次）, 每月25日前.

    Every 每月/每季度/每半年/每年 clause is one (min_count 1 unless 至少N次 / N次
    says more); the words are the clause from 每 (with the scope words before it
    inside a parenthesis)."""
    out = []
    flat = text.replace("\n", "")
    for m in RECUR_RE.finditer(flat):
        period, rest = m.group(1), m.group(2)
        day = None
        dm = re.match(r"\s*(\d{1,2})\s*日(?:之前|以前|前)", rest)
        if dm and period == "月":
            day = int(dm.group(1))
        cm = re.search(r"至少\s*(\d+|[一两二三四五六七八九十])\s*次", rest) or \
            re.search(r"(\d+|[一两二三四五六七八九十])\s*次", rest)
        if not rest.strip():
            continue
        entry: dict[str, Any] = {"every": _PERIODS[period], "min_count": _count(cm.group(1)) if cm else 1}
        if day:
            entry["day"] = day
        start = m.start()
        # a stricter rule in a parenthesis: （高危行业领域每月至少1次）
        before = flat[:start]
        k = max(before.rfind("（"), before.rfind("("))
        scope = None
        if k >= 0 and not re.search(r"[）)，。；]", before[k + 1:]) and before[k + 1:].strip():
            scope = before[k + 1:].strip()
            start = k + 1
        words = flat[start:m.end()].strip()
        entry["text"] = words
        if scope:
            entry["scope"] = scope
        out.append(entry)
    return out
