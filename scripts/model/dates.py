"""Dates: the date deadline words mean (2024年底前 -> 2024-12-31, read by
scripts/model/phrases.py, which reads every time phrase) and the `NOW=`
override for everything that depends on today's date."""

from __future__ import annotations

import datetime as dt
import os

from .phrases import DatePhraseError, read_deadline, squash

__all__ = ["DatePhraseError", "normalise", "parse_phrase", "today"]


def normalise(text: str) -> str:
    return squash(text)


def parse_phrase(text: str, year: int | None = None) -> dt.date:
    """The date a deadline phrase means.

    >>> parse_phrase("2024 年底前")
    datetime.date(2024, 12, 31)
    >>> parse_phrase("12 月", year=2024)
    datetime.date(2024, 12, 31)

    `year` is used when the phrase has none. Raises DatePhraseError when the
    phrase is not a date phrase this parser knows. (read_deadline() in
    phrases.py also tells whether the words name their year.)
    """
    return read_deadline(text, year).date


def today() -> dt.date:
    """Today's date, or the date in the NOW environment variable (YYYY-MM-DD)."""
    now = os.environ.get("NOW", "").strip()
    if now:
        try:
            return dt.date.fromisoformat(now)
        except ValueError as e:
            raise SystemExit(f"NOW={now!r} is not a date: use NOW=YYYY-MM-DD") from e
    return dt.date.today()
