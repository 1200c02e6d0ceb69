"""Downloads open in the programs cadres use: every XLSX download, opened by
LibreOffice Calc (headless, Debian's libreoffice-calc-nogui), holds the same
rows as its CSV; every ICS download, expanded as a calendar program does
(recurring-ical-events), falls due on exactly the dates the site's pages
list for that plan or unit."""

from __future__ import annotations

import calendar
import collections
import csv
import datetime as dt
import html
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urljoin

import pytest
import recurring_ical_events
from icalendar import Calendar

pytestmark = pytest.mark.long(18)

UID_SUFFIX = "@anquan-zhiben-gongjian"
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1"  # comma, double quote, UTF-8, from row 1


@pytest.fixture(scope="module")
def dataset(built_site):
    return json.loads((built_site / "data" / "plans.json").read_text(encoding="utf-8"))


def read_csv_text(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.slow  # starts LibreOffice
def test_every_xlsx_opens_in_libreoffice_with_the_csv_rows(built_site, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is required: apt-get install libreoffice-calc-nogui (.ci/run installs it)"
    sheets = sorted(built_site.glob("downloads/**/*.xlsx"))
    assert sheets
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    names = {}
    for path in sheets:  # plans/x.xlsx and departments/x.xlsx may share a name
        name = "__".join(path.relative_to(built_site / "downloads").parts)
        (inbox / name).symlink_to(path)
        names[name] = path
    r = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
         "--convert-to", CSV_FILTER, "--outdir", str(out), *sorted(str(inbox / n) for n in names)],
        capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stderr
    differ = []
    for name, path in names.items():
        converted = out / (Path(name).stem + ".csv")
        assert converted.exists(), f"LibreOffice could not open {path.relative_to(built_site)}: {r.stdout[-500:]} {r.stderr[-500:]}"
        calc = read_csv_text(converted.read_text(encoding="utf-8"))
        ours = read_csv_text(path.with_suffix(".csv").read_text(encoding="utf-8-sig"))
        if calc != ours:
            row = next((i for i, (a, b) in enumerate(zip(calc, ours)) if a != b), min(len(calc), len(ours)))
            differ.append(f"{path.relative_to(built_site)}: row {row + 1}: "
                          f"Calc {calc[row] if row < len(calc) else None} != CSV {ours[row] if row < len(ours) else None}")
    assert not differ, "\n".join(differ[:10])


# --------------------------------------------------------------------------- #
# Calendars
# --------------------------------------------------------------------------- #

DATE = r"(\d{4}-\d{2}-\d{2})"


def listed_plan_deadlines(page: str) -> dict[str, dt.date]:
    """A plan page's timeline: row id (due-…) -> the date it shows."""
    rows = re.finditer(rf'<tr id="(due-[^"]+)" class="tl-entry[^"]*"><td[^>]*class="tl-date">{DATE}', page)
    return {m.group(1): dt.date.fromisoformat(m.group(2)) for m in rows}


def listed_unit_deadlines(page: str) -> list[dt.date]:
    """A department page's list of deadlines: the dates it shows."""
    blocks = "".join(re.findall(r'<ul class="dep-deadlines">(.*?)</ul>', page, re.S))  # one list a year
    return sorted(dt.date.fromisoformat(d) for d in re.findall(rf'<span class="tl-date">{DATE}', blocks))


class RecurringPage:
    """timeline/recurring/<area>/: for each duty (its row id, every-…), its period
    and due point in words (“每两个月”, “每月20日前”, “每年3月底前”, “每半月15日和月末”),
    the first and last date it falls due (“首次 …，末次 …”), and the task or
    section it comes from."""

    def __init__(self, text: str, here: str = "timeline/recurring/"):
        self.duties: dict[str, tuple[str, dt.date, dt.date, str]] = {}
        row = re.compile(r'<tr id="(every-[^"]+)"><td><a [^>]*>([^<]*)</a>.*?</td><td>.*?</td>'
                         rf'<td class="due">首次 <time datetime="{DATE}">.*?末次 <time datetime="{DATE}">.*?</td>'
                         r'<td>.*?<a href="([^"]+)"', re.S)
        for m in row.finditer(text):
            source = urljoin("http://s/" + here, html.unescape(m.group(5)))[len("http://s/"):]
            self.duties[m.group(1)] = (m.group(2), dt.date.fromisoformat(m.group(3)), dt.date.fromisoformat(m.group(4)), source)

    def due_dates(self, duty: str) -> list[dt.date]:
        """The dates the words and the first and last date listed mean: from
        the first, one period after another (on the day the words name, else
        the month's last day), up to the last."""
        label, first, last, _ = self.duties[duty]
        m = re.match(r"每(?P<n>[两三四五六七八九十\d]*)(?P<unit>周|半月|个月|月|个季度|季度|半年|年)(?P<due>.*?)至少\d+次$", label)
        assert m, f"{duty}: the period is not in words: {label}"
        n = {"": 1, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}.get(m.group("n")) or int(m.group("n"))
        unit = m.group("unit")
        out = []
        if unit == "周":
            day = first
            while day <= last:
                out.append(day)
                day += dt.timedelta(days=7 * n)
        elif unit == "半月":
            day = first
            while day <= last:
                out.append(day)
                end = calendar.monthrange(day.year, day.month)[1]
                day = day.replace(day=end) if day.day == 15 else (day + dt.timedelta(days=1)).replace(day=15)
        else:
            span = n * {"月": 1, "个月": 1, "季度": 3, "个季度": 3, "半年": 6, "年": 12}[unit]
            day_words = re.search(r"(?<!月)(\d+)日前", m.group("due")) or re.search(r"月(\d+)日前", m.group("due"))
            k = 0
            while True:
                months = first.year * 12 + first.month - 1 + k * span
                y, mo = divmod(months, 12)
                end = calendar.monthrange(y, mo + 1)[1]
                due = dt.date(y, mo + 1, min(int(day_words.group(1)), end) if day_words else end)
                if due > last:
                    break
                out.append(due)
                k += 1
        assert out and out[-1] == last, f"{duty}: {label} from {first} never falls on {last}"
        return out


def expand(path: Path, first: dt.date, last: dt.date) -> dict[str, list[dt.date]]:
    """UID (without its suffix) -> every date the calendar's event falls due
    between `first` and `last`, as a calendar program expands it."""
    cal = Calendar.from_ical(path.read_bytes())
    out: dict[str, list[dt.date]] = collections.defaultdict(list)
    for event in recurring_ical_events.of(cal).between(first, last + dt.timedelta(days=1)):
        start = event["DTSTART"].dt
        assert isinstance(start, dt.date) and not isinstance(start, dt.datetime), "all-day events"
        out[str(event["UID"]).removesuffix(UID_SUFFIX)].append(start)
    return {uid: sorted(dates) for uid, dates in out.items()}


def plan_window(plan: dict) -> tuple[dt.date, dt.date]:
    """The plan's period, from its issue when it was issued within it."""
    first = dt.date(plan["period"]["start"], 1, 1)
    issued = dt.date.fromisoformat(plan["issued"]) if plan.get("issued") else None
    if issued and first < issued <= dt.date(plan["period"]["end"], 12, 31):
        first = issued
    return first, dt.date(plan["period"]["end"], 12, 31)


@pytest.fixture(scope="module")
def recurring(built_site, dataset) -> RecurringPage:
    """The recurring duties of every area's page (the duties are split by
    jurisdiction area: plans.json lists the pages)."""
    pages = RecurringPage("")
    for area in dataset["recurring"]:
        text = (built_site / area["url"] / "index.html").read_text(encoding="utf-8")
        pages.duties.update(RecurringPage(text, area["url"]).duties)
    return pages


def test_plan_calendars_fall_due_on_the_listed_dates(built_site, dataset, recurring):
    checked_recurring = 0
    for plan in dataset["plans"]:
        first, last = plan_window(plan)
        everything = expand(built_site / plan["downloads"]["ics"], dt.date(1900, 1, 1), dt.date(2999, 12, 31))
        page = (built_site / plan["url"] / "index.html").read_text(encoding="utf-8")
        dated = {uid: dates for uid, dates in everything.items() if uid.startswith("due-")}
        assert dated == {uid: [d] for uid, d in listed_plan_deadlines(page).items()}, plan["id"]
        repeating = {uid: dates for uid, dates in everything.items() if uid.startswith("every-")}
        listed = {duty for duty, (*_, source) in recurring.duties.items() if source.startswith(plan["url"])}
        assert set(repeating) == listed, plan["id"]
        for duty, dates in repeating.items():
            assert dates == recurring.due_dates(duty), f"{plan['id']} {duty}"
            # within the plan's period (a duty for each year due in the next year: a year later)
            assert first <= dates[0] and dates[-1] <= last.replace(year=last.year + 1), f"{plan['id']} {duty}"
            checked_recurring += 1
        assert set(everything) == set(dated) | set(repeating)
    assert checked_recurring, "no recurring duty in any plan"


def test_unit_calendars_fall_due_on_the_listed_dates(built_site, dataset, recurring):
    checked = recurring_checked = 0
    for unit in dataset["departments"]:
        page = (built_site / unit["url"] / "index.html").read_text(encoding="utf-8")
        events = expand(built_site / unit["downloads"]["ics"], dt.date(1900, 1, 1), dt.date(2999, 12, 31))
        dated = sorted(d for uid, dates in events.items() if uid.startswith("due-") for d in dates)
        assert dated == listed_unit_deadlines(page), unit["id"]
        # its recurring duties: those its page lists under 周期性要求
        section = re.search(r'<h2 id="recurring".*?(?=<h2 |</article>)', page, re.S)
        expected = set(re.findall(r'<tr id="(every-[^"]+)"', section.group(0))) if section else set()
        repeating = {uid: dates for uid, dates in events.items() if uid.startswith("every-")}
        assert set(repeating) == expected, unit["id"]
        for duty, dates in repeating.items():
            assert dates == recurring.due_dates(duty), f"{unit['id']} {duty}"
            recurring_checked += 1
        checked += bool(events)
    assert checked and recurring_checked, "no unit has dated or recurring duties"
