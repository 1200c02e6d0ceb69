"""The draft importer (`make import`), measured on the five curated plans.

Each source in data/sources/ is imported without help and compared with the
plan a person curated from it:

- tasks: a draft task with the same number and the same text (whitespace and
  ** ignored, as the validator compares);
- deadlines: (date, words) of each task's deadlines and each annex row's due;
- units: (lead|support, department id) of each task and annex row;
- also printed: titles, recurring duties (every, min_count, scope, day), and
  units again with the registries' `aliases` removed (so that spellings the
  curators added for these very documents do not help).

The accuracy table is printed whether or not pytest captures output, and each
measure is asserted above a floor set a little below what was measured.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from scripts.cli import main
from scripts.editor.importer.draft import build_draft
from scripts.editor.importer.text import squash
from scripts.model.models import SCHEMA_COMMENT
from scripts.pipeline.validate import check

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
PLANS = ["puxinglu-2024-2026", "maogang-2024-2026", "qingpingjie-2024-2026", "putuo-2022", "baoshan-gzw-2024-2026"]

# Floors, set from the measurement (in brackets) a little below it. puxinglu and
# baoshan print no units parenthesis at all: their curated lead/support were read
# from the prose by a person, which the importer does not attempt.
FLOORS = {
    #                        tasks  deadlines  units
    "puxinglu-2024-2026":    (0.95, 0.90, 0.0),   # [27/27, 8/8, 0/10]
    "maogang-2024-2026":     (0.95, 0.90, 0.95),  # [30/30, 33/33, 61/62]
    "qingpingjie-2024-2026": (0.95, 0.90, 0.95),  # [23/23, 15/15, 30/30]
    "putuo-2022":            (0.95, 0.90, 0.95),  # [50/50, 1/1, 264/264]
    "baoshan-gzw-2024-2026": (0.95, 0.90, 0.0),   # [11/11, 3/3, 0/1]
}
MAX_WRONG = 1  # deadlines or units the draft adds that the curated plan does not have, per plan
# (putuo tasks 1, 16 and 47 list their units after a '，' without 牵头/配合: the curated plan, as
# the importer, now reads them all as lead, as the audit of issue 11 found.)
WRONG_ALLOWED: dict[str, int] = {}


def _load(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _pairs(r: dict, skip: frozenset = frozenset()) -> Counter:
    return Counter([("lead", x) for x in r.get("lead", []) if x not in skip]
                   + [("support", x) for x in r.get("support", []) if x not in skip])


def _recs(t: dict) -> Counter:
    return Counter((x["every"], x.get("min_count", 1), x.get("scope"), x.get("day")) for x in t.get("recurrence", []))


def _dls(t: dict) -> Counter:
    return Counter((str(x["date"]), squash(x["text"])) for x in t.get("deadlines", []))


def measure(draft: dict, curated: dict) -> dict[str, list[int]]:
    """measure -> [right, curated total, drafted total]."""
    m = {k: [0, 0, 0] for k in ("tasks", "titles", "deadlines", "recurrence", "units")}

    def add(key: str, want: Counter, got: Counter) -> None:
        m[key][0] += sum((want & got).values())
        m[key][1] += sum(want.values())
        m[key][2] += sum(got.values())

    got_tasks = {t["number"]: t for a in draft["actions"] for t in a["tasks"]}
    want_tasks = {t["number"]: t for a in curated["actions"] for t in a["tasks"]}
    # units a scope note (以下均需各社区负责) makes responsible: which tasks a note governs is
    # the editor's reading (the draft proposes the later tasks of its section); left out of both
    scoped = frozenset(x for n in curated.get("scope_notes", []) for x in n.get("lead", []) + n.get("support", []))
    m["tasks"][2] = m["titles"][2] = len(got_tasks)
    for number, want in want_tasks.items():
        got = got_tasks.get(number, {})
        m["tasks"][1] += 1
        m["titles"][1] += 1
        m["tasks"][0] += bool(got) and squash(got["text"]) == squash(want["text"])
        m["titles"][0] += bool(got) and squash(got["title"]) == squash(want["title"])
        add("deadlines", _dls(want), _dls(got))
        add("recurrence", _recs(want), _recs(got))
        add("units", _pairs(want, scoped), _pairs(got, scoped))
    for number, got in got_tasks.items():  # tasks the curated plan does not have
        if number not in want_tasks:
            add("deadlines", Counter(), _dls(got))
            add("units", Counter(), _pairs(got, scoped))
    got_rows = {r["number"]: r for a in draft.get("annexes", []) for r in a.get("rows", [])}
    for annex in curated.get("annexes", []):
        for want in annex.get("rows", []):
            got = got_rows.get(want["number"], {})
            due = lambda r: Counter([(str(r["due"]["date"]), squash(r["due"]["text"]))] if r.get("due") else [])
            add("deadlines", due(want), due(got))
            add("units", _pairs(want), _pairs(got))
    return m


def _ratio(right: int, total: int) -> float | None:
    return right / total if total else None


@pytest.fixture(scope="module")
def no_alias_data(tmp_path_factory) -> Path:
    """A copy of data/ whose department registries have no `aliases`."""
    root = tmp_path_factory.mktemp("noalias") / "data"
    shutil.copytree(DATA, root)
    y = YAML()
    for path in (root / "departments").glob("*.yaml"):
        reg = y.load(path.read_text(encoding="utf-8"))
        for d in reg["departments"]:
            d.pop("aliases", None)
        with path.open("w", encoding="utf-8") as f:
            y.dump(reg, f)
    return root


@pytest.fixture(scope="module")
def results(no_alias_data) -> dict[str, dict]:
    out = {}
    for plan_id in PLANS:
        curated = _load(DATA / "plans" / f"{plan_id}.yaml")
        src = DATA / "sources" / curated["source"]
        draft, _ = build_draft(src, DATA, plan_id=f"{plan_id}-draft")
        m = measure(draft, curated)
        plain, _ = build_draft(src, no_alias_data, plan_id=f"{plan_id}-draft")
        m["units w/o aliases"] = measure(plain, curated)["units"]
        out[plan_id] = m
    return out


def table(results: dict[str, dict]) -> str:
    cols = ["tasks", "titles", "deadlines", "recurrence", "units", "units w/o aliases"]
    lines = ["importer accuracy on the five sources (right/curated, % ; +n = drafted but not in the curated plan)",
             f"{'plan':24}" + "".join(f"{c:>22}" for c in cols)]
    total = {c: [0, 0, 0] for c in cols}
    for plan_id, m in results.items():
        row = f"{plan_id:24}"
        for c in cols:
            right, want, got = m[c]
            for i, v in enumerate((right, want, got)):
                total[c][i] += v
            r = _ratio(right, want)
            extra = got - right
            cell = f"{right}/{want} " + (f"{r:4.0%}" if r is not None else "  - ") + (f" +{extra}" if extra else "")
            row += f"{cell:>22}"
        lines.append(row)
    row = f"{'all five':24}"
    for c in cols:
        right, want, got = total[c]
        cell = f"{right}/{want} {right / want:4.0%}" + (f" +{got - right}" if got - right else "")
        row += f"{cell:>22}"
    lines.append(row)
    return "\n".join(lines)


@pytest.mark.slow  # imports the five sources twice
def test_accuracy_table(results, capsys, record_property):
    text = table(results)
    record_property("importer_accuracy", text)
    with capsys.disabled():  # shown with or without -s
        print("\n" + text)
    assert len(results) == 5


@pytest.mark.slow  # imports the five sources twice
@pytest.mark.parametrize("plan_id", PLANS)
def test_accuracy_above_floor(results, plan_id):
    m = results[plan_id]
    for key, floor in zip(("tasks", "deadlines", "units"), FLOORS[plan_id]):
        right, want, got = m[key]
        if floor is None:
            assert want == 0, f"{plan_id}: {key} has no floor but the curated plan has {want}"
        else:
            assert want and right / want >= floor, f"{plan_id}: {key} {right}/{want} is below {floor:.0%}"
        if key != "tasks":
            allowed = WRONG_ALLOWED.get(plan_id, MAX_WRONG) if key == "units" else MAX_WRONG
            assert got - right <= allowed, f"{plan_id}: the draft has {got - right} {key} the curated plan has not"
    right, want, _ = m["units w/o aliases"]
    assert right >= m["units"][0] - 2, f"{plan_id}: without registry aliases only {right}/{want} units"


# --------------------------------------------------------------------------- #
# The drafts in `make check`
# --------------------------------------------------------------------------- #


@pytest.fixture
def data_copy(tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    return root


def test_drafts_list_what_they_still_need(data_copy, tmp_path):
    """Every source, copied outside data/ and imported under a new id, gives a draft
    that is valid data but never passes `make check`: every problem is a to-do of
    the draft (file:line), beginning with its `draft: true`."""
    for n, src in enumerate(sorted((DATA / "sources").glob("*.txt"))):
        outside = tmp_path / f"new-{src.name}"
        shutil.copyfile(src, outside)
        assert main(["--data", str(data_copy), "import", str(outside), "--id", f"draft-{n}"]) == 0
        assert (data_copy / "sources" / outside.name).is_file()  # the importer copied the source
    _, problems = check(data_copy)
    assert problems and all(p.todo for p in problems), "\n".join(str(p) for p in problems if not p.todo)
    files = {p.file for p in problems}
    assert not [f for f in files if "/plans/" in f and "/plans/draft-" not in f], files
    for n, _ in enumerate(sorted((DATA / "sources").glob("*.txt"))):
        assert any(p.file.endswith(f"/plans/draft-{n}.yaml") and "this plan is a draft" in p.message
                   for p in problems), n
    assert any("restates no task" in p.message for p in problems)  # annex rows still to link


def test_a_finished_draft_passes_check(data_copy):
    """Doing what `make check` lists finishes a draft: once the to-dos are done and
    the draft marks deleted, `make check` passes (after `make addresses`)."""
    from scripts.editor.addresses import update_registry
    from scripts.pipeline.load.corpus import load_corpus

    src = DATA / "sources" / "002_306b7c33c95e1e49.txt"  # a new jurisdiction, no registry yet
    assert main(["--data", str(data_copy), "import", str(src), "--id", "xinjie-2024-2026",
                 "--jurisdiction", "xinjie"]) == 0
    _, problems = check(data_copy)
    assert problems and all(p.todo for p in problems)
    files = {"/".join(p.file.split("/")[-2:]) for p in problems}
    assert files == {"plans/xinjie-2024-2026.yaml", "departments/xinjie.yaml"}, files
    # the review: every draft mark and to-do deleted (here without other edits)
    y = YAML()
    for path in (data_copy / "plans" / "xinjie-2024-2026.yaml", data_copy / "departments" / "xinjie.yaml"):
        doc = y.load(path.read_text(encoding="utf-8"))

        def undraft(node):
            if isinstance(node, dict):
                node.pop("draft", None)
                node.pop("todo", None)
                for v in node.values():
                    undraft(v)
            elif isinstance(node, list):
                for v in node:
                    undraft(v)
        undraft(doc)
        with path.open("w", encoding="utf-8") as f:
            y.dump(doc, f)
    _, problems = check(data_copy)
    assert [p.message for p in problems if not p.message.endswith("run `make addresses`")] == []
    update_registry(load_corpus(data_copy))
    _, problems = check(data_copy)
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.slow
def test_serve_previews_a_draft_with_a_banner_and_the_site_refuses_it(data_copy, tmp_path, capsys):
    """`make serve` generates the pages with the draft (a 草稿 banner on its page) and
    prints its to-dos; the build's check (and so `make site`) refuses it."""
    from scripts.pipeline.build.generation import generate

    src = DATA / "sources" / "004_0c398d711e8a7b8a.txt"
    assert main(["--data", str(data_copy), "import", str(src), "--id", "bsg-draft-2024-2026"]) == 0
    out = tmp_path / "docs"
    assert generate(quiet=True, data_dir=data_copy, out=out, drafts=True)
    page = (out / "plans" / "bsg-draft-2024-2026.md")
    page = page if page.exists() else out / "plans" / "bsg-draft-2024-2026" / "index.md"
    text = page.read_text(encoding="utf-8")
    assert "草稿" in text and "draft-banner" in text
    assert "to-do" in capsys.readouterr().err
    curated = (out / "plans" / "baoshan-gzw-2024-2026.md")
    curated = curated if curated.exists() else out / "plans" / "baoshan-gzw-2024-2026" / "index.md"
    assert "draft-banner" not in curated.read_text(encoding="utf-8")
    assert not generate(quiet=True, data_dir=data_copy, out=tmp_path / "docs2")


