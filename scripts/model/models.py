"""Typed models of the authored data: the one source of the data format.

Every field here is typed by a person in a YAML file under `data/`. The JSON
Schema in `data/schema/` is generated from these models (`make schema`) and a
test fails when it drifts. Fields computed by the pipeline live in
`scripts/pipeline/enrich/` (listed at the top of its `__init__.py`), never
here.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Id = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="Fixed identifier: lowercase ASCII letters, digits and hyphens. "
        "Never derived from position, never reused.",
    ),
]
Text = Annotated[str, Field(min_length=1)]

# Line 1 of every plan file: points editors at the JSON Schema (checked by
# the validator, written by `make new-plan` and `make import`).
SCHEMA_COMMENT = "# yaml-language-server: $schema=../schema/plan.schema.json"


class Strict(BaseModel):
    """Every model: unknown keys refused, and values read as the editor's JSON
    Schema reads them (tests/model/test_schema_agrees.py), no more loosely:
    strict types ("2024" is not the number 2024, a date with a time is not a
    date, yes is not a boolean), except what JSON Schema itself accepts: a
    date written as text ('2024-04-10') and a whole number written 1.0."""

    model_config = ConfigDict(extra="forbid", frozen=False, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _as_json_schema_reads(cls, data):
        if not isinstance(data, dict):
            return data
        changed = {}
        for name, info in cls.model_fields.items():
            value = data.get(name)
            kinds = _kinds(info.annotation)
            if isinstance(value, str) and dt.date in kinds and _ISO_DATE.fullmatch(value):
                try:
                    changed[name] = dt.date.fromisoformat(value)
                except ValueError:
                    pass  # not a real date: strict validation says so
            elif isinstance(value, float) and int in kinds and value.is_integer():
                changed[name] = int(value)
        return {**data, **changed} if changed else data


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _kinds(annotation) -> set:
    """The plain types an annotation admits (date | None -> {date, NoneType})."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is Annotated:
        return _kinds(args[0])
    if args and typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return set().union(*(_kinds(a) for a in args))
    return {annotation}


# --------------------------------------------------------------------------- #
# Drafts (`make import`): marks that a review removes. `make check` lists each
# one as a to-do (scripts/pipeline/validate/drafts.py), so a draft never
# passes it; `make serve` previews a draft plan with a 草稿 banner.
# --------------------------------------------------------------------------- #

DraftFlag = Annotated[bool, Field(
    description="Written by `make import`: not reviewed yet. Delete it once every to-do is done.")]
ToDo = Annotated[list[Text], Field(
    default_factory=list, description="What a review still has to do here (written by `make import`); "
    "delete each entry once done.")]


# --------------------------------------------------------------------------- #
# Shared registries
# --------------------------------------------------------------------------- #


class Category(Strict):
    """A cross-jurisdiction line of work (应急管理, 消防救援, 公安 ...)."""

    id: Id
    name: Text
    description: str | None = None


class CategoryRegistry(Strict):
    categories: list[Category]


class Topic(Strict):
    """A sector or theme that tasks are tagged with (消防, 燃气 ...)."""

    id: Id
    name: Text
    description: str | None = None


class TopicRegistry(Strict):
    topics: list[Topic]


class Department(Strict):
    """A unit of one jurisdiction, referred to by id from plans."""

    id: Id = Field(description="Starts with the jurisdiction id and a hyphen.")
    name: Text = Field(description="Full name, e.g. 泖港镇安全生产委员会办公室.")
    short: list[Text] = Field(default_factory=list, description="Short names used in the plans, e.g. 镇安委办.")
    aliases: list[Text] = Field(
        default_factory=list, description="Other spellings, including extraction slips such as 柳港派出所."
    )
    category: Id = Field(description="Id of a category in data/categories.yaml.")
    group: bool = Field(
        default=False,
        description="True for a collective such as 镇安委会有关成员单位 or 各村居 that stands for several units.",
    )
    previous_ids: list[Id] = Field(default_factory=list, description="Ids this department had before.")
    note: str | None = None
    draft: DraftFlag = False
    todo: ToDo


LEVELS = ("省", "市", "区", "县", "乡", "镇", "街道", "委办局")


