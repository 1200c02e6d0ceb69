"""The layout of scripts/ holds: imports flow one way, from the command line
down to the model, with no cycle; the build never imports measuring or
browser code; each stage of the pipeline imports only the stages before it;
every module is small and opens with a docstring that says what it owns; and
the README's layout section is the tree.

The import graph is read from the source with `ast`: every `import` and
`from … import` counts, at module level or inside a function (a function's
import runs too, only later). Imports under `if TYPE_CHECKING:` are not run
and do not count. An edge goes to the module named (`from .views import X`
-> views; `from . import dates` -> dates), not to the packages around it,
which Python has already started importing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = "scripts"
MAX_LINES = 500

# Lowest first. A module may import its own part of a layer and the layers
# below it; the parts of one layer (editor, measure) never import each other.
LAYERS: list[tuple[str, ...]] = [
    ("scripts.paths",),
    ("scripts.jinja_cache",),
    ("scripts.model",),
    ("scripts.search",),
    ("scripts.pipeline.load",),
    ("scripts.pipeline.addresses",),
    ("scripts.pipeline.validate",),
    ("scripts.pipeline.enrich",),
    ("scripts.pipeline.render",),
    ("scripts.pipeline.build",),
    ("scripts.editor", "scripts.measure"),
    ("scripts.serve",),
    ("scripts.cli", "scripts.bench"),
    ("scripts.__main__",),
]
MEASURING = "scripts.measure"
BROWSER = {"playwright"}
# `python -m scripts.bench`: the measuring tools' entry point under its old name.
MAY_MEASURE = {"scripts.bench"}


# --------------------------------------------------------------------------- #
# The graph
# --------------------------------------------------------------------------- #


def modules(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every module of `package` under `root`."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _imports(node: ast.AST):
    """Every import statement in the tree, but those only type checkers see."""
    for child in ast.iter_child_nodes(node):
        if _type_checking(child):
            continue
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        yield from _imports(child)


def import_graph(root: Path, package: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(module -> modules of the package it imports, module -> other top-level
    packages it imports)."""
    mods = modules(root, package)

    def nearest(name: str) -> str | None:  # the module itself, or the package an attribute comes from
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    outside: dict[str, set[str]] = {}
    for name, path in mods.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        deps: set[str] = set()
        other: set[str] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    up = here[: len(here) - (node.level - 1)]
                    base = ".".join(up + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for target in targets:
                if target == package or target.startswith(package + "."):
                    found = nearest(target)
                    if found and found != name:
                        deps.add(found)
                else:
                    other.add(target.split(".")[0])
        graph[name] = deps
        outside[name] = other
    return graph, outside


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a -> b -> … -> a) for every group of modules that import
    each other, found with Tarjan's strongly connected components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in graph.get(v, ()):
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_cycle_in(graph, g) for g in groups]


