"""`make fmt`: write every YAML file under data/ in one canonical style, so
pull-request diffs stay small and reviewable. `--check` lists the files that
are not formatted (CI fails on them).

The style: two-space indentation, lists indented under their key, no line
wrapping (Chinese text stays on one line), comments kept. Short collections of
plain values are written on one line (`lead: [a, b]`, `{date: 2024-12-31,
text: 2024年底前}`); everything else in block style. "Short" is measured, so
the same data always gets the same layout.
"""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from ..paths import DATA
from ..pipeline.load.document import plain_data


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 100_000
    y.preserve_quotes = False
    y.allow_unicode = True
    y.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return y


FLOW_MAP_MAX = 60  # characters of content for a mapping to stay on one line
FLOW_MAX_KEYS = 4
FLOW_ITEM_MAX = 40  # a list stays on one line when each item is at most this long


def _scalar(x) -> bool:
    return not isinstance(x, (CommentedMap, CommentedSeq))


def _short(items) -> bool:
    return sum(len(str(x)) + 2 for x in items) <= FLOW_MAP_MAX and all("\n" not in str(x) for x in items)


def _has_comments(node) -> bool:
    ca = getattr(node, "ca", None)
    return bool(ca and (ca.items or ca.comment or ca.end))


def _canonical(node) -> None:
    """Set the layout of every collection from its content. A collection that
    carries comments keeps its layout (moving comments in or out of a
    one-line collection would garble them)."""
    if _has_comments(node):
        for value in (node.values() if isinstance(node, CommentedMap) else node):
            _canonical(value)
        return
    if isinstance(node, CommentedMap):
        if (0 < len(node) <= FLOW_MAX_KEYS and all(_scalar(v) for v in node.values())
                and _short([*node.keys(), *node.values()])):
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
        for value in node.values():
            _canonical(value)
    elif isinstance(node, CommentedSeq):
        if node and all(_scalar(x) and len(str(x)) <= FLOW_ITEM_MAX and "\n" not in str(x) for x in node):
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
        for value in node:
            _canonical(value)


def formatted(text: str) -> str:
    """The canonical form of a YAML document (raises YAMLError on bad YAML)."""
    y = _yaml()
    data = y.load(text)
    _canonical(data)
    out = io.StringIO()
    y.dump(data, out)
    result = out.getvalue()
    if plain_data(result) != plain_data(text):  # never change the data (as `make check` reads it)
        raise YAMLError("formatting would change the data; format this file by hand")
    return result


def yaml_files(data_dir: Path = DATA) -> list[Path]:
    return sorted(p for p in data_dir.rglob("*.yaml") if "schema" not in p.parts)


def run(check_only: bool, data_dir: Path = DATA) -> int:
    """Format (or, with check_only, list unformatted) files; returns an exit code."""
    unformatted, broken = [], []
    for path in yaml_files(data_dir):
        text = path.read_text(encoding="utf-8")
        try:
            new = formatted(text)
        except YAMLError:
            broken.append(path)  # `make check` reports it with its line
            continue
        if new != text:
            unformatted.append(path)
            if not check_only:
                path.write_text(new, encoding="utf-8")
    for path in broken:
        print(f"{path}: not valid YAML; run `make check` for the line")
    if check_only:
        for path in unformatted:
            print(f"{path}: not in the canonical format; run `make fmt`")
        return 1 if unformatted or broken else 0
    for path in unformatted:
        print(f"fmt: rewrote {path}")
    return 1 if broken else 0