class Jurisdiction(Strict):
    """A place or body that issues plans: a province, city, district, county,
    town or street, or a department with plans of its own (a 国资委).
    Jurisdictions form a tree through `parent` (scripts/model/jurisdictions.py)."""

    id: Id = Field(description="Equals the file name; department ids start with it.")
    name: Text = Field(description="As the documents print it, e.g. 泖港镇, 宝山区国资委.")
    level: Literal[LEVELS] = Field(description="省, 市, 区, 县, 乡, 镇, 街道, or 委办局 for a department with plans of its own.")
    parent: Id | None = Field(
        default=None,
        description="Id of the jurisdiction directly above it (its own file in data/departments/), only where a "
        "document prints it (e.g. 松江区 above 泖港镇: 文头“松江区泖港镇人民政府”); none at the top.",
    )
    note: str | None = Field(default=None, description="Where the documents show its name and parent, and what they leave open.")
    previous_ids: list[Id] = Field(default_factory=list, description="Ids this jurisdiction had before.")


class DepartmentRegistry(Strict):
    """data/departments/<jurisdiction-id>.yaml: a jurisdiction and its units."""

    jurisdiction: Jurisdiction
    departments: list[Department] = Field(
        default_factory=list, description="Its units named in the plans; none for a jurisdiction that only holds others."
    )


class Synonym(Strict):
    terms: list[Text] = Field(min_length=2, description="Names that mean the same thing, e.g. [危化品, 危险化学品].")
    note: str | None = None


class SynonymRegistry(Strict):
    synonyms: list[Synonym]


# --------------------------------------------------------------------------- #
# A plan
# --------------------------------------------------------------------------- #


class Deadline(Strict):
    """A dated milestone, with the original words it was read from."""

    date: dt.date = Field(
        description="ISO date the words mean: 2024年底前 -> 2024-12-31, 2024年上半年 -> 2024-06-30, "
        "2024年 -> 2024-12-31. Words that name no year (6月底前, 年内, 三季度末) take the year of the "
        "rule: `year` if given, else the annex's year (annex rows), else the plan's period.start."
    )
    text: Text = Field(description="The original words, verbatim, e.g. '2024 年底前', '6月底前', '年内'.")
    year: int | None = Field(
        default=None, ge=2000, le=2100,
        description="Only for words that name no year: the year the context gives them, where it is not the "
        "rule's (the annex's year, else the plan's first year).",
    )
    note: str | None = None


Every = Literal["week", "half-month", "month", "quarter", "half-year", "year"]


class Recurrence(Strict):
    """A recurring duty such as 每季度至少1次, 每两个月, 每年3月底前."""

    every: Every = Field(description="The period: 每周 week, 每半月 half-month (the 15th and the month's last day), "
                         "每月 month, 每季度 quarter, 每半年 half-year, 每年 year.")
    interval: int = Field(default=1, ge=1, description="Periods between two dues: 每两个月 -> every: month, interval: 2.")
    min_count: int = Field(default=1, ge=1, description="Minimum number of times per period (每年至少两次 -> 2).")
    day: int | None = Field(default=None, ge=1, le=31, description="Day of the period's last month it is due by "
                            "(每月25日前 -> 25); for a yearly duty with a month, the day of that month.")
    month: int | None = Field(default=None, ge=1, le=12, description="Yearly or half-yearly duties: the month it is "
                              "due by (每年3月底前报送上一年度… -> 3; for half-yearly, the month in the first half).")
    next_year: bool = Field(default=False, description="Due in the year after the one it is for (次年3月前 -> "
                            "every: year, month: 3, next_year: true).")
    text: Text = Field(description="The original words, verbatim, e.g. 每季度带队对本单位……至少开展1次检查.")
    scope: str | None = Field(
        default=None, description="Who a stricter rule applies to, e.g. 高危行业领域 for 高危行业领域每月至少1次."
    )


class Ongoing(Strict):
    """An ongoing duty (持续性要求) the plan sets no date for: 常态化, 长期坚持, 持续推进, 全年 …"""

    text: Text = Field(description="The original words, verbatim, holding the ongoing word, e.g. 常态化开展风险隐患排查治理.")
    note: str | None = None


class Event(Strict):
    """Timing tied to an event with no fixed date (节点性要求): 汛期前, 春节前, 重大活动期间."""

    text: Text = Field(description="The original words, verbatim, holding the event, e.g. 汛期前完成排水设施检修.")
    date: dt.date | None = Field(default=None, description="Only where an editor can date the event; then `note` "
                                 "says where the date comes from.")
    note: str | None = None


class Responsibility(Strict):
    not_verbatim: list[str] = Field(
        default_factory=list,
        description="Names of text fields deliberately not copied as one run from the source "
        "(e.g. a merged table cell split by a page break); each needs an explanation in `note`.",
    )
    lead: list[Id] = Field(default_factory=list, description="Department ids of lead units (牵头/责任单位).")
    support: list[Id] = Field(default_factory=list, description="Department ids of supporting units (配合单位).")
    leaders: list[Text] = Field(default_factory=list, description="Named leading officials (牵头领导), as printed.")
    by_duty: bool = Field(
        default=False, description="True where the text assigns work '按职责分工负责' instead of naming units."
    )
    todo: ToDo


