"""What a page reads: the views a template (and the Python it calls) reads
while one page renders, recorded so that a rebuild can tell which pages
could have changed (scripts/pipeline/render/incremental.py).

While `recording()` is on, a read of an attribute of an object of a class
watched field by field adds (the object's id, the attribute's name) to the
current record, and so does a read of a field watched on its own (a field
of another class that may point at what the caller wants to know about:
watch()'s `fields`). The caller tells afterwards what the ids stand for;
reads of objects it does not know (made while the page renders) count as
nothing: they were made from reads that were recorded.

`derived` replaces functools.cached_property on views: a value computed
once and kept would otherwise be read by later pages without the reads
that made it. It keeps, beside the value, what was read computing it and
adds that to the record of every page that reads it. A value computed
while nothing was recorded (in enrich, by the downloads) is computed again
the first time a recorded page reads it, so that its reads are known.

`summary` is a derived plain value (a count) that a page reads as a field
of its own, when the view has a unit of its own field by field (watch()'s
`alone`): the rebuild compares the value itself (fingerprints.py), not what
was read computing it. A page that shows how many tasks a topic has is
then rendered again when the number changes, not whenever one of the tasks
does. On any other view it is a derived value.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

DERIVED = "_derived_"  # the start of the name of a slot where a derived value is kept

_record: set | None = None  # what the page rendering read so far, or None: not recording
_watched: list[type] = []
_fields: list[tuple[type, str, object]] = []  # (class, name, what the class had under that name)
_alone: set[int] | frozenset[int] = frozenset()  # ids of the views whose fields are units of their own
_NOTHING = object()


def _read_field(self, name, _get=object.__getattribute__):
    if _record is not None:
        _record.add((id(self), name))
    return _get(self, name)


class _Field:
    """A data descriptor standing for an instance attribute, recording its reads."""

    def __init__(self, name: str, default=None):
        self.name, self.default = name, default

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        try:
            value = obj.__dict__[self.name]
        except KeyError:
            if self.default is _NOTHING:
                raise AttributeError(self.name) from None
            value = self.default
        if _record is not None:
            _record.add((id(obj), self.name))
        return value

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.name] = value

    def __delete__(self, obj) -> None:
        del obj.__dict__[self.name]


def watch(by_field: Iterable[type], fields: Iterable[tuple[type, str]] = (),
          alone: set[int] | frozenset[int] = frozenset()) -> None:
    """Record reads of every attribute of instances of the classes
    `by_field`, and of the instance attributes `fields` ((class, name));
    a summary of a view whose id is in `alone` is read as a field."""
    global _alone
    unwatch()
    _alone = alone
    for cls in by_field:
        if "__getattribute__" in cls.__dict__:
            raise TypeError(f"{cls.__qualname__} has a __getattribute__ of its own")
        cls.__getattribute__ = _read_field
        _watched.append(cls)
    for cls, name in fields:
        before = cls.__dict__.get(name, _NOTHING)
        if hasattr(before, "__get__"):
            raise TypeError(f"{cls.__qualname__}.{name} is not a plain attribute")
        _fields.append((cls, name, before))
        setattr(cls, name, _Field(name, before))


def unwatch() -> None:
    global _alone
    _alone = frozenset()
    for cls in _watched:
        del cls.__getattribute__
    _watched.clear()
    for cls, name, before in reversed(_fields):
        if before is _NOTHING:
            delattr(cls, name)
        else:
            setattr(cls, name, before)
    _fields.clear()


@contextmanager
def recording() -> Iterator[set]:
    """Record what is read inside the block into the set it yields."""
    global _record
    outer, _record = _record, set()
    try:
        yield _record
    finally:
        if outer is not None:
            outer |= _record
        _record = outer


class derived:
    """A computed attribute kept once computed (as functools.cached_property),
    with what was read computing it (see the module's docstring)."""

    def __init__(self, fn):
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.name = fn.__name__
        self.slot = f"{DERIVED}{fn.__name__}"

    def __set_name__(self, owner, name) -> None:
        self.name = name
        self.slot = f"{DERIVED}{name}"

    def __get__(self, obj, owner=None):
        global _record
        if obj is None:
            return self
        fields = object.__getattribute__(obj, "__dict__")  # not a read of the view: the value's reads are kept
        kept = fields.get(self.slot)
        if kept is None or (kept[1] is None and _record is not None):
            outer = _record
            _record = set() if outer is not None else None
            try:
                value = self.fn(obj)
            finally:
                done, _record = _record, outer
            kept = (value, frozenset(done) if done is not None else None)
            fields[self.slot] = kept
        if _record is not None:
            _record |= kept[1]
        return kept[0]


PLAIN = (int, str, float, bool, type(None))


class summary(derived):
    """A derived plain value (int, str, float, bool or None) read as a
    field of its view (see the module's docstring)."""

    def __init__(self, fn):
        @functools.wraps(fn)
        def plain(obj):
            value = fn(obj)
            if type(value) not in PLAIN:
                raise TypeError(f"summary {fn.__qualname__} gave a {type(value).__name__}, not a plain value")
            return value

        super().__init__(plain)

    def __get__(self, obj, owner=None):
        global _record
        if obj is None:
            return self
        if _record is None or id(obj) not in _alone:
            return super().__get__(obj, owner)
        fields = object.__getattribute__(obj, "__dict__")
        kept = fields.get(self.slot)
        if kept is None:
            outer, _record = _record, None  # what counting reads is not the page's
            try:
                kept = fields[self.slot] = (self.fn(obj), None)
            finally:
                _record = outer
        _record.add((id(obj), self.name))
        return kept[0]


def is_derived_slot(name: str) -> bool:
    return name.startswith(DERIVED)
