"""The pipeline's command line: check, schema, generate, build, serve."""

from __future__ import annotations

import argparse
import sys
import time


def cmd_check(args: argparse.Namespace) -> int:
    from .validate import check

    started = time.monotonic()
    corpus, problems = check()
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


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import write_schema

    path = write_schema()
    print(f"schema: wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate all data files").set_defaults(fn=cmd_check)
    sub.add_parser("schema", help="write data/schema/plan.schema.json from the models").set_defaults(fn=cmd_schema)
    args = parser.parse_args(argv)
    try:
        return args.fn(args)
    except KeyboardInterrupt:
        return 130
