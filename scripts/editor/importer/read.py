"""Reading the document: its lines (Markdown heading marks and ** emphasis
taken off, a bold lead kept apart), the headings that open parts (一、),
actions or sections (（一）) and tasks (1. / 1、), the responsibility lines
after a task (`牵头单位：…`), and the blocks they are read into.

The structures plans print: tasks numbered 1. running on across parts or
restarting in each section; parts -> sections -> tasks three levels deep;
parts -> tasks; and department sub-plans whose tasks are numbered （一） under
a few part headings (`settle()`: the （一） blocks of a part that holds no
numbered tasks are its tasks). Numbered paragraphs under the parts every plan
has (总体要求, 保障措施, 工作要求 …) are never tasks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...model.numbering import cn_value
from ...model.pages import artefact_lines
from .text import CN_NUM, join_paragraphs


PART_RE = re.compile(rf"^([{CN_NUM}]+、)\s*(.+)$")
SUB_RE = re.compile(rf"^([（(]\s*[{CN_NUM}]+\s*[）)])\s*(.*)$")
TASK_RE = re.compile(r"^(\d{1,3})\s*[.．、]\s*(?!\d)(.*)$")
DOC_NUMBER_RE = re.compile(r"\S*〔\d{4}〕\d+号")
DATE_LINE_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
CONTACT_RE = re.compile(r"^[（(]\s*联系人")


SENTENCE_END = ("。", "！", "？", "；", "：", "）", ")", "”", "…")


def join_page_breaks(text: str) -> str:
    """The text without its page artefacts (scripts/model/pages.py), and a
    paragraph that a page end cut in two one line again: where a page number
    was, the line before it does not end a sentence and the line after it is
    text, the two lines are joined (nothing added between them)."""
    lines = text.split("\n")
    drop = artefact_lines(lines)
    out: list[str] = []
    joining = False  # an artefact was dropped after the last kept line
    for i, line in enumerate(lines):
        if i in drop:
            joining = True
            continue
        if not line.strip():
            out.append(line)
            continue
        if joining and "\t" not in line and not _opens_block(line):
            k = len(out) - 1
            while k >= 0 and not out[k].strip():
                k -= 1
            prev = out[k].rstrip() if k >= 0 else ""
            if prev and "\t" not in prev and not prev.rstrip("*").endswith(SENTENCE_END) and not _heading(prev):
                out[k] = prev + line.strip()
                del out[k + 1:]
                joining = False
                continue
        joining = False
        out.append(line)
    return "\n".join(out)


def _opens_block(line: str) -> bool:
    """A line that starts a part, section, task or responsibility line."""
    s = line.strip().replace("**", "")
    s = re.sub(r"^#{1,6}\s+", "", s)
    return bool(PART_RE.match(s) or SUB_RE.match(s) or TASK_RE.match(s) or RESP_LINE_RE.match(s))


def _heading(line: str) -> bool:
    """A short heading line (一、总体要求; （一）…; 1. …) with no sentence in it."""
    s = re.sub(r"^#{1,6}\s+", "", line.strip().replace("**", ""))
    return _opens_block(s) and len(s) <= 40 and "。" not in s


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


RESP_LINE_RE = re.compile(
    r"^[（(]?\s*(?:(?:牵头|责任|主责|主办|配合|协同|协办|参与|协助)(?:单位|部门|科室|处室)|责任主体"
    r"|(?:牵头|责任|分管|联系)(?:[区市县镇街]|街道)?领导)\s*[:：]")
# the parts every plan has, whose numbered paragraphs are not tasks
GENERIC_PART = re.compile(
    r"总体要求|指导思想|基本原则|工作原则|^(?:工作|主要|总体|行动)?目标$|^目标任务$|组织(?:领导|机构|保障|实施)|领导机构"
    r"|任务分工|职责分工|保障措施|工作要求|有关要求|实施步骤|工作步骤|步骤安排|时间安排|进度安排|工作安排|方法步骤"
    r"|其他事项|实施范围|适用范围|工作机制|推进机制|考核|督导|附则")


@dataclass
class Task:
    number: int
    heading: str | None  # the heading sentence when printed as a heading (own line or bold)
    paras: list[str] = field(default_factory=list)
    closed: bool = False  # ended by its units parenthesis: later lines are not part of it
    resp: list[str] = field(default_factory=list)  # responsibility lines after it (牵头单位：…)
    lines: list[str] = field(default_factory=list)  # every line read into it, as printed
    printed: str | None = None  # the number as printed where it is not `N.` (（一）)

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
    resp: list[str] = field(default_factory=list)
    bold: str | None = None  # the bold opening of its heading line


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


def cn_number(s: str) -> int:
    """3 from （三）, 12 from （十二）, 20 from （二十）; 0 when it is none."""
    return cn_value(re.sub(r"[\s（）()]", "", s)) or 0


@dataclass
class Body:
    parts: list[Part]
    orphans: list[tuple[str, str]]  # (where, paragraph) not inside any block
    contacts: list[str]
    warnings: list[str]


def read_body(lines: list[Line], indexes: list[int], implicit_part: bool, close_if_units) -> Body:
    """Parts, sections and tasks from the body's lines (`indexes`: the non-empty
    lines of the body). `close_if_units(task)` closes a task whose text ends
    with its units parenthesis."""
    parts: list[Part] = [Part("", "正文")] if implicit_part else []
    body = Body(parts, [], [], [])
    task: Task | None = None
    sub: Sub | None = None
    last_number = 0
    for i in indexes:
        line = lines[i]
        s = line.text
        if CONTACT_RE.match(s):
            body.contacts.append(s)
            continue
        if RESP_LINE_RE.match(s) and (task or sub):
            (task or sub).resp.append(s)
            if task:
                task.lines.append(s)
            continue
        m = PART_RE.match(s)
        if m:
            parts.append(Part(m.group(1), m.group(2).strip().rstrip("。").strip()))
            sub, task = None, None
            continue
        m = SUB_RE.match(s)
        if m and parts:
            sub = Sub(re.sub(r"\s+", "", m.group(1)), m.group(2).strip(), bold=line.bold)
            parts[-1].subs.append(sub)
            task = None
            continue
        m = TASK_RE.match(s)
        if m and parts and (int(m.group(1)) == last_number + 1 or int(m.group(1)) == 1):
            number = int(m.group(1))
            task = new_task(number, m.group(2).strip(), line.bold)
            task.lines.append(s)
            (sub.tasks if sub else parts[-1].tasks).append(task)
            last_number = number
            close_if_units(task)
            continue
        if m and parts and int(m.group(1)) != last_number + 1:
            body.warnings.append(f"line {i + 1}: '{s[:20]}…' looks like task {m.group(1)} but the last task was "
                                 f"{last_number}; read as text")
        if task and not task.closed:
            task.paras.append(s)
            task.lines.append(s)
            close_if_units(task)
        elif task and task.closed:
            body.orphans.append((f"after task {task.number}", s))
        elif sub:
            sub.paras.append(s)
        elif parts:
            parts[-1].paras.append(s)
    return body


def new_task(number: int, rest: str, bold: str | None) -> Task:
    """A task from the words after its number (its heading: the bold opening, or
    a short first sentence)."""
    heading = None
    if bold:
        bm = TASK_RE.match(bold) or SUB_RE.match(bold)
        if bm:
            heading = bm.group(2).strip() or None
    elif len(rest.rstrip("。")) <= 40 and rest.endswith("。") and rest.count("。") == 1:
        heading = rest
    task = Task(number, heading, [rest])
    if heading and rest != heading and rest.startswith(heading):
        task.paras = [heading, rest[len(heading):]]
    return task


def settle(parts: list[Part], close_if_units) -> None:
    """Decide what is a task, by the structure of the whole document:

    - under a generic part (总体要求, 保障措施, 工作要求 …) nothing is a task: its
      numbered paragraphs are paragraphs of the part or of its （一） blocks;
    - a part that holds no numbered task but （一） blocks (a department
      sub-plan's 一、建筑施工安全 → （一）…（二）…) has those blocks as its tasks.
    """
    for p in parts:
        generic = bool(p.number) and bool(GENERIC_PART.search(p.title))
        if generic:
            for t in p.tasks:
                p.paras += t.lines
            p.tasks = []
            for sub in p.subs:
                for t in sub.tasks:
                    sub.paras += t.lines
                sub.paras += sub.resp
                sub.tasks, sub.resp = [], []
            continue
        if p.subs and not p.tasks and not any(sub.tasks for sub in p.subs):
            for sub in p.subs:
                task = new_task(cn_number(sub.number), sub.first, sub.bold)
                task.printed = sub.number.strip()
                task.paras += sub.paras
                task.resp = sub.resp
                close_if_units(task)
                p.tasks.append(task)
            p.subs = []
