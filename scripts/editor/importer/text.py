"""Text helpers of the importer: text as the validator compares it (squash),
as stored (clean), lines joined across page breaks, splitting outside
brackets, a trailing parenthesis, a task's short title and heading."""

from __future__ import annotations

import re


_WS = re.compile(r"\s+")
CN_NUM = "一二三四五六七八九十"


def squash(text: str) -> str:
    """Text as the validator compares it: no whitespace, no ** emphasis."""
    return _WS.sub("", text).replace("**", "")


def cjk_tight(text: str) -> str:
    """Drop spaces next to a CJK character or bracket (titles printed with stray spaces)."""
    return re.sub(r"\s+(?=[\u3000-\u9fff\uff00-\uffef(])|(?<=[\u3000-\u9fff\uff00-\uffef)])\s+", "", text).strip()


_OPEN = "（(“《〈[【「"
_CLOSE = "）)”》〉]】」"


def split_top(text: str, seps: str) -> list[str]:
    """Split at separators outside brackets and quotes; each piece keeps its separator."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in seps and depth == 0:
            out.append(text[start:i + 1])
            start = i + 1
    if start < len(text):
        out.append(text[start:])
    return out


def trailing_paren(text: str) -> tuple[str, str] | None:
    """(text before, content) of a parenthesis that ends the text, if any."""
    t = text.rstrip()
    t_core = t.rstrip("*").rstrip()
    if not t_core.endswith(("）", ")")):
        return None
    depth = 0
    for i in range(len(t_core) - 1, -1, -1):
        ch = t_core[i]
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            depth -= 1
            if depth == 0:
                before = t_core[:i].rstrip()
                before = before[:-2].rstrip() if before.endswith("**") else before
                return before, t_core[i + 1:-1]
    return None


def join_paragraphs(paras: list[str]) -> str:
    """Join lines: a page break (the line does not end a sentence) adds nothing,
    a paragraph break keeps a newline."""
    out = ""
    for p in paras:
        p = p.strip()
        if not p:
            continue
        if not out:
            out = p
        elif out.rstrip("*").endswith(("。", "！", "？", "：")):
            out += "\n" + p
        else:
            out += p
    return out


def clean(text: str) -> str:
    """A text as stored: ** emphasis removed, spaces around lines trimmed."""
    return "\n".join(line.strip() for line in text.replace("**", "").split("\n")).strip()


def title_of(text: str) -> str:
    """A short verbatim title: the heading sentence, or the first short clause."""
    t = text.replace("\n", "")
    first = split_top(t, "。")[0].rstrip("。").strip()
    if first and len(first) <= 20:
        return first  # a short heading sentence, even with a comma (科技赋能，助力应急管理数据保障)
    if first and len(first) <= 40 and not re.search(r"[，；：]", "".join(
            ch for ch, d in depths(first) if d == 0)):
        return first
    for clause in split_top(t, "，；：。"):
        c = clause.rstrip("，；：。").strip()
        if 2 <= len(c) <= 40:
            return c
    return split_top(t, "，；：。")[0].rstrip("，；：。")[:40]


def depths(text: str):
    depth = 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
            yield ch, depth
        elif ch in _CLOSE:
            yield ch, depth
            depth = max(0, depth - 1)
        else:
            yield ch, depth


def heading_and_body(rest: str) -> tuple[str | None, str]:
    """Split '开展…行动。正文…' into its heading sentence and the body."""
    rest = rest.strip()
    pieces = split_top(rest, "。")
    head = pieces[0].strip()
    body = "".join(pieces[1:]).strip()
    flat_head = "".join(ch for ch, d in depths(head) if d == 0)
    if len(head.rstrip("。")) <= 30 and not re.search(r"[，；：,]", flat_head):
        return head.rstrip("。").strip() or None, body
    return None, rest
