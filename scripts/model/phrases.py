"""The time phrases of the plans, read the one way the validator, the importer
and the site share.

Four kinds of time a plan states (their fields: models.py; README, "Time phrases"):

- a deadline (2024年底前, 6月底前, 年内, 三季度末, 2025年第三季度, 2024年):
  `read_deadline()` gives its date and whether the words name their year;
  words that name none take the year of `rule_year()` (an editor's `year:`,
  else the annex's year, else the plan's first year);
- a recurring duty (每周, 每半月, 每两个月, 每季度, 每半年, 每年至少两次,
  每月25日前, 每年3月底前, 次年3月前): `read_recurrence()` gives its period,
  interval, count, day, month and whether it falls in the next year;
- an ongoing duty (常态化, 长期坚持, 持续推进, 全年 …): `ongoing_word()`;
- timing tied to an event with no fixed date (汛期前, 春节前, 重大活动期间):
  `event_word()`.

`find_time_phrases()` finds all four in a text (the importer proposes them,
the validator reports deadline, recurrence and event phrases no field
records). The patterns are deliberately conservative: a phrase they do not
know is left for a person, never guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

# --------------------------------------------------------------------------- #
# Shared pieces
# --------------------------------------------------------------------------- #

_WS = re.compile(r"\s+")
_CN = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUM = r"(?:\d{1,2}|[一二两三四五六七八九十]{1,3})"  # 1–99 in digits or Chinese numerals


class PhraseError(ValueError):
    """Words this module cannot read as the kind of time asked for."""


# The name the date parser has had since the first round (kept for callers).
DatePhraseError = PhraseError


def squash(text: str) -> str:
    """Text without whitespace (the source prints 2024 年底前 and 2024年底前)."""
    return _WS.sub("", text)


def number(s: str) -> int:
    """1–99 written in digits or Chinese numerals (两, 十二, 二十五)."""
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN[tens] if tens else 1) * 10 + (_CN[ones] if ones else 0)
    if len(s) == 1 and s in _CN:
        return _CN[s]
    raise PhraseError(f"'{s}' is not a number")


def month_end(year: int, month: int) -> dt.date:
    if not 1 <= month <= 12:
        raise PhraseError(f"there is no month {month}")
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# --------------------------------------------------------------------------- #
# Deadlines
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class DeadlineWords:
    """What deadline words mean."""

    date: dt.date
    year_named: bool  # the words print their year (2024年底前); else it came from `year`
    bare_year: bool  # the words are a year alone (2024年推动…): that year's last day


_PRE = r"(?:到|至|在|于|截至|截止)?"
_POST = r"(?:前|以前|之前)?"
_Y = r"(?P<year>\d{4})年"
_Q = r"第?(?P<q>[1-4一二三四])季度(?:末|底)?"
_M = rf"(?P<month>{NUM})月份?"
_MPART = r"(?:(?P<day>\d{1,2})日|(?P<part>底|末|上旬|中旬|下旬))?"
_DEADLINE_FORMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^{_PRE}{_Y}(?:年底|年末|底|末|年内|内|全年){_POST}$"), "year_end"),
    (re.compile(rf"^{_PRE}{_Y}{_POST}$"), "bare_year"),
    (re.compile(rf"^{_PRE}{_Y}上半年{_POST}$"), "h1"),
    (re.compile(rf"^{_PRE}{_Y}年中{_POST}$"), "h1"),
    (re.compile(rf"^{_PRE}{_Y}下半年{_POST}$"), "year_end"),
    (re.compile(rf"^{_PRE}{_Y}{_Q}{_POST}$"), "quarter"),
    (re.compile(rf"^{_PRE}{_Y}{_M}{_MPART}{_POST}$"), "month"),
    # Without a year: the year comes from the context (rule_year).
    (re.compile(rf"^{_PRE}(?:年底|年末|年内){_POST}$"), "year_end"),
    (re.compile(rf"^{_PRE}(?:上半年|年中){_POST}$"), "h1"),
    (re.compile(rf"^{_PRE}下半年{_POST}$"), "year_end"),
    (re.compile(rf"^{_PRE}{_Q}{_POST}$"), "quarter"),
    (re.compile(rf"^{_PRE}{_M}{_MPART}{_POST}$"), "month"),
    (re.compile(rf"^{_PRE}次年{_M}{_MPART}{_POST}$"), "next_year_month"),
]
_PART_DAY = {"上旬": 10, "中旬": 20}


def read_deadline(text: str, year: int | None = None) -> DeadlineWords:
    """The date deadline words mean.

    >>> read_deadline("2024 年底前").date
    datetime.date(2024, 12, 31)
    >>> read_deadline("6月底前", year=2025)
    DeadlineWords(date=datetime.date(2025, 6, 30), year_named=False, bare_year=False)

    `year` is used when the words name none (rule_year() gives it); 次年 is
    the year after it. A bare month (6月, 12 月) means that month's last day;
    上旬/中旬 its 10th/20th. Raises PhraseError for words that are not one
    deadline phrase, or that name no year when no `year` is given.
    """
    s = squash(text)
    for pattern, kind in _DEADLINE_FORMS:
        m = pattern.match(s)
        if not m:
            continue
        g = m.groupdict()
        named = bool(g.get("year"))
        y = int(g["year"]) if named else year
        if y is None:
            raise PhraseError(f"'{text}' names no year, and none is given by its context")
        if kind == "next_year_month":
            y += 1
        if kind in ("year_end", "bare_year"):
            date = dt.date(y, 12, 31)
        elif kind == "h1":
            date = dt.date(y, 6, 30)
        elif kind == "quarter":
            date = month_end(y, number(g["q"]) * 3)
        else:
            month = number(g["month"])
            if g.get("day"):
                try:
                    date = dt.date(y, month, int(g["day"]))
                except ValueError as e:
                    raise PhraseError(f"'{text}' is not a real date") from e
            elif g.get("part") in _PART_DAY:
                date = month_end(y, month).replace(day=_PART_DAY[g["part"]])
            else:
                date = month_end(y, month)
        return DeadlineWords(date, named, kind == "bare_year")
    raise PhraseError(f"'{text}' is not a date phrase this site understands")


def rule_year(override: int | None, annex_year: int | None, plan_start: int) -> tuple[int, str]:
    """The year of deadline words that name none, and where it comes from:
    the editor's `year:` ('override'), else the annex's `year` for an annex
    row ('annex'), else the plan's first year ('plan')."""
    if override is not None:
        return override, "override"
    if annex_year is not None:
        return annex_year, "annex"
    return plan_start, "plan"


