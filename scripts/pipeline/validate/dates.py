"""Rules on dates and time: a plan's period is ordered; every deadline,
recurring duty, ongoing duty, event and not_time is quoted from the text it
belongs to; a deadline means its date (by the year rule when its words name
no year) inside the period; a recurring duty's period, interval, count, day
and month are those its words say; ongoing and event words are what they
claim; and no deadline, recurrence or event phrase of a text goes unrecorded.
The words are read by scripts/model/phrases.py, as the importer reads them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ...model import models
from ...model.phrases import (
    PhraseError,
    event_word,
    every_words,
    find_time_phrases,
    named_periods,
    ongoing_word,
    period_months,
    read_deadline,
    read_recurrence,
    rule_year,
)
from ..load.corpus import Corpus, Loaded
from ..load.document import Problem
from .rules import file_rule, local_rule
from .walk import P, squash, timed


@local_rule
def period_is_ordered(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A plan's period starts no later than it ends."""
    if p.model.period.start > p.model.period.end:
        yield p.doc.problem(("period",), "the period starts after it ends")


@local_rule
def time_words_in_text(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """The words of a deadline, recurring duty, ongoing duty, event and
    not_time entry appear in the text they belong to."""
    for t in timed(p.model):
        flat = squash(t.text)
        for key, items in (("deadlines", t.deadlines), ("recurrence", t.recurrence), ("ongoing", t.ongoing),
                           ("events", t.events)):
            for i, item in enumerate(items):
                if squash(item.text) not in flat:
                    yield p.doc.problem(t.path + (key, i, "text"), f"'{item.text}' is not in the text above it")
        for i, words in enumerate(t.not_time):
            if squash(words) not in flat:
                yield p.doc.problem(t.path + ("not_time", i), f"'{words}' is not in the text above it")


def _all_deadlines(plan: models.Plan) -> Iterator[tuple[P, models.Deadline, int | None]]:
    """(path, deadline, the annex's year for an annex row)."""
    for t in timed(plan):
        for i, d in enumerate(t.deadlines):
            yield t.path + ("deadlines", i), d, None
    for ai, annex in enumerate(plan.annexes):
        for ri, row in enumerate(annex.rows):
            if row.due:
                yield ("annexes", ai, "rows", ri, "due"), row.due, annex.year


@local_rule
def deadline_date_agrees_with_words(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A deadline's ISO date is the date its words mean; words that name no
    year take the rule's year: the deadline's `year`, else the annex's, else
    the plan's first year."""
    for path, d, annex_year in _all_deadlines(p.model):
        year, source = rule_year(d.year, annex_year, p.model.period.start)
        try:
            words = read_deadline(d.text, year=year)
        except PhraseError as e:
            yield p.doc.problem(path + ("text",), f"{e}; write the date phrase alone, e.g. '2024年底前'")
            continue
        if words.date != d.date:
            by = "" if words.year_named else f" (the year {year} from {_SOURCE[source]})"
            yield p.doc.problem(path + ("date",), f"'{d.text}' means {words.date.isoformat()}{by}, not {d.date.isoformat()}")


_SOURCE = {"override": "its 'year'", "annex": "the annex's 'year'", "plan": "the plan's period.start"}


@local_rule
def deadline_year_only_for_words_without_one(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A deadline's `year` is given only where its words name no year."""
    for path, d, _ in _all_deadlines(p.model):
        if d.year is not None and re.search(r"\d{4}\s*年", d.text):
            yield p.doc.problem(path + ("year",), f"'{d.text}' names its year: remove 'year'")


@local_rule
def dates_inside_period(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Deadlines and dated events fall inside the plan's period."""
    start, end = p.model.period.start, p.model.period.end
    dated = [(path, d.date) for path, d, _ in _all_deadlines(p.model)]
    dated += [(t.path + ("events", i, "date"), e.date) for t in timed(p.model) for i, e in enumerate(t.events) if e.date]
    for path, date in dated:
        if not start <= date.year <= end:
            yield p.doc.problem(path + (("date",) if path[-1] != "date" else ()),
                                f"{date.isoformat()} is outside the plan's period {start}–{end}")
    if p.model.issued and not start - 1 <= p.model.issued.year <= end:
        yield p.doc.problem(("issued",), f"issued {p.model.issued.isoformat()} is outside the plan's period")


def _recurrences(plan: models.Plan) -> Iterator[tuple[P, models.Recurrence]]:
    for t in timed(plan):
        for i, r in enumerate(t.recurrence):
            yield t.path + ("recurrence", i), r


def _same_period(a: tuple[str, int], b: tuple[str, int]) -> bool:
    """每三个月 is 每季度; a week and half a month are only themselves."""
    if {"week", "half-month"} & {a[0], b[0]}:
        return a == b
    return period_months(*a) == period_months(*b)


def _read(r: models.Recurrence):
    try:
        return read_recurrence(r.text)
    except PhraseError:
        return None


@local_rule
def recurrence_period_agrees_with_words(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A recurring duty's period (`every` and `interval`) is the one its words
    say (每两个月 -> month, 2; 每三个月 = 每季度), and the words name one."""
    for path, r in _recurrences(p.model):
        w = _read(r)
        if w is None:
            yield p.doc.problem(path + ("text",), f"the words '{r.text}' name no period (每周, 每月, 每两个月, 每季度, "
                                "每半年, 每年 …): quote the words that say how often")
            continue
        if not any(_same_period((r.every, r.interval), named) for named in named_periods(r.text)):
            key = "every" if r.every != w.every else "interval"
            yield p.doc.problem(
                path + (key,),
                f"the words '{r.text}' say {every_words(w.every, w.interval)} (every: {w.every}, interval: {w.interval}), "
                f"not {every_words(r.every, r.interval)} (every: {r.every}, interval: {r.interval})",
            )
        elif r.every == "half-month" and r.interval != 1:
            yield p.doc.problem(path + ("interval",), "a half-month duty falls due twice a month: no 'interval'")


@local_rule
def recurrence_count_agrees_with_words(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A recurring duty's `min_count` is the count its words say (至少两次 -> 2; none said -> 1)."""
    for path, r in _recurrences(p.model):
        w = _read(r)
        if w and w.min_count != r.min_count:
            yield p.doc.problem(path + ("min_count",),
                                f"the words '{r.text}' say {w.min_count} time(s) a period, not min_count {r.min_count}")


@local_rule
def recurrence_day_agrees_with_words(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A recurring duty's `day` is the day its words name (每月20日前 -> 20), and is given where they name one."""
    for path, r in _recurrences(p.model):
        w = _read(r)
        if w is None or w.day == r.day:
            continue
        if r.day is None:
            yield p.doc.problem(path, f"the words '{r.text}' name day {w.day}: add 'day: {w.day}'")
        else:
            said = f"; they say day {w.day}" if w.day else ""
            yield p.doc.problem(path + ("day",), f"day {r.day} is not in the words '{r.text}'{said}")


@local_rule
def recurrence_month_agrees_with_words(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A yearly or half-yearly duty's `month` and `next_year` are those its
    words say (每年3月底前 -> month 3; 次年3月前 -> month 3, next_year)."""
    for path, r in _recurrences(p.model):
        w = _read(r)
        if w is None:
            continue
        if w.month != r.month:
            if r.month is None:
                yield p.doc.problem(path, f"the words '{r.text}' name month {w.month}: add 'month: {w.month}'")
            else:
                said = f"; they say month {w.month}" if w.month else ""
                yield p.doc.problem(path + ("month",), f"month {r.month} is not in the words '{r.text}'{said}")
        if w.next_year != r.next_year:
            yield p.doc.problem(path + ("next_year",) if r.next_year else path,
                                f"the words '{r.text}' " + ("say 次年 (the next year): add 'next_year: true'"
                                                            if w.next_year else "do not say 次年: remove 'next_year'"))


@local_rule
def ongoing_words_are_ongoing(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """An ongoing duty's words carry an ongoing word (常态化, 长期坚持, 持续推进, 全年, 长效 …)."""
    for t in timed(p.model):
        for i, o in enumerate(t.ongoing):
            if not ongoing_word(o.text):
                yield p.doc.problem(t.path + ("ongoing", i, "text"), f"'{o.text}' carries no ongoing word "
                                    "(常态化, 长期坚持, 持续推进, 全年, 长效 …): is it a deadline or a recurring duty?")


@local_rule
def events_are_events(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """An event's words name an event (汛期, 春节, 重大活动 …), and a date an
    editor gives it is explained in its note."""
    for t in timed(p.model):
        for i, e in enumerate(t.events):
            if not event_word(e.text):
                yield p.doc.problem(t.path + ("events", i, "text"), f"'{e.text}' names no event "
                                    "(汛期, 春节, 国庆, 重大活动, 节假日 …)")
            if e.date and not e.note:
                yield p.doc.problem(t.path + ("events", i, "date"), "a date the plan does not print needs a 'note' "
                                    "saying where it comes from")


@local_rule
def not_time_is_explained(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Words listed in not_time are explained in the note."""
    for t in timed(p.model):
        if t.not_time and not t.note:
            yield p.doc.problem(t.path + ("not_time",), "explain in 'note' why these words are no deadline or duty")


_FIELD = {"deadline": "deadlines", "recurrence": "recurrence", "event": "events"}


@file_rule
def time_phrases_are_recorded(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Every deadline, recurrence and event phrase in a goal's, task's or
    section's text (found by phrases.find_time_phrases) is recorded: it lies
    within the words of one of its deadlines, recurrence, ongoing or events,
    or in its not_time."""
    for t in timed(p.model):
        flat = squash(t.text)
        covered: list[tuple[int, int]] = []
        words = [x.text for x in (*t.deadlines, *t.recurrence, *t.ongoing, *t.events)] + list(t.not_time)
        for w in map(squash, words):
            covered += [(m.start(), m.start() + len(w)) for m in re.finditer(re.escape(w), flat)] if w else []
        for found in find_time_phrases(t.text):
            if found.kind not in _FIELD:
                continue
            at = found.start + found.text.find(found.phrase)  # where the phrase itself starts
            a = len(squash(t.text[:at]))
            b = a + len(squash(found.phrase))
            if any(x < b and a < y for x, y in covered):
                continue
            yield p.doc.problem(
                t.path + ("text",),
                f"'{found.phrase}' is {'an' if found.kind == 'event' else 'a'} {found.kind} phrase no field records: add it to '{_FIELD[found.kind]}', "
                "or list the words in 'not_time' with a note",
            )
