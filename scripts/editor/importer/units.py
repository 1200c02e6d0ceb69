"""Units named in a plan: the jurisdiction's department registry as the
importer reads it (names, short names, aliases, other spellings), the
responsibility words plans print (a parenthesis after the task, `牵头单位：`
/ `配合单位：` / `责任部门：` / `牵头领导：` labels inside it or on lines of their
own, names joined by 、 or /, `由…牵头，…配合` in prose), and the draft
registry entries of units the registry does not know yet (name as printed, a
guessed short name and category, `draft: true` for the clerk to review), so
that units map on the first import, also with no registry at all."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

from .text import split_top, squash


ROLE_SUFFIX = re.compile(r"(?:分别|或|按职责|按照职责|分工|协同|配合|负责|牵头|参与|协助|共同|等|具体|落实|抓好"
                         r"|积极|全力|密切|主动|做好|要|应|予以|组织)+$")
SUPPORT_WORDS = re.compile(r"配合|协同|参与|协助|支持|协办")
ROLE_WORDS = re.compile(r"配合|协同|参与|协助|支持|负责|牵头|协办")
# labels of the responsibility words: `牵头单位：…` (in a parenthesis or on a line of its own)
LEAD_LABEL = r"(?:牵头|责任|主责|主办|实施)(?:单位|部门|科室|处室)|责任主体"
SUPPORT_LABEL = r"(?:配合|协同|协办|参与|协助)(?:单位|部门|科室|处室)"
LEADER_LABEL = r"(?:牵头|责任|分管|联系)(?:[区市县镇街]|街道)?领导"
LABEL_RE = re.compile(rf"^\s*({LEAD_LABEL}|{SUPPORT_LABEL}|{LEADER_LABEL})\s*[:：]\s*")
# a name that can be a unit: ends like one (局, 办, 委, 中心, 公司, 社区 …)
UNIT_NAME = re.compile(r"(?:[局办委会队所部位心处站司院镇道居区组团科室社村厂校园馆庭企]|企业|单位|部门|机构|集团|学校|医院)$")


@dataclass
class Registry:
    jurisdiction: str | None = None
    name: str | None = None  # e.g. 泖港镇
    index: dict[str, str] = field(default_factory=dict)  # squashed name -> id
    groups: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)  # id -> name
    path: Path | None = None  # the registry file (None: none yet)
    categories: list[str] = field(default_factory=list)  # category ids of data/categories.yaml
    create: bool = False  # unknown units become draft entries (see add_draft)
    drafts: list[dict] = field(default_factory=list)  # the draft entries made by this import
    short_forms: dict[str, str] = field(default_factory=dict)  # 以下简称: short -> full name as printed

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

    def add_draft(self, printed: str) -> str | None:
        """A draft entry for a unit the registry does not know (None if the words
        are no unit name): the name as printed (the full name where the text
        defines the printed one as its 以下简称), a guessed short name and
        category, `draft: true`."""
        name = squash(printed).strip("“”\"'")
        if not plausible_unit(name) or not self.jurisdiction:
            return None
        full = self.short_forms.get(name)
        entry: dict = {"id": "", "name": full or name}
        short = [name] if full else []
        for p in ("街道", "镇", "区", "市", "县"):
            if name.startswith(p) and len(name) > len(p) + 1 and not re.match(r"属|委|府|政府", name[len(p):]):
                short.append(name[len(p):])
                break
        if short:
            entry["short"] = list(dict.fromkeys(short))
        entry["category"] = guess_category(full or name, self.categories)
        if is_group(name):
            entry["group"] = True
        entry["draft"] = True
        digest = hashlib.sha1(squash(entry["name"]).encode()).hexdigest()
        n = 6
        while f"{self.jurisdiction}-{digest[:n]}" in self.names:
            n += 1
        entry["id"] = f"{self.jurisdiction}-{digest[:n]}"
        self.drafts.append(entry)
        self.names[entry["id"]] = entry["name"]
        for key in [entry["name"], name, *entry.get("short", [])]:
            self.index.setdefault(squash(key), entry["id"])
        if entry.get("group"):
            self.groups.add(entry["id"])
        return entry["id"]

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

    def resolve(self, text: str, create: bool | None = None) -> tuple[list[str], list[str]]:
        """Department ids named in a list of units, and the names it does not know.

        The list is split on 、，; and spaces; the longest run of pieces that the
        registry knows wins. Unknown pieces are joined across a space that only
        wraps a cell (镇安委 会有关 成员单 位), not across one that separates two
        names (区消防救援支队 区建管委), nor across 、.
        """
        parts = re.split(r"([、，,；;/／\s]+)", LABEL_RE.sub("", text.replace("**", "")))
        tokens, seps = [], []  # seps[k]: the separator after tokens[k]
        for p in parts:
            if not p:
                continue
            if re.fullmatch(r"[、，,；;/／\s]+", p):
                if seps:
                    seps[-1] = p
            else:
                tokens.append(p)
                seps.append("")
        found: list[list[str]] = []  # in printed order: ["id", ident] or ["name", unknown name]
        pending: list[str] = []

        def flush():
            if pending:
                name = ROLE_SUFFIX.sub("", "".join(pending))  # 按职责分工负责 alone names no unit
                if len(name) == 1 and found and found[-1][0] == "name":  # 各街道、镇: a lone 镇 goes with 各街道
                    found[-1][1] += "、" + name
                elif name and ["name", name] not in found:
                    found.append(["name", name])
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
                found.append(["id", ident])
                i = j + 1
                continue
            pending.append(tokens[i])
            wraps = (i + 1 < n and re.fullmatch(r"\s+", seps[i] or "x")
                     and not (tokens[i][-1] in UNIT_END and tokens[i + 1][0] in UNIT_START))
            if not wraps:
                flush()
            i += 1
        flush()
        ids, unknown = [], []
        for kind, value in found:
            if kind == "name":
                if len(value) < 2 or re.fullmatch(r"[\d\W]+", value):
                    continue
                make = self.create if create is None else create
                ident = (self.lookup(value) or self.add_draft(value)) if make else None
                if not ident:
                    if value not in unknown:
                        unknown.append(value)
                    continue
                value = ident
            if value not in ids:
                ids.append(value)
        return ids, unknown


UNIT_END = set("局办委会队所部位心处站司院镇道居区企门组团科室社村厂店校园馆")
UNIT_START = set("区镇各街市县乡村社省")


SCOPE_RE = re.compile(r"^以下(?:各项|任务|工作)?(?:均|都|皆)?(?:需|须|要|由|应)?(.+?)(?:负责|牵头|落实)")


def split_names(text: str) -> list[str]:
    """Names of people or posts in a list: 、，/ outside brackets (林晓东（办事处主任）、韩立新)."""
    return [p.strip("、，,/／；; ") for p in split_top(text, "、，,/／；;") if p.strip("、，,/／；; ")]


def parse_units(units_text: str, reg: Registry) -> dict:
    """lead/support/leaders/by_duty/unknown/scope from responsibility words.

    Clauses (split at ，；。 outside brackets) labelled `牵头单位：` / `责任单位：` /
    `责任部门：` are lead, `配合单位：` support, `牵头领导：` leaders (as printed).
    Unlabelled clauses: marked 配合/协同/参与 support, otherwise lead (`A牵头`,
    `B负责`, or a plain list of units). A clause `以下均需各社区负责…` is a scope
    note: its units are returned apart (`scope`), for the tasks it governs.
    """
    clauses = [c.strip("，；。,; ") for c in split_top(units_text, "，；。,;")]
    clauses = [c for c in clauses if c]
    lead, support, leaders, unknown, skipped = [], [], [], [], []
    scope: dict | None = None
    role = None  # the label in force: a label governs the clauses after it until the next
    for c in clauses:
        m = LABEL_RE.match(c)
        if m:
            label = m.group(1)
            role = ("leaders" if re.fullmatch(LEADER_LABEL, label) else
                    "support" if re.fullmatch(SUPPORT_LABEL, label) else "lead")
            c = c[m.end():].strip()
            if not c:
                continue
        elif re.match(r"以下|不再|其中|具体", c):
            sm = SCOPE_RE.match(c)
            if sm and scope is None:
                ids, unk = reg.resolve(sm.group(1))
                if ids:
                    scope = {"text": c, "units": ids}
                    unknown += [u for u in unk if u not in unknown]
            skipped.append(c)
            continue
        if role == "leaders":
            leaders += [x for x in split_names(c) if x not in leaders]
            continue
        if role is None or ROLE_WORDS.search(c):
            target = support if SUPPORT_WORDS.search(c) else lead
        else:
            target = support if role == "support" else lead
        ids, unk = reg.resolve(re.sub(r"^由", "", c))
        for x in ids:
            if x not in lead and x not in support:
                target.append(x)
        unknown += [u for u in unk if u not in unknown]
    if scope:  # the note runs on to the end of the words: 以下均需各社区负责，不再一一列出
        at = units_text.find(scope["text"])
        rest = units_text[at:]
        if at >= 0 and all(re.match(r"以下|不再|其中|具体", c.strip("，；。,; ")) for c in split_top(rest, "，；。,;")):
            scope["text"] = rest.rstrip("，；。,; ")
    by_duty = bool(re.search(r"按职责|分工负责", units_text)) and not unknown and \
        all(x in reg.groups for x in lead + support)
    return {"lead": lead, "support": support, "leaders": leaders, "by_duty": by_duty, "unknown": unknown,
            "skipped": skipped, "scope": scope}


PROSE_RE = re.compile(r"由([^，。；：“”（）()]{2,80}?)(?:牵头|负责)(?:[^，。；]{0,30}?)"
                      r"(?:[，,]([^，。；：“”（）()]{2,80}?)(?:配合|协同|参与|协助))?(?=[，。；,]|$)")


def prose_units(text: str, reg: Registry) -> tuple[str, dict] | None:
    """`由A牵头，B配合` in a task's text: the words (verbatim) and their units."""
    flat = text.replace("\n", "")
    m = PROSE_RE.search(flat)
    if not m:
        return None
    lead, unk = reg.resolve(m.group(1))
    support, unk2 = reg.resolve(m.group(2)) if m.group(2) else ([], [])
    if not lead:
        return None
    words = m.group(0)
    if not m.group(2):  # keep only 由…牵头 (the rest of the clause is the duty)
        words = flat[m.start():m.start(1) + len(m.group(1)) + 2]
    return words, {"lead": lead, "support": [x for x in support if x not in lead], "leaders": [],
                   "by_duty": False, "unknown": unk + [u for u in unk2 if u not in unk], "skipped": [],
                   "scope": None}


