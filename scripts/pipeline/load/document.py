"""Stage 1, load: read one YAML file into plain Python data and keep where
every value sits (line and column), so that later stages can report
`file:line:col`. `Problem` is that report.

Nothing here raises on bad input: problems come back as `Problem`s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import re

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.resolver import VersionedResolver

from ...paths import ROOT

Path_ = tuple  # a path into the document: ("actions", 0, "tasks", 3, "id")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    col: int
    message: str
    todo: bool = False  # what a draft still needs (validate/drafts.py): `make serve` previews despite it

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


@dataclass
class Document:
    """One loaded YAML file: its data and the position of every node."""

    path: Path
    data: Any = None
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        try:
            return self.path.resolve().relative_to(ROOT).as_posix()
        except ValueError:
            return self.path.as_posix()

    def where(self, path: tuple, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at `path`, or of its key when
        `key` is set; falls back to the nearest enclosing node."""
        path = tuple(path)
        while True:
            if key and path in self.key_positions:
                return self.key_positions[path]
            if path in self.positions:
                return self.positions[path]
            if not path:
                return (1, 1)
            path = path[:-1]

    def problem(self, path: tuple, message: str, key: bool = False) -> Problem:
        line, col = self.where(path, key)
        return Problem(self.name, line, col, message)


class _Constructor(RoundTripConstructor):
    """Reads dates as text, so that the models parse them and an impossible
    date (2024-02-30) is reported at its own line."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.Constructor = _Constructor
    y.allow_duplicate_keys = False
    return y


def _plain(node: Any, path: tuple, doc: Document) -> Any:
    """Convert ruamel's round-trip nodes to plain dicts, lists and scalars,
    recording positions on the way."""
    if isinstance(node, CommentedMap):
        doc.positions.setdefault(path, (node.lc.line + 1, node.lc.col + 1))
        out = {}
        for key, value in node.items():
            sub = path + (key,)
            try:
                kl, kc = node.lc.key(key)
                doc.key_positions[sub] = (kl + 1, kc + 1)
                vl, vc = node.lc.value(key)
                doc.positions[sub] = (vl + 1, vc + 1)
            except (KeyError, TypeError):
                pass
            out[str(key) if not isinstance(key, (str, int)) else key] = _plain(value, sub, doc)
        return out
    if isinstance(node, CommentedSeq):
        doc.positions.setdefault(path, (node.lc.line + 1, node.lc.col + 1))
        out = []
        for i, value in enumerate(node):
            sub = path + (i,)
            try:
                il, ic = node.lc.item(i)
                doc.positions[sub] = (il + 1, ic + 1)
            except (KeyError, TypeError):
                pass
            out.append(_plain(value, sub, doc))
        return out
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


# --------------------------------------------------------------------------- #
# Fast path: libyaml (PyYAML's C parser) composes the node tree, ~30x faster
# than ruamel's pure-Python parser, which matters at the scale of a province
# (tens of thousands of tasks). It yields exactly what the ruamel path yields
# (YAML 1.2 scalars resolved by ruamel's own resolver, dates kept as text,
# the same line and column for every key and value). Anything it is not sure
# about (tags, aliases, merge keys, directives, duplicate keys, exotic numbers,
# any syntax error) falls back to the ruamel path, which reports problems.
# --------------------------------------------------------------------------- #

try:
    from yaml.cyaml import CParser as _CParser
except ImportError:  # PyYAML without libyaml: always the ruamel path
    _CParser = None


class _Composer(*((_CParser,) if _CParser else ()), pyyaml.resolver.BaseResolver):
    """libyaml's parser and composer, without PyYAML's (YAML 1.1) tag
    resolution: scalars are resolved below with ruamel's YAML 1.2 rules."""

    def __init__(self, stream: str):
        _CParser.__init__(self, stream)
        pyyaml.resolver.BaseResolver.__init__(self)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return "tag:yaml.org,2002:str" if kind is pyyaml.ScalarNode else ""


# ruamel's own YAML 1.2 implicit resolvers: first character -> [(tag, regexp)]
_RESOLVERS = VersionedResolver(version=(1, 2)).versioned_resolver
_ANY_FIRST = list(_RESOLVERS.get(None, []))
_IMPLICIT = {k: list(v) + _ANY_FIRST for k, v in _RESOLVERS.items() if k is not None}
_DECIMAL = re.compile(r"[-+]?[0-9]+\Z")
_TRUE = {"true", "True", "TRUE"}


class _Fallback(Exception):
    """The fast path cannot be sure; use the ruamel path."""


