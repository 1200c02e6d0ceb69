"""The held-out plans (tests/fixtures/heldout) and the format fixtures (tests/fixtures/formats)
agree with their master texts: a typo in a gold file, a phrase the gold forgot, or a generated
file gone stale fails here instead of skewing the importer's accuracy figures.

Every check reads the fixture files themselves; nothing here knows how many plans there are.
"""

from __future__ import annotations

import calendar
import functools
import importlib.util
import re
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from docx import Document

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "fixtures" / "heldout"
FORMATS = ROOT / "tests" / "fixtures" / "formats"
GOLDS = sorted(HELDOUT.glob("*.gold.yaml"))

UNITS = {"week", "month", "quarter", "half-year", "year"}
TASK_KEYS = {"seq", "part", "section", "number", "text", "lead", "support", "leaders",
             "deadlines", "recurrence", "ongoing", "events"}
OPTIONAL_TASK_KEYS = {"not_time", "note"}
RESPONSIBILITY_WORDS = ("责任单位：", "牵头单位：", "配合单位：", "责任部门：", "牵头领导：")
# Every time expression of the forms the gold covers; each hit in a task's text must lie inside
# a phrase the gold records (deadline, recurrence, ongoing, event or not_time).
TIME_WORDS = re.compile(
    r"\d{4}年(?:第?[一二三四]季度|\d{1,2}月底前|底前|上半年|下半年)?|\d{1,2}月(?:底)?前|次年|年底前?|年内"
    r"|[上下]半年|[一二三四]季度末?|每(?:周|月|季度|半月|半年|年|[两三四六]个月)|常态化|长期坚持|持续推进"
    r"|全年|汛期[前内中后]?|春节|节假日|重大活动期间"
)
FOOTER = re.compile(r"^(?:— \d+ —|- \d+ -)$")
SENTENCE_END = "。；：）”"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def load(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        gold = yaml.safe_load(f)
    gold["_path"] = path
    gold["_master"] = (HELDOUT / gold["files"]["master"]).read_text(encoding="utf-8")
    return gold


@pytest.fixture(params=GOLDS, ids=lambda p: p.name.removesuffix(".gold.yaml"))
def gold(request) -> dict:
    return load(request.param)


def test_there_are_held_out_plans():
    assert len(GOLDS) >= 3


def master_paragraphs(master: str) -> list[str]:
    return [line for line in master.split("\n") if line.strip() and "\t" not in line]


def master_rows(master: str) -> list[list[str]]:
    return [line.split("\t") for line in master.split("\n") if "\t" in line]


def task_spans(gold: dict) -> list[tuple[int, int]]:
    """(start, end) of each task in the squashed master: from its number to the next task,
    or for the last task to the next part heading."""
    text = squash(gold["_master"])
    starts, pos = [], 0
    for task in gold["tasks"]:
        at = text.find(squash(task["number"] + task["text"]), pos)
        assert at >= 0, f"{gold['_path'].name}: task {task['seq']} ({task['number']}) not found in order in the master"
        starts.append(at)
        pos = at + 1
    parts = [squash(p["number"] + p["title"]) for p in gold["structure"]]
    last_part = next(p for p in gold["structure"] if p["number"] == gold["tasks"][-1]["part"])
    after = parts[gold["structure"].index(last_part) + 1:]
    end = min([i for i in (text.find(p, starts[-1]) for p in after) if i >= 0] or [len(text)])
    ends = starts[1:] + [end]
    return list(zip(starts, ends))


# ------------------------------------------------------------------ gold file shape

def test_gold_shape(gold):
    name = gold["_path"].name
    plan = gold["plan"]
    assert plan["id"] == name.removesuffix(".gold.yaml")
    date.fromisoformat(plan["issued"])
    assert plan["period"]["start"] <= plan["period"]["end"]
    for kind, file in gold["files"].items():
        assert (HELDOUT / file).is_file(), f"{name}: files.{kind} {file} missing"
    assert 15 <= len(gold["tasks"]) <= 40
    assert [t["seq"] for t in gold["tasks"]] == list(range(1, len(gold["tasks"]) + 1))
    for task in gold["tasks"]:
        where = f"{name} task {task['seq']}"
        assert TASK_KEYS <= task.keys() <= TASK_KEYS | OPTIONAL_TASK_KEYS, where
        for key in ("lead", "support", "leaders", "ongoing", "events"):
            assert isinstance(task[key], list), f"{where}: {key}"
        for d in task["deadlines"]:
            assert set(d) <= {"text", "date", "inferred"}, where
            date.fromisoformat(d["date"])
            assert d.get("inferred", False) in (True, False), where
        for r in task["recurrence"]:
            assert set(r) <= {"text", "unit", "interval", "count", "by"}, where
            assert r["unit"] in UNITS, where
            assert isinstance(r["interval"], int) and r["interval"] >= 1, where
            assert isinstance(r["count"], int) and r["count"] >= 1, where
            if "by" in r:
                month, day = r["by"].get("month", 1), r["by"]["day"]
                assert 1 <= day <= calendar.monthrange(2024, month)[1], where


def test_dates_agree_with_the_phrase(gold):
    """An explicit year, month or quarter fixes the date; a phrase without its own year
    (or a bare year) is marked inferred and falls in the plan's period (次年: the year after)."""
    period = gold["plan"]["period"]
    for task in gold["tasks"]:
        for d in task["deadlines"]:
            where = f"{gold['_path'].name} task {task['seq']} {d['text']}"
            day = date.fromisoformat(d["date"])
            phrase = d["text"]
            m = re.fullmatch(r"(\d{4})年(?:(\d{1,2})月底前|底前|第([一二三四])季度|上半年)?", phrase)
            if m:
                year = int(m[1])
                month = int(m[2]) if m[2] else 3 * "一二三四".index(m[3]) + 3 if m[3] else 6 if phrase.endswith("上半年") else 12
                assert day == date(year, month, calendar.monthrange(year, month)[1]), where
                bare = phrase == f"{year}年"
                assert d.get("inferred", False) is bare, where
            else:
                assert d.get("inferred") is True, where
                last = period["end"] + (1 if phrase.startswith("次年") else 0)
                assert period["start"] <= day.year <= last, where


FREQUENCY = {"每周": ("week", 1, 1), "每半月": ("month", 1, 2), "每月": ("month", 1, 1),
             "每两个月": ("month", 2, 1), "每季度": ("quarter", 1, 1), "每半年": ("half-year", 1, 1),
             "每年": ("year", 1, 1)}


def test_recurrence_agrees_with_its_phrase(gold):
    """Unit and interval follow from the frequency word (每半月 counts 2 a month); a count
    printed in the phrase itself (至少1次, 至少两次) must be the gold count."""
    for task in gold["tasks"]:
        for r in task["recurrence"]:
            where = f"{gold['_path'].name} task {task['seq']} {r['text']}"
            word = max((w for w in FREQUENCY if r["text"].startswith(w)), key=len)
            unit, interval, per_half = FREQUENCY[word]
            assert (r["unit"], r["interval"]) == (unit, interval), where
            m = re.search(r"(\d+|一|两|二|三)次", r["text"])
            if m:
                n = {"一": 1, "两": 2, "二": 2, "三": 3}.get(m[1]) or int(m[1])
                assert r["count"] == n * per_half, where
            elif per_half == 2:
                assert r["count"] % 2 == 0, where
            if "by" in r:
                assert re.search(r"(\d+)月底前", r["text"])[1] == str(r["by"]["month"]), where


# ------------------------------------------------------------------ gold against the master

def test_metadata_is_printed(gold):
    plan, master = gold["plan"], gold["_master"]
    paragraphs = [p.strip() for p in master_paragraphs(master)]
    assert plan["title"] in paragraphs
    assert plan["doc_number"] in paragraphs
    assert plan["issuer"] in paragraphs
    issued = date.fromisoformat(plan["issued"])
    assert f"{issued.year}年{issued.month}月{issued.day}日" in paragraphs
    if plan["signer"]:
        assert f"签发人：{plan['signer']}" in paragraphs
    else:
        assert "签发人" not in master


def test_task_numbers_and_texts_are_verbatim_and_whole(gold):
    """Each task's number and text are printed, in order, and the text is the whole paragraph
    but for a trailing parenthesis of units (which the text must not contain)."""
    paragraphs = [squash(p) for p in master_paragraphs(gold["_master"])]
    task_spans(gold)  # in order
    for task in gold["tasks"]:
        where = f"{gold['_path'].name} task {task['seq']}"
        head = squash(task["number"] + task["text"])
        found = [p for p in paragraphs if p.startswith(head)]
        assert found, f"{where}: no paragraph starts with its number and text"
        rest = found[0][len(head):]
        assert rest == "" or (rest.startswith("（") and rest.endswith("）")), f"{where}: text stops short: {rest[:30]}"
        assert not any(word in task["text"] for word in RESPONSIBILITY_WORDS), f"{where}: units left in the text"


def occurrences(text: str, phrase: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(phrase), text)]


