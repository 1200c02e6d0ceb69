"""Take-away formats: each plan's and each department's task list as CSV and
XLSX, and its deadlines as an iCalendar file (RFC 5545).

Only formatting happens here; what goes in a list (tasks, dates, units, the
recurrence rules) is computed in the enrich stage. Every file is byte-for-byte
reproducible from the data and NOW (no build clock inside), so a rebuild
rewrites only the files whose content changed.

Columns: the five of the annex task lists first (序号, 任务, 时间节点, 责任单位,
配合单位), then what a list taken away needs besides (周期性要求, 持续性要求,
节点性要求, 计划, 行动, 任务原文, 站内地址; a department's list also 本单位角色
and 原编号). A date the plan does not print whole carries the same words as
on the site (年份按方案年度推定, 仅写年份，按年底计, 日期由编者补注).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..enrich.site import Site
from ..enrich.views import DepartmentView, PlanView, TaskView
from . import progress_sheet

BASE_COLUMNS = ["序号", "任务", "时间节点", "责任单位", "配合单位"]
TIME_COLUMNS = ["周期性要求", "持续性要求", "节点性要求"]
PLAN_COLUMNS = BASE_COLUMNS + TIME_COLUMNS + ["计划", "行动", "任务原文", "站内地址"]
DEPARTMENT_COLUMNS = BASE_COLUMNS + ["本单位角色", *TIME_COLUMNS, "计划", "行动", "原编号", "任务原文", "站内地址"]
PRODID = "-//安全生产治本攻坚行动计划参考站//任务时间节点//ZH"


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    inputs: list[str] = field(default_factory=list)  # columns a unit fills in (progress_sheet.py)


def _names(deps) -> str:
    return "、".join(d.display for d in deps)


def _date_text(d) -> str:
    """6月底前（2024-06-30，年份按方案年度推定）"""
    note = f"，{d.inferred_label}" if d.inferred_label else ""
    return f"{d.data.text.strip()}（{d.date.isoformat()}{note}）"


def _deadlines_text(deadlines) -> str:
    return "；".join(_date_text(d) for d in deadlines)


def _ongoing_text(items) -> str:
    return "；".join(o.data.text for o in items)


def _events_text(events) -> str:
    return "；".join(_date_text(e) if e.dated else f"{e.data.text}（未定日期）" for e in events)


def _recurrence_text(recs) -> str:
    out = []
    for r in recs:
        s = r.label
        if r.data.scope:
            s += f"（{r.data.scope}）"
        out.append(f"{s}：{r.data.text}")
    return "；".join(out)


def _lead_text(t: TaskView) -> str:
    if t.lead:
        return _names(t.lead)
    if t.data.by_duty:
        return "按职责分工负责"
    return ""


def plan_table(plan: PlanView) -> Table:
    rows = []
    for t in plan.tasks:
        rows.append([
            str(t.data.number),
            t.data.title,
            _deadlines_text(t.deadlines),
            _lead_text(t),
            _names(t.support),
            _recurrence_text(t.recurrence),
            _ongoing_text(t.ongoing),
            _events_text(t.events),
            plan.data.short_title,
            f"{t.action.data.number}{t.action.data.title}",
            t.data.text,
            t.url,
        ])
    table = Table(f"{plan.data.short_title} 任务清单", list(PLAN_COLUMNS), rows)
    progress_sheet.add_plan_progress(table, plan.tasks)
    return table


def department_table(dep: DepartmentView) -> Table:
    """Every task it leads or supports, then the annex rows naming it that
    restate none of those tasks."""
    rows = []
    tasks = dep.tasks
    items: list = list(tasks)
    for t in tasks:
        rows.append([
            str(len(rows) + 1),
            t.data.title,
            _deadlines_text(t.deadlines),
            _lead_text(t),
            _names(t.support),
            dep.role_in(t),
            _recurrence_text(t.recurrence),
            _ongoing_text(t.ongoing),
            _events_text(t.events),
            t.plan.data.short_title,
            f"{t.action.data.number}{t.action.data.title}",
            f"第{t.data.number}项",
            t.data.text,
            t.url,
        ])
    for r in dep.annex_rows:
        if any(x in tasks for x in r.restates):
            continue
        items.append(r)
        d = r.data
        rows.append([
            str(len(rows) + 1),
            d.item or d.task or d.category or "",
            _deadlines_text([r.due]) if r.due else "",
            _names(r.lead) or (d.lead_text or ""),
            _names(r.support) or (d.support_text or ""),
            "牵头" if dep in r.lead else "配合",
            "",
            "",
            "",
            r.plan.data.short_title,
            r.annex.title,
            f"附件第{d.number}项",
            "；".join(x for x in (d.task, d.requirement) if x),
            r.url,
        ])
    table = Table(f"{dep.data.name} 任务清单", list(DEPARTMENT_COLUMNS), rows)
    progress_sheet.add_department_progress(table, items, dep.data.id)
    return table


# --------------------------------------------------------------------------- #
# CSV and XLSX
# --------------------------------------------------------------------------- #


def csv_bytes(table: Table) -> bytes:
    """UTF-8 with a byte-order mark (so that Excel reads the Chinese text),
    CRLF line ends (RFC 4180)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(table.columns)
    w.writerows(table.rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


_WIDTHS = {"序号": 6, "任务": 36, "时间节点": 22, "责任单位": 22, "配合单位": 22, "本单位角色": 8,
           "周期性要求": 30, "持续性要求": 30, "节点性要求": 30, "计划": 18, "行动": 24, "原编号": 10, "任务原文": 80, "站内地址": 40}


def xlsx_bytes(table: Table, stamp: dt.date) -> bytes:
    """One sheet 任务清单, header frozen and filterable, printing on A4
    landscape with the header repeated on every page.

    Written directly as SpreadsheetML (a handful of fixed XML parts and one
    sheet of inline strings) rather than through openpyxl, which took about
    10 ms a file: minutes for the tens of thousands of departments of a
    province. The archive is reproducible: fixed entry times and document
    dates (NOW), parts in a fixed order."""
    when = dt.datetime(stamp.year, stamp.month, stamp.day)
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    ncols, nrows = len(table.columns), len(table.rows) + 1
    last = f"{_col(ncols)}{nrows}"
    inputs = {i for i, name in enumerate(table.columns, 1) if name in table.inputs}
    rows = [_xlsx_row(1, table.columns, style=1, numbers=False)]
    rows += [_xlsx_row(i, row, style=2, numbers=True, inputs=inputs) for i, row in enumerate(table.rows, 2)]
    widths = {**_WIDTHS, **progress_sheet.WIDTHS}
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{widths.get(name, 16)}" customWidth="1"/>'
        for i, name in enumerate(table.columns, 1)
    )
    sheet = (
        f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
        f'<cols>{cols}</cols><sheetData>{"".join(rows)}</sheetData>'
        f'<autoFilter ref="A1:{last}"/>'
        f"{progress_sheet.validations(table.columns, nrows, _col) if table.inputs else ''}"
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        '<pageSetup orientation="landscape" paperSize="9" fitToHeight="0" fitToWidth="1"/>'
        "</worksheet>"
    )
    sheet_name = "任务清单"
    workbook = (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/>'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets>'
        "<definedNames>"
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">\'{sheet_name}\'!$A$1:${_col(ncols)}${nrows}</definedName>'
        f"<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"0\">'{sheet_name}'!$1:$1</definedName>"
        "</definedNames><calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>"
    )
    core = (
        f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_xml_text(table.title)}</dc:title><dc:creator>{_xml_text(CREATOR)}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{iso}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{iso}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    parts = [
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("docProps/app.xml", _APP),
        ("docProps/core.xml", core),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ("xl/styles.xml", _STYLES),
        ("xl/worksheets/sheet1.xml", sheet),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts:
            zi = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, content.encode("utf-8"))
    return out.getvalue()


