"""The structures and responsibility forms plans print, each on a small made-up
text in the style of the seeds (issue 11, item 3), read with no registry at all:
every unit becomes a draft registry entry and maps on the first import."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.editor.importer.draft import build_draft
from scripts.editor.importer.read import join_page_breaks
from scripts.editor.importer.units import Registry, parse_units, prose_units, jurisdiction_name, short_forms

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"

HEAD = """新桥镇人民政府文件

新府发〔2024〕3号

新桥镇安全生产治本攻坚三年行动实施方案（2024—2026年）

为……，制定本方案。

一、总体要求

（一）指导思想。以……为指导。

（二）工作目标。到2026年底前，……。

"""
TAIL = """

四、保障措施

（一）加强组织领导。各部门要……。

1. 定期调度。每月……。

2. 严格考核。……。
"""


def names(reg: Registry, ids: list[str]) -> list[str]:
    return [reg.names[i] for i in ids]


def draft(body: str, tmp_path: Path) -> tuple[dict, dict]:
    src = tmp_path / "plan.txt"
    src.write_text(HEAD + body + TAIL, encoding="utf-8")
    plan, report = build_draft(src, DATA, plan_id="xinqiao-2024-2026", jurisdiction="xinqiao")
    n = {d["id"]: d["name"] for d in report.registry.drafts}
    tasks = [t for a in plan["actions"] for t in a["tasks"]]
    return plan, {(t["number"] if len({x["number"] for x in tasks}) == len(tasks) else t["id"]): {**t, "lead_names": [n[x] for x in t.get("lead", [])],
                                "support_names": [n[x] for x in t.get("support", [])]} for t in tasks}


def test_parenthesis_labels_lines_slash_and_prose(tmp_path):
    plan, tasks = draft("""二、主要任务

（一）压实责任

1. 健全工作机制。每季度召开会议。（牵头单位：镇安委办；配合单位：镇应急办/镇派出所）

2. 开展专项整治。由镇城建中心牵头，镇市场监管所、各村配合，2024年底前完成。

3. 强化企业责任。推动企业落实主体责任。

牵头领导：王某某（副镇长）

责任部门：镇经发办、镇属企业

4. 加强宣传教育。开展宣传活动。（镇党政办、镇社区办）
""", tmp_path)
    assert tasks[1]["lead_names"] == ["镇安委办"] and tasks[1]["support_names"] == ["镇应急办", "镇派出所"]
    assert tasks[1]["text"] == "健全工作机制。每季度召开会议。"
    assert tasks[2]["lead_names"] == ["镇城建中心"] and tasks[2]["support_names"] == ["镇市场监管所", "各村"]
    assert "由镇城建中心牵头" in tasks[2]["text"] and tasks[2]["units_text"].startswith("由镇城建中心牵头")
    assert tasks[3]["lead_names"] == ["镇经发办", "镇属企业"] and tasks[3]["leaders"] == ["王某某（副镇长）"]
    assert "责任部门" not in tasks[3]["text"] and "牵头领导" not in tasks[3]["text"]
    assert tasks[4]["lead_names"] == ["镇党政办", "镇社区办"] and "support" not in tasks[4]  # a list is lead
    # numbered paragraphs under 总体要求 and 保障措施 are not tasks
    assert sorted(tasks) == [1, 2, 3, 4]


def test_scope_note_binds_the_later_tasks_of_its_section(tmp_path):
    plan, tasks = draft("""二、主要任务

（一）压实责任

1. 甲项工作。（镇应急办牵头；以下均需各村负责，不再一一列出）

2. 乙项工作。（镇规建办负责）

3. 丙项工作。

（二）强化治理

4. 丁项工作。（镇应急办负责）
""", tmp_path)
    assert tasks[1]["lead_names"] == ["镇应急办"]  # the note's own task: not bound by it
    assert tasks[2]["lead_names"] == ["镇规建办"] and "lead" not in tasks[3]
    (note,) = plan["scope_notes"]
    assert note["text"] == "以下均需各村负责，不再一一列出"
    assert note["tasks"] == [tasks[2]["id"], tasks[3]["id"]]  # the later tasks of its section, not task 4
    assert [d for d in note["lead"]] and "以下均需各村负责" in " ".join(plan["todo"])


def test_department_sub_plan_tasks_numbered_like_sections(tmp_path):
    plan, tasks = draft("""二、建筑施工安全

