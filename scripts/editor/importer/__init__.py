"""`make import SRC=plan.txt [ID=... JURISDICTION=...]`: a draft plan from the
plain text of a plan document.

The text is read in the form of the plans in data/sources/: a letterhead and
notice (issuer, 〔年〕号, 签发人, date), the plan title and preamble, parts
(一、), actions or sections (（一） / (一)), numbered tasks (1. / 1、 / **1、),
units in a parenthesis at the end of a task, and an annex as a tab-separated
table (序号 …). The draft keeps every text verbatim (lines broken by a page are
joined without adding anything), reads deadlines (scripts.dates.parse_phrase),
recurring duties (每季度…至少1次, 高危行业领域每月至少1次, 每月25日前) and the units
the jurisdiction's registry knows; unknown units are listed for the editor.

Ids are short hashes of titles (never positions): an editor may rename them to
readable slugs before the plan is first published.

Entry points: `build_draft()` (the plan as data, plus a report) and `run()`
(the command line: writes the YAML file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from .dates import DatePhraseError, parse_phrase
from .load import DATA

SCHEMA_COMMENT = "# yaml-language-server: $schema=../schema/plan.schema.json"
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# --------------------------------------------------------------------------- #
# Text helpers
# --------------------------------------------------------------------------- #

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


# --------------------------------------------------------------------------- #
# Deadlines and recurring duties
# --------------------------------------------------------------------------- #

_SP = r"[ \u3000]*"
DEADLINE_RE = re.compile(
    rf"(?:到|至)?\d{{4}}{_SP}年{_SP}"
    rf"(?:底|上半年|下半年|第[1-4一二三四]季度(?:末|底)?|\d{{1,2}}{_SP}月{_SP}(?:\d{{1,2}}{_SP}日|底|末)?)"
    rf"{_SP}(?:以前|之前|前)?"
)
YEARLESS_RE = re.compile(rf"(?<![\d年 ])\d{{1,2}}{_SP}月{_SP}(?:底|末)?{_SP}(?:以前|之前|前)")


def find_deadlines(text: str, period: tuple[int, int]) -> tuple[list[dict], list[str]]:
    """Deadlines in a text, and remarks on date phrases that could not be recorded."""
    found, remarks = [], []
    for m in DEADLINE_RE.finditer(text):
        phrase = m.group(0).strip()
        core = squash(phrase)
        if re.search(r"\d月$", core):
            continue  # "2024年6月，…": a month without 底/前 is not read as a deadline
        try:
            date = parse_phrase(phrase)
        except DatePhraseError:
            continue
        if not period[0] <= date.year <= period[1]:
            remarks.append(f"'{phrase}' ({date.isoformat()}) is outside the plan's period; not recorded as a deadline")
            continue
        found.append({"date": date, "text": phrase})
    for m in YEARLESS_RE.finditer(text):
        remarks.append(f"'{m.group(0).strip()}' names no year; not recorded as a deadline")
    return found, remarks


_PERIODS = {"半年": "half-year", "季度": "quarter", "季": "quarter", "月": "month", "年": "year"}
_CN_COUNT = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
RECUR_RE = re.compile(r"每(半年|季度|月|年)(?!度)([^，。；：,;（）()“”\n]*)")


def _count(s: str) -> int:
    return int(s) if s.isdigit() else _CN_COUNT.get(s, 1)


def find_recurrences(text: str) -> list[dict]:
    """Recurring duties: 每季度…至少1次, （高危行业领域每月至少1次）, 每月25日前.

    Every 每月/每季度/每半年/每年 clause is one (min_count 1 unless 至少N次 / N次
    says more); the words are the clause from 每 (with the scope words before it
    inside a parenthesis)."""
    out = []
    flat = text.replace("\n", "")
    for m in RECUR_RE.finditer(flat):
        period, rest = m.group(1), m.group(2)
        day = None
        dm = re.match(r"\s*(\d{1,2})\s*日(?:之前|以前|前)", rest)
        if dm and period == "月":
            day = int(dm.group(1))
        cm = re.search(r"至少\s*(\d+|[一两二三四五六七八九十])\s*次", rest) or \
            re.search(r"(\d+|[一两二三四五六七八九十])\s*次", rest)
        if not rest.strip():
            continue
        entry: dict[str, Any] = {"every": _PERIODS[period], "min_count": _count(cm.group(1)) if cm else 1}
        if day:
            entry["day"] = day
        start = m.start()
        # a stricter rule in a parenthesis: （高危行业领域每月至少1次）
        before = flat[:start]
        k = max(before.rfind("（"), before.rfind("("))
        scope = None
        if k >= 0 and not re.search(r"[）)，。；]", before[k + 1:]) and before[k + 1:].strip():
            scope = before[k + 1:].strip()
            start = k + 1
        words = flat[start:m.end()].strip()
        entry["text"] = words
        if scope:
            entry["scope"] = scope
        out.append(entry)
    return out


# --------------------------------------------------------------------------- #
# Department registry and units
# --------------------------------------------------------------------------- #

ROLE_SUFFIX = re.compile(r"(?:分别|或|按职责|按照职责|分工|协同|配合|负责|牵头|参与|协助|共同|等|具体)+$")
SUPPORT_WORDS = re.compile(r"配合|协同|参与|协助|支持")
ROLE_WORDS = re.compile(r"配合|协同|参与|协助|支持|负责|牵头")


@dataclass
class Registry:
    jurisdiction: str | None = None
    name: str | None = None  # e.g. 泖港镇
    index: dict[str, str] = field(default_factory=dict)  # squashed name -> id
    groups: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)  # id -> name

    @classmethod
    def load(cls, path: Path) -> Registry:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        j = data.get("jurisdiction") or {}
        reg = cls(jurisdiction=j.get("id"), name=j.get("name"))
        for d in data.get("departments") or []:
            for key in [d.get("name"), *(d.get("short") or []), *(d.get("aliases") or [])]:
                if key:
                    reg.index.setdefault(squash(key), d["id"])
            if d.get("group"):
                reg.groups.add(d["id"])
            reg.names[d["id"]] = d.get("name", "")
        return reg

    def lookup(self, name: str) -> str | None:
        s = squash(name).strip("“”\"'")
        for cand in (s, ROLE_SUFFIX.sub("", s)):
            if not cand:
                continue
            if cand in self.index:
                return self.index[cand]
        s = ROLE_SUFFIX.sub("", s)
        if len(s) < 2:
            return None
        # other spellings: a level prefix added or dropped (街道/镇/区/市/各), a trailing
        # parenthesis (区建管委（交通委）), an inserted 各 (镇属各企事业单位)
        bases = {s, re.sub(r"[（(][^（）()]*[）)]$", "", s), s.replace("各", "")} - {""}
        variants = set(bases)
        for b in bases:
            for p in ("街道", "镇", "区", "市", "各"):
                if b.startswith(p) and len(b) > len(p) + 1:
                    variants.add(b[len(p):])
                variants.add(p + b)
        hits = {self.index[v] for v in variants if v in self.index}
        return hits.pop() if len(hits) == 1 else None

    def resolve(self, text: str) -> tuple[list[str], list[str]]:
        """Department ids named in a list of units, and the names it does not know.

        The list is split on 、，; and spaces; the longest run of pieces that the
        registry knows wins. Unknown pieces are joined across a space that only
        wraps a cell (镇安委 会有关 成员单 位), not across one that separates two
        names (区消防救援支队 区建管委), nor across 、.
        """
        parts = re.split(r"([、，,；;\s]+)", text.replace("**", ""))
        tokens, seps = [], []  # seps[k]: the separator after tokens[k]
        for p in parts:
            if not p:
                continue
            if re.fullmatch(r"[、，,；;\s]+", p):
                if seps:
                    seps[-1] = p
            else:
                tokens.append(p)
                seps.append("")
        ids, unknown = [], []
        pending: list[str] = []

        def flush():
            if pending:
                name = ROLE_SUFFIX.sub("", "".join(pending))  # 按职责分工负责 alone names no unit
                if len(name) == 1 and unknown:  # 各街道、镇: a lone 镇 belongs to the name before it
                    unknown[-1] += "、" + name
                elif name and name not in unknown:
                    unknown.append(name)
                pending.clear()

        i, n = 0, len(tokens)
        while i < n:
            hit = None
            for j in range(min(n, i + 6) - 1, i - 1, -1):
                cand = "".join(tokens[k] + (re.sub(r"\s+", "", seps[k]) if k < j else "") for k in range(i, j + 1))
                ident = self.lookup(cand) or (self.lookup("".join(tokens[i:j + 1])) if j > i else None)
                if ident:
                    hit = (j, ident)
                    break
            if hit:
                flush()
                j, ident = hit
                if ident not in ids:
                    ids.append(ident)
                i = j + 1
                continue
            pending.append(tokens[i])
            wraps = (i + 1 < n and re.fullmatch(r"\s+", seps[i] or "x")
                     and not (tokens[i][-1] in UNIT_END and tokens[i + 1][0] in UNIT_START))
            if not wraps:
                flush()
            i += 1
        flush()
        unknown = [u for u in unknown if len(u) > 1 and not re.fullmatch(r"[\d\W]+", u)]
        return ids, unknown


UNIT_END = set("局办委会队所部位心处站司院镇道居区企门组团科室社村厂店校园馆")
UNIT_START = set("区镇各街市县乡村社省")


def parse_units(units_text: str, reg: Registry) -> dict:
    """lead/support/by_duty/unknown from the words of a units parenthesis.

    Clauses (split at ，；。) marked 配合/协同/参与 are support; 牵头/负责 lead.
    Without any such words, the first clause is lead and the clauses after a
    comma are support (（区应急局、区委宣传部，区安委会其他有关成员单位）).
    """
    clauses = [c.strip("，；。,; ") for c in split_top(units_text, "，；。,;")]
    clauses = [c for c in clauses if c]
    skipped = [c for c in clauses if re.match(r"以下|不再|其中", c)]
    clauses = [c for c in clauses if c not in skipped]
    any_role = any(ROLE_WORDS.search(c) for c in clauses)
    lead, support, unknown = [], [], []
    for i, c in enumerate(clauses):
        ids, unk = reg.resolve(c)
        if any_role:
            target = support if SUPPORT_WORDS.search(c) else lead
        else:
            target = lead if i == 0 else support
        for x in ids:
            if x not in lead and x not in support:
                target.append(x)
        unknown += [u for u in unk if u not in unknown]
    by_duty = bool(re.search(r"按职责|分工负责", units_text)) and not unknown and \
        all(x in reg.groups for x in lead + support)
    return {"lead": lead, "support": support, "by_duty": by_duty, "unknown": unknown, "skipped": skipped}


def looks_like_units(content: str, reg: Registry) -> bool:
    c = squash(content)
    if not c or re.search(r"每(半年|季度|月|年)", c) or re.fullmatch(r"[\d\-—–~至年版]+", c):
        return False
    if reg.resolve(c)[0]:
        return True
    return bool(re.search(r"负责|牵头|配合|局|办|委|中心|队|所|部门|单位|街镇|社区|村居|国企|公司", c))


# --------------------------------------------------------------------------- #
# Reading the document
# --------------------------------------------------------------------------- #

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


@dataclass
class Report:
    """What the importer did, for the command line and the tests."""

    plan_id: str = ""
    tasks: int = 0
    deadlines: int = 0
    recurrences: int = 0
    units_known: int = 0
    unknown_units: dict[str, list[str]] = field(default_factory=dict)  # name -> where
    warnings: list[str] = field(default_factory=list)


def _title_of(text: str) -> str:
    """A short verbatim title: the heading sentence, or the first short clause."""
    t = text.replace("\n", "")
    first = split_top(t, "。")[0].rstrip("。").strip()
    if first and len(first) <= 20:
        return first  # a short heading sentence, even with a comma (科技赋能，助力应急管理数据保障)
    if first and len(first) <= 40 and not re.search(r"[，；：]", "".join(
            ch for ch, d in _depths(first) if d == 0)):
        return first
    for clause in split_top(t, "，；：。"):
        c = clause.rstrip("，；：。").strip()
        if 2 <= len(c) <= 40:
            return c
    return split_top(t, "，；：。")[0].rstrip("，；：。")[:40]


def _depths(text: str):
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


def _heading_and_body(rest: str) -> tuple[str | None, str]:
    """Split '开展…行动。正文…' into its heading sentence and the body."""
    rest = rest.strip()
    pieces = split_top(rest, "。")
    head = pieces[0].strip()
    body = "".join(pieces[1:]).strip()
    flat_head = "".join(ch for ch, d in _depths(head) if d == 0)
    if len(head.rstrip("。")) <= 30 and not re.search(r"[，；：,]", flat_head):
        return head.rstrip("。").strip() or None, body
    return None, rest


class Reader:
    def __init__(self, text: str):
        self.lines = read_lines(text)
        self.nonempty = [i for i, line in enumerate(self.lines) if line.text]


def _hash_id(prefix: str, kind: str, text: str, salt: str, used: set[str]) -> str:
    digest = hashlib.sha1(f"{salt}\n{kind}\n{squash(text)}".encode()).hexdigest()
    tag = {"task": "", "action": "a-", "section": "s-", "goal": "goal-", "part": "p-",
           "body": "b-", "annex": "annex-"}[kind]
    n = 6
    while True:
        ident = f"{prefix}-{tag}{digest[:n]}"
        if ident not in used:
            used.add(ident)
            return ident
        n += 1


def prefix_of(plan_id: str) -> str:
    """The same short prefix `make new-plan` uses: initials of the id's words."""
    return "".join(part[0] for part in plan_id.split("-") if part and not part.isdigit()) or plan_id[:3]