def test_a_named_unit_assigned_to_nobody_is_a_todo(data_copy):
    """A unit the responsibility words name but neither lead nor support lists is
    reported at the words' line (here: 区发改委 dropped from a curated task)."""
    path = data_copy / "plans" / "putuo-2022.yaml"
    text = path.read_text(encoding="utf-8")
    line = "        lead: [putuo-emergency, putuo-market, putuo-development-reform, "
    assert line in text
    path.write_text(text.replace(line, "        lead: [putuo-emergency, putuo-market, ", 1), encoding="utf-8")
    _, problems = check(data_copy)
    hits = [p for p in problems if "putuo-development-reform" in p.message and "neither lead nor support" in p.message]
    assert len(hits) == 1 and hits[0].todo and hits[0].file.endswith("putuo-2022.yaml")
    assert text.splitlines()[hits[0].line - 1].strip().startswith("units_text:")


def test_unknown_units_become_draft_registry_entries(data_copy):
    """With a registry that knows almost nothing, the units the plan names become
    draft entries of it (name as printed, guessed category, draft: true), so
    they map on the first import; `make check` lists each entry to review."""
    (data_copy / "departments" / "putuo.yaml").write_text(
        "jurisdiction: {id: putuo, name: 普陀区, level: 区}\n"
        "departments:\n"
        "  - {id: putuo-emergency, name: 上海市普陀区应急管理局, short: [区应急局], category: emergency-management}\n",
        encoding="utf-8")
    (data_copy / "plans" / "putuo-2022.yaml").unlink()  # its units are not in the stub registry
    src = DATA / "sources" / "003_c4cd3b509100f39c.txt"
    assert main(["--data", str(data_copy), "import", str(src), "--id", "putuo-draft"]) == 0
    reg = _load(data_copy / "departments" / "putuo.yaml")
    assert reg["departments"][0]["id"] == "putuo-emergency" and "draft" not in reg["departments"][0]
    drafts = {d["name"]: d for d in reg["departments"] if d.get("draft")}
    for name in ("区消防救援支队", "各街镇", "区建管委", "区人力资源保障局", "各区属国企"):
        assert name in drafts, name
    assert "区建管委（交通委）" not in drafts  # the same unit as 区建管委
    assert not [x for x in drafts if len(x) < 3], list(drafts)  # no fragments of wrapped cells
    assert drafts["区消防救援支队"]["category"] == "fire-rescue"
    assert drafts["各街镇"].get("group") is True
    plan = _load(data_copy / "plans" / "putuo-draft.yaml")
    assert plan["draft"] is True
    task1 = plan["actions"][0]["tasks"][0]
    assert task1["lead"][:3] == ["putuo-" + x for x in ()] + task1["lead"][:3]
    assert "putuo-emergency" in task1["lead"] and drafts["区委办"]["id"] in task1["lead"]
    _, problems = check(data_copy)
    problems = [p for p in problems if "addresses.txt" not in p.file]  # the stub dropped published departments
    assert problems and all(p.todo for p in problems), "\n".join(str(p) for p in problems if not p.todo)
    entry = [p for p in problems if p.file.endswith("departments/putuo.yaml")]
    assert len(entry) == len(drafts) and all("is a draft entry" in p.message for p in entry)


