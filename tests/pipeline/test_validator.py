"""The validator: the valid fixture passes, and each rule catches its own
mistake with file:line. One broken thing per case."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.pipeline.validate import check

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "data"
PLAN = "plans/demo-2024-2026.yaml"


@pytest.fixture
def data(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(FIXTURE, target)
    return target


def edit(data: Path, rel: str, old: str, new: str) -> None:
    path = data / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(data: Path, rel: str, needle: str | tuple[str, int]) -> int:
    """Line number of the (nth, default first) line holding needle."""
    needle, nth = needle if isinstance(needle, tuple) else (needle, 1)
    hits = [n for n, line in enumerate((data / rel).read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not in {rel}"
    return hits[nth - 1]


def test_valid_fixture_has_no_problems():
    corpus, problems = check(FIXTURE)
    assert problems == []
    assert len(corpus.plans) == 1 and corpus.plans[0].model is not None


# (case id, file, old text, new text, expected message part, text on the reported line)
CASES = [
    ("unknown-key", PLAN, "short_title:", "shorttitle:", "unknown key 'shorttitle'; did you mean 'short_title'?", "shorttitle:"),
    ("missing-required", PLAN, "issuer: 示例镇人民政府\n", "", "required key 'issuer' is missing", "id: demo-2024-2026"),
    ("wrong-type", PLAN, "number: 2\n", "number: two\n", "'number': must be a valid integer", "number: two"),
    ("number-text-not-the-number", PLAN, "number: 2\n", "number: 2\n        number_text: （三）\n", "number_text '（三）' does not stand for number 2", "number_text: （三）"),
    ("bad-id", PLAN, "id: demo-hazard-screening", "id: Demo_Hazard", "must be an id of lowercase letters", "Demo_Hazard"),
    ("impossible-date", PLAN, "issued: 2024-04-10", "issued: 2024-02-30", "must be a real date", "2024-02-30"),
    ("id-not-file-name", PLAN, "id: demo-2024-2026", "id: demo-2024", "must equal the file name", "id: demo-2024"),
    ("schema-comment", PLAN, "# yaml-language-server: $schema=../schema/plan.schema.json", "# hello", "the first line must be", "# hello"),
    ("duplicate-id-in-plan", PLAN, "id: demo-hazard-screening", "id: demo-party-responsibility", "is already used on line", ("id: demo-party-responsibility", 2)),
    ("unknown-department", PLAN, "support: [demo-paichusuo]\n        deadlines", "support: [demo-paichuso]\n        deadlines", "unknown department 'demo-paichuso'; did you mean 'demo-paichusuo'?", "support: [demo-paichuso]"),
    ("date-disagrees", PLAN, "{date: 2024-12-31, text: 2024 年底前}", "{date: 2024-12-30, text: 2024 年底前}", "'2024 年底前' means 2024-12-31, not 2024-12-30", "2024-12-30"),
    ("unknown-phrase", PLAN, "{date: 2024-12-31, text: 2024 年底前}", "{date: 2024-12-31, text: 2024 年底前，培树}", "is not a date phrase", "培树}"),
    ("outside-period", PLAN, "{date: 2024-12-31, text: 12 月}", "{date: 2027-12-31, text: 12 月}", "outside the plan's period", "2027-12-31"),
    ("deadline-words-not-in-text", PLAN, "{date: 2024-12-31, text: 2024 年底前}", "{date: 2025-12-31, text: 2025年底前}", "'2025年底前' is not in the text above it", "2025年底前"),
    ("annex-row-unknown-task", PLAN, "restates: [demo-party-responsibility]", "restates: [demo-party-responsibilty]", "is not a task of this plan; did you mean", "restates: [demo-party-responsibilty]"),
    ("text-not-verbatim", PLAN, "专题研究推进安全生产重大问题。2024", "专题研究推进安全生产重要问题。2024", "not in the source demo.txt as printed", "专题研究推进安全生产重要问题"),
    ("unknown-topic", PLAN, "topics: [hazard-screening]", "topics: [hazard-screenin]", "unknown topic 'hazard-screenin'; did you mean 'hazard-screening'?", "hazard-screenin]"),
    ("unknown-national-line", PLAN, "national: [local-responsibility]", "national: [local-responsibilty]", "unknown national line", "local-responsibilty"),
    ("recurrence-day", PLAN, "{every: month, day: 25,", "{every: month, day: 21,", "day 21 is not in the words", "day: 21"),
    ("bad-literal", PLAN, "{every: quarter, min_count: 1, text: 每季度至少召开一次会议}", "{every: quaterly, min_count: 1, text: 每季度至少召开一次会议}", "'every': must be 'week', 'half-month', 'month', 'quarter', 'half-year' or 'year'", "quaterly"),
    ("missing-source", PLAN, "source: demo.txt", "source: nowhere.txt", "does not exist", "source: nowhere.txt"),
    ("department-category", "departments/demo.yaml", "category: public-security", "category: police", "unknown category 'police'", "category: police"),
    ("department-prefix", "departments/demo.yaml", "id: demo-paichusuo", "id: paichusuo", "department ids here start with 'demo-'", "id: paichusuo"),
    ("department-name-twice", "departments/demo.yaml", "short: [派出所]", "short: [镇安委办]", "the name '镇安委办' is also used by", "id: demo-paichusuo"),
    ("not-verbatim-needs-note", PLAN, "        restates: [demo-party-responsibility]", "        restates: [demo-party-responsibility]\n        not_verbatim: [item]", "explain in 'note'", "not_verbatim"),
    ("missing-annex-has-rows", PLAN, "    year: 2024\n", "    year: 2024\n    included: false\n", "is marked 'included: false' but has 1 row(s)", "included: false"),
    ("department-of-other-jurisdiction", PLAN, "support: [demo-paichusuo]\n        deadlines", "support: [linzhen-anweiban]\n        deadlines", "belongs to the registry of 'linzhen', not to this plan's jurisdiction 'demo'", "support: [linzhen-anweiban]"),
    ("recurrence-period-month", PLAN, "{every: month, day: 25,", "{every: quarter, day: 25,", "say 每月 (every: month, interval: 1), not 每季度 (every: quarter", "every: quarter, day: 25"),
    ("recurrence-period-quarter", PLAN, "{every: quarter, min_count: 1, text: 每季度至少召开一次会议}", "{every: year, min_count: 1, text: 每季度至少召开一次会议}", "say 每季度 (every: quarter, interval: 1), not 每年", "text: 每季度至少召开一次会议}"),
    # the time phrases (scripts/model/phrases.py) and the year rule
    ("interval", PLAN, "{every: month, interval: 2, text: 每两个月", "{every: month, text: 每两个月",
     "say 每两个月 (every: month, interval: 2), not 每月 (every: month, interval: 1)", "text: 每两个月"),
    ("count", PLAN, "{every: quarter, min_count: 1, text: 每季度至少召开一次会议}", "{every: quarter, min_count: 2, text: 每季度至少召开一次会议}",
     "say 1 time(s) a period, not min_count 2", "min_count: 2, text: 每季度至少召开一次会议"),
    ("yearly-month", PLAN, "{every: year, month: 3,", "{every: year, month: 4,", "month 4 is not in the words", "every: year, month: 4"),
    ("yearly-month-missing", PLAN, "{every: year, month: 3,", "{every: year,", "name month 3: add 'month: 3'", "every: year, text: 每年3月底前"),
    ("no-period", PLAN, "{every: month, interval: 2, text: 每两个月开展一次联合检查}", "{every: month, interval: 2, text: 开展一次联合检查}",
     "name no period", "text: 开展一次联合检查"),
    ("yearless-with-another-year", PLAN, "{date: 2024-06-30, text: 6月底前}", "{date: 2024-06-30, text: 6月底前, year: 2025}",
     "'6月底前' means 2025-06-30 (the year 2025 from its 'year'), not 2024-06-30", "6月底前, year: 2025"),
    ("yearless-by-the-rule", PLAN, "{date: 2024-06-30, text: 6月底前}", "{date: 2025-06-30, text: 6月底前}",
     "'6月底前' means 2024-06-30 (the year 2024 from the plan's period.start), not 2025-06-30", "2025-06-30, text: 6月底前"),
    ("year-named-twice", PLAN, "{date: 2024-12-31, text: 2024 年底前}", "{date: 2024-12-31, text: 2024 年底前, year: 2024}",
     "names its year: remove 'year'", "text: 2024 年底前, year: 2024"),
    ("unrecorded-deadline", PLAN, "        deadlines:\n          - {date: 2024-06-30, text: 6月底前}\n", "",
     "'6月底前' is a deadline phrase no field records", "text: 加强防汛和燃气安全管理"),
    ("unrecorded-event", PLAN, "        events:\n          - {text: 汛期前完成排水设施检修}\n", "",
     "'汛期前' is an event phrase no field records", "text: 加强防汛和燃气安全管理"),
    ("unrecorded-recurrence", PLAN, "          - {every: year, month: 3, text: 每年3月底前报送上一年度工作总结}\n", "",
     "'每年3月底前' is a recurrence phrase no field records", "text: 加强防汛和燃气安全管理"),
    ("not-ongoing", PLAN, "{text: 常态化开展燃气隐患排查}", "{text: 开展燃气隐患排查}", "carries no ongoing word", "text: 开展燃气隐患排查}"),
    ("not-an-event", PLAN, "{text: 汛期前完成排水设施检修}", "{text: 完成排水设施检修}", "names no event", "text: 完成排水设施检修}"),
    ("event-date-needs-note", PLAN, "{text: 汛期前完成排水设施检修}", "{text: 汛期前完成排水设施检修, date: 2024-05-31}",
     "needs a 'note'", "date: 2024-05-31"),
    ("event-date-in-period", PLAN, "{text: 汛期前完成排水设施检修}", "{text: 汛期前完成排水设施检修, date: 2028-05-31, note: 按往年入汛日期}",
     "2028-05-31 is outside the plan's period", "date: 2028-05-31"),
    ("not-time-needs-note", PLAN, "        ongoing:\n          - {text: 常态化开展燃气隐患排查}\n",
     "        ongoing:\n          - {text: 常态化开展燃气隐患排查}\n        not_time: [上一年度]\n", "explain in 'note'", "not_time: [上一年度]"),
    ("not-time-words-in-text", PLAN, "        ongoing:\n          - {text: 常态化开展燃气隐患排查}\n",
     "        ongoing:\n          - {text: 常态化开展燃气隐患排查}\n        not_time: [2023年及以前]\n        note: x\n",
     "'2023年及以前' is not in the text above it", "not_time: [2023年及以前]"),
    ("ongoing-words-in-text", PLAN, "{text: 常态化开展燃气隐患排查}", "{text: 常态化开展消防隐患排查}",
     "'常态化开展消防隐患排查' is not in the text above it", "text: 常态化开展消防隐患排查}"),
    ("scope-note-unknown-task", PLAN, "\nactions:\n",
     "\nscope_notes:\n  - {text: 镇安委办, lead: [demo-anweiban], tasks: [demo-flood-ga]}\nactions:\n",
     "'demo-flood-ga' is not a task of this plan", "tasks: [demo-flood-ga]"),
    ("scope-note-unknown-department", PLAN, "\nactions:\n",
     "\nscope_notes:\n  - {text: 镇安委办, lead: [demo-anweiba], tasks: [demo-flood-gas]}\nactions:\n",
     "unknown department 'demo-anweiba'", "lead: [demo-anweiba]"),
    ("member-not-in-source", PLAN, "\nactions:\n", "\norganisation:\n  - id: demo-b-group\n    name: 领导小组\n    members:\n      - {role: 组长, person: 张三}\nactions:\n", "the name '张三' is not in the source demo.txt", "person: 张三"),
    ("markup-in-text", PLAN, "title: 示例镇安全生产治本攻坚三年行动实施方案", 'title: 示例镇<img src=x onerror="window.__xss=1">方案', "holds HTML markup ('<img…')", "title: 示例镇<img"),
]


@pytest.mark.parametrize("rel, old, new, message, line_text", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_reports_file_and_line(data, rel, old, new, message, line_text):
    assert_reported(data, rel, old, new, message, line_text)


def assert_reported(data: Path, rel: str, old: str, new: str, message: str, line_text) -> None:
    """One edit of the valid copy `data`: `make check` says `message` at the
    line of `line_text` in `rel` (also used by test_jurisdiction_rules.py)."""
    edit(data, rel, old, new)
    _, problems = check(data)
    expected_line = line_of(data, rel, line_text)
    matching = [p for p in problems if message in p.message]
    assert matching, f"no problem says {message!r}; got:\n" + "\n".join(map(str, problems))
    assert any(p.file.endswith(rel) and p.line == expected_line for p in matching), "\n".join(map(str, matching))


def test_ids_unique_across_plans(data):
    text = (data / PLAN).read_text(encoding="utf-8")
    other = text.replace("id: demo-2024-2026", "id: demo-copy").replace("demo-goal-2024", "demo-goal-x")
    other = other.replace("demo-a-responsibility", "demo-a-other").replace("demo-party-responsibility", "demo-other")
    other = other.replace("demo-s-mechanism", "demo-s-x").replace("demo-annex-2024", "demo-annex-x")
    (data / "plans" / "demo-copy.yaml").write_text(other, encoding="utf-8")
    _, problems = check(data)
    dupes = [p for p in problems if "is already used in data" in p.message or "is already used in" in p.message]
    assert any("demo-hazard-screening" in p.message for p in dupes), "\n".join(map(str, problems))


def test_previous_id_never_reused(data):
    edit(data, PLAN, "      - id: demo-hazard-screening\n", "      - id: demo-hazard-screening\n        previous_ids: [demo-party-responsibility]\n")
    _, problems = check(data)
    assert any("ids are never reused" in p.message for p in problems)


def test_all_problems_in_one_run(data):
    edit(data, PLAN, "{date: 2024-12-31, text: 2024 年底前}", "{date: 2024-12-30, text: 2024 年底前}")
    edit(data, PLAN, "topics: [hazard-screening]", "topics: [nope]")
    edit(data, "departments/demo.yaml", "category: public-security", "category: police")
    _, problems = check(data)
    assert len(problems) >= 3


def test_cli_exit_code_and_count(data, tmp_path):
    """`check` prints file:line:col lines and a count, exits 1, no traceback."""
    edit(data, PLAN, "topics: [hazard-screening]", "topics: [nope]")
    result = subprocess.run([sys.executable, "-m", "scripts", "--data", str(data), "check"],
                            cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "plans/demo-2024-2026.yaml:" in result.stdout
    assert "1 problem found" in result.stderr
