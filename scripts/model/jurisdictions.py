"""The jurisdiction hierarchy: province → city → district → town or street,
and departments with plans of their own, linked by `parent`
(models.Jurisdiction). One place answers "what is above and below this
jurisdiction" for every stage: validate (parents exist, no cycles), enrich
(the jurisdiction pages), search (filters that include sub-jurisdictions).

Works on any mapping of id -> models.Jurisdiction, and never loops: a
parent that is missing or a cycle (both reported by the validator) simply
ends the walk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .models import Jurisdiction


class Hierarchy:
    """The jurisdictions of the data as a tree (a forest: several tops)."""

    def __init__(self, jurisdictions: Iterable[Jurisdiction]):
        self.by_id: dict[str, Jurisdiction] = {}
        for j in jurisdictions:
            self.by_id.setdefault(j.id, j)
        in_cycle = {j for cycle in self.cycles() for j in cycle}
        self._children: dict[str | None, list[str]] = {}
        for j in sorted(self.by_id.values(), key=lambda j: j.id):
            if j.id not in in_cycle:
                parent = j.parent if j.parent in self.by_id else None
                self._children.setdefault(parent, []).append(j.id)

    def __contains__(self, jid: object) -> bool:
        return jid in self.by_id

    def ancestors(self, jid: str) -> list[str]:
        """Ids of the jurisdictions above `jid`, from the top down to its
        parent (empty at the top). The single answer to "where is it"."""
        return ancestors(jid, self.by_id)

    def path(self, jid: str) -> list[str]:
        """Its ancestors and itself, from the top down."""
        return [*self.ancestors(jid), jid] if jid in self.by_id else []

    def depth(self, jid: str) -> int:
        return len(self.ancestors(jid))

    def children(self, jid: str | None) -> list[str]:
        """Ids of the jurisdictions directly below `jid` (None: the tops),
        sorted by id. A jurisdiction in a cycle (an error the validator
        reports) is in no one's list, so every walk down ends."""
        return list(self._children.get(jid, []))

    def roots(self) -> list[str]:
        """The tops: jurisdictions without a parent (or whose parent is missing)."""
        return self.children(None)

    def descendants(self, jid: str) -> list[str]:
        """Every jurisdiction below `jid`, depth first."""
        out: list[str] = []
        todo = list(reversed(self.children(jid)))
        while todo:
            c = todo.pop()
            out.append(c)
            todo.extend(reversed(self.children(c)))
        return out

    def area(self, jid: str) -> str:
        """The part of the tree a jurisdiction's entries are listed with on
        the pages split by jurisdiction: the jurisdiction directly below its
        top (a city of a province, a district of a city), or the top itself."""
        path = self.path(jid)
        return path[1] if len(path) > 1 else (path[0] if path else jid)

    def areas(self) -> list[str]:
        """Every area: the tops and the jurisdictions directly below them."""
        return [a for r in self.roots() for a in (r, *self.children(r))]

    def cycles(self) -> list[list[str]]:
        """Each cycle of parents once, as the ids in it (in parent order,
        starting from the smallest id)."""
        out: list[list[str]] = []
        seen: set[str] = set()
        for start in sorted(self.by_id):
            chain: list[str] = []
            j: str | None = start
            while j in self.by_id and j not in seen and j not in chain:
                chain.append(j)
                j = self.by_id[j].parent
            if j in chain:
                cycle = chain[chain.index(j):]
                first = cycle.index(min(cycle))
                out.append(cycle[first:] + cycle[:first])
            seen.update(chain)
        return out


def ancestors(jid: str, jurisdictions: Mapping[str, Jurisdiction]) -> list[str]:
    """Ids of the jurisdictions above `jid`, from the top down to its parent.
    A missing parent ends the list; a cycle is cut where it closes."""
    out: list[str] = []
    seen = {jid}
    j = jurisdictions.get(jid)
    while j is not None and j.parent is not None and j.parent not in seen:
        if j.parent not in jurisdictions:
            break
        out.append(j.parent)
        seen.add(j.parent)
        j = jurisdictions[j.parent]
    out.reverse()
    return out