def _existing_ids(data_dir: Path, skip: Path | None) -> set[str]:
    """Ids used anywhere in the data (plans and registries), to stay unique."""
    used: set[str] = set()
    y = YAML(typ="safe")

    def walk(node):
        if isinstance(node, dict):
            v = node.get("id")
            if isinstance(v, str):
                used.add(v)
            for x in node.values():
                walk(x)
        elif isinstance(node, list):
            for x in node:
                walk(x)

    for path in list((data_dir / "plans").glob("*.yaml")) + list((data_dir / "departments").glob("*.yaml")):
        if skip is not None and path.resolve() == skip.resolve():
            continue
        try:
            walk(y.load(path.read_text(encoding="utf-8")))
        except Exception:  # a broken file is `make check`'s business
            continue
    return used


def find_registry(data_dir: Path, jurisdiction: str | None, issuer: str, title: str) -> Registry:
    regs = {}
    for path in sorted((data_dir / "departments").glob("*.yaml")):
        try:
            regs[path.stem] = Registry.load(path)
        except Exception:
            continue
    if jurisdiction:
        return regs.get(jurisdiction) or Registry(jurisdiction=jurisdiction)
    for reg in regs.values():  # the issuer is a unit of the jurisdiction
        if squash(issuer) in reg.index:
            return reg
    for reg in regs.values():
        if reg.name and (reg.name in issuer or reg.name in title):
            return reg
    return Registry()


