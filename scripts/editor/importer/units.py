"""Units named in a plan: the jurisdiction's department registry as the
importer reads it (names, short names, aliases, other spellings), and the
lead and support units of a units parenthesis."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

from .text import split_top, squash


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
    Without any such words the parenthesis only lists units, whatever the
    separator: all are lead (（区应急局、区委宣传部，区安委会其他有关成员单位）).
    """
    clauses = [c.strip("，；。,; ") for c in split_top(units_text, "，；。,;")]
    clauses = [c for c in clauses if c]
    skipped = [c for c in clauses if re.match(r"以下|不再|其中", c)]
    clauses = [c for c in clauses if c not in skipped]
    any_role = any(ROLE_WORDS.search(c) for c in clauses)
    lead, support, unknown = [], [], []
    for c in clauses:
        ids, unk = reg.resolve(c)
        target = support if any_role and SUPPORT_WORDS.search(c) else lead
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
