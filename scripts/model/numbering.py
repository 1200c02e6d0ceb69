"""Numbers as plans print them: （一）, (一), 一、, 1., 1、, （1）. `label_value()`
reads the number a printed label stands for; the importer reads （三） with it
and the check holds a task's `number_text` to its `number` with it."""

from __future__ import annotations

import re

CN_DIGITS = "一二三四五六七八九"
_LABEL = re.compile(r"^\s*(?:[（(]\s*(?P<a>[一二三四五六七八九十\d]+)\s*[）)]|(?P<b>[一二三四五六七八九十\d]+)\s*[、.．)）])\s*$")


def cn_value(s: str) -> int | None:
    """3 from 三, 12 from 十二, 20 from 二十, 99 from 九十九; None when `s` is
    not a Chinese numeral below 100."""
    if not s or any(c not in CN_DIGITS + "十" for c in s):
        return None
    if "十" not in s:
        return CN_DIGITS.index(s) + 1 if len(s) == 1 else None
    tens, _, ones = s.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (CN_DIGITS.index(tens) + 1 if tens else 1) * 10 + (CN_DIGITS.index(ones) + 1 if ones else 0)


def label_value(label: str) -> int | None:
    """The number a printed label stands for: 1 from （一）, (一), 一、, 1., 1、
    or （1）; None when it is no such label."""
    m = _LABEL.match(label)
    if not m:
        return None
    s = m["a"] or m["b"]
    return int(s) if s.isdigit() else cn_value(s)
