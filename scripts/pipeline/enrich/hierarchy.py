"""The views of the jurisdiction hierarchy: a jurisdiction with what the data
places in it (its plans, units and sub-jurisdictions, the plans cited as
issued by it), and a plan a plan implements. The tree itself:
scripts/model/jurisdictions.py; enrich() links these views.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...model import models
from .timeline import deadline_order
from .views import DeadlineView, DepartmentView, PlanView, RecurrenceView, TaskView, _View


@dataclass(eq=False, repr=False)
class JurisdictionView(_View):
    """A place in the hierarchy, with what the data places in it: its own
    plans and units, the jurisdictions below it, and the plans cited as
    issued by it that are not on the site."""

    data: models.Jurisdiction
    url: str
    parent: "JurisdictionView | None" = None
    ancestors: list["JurisdictionView"] = field(default_factory=list)  # from the top down to the parent
    children: list["JurisdictionView"] = field(default_factory=list)
    area: "JurisdictionView | None" = None  # its area (scripts/model/jurisdictions.py): itself or above it
    plans: list[PlanView] = field(default_factory=list)
    departments: list[DepartmentView] = field(default_factory=list)
    cited: list["ImplementsView"] = field(default_factory=list)  # plans it issued, not on the site
    total_plans: int = 0  # its own and those of every jurisdiction below it
    total_tasks: int = 0
    total_departments: int = 0

    @property
    def name(self) -> str:
        return self.data.name

    @property
    def level(self) -> str:
        return self.data.level

    @property
    def depth(self) -> int:
        return len(self.ancestors)

    @property
    def path(self) -> list["JurisdictionView"]:
        return [*self.ancestors, self]

    @property
    def full_name(self) -> str:
        """The names from the top down (上海市浦东新区浦兴路街道); a name that
        repeats the one above it replaces it (上海市宝山区国资委)."""
        parts: list[str] = []
        for j in self.path:
            if parts and j.name.startswith(parts[-1]):
                parts[-1] = j.name
            else:
                parts.append(j.name)
        return "".join(parts)

    @property
    def tasks(self) -> list[TaskView]:
        return [t for p in self.plans for t in p.tasks]

    @property
    def deadlines(self) -> list[DeadlineView]:
        return sorted((d for p in self.plans for d in p.deadlines), key=deadline_order)

    @property
    def open_deadlines(self) -> list[DeadlineView]:
        return [d for d in self.deadlines if d.status != "past"]

    @property
    def recurrences(self) -> list[RecurrenceView]:
        return [r for p in self.plans for r in p.recurrences]

    @property
    def named_departments(self) -> list[DepartmentView]:
        return [d for d in self.departments if d.is_named]

    def in_category(self, cat_id: str) -> list[DepartmentView]:
        return [d for d in self.departments if d.data.category == cat_id]


@dataclass(eq=False, repr=False)
class ImplementsView(_View):
    """A higher-level plan a plan implements: on the site (`plan`) or cited
    only (title, issuer and 文号 as printed)."""

    data: models.ParentPlan
    by: PlanView  # the plan that implements it
    plan: "PlanView | None" = None
    jurisdiction: JurisdictionView | None = None

    @property
    def label(self) -> str:
        d = self.data
        return f"{d.issuer or ''}《{d.title}》" + (f"（{d.doc_number}）" if d.doc_number else "")
