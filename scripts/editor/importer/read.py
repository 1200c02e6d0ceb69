"""Reading the document: its lines (Markdown heading marks and ** emphasis
taken off, a bold lead kept apart), the headings that open parts (一、),
actions or sections (（一）) and tasks (1. / 1、), and the blocks they are
read into."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import CN_NUM, join_paragraphs


PART_RE = re.compile(rf"^([{CN_NUM}]+、)\s*(.+)$")
SUB_RE = re.compile(rf"^([（(]\s*[{CN_NUM}]+\s*[）)])\s*(.*)$")
TASK_RE = re.compile(r"^(\d{1,3})\s*[.．、]\s*(?!\d)(.*)$")
DOC_NUMBER_RE = re.compile(r"\S*〔\d{4}〕\d+号")
DATE_LINE_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
CONTACT_RE = re.compile(r"^[（(]\s*联系人")


@dataclass
class Line:
    text: str  # without markdown heading marks and without **
    bold: str | None  # the leading **…** of the line, without the marks


def read_lines(text: str) -> list[Line]:
    out = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        s = raw.strip()
        if re.fullmatch(r"-{3,}|\*{3,}", s):
            s = ""
        s = re.sub(r"^#{1,6}\s+", "", s)
        bold = None
        m = re.match(r"^\*\*(.+?)\*\*", s)
        if m:
            bold = m.group(1).strip()
        out.append(Line(s.replace("**", "").strip() if s else "", bold))
    return out


@dataclass
class Task:
    number: int
    heading: str | None  # the heading sentence when printed as a heading (own line or bold)
    paras: list[str] = field(default_factory=list)
    closed: bool = False  # ended by its units parenthesis: later lines are not part of it

    def joined(self) -> str:
        """The task's lines as one text (a heading line joins its body directly)."""
        if self.heading:
            return self.paras[0] + join_paragraphs(self.paras[1:])
        return join_paragraphs(self.paras)


@dataclass
class Sub:
    number: str
    first: str  # the rest of the heading line
    paras: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


@dataclass
class Part:
    number: str
    title: str
    paras: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)  # tasks directly under the part
    subs: list[Sub] = field(default_factory=list)


class DraftError(Exception):
    """The text is not in a form the importer can read."""


class Reader:
    def __init__(self, text: str):
        self.lines = read_lines(text)
        self.nonempty = [i for i, line in enumerate(self.lines) if line.text]