def looks_like_units(content: str, reg: Registry) -> bool:
    c = squash(content)
    if not c or re.search(r"每(半年|季度|月|年)", c) or re.fullmatch(r"[\d\-—–~至年版]+", c):
        return False
    if reg.resolve(c, create=False)[0]:
        return True
    return bool(re.search(r"负责|牵头|配合|局|办|委|中心|队|所|部门|单位|街镇|社区|村居|国企|公司", c))


CATEGORY_WORDS = [  # (category id, words in a unit's name), first match wins
    ("safety-committee", "安委|安全生产委员会"), ("fire-rescue", "消防"), ("emergency-management", "应急"),
    ("public-security", "公安|派出所|交警|警署"), ("market-regulation", "市场监|市场所|质监|质量技术监督"),
    ("discipline", "纪委|纪工委|监察"), ("organisation-propaganda", "宣传|组织部|党群|融媒|网信"),
    ("urban-operation", "城运|城市运行|网格"), ("urban-management", "城管|执法|绿容|市容|绿化"),
    ("housing-construction", "住建|建管|建设|房管|房屋|规建|住房"), ("transport", "交通|交委|运输|港航|路政"),
    ("planning-resources", "规划|自然资源|规土"), ("ecology-environment", "环保|生态|环境"),
    ("agriculture", "农业|农办|农村|农服|林业"), ("water", "水务|水利"), ("health", "卫健|卫生|医院|医疗|疾控"),
    ("civil-affairs", "民政"), ("culture-tourism", "文旅|文化|旅游|体育|文体"), ("human-resources", "人社|人力资源"),
    ("finance", "财政"), ("science-technology", "科委|经信|科技|工信"), ("commerce", "商务|商委"),
    ("economy", "经发|经济|发改|营商|招商"), ("education", "教育|学校"), ("state-assets", "国资"),
    ("trade-union", "工会"), ("leadership", "班子|领导"),
    ("grassroots", "社区|村委|居委|村居|居民区|各村|各居|街镇|各街道|各镇"),
    ("party-government", "党委|党工委|党政|政府|办事处|管委会|综合办|办公室|委办|府办"),
    ("enterprise", "公司|企业|集团"),
]


