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
        "# Still to do by hand: short_title, topics, national, goals (split as the plan means them),",
        "# organisation members, annex restates, and lead/support where the text names units without a parenthesis.",
    ]
    if report.unknown_units:
        header.append(f"# Units not in data/departments/{plan['jurisdiction']}.yaml (map each to a department id):")
        for name, where in report.unknown_units.items():
            header.append(f"#   - {name}  ({', '.join(where)})")
    text = "\n".join(header) + "\n" + buf.getvalue()
    try:  # the canonical style of `make fmt` (left as dumped if it cannot format it)
        text = formatted(text)
    except Exception:
        pass
    return text


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
    print(f"import: wrote {path}: {len(plan['actions'])} actions, {report.tasks} tasks, "
          f"{report.deadlines} deadlines, {report.recurrences} recurring duties, "
          f"{report.units_known} units recognised, {len(report.unknown_units)} unknown")
    for name, where in report.unknown_units.items():
        print(f"import: unknown unit {name} ({', '.join(where)}): add it to "
              f"data/departments/{plan['jurisdiction']}.yaml")
    for w in report.warnings:
        print(f"import: {w}", file=sys.stderr)
    print("import: next, compare the draft with the source, run `make check`, then `make fmt`")
    return 0
