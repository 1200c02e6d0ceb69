"""The command line, `python -m scripts <command>`: parses the arguments and
hands each command to the pipeline (check, generate, build), to `make serve`
(serve.py) or to an editor's tool (fmt, new-plan, addresses, import, import-progress, schema).
The top of the import graph: nothing imports it but __main__.py."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .paths import DATA


def cmd_check(args: argparse.Namespace) -> int:
    from .pipeline.validate import check

    started = time.monotonic()
    corpus, problems = check(args.data)
    for p in problems:
        print(p)
    n_tasks = sum(len(a.tasks) for p in corpus.plans if p.model for a in p.model.actions)
    took = time.monotonic() - started
    if problems:
        print(f"check: {len(problems)} problem{'s' if len(problems) != 1 else ''} found "
              f"in {len(corpus.plans)} plans ({took:.1f} s)", file=sys.stderr)
        return 1
    print(f"check: ok, {len(corpus.plans)} plans, {n_tasks} tasks, "
          f"{len(corpus.departments)} departments ({took:.1f} s)", file=sys.stderr)
    return 0


def cmd_addresses(args: argparse.Namespace) -> int:
    """Record new addresses, only when the data is otherwise valid: a draft
    that fails `make check` publishes nothing, so it records nothing."""
    from .editor.addresses import update_registry
    from .pipeline.addresses import is_unrecorded
    from .pipeline.validate import check

    corpus, problems = check(args.data)
    blocking = [p for p in problems if not is_unrecorded(p)]
    if blocking:
        for p in blocking:
            print(p)
        print(f"addresses: nothing recorded: `make check` finds {len(blocking)} problem"
              f"{'s' if len(blocking) != 1 else ''} besides the new addresses; fix them and run `make addresses` again",
              file=sys.stderr)
        return 1
    n = update_registry(corpus)
    print(f"addresses: recorded {n} new address(es) in {args.data / 'addresses.txt'}")
    return 0


def cmd_fmt(args: argparse.Namespace) -> int:
    from .editor.fmt import run

    return run(check_only=args.check, data_dir=args.data)


def cmd_new_plan(args: argparse.Namespace) -> int:
    from .editor.scaffold import new_plan

    return new_plan(args.id, args.jurisdiction, data_dir=args.data)


def cmd_import(args: argparse.Namespace) -> int:
    from .editor.importer.write import run

    return run(args.src, data_dir=args.data, plan_id=args.id, jurisdiction=args.jurisdiction,
               out=args.out, force=args.force, prefix=args.prefix)


def cmd_import_progress(args: argparse.Namespace) -> int:
    from .editor.progress_import import run

    return run(args.src, data_dir=args.data)


def cmd_schema(args: argparse.Namespace) -> int:
    from .editor.schema import write_schema

    path = write_schema()
    print(f"schema: wrote {path}")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from .pipeline.build.generation import generate

    return 0 if generate(data_dir=args.data) else 1


def cmd_build(args: argparse.Namespace) -> int:
    from .pipeline.build import build

    return build(site_dir=args.site_dir, data_dir=args.data)


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    return serve(args.addr, data_dir=args.data, **({"docs": args.docs} if args.docs else {}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts")
    parser.add_argument("--data", type=Path, default=DATA, help="the data folder (default: data/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate all data files").set_defaults(fn=cmd_check)
    sub.add_parser("schema", help="write data/schema/plan.schema.json from the models").set_defaults(fn=cmd_schema)
    sub.add_parser("addresses", help="record new published addresses in data/addresses.txt").set_defaults(fn=cmd_addresses)
    f = sub.add_parser("fmt", help="write every YAML file in the canonical style")
    f.add_argument("--check", action="store_true", help="only list unformatted files (exit 1 if any)")
    f.set_defaults(fn=cmd_fmt)
    n = sub.add_parser("new-plan", help="write a valid stub plan to start from")
    n.add_argument("id")
    n.add_argument("--jurisdiction", default=None)
    n.set_defaults(fn=cmd_new_plan)
    im = sub.add_parser("import", help="write a draft plan from the plain text of a plan document")
    im.add_argument("src", type=Path, help="the plan's plain text (copied to data/sources/ if missing)")
    im.add_argument("--id", default=None, help="plan id (default: <jurisdiction>-<period>)")
    im.add_argument("--jurisdiction", default=None, help="jurisdiction id (default: found from the issuer)")
    im.add_argument("--out", type=Path, default=None, help="write here instead of data/plans/<id>.yaml")
    im.add_argument("--force", action="store_true", help="overwrite an existing draft")
    im.add_argument("--prefix", default=None, help="id prefix (default: initials of the plan id)")
    im.set_defaults(fn=cmd_import)
    ip = sub.add_parser("import-progress", help="read the progress filled in on department XLSX lists into data/progress/")
    ip.add_argument("src", type=Path, help="the returned workbook (one or more units' sheets)")
    ip.set_defaults(fn=cmd_import_progress)
    sub.add_parser("generate", help="write the pages into build/docs").set_defaults(fn=cmd_generate)
    b = sub.add_parser("build", help="check, generate and build the site with mkdocs --strict")
    b.add_argument("--site-dir", default="site", help="where to publish (default: site)")
    b.set_defaults(fn=cmd_build)
    s = sub.add_parser("serve", help="serve with live reload, regenerating on data edits")
    s.add_argument("--addr", default="127.0.0.1:8000")
    s.add_argument("--docs", type=Path, help="generate the pages into this folder (default: build/docs)")
    s.set_defaults(fn=cmd_serve)
    args = parser.parse_args(argv)
    try:
        return args.fn(args)
    except KeyboardInterrupt:
        return 130
