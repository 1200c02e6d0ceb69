"""`make import`'s command: the draft written as YAML (the schema comment
first, a header of what is left to do, the canonical `make fmt` style), the
source text in data/sources/ (a .txt copied as it is, the text of a .docx or
.pdf written as <name>.txt), and a summary for the editor."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from ruamel.yaml import YAML

from ...model.models import SCHEMA_COMMENT
from ...paths import DATA
from ..fmt import formatted
from ..scaffold import ID_RE
from .draft import Report, build_draft
from .extract import ExtractError, read_text
from .read import DraftError
from .units import jurisdiction_level


def to_yaml(plan: dict, report: Report, src_name: str) -> str:
    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 100_000
    y.allow_unicode = True
    buf = io.StringIO()
    y.dump(plan, buf)
    header = [
        SCHEMA_COMMENT,
        f"# DRAFT imported from data/sources/{src_name} by `make import` — check every field against the source.",
        "# Ids are short hashes of the titles (never positions). Editors may rename them to readable slugs",
        "# (e.g. mg-hazard-screening) before the plan is first published (`make addresses`); after that an id",
        "# is fixed and a rename needs previous_ids.",
        "# `draft: true` and every `todo:` below are what the review still has to do: `make check` lists each",
        "# with its line (and the draft entries of the department registry) and passes only when none is left;",
        "# `make serve` previews the draft with a 草稿 banner meanwhile. Also worth a look: topics, national,",
        "# goals (split as the plan means them), organisation members, annex restates.",
    ]
    if report.unknown_units:
        header.append("# Words in responsibility clauses not read as units (see todo):")
        for name, where in report.unknown_units.items():
            header.append(f"#   - {name}  ({', '.join(where)})")
    text = "\n".join(header) + "\n" + buf.getvalue()
    try:  # the canonical style of `make fmt` (left as dumped if it cannot format it)
        text = formatted(text)
    except Exception:
        pass
    return text


REGISTRY_HEADER = """# yaml-language-server: $schema=../schema/departments.schema.json
# Started by `make import` from {source}: the units the plan names, each a draft
# entry (name as printed, guessed short name and category, `draft: true`). Check the
# jurisdiction's name and level, then each entry, and delete its `draft: true`.
"""


def write_registry(data_dir: Path, report: Report, plan: dict, src_name: str) -> Path | None:
    """The import's draft entries added to data/departments/<jurisdiction>.yaml
    (started when there is none); comments and entries already there are kept."""
    reg = report.registry
    if reg is None or not reg.drafts:
        return None
    path = data_dir / "departments" / f"{plan['jurisdiction']}.yaml"
    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 100_000
    y.allow_unicode = True
    if path.exists():
        data = y.load(path.read_text(encoding="utf-8"))
        text_head = ""
    else:
        jur = {"id": plan["jurisdiction"], "name": reg.name or plan["issuer"],
               "level": jurisdiction_level(plan["issuer"], reg.name)}
        data = {"jurisdiction": jur, "departments": []}
        text_head = REGISTRY_HEADER.format(source=f"data/sources/{src_name}")
    data["departments"].extend(reg.drafts)
    buf = io.StringIO()
    y.dump(data, buf)
    text = text_head + buf.getvalue()
    try:
        text = formatted(text)
    except Exception:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(src: Path, data_dir: Path = DATA, plan_id: str | None = None, jurisdiction: str | None = None,
        out: Path | None = None, force: bool = False, prefix: str | None = None) -> int:
    """The command line: write the draft; returns an exit code."""
    src = Path(src)
    if not src.is_file():
        print(f"import: {src} does not exist", file=sys.stderr)
        return 2
    for name, value in (("--id", plan_id), ("--jurisdiction", jurisdiction), ("--prefix", prefix)):
        if value and not ID_RE.match(value):
            print(f"import: {name} '{value}' is not an id (lowercase letters, digits, hyphens)", file=sys.stderr)
            return 2
    if out is not None and not plan_id:
        plan_id = Path(out).stem
    # the source text must be in data/sources/ for `make check`: a .txt as it is,
    # the text extracted from a .docx or .pdf under the same name with .txt
    try:
        text = read_text(src)
    except ExtractError as e:
        print(f"import: {src}: {e}", file=sys.stderr)
        return 2
    is_text = src.suffix.lower() in (".txt", ".text", ".md")
    content = src.read_bytes() if is_text else text.encode("utf-8")
    sources = data_dir / "sources"
    target = sources / (src.name if is_text else src.stem + ".txt")
    copy = False
    if target.exists():
        if target.resolve() != src.resolve() and target.read_bytes() != content:
            print(f"import: {target} exists with other content; rename {src.name} and try again", file=sys.stderr)
            return 1
    else:
        copy = True
    try:
        plan, report = build_draft(src, data_dir, plan_id=plan_id, jurisdiction=jurisdiction, prefix=prefix,
                                   source_name=target.name, text=text)
    except DraftError as e:
        print(f"import: {src}: {e}", file=sys.stderr)
        return 2
    path = Path(out) if out is not None else data_dir / "plans" / f"{plan['id']}.yaml"
    if path.stem != plan["id"]:
        print(f"import: note that `make check` wants the plan id '{plan['id']}' to equal the file name "
              f"'{path.stem}'", file=sys.stderr)
    if path.exists() and not force:
        print(f"import: {path} already exists; nothing written (use --force / FORCE=1 to overwrite)",
              file=sys.stderr)
        return 1
    if copy:
        sources.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        print(f"import: {'copied' if is_text else 'wrote the text of'} {src} to {target}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(plan, report, target.name), encoding="utf-8")
    reg_path = write_registry(data_dir, report, plan, target.name)
    if reg_path:
        print(f"import: {len(report.registry.drafts)} unit(s) new to the registry: draft entries in {reg_path}")
    print(f"import: wrote {path}: {len(plan['actions'])} actions, {report.tasks} tasks, "
          f"{report.deadlines} deadlines, {report.recurrences} recurring duties, "
          f"{report.units_known} unit assignments, {len(report.unknown_units)} words not read as units")
    for name, where in report.unknown_units.items():
        print(f"import: not read as a unit: {name} ({', '.join(where)})")
    for w in report.warnings:
        print(f"import: {w}", file=sys.stderr)
    print("import: next, `make serve` to review the draft (草稿) and `make check` for what it still needs")
    return 0
