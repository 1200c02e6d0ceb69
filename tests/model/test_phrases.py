"""The time phrases (scripts/model/phrases.py): deadlines with the year rule,
recurring duties at any interval, ongoing and event words, and finding all of
them in a text."""

import datetime as dt

import pytest

from scripts.model.phrases import (
    PhraseError,
    event_word,
    every_words,
    find_time_phrases,
    number,
    ongoing_word,
    period_months,
    read_deadline,
    read_recurrence,
    rule_year,
)

D = dt.date


@pytest.mark.parametrize("text, year, date, named, bare", [
    ("2024年底前", None, D(2024, 12, 31), True, False),
    ("到2025年底前", None, D(2025, 12, 31), True, False),
    ("2024年", None, D(2024, 12, 31), True, True),
    ("2024年内", None, D(2024, 12, 31), True, False),
    ("2025年第三季度", None, D(2025, 9, 30), True, False),
    ("2025年三季度末", None, D(2025, 9, 30), True, False),
    ("2024年上半年", None, D(2024, 6, 30), True, False),
    ("2024年6月底前", None, D(2024, 6, 30), True, False),
    ("2024年6月中旬前", None, D(2024, 6, 20), True, False),
    ("6月底前", 2024, D(2024, 6, 30), False, False),
    ("4月底前", 2025, D(2025, 4, 30), False, False),
    ("六月底前", 2024, D(2024, 6, 30), False, False),
    ("年内", 2022, D(2022, 12, 31), False, False),
    ("年底前", 2026, D(2026, 12, 31), False, False),
    ("三季度末", 2024, D(2024, 9, 30), False, False),
    ("上半年", 2025, D(2025, 6, 30), False, False),
    ("12 月", 2024, D(2024, 12, 31), False, False),
    ("次年3月前", 2024, D(2025, 3, 31), False, False),
    ("10月15日前", 2024, D(2024, 10, 15), False, False),
])
def test_deadline(text, year, date, named, bare):
    words = read_deadline(text, year)
    assert (words.date, words.year_named, words.bare_year) == (date, named, bare)


@pytest.mark.parametrize("text, year", [
    ("6月底前", None), ("年内", None), ("2024年13月", None), ("2024年2月30日", None), ("每季度", 2024),
    ("尽快", 2024), ("2024年底前完成", None), ("汛期前", 2024),
])
def test_not_a_deadline(text, year):
    with pytest.raises(PhraseError):
        read_deadline(text, year)


def test_the_year_rule():
    assert rule_year(None, None, 2024) == (2024, "plan")
    assert rule_year(None, 2025, 2024) == (2025, "annex")
    assert rule_year(2026, 2025, 2024) == (2026, "override")


@pytest.mark.parametrize("text, every, interval, count, day, month, next_year", [
    ("每周调度一次", "week", 1, 1, None, None, False),
    ("每两周开展一次巡查", "week", 2, 1, None, None, False),
    ("每半月报送一次", "half-month", 1, 1, None, None, False),
    ("每半个月", "half-month", 1, 1, None, None, False),
    ("每月25日前报送工作开展情况", "month", 1, 1, 25, None, False),
    ("每两个月开展一次联合检查", "month", 2, 1, None, None, False),
    ("每3个月", "month", 3, 1, None, None, False),
    ("每季度带队对本单位重大事故隐患排查整治情况至少开展1次检查", "quarter", 1, 1, None, None, False),
    ("高危行业领域每月至少1次", "month", 1, 1, None, None, False),
    ("每半年至少一次", "half-year", 1, 1, None, None, False),
    ("每年至少两次", "year", 1, 2, None, None, False),
    ("每年至少开展2次应急演练", "year", 1, 2, None, None, False),
    ("每两年", "year", 2, 1, None, None, False),
    ("每年3月底前报送上一年度工作总结", "year", 1, 1, None, 3, False),
    ("每年6月15日前", "year", 1, 1, 15, 6, False),
    ("次年3月前报送年度报告", "year", 1, 1, None, 3, True),
    ("月讲评", "month", 1, 1, None, None, False),
    ("季通报", "quarter", 1, 1, None, None, False),
    ("年总结", "year", 1, 1, None, None, False),
    ("周调度", "week", 1, 1, None, None, False),
    ("履行安全生产“一岗双责”年度述职", "year", 1, 1, None, None, False),
])
def test_recurrence(text, every, interval, count, day, month, next_year):
    r = read_recurrence(text)
    assert (r.every, r.interval, r.min_count, r.day, r.month, r.next_year) == (every, interval, count, day, month, next_year)


