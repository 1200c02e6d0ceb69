"""The date phrase parser, on every deadline phrase of the five sources."""

import datetime as dt
import re
from pathlib import Path

import pytest

from scripts.model.dates import DatePhraseError, parse_phrase, today

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"

# Every dated phrase form that occurs in the five seeds, with what it means.
PHRASES = [
    ("2024年底前", None, dt.date(2024, 12, 31)),
    ("2024 年底前", None, dt.date(2024, 12, 31)),
    ("2025年底前", None, dt.date(2025, 12, 31)),
    ("2026 年底前", None, dt.date(2026, 12, 31)),
    ("2025年底以前", None, dt.date(2025, 12, 31)),
    ("到2025年底前", None, dt.date(2025, 12, 31)),
    ("到2025年底", None, dt.date(2025, 12, 31)),
    ("2024年上半年", None, dt.date(2024, 6, 30)),
    ("2024年下半年", None, dt.date(2024, 12, 31)),
    ("2024年6月底前", None, dt.date(2024, 6, 30)),
    ("2024年6月", None, dt.date(2024, 6, 30)),
    ("2024年2月底前", None, dt.date(2024, 2, 29)),
    ("2024年", None, dt.date(2024, 12, 31)),
    ("2024年第三季度", None, dt.date(2024, 9, 30)),
    ("4月底前", 2024, dt.date(2024, 4, 30)),
    ("12 月", 2024, dt.date(2024, 12, 31)),
    ("6月", 2024, dt.date(2024, 6, 30)),
    ("9月", 2024, dt.date(2024, 9, 30)),
    ("年底前", 2024, dt.date(2024, 12, 31)),
    ("2024年4月22日", None, dt.date(2024, 4, 22)),
]


@pytest.mark.parametrize("text, year, expected", PHRASES, ids=[p[0] for p in PHRASES])
def test_phrase(text, year, expected):
    assert parse_phrase(text, year=year) == expected


@pytest.mark.parametrize("text, year", [("4月底前", None), ("年底前", None), ("每季度", 2024), ("2024年13月", None),
                                        ("2024年2月30日", None), ("尽快", 2024), ("2024年底前完成", None)])
def test_not_a_deadline(text, year):
    with pytest.raises(DatePhraseError):
        parse_phrase(text, year=year)


def test_every_dated_phrase_in_the_sources_parses():
    """Each year-dated phrase printed in the seeds (e.g. 2024 年底前, 2024年6月底前) is understood."""
    pattern = re.compile(r"(?:到)?\d{4}\s*年\s*(?:\d{1,2}\s*月\s*)?(?:底以前|底前|底|上半年|下半年)")
    found = set()
    for path in SOURCES.glob("*.txt"):
        found |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert len(found) >= 8
    for phrase in found:
        assert parse_phrase(phrase).year in range(2022, 2027), phrase


def test_now_override(monkeypatch):
    monkeypatch.setenv("NOW", "2025-03-01")
    assert today() == dt.date(2025, 3, 1)
    monkeypatch.setenv("NOW", "soon")
    with pytest.raises(SystemExit):
        today()