def guess_category(name: str, categories: list[str]) -> str:
    """The category a unit's name suggests (应急 -> emergency-management), among
    those that exist; else `other`."""
    for cat, words in CATEGORY_WORDS:
        if cat in categories and re.search(words, name):
            return cat
    return "other" if "other" in categories or not categories else categories[-1]


def is_group(name: str) -> bool:
    """A collective such as 各社区, 有关成员单位, 各相关部门."""
    return bool(re.match(r"各|有关|相关|其他|其它", name) or re.search(r"各|有关|相关|成员单位|等$", name[1:]))


def plausible_unit(name: str) -> bool:
    """Words that can be the name of a unit (not a duty, not a person): 区建管委（交通委） too."""
    core = re.sub(r"[（(][^（）()]{1,12}[）)]$", "", name)
    return 2 <= len(name) <= 30 and bool(UNIT_NAME.search(core)) and not re.search(r"[，。；：:0-9]", name)


def short_forms(text: str) -> dict[str, str]:
    """短称 -> 全称 from `全称（以下简称“短称”）` in a plan's text."""
    out = {}
    for m in re.finditer(r"([\u4e00-\u9fff]{3,30}?)[（(]以下简称[“\"]([^”\"]{2,15})[”\"][）)]", text):
        full = m.group(1)
        # the full name starts after the last 、，的 or 由 (由区住房和城乡建设管理委员会（以下简称…）)
        full = re.split(r"[由与和、的在对及把将]", full)[-1] if not plausible_unit(full) else full
        full = re.sub(r"^(?:由|与|会同|联合|配合)", "", full)
        if plausible_unit(full):
            out[squash(m.group(2))] = full
    return out