@pytest.mark.parametrize("text", ["尽快完成", "2024年底前", "持续推进", "每一名从业人员"])
def test_no_period(text):
    with pytest.raises(PhraseError):
        read_recurrence(text)


def test_periods_compare_and_read_in_words():
    assert period_months("month", 3) == period_months("quarter") == 3
    assert period_months("year", 2) == 24 and period_months("half-month") == 0.5
    assert every_words("month", 2) == "每两个月"
    assert every_words("year", 2) == "每两年"
    assert every_words("week", 1) == "每周" and every_words("half-month") == "每半月"
    assert every_words("quarter") == "每季度" and every_words("half-year") == "每半年"
    assert number("十二") == 12 and number("二十五") == 25 and number("两") == 2 and number("7") == 7


@pytest.mark.parametrize("text, word", [
    ("常态化开展风险隐患排查治理", "常态化"), ("长期坚持", "长期坚持"), ("持续推进志愿者队伍建设", "持续推进"),
    ("全年开展", "全年"), ("形成长效机制", "长效"), ("2024年底前完成", None),
])
def test_ongoing_words(text, word):
    assert ongoing_word(text) == word


@pytest.mark.parametrize("text, word", [
    ("汛期前完成排水设施检修", "汛期"), ("春节前开展一次检查", "春节"), ("重大活动期间", "重大活动"),
    ("每月开展一次检查", None),
])
def test_event_words(text, word):
    assert event_word(text) == word


def kinds(text):
    return [(p.kind, p.phrase) for p in find_time_phrases(text)]


def test_find_deadlines_with_and_without_year():
    text = "2024年推动开展试点，6月底前完成排查，年内全面完成；2025年三季度末前建成平台。"
    assert kinds(text) == [("deadline", "2024年"), ("deadline", "6月底前"), ("deadline", "年内"),
                           ("deadline", "2025年三季度末前")]
    found = find_time_phrases(text)
    assert [p.context_year for p in found] == [None, 2024, 2024, None]
    for p in found:
        assert text[p.start:p.end] == p.text


def test_find_keeps_the_printed_spaces():
    text = "各单位 2024 年底前完成。"
    (p,) = find_time_phrases(text)
    assert p.text == "2024 年底前" and text[p.start:p.end] == p.text


def test_find_recurrences_and_their_clauses():
    text = "每季度带队检查至少1次（高危行业领域每月至少1次），每两个月通报一次，每年3月底前报送上一年度总结。"
    found = [p for p in find_time_phrases(text) if p.kind == "recurrence"]
    assert [p.phrase for p in found] == ["每季度", "每月", "每两个月", "每年3月底前"]
    assert [p.text for p in found] == ["每季度带队检查至少1次", "每月至少1次", "每两个月通报一次", "每年3月底前报送上一年度总结"]
    assert not [p for p in find_time_phrases(text) if p.kind == "deadline"], "3月底前 is the yearly duty's month"


def test_find_ongoing_and_events():
    text = "汛期前完成排水设施检修，常态化开展隐患排查，春节期间加强值守。"
    assert kinds(text) == [("event", "汛期前"), ("ongoing", "常态化"), ("event", "春节期间")]
    assert find_time_phrases(text)[0].text == "汛期前完成排水设施检修"


@pytest.mark.parametrize("text", [
    "消除2023年及以前排查发现的重大事故隐患",
    "《区国资委2024年生产经营、消防安全工作考核细则》",
    "三年行动（2024—2026年）",
    "在2024年至2026年期间开展轮训",
    "梳理执法事项清单（2022年版）",
    "2024年6月，街道召开会议",
    "三年内完成",
    "2024年度考核",
])
def test_not_found(text):
    assert [p for p in find_time_phrases(text) if p.kind in ("deadline", "recurrence")] == []