# --------------------------------------------------------------------------- #
# The draft
# --------------------------------------------------------------------------- #


def build_draft(src: Path, data_dir: Path = DATA, plan_id: str | None = None,
                jurisdiction: str | None = None, prefix: str | None = None,
                source_name: str | None = None) -> tuple[dict, Report]:
    """The draft plan (plain data in the order of scripts/models.py) and a report."""
    text = src.read_text(encoding="utf-8").lstrip("\ufeff")
    rd = Reader(text)
    report = Report()
    L = rd.lines
    ne = rd.nonempty

    # ---- letterhead and notice ------------------------------------------------
    issuer = re.sub(r"文件$", "", L[ne[0]].text).strip() if ne else "待填写"
    doc_number = signer = None
    for i in ne[:12]:
        m = DOC_NUMBER_RE.fullmatch(L[i].text.replace(" ", ""))
        if m and not doc_number:
            doc_number = m.group(0)
        sm = re.match(r"^签发人[:：]\s*(\S+)", L[i].text)
        if sm:
            signer = sm.group(1)

    # the body starts at the first part heading (一、); without parts, at the first （一） or 1.
    first_part = next((i for i in ne if PART_RE.match(L[i].text)), None)
    implicit_part = first_part is None
    if implicit_part:
        first_part = next((i for i in ne if SUB_RE.match(L[i].text) or re.match(r"^1\s*[.．、]\s*\D", L[i].text)),
                          None)
    if first_part is None:
        raise DraftError("no heading (一、 / （一） / 1.) found; is this a plan in the form of data/sources/?")
    # title and preamble: walk back from the first part heading
    k = ne.index(first_part) - 1
    preamble_idx = []
    while k >= 0:
        s = L[ne[k]].text
        if len(s) <= 80 and "。" not in s and not s.endswith("："):
            break
        preamble_idx.insert(0, ne[k])
        k -= 1
    title_line = ne[k] if k >= 0 else ne[0]
    title = cjk_tight(L[title_line].text)
    notice = next((L[i].text for i in ne if i < title_line and re.search(r"关于印发.*《(.+)》", L[i].text)), None)
    if notice:
        named = re.search(r"《(.+)》", notice).group(1)
        bracket = str.maketrans("()", "（）")
        if squash(named).translate(bracket) == squash(title).translate(bracket):
            title = named
    preamble = join_paragraphs([L[i].text for i in preamble_idx]) or None

    # issued: the 年月日 line after a line that is the issuer
    issued = None
    for a, b in zip(ne, ne[1:]):
        if a == ne[0]:
            continue
        if squash(L[a].text) == squash(issuer):
            m = DATE_LINE_RE.match(L[b].text)
            if m:
                issued = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                break

    # period
    pm = re.search(r"(\d{4})\s*[-—–－~～至]+\s*(\d{4})", title)
    if pm:
        period = (int(pm.group(1)), int(pm.group(2)))
    else:
        ym = re.search(r"(\d{4})\s*年", title)
        year = int(ym.group(1)) if ym else (issued.year if issued else dt.date.today().year)
        period = (year, year)

    reg = find_registry(data_dir, jurisdiction, issuer, title)
    if reg.jurisdiction is None:
        report.warnings.append("no department registry matches this plan: pass --jurisdiction (JURISDICTION=…) "
                               "and create data/departments/<id>.yaml; every unit is listed as unknown")
    jur = reg.jurisdiction or jurisdiction or "unknown"
    if not plan_id:
        plan_id = f"{jur}-{period[0]}" + (f"-{period[1]}" if period[1] != period[0] else "")
    prefix = prefix or prefix_of(plan_id)

    # ---- body: parts, subs, tasks ---------------------------------------------
    body_end = len(L)
    for i in ne:
        if i <= first_part:
            continue
        s = L[i].text
        if s.startswith("附件") or s.startswith("（信息公开") or (squash(s) == squash(issuer)):
            body_end = i
            break
    parts: list[Part] = [Part("", "正文")] if implicit_part else []
    orphans: list[tuple[str, str]] = []  # (where, paragraph) not inside any block
    contacts: list[str] = []
    task: Task | None = None
    sub: Sub | None = None
    last_number = 0
    for i in ne:
        if i < first_part or i >= body_end:
            continue
        line = L[i]
        s = line.text
        if CONTACT_RE.match(s):
            contacts.append(s)
            continue
        m = PART_RE.match(s)
        if m:
            parts.append(Part(m.group(1), m.group(2).strip().rstrip("。").strip()))
            sub, task = None, None
            continue
        m = SUB_RE.match(s)
        if m and parts:
            sub = Sub(re.sub(r"\s+", "", m.group(1)), m.group(2).strip())
            parts[-1].subs.append(sub)
            task = None
            continue
        m = TASK_RE.match(s)
        if m and parts and (int(m.group(1)) == last_number + 1 or int(m.group(1)) == 1):
            number = int(m.group(1))
            rest = m.group(2).strip()
            heading = None
            if line.bold:
                bm = TASK_RE.match(line.bold)
                if bm:
                    heading = bm.group(2).strip()
            elif len(rest.rstrip("。")) <= 40 and rest.endswith("。") and rest.count("。") == 1:
                heading = rest
            task = Task(number, heading, [rest])
            if heading and rest != heading and rest.startswith(heading):
                task.paras = [heading, rest[len(heading):]]
            (sub.tasks if sub else parts[-1].tasks).append(task)
            last_number = number
            _close_if_units(task, reg)
            continue
        if m and parts and int(m.group(1)) != last_number + 1:
            report.warnings.append(f"line {i + 1}: '{s[:20]}…' looks like task {m.group(1)} but the last task was "
                                   f"{last_number}; read as text")
        if task and not task.closed:
            task.paras.append(s)
            _close_if_units(task, reg)
        elif task and task.closed:
            orphans.append((f"after task {task.number}", s))
        elif sub:
            sub.paras.append(s)
        elif parts:
            parts[-1].paras.append(s)

    # ---- annex ------------------------------------------------------------------
    annex_lines = [L[i] for i in ne if i >= body_end]

    used = _existing_ids(data_dir, skip=data_dir / "plans" / f"{plan_id}.yaml")
    used.add(plan_id)
    salt = plan_id
    ctx = _Ctx(reg, period, prefix, salt, used)
    notes: list[str] = []
    unknown_where: dict[str, list[str]] = {}

    def note_unknown(names: list[str], where: str):
        for n in names:
            unknown_where.setdefault(n, []).append(where)

    # goals, organisation, actions, sections
    goals_intro_parts: list[str] = []
    goals: list[dict] = []
    organisation: list[dict] = []
    actions: list[dict] = []
    sections: list[dict] = []
    part_entries: list[dict] = []

    def add_goals(paragraphs: list[str]):
        text = join_paragraphs(paragraphs)
        if not text:
            return
        goals_intro_parts.append(text)
        for piece in _goal_pieces(text):
            dls, _ = find_deadlines(piece, period)
            g = {"id": _hash_id(prefix, "goal", piece, salt, used), "text": piece}
            if dls:
                g["deadlines"] = dls
            goals.append(g)

    def add_section(kind: str, number: str | None, title_: str | None, body: str, where: str):
        body = clean(body)
        if not body and title_:
            body, title_ = title_, None
        if not body:
            return
        s: dict[str, Any] = {"id": _hash_id(prefix, "section", f"{kind}{number}{title_}{body[:40]}", salt, used),
                             "kind": kind}
        if number:
            s["number"] = number
        if title_:
            s["title"] = title_
        s["text"] = body
        dls, remarks = find_deadlines(body, period)
        recs = find_recurrences(body)
        if dls:
            s["deadlines"] = dls
        if recs:
            s["recurrence"] = recs
        if remarks:
            s["note"] = "Importer: " + "; ".join(remarks) + "."
        sections.append(s)

    task_parts = [p for p in parts if p.tasks or any(s.tasks for s in p.subs)]
    with_parts = len(task_parts) > 1
    for p in parts:
        is_goal_part = "目标" in p.title and not (p.tasks or any(s.tasks for s in p.subs))
        if re.fullmatch(r"组织(领导|机构|保障)?|领导机构", p.title) and not p.subs and not p.tasks:
            text_ = clean(join_paragraphs(p.paras))
            if text_:
                nm = re.search(r"(?:成立|下设)([^，。；]{2,40}?(?:领导小组|工作专班办公室|工作专班|办公室|指挥部))", text_)
                organisation.append({"id": _hash_id(prefix, "body", text_[:60], salt, used),
                                     "name": nm.group(1) if nm else p.title, "text": text_})
            continue
        if is_goal_part:
            add_goals(p.paras)
        elif p.paras:
            intro = join_paragraphs(p.paras)
            if (p.subs or p.tasks) and find_deadlines(intro, period)[0]:
                add_goals(p.paras)
            elif p.tasks and not p.subs:
                pass  # becomes the intro of the part's own action below
            else:
                add_section(p.title, None, None, intro, p.number)
        part_id = None
        if with_parts and p in task_parts:
            part_id = _hash_id(prefix, "part", p.title, salt, used)
            part_entries.append({"id": part_id, "number": p.number, "title": p.title})
        if p.tasks:
            # without a part heading the tasks hang under the plan's printed title (verbatim)
            number, a_title = (p.number, p.title) if p.number else ("一、", L[title_line].text)
            a = _action(ctx, number, a_title, p.paras if not p.subs else [], p.tasks, part_id if p.subs else None)
            actions.append(a)
        for s in p.subs:
            head, inline = _heading_and_body(s.first)
            if s.tasks:
                a_title = head or _title_of(s.first)
                intro_paras = ([inline] if inline else []) + s.paras
                actions.append(_action(ctx, s.number, a_title, intro_paras, s.tasks, part_id))
            elif "目标" in (head or "") and not s.paras and inline:
                add_goals([inline])
            elif "目标" in (head or ""):
                add_goals(([inline] if inline else []) + s.paras)
            elif not inline and not s.paras:  # one sentence, no heading: （四）各村居…抓好工作落实。
                add_section(p.title, s.number, None, s.first, s.number)
            else:
                add_section(p.title, s.number, head, join_paragraphs(([inline] if inline else []) + s.paras),
                            s.number)

    for where, para in orphans:
        add_section("其他", None, None, para, where)
        notes.append(f"Importer: the paragraph {where} ('{para[:24]}…') belongs to no task or heading; it is "
                     f"recorded as a section of kind 其他 — move it where it belongs.")
    for c in contacts:
        inner = c.strip("（()）").strip()
        member: dict[str, Any] = {"role": "联系人"}
        pm_ = re.search(r"联系人[:：]\s*([^,，\s]+)", inner)
        if pm_:
            member["person"] = pm_.group(1)
        ph = re.search(r"电话[:：]\s*([\d\-]+)", inner)
        if ph:
            member["phone"] = ph.group(1)
        organisation.append({"id": _hash_id(prefix, "body", inner, salt, used), "name": "联系人", "text": inner,
                             "members": [member]})

    # ---- tasks need the registry: finish them --------------------------------------
    for a in actions:
        for t in a["tasks"]:
            if "_unknown" in t:
                note_unknown(t.pop("_unknown"), f"task {t['number']}")

    # ---- annexes ----------------------------------------------------------------------
    annexes, annex_notes = _annexes(annex_lines, reg, period, prefix, salt, used, actions, note_unknown)
    notes += annex_notes

    if goals_intro_parts and len(goals) > 1:
        goals_intro = "\n".join(goals_intro_parts)
    else:
        goals_intro = None

    short_title = title
    if reg.name and "三年行动" in title:
        short_title = f"{reg.name}三年行动"
    else:
        short_title = squash(title)[:30]

    implements = []
    if preamble:
        im = re.search(r"(?:根据|按照|依据|贯彻)[^。]*?《([^》]+)》(?:[（(]([^）)]*〔\d{4}〕\d+号)[）)])?", preamble)
        if im:
            entry = {"title": im.group(1)}
            if im.group(2):
                entry["doc_number"] = im.group(2)
            implements.append(entry)

    plan: dict[str, Any] = {"id": plan_id, "title": title, "short_title": short_title, "issuer": issuer}
    if doc_number:
        plan["doc_number"] = doc_number
    if signer:
        plan["signer"] = signer
    if issued:
        plan["issued"] = issued
    plan["period"] = {"start": period[0], "end": period[1]}
    plan["jurisdiction"] = jur
    if implements:
        plan["implements"] = implements
    plan["source"] = source_name or src.name
    if preamble:
        plan["preamble"] = clean(preamble)
    if goals_intro:
        plan["goals_intro"] = clean(goals_intro)
    if goals:
        plan["goals"] = goals
    if organisation:
        plan["organisation"] = organisation
    if part_entries:
        plan["parts"] = part_entries
    plan["actions"] = actions
    if sections:
        plan["sections"] = sections
    if annexes:
        plan["annexes"] = annexes
    if unknown_where:
        notes.insert(0, "Importer: units not found in data/departments/" + f"{jur}.yaml — "
                     + "; ".join(f"{n} ({', '.join(w)})" for n, w in unknown_where.items())
                     + ". Add each to the registry (name, short or aliases) and to lead/support.")
    notes += [f"Importer: {w}" for w in report.warnings]
    if notes:
        plan["notes"] = notes

    report.plan_id = plan_id
    report.tasks = sum(len(a["tasks"]) for a in actions)
    report.deadlines = sum(len(t.get("deadlines", [])) for a in actions for t in a["tasks"])
    report.recurrences = sum(len(t.get("recurrence", [])) for a in actions for t in a["tasks"])
    report.units_known = sum(len(t.get("lead", [])) + len(t.get("support", [])) for a in actions for t in a["tasks"])
    report.unknown_units = unknown_where
    return plan, report


