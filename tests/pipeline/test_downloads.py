"""Take-away formats of the real build: each plan's and each department's task
list as CSV and XLSX, and its deadlines as ICS, parsed back (csv, openpyxl,
icalendar) and compared with the published data; plus the formatting
functions on a small corpus."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from scripts.pipeline.enrich import enrich
from scripts.pipeline.render import downloads

BASE = ["序号", "任务", "时间节点", "责任单位", "配合单位"]
NOW = dt.date(2024, 10, 15)


@pytest.fixture(scope="module")
def dataset(built_site):
    return json.loads((built_site / "data" / "plans.json").read_text(encoding="utf-8"))


def read_csv(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV for Excel starts with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def read_xlsx(path) -> list[list[str]]:
    wb = load_workbook(path, read_only=True)
    ws = wb["任务清单"]
    return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]


def read_ics(path) -> list:
    cal = Calendar.from_ical(path.read_bytes())
    assert str(cal["VERSION"]) == "2.0" and cal.get("PRODID")
    return list(cal.walk("VEVENT"))


def tasks_of(plan):
    return [t for a in plan["actions"] for t in a["tasks"]]


def test_plan_task_lists(built_site, dataset):
    for plan in dataset["plans"]:
        rows = read_csv(built_site / plan["downloads"]["csv"])
        assert rows[0][:5] == BASE, "the annex task-list columns come first"
        tasks = tasks_of(plan)
        body = rows[1:]
        assert len(body) == len(tasks)
        col = {name: i for i, name in enumerate(rows[0])}
        for row, t in zip(body, tasks):
            assert row[col["序号"]] == str(t["number"])
            assert row[col["任务"]] == t["title"]
            assert row[col["任务原文"]] == t["text"]
            assert row[col["站内地址"]] == t["url"]
            for d in t["deadlines"]:
                assert d["date"] in row[col["时间节点"]] and d["text"].strip() in row[col["时间节点"]]
            lead_ids = {u["id"] for u in t["lead"]}
            names = row[col["责任单位"]].split("、") if row[col["责任单位"]] else []
            if t["lead"]:
                assert len(names) == len(lead_ids)
            elif t["by_duty"]:
                assert row[col["责任单位"]] == "按职责分工负责"
            else:
                assert names == []
            assert (row[col["配合单位"]] == "") == (not t["support"])
            for r in t["recurrence"]:
                assert r["text"] in row[col["周期性要求"]]
        # the XLSX holds the same table
        xrows = read_xlsx(built_site / plan["downloads"]["xlsx"])
        assert xrows == rows


def test_plan_calendars(built_site, dataset):
    for plan in dataset["plans"]:
        events = read_ics(built_site / plan["downloads"]["ics"])
        by_uid = {str(e["UID"]): e for e in events}
        assert len(by_uid) == len(events), "UIDs are unique"
        for t in tasks_of(plan):
            for i, d in enumerate(t["deadlines"], 1):
                e = by_uid[f"due-{t['id']}-{i}@anquan-zhiben-gongjian"]
                start = e["DTSTART"].dt
                assert start == dt.date.fromisoformat(d["date"]) and not isinstance(start, dt.datetime)
                assert e["DTEND"].dt == start + dt.timedelta(days=1)
                assert "RRULE" not in e
                assert t["title"] in str(e["SUMMARY"])
                assert t["url"] in str(e["DESCRIPTION"])
            for i, r in enumerate(t["recurrence"], 1):
                e = by_uid[f"every-{t['id']}-{i}@anquan-zhiben-gongjian"]
                rule = e["RRULE"]
                months = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}.get(r["every"], 0) * r["interval"]
                if r["every"] == "week":
                    assert rule["FREQ"] == ["WEEKLY"] and rule.get("INTERVAL") == ([r["interval"]] if r["interval"] > 1 else None)
                elif r["every"] == "half-month":
                    assert rule["FREQ"] == ["MONTHLY"] and rule["BYMONTHDAY"] == [15, -1] and "INTERVAL" not in rule
                elif months % 12 == 0:  # whole years: yearly, in the month it falls due
                    assert rule["FREQ"] == ["YEARLY"] and rule["BYMONTH"] == [r.get("month", 12)]
                    assert rule.get("INTERVAL") == ([months // 12] if months > 12 else None)
                    assert rule["BYMONTHDAY"] == [r.get("day", -1)]
                else:
                    assert rule["FREQ"] == ["MONTHLY"] and rule.get("INTERVAL") == ([months] if months > 1 else None)
                    assert rule["BYMONTHDAY"] == [r.get("day", -1)]
                until = rule["UNTIL"][0]
                end = plan["period"]["end"] + (1 if r.get("next_year") else 0)
                assert until == (dt.date(end, 12, 31) if not r.get("next_year") else dt.date.fromisoformat(r["last_due"]))
                start = e["DTSTART"].dt
                assert start == dt.date.fromisoformat(r["first_due"])
                assert dt.date(plan["period"]["start"], 1, 1) <= start <= until <= dt.date(end, 12, 31)
                if r.get("day"):
                    assert start.day == r["day"]
                assert r["text"] in str(e["DESCRIPTION"])
        recurring = [e for e in events if "RRULE" in e]
        n_rec = sum(len(t["recurrence"]) for t in tasks_of(plan)) + sum(len(s.get("recurrence", [])) for s in plan["sections"])
        assert len(recurring) == n_rec
        dated = [e for e in events if "RRULE" not in e]
        n_task_dates = sum(len(t["deadlines"]) for t in tasks_of(plan))
        n_goal_dates = sum(len(g["deadlines"]) for g in plan["goals"])
        assert len(dated) >= n_task_dates + n_goal_dates


def test_department_task_lists_and_calendars(built_site, dataset):
    roles: dict[str, dict[str, str]] = {}
    task_by_url = {}
    for plan in dataset["plans"]:
        for t in tasks_of(plan):
            task_by_url[t["url"]] = t
            for u in t["support"]:
                roles.setdefault(u["id"], {})[t["url"]] = "配合"
            for u in t["lead"]:
                roles.setdefault(u["id"], {})[t["url"]] = "牵头"
    checked = 0
    for dep in dataset["departments"]:
        rows = read_csv(built_site / dep["downloads"]["csv"])
        assert rows[0][:5] == BASE
        col = {name: i for i, name in enumerate(rows[0])}
        listed = {r[col["站内地址"]]: r for r in rows[1:] if "#" in r[col["站内地址"]]}
        expected = roles.get(dep["id"], {})
        for url, role in expected.items():
            assert url in listed, f"{dep['id']}: {url} missing from its list"
            assert listed[url][col["本单位角色"]] == role
        assert [r[col["序号"]] for r in rows[1:]] == [str(i) for i in range(1, len(rows))]
        assert read_xlsx(built_site / dep["downloads"]["xlsx"]) == rows
        events = read_ics(built_site / dep["downloads"]["ics"])
        uids = {str(e["UID"]) for e in events}
        for url in expected:
            t = task_by_url[url]
            for i, _ in enumerate(t["deadlines"], 1):
                assert f"due-{t['id']}-{i}@anquan-zhiben-gongjian" in uids
            for i, _ in enumerate(t["recurrence"], 1):
                assert f"every-{t['id']}-{i}@anquan-zhiben-gongjian" in uids
        checked += bool(expected)
    assert checked, "no department has tasks"


# --------------------------------------------------------------------------- #
# The formatting functions on a small corpus
# --------------------------------------------------------------------------- #


@pytest.fixture
def small_site():
    from test_views import make_corpus, two_plans

    return enrich(make_corpus(two_plans()), now=NOW)


def test_files_are_reproducible(small_site):
    first = dict(downloads.files(small_site))
    second = dict(downloads.files(small_site))
    assert first.keys() == second.keys()
    assert all(first[k] == second[k] for k in first), "the same data gives the same bytes"
    assert "downloads/plans/aa-2024-2026.xlsx" in first and "downloads/departments/aa-idle.ics" in first


def test_small_plan_table_and_calendar(small_site):
    plan = small_site.plans[0]
    table = downloads.plan_table(plan)
    assert table.columns[:5] == BASE
    assert [r[0] for r in table.rows] == ["1", "2", "3", "4"]
    assert table.rows[0][2] == "2024年底前（2024-12-31）"
    assert table.rows[0][3] == "甲镇应急办" and table.rows[0][4] == "消防站"
    cal = Calendar.from_ical(downloads.ics_bytes("x", plan.deadlines, plan.recurrences, NOW))
    events = {str(e["UID"]).split("@")[0]: e for e in cal.walk("VEVENT")}
    # the annex row restating aa-t1 on the same date is not a second event;
    # the annex row with a date of its own is
    assert "due-aa-annex-1-1" not in events and "due-aa-annex-2-1" in events
    assert events["due-aa-annex-2-1"]["DTSTART"].dt == dt.date(2024, 11, 30)
    quarterly = events["every-aa-t2-1"]
    assert quarterly["DTSTART"].dt == dt.date(2024, 6, 30)
    rule = quarterly["RRULE"].to_ical().decode()
    assert sorted(rule.split(";")) == ["BYMONTHDAY=-1", "FREQ=MONTHLY", "INTERVAL=3", "UNTIL=20261231"]
    assert events["due-aa-g1-1"]["DTSTART"].dt == dt.date(2024, 12, 31)


def test_small_department_table(small_site):
    fire = small_site.departments["aa-fire"]
    table = downloads.department_table(fire)
    col = {n: i for i, n in enumerate(table.columns)}
    got = [(r[col["原编号"]], r[col["本单位角色"]]) for r in table.rows]
    # its tasks in plan order, then the annex row naming it (restating none of them)
    assert got == [("第1项", "配合"), ("第2项", "牵头"), ("第3项", "牵头"), ("附件第2项", "牵头")]
    assert table.rows[-1][2] == "11月（2024-11-30，年份按清单年度）"  # the annex's year: words in the list too
    wb = load_workbook(io.BytesIO(downloads.xlsx_bytes(table, NOW)))
    ws = wb["任务清单"]
    assert [c.value for c in ws[1]] == table.columns
    assert ws.freeze_panes == "A2" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    assert [ws.cell(row=i + 2, column=2).value for i in range(len(table.rows))] == [r[1] for r in table.rows]


def _reference_ics(name, deadlines, recurrences, stamp) -> bytes:
    """The calendar as the icalendar package writes it (how ics_bytes was
    first written): the files must read back the same."""
    from icalendar import Event, vRecur

    cal = Calendar()
    for key, value in [("prodid", downloads.PRODID), ("version", "2.0"), ("calscale", "GREGORIAN"),
                       ("method", "PUBLISH"), ("x-wr-calname", name)]:
        cal.add(key, value)
    dtstamp = dt.datetime(stamp.year, stamp.month, stamp.day, tzinfo=dt.timezone.utc)
    for owner, uid, start, summary, description, category, rule in (
        [(d, d.anchor, d.date, f"【{d.data.text.strip()}】{d.plan.data.short_title} {d.label}",
          downloads._description(d.owner, f"{'节点性要求' if d.editor_dated else '时间节点'}：{downloads._date_text(d)}"),
          d.kind_label, None)
         for d in deadlines]
        + [(r, r.anchor, r.first_due,
            f"【{r.label}{'（' + r.data.scope + '）' if r.data.scope else ''}】{r.plan.data.short_title} {r.title}",
            downloads._description(r.owner, f"周期性要求：{r.data.text}"), "周期性要求", r.rrule)
           for r in recurrences]
    ):
        ev = Event()
        ev.add("uid", downloads._uid(uid))
        ev.add("dtstamp", dtstamp)
        ev.add("dtstart", start)
        ev.add("dtend", start + dt.timedelta(days=1))
        if rule:
            ev.add("rrule", vRecur(rule))
        ev.add("summary", summary)
        ev.add("description", description)
        ev.add("categories", [category])
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return cal.to_ical()


def _parsed(data: bytes) -> list[dict]:
    cal = Calendar.from_ical(data)
    out = [{k: cal[k].to_ical() for k in ("PRODID", "VERSION", "CALSCALE", "METHOD", "X-WR-CALNAME")}]
    for e in cal.walk("VEVENT"):
        out.append({k: e[k].to_ical() for k in sorted(e.keys())})
    return out


def test_calendars_read_back_as_icalendar_writes_them(small_site):
    """Every calendar of a two-plan corpus, read back with icalendar, holds
    exactly what icalendar itself would have written."""
    owners = [(p.data.short_title, p) for p in small_site.plans]
    owners += [(d.data.name, d) for d in small_site.departments.values()]
    checked = 0
    for name, o in owners:
        ours = downloads.ics_bytes(name, o.deadlines, o.recurrences, NOW)
        assert _parsed(ours) == _parsed(_reference_ics(name, o.deadlines, o.recurrences, NOW)), name
        checked += len(o.deadlines) + len(o.recurrences)
    assert checked > 10


def test_calendar_lines_are_escaped_and_folded():
    long = "第一行，带逗号；分号\\反斜杠\n第二行" + "很长的文字" * 40
    line = f"DESCRIPTION:{downloads._ics_text(long)}"
    folded = downloads._fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 3 and all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    cal = Calendar.from_ical(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n" + folded + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert str(next(iter(cal.walk("VEVENT")))["DESCRIPTION"]) == long
