"""Numbers as plans print them (scripts/model/numbering.py)."""

from __future__ import annotations

import pytest

from scripts.model.numbering import cn_value, label_value


@pytest.mark.parametrize("label, value", [
    ("（一）", 1), ("(三)", 3), ("（ 十 ）", 10), ("（十二）", 12), ("（二十）", 20), ("（九十九）", 99),
    ("一、", 1), ("十一、", 11), ("1.", 1), ("12.", 12), ("3、", 3), ("（4）", 4), ("5）", 5), ("6．", 6),
])
def test_printed_labels(label, value):
    assert label_value(label) == value


@pytest.mark.parametrize("label", ["一", "1", "（一", "第一", "（一二）", "（十十）", "一百、", "（a）", ""])
def test_what_is_no_label(label):
    assert label_value(label) is None


def test_chinese_numerals():
    assert [cn_value(s) for s in ("一", "九", "十", "十五", "三十", "四十二")] == [1, 9, 10, 15, 30, 42]
    assert cn_value("两") is None and cn_value("") is None