# --------------------------------------------------------------------------- #
# Recurring duties
# --------------------------------------------------------------------------- #

EVERY = ("week", "half-month", "month", "quarter", "half-year", "year")
# Length of a period in months (a week and half a month have none).
MONTHS_IN = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}


@dataclass(frozen=True)
class RecurrenceWords:
    """What the words of a recurring duty say."""

    every: str  # one of EVERY
    interval: int = 1  # 每两个月: every: month, interval: 2
    min_count: int = 1  # times per period: 每年至少两次 -> 2
    day: int | None = None  # 每月25日前 -> 25
    month: int | None = None  # 每年3月底前 -> 3
    next_year: bool = False  # 次年3月前: due in the year after the one it is for
    marker: str = ""  # the words that name the period (每两个月, 次年, 月讲评 …)


_UNITS = [  # (words after 每 [number], period)
    ("半个月", "half-month"), ("半月", "half-month"), ("半年", "half-year"),
    ("个季度", "quarter"), ("季度", "quarter"), ("季", "quarter"),
    ("个月", "month"), ("月", "month"), ("周", "week"), ("星期", "week"),
    ("年度", "year"), ("年", "year"),
]
_UNIT_RE = "|".join(re.escape(u) for u, _ in _UNITS)
_EVERY_RE = re.compile(rf"每(?P<n>{NUM})?(?P<unit>{_UNIT_RE})")
_NEXT_YEAR_RE = re.compile(rf"次年(?P<month>{NUM})月")
# 月讲评, 季通报, 年总结, 周调度, 行动月报, 季度点评, 年度述职: a period word
# leading a routine's name (not a date: 2024年报, 上半年, 本月).
_ROUTINE_RE = re.compile(
    r"(?<![\d每本当上下次今明去前后全半一二两三四五六七八九十])(?P<unit>周|月度|月|季度|季|半年度|半年|年度|年)"
    r"(?=报|调度|讲评|通报|总结|例会|会商|研判|分析|考核|检查|督查|督导|点评|计划|述职|评估|评议|工作要点|调研)"
)
# 年度、季度监督检查计划, 年度任务: a period word alone.
_PERIOD_WORD_RE = re.compile(r"(?<![\d每本当上下次今明去前后])(?P<unit>月度|季度|半年度|年度)")
_ROUTINE_EVERY = {"周": "week", "月": "month", "月度": "month", "季": "quarter", "季度": "quarter",
                  "半年": "half-year", "半年度": "half-year", "年": "year", "年度": "year"}