def test_phrases_are_in_their_task_text(gold):
    for task in gold["tasks"]:
        text = squash(task["text"])
        phrases = ([d["text"] for d in task["deadlines"]] + [r["text"] for r in task["recurrence"]]
                   + task["ongoing"] + task["events"] + task.get("not_time", []))
        for phrase in set(phrases):
            have = len(occurrences(text, squash(phrase)))
            want = phrases.count(phrase)
            assert have >= want, f"{gold['_path'].name} task {task['seq']}: {phrase!r} printed {have}×, gold lists {want}×"


def test_every_time_word_is_accounted_for(gold):
    """A date, period, frequency, ongoing or event word in a task's text that no gold phrase
    covers is a phrase the gold forgot."""
    for task in gold["tasks"]:
        text = squash(task["text"])
        covered = set()
        phrases = ([d["text"] for d in task["deadlines"]] + [r["text"] for r in task["recurrence"]]
                   + task["ongoing"] + task["events"] + task.get("not_time", []))
        for phrase in phrases:
            for at in occurrences(text, squash(phrase)):
                covered.update(range(at, at + len(squash(phrase))))
        for m in TIME_WORDS.finditer(text):
            assert set(range(m.start(), m.end())) <= covered, (
                f"{gold['_path'].name} task {task['seq']}: {m.group()!r} is in no gold phrase")