class Task(Responsibility):
    id: Id
    number: int = Field(ge=1, description="Displayed number as printed.")
    number_text: Text | None = Field(
        default=None, description="The number as printed where it is not `N.`, e.g. （一）; `number` is its value."
    )
    title: Text = Field(description="Short title: the task's first sentence or heading as printed.")
    text: Text = Field(description="The full original text, verbatim.")
    units_text: str | None = Field(
        default=None, description="The responsibility words as printed, e.g. the parenthesis after the task."
    )
    deadlines: list[Deadline] = Field(default_factory=list)
    recurrence: list[Recurrence] = Field(default_factory=list)
    ongoing: list[Ongoing] = Field(default_factory=list, description="Ongoing duties (持续性要求), never dated.")
    events: list[Event] = Field(default_factory=list, description="Timing tied to events (节点性要求).")
    not_time: list[Text] = Field(
        default_factory=list,
        description="Time-like words of the text that are deliberately no deadline or duty "
        "(e.g. 2024年任务清单, a list's name); each needs an explanation in `note`.",
    )
    topics: list[Id] = Field(default_factory=list, description="Topic ids from data/topics.yaml.")
    national: list[Id] = Field(default_factory=list, description="Ids of national lines of action it restates.")
    previous_ids: list[Id] = Field(default_factory=list)
    note: str | None = Field(default=None, description="Extraction slips and editorial remarks.")


class Action(Strict):
    id: Id
    number: Text = Field(description="Displayed number as printed, e.g. （一）.")
    title: Text
    part: Id | None = Field(default=None, description="Id of the part (一、二、…) it belongs to, where the plan has parts.")
    intro: str | None = Field(default=None, description="Text between the heading and the first task, verbatim.")
    national: list[Id] = Field(default_factory=list, description="Ids of national lines of action it restates.")
    tasks: list[Task]
    previous_ids: list[Id] = Field(default_factory=list)
    note: str | None = None


class Part(Strict):
    id: Id
    number: Text = Field(description="e.g. 一、")
    title: Text


class Goal(Strict):
    id: Id
    text: Text = Field(description="The goal as printed, verbatim.")
    deadlines: list[Deadline] = Field(default_factory=list)
    not_time: list[Text] = Field(default_factory=list, description="As on a task: time-like words that are no deadline.")
    national: list[Id] = Field(default_factory=list, description="Ids of national targets it restates (nat-target-…).")
    note: str | None = None


class Member(Strict):
    role: Text = Field(description="组长, 第一副组长, 副组长, 组员, 专班负责人, 主任, 副主任, 联系人 ...")
    person: str | None = Field(default=None, description="Name as printed, where a person is named.")
    position: str | None = Field(default=None, description="Office as printed, e.g. 镇党委书记.")
    department: Id | None = Field(default=None, description="Department id, where a unit is the member.")
    phone: str | None = None
    email: str | None = None
    note: str | None = None


class Body(Strict):
    """A leading group, 工作专班 or contact list."""

    id: Id
    name: Text
    text: str | None = Field(default=None, description="The paragraph that sets it up, verbatim.")
    members: list[Member] = Field(default_factory=list)


class Section(Strict):
    """Safeguards, requirements and other prose sections (保障措施, 工作要求)."""

    id: Id
    kind: Text = Field(description="The heading it sits under, e.g. 保障措施.")
    number: str | None = None
    title: str | None = None
    text: Text
    deadlines: list[Deadline] = Field(default_factory=list)
    recurrence: list[Recurrence] = Field(default_factory=list)
    ongoing: list[Ongoing] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    not_time: list[Text] = Field(default_factory=list, description="As on a task: time-like words that are no deadline.")
    note: str | None = None


class AnnexRow(Responsibility):
    number: int = Field(ge=1, description="序号 as printed.")
    category: str | None = Field(default=None, description="The grouping column (e.g. 年度目标, 部署发动).")
    item: str | None = Field(default=None, description="The short task name column (工作目标任务 / 重点任务).")
    task: str | None = Field(default=None, description="The task description column, verbatim.")
    requirement: str | None = Field(default=None, description="工作要求 column, verbatim.")
    lead_text: str | None = Field(default=None, description="责任单位 column as printed.")
    support_text: str | None = Field(default=None, description="配合单位 column as printed.")
    due: Deadline | None = Field(default=None, description="时间节点: a bare month means that month's last day.")
    remark: str | None = Field(default=None, description="备注 column.")
    note: str | None = None
    restates: list[Id] = Field(
        default_factory=list, description="Ids of the plan's tasks (or goals, bodies, sections) this row restates."
    )


