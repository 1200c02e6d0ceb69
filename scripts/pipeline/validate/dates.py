"""Rules on dates: a plan's period is ordered; a deadline's words are in its
text, mean its date and fall inside the period; a recurring duty's day and
period agree with its words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ...model import models
from ...model.dates import DatePhraseError, parse_phrase
from ...model.phrases import rule_year
from ..load.corpus import Corpus, Loaded
from ..load.document import Problem
from .rules import plan_rule
from .walk import P, dated, squash


@plan_rule
def period_is_ordered(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A plan's period starts no later than it ends."""
    if p.model.period.start > p.model.period.end:
        yield p.doc.problem(("period",), "the period starts after it ends")


@plan_rule
def deadline_words_in_text(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A deadline's and a recurring duty's original words appear in the text they belong to."""
    for path, text, deadlines, recurrences in dated(p.model):
        flat = squash(text)
        for i, d in enumerate(deadlines):
            if squash(d.text) not in flat:
                yield p.doc.problem(path + ("deadlines", i, "text"), f"'{d.text}' is not in the text above it")
        for i, r in enumerate(recurrences):
            if squash(r.text) not in flat:
                yield p.doc.problem(path + ("recurrence", i, "text"), f"'{r.text}' is not in the text above it")


def _all_deadlines(plan: models.Plan) -> Iterator[tuple[P, models.Deadline, int | None]]:
    """Every deadline, with the year its words take when they name none (rule_year:
    its `year`, else the annex's year for an annex row, else the plan's first year)."""
    start = plan.period.start
    for path, _, deadlines, _ in dated(plan):
        for i, d in enumerate(deadlines):
            yield path + ("deadlines", i), d, rule_year(d.year, None, start)[0]
    for ai, annex in enumerate(plan.annexes):
        for ri, row in enumerate(annex.rows):
            if row.due:
                yield ("annexes", ai, "rows", ri, "due"), row.due, rule_year(row.due.year, annex.year, start)[0]


@plan_rule
def deadline_date_agrees_with_words(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A deadline's ISO date is the date its original words mean."""
    for path, d, year in _all_deadlines(p.model):
        try:
            meant = parse_phrase(d.text, year=year)
        except DatePhraseError as e:
            yield p.doc.problem(path + ("text",), f"{e}; write the date phrase alone, e.g. '2024年底前'")
            continue
        if meant != d.date:
            yield p.doc.problem(path + ("date",), f"'{d.text}' means {meant.isoformat()}, not {d.date.isoformat()}")


@plan_rule
def dates_inside_period(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Deadlines fall inside the plan's period."""
    start, end = p.model.period.start, p.model.period.end
    for path, d, _ in _all_deadlines(p.model):
        if not start <= d.date.year <= end:
            yield p.doc.problem(path + ("date",), f"{d.date.isoformat()} is outside the plan's period {start}–{end}")
    if p.model.issued and not start - 1 <= p.model.issued.year <= end:
        yield p.doc.problem(("issued",), f"issued {p.model.issued.isoformat()} is outside the plan's period")


@plan_rule
def recurrence_day_in_words(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A recurring duty's day of the month is the day its words name (每月20日前 -> 20)."""
    for path, _, _, recurrences in dated(p.model):
        for i, r in enumerate(recurrences):
            if r.day is not None and f"{r.day}日" not in squash(r.text):
                yield p.doc.problem(path + ("recurrence", i, "day"), f"day {r.day} is not in the words '{r.text}'")


RECURRENCE_MARKERS = (  # (period, words that name it)
    ("month", re.compile(r"每月")),
    ("quarter", re.compile(r"每季度|季(?!节)")),
    ("half-year", re.compile(r"每半年")),
    ("year", re.compile(r"每年|年度")),
)


@plan_rule
def recurrence_period_in_words(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A recurring duty's period agrees with its words where they name one:
    每月 -> month, 每季度/季 -> quarter, 每半年 -> half-year, 每年/年度 -> year."""
    for path, _, _, recurrences in dated(p.model):
        for i, r in enumerate(recurrences):
            words = squash(r.text)
            named = {period: m.group(0) for period, rx in RECURRENCE_MARKERS if (m := rx.search(words))}
            if named and r.every not in named:
                said = "、".join(named.values())
                yield p.doc.problem(
                    path + ("recurrence", i, "every"),
                    f"the words '{r.text}' say {said} ({' or '.join(named)}), but 'every' is '{r.every}'",
                )