def _close_if_units(task: Task, reg: Registry) -> None:
    tp = trailing_paren(task.joined())
    if tp and looks_like_units(tp[1], reg):
        task.closed = True


def _goal_pieces(text: str) -> list[str]:
    """One goal per sentence (。；), also split before a clause that starts with a deadline."""
    out = []
    for sentence in split_top(text.replace("\n", ""), "。；"):
        chunk = ""
        for clause in split_top(sentence, "，"):
            if chunk and DEADLINE_RE.match(clause):
                out.append(chunk)
                chunk = ""
            chunk += clause
        if chunk:
            out.append(chunk)
    return [p.strip().rstrip("，。；").strip() for p in out if p.strip().rstrip("，。；").strip()]


@dataclass
class _Ctx:
    """What building actions and tasks needs: the registry, the period and the ids in use."""

    reg: Registry
    period: tuple[int, int]
    prefix: str
    salt: str
    used: set[str]


def _action(ctx: _Ctx, number: str, title: str, intro_paras: list[str], tasks: list[Task],
            part: str | None) -> dict:
    a: dict[str, Any] = {"id": _hash_id(ctx.prefix, "action", title, ctx.salt, ctx.used), "number": number,
                         "title": title}
    if part:
        a["part"] = part
    intro = clean(join_paragraphs(intro_paras))
    if intro:
        a["intro"] = intro
    a["tasks"] = [_task(ctx, t) for t in tasks]
    return a