class ScopeNote(Strict):
    """A note that assigns units to the tasks it governs, e.g. 以下均需各社区负责，不再一一列出
    printed in task 2's parenthesis: it governs the tasks after it, not those before."""

    text: Text = Field(description="The note as printed, verbatim.")
    lead: list[Id] = Field(default_factory=list, description="Department ids it makes responsible (牵头/责任单位).")
    support: list[Id] = Field(default_factory=list, description="Department ids it makes supporting (配合单位).")
    tasks: list[Id] = Field(min_length=1, description="Ids of the tasks it governs (e.g. every task after the one "
                            "whose parenthesis prints it).")
    note: str | None = None


class Annex(Strict):
    id: Id
    title: Text
    year: int | None = Field(default=None, description="The year a bare month (12 月) refers to.")
    included: bool = Field(default=True, description="False when the document names the annex but does not include it.")
    columns: list[Text] = Field(default_factory=list, description="Column headings as printed.")
    rows: list[AnnexRow] = Field(default_factory=list)
    note: str | None = None


class Period(Strict):
    start: int = Field(ge=2000, le=2100)
    end: int = Field(ge=2000, le=2100)


class ParentPlan(Strict):
    """A higher-level plan this one implements, cited as the document prints it."""

    title: Text = Field(description="The title as printed (without 《》), verbatim.")
    issuer: str | None = Field(default=None, description="Who issued it, as printed before the title, e.g. 新密市安委会.")
    doc_number: str | None = Field(default=None, description="文号 as printed, where printed.")
    plan: Id | None = Field(default=None, description="Id of that plan where it is on this site (data/plans/<id>.yaml).")
    jurisdiction: Id | None = Field(
        default=None,
        description="Id of the jurisdiction that issued it, where the document names it: its page lists the "
        "plan even while the plan is not on this site.",
    )
    note: str | None = None


class Plan(Strict):
    """data/plans/<id>.yaml: one plan document."""

    id: Id = Field(description="Equals the file name.")
    title: Text = Field(description="Full title as printed.")
    short_title: Text = Field(description="A short name for lists and citations, e.g. 泖港镇三年行动.")
    issuer: Text
    doc_number: str | None = Field(default=None, description="发文字号, e.g. 泖府字〔2024〕35号.")
    signer: str | None = None
    issued: dt.date | None = Field(default=None, description="Issue date, where printed.")
    period: Period
    jurisdiction: Id = Field(description="Id of the jurisdiction that issued it: a registry in data/departments/.")
    implements: list[ParentPlan] = Field(
        default_factory=list, description="The higher-level plans it implements, as the document cites them."
    )
    source: Text = Field(description="Path of the source text under data/sources/.")
    preamble: str | None = None
    goals_intro: str | None = None
    goals: list[Goal] = Field(default_factory=list)
    organisation: list[Body] = Field(default_factory=list)
    parts: list[Part] = Field(default_factory=list)
    scope_notes: list[ScopeNote] = Field(
        default_factory=list,
        description="Notes that assign units to the tasks they govern (以下均需各社区负责 …); the units are "
        "added to those tasks' own.",
    )
    actions: list[Action] = Field(min_length=1)
    sections: list[Section] = Field(default_factory=list)
    annexes: list[Annex] = Field(default_factory=list)
    previous_ids: list[Id] = Field(default_factory=list)
    notes: list[Text] = Field(default_factory=list, description="Extraction slips and editorial remarks on the whole plan.")
    draft: DraftFlag = False
    todo: ToDo


# --------------------------------------------------------------------------- #
# The national framework the local plans restate (reference data, no full text)
# --------------------------------------------------------------------------- #


class Line(Strict):
    id: Id
    title: Text
    description: str | None = None


class Target(Strict):
    id: Id
    text: Text
    date: dt.date


class NationalFramework(Strict):
    """data/national.yaml"""

    title: Text
    issuer: Text
    doc_number: Text
    issued: dt.date
    actions: list[Line] = Field(description="The national plan's lines of action.")
    targets: list[Target] = Field(default_factory=list)
    local_lines: list[Line] = Field(
        default_factory=list, description="Lines of action that local plans add to the national ones."
    )