CREATOR = "安全生产治本攻坚行动计划参考站"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_APP = (
    f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    f"<Application>{CREATOR}</Application></Properties>"
)
# cell styles: 0 plain, 1 header (bold), 2 body (wrapped, top-aligned), 3 a cell to fill in (shaded)
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b val="1"/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFF2CC"/><bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _col(n: int) -> str:
    """1 -> A, 27 -> AA."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _xml_text(s: str) -> str:
    return _NOT_XML.sub("", s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xlsx_row(r: int, values: list[str], style: int, numbers: bool, inputs: set[int] = frozenset()) -> str:
    cells = []
    for i, v in enumerate(values, 1):
        ref = f"{_col(i)}{r}"
        s = 3 if i in inputs else style
        if numbers and i == 1 and v.isdigit():
            cells.append(f'<c r="{ref}" s="{s}"><v>{int(v)}</v></c>')
        elif v:
            cells.append(f'<c r="{ref}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{_xml_text(v)}</t></is></c>')
        else:
            cells.append(f'<c r="{ref}" s="{s}"/>')
    return f'<row r="{r}">{"".join(cells)}</row>'


# --------------------------------------------------------------------------- #
# iCalendar
# --------------------------------------------------------------------------- #


def _uid(anchor: str) -> str:
    return f"{anchor}@anquan-zhiben-gongjian"


def _description(owner, extra: str = "") -> str:
    lines = []
    if extra:
        lines.append(extra)
    text = getattr(owner.data, "text", None)
    if text:
        lines.append(text)
    lead = getattr(owner, "lead", [])
    support = getattr(owner, "support", [])
    if lead:
        lines.append("责任单位：" + _names(lead))
    if support:
        lines.append("配合单位：" + _names(support))
    lines.append(f"计划：{owner.plan.data.title}")
    lines.append(f"站内地址：{owner.url}")
    return "\n".join(lines)


def ics_bytes(name: str, deadlines, recurrences, stamp: dt.date) -> bytes:
    """A calendar: each dated deadline an all-day event on its date, each
    recurring duty an all-day event repeating by RRULE until the end of its
    plan's period. UIDs derive from ids, so that a plan's and a department's
    calendar name the same deadline alike.

    Written directly as RFC 5545 text (content lines escaped and folded at
    75 octets) rather than through the icalendar package, which took a fifth
    of a province's build; tests read the files back with icalendar."""
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{_ics_text(PRODID)}", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", f"X-WR-CALNAME:{_ics_text(name)}",
    ]
    dtstamp = f"{stamp:%Y%m%d}T000000Z"

    def event(uid: str, start: dt.date, summary: str, description: str, category: str, rrule: str = "") -> None:
        lines.extend([
            "BEGIN:VEVENT",
            f"SUMMARY:{_ics_text(summary)}",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{start + dt.timedelta(days=1):%Y%m%d}",
            f"DTSTAMP:{dtstamp}",
            f"UID:{_ics_text(uid)}",
            *([f"RRULE:{rrule}"] if rrule else []),
            f"CATEGORIES:{_ics_text(category)}",
            f"DESCRIPTION:{_ics_text(description)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ])

    for d in deadlines:
        event(
            _uid(d.anchor), d.date, f"【{d.data.text.strip()}】{d.plan.data.short_title} {d.label}",
            _description(d.owner, f"{'节点性要求' if d.editor_dated else '时间节点'}：{_date_text(d)}"), d.kind_label,
        )
    for r in recurrences:
        scope = f"（{r.data.scope}）" if r.data.scope else ""
        event(
            _uid(r.anchor), r.first_due, f"【{r.label}{scope}】{r.plan.data.short_title} {r.title}",
            _description(r.owner, f"周期性要求：{r.data.text}"), "周期性要求", _rrule(r.rrule),
        )
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines).encode("utf-8")


def _ics_text(s: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and line breaks
    escaped (3.3.11)."""
    s = s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return s.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


_RRULE_ORDER = ("freq", "until", "count", "interval", "byday", "bymonthday", "bymonth")


def _rrule(parts: dict) -> str:
    """RRULE value from its parts (RecurrenceView.rrule, enrich/views.py), in the
    order RFC 5545 examples use."""
    def value(v) -> str:
        if isinstance(v, list):
            return ",".join(map(str, v))
        return f"{v:%Y%m%d}" if isinstance(v, dt.date) else str(v).upper()

    return ";".join(f"{k.upper()}={value(parts[k])}" for k in _RRULE_ORDER if k in parts)


def _fold(line: str, limit: int = 75) -> str:
    """Fold a content line: no line longer than `limit` octets (UTF-8),
    continuation lines starting with a space (3.1); never inside a
    character or right after an escaping backslash. (Cut in the UTF-8
    bytes: a province's calendars hold hundreds of thousands of lines.)"""
    data = line.encode("utf-8")
    if len(data) <= limit:
        return line
    out, pos, room = [], 0, limit
    while len(data) - pos > room:
        end = pos + room
        while data[end] & 0xC0 == 0x80:  # inside a character: cut before it
            end -= 1
        if data[end - 1] == 0x5C and end - 1 > pos:  # a backslash goes with what it escapes
            end -= 1
        out.append(data[pos:end])
        pos, room = end, limit - 1  # continuation lines start with a space
    out.append(data[pos:])
    return b"\r\n ".join(out).decode("utf-8")


# --------------------------------------------------------------------------- #
# All files
# --------------------------------------------------------------------------- #


def files(site: Site, xlsx=None) -> Iterator[tuple[str, bytes]]:
    """(path under the site root, content) for every plan and department,
    one file at a time (a province's downloads are gigabytes). `xlsx`:
    xlsx_bytes or a stand-in (the build's keeps results between builds)."""
    for _, _, make in jobs(site, xlsx):
        yield from make()


def jobs(site: Site, xlsx=None) -> list[tuple[str, dict, Callable[[], list[tuple[str, bytes]]]]]:
    """The downloads as jobs: (name, context, make), `make()` giving the
    files (path under the site root, content) of one plan or department."""
    xlsx = xlsx or xlsx_bytes

    def plan_files(p: PlanView) -> list[tuple[str, bytes]]:
        table = plan_table(p)
        return [(p.downloads["csv"], csv_bytes(table)), (p.downloads["xlsx"], xlsx(table, site.now)),
                (p.downloads["ics"], ics_bytes(p.data.short_title, p.deadlines, p.recurrences, site.now))]

    def department_files(d: DepartmentView) -> list[tuple[str, bytes]]:
        table = department_table(d)
        return [(d.downloads["csv"], csv_bytes(table)), (d.downloads["xlsx"], xlsx(table, site.now)),
                (d.downloads["ics"], ics_bytes(f"{d.jurisdiction.name} {d.data.name}", d.deadlines, d.recurrences,
                                               site.now))]

    out = [(f"downloads:plan:{p.data.id}", {"plan": p}, functools.partial(plan_files, p)) for p in site.plans]
    out += [(f"downloads:department:{d.data.id}", {"dep": d}, functools.partial(department_files, d))
            for d in site.departments.values()]
    return out
