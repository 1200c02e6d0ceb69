"""The draft plan: build_draft() reads a plan's plain text into plan data in
the order of scripts/model/models.py (letterhead, title, preamble, period,
goals, organisation, parts, actions and tasks, sections, annexes), with a
report of what it could not map."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...paths import DATA
from ..scaffold import prefix_of
from .annex import read_annexes
from .extract import read_text
from .phrases import find_deadlines, time_fields
from .read import DATE_LINE_RE, DOC_NUMBER_RE, PART_RE, SUB_RE, DraftError, Reader, join_page_breaks, read_body, settle
from .structure import Ctx, close_if_units, existing_ids, goal_pieces, hash_id, make_action
from .text import cjk_tight, clean, heading_and_body, join_paragraphs, squash, title_of
from .units import Registry, find_registry, short_forms


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
    registry: Registry | None = None  # the jurisdiction's registry, with this import's draft entries


def build_draft(src: Path, data_dir: Path = DATA, plan_id: str | None = None,
                jurisdiction: str | None = None, prefix: str | None = None,
                source_name: str | None = None, text: str | None = None) -> tuple[dict, Report]:
    """The draft plan (plain data in the order of scripts/model/models.py) and a report.

    `src` is a .txt, .docx or .pdf (extract.read_text); `text`, when given, is its text already read."""
    if text is None:
        text = read_text(src)
    rd = Reader(join_page_breaks(text))
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

    reg = find_registry(data_dir, jurisdiction, issuer, title, plan_id)
    if reg.jurisdiction is None:
        raise DraftError("no department registry matches this plan's issuer or title: name its jurisdiction with "
                         "JURISDICTION=<id> (or the plan with ID=<jurisdiction>-<years>); its registry "
                         "data/departments/<id>.yaml is then started with the units the plan names")
    reg.short_forms = short_forms(text)
    jur = reg.jurisdiction
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
    body = read_body(L, [i for i in ne if first_part <= i < body_end], implicit_part,
                     lambda t: close_if_units(t, reg))
    settle(body.parts, lambda t: close_if_units(t, reg))
    parts, orphans, contacts = body.parts, body.orphans, body.contacts
    report.warnings += body.warnings

    # ---- annex ------------------------------------------------------------------
    annex_lines = [L[i] for i in ne if i >= body_end]

    used = existing_ids(data_dir, skip=data_dir / "plans" / f"{plan_id}.yaml")
    used.add(plan_id)
    salt = plan_id
    ctx = Ctx(reg, period, prefix, salt, used)
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
        for piece in goal_pieces(text):
            dls, _ = find_deadlines(piece, period)
            g = {"id": hash_id(prefix, "goal", piece, salt, used), "text": piece}
            if dls:
                g["deadlines"] = dls
            goals.append(g)

    def add_section(kind: str, number: str | None, title_: str | None, body: str, where: str):
        body = clean(body)
        if not body and title_:
            body, title_ = title_, None
        if not body:
            return
        s: dict[str, Any] = {"id": hash_id(prefix, "section", f"{kind}{number}{title_}{body[:40]}", salt, used),
                             "kind": kind}
        if number:
            s["number"] = number
        if title_:
            s["title"] = title_
        s["text"] = body
        times, remarks = time_fields(body, period)
        s.update(times)
        for r in remarks:
            notes.append(f"section '{(title_ or body)[:16]}…': {r}")
        sections.append(s)

    task_parts = [p for p in parts if p.tasks or any(s.tasks for s in p.subs)]
    with_parts = len(task_parts) > 1
    for p in parts:
        is_goal_part = "目标" in p.title and not (p.tasks or any(s.tasks for s in p.subs))
        if re.fullmatch(r"组织(领导|机构|保障)?|领导机构", p.title) and not p.subs and not p.tasks:
            text_ = clean(join_paragraphs(p.paras))
            if text_:
                nm = re.search(r"(?:成立|下设)([^，。；]{2,40}?(?:领导小组|工作专班办公室|工作专班|办公室|指挥部))", text_)
                organisation.append({"id": hash_id(prefix, "body", text_[:60], salt, used),
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
            part_id = hash_id(prefix, "part", p.title, salt, used)
            part_entries.append({"id": part_id, "number": p.number, "title": p.title})
        if p.tasks:
            # without a part heading the tasks hang under the plan's printed title (verbatim)
            number, a_title = (p.number, p.title) if p.number else ("一、", L[title_line].text)
            a = make_action(ctx, number, a_title, p.paras if not p.subs else [], p.tasks, part_id if p.subs else None)
            actions.append(a)
        for s in p.subs:
            head, inline = heading_and_body(s.first)
            if s.tasks:
                a_title = head or title_of(s.first)
                intro_paras = ([inline] if inline else []) + s.paras
                actions.append(make_action(ctx, s.number, a_title, intro_paras, s.tasks, part_id))
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
        notes.append(f"the paragraph {where} ('{para[:24]}…') belongs to no task or heading; it is "
                     f"recorded as a section of kind 其他 — move it where it belongs")
    for c in contacts:
        inner = c.strip("（()）").strip()
        member: dict[str, Any] = {"role": "联系人"}
        pm_ = re.search(r"联系人[:：]\s*([^,，\s]+)", inner)
        if pm_:
            member["person"] = pm_.group(1)
        ph = re.search(r"电话[:：]\s*([\d\-]+)", inner)
        if ph:
            member["phone"] = ph.group(1)
        organisation.append({"id": hash_id(prefix, "body", inner, salt, used), "name": "联系人", "text": inner,
                             "members": [member]})

    # ---- tasks need the registry: finish them --------------------------------------
    scope_notes: list[dict] = []
    for a in actions:
        for k, t in enumerate(a["tasks"]):
            if "_unknown" in t:
                note_unknown(t.pop("_unknown"), f"task {t['number']}")
            if "_scope" in t:  # 以下均需各社区负责: the later tasks of its action (section)
                sc = t.pop("_scope")
                later = [x["id"] for x in a["tasks"][k + 1:]]
                if later:
                    scope_notes.append({"text": sc["text"], "lead": sc["units"], "tasks": later})
                    notes.append(f"scope note '{sc['text']}' (task {t['number']}) is applied to the "
                                 f"{len(later)} later task(s) of its section: check which tasks it governs")

    # ---- annexes ----------------------------------------------------------------------
    annexes, annex_notes = read_annexes(annex_lines, reg, period, prefix, salt, used, actions, note_unknown)
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
    notes.insert(0, f"short_title: '{short_title}' is a placeholder; write the short name lists and citations "
                    "should use")

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
    plan["source"] = source_name or (src.name if src.suffix.lower() == ".txt" else src.stem + ".txt")
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
    if scope_notes:
        plan["scope_notes"] = scope_notes
    plan["actions"] = actions
    if sections:
        plan["sections"] = sections
    if annexes:
        plan["annexes"] = annexes
    if unknown_where:
        notes.insert(0, "units the importer could not read as names — "
                     + "; ".join(f"{n} ({', '.join(w)})" for n, w in unknown_where.items())
                     + f": add each to data/departments/{jur}.yaml and to lead/support where they belong")
    if reg.drafts:
        notes.append(f"{len(reg.drafts)} unit(s) are new draft entries of data/departments/{jur}.yaml "
                     "(name as printed, guessed short name and category): review each there")
    notes += report.warnings
    plan["draft"] = True
    plan["todo"] = notes

    report.plan_id = plan_id
    report.tasks = sum(len(a["tasks"]) for a in actions)
    report.deadlines = sum(len(t.get("deadlines", [])) for a in actions for t in a["tasks"])
    report.recurrences = sum(len(t.get("recurrence", [])) for a in actions for t in a["tasks"])
    report.units_known = sum(len(t.get("lead", [])) + len(t.get("support", [])) for a in actions for t in a["tasks"])
    report.unknown_units = unknown_where
    report.registry = reg
    return plan, report