_COUNT_RE = re.compile(rf"至少(?P<n>{NUM})次|(?P<m>{NUM})次")
_UNIT_EVERY = dict(_UNITS)


def read_recurrence(text: str) -> RecurrenceWords:
    """The period, interval, count, day and month the words of a recurring
    duty say.

    >>> read_recurrence("每两个月开展一次联合检查")
    RecurrenceWords(every='month', interval=2, min_count=1, day=None, month=None, next_year=False, marker='每两个月')

    The first period word counts: 每…(周|半月|月|季度|半年|年), with a number
    for the interval (每两年, 每3个月); 次年N月 (yearly, in the next year);
    a routine's name led by its period (月讲评, 季通报, 行动月报, 季度点评);
    else 年度/季度/月度 alone (named_periods() lists every period named).
    Then 至少N次 (or N次) is the count, N日 right after a monthly period the
    day, and N月 right after a yearly or half-yearly period the month.
    Raises PhraseError when the words name no period.
    """
    s = squash(text)
    interval, month, day, next_year = 1, None, None, False
    if m := _EVERY_RE.search(s):
        every = _UNIT_EVERY[m.group("unit")]
        interval = number(m.group("n")) if m.group("n") else 1
        if interval < 1:
            raise PhraseError(f"'{m.group(0)}' is not a period")
        rest = s[m.end():]
    elif m := _NEXT_YEAR_RE.search(s):
        every, next_year = "year", True
        rest = s[m.start() + 2:]
    elif m := _ROUTINE_RE.search(s) or _PERIOD_WORD_RE.search(s):
        every = _ROUTINE_EVERY[m.group("unit")]
        rest = s[m.end():]
    else:
        raise PhraseError(f"'{text}' names no period (每周, 每月, 每季度, 每半年, 每年 …)")
    if every in ("year", "half-year"):
        if mm := re.match(rf"(?P<month>{NUM})月(?:(?P<day>\d{{1,2}})日)?", rest):
            month = number(mm.group("month"))
            day = int(mm.group("day")) if mm.group("day") else None
            if not 1 <= month <= 12:
                raise PhraseError(f"there is no month {month}")
    elif every in ("month", "quarter"):
        if dm := re.match(r"(?:的)?(?P<day>\d{1,2})日", rest):
            day = int(dm.group("day"))
    count = 1
    if c := _COUNT_RE.search(rest):
        count = number(c.group("n") or c.group("m"))
    return RecurrenceWords(every, interval, max(count, 1), day, month, next_year, m.group(0))


def named_periods(text: str) -> list[tuple[str, int]]:
    """Every period the words name, as (every, interval), in text order:
    编制年度、季度监督检查计划 names a year and a quarter."""
    s = squash(text)
    found: list[tuple[int, int, str, int]] = []  # start, end, every, interval
    for m in _EVERY_RE.finditer(s):
        found.append((m.start(), m.end(), _UNIT_EVERY[m.group("unit")], number(m.group("n")) if m.group("n") else 1))
    for m in _NEXT_YEAR_RE.finditer(s):
        found.append((m.start(), m.end(), "year", 1))
    for rx in (_ROUTINE_RE, _PERIOD_WORD_RE):
        for m in rx.finditer(s):
            if not any(a <= m.start() < b for a, b, *_ in found):
                found.append((m.start(), m.end(), _ROUTINE_EVERY[m.group("unit")], 1))
    return list(dict.fromkeys((every, n) for _, _, every, n in sorted(found)))


def period_months(every: str, interval: int = 1) -> float:
    """The length of a period in months (a week ≈ 12/52, half a month 0.5),
    to compare two ways of writing one period: 每三个月 and 每季度."""
    if every == "week":
        return interval * 12 / 52
    if every == "half-month":
        return interval * 0.5
    return interval * MONTHS_IN[every]