def test_no_registry_at_all(data_copy):
    """A jurisdiction with no registry: the import starts one (its id from
    JURISDICTION, its name and level from the issuer) with the units the plan
    names, and they map; the annex's units too."""
    src = DATA / "sources" / "003_c4cd3b509100f39c.txt"
    assert main(["--data", str(data_copy), "import", str(src), "--id", "xinqu-2022", "--jurisdiction", "xinqu"]) == 0
    reg = _load(data_copy / "departments" / "xinqu.yaml")
    assert reg["jurisdiction"] == {"id": "xinqu", "name": "普陀区", "level": "区"}
    assert reg["departments"] and all(d["draft"] and d["id"].startswith("xinqu-") for d in reg["departments"])
    names = {d["id"]: d["name"] for d in reg["departments"]}
    plan = _load(data_copy / "plans" / "xinqu-2022.yaml")
    tasks = [t for a in plan["actions"] for t in a["tasks"]]
    assert all(t.get("lead") for t in tasks if t.get("units_text"))
    assert sum(bool(t.get("units_text")) for t in tasks) >= 0.9 * len(tasks)
    assert [names[x] for x in tasks[0]["lead"]][:3] == ["区委办", "区府办", "区应急局"]
    rows = plan["annexes"][0]["rows"]
    assert sum(bool(r.get("lead")) for r in rows) >= 0.9 * len(rows)
    _, problems = check(data_copy)
    assert all(p.todo for p in problems), "\n".join(str(p) for p in problems if not p.todo)
    assert sum("is a draft entry" in p.message for p in problems) == len(reg["departments"])