def _task(ctx: _Ctx, t: Task) -> dict:
    reg = ctx.reg
    full = t.joined()
    units_text = None
    tp = trailing_paren(full)
    if tp and looks_like_units(tp[1], reg):
        full, units_text = tp[0], clean(tp[1])
    text = clean(full)
    title = t.heading.rstrip("。").strip() if t.heading else _title_of(text)
    title = clean(title)
    out: dict[str, Any] = {"id": _hash_id(ctx.prefix, "task", title, ctx.salt, ctx.used), "number": t.number,
                           "title": title, "text": LiteralScalarString(text) if "\n" in text else text}
    notes = []
    if units_text:
        out["units_text"] = units_text
        u = parse_units(units_text, reg)
        if u["lead"]:
            out["lead"] = u["lead"]
        if u["support"]:
            out["support"] = u["support"]
        if u["by_duty"]:
            out["by_duty"] = True
        if u["unknown"]:
            out["_unknown"] = u["unknown"]
            notes.append("units not in the registry, to map: " + "、".join(u["unknown"]))
        if u["skipped"]:
            notes.append(f"the units parenthesis also says '{'，'.join(u['skipped'])}' — if it assigns units "
                         "to every task, consider every_task_lead")
    dls, remarks = find_deadlines(text, ctx.period)
    if dls:
        out["deadlines"] = dls
    recs = find_recurrences(text)
    if recs:
        out["recurrence"] = recs
    notes += remarks
    if notes:
        out["note"] = "Importer: " + "; ".join(notes) + "."
    return out


