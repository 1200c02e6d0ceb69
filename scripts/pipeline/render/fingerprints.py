"""The fingerprints of an enriched site (render/incremental.py): every view
with a stable name (its token) and its unit (its plan, for the views of a
plan), and each unit's digest, as rebuilds compare them with the last
build's record.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import os
from collections import deque
from pathlib import Path

from pydantic import BaseModel

from ..enrich import reads
from ..enrich.views import PlanView

FIELD = "\x1f"  # between a view's token and a field's name, in what a page read
_PLAIN = (str, int, float, bool, type(None))
_SKIP, _LIST, _DICT, _SET, _VIEW = range(5)  # what the walk does with a value of a type
_OWNERS = ("by", "plan", "owner", "target", "task", "item")  # fields leading a view to its plan



class Opaque(Exception):
    """A value whose state cannot be written out."""


def _kind(cls: type) -> int:
    if cls in _PLAIN or issubclass(cls, (BaseModel, enum.Enum, str, int, float, dt.date, dt.time, dt.timedelta, Path)):
        return _SKIP
    if cls is list or issubclass(cls, tuple):
        return _LIST
    if cls is dict:
        return _DICT
    if cls in (set, frozenset):
        return _SET
    if cls.__module__.startswith("scripts.") and hasattr(cls, "__dict__"):
        return _VIEW
    return _SKIP


class Fingerprints:
    """Every view of `site` with its token and unit, and each unit's digest
    (as asked for)."""

    def __init__(self, site):
        self.token: dict[int, str] = {}  # id(view) -> token
        self.views: list = []  # in the order found
        self._kinds: dict[type, int] = {}
        self._walk(site)
        self._objects = {id(v): v for v in self.views}
        self.unit: dict[int, str] = {}  # id(view) -> its plan's token, for the views of a plan
        self._members: dict[str, list] = {}  # plan token -> its views
        self._by_token: dict[str, object] = {}  # token -> view, for views not of a plan
        for v in self.views:
            plan = _plan_of(v)
            if plan is not None and id(plan) in self.token:
                u = self.token[id(plan)]
                self.unit[id(v)] = u
                self._members.setdefault(u, []).append(v)
            else:
                self._by_token[self.token[id(v)]] = v
        classes: dict[type, bool] = {}
        for v in self.views:
            classes[type(v)] = classes.get(type(v), True) and id(v) in self.unit
        # Views of plans are not watched: a page reaches them through a
        # watched view's field, a page job's context or a field of a plan's
        # view that points at another plan's (`cross`, watched on its own).
        self.by_field = {c for c, of_plans in classes.items() if not of_plans}
        self.alone = frozenset(id(v) for v in self._by_token.values())  # read field by field (reads.summary)
        self.cross: set[tuple[type, str]] = set()
        self._models: dict[int, str] = {}
        self._value_units: dict[tuple[int, str], frozenset[str]] = {}
        self._sets: dict[frozenset[str], frozenset[str]] = {}  # each set of plans once (units_of)
        self.digests: dict[str, str] = {}
        self._names: dict[tuple[int, str], str] = {}  # (id(view), field) -> its unit's name, made once
        self._find_cross()

    def _find_cross(self) -> None:
        """The fields of plans' views that point at another plan's views."""
        for unit, views in self._members.items():
            for v in views:
                cls = type(v)
                for name, value in object.__getattribute__(v, "__dict__").items():
                    if type(value) in _PLAIN or (cls, name) in self.cross or name.startswith(reads.DERIVED):
                        continue
                    if self.units_in(value) - {unit}:
                        self.cross.add((cls, name))
        self.cross = {(c, name) for c, name in self.cross if c not in self.by_field}  # watched whole already

    # ------------------------------------------------------------------ #
    def _walk(self, site) -> None:
        """Every view reachable from the Site through fields, lists, tuples,
        dicts and sets (not through derived values), breadth first."""
        token, views, kinds = self.token, self.views, self._kinds
        queue = deque([(site, "site")])
        taken: set[str] = set()
        while queue:
            obj, path = queue.popleft()
            if id(obj) in token:
                continue
            fields = object.__getattribute__(obj, "__dict__")
            data = fields.get("data")
            ident = getattr(data, "id", None) if isinstance(data, BaseModel) else None
            name = f"{type(obj).__name__}:{ident}" if isinstance(ident, str) else path
            if name in taken:
                name = f"{path}~{len(views)}"
            taken.add(name)
            token[id(obj)] = name
            views.append(obj)
            for field, value in fields.items():
                kind = kinds.get(type(value))
                if kind is None:
                    kind = kinds[type(value)] = _kind(type(value))
                if kind == _SKIP or (kind == _VIEW and id(value) in token) or field.startswith(reads.DERIVED):
                    continue
                self._children(value, kind, f"{name}.{field}", queue)

    def _children(self, value, kind: int, path: str, queue: deque) -> None:
        kinds, token = self._kinds, self.token
        if kind == _VIEW:
            if id(value) not in token:
                queue.append((value, path))
            return
        if kind == _LIST:
            items = enumerate(value)
        elif kind == _DICT:
            items = value.items()
        else:  # a set: in no order; a view found here first may get another token next time
            items = ((None, v) for v in value)
        for key, item in items:
            k = kinds.get(type(item))
            if k is None:
                k = kinds[type(item)] = _kind(type(item))
            if k == _SKIP or (k == _VIEW and id(item) in token):  # a view named already: no path to make
                continue
            self._children(item, k, f"{path}[{key if isinstance(key, (str, int)) else repr(key)}]", queue)

    # ------------------------------------------------------------------ #
    def units_of(self, raw: set) -> list[str]:
        """What a page read (reads.recording()) as sorted units: plan tokens
        and `token FIELD name` of other views' fields and summaries. A
        property or method of a view is no unit: what it is follows from
        the code (the code key), what it reads is recorded itself."""
        out: set[str] = set()
        held: dict[int, frozenset[str]] = {}  # the plans values read hold, each set once
        unit, names, values = self.unit, self._names, self._value_units
        for entry in raw:
            if type(entry) is str:  # a plan of the page's context (units_in)
                out.add(entry)
                continue
            found = names.get(entry)
            if found is None:
                key, name = entry
                found = unit.get(key)
                if found is None and key in self.token:
                    view = self._objects[key]
                    if (name == "__dict__" or name in object.__getattribute__(view, "__dict__")
                            or isinstance(getattr(type(view), name, None), reads.summary)):
                        found = f"{self.token[key]}{FIELD}{name}"
                found = found or ""
                names[entry] = found
                if found:
                    fields = object.__getattribute__(self._objects[key], "__dict__")
                    value = fields if name == "__dict__" else fields.get(name)  # __dict__: all of it was read
                    plans = frozenset(self.units_in(value))
                    values[entry] = self._sets.setdefault(plans, plans)  # equal sets: one object
            if found:
                out.add(found)
                plans = values[entry]
                if plans:
                    held[id(plans)] = plans
        out.update(*held.values())
        return sorted(out)

    def units_in(self, value, seen: set[int] | None = None) -> set[str]:
        """The plans whose views `value` holds (through lists, tuples, dicts,
        sets and views made after enrich; not through other views)."""
        out: set[str] = set()
        self._add_units(value, out, seen)
        return out

    def _add_units(self, value, out: set[str], seen: set[int] | None) -> None:
        kind = type(value)
        if kind in _PLAIN:
            return
        unit = self.unit
        u = unit.get(id(value))
        if u is not None:
            out.add(u)
        elif kind is list or kind is tuple or kind in (set, frozenset) or isinstance(value, tuple):
            for item in value:  # most often views of plans: no call for those
                u = unit.get(id(item))
                if u is not None:
                    out.add(u)
                elif type(item) not in _PLAIN:
                    self._add_units(item, out, seen)
        elif kind is dict:
            for key, item in value.items():
                self._add_units(key, out, seen)
                u = unit.get(id(item))
                if u is not None:
                    out.add(u)
                elif type(item) not in _PLAIN:
                    self._add_units(item, out, seen)
        elif id(value) not in self.token and not isinstance(value, BaseModel) and _kind(kind) == _VIEW:
            seen = seen if seen is not None else set()  # made after enrich: look inside
            if id(value) not in seen:
                seen.add(id(value))
                for item in object.__getattribute__(value, "__dict__").values():
                    self._add_units(item, out, seen)

    def digest(self, unit: str) -> str | None:
        """The digest of a unit (a plan's token, or `token FIELD name`);
        None if this site has no such plan or view."""
        found = self.digests.get(unit)
        if found is not None:
            return found
        try:
            if FIELD in unit:
                token, name = unit.split(FIELD, 1)
                view = self._by_token.get(token)
                if view is None:
                    return None
                out: list[str] = [type(view).__qualname__]
                fields = object.__getattribute__(view, "__dict__")
                if name == "__dict__":  # all of it was read
                    self._enc({k: v for k, v in fields.items() if not reads.is_derived_slot(k)}, out)
                elif name in fields:
                    self._enc(fields[name], out)
                elif isinstance(getattr(type(view), name, None), reads.summary):  # known by its value
                    self._enc(getattr(view, name), out)
                else:  # a property or a method: what it reads is recorded itself
                    out.append("\x00absent")
                found = _sha("\x1f".join(out))
            else:
                views = self._members.get(unit)
                if views is None:
                    return None
                out = []
                for v in views:
                    out.append(type(v).__qualname__)
                    for name, value in object.__getattribute__(v, "__dict__").items():
                        if not name.startswith(reads.DERIVED):
                            out.append(name)
                            if type(value) in _PLAIN:  # most are: no call (as _enc)
                                out.append(repr(value))
                            else:
                                self._enc(value, out)
                    out.append("\x1e")
                found = _sha("\x1f".join(out))
        except Opaque:
            found = "opaque:" + os.urandom(16).hex()
        self.digests[unit] = found
        return found

    def _enc(self, value, out: list[str], deep: bool = False) -> None:
        """`value` written out into `out`; views by their token. `deep`:
        views without a token (made after enrich, such as a page job's row
        of the comparison) written out in full."""
        kind = type(value)
        if kind in _PLAIN:
            out.append(repr(value))
        elif kind is list or kind is tuple:
            out.append("[" if kind is list else "(")
            token = self.token
            for item in value:  # most often plain values or named views: no call for those (as below)
                if type(item) in _PLAIN:
                    out.append(repr(item))
                elif id(item) in token:
                    out.append("@" + token[id(item)])
                else:
                    self._enc(item, out, deep)
            out.append("]")
        elif kind is dict:
            out.append("{")
            for key, item in value.items():
                self._enc(key, out, deep)
                self._enc(item, out, deep)
            out.append("}")
        elif id(value) in self.token:
            out.append("@" + self.token[id(value)])
        elif isinstance(value, BaseModel):
            out.append(self._model(value))
        elif kind in (set, frozenset):
            parts = []
            for item in value:
                part: list[str] = []
                self._enc(item, part, deep)
                parts.append("\x1f".join(part))
            out.append("{" + "\x1d".join(sorted(parts)) + "}")
        elif isinstance(value, (enum.Enum, str, int, float, dt.date, dt.time, dt.timedelta)):
            out.append(f"{kind.__module__}.{kind.__qualname__}:{value!r}")
        elif isinstance(value, tuple):  # a named tuple
            out.append(f"{kind.__qualname__}(")
            for item in value:
                self._enc(item, out, deep)
            out.append(")")
        elif isinstance(value, Path):
            out.append(f"path:{value.as_posix()}")
        elif deep and _kind(kind) == _VIEW:
            out.append(f"{kind.__qualname__}<")
            for name, item in object.__getattribute__(value, "__dict__").items():
                if not reads.is_derived_slot(name):
                    out.append(name)
                    self._enc(item, out, deep)
            out.append(">")
        else:
            raise Opaque(kind.__qualname__)

    def _model(self, model: BaseModel) -> str:
        """An authored model written out in full (pydantic's JSON, hashed;
        once per model)."""
        found = self._models.get(id(model))
        if found is None:
            data = type(model).__pydantic_serializer__.to_json(model)
            found = f"M{type(model).__qualname__}:{hashlib.sha1(data).hexdigest()}"
            self._models[id(model)] = found
        return found

    def context(self, ctx: dict) -> str:
        """A page job's context written out (views by their token)."""
        out: list[str] = []
        for name in sorted(ctx):
            out.append(name)
            self._enc(ctx[name], out, deep=True)
        return _sha("\x1f".join(out))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _plan_of(view) -> PlanView | None:
    """The plan a view belongs to (following by, plan, owner, target, task, item)."""
    v = view
    for _ in range(5):
        if isinstance(v, PlanView):
            return v
        fields = object.__getattribute__(v, "__dict__")
        owner = None
        for k in _OWNERS:
            owner = fields.get(k)
            if owner is not None:
                break
        if owner is None or not hasattr(owner, "__dict__") or isinstance(owner, BaseModel):
            return None
        v = owner
    return None