def registry(gold: dict) -> dict[str, str]:
    forms = {}
    for unit in gold["units"]:
        assert unit["name"] in unit["forms"]
        for form in unit["forms"]:
            assert form not in forms, f"{gold['_path'].name}: {form} registered twice"
            forms[form] = unit["name"]
    return forms


def test_unit_registry_is_printed(gold):
    master = squash(gold["_master"])
    for form in registry(gold):
        assert form in master, f"{gold['_path'].name}: unit form {form} is not printed"


def unit_mentions(segment: str, forms: list[str]) -> list[str]:
    """Registered unit forms printed in a segment, longest match first, no overlaps."""
    found, taken = [], set()
    for form in sorted(forms, key=len, reverse=True):
        for at in occurrences(segment, form):
            span = set(range(at, at + len(form)))
            if not span & taken:
                taken |= span
                found.append(form)
    return found


def test_units_and_leaders_match_their_task(gold):
    """The units named for a task (parenthesis, lines after it, or a 由…牵头 sentence) are
    exactly its lead and support, plus those a scope note hands down."""
    forms = registry(gold)
    text = squash(gold["_master"])
    inherited: dict[int, set[str]] = {}
    notes = {n["task"]: squash(n["text"]) for n in gold.get("scope_notes") or []}
    for note in gold.get("scope_notes") or []:
        for seq in note["applies_to"]:
            inherited.setdefault(seq, set()).update(note["units"])
    for task, (start, end) in zip(gold["tasks"], task_spans(gold)):
        where = f"{gold['_path'].name} task {task['seq']}"
        body = squash(task["number"] + task["text"])
        segment = text[start + len(body):end]
        segment = segment.replace(notes.get(task["seq"], "\0"), "")
        prose = "".join(re.findall(r"由[^。]*?牵头[^。]*?配合。", squash(task["text"])))
        named = set(unit_mentions(segment + prose, list(forms)))
        for name in task["lead"] + task["support"]:
            assert name in forms, f"{where}: {name} is not in the unit registry"
        assert not set(task["lead"]) & set(task["support"]), where
        assert named == set(task["lead"] + task["support"]) - inherited.get(task["seq"], set()), (
            f"{where}: printed {sorted(named)}, gold {sorted(task['lead'] + task['support'])}")
        for name in inherited.get(task["seq"], set()):
            assert name in task["lead"] + task["support"], f"{where}: scope note unit {name} missing"
        for leader in task["leaders"]:
            assert squash(leader) in segment, f"{where}: leader {leader} not printed with the task"
        assert bool(task["leaders"]) == ("牵头领导：" in segment), f"{where}: 牵头领导 printed but not in gold"