# --------------------------------------------------------------------------- #
# The annex table
# --------------------------------------------------------------------------- #

COLUMN_FIELDS = [
    (re.compile(r"^序号$"), "number"),
    (re.compile(r"时间节点|完成时限|完成时间|时限"), "due"),
    (re.compile(r"牵头.*领导|责任领导|分管领导"), "leaders"),
    (re.compile(r"责任单位|牵头单位|责任部门|牵头部门"), "lead_text"),
    (re.compile(r"配合单位|配合部门|协同单位"), "support_text"),
    (re.compile(r"工作要求|具体要求|工作内容|具体措施"), "requirement"),
    (re.compile(r"备注"), "remark"),
    (re.compile(r"类别|分类"), "category"),
    (re.compile(r"任务|目标|事项"), "item"),
]
MONTH_CELL = re.compile(r"^\d{1,2}\s*月(?:底|末)?(?:前)?$")


def _field_of(heading: str) -> str | None:
    for rx, name in COLUMN_FIELDS:
        if rx.search(heading):
            return name
    return None


def _leaders(cell: str) -> list[str]:
    tokens = cell.split()
    out, i = [], 0
    while i < len(tokens):
        if len(tokens[i]) == 1 and i + 1 < len(tokens) and len(tokens[i + 1]) == 1:
            out.append(tokens[i] + tokens[i + 1])  # 王 珏
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