def _cycle_in(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """A shortest way from the group's first module back to itself."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    todo = [start]
    while todo:
        v = todo.pop(0)
        for w in sorted(graph.get(v, ())):
            if w == start:
                return paths[v] + [start]
            if w in members and w not in paths:
                paths[w] = paths[v] + [w]
                todo.append(w)
    return group


def reach(graph: dict[str, set[str]], start: str) -> dict[str, list[str]]:
    """Module -> a chain of imports from `start` to it, for all it imports
    directly or through others."""
    paths = {start: [start]}
    todo = [start]
    while todo:
        v = todo.pop(0)
        for w in sorted(graph.get(v, ())):
            if w not in paths:
                paths[w] = paths[v] + [w]
                todo.append(w)
    return paths


def measuring_imports(graph: dict[str, set[str]], outside: dict[str, set[str]],
                      measuring: str = MEASURING, may: set[str] = MAY_MEASURE) -> list[str]:
    """`a -> b -> c` for every module outside the measuring tools that comes
    to import measuring or browser code."""
    found = []
    for name in sorted(graph):
        if name == measuring or name.startswith(measuring + ".") or name in may:
            continue
        for target, chain in reach(graph, name).items():
            if target == measuring or target.startswith(measuring + "."):
                found.append(" -> ".join(chain))
                break
            if outside.get(target, set()) & BROWSER:
                found.append(" -> ".join(chain + sorted(outside[target] & BROWSER)))
                break
    return found


def layer_of(name: str) -> tuple[int, str] | None:
    best = None
    for i, parts in enumerate(LAYERS):
        for part in parts:
            if (name == part or name.startswith(part + ".")) and (best is None or len(part) > len(best[1])):
                best = (i, part)
    return best


# --------------------------------------------------------------------------- #
# The tests of the tests: a tiny package with a cycle and a forbidden import
# --------------------------------------------------------------------------- #


def write_package(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_cycle_finder_finds_cycles_and_nothing_else(tmp_path):
    write_package(tmp_path, {
        "scripts/__init__.py": "",
        "scripts/a.py": "from .b import f\n",
        "scripts/b.py": "def f():\n    from scripts import c\n",  # inside a function: counts
        "scripts/c.py": "from . import a\n",
        "scripts/d/__init__.py": "from .e import g\n",  # a package importing its module: no cycle
        "scripts/d/e.py": "from ..a import f\n",
        "scripts/t.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .u import X\n",
        "scripts/u.py": "from .t import Y\n",  # t imports u only for type checkers: no cycle
    })
    graph, _ = import_graph(tmp_path, "scripts")
    assert graph["scripts.b"] == {"scripts.c"}
    assert graph["scripts.d.e"] == {"scripts.a"}
    assert cycles(graph) == [["scripts.a", "scripts.b", "scripts.c", "scripts.a"]]


def test_the_measuring_check_finds_indirect_imports(tmp_path):
    write_package(tmp_path, {
        "scripts/__init__.py": "",
        "scripts/measure/__init__.py": "",
        "scripts/measure/bench.py": "import playwright.sync_api\n",
        "scripts/pipeline/render.py": "from ..helpers import h\n",
        "scripts/helpers.py": "def h():\n    from scripts.measure import bench\n",
        "scripts/browser_user.py": "from playwright.sync_api import sync_playwright\n",
        "scripts/fine.py": "import json\n",
    })
    graph, outside = import_graph(tmp_path, "scripts")
    found = measuring_imports(graph, outside, may=set())
    assert found == [
        "scripts.browser_user -> playwright",
        "scripts.helpers -> scripts.measure.bench",
        "scripts.pipeline.render -> scripts.helpers -> scripts.measure.bench",
    ]


# --------------------------------------------------------------------------- #
# The project
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def project():
    return import_graph(ROOT, PACKAGE)


def test_no_import_cycles(project):
    graph, _ = project
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_build_never_imports_measuring_or_browser_code(project):
    found = measuring_imports(*project)
    assert not found, "measuring or browser code imported outside scripts/measure:\n" + "\n".join(found)


def test_imports_flow_down_the_layers(project):
    """From the command line down to the model; the pipeline's stages import
    only earlier stages (load, addresses, validate, enrich, render, build)."""
    graph, _ = project
    wrong = []
    for name, deps in sorted(graph.items()):
        mine = layer_of(name)
        if mine is None:
            assert not deps, f"{name} is in no layer of LAYERS but imports {sorted(deps)}"
            continue
        for dep in sorted(deps):
            theirs = layer_of(dep)
            if theirs is None or theirs[0] > mine[0] or (theirs[0] == mine[0] and theirs[1] != mine[1]):
                wrong.append(f"{name} imports {dep}")
    assert not wrong, "imports against the flow (see LAYERS):\n" + "\n".join(wrong)


def test_every_module_is_in_a_layer_and_small_with_a_docstring():
    wrong = []
    for name, path in modules(ROOT, PACKAGE).items():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_LINES:
            wrong.append(f"{path.relative_to(ROOT)}: {lines} lines (at most {MAX_LINES}: split it by job)")
        if not (ast.get_docstring(ast.parse(text)) or "").strip():
            wrong.append(f"{path.relative_to(ROOT)}: no docstring saying what the module owns")
        if layer_of(name) is None and name not in (PACKAGE, f"{PACKAGE}.pipeline"):
            wrong.append(f"{name}: in no layer of LAYERS (tests/test_layout.py)")
    assert not wrong, "\n".join(wrong)


# --------------------------------------------------------------------------- #
# README: the layout section is the tree
# --------------------------------------------------------------------------- #

_ENTRY = re.compile(r"^( *)([A-Za-z_][\w.-]*(?:\.py|/))(?=\s|$)")


def readme_tree(readme: str, top: str = "scripts/") -> set[str]:
    """The paths the README's layout section lists under `top`: one entry a
    line, indented two spaces a level (lines indented further continue a
    description)."""
    section = readme.split("## How the repository is laid out", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    out: set[str] = set()
    stack: list[str] = []
    inside = False
    for line in block.splitlines():
        m = _ENTRY.match(line)
        if not m or len(m[1]) % 2 or len(m[1]) > 12:
            continue
        level = len(m[1]) // 2
        if level == 0:
            inside = m[2] == top
            stack = [m[2]]
            continue
        if inside:
            stack = stack[:level] + [m[2]]
            out.add("".join(stack))
    return out


def actual_tree(root: Path, top: str = "scripts") -> set[str]:
    """Every module and folder under scripts/ (a package's __init__.py is its
    folder; folders that are not packages, such as templates/, are listed
    without their files)."""
    out: set[str] = set()

    def walk(folder: Path) -> None:
        for path in sorted(folder.iterdir()):
            rel = path.relative_to(root).as_posix()
            if path.is_dir() and path.name != "__pycache__":
                out.add(rel + "/")
                if (path / "__init__.py").exists():
                    walk(path)
            elif path.suffix == ".py" and path.name != "__init__.py":
                out.add(rel)

    walk(root / top)
    return out


def test_readme_layout_is_the_tree():
    listed = readme_tree((ROOT / "README.md").read_text(encoding="utf-8"))
    actual = actual_tree(ROOT)
    assert listed, "no scripts/ tree in the README's layout section"
    assert not actual - listed, f"in scripts/ but not in the README's layout: {sorted(actual - listed)}"
    assert not listed - actual, f"in the README's layout but not in scripts/: {sorted(listed - actual)}"