def test_structure_headings_and_task_order(gold):
    paragraphs = [p.strip() for p in master_paragraphs(gold["_master"])]
    listed = []
    for part in gold["structure"]:
        assert part["number"] + part["title"] in paragraphs, f"{gold['_path'].name}: part {part['number']}"
        for task_number in part.get("tasks", []):
            listed.append((part["number"], None, task_number))
        for section in part.get("sections", []):
            heading = section["number"] + section["title"]
            assert heading in paragraphs, f"{gold['_path'].name}: section {heading}"
            listed.extend((part["number"], section["number"], n) for n in section["tasks"])
    assert listed == [(t["part"], t["section"], t["number"]) for t in gold["tasks"]]


def test_annex_rows_match_the_table(gold):
    annex = gold.get("annex")
    rows = master_rows(gold["_master"])
    if annex is None:
        assert not rows
        return
    header, data = rows[0], rows[1:]
    assert header == annex["columns"]
    assert squash(annex["title"]) in [squash(p) for p in master_paragraphs(gold["_master"])]
    col = {name: header.index(name) for name in ("序号", "工作任务", "责任单位", "配合单位", "完成时限")}
    forms = registry(gold)
    assert len(data) == len(annex["rows"])
    for cells, row in zip(data, annex["rows"]):
        where = f"{gold['_path'].name} annex row {row['number']}"
        assert cells[col["序号"]] == str(row["number"]), where
        assert cells[col["工作任务"]] == row["task"], where
        assert cells[col["责任单位"]] == "、".join(row["lead"]), where
        assert cells[col["配合单位"]] == "、".join(row["support"]), where
        assert cells[col["完成时限"]] == row["due"]["text"], where
        assert all(name in forms for name in row["lead"] + row["support"]), where
        if row["due"]["date"] is None:
            assert row["due"].get("event") or row["due"].get("ongoing"), where
        else:
            date.fromisoformat(row["due"]["date"])


# ------------------------------------------------------------------ the generated files

def docx_content(path: Path) -> list[str | list[list[str]]]:
    """The document body in order: a paragraph's text, or a table as rows of cell texts."""
    content: list[str | list[list[str]]] = []
    for item in Document(str(path)).iter_inner_content():
        if hasattr(item, "rows"):
            rows = []
            for row in item.rows:
                cells, seen = [], set()
                for cell in row.cells:  # a merged cell comes back once per grid column
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        cells.append(cell.text)
                rows.append(cells)
            content.append(rows)
        elif item.text.strip():
            content.append(item.text)
    return content


def flat(content: list[str | list[list[str]]]) -> str:
    return "".join(item if isinstance(item, str) else "".join("".join(r) for r in item) for item in content)


def has_page_field(path: Path) -> bool:
    doc = Document(str(path))
    footer = doc.sections[0].footer._element.xml
    return "PAGE" in footer and "fldChar" in footer