def _fast_scalar(node: "pyyaml.ScalarNode") -> Any:
    value = node.value
    if node.style:  # quoted or block scalar: always text (plain is None or "")
        return value
    tag = "tag:yaml.org,2002:str"
    for t, regexp in _IMPLICIT.get(value[:1], _ANY_FIRST):
        if regexp.match(value):
            tag = t
            break
    if tag == "tag:yaml.org,2002:str" or tag == "tag:yaml.org,2002:timestamp":
        return value  # dates are read as text, like _Constructor does
    if tag == "tag:yaml.org,2002:int" and _DECIMAL.match(value):
        return int(value)
    if tag == "tag:yaml.org,2002:bool":
        return value in _TRUE
    if tag == "tag:yaml.org,2002:null":
        return None
    raise _Fallback  # floats, octal/hex/underscored ints, merge and value keys


def _fast_plain(node: Any, path: tuple, doc: Document, seen: set[int]) -> Any:
    if id(node) in seen:
        raise _Fallback  # an alias
    seen.add(id(node))
    mark = node.start_mark
    if isinstance(node, pyyaml.MappingNode):
        doc.positions.setdefault(path, (mark.line + 1, mark.column + 1))
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, pyyaml.ScalarNode):
                raise _Fallback
            key = _fast_scalar(key_node)
            key = str(key) if not isinstance(key, (str, int)) else key
            if key in out:
                raise _Fallback  # a duplicate key: the ruamel path reports it
            sub = path + (key,)
            doc.key_positions[sub] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            doc.positions[sub] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            out[key] = _fast_plain(value_node, sub, doc, seen)
        return out
    if isinstance(node, pyyaml.SequenceNode):
        doc.positions.setdefault(path, (mark.line + 1, mark.column + 1))
        items = []
        for i, child in enumerate(node.value):
            sub = path + (i,)
            doc.positions[sub] = (child.start_mark.line + 1, child.start_mark.column + 1)
            items.append(_fast_plain(child, sub, doc, seen))
        return items
    return _fast_scalar(node)


def _fast_load(text: str, doc: Document) -> Any:
    if _CParser is None or "!" in text or text.lstrip().startswith("%"):
        raise _Fallback  # no libyaml, or tags or directives
    composer = _Composer(text)
    try:
        node = composer.get_single_node()
    except pyyaml.YAMLError:
        raise _Fallback from None
    finally:
        composer.dispose()
    if node is None:
        raise _Fallback
    return _fast_plain(node, (), doc, set())


def _line_of_offset(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return line, col


def plain_data(text: str) -> Any:
    """The plain data of a YAML text, as load_yaml reads it (libyaml where
    it can, else ruamel). Raises ruamel's YAMLError on text that is not
    YAML."""
    try:
        return _fast_load(text, Document(path=Path("<text>")))
    except Exception:  # _Fallback, or anything unexpected: the ruamel path decides
        return _plain(_yaml().load(text), (), Document(path=Path("<text>")))


def load_yaml(path: Path) -> tuple[Document, list[Problem]]:
    """Load one YAML file. Returns the document (data None on failure) and
    the problems found while reading it."""
    doc = Document(path=path)
    name = doc.name
    try:
        raw = path.read_bytes()
    except OSError as e:
        return doc, [Problem(name, 1, 1, f"cannot read file: {e.strerror}")]
    if b"\x00" in raw:
        line, col = _line_of_offset(raw, raw.index(b"\x00"))
        return doc, [Problem(name, line, col, "this is a binary file, not YAML text")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = _line_of_offset(raw, e.start)
        return doc, [Problem(name, line, col, "the file is not UTF-8 text; save it as UTF-8")]
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return doc, [Problem(name, 1, 1, "the file is empty")]
    for n, ln in enumerate(text.splitlines(), 1):
        stripped = ln.lstrip(" ")
        if stripped.startswith("\t"):
            return doc, [
                Problem(name, n, len(ln) - len(stripped) + 1, "a tab is used for indentation; YAML needs spaces")
            ]
    try:
        doc.data = _fast_load(text, doc)
    except Exception:  # _Fallback, or anything unexpected: the ruamel path decides and reports
        doc.positions.clear()
        doc.key_positions.clear()
        doc.data = None
    else:
        if not isinstance(doc.data, dict):
            return doc, [Problem(name, 1, 1, "the file must be a mapping of keys (id:, title: …) at the top level")]
        return doc, []
    try:
        node = _yaml().load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = " ".join(str(x) for x in (e.context, e.problem) if x)
        msg = msg.replace("\n", " ").strip() or "YAML syntax error"
        if "duplicate key" in msg or "found duplicate key" in str(e):
            msg = "a key appears twice in the same mapping: " + msg
        return doc, [Problem(name, line, col, f"YAML syntax error: {msg}")]
    except YAMLError as e:
        return doc, [Problem(name, 1, 1, f"YAML error: {str(e).splitlines()[0] if str(e) else type(e).__name__}")]
    except (ValueError, TypeError) as e:
        return doc, [Problem(name, 1, 1, f"cannot read a value: {e}")]
    doc.data = _plain(node, (), doc)
    if not isinstance(doc.data, dict):
        return doc, [Problem(name, 1, 1, "the file must be a mapping of keys (id:, title: …) at the top level")]
    return doc, []