def _annexes(lines: list[Line], reg: Registry, period, prefix, salt, used, actions, note_unknown):
    notes: list[str] = []
    texts = [ln.text for ln in lines]
    named = None
    for s in texts:
        m = re.match(r"^附件\s*[:：]\s*(.+)$", s)
        if m:
            named = cjk_tight(m.group(1))
            break
    header_i = next((i for i, s in enumerate(texts) if s.startswith("序号") and "\t" in s), None)
    if header_i is None:
        if not named:
            return [], notes
        return [{"id": _hash_id(prefix, "annex", named, salt, used), "title": named, "included": False,
                 "note": "Importer: the document names this annex but its text has no table (序号 …); "
                         "nothing is recorded."}], notes
    title = texts[header_i - 1] if header_i > 0 and not re.fullmatch(r"附件\s*[:：]?", texts[header_i - 1]) else named
    title = cjk_tight(title or "附件")
    header_raw = [c.strip() for c in texts[header_i].split("\t")]
    fields = [_field_of(c) if c else None for c in header_raw]
    columns = [c for c in header_raw if c]
    ym = re.search(r"(\d{4})\s*年", title)
    year = int(ym.group(1)) if ym else period[0]
    anchor = "due" in fields
    task_by_title = {squash(t["title"]): t["id"] for a in actions for t in a["tasks"]}

    rows: list[dict] = []
    category = None
    for s_raw in lines[header_i + 1:]:
        s = s_raw.text
        if s.startswith("序号") and "\t" in s:
            continue
        m = re.match(r"^(\d{1,3})\t", s)
        if not m:
            flat = s.replace("\t", "").strip()
            cm = re.match(rf"^([{CN_NUM}]+、.+?)\s*[（(]\s*小计.*$", flat)
            if cm:
                category = cm.group(1).strip()
            continue
        cells = [c.strip() for c in s.split("\t")]
        row: dict[str, Any] = {"number": int(m.group(1))}
        values: dict[str, str] = {}
        di = next((i for i, c in enumerate(cells) if i > 0 and MONTH_CELL.match(c)), None) if anchor else None
        if di is not None:
            # the columns before 时间节点 (category, item, task) may be merged or shifted:
            # read them from the right of the due cell, and the units after it
            before = cells[1:di]
            after_fields = [f for f in fields[fields.index("due") + 1:] if f]
            values["due"] = cells[di]
            for f, c in zip(after_fields, cells[di + 1:]):
                values[f] = c
            names = ["task", "item", "category"]
            for f, c in zip(names, reversed(before)):
                values[f] = c
        else:
            for f, c in zip(fields, cells):
                if f and f != "number":
                    values[f] = c
        if values.get("category"):
            category = values["category"]
        if category and "category" not in row:
            row["category"] = category
        for f in ("item", "task", "requirement"):
            if values.get(f):
                row[f] = values[f]
        if values.get("due"):
            try:
                row["due"] = {"date": parse_phrase(values["due"], year=year), "text": values["due"]}
            except DatePhraseError:
                row["remark"] = values["due"]
        lead_ids, support_ids, unknown = [], [], []
        if values.get("lead_text"):
            row["lead_text"] = values["lead_text"]
            lead_ids, unknown = reg.resolve(values["lead_text"])
        if values.get("support_text"):
            row["support_text"] = values["support_text"]
            ids, unk = reg.resolve(values["support_text"])
            support_ids = [x for x in ids if x not in lead_ids]
            unknown += [u for u in unk if u not in unknown]
        if values.get("remark"):
            row["remark"] = values["remark"]
        if lead_ids:
            row["lead"] = lead_ids
        if support_ids:
            row["support"] = support_ids
        if values.get("leaders"):
            row["leaders"] = _leaders(values["leaders"])
        restates = [task_by_title[squash(row[f])] for f in ("item", "task") if row.get(f)
                    and squash(row[f]) in task_by_title]
        if restates:
            row["restates"] = restates[:1]
        if unknown:
            note_unknown(unknown, f"annex row {row['number']}")
            row["note"] = "Importer: units not in the registry, to map: " + "、".join(unknown) + "."
        rows.append(row)
    annex = {"id": _hash_id(prefix, "annex", title, salt, used), "title": title, "year": year,
             "columns": columns, "rows": rows}
    if named and squash(named) != squash(title):
        annex["note"] = f"Importer: the 附件 line names it {named}."
    notes_ = notes
    if rows and not any(r.get("restates") for r in rows):
        notes_.append("Importer: link each annex row to the task(s) it restates (restates: [...]).")
    return [annex], notes_