# --------------------------------------------------------------------------- #
# The command and the draft's form
# --------------------------------------------------------------------------- #


def test_refuses_to_overwrite_unless_forced(data_copy, capsys):
    src = DATA / "sources" / "004_0c398d711e8a7b8a.txt"
    # the default id (<jurisdiction>-<period>) is the curated plan's: left alone
    before = (data_copy / "plans" / "baoshan-gzw-2024-2026.yaml").read_text(encoding="utf-8")
    assert main(["--data", str(data_copy), "import", str(src)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert (data_copy / "plans" / "baoshan-gzw-2024-2026.yaml").read_text(encoding="utf-8") == before
    assert main(["--data", str(data_copy), "import", str(src), "--id", "bsg-draft"]) == 0
    assert main(["--data", str(data_copy), "import", str(src), "--id", "bsg-draft"]) == 1
    assert main(["--data", str(data_copy), "import", str(src), "--id", "bsg-draft", "--force"]) == 0


def test_out_path_and_source_conflict(data_copy, tmp_path, capsys):
    src = DATA / "sources" / "002_306b7c33c95e1e49.txt"
    out = tmp_path / "qpj-draft.yaml"
    assert main(["--data", str(data_copy), "import", str(src), "--out", str(out)]) == 0
    assert _load(out)["id"] == "qpj-draft"
    assert not (data_copy / "plans" / "qpj-draft.yaml").exists()
    other = tmp_path / "002_306b7c33c95e1e49.txt"  # same name, other text
    other.write_text("（另一份原文）\n", encoding="utf-8")
    assert main(["--data", str(data_copy), "import", str(other), "--id", "x-draft"]) == 1
    assert "other content" in capsys.readouterr().err


def test_draft_form(data_copy):
    """Schema comment first, canonical `make fmt` style, stable ids that are
    hashes of titles (never positions), verbatim texts."""
    from scripts.editor.fmt import formatted

    src = DATA / "sources" / "001_433896294298e290.txt"
    assert main(["--data", str(data_copy), "import", str(src), "--id", "mg-draft"]) == 0
    path = data_copy / "plans" / "mg-draft.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_COMMENT
    assert "rename" in text.split("\nid:")[0]  # the header says ids may be renamed before publication
    assert formatted(text) == text
    plan = _load(path)
    task_ids = [t["id"] for a in plan["actions"] for t in a["tasks"]]
    ids = task_ids + [a["id"] for a in plan["actions"]]
    assert len(set(ids)) == len(ids)
    for a in plan["actions"]:
        for t in a["tasks"]:
            assert re.fullmatch(r"[a-z0-9]+-[0-9a-f]{6,}", t["id"]), t["id"]
            assert not t["id"].endswith(f"-{t['number']}") and not re.search(r"-t\d+$", t["id"])
    # stable: importing again gives the same ids
    assert main(["--data", str(data_copy), "import", str(src), "--id", "mg-draft", "--force"]) == 0
    again = _load(path)
    assert [t["id"] for a in again["actions"] for t in a["tasks"]] == task_ids
    # metadata read from the letterhead and notice
    assert plan["doc_number"] == "泖府字〔2024〕35号"
    assert plan["signer"] == "黄建春"
    assert str(plan["issued"]) == "2024-04-10"
    assert plan["period"] == {"start": 2024, "end": 2026}
    assert plan["jurisdiction"] == "maogang"
    annex = plan["annexes"][0]
    assert annex["year"] == 2024 and len(annex["rows"]) == 26
    row4 = annex["rows"][3]
    assert row4["due"] == {"date": row4["due"]["date"], "text": "4 月"} and str(row4["due"]["date"]) == "2024-04-30"
    assert row4["lead_text"] == "镇安委办" and row4["lead"] == ["maogang-anweiban"]


def test_deadline_and_recurrence_reading():
    from scripts.editor.importer.phrases import find_deadlines, find_recurrences

    dls, remarks = find_deadlines("2024 年底前完成；2025年底以前全覆盖；到2025年底前基本形成；2024年上半年开展；"
                                  "2024年6月底前建成；2023年及以前的存量；2028年底前完成", (2024, 2026))
    assert [(str(d["date"]), d["text"]) for d in dls] == [
        ("2024-12-31", "2024 年底前"), ("2025-12-31", "2025年底以前"), ("2025-12-31", "到2025年底前"),
        ("2024-06-30", "2024年上半年"), ("2024-06-30", "2024年6月底前")]
    assert any("2028年底前" in r for r in remarks)
    # words that name no year: the plan's first year, or the year the text printed before them
    dls, _ = find_deadlines("4月底前上报方案。2025年完成整治，其中6月底前完成排查。", (2024, 2026))
    assert dls == [{"date": dt.date(2024, 4, 30), "text": "4月底前"},
                   {"date": dt.date(2025, 12, 31), "text": "2025年"},
                   {"date": dt.date(2025, 6, 30), "text": "6月底前", "year": 2025}]
    recs = find_recurrences("主要负责人要每季度带队对本单位重大事故隐患排查整治情况至少开展1次检查（高危行业领域每月至少1次），"
                            "每半年开展一次进度评估，每月25日前向镇工作专班报送情况，每两个月通报一次。")
    assert recs == [
        {"every": "quarter", "min_count": 1, "text": "每季度带队对本单位重大事故隐患排查整治情况至少开展1次检查"},
        {"every": "month", "min_count": 1, "text": "高危行业领域每月至少1次", "scope": "高危行业领域"},
        {"every": "half-year", "min_count": 1, "text": "每半年开展一次进度评估"},
        {"every": "month", "min_count": 1, "day": 25, "text": "每月25日前向镇工作专班报送情况"},
        {"every": "month", "interval": 2, "min_count": 1, "text": "每两个月通报一次"},
    ]
