"""Date phrases of the plans (2024年底前, 2024年上半年, 6月底前, 12 月) and the
`NOW=` override for everything that depends on today's date."""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re

_WS = re.compile(r"\s+")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "两": 2}

# Each pattern reads a whole phrase (whitespace removed). The suffix words
# (前, 以前, 之前) do not change the date: "年底前" is due by the year's end.
_SUFFIX = r"(?:前|以前|之前)?"
_YEAR = r"(?P<year>\d{4})年"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^(?:到|至|在|于)?{_YEAR}(?:年)?底{_SUFFIX}$"), "year_end"),
    (re.compile(rf"^(?:到|至|在|于)?{_YEAR}(?:全年|年内){_SUFFIX}$"), "year_end"),
    (re.compile(rf"^(?:到|至|在|于)?{_YEAR}{_SUFFIX}$"), "year_end"),  # "2024年推动…": within 2024
    (re.compile(rf"^(?:到|至|在|于)?{_YEAR}上半年{_SUFFIX}$"), "h1"),
    (re.compile(rf"^(?:到|至|在|于)?{_YEAR}下半年{_SUFFIX}$"), "h2"),
    (re.compile(rf"^(?:到|至|在|于)?{_YEAR}第(?P<q>[1-4一二三四])季度(?:末|底)?{_SUFFIX}$"), "quarter"),
    (re.compile(rf"^(?:到|至|在|于)?{_YEAR}(?P<month>\d{{1,2}})月(?P<day>\d{{1,2}})日{_SUFFIX}$"), "day"),
    (re.compile(rf"^(?:到|至|在|于)?{_YEAR}(?P<month>\d{{1,2}})月(?:底|末|份)?{_SUFFIX}$"), "month_end"),
    # Without a year: the year comes from the context (an annex for one year).
    (re.compile(rf"^(?:到|至|在|于)?(?:年底|年内){_SUFFIX}$"), "year_end"),
    (re.compile(rf"^(?:到|至|在|于)?上半年{_SUFFIX}$"), "h1"),
    (re.compile(rf"^(?:到|至|在|于)?下半年{_SUFFIX}$"), "h2"),
    (re.compile(rf"^(?:到|至|在|于)?(?P<month>\d{{1,2}})月(?P<day>\d{{1,2}})日{_SUFFIX}$"), "day"),
    (re.compile(rf"^(?:到|至|在|于)?(?P<month>\d{{1,2}})月(?:底|末|份)?{_SUFFIX}$"), "month_end"),
]


class DatePhraseError(ValueError):
    pass


def normalise(text: str) -> str:
    return _WS.sub("", text)


def _month_end(year: int, month: int) -> dt.date:
    if not 1 <= month <= 12:
        raise DatePhraseError(f"there is no month {month}")
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_phrase(text: str, year: int | None = None) -> dt.date:
    """The date a deadline phrase means.

    >>> parse_phrase("2024 年底前")
    datetime.date(2024, 12, 31)
    >>> parse_phrase("12 月", year=2024)
    datetime.date(2024, 12, 31)

    `year` is used when the phrase has none. Raises DatePhraseError when the
    phrase is not a date phrase this parser knows.
    """
    s = normalise(text)
    for pattern, kind in _PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        groups = m.groupdict()
        y = int(groups["year"]) if groups.get("year") else year
        if y is None:
            raise DatePhraseError(f"'{text}' names no year, and none is given by its context")
        if kind == "year_end":
            return dt.date(y, 12, 31)
        if kind == "h1":
            return dt.date(y, 6, 30)
        if kind == "h2":
            return dt.date(y, 12, 31)
        if kind == "quarter":
            q = groups["q"]
            q = int(q) if q.isdigit() else _CN_DIGITS[q]
            return _month_end(y, q * 3)
        if kind == "month_end":
            return _month_end(y, int(groups["month"]))
        if kind == "day":
            try:
                return dt.date(y, int(groups["month"]), int(groups["day"]))
            except ValueError as e:
                raise DatePhraseError(f"'{text}' is not a real date") from e
    raise DatePhraseError(f"'{text}' is not a date phrase this site understands")


def today() -> dt.date:
    """Today's date, or the date in the NOW environment variable (YYYY-MM-DD)."""
    now = os.environ.get("NOW", "").strip()
    if now:
        try:
            return dt.date.fromisoformat(now)
        except ValueError as e:
            raise SystemExit(f"NOW={now!r} is not a date: use NOW=YYYY-MM-DD") from e
    return dt.date.today()