# --------------------------------------------------------------------------- #
# Writing
# --------------------------------------------------------------------------- #


def to_yaml(plan: dict, report: Report, src_name: str) -> str:
    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 100_000
    y.allow_unicode = True
    buf = io.StringIO()
    y.dump(plan, buf)
    header = [
        SCHEMA_COMMENT,
        f"# DRAFT imported from data/sources/{src_name} by `make import` — check every field against the source.",
        "# Ids are short hashes of the titles (never positions). Editors may rename them to readable slugs",
        "# (e.g. mg-hazard-screening) before the plan is first published (`make addresses`); after that an id",
        "# is fixed and a rename needs previous_ids.",
        "# Still to do by hand: short_title, topics, national, goals (split as the plan means them),",
        "# organisation members, annex restates, and lead/support where the text names units without a parenthesis.",
    ]
    if report.unknown_units:
        header.append(f"# Units not in data/departments/{plan['jurisdiction']}.yaml (map each to a department id):")
        for name, where in report.unknown_units.items():
            header.append(f"#   - {name}  ({', '.join(where)})")
    text = "\n".join(header) + "\n" + buf.getvalue()
    try:  # the canonical style of `make fmt`, when that module is there
        from .fmt import formatted

        text = formatted(text)
    except Exception:
        pass
    return text


def run(src: Path, data_dir: Path = DATA, plan_id: str | None = None, jurisdiction: str | None = None,
        out: Path | None = None, force: bool = False, prefix: str | None = None) -> int:
    """The command line: write the draft; returns an exit code."""
    src = Path(src)
    if not src.is_file():
        print(f"import: {src} does not exist", file=sys.stderr)
        return 2
    for name, value in (("--id", plan_id), ("--jurisdiction", jurisdiction), ("--prefix", prefix)):
        if value and not ID_RE.match(value):
            print(f"import: {name} '{value}' is not an id (lowercase letters, digits, hyphens)", file=sys.stderr)
            return 2
    if out is not None and not plan_id:
        plan_id = Path(out).stem
    # the source must be in data/sources/ for `make check`
    sources = data_dir / "sources"
    target = sources / src.name
    copy = False
    if target.exists():
        if target.resolve() != src.resolve() and target.read_bytes() != src.read_bytes():
            print(f"import: {target} exists with other content; rename {src.name} and try again", file=sys.stderr)
            return 1
    else:
        copy = True
    try:
        plan, report = build_draft(src, data_dir, plan_id=plan_id, jurisdiction=jurisdiction, prefix=prefix,
                                   source_name=src.name)
    except DraftError as e:
        print(f"import: {src}: {e}", file=sys.stderr)
        return 2
    path = Path(out) if out is not None else data_dir / "plans" / f"{plan['id']}.yaml"
    if path.stem != plan["id"]:
        print(f"import: note that `make check` wants the plan id '{plan['id']}' to equal the file name "
              f"'{path.stem}'", file=sys.stderr)
    if path.exists() and not force:
        print(f"import: {path} already exists; nothing written (use --force / FORCE=1 to overwrite)",
              file=sys.stderr)
        return 1
    if copy:
        sources.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        print(f"import: copied {src} to {target}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(plan, report, src.name), encoding="utf-8")
    print(f"import: wrote {path}: {len(plan['actions'])} actions, {report.tasks} tasks, "
          f"{report.deadlines} deadlines, {report.recurrences} recurring duties, "
          f"{report.units_known} units recognised, {len(report.unknown_units)} unknown")
    for name, where in report.unknown_units.items():
        print(f"import: unknown unit {name} ({', '.join(where)}): add it to "
              f"data/departments/{plan['jurisdiction']}.yaml")
    for w in report.warnings:
        print(f"import: {w}", file=sys.stderr)
    print("import: next, compare the draft with the source, run `make check`, then `make fmt`")
    return 0