def test_docx_has_the_master_paragraphs_and_table(gold):
    docx = HELDOUT / gold["files"]["docx"]
    content = docx_content(docx)
    assert [item for item in content if isinstance(item, str)] == master_paragraphs(gold["_master"])
    rows = master_rows(gold["_master"])
    assert [item for item in content if not isinstance(item, str)] == ([rows] if rows else [])
    assert squash(flat(content)) == squash(gold["_master"])  # and in the master's order
    assert has_page_field(docx)


def pdf_pages(path: Path) -> int:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def footers_inside_table(lines: list[str], footers: list[int]) -> list[int]:
    table = [i for i, line in enumerate(lines) if "\t" in line]
    return [i for i in footers if table and table[0] < i < table[-1]]


def test_extracted_txt_is_the_master_with_page_artefacts(gold):
    """The .txt holds the master's characters in order once footers and repeated table header
    rows are taken out, and it has the artefacts: a footer per PDF page, numbered 1.., a
    paragraph cut by a page end, and the header row again on each page the table runs onto."""
    lines = (HELDOUT / gold["files"]["txt"]).read_text(encoding="utf-8").split("\n")
    rows = master_rows(gold["_master"])
    header = "\t".join(rows[0]) if rows else None
    kept, footers, repeats = [], [], 0
    for i, line in enumerate(lines):
        if FOOTER.match(line):
            footers.append(i)
        elif header is not None and line == header and header in kept:
            repeats += 1
        else:
            kept.append(line)
    assert squash("\n".join(kept)) == squash(gold["_master"])
    numbers = [int(re.search(r"\d+", lines[i]).group()) for i in footers]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) == pdf_pages(HELDOUT / gold["files"]["pdf"])
    before = [lines[i - 2] for i in footers[:-1]]  # the last text line of each page but the last
    assert any(line and "\t" not in line and line[-1] not in SENTENCE_END for line in before), (
        "no paragraph runs over a page end")
    assert repeats == len(footers_inside_table(lines, footers)), "a page inside the table lacks the header row"


def test_some_annex_table_runs_over_a_page():
    inside = []
    for gold in map(load, GOLDS):
        lines = (HELDOUT / gold["files"]["txt"]).read_text(encoding="utf-8").split("\n")
        inside += footers_inside_table(lines, [i for i, line in enumerate(lines) if FOOTER.match(line)])
    assert inside


# ------------------------------------------------------------------ real seeds as DOCX and PDF

@functools.cache
def seed_plans() -> dict[str, Path]:
    """{format fixture id: seed text}, as the generator lists them."""
    spec = importlib.util.spec_from_file_location("make_fixtures", ROOT / "tests" / "fixtures" / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return {plan.id: plan.master for plan in module.SEEDS}


def test_every_format_fixture_has_its_seed():
    seeds = seed_plans()
    docx = {p.stem for p in FORMATS.glob("*.docx")}
    assert docx == set(seeds) and len(docx) >= 2
    assert {p.stem for p in FORMATS.glob("*.pdf")} == docx


@pytest.mark.parametrize("plan_id", sorted(seed_plans()))
def test_seed_docx_keeps_the_seed_text(plan_id):
    """Same characters in the same order as the seed, but for whitespace (the seeds' page-break
    blank lines) and the header rows the seed repeats at page tops (Word repeats them itself)."""
    seed = seed_plans()[plan_id].read_text(encoding="utf-8")
    rows = [line for line in seed.split("\n") if "\t" in line]
    seed_lines, header_seen = [], False
    for line in seed.split("\n"):
        if rows and line == rows[0]:
            if header_seen:
                continue
            header_seen = True
        seed_lines.append(line)
    content = docx_content(FORMATS / f"{plan_id}.docx")
    assert sum(not isinstance(item, str) for item in content) == 1
    assert squash(flat(content)) == squash("".join(seed_lines))
    assert has_page_field(FORMATS / f"{plan_id}.docx")
    assert pdf_pages(FORMATS / f"{plan_id}.pdf") >= 2