ORG_SUFFIX = re.compile(r"^(?:人民政府|政府|街道办事处|办事处|党工委|党委|管委会|安委会|安全生产委员会|文件|$)")


def jurisdiction_name(issuer: str) -> str | None:
    """The place an issuer governs, the most local one printed: 泖港镇 from
    松江区泖港镇人民政府, 东湖街道 from 西岭区东湖街道办事处, 临川区 from
    临川区住房和城乡建设管理委员会 (a department of the district)."""
    text = re.sub(r"\s+", "", issuer)
    pos, found = 0, None
    seg = re.compile(r"[\u4e00-\u9fff]{1,5}?(?:街道|镇|乡|区|县|市|省)")
    while True:
        m = seg.match(text, pos)
        if not m:
            break
        if found is not None and re.search(r"和|与|城乡", m.group(0)):
            break  # 住房和城乡建设…: a department's name, not a place
        found, pos = m.group(0), m.end()
    return found


def jurisdiction_level(issuer: str, name: str | None) -> str:
    text = re.sub(r"\s+", "", issuer)
    rest = text[text.index(name) + len(name):] if name and name in text else ""
    if rest and not ORG_SUFFIX.match(rest) and re.search(r"委员会|局|委|办公室|中心", rest):
        return "委办局"  # 临川区住房和城乡建设管理委员会: a department of the district
    for level in ("街道", "镇", "区", "市"):
        if name and name.endswith(level):
            return level
    return "镇" if name and name.endswith("乡") else "区"


def find_registry(data_dir: Path, jurisdiction: str | None, issuer: str, title: str,
                  plan_id: str | None = None) -> Registry:
    """The registry of the plan's jurisdiction (given, or found from the issuer
    or title); unknown units will become its draft entries. With no registry,
    a new one for `jurisdiction` (or the plan id without its years)."""
    regs = {}
    for path in sorted((data_dir / "departments").glob("*.yaml")):
        try:
            regs[path.stem] = Registry.load(path)
            regs[path.stem].path = path
        except Exception:
            continue
    found = None
    if jurisdiction:
        found = regs.get(jurisdiction)
    else:
        for reg in regs.values():  # the issuer is a unit of the jurisdiction
            if squash(issuer) in reg.index:
                found = reg
                break
        if found is None:
            for reg in regs.values():
                if reg.name and (reg.name in issuer or reg.name in title):
                    found = reg
                    break
    if found is None:
        ident = jurisdiction or (re.sub(r"(?:-\d{4}){1,2}(?:-[a-z0-9]+)?$", "", plan_id) if plan_id else None)
        found = Registry(jurisdiction=ident or None, name=jurisdiction_name(issuer))
    found.create = True
    try:
        cats = YAML(typ="safe").load((data_dir / "categories.yaml").read_text(encoding="utf-8")) or {}
        found.categories = [c["id"] for c in cats.get("categories") or []]
    except (OSError, ValueError, TypeError, KeyError):
        found.categories = []
    return found