def every_words(every: str, interval: int = 1) -> str:
    """The period in words: 每月, 每两个月, 每季度, 每半年, 每两年, 每周, 每半月."""
    if every == "half-month":
        return "每半月" if interval == 1 else f"每{_cn(interval)}个半月"
    base = {"week": "周", "month": "月", "quarter": "季度", "half-year": "半年", "year": "年"}[every]
    if interval == 1:
        return f"每{base}"
    measure = {"month": "个月", "quarter": "个季度", "half-year": "个半年"}.get(every, base)
    return f"每{_cn(interval)}{measure}"


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n == 2:
        return "两"
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")
    return str(n)


# --------------------------------------------------------------------------- #
# Ongoing duties and event-tied timing
# --------------------------------------------------------------------------- #

ONGOING_WORDS = (
    "常态化", "常态长效", "长期坚持", "长效", "持续推进", "持续开展", "持续", "全年", "经常性", "常年",
    "定期", "长期", "常抓不懈", "不间断",
)
_ONGOING_RE = re.compile("|".join(sorted(map(re.escape, ONGOING_WORDS), key=len, reverse=True)))

EVENT_WORDS = (
    "主汛期", "汛期", "汛前", "防汛", "春节", "元旦", "国庆", "五一", "清明", "端午", "中秋", "节假日", "重大节日",
    "节日", "重大活动", "重要活动", "大型活动", "两会", "进博会", "岁末年初", "开学", "高温", "雨季", "台风", "冬春",
    "旺季", "重点时段", "重要时段", "敏感时段", "重要节点", "重要时间节点",
)
_EVENT_RE = re.compile("|".join(sorted(map(re.escape, EVENT_WORDS), key=len, reverse=True)))


def ongoing_word(text: str) -> str | None:
    """The ongoing word the text carries (常态化, 长期坚持, 持续推进, 全年 …), if any."""
    m = _ONGOING_RE.search(squash(text))
    return m.group(0) if m else None


def event_word(text: str) -> str | None:
    """The event the text ties its timing to (汛期, 春节, 重大活动 …), if any."""
    m = _EVENT_RE.search(squash(text))
    return m.group(0) if m else None


# --------------------------------------------------------------------------- #
# Finding time phrases in a text
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class TimePhrase:
    """A time phrase found in a text. `start`/`end` index the text as given
    (whitespace inside the phrase included); `text` is the words to record,
    verbatim: the deadline words, the clause from the period word for a
    recurring duty, the clause holding the word for ongoing and event
    timing; `phrase` is the matched words alone."""

    kind: str  # deadline | recurrence | ongoing | event
    text: str
    start: int
    end: int
    phrase: str
    context_year: int | None = None  # deadlines naming no year: the last year their sentence names before them


_CLAUSE_END = "，。；！？：,;!?\n"
_DUTY_END = _CLAUSE_END + "（）()“”"  # a recurring duty's clause also ends at a bracket or quote
_DL_YEAR = rf"\d{{4}}年(?:年底|底|年末|末|年内|内|全年|上半年|下半年|年中|{_Q}|{NUM}月份?(?:\d{{1,2}}日|底|末|上旬|中旬|下旬)?)?"
_DL_YEARLESS = rf"(?<![\d年一二两三四五六七八九十每本当今明去])(?:年底|年末|年内|上半年|下半年|第?[一二三四1-4]季度(?:末|底))"
_DL_MONTH = rf"(?<![\d年一二两三四五六七八九十每])(?:次年)?{NUM}月份?(?:\d{{1,2}}日|底|末|上旬|中旬|下旬)?(?=前|以前|之前)"
_FIND_DEADLINE = re.compile(rf"(?:到|至|截至|截止)?(?:{_DL_YEAR}|{_DL_YEARLESS}|{_DL_MONTH})(?:前|以前|之前)?")
_FIND_RECURRENCE = re.compile(
    rf"(?:每{NUM}?(?:{_UNIT_RE})|次年{NUM}月)(?:{NUM}月(?:\d{{1,2}}日)?(?:底|末)?|\d{{1,2}}日)?(?:前|以前|之前)?"
)
_FIND_EVENT = re.compile(
    r"(?:主汛期|汛期|防汛期|春节|元旦|国庆|五一|清明|端午|中秋|节假日|重大节日|重大活动|大型活动|两会)(?:前|之前|以前|期间|前后)|汛前"
)
_FIND_ONGOING = re.compile(r"常态化|常态长效|长期坚持|持续推进|全年|长效")
_YEAR_IN_TEXT = re.compile(r"(\d{4})年")
# Words after a bare year that make it no deadline: a past (2023年及以前), a
# year of (2024年度), an edition (2022年版), a range (2024年至2026年期间),
# a start (2024年起).
_NOT_AFTER_YEAR = ("及", "以前", "之前", "度", "版", "—", "-", "～", "至", "到", "期间", "以来", "起", "开始")