（一）强化隐患排查。每月开展检查。

责任部门：区建管委

（二）推进专项整治。

三、燃气安全

（一）整治餐饮燃气。

牵头单位：区市场监管局

配合单位：各街镇
""", tmp_path)
    titles = [(a["number"], a["title"], [t["number"] for t in a["tasks"]]) for a in plan["actions"]]
    assert titles == [("二、", "建筑施工安全", [1, 2]), ("三、", "燃气安全", [1])]
    # the number as printed is kept beside its value
    assert [[t.get("number_text") for t in a["tasks"]] for a in plan["actions"]] == [["（一）", "（二）"], ["（一）"]]
    first = plan["actions"][0]["tasks"][0]
    assert first["text"] == "强化隐患排查。每月开展检查。"
    by_title = {t["text"]: t for t in tasks.values()}
    assert by_title["强化隐患排查。每月开展检查。"]["lead_names"] == ["区建管委"]
    assert by_title["整治餐饮燃气。"]["lead_names"] == ["区市场监管局"]
    assert by_title["整治餐饮燃气。"]["support_names"] == ["各街镇"]


def test_numbering_restarts_in_each_section(tmp_path):
    plan, tasks = draft("""二、重点任务

（一）甲类

1. 甲一。（镇应急办）

2. 甲二。（镇应急办）

（二）乙类

1. 乙一。（镇规建办）
""", tmp_path)
    assert [[t["number"] for t in a["tasks"]] for a in plan["actions"]] == [[1, 2], [1]]


def test_page_artefacts_are_dropped_and_cut_sentences_joined():
    text = "1. 健全机制。推动各部门\n\n— 3 —\n\n落实责任。\n\n- 4 -\n\n2. 开展行动。\n"
    assert join_page_breaks(text).split("\n")[0] == "1. 健全机制。推动各部门落实责任。"
    assert "2. 开展行动。" in join_page_breaks(text).split("\n")
    # a heading at a page end is not joined to the next page's first paragraph
    text = "二、主要任务\n\n— 5 —\n\n（一）压实责任\n"
    assert [x for x in join_page_breaks(text).split("\n") if x] == ["二、主要任务", "（一）压实责任"]


@pytest.mark.parametrize("words, lead, support", [
    ("牵头单位：镇安委办；配合单位：镇应急办、镇派出所", ["镇安委办"], ["镇应急办", "镇派出所"]),
    ("镇安委办/镇规建办", ["镇安委办", "镇规建办"], []),
    ("镇安委办牵头，镇属企业、各村居按职责配合", ["镇安委办"], ["镇属企业", "各村居"]),
    ("责任单位：各区管企业、区国资委", ["各区管企业", "区国资委"], []),
    ("区建管委（交通委）、区房管局", ["区建管委（交通委）", "区房管局"], []),
])
def test_units_with_no_registry(words, lead, support):
    reg = Registry(jurisdiction="x", create=True, categories=["other"])
    u = parse_units(words, reg)
    assert (names(reg, u["lead"]), names(reg, u["support"]), u["unknown"]) == (lead, support, [])


def test_prose_words_and_short_forms():
    reg = Registry(jurisdiction="x", create=True, categories=["other"])
    words, u = prose_units("加强治理。由镇应急办牵头，镇派出所配合，2024年底前完成。", reg)
    assert words == "由镇应急办牵头，镇派出所配合"
    assert names(reg, u["lead"]) == ["镇应急办"] and names(reg, u["support"]) == ["镇派出所"]
    assert short_forms("由镇应急管理办公室（以下简称“镇应急办”）负责") == {"镇应急办": "镇应急管理办公室"}
    reg.short_forms = {"镇应急办": "镇应急管理办公室"}
    ident = reg.add_draft("镇应急办")
    entry = reg.drafts[-1]
    assert entry["id"] == ident and entry["name"] == "镇应急管理办公室" and "镇应急办" in entry["short"]


@pytest.mark.parametrize("issuer, place", [
    ("松江区泖港镇人民政府", "泖港镇"), ("上海市普陀区安全生产委员会", "普陀区"),
    ("新密市青屏街街道办事处", "青屏街街道"), ("某区住房和城乡建设管理委员会", "某区"),
])
def test_jurisdiction_from_the_issuer(issuer, place):
    assert jurisdiction_name(issuer) == place