def _clause(s: str, start: int, end: int, from_start: bool) -> tuple[int, int]:
    """The clause around s[start:end]: from its start (or from `start` for a
    recurring duty) to the next punctuation."""
    stops = _DUTY_END if from_start else _CLAUSE_END
    a = start
    if not from_start:
        while a > 0 and s[a - 1] not in stops:
            a -= 1
    b = end
    while b < len(s) and s[b] not in stops:
        b += 1
    return a, b


_SPACE = re.compile(r"\s")  # what str.isspace() finds (both Py_UNICODE_ISSPACE)


def find_time_phrases(text: str) -> list[TimePhrase]:
    """Every deadline, recurrence, event and ongoing phrase in a text, in
    text order. A deadline inside a recurring duty (每年3月底前) is part of
    the duty; a year that only dates something past (2023年及以前), a year of
    (2024年度), a year in a range (2024—2026年) or in a title (《…2024年…》)
    is no deadline."""
    if _SPACE.search(text) is None:  # most texts: nothing to squash
        s, where = text, range(len(text) + 1)
    else:
        squashed, where = [], []
        for i, ch in enumerate(text):
            if not ch.isspace():
                squashed.append(ch)
                where.append(i)
        s = "".join(squashed)
        where.append(len(text))

    def span(a: int, b: int) -> tuple[int, int, str]:
        start, end = where[a], where[b - 1] + 1
        return start, end, text[start:end]

    found: list[TimePhrase] = []
    taken: list[tuple[int, int]] = []
    for m in _FIND_RECURRENCE.finditer(s):
        a, b = _clause(s, m.start(), m.end(), from_start=True)
        start, end, words = span(a, b)
        found.append(TimePhrase("recurrence", words, start, end, span(m.start(), m.end())[2]))
        taken.append((m.start(), m.end()))
    for m in _FIND_DEADLINE.finditer(s):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        after, before = s[m.end():m.end() + 3], s[:m.start()]
        core = m.group(0)
        if re.fullmatch(r"(?:到|至)?\d{4}年", core):
            if after.startswith(_NOT_AFTER_YEAR) or re.search(r"[—\-～至到]$", before):
                continue  # 2023年及以前, 2024年度, 2022年版, 2024年至2026年期间, 2024—2026年
            if core[0] in "至到" and before.endswith("年"):
                continue  # (2024年)至2026年
            if before.count("《") > before.count("》") or before.count("（") > before.count("）") and re.search(r"\d$", before):
                continue  # 《…2024年…》, （2024—2026年）
        if re.fullmatch(rf"\d{{4}}年{NUM}月份?", core) and not after.startswith(("前", "以前", "之前")):
            continue  # 2024年6月，… (a month mentioned, no deadline word)
        start, end, words = span(m.start(), m.end())
        context = None
        if not re.match(r"(?:到|至|截至|截止)?\d{4}年", core):
            sentence = re.split(r"[。；！？;!?\n]", s[:m.start()])[-1]
            years = _YEAR_IN_TEXT.findall(sentence)
            context = int(years[-1]) if years else None
        found.append(TimePhrase("deadline", words, start, end, words, context))
    for kind, rx in (("event", _FIND_EVENT), ("ongoing", _FIND_ONGOING)):
        for m in rx.finditer(s):
            a, b = _clause(s, m.start(), m.end(), from_start=False)
            start, end, words = span(a, b)
            found.append(TimePhrase(kind, words, start, end, span(m.start(), m.end())[2]))
    return sorted(found, key=lambda f: (f.start, f.kind))
