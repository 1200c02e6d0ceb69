"""Jinja's compiled templates kept between processes (build/jinja/, git-ignored).

Every process that renders templates (a build's generation, each mkdocs
process, `make serve`, a test) would otherwise compile every template it
uses again: about a tenth of the CPU of a build of the real data (measured:
4.5 -> 4.0 s). Jinja's FileSystemBytecodeCache keeps the compiled code of a
template under its name and file, and reuses it while the template's source
is the same (its SHA-1 is checked; a file written by another process appears
whole: written aside, then renamed).

What else the compiled code depends on is in the folder's name: the Jinja
and Python versions and the environment's syntax options, and the filters
and tests by name and by the file that defines them (the optimiser computes
a filter of a constant when it compiles: `{{ "x"|md }}`). A change to any of
them means another folder, so stale code is never used; old folders stay
until `make clean`. A folder that cannot be written only means compiling as
before.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import sys

from jinja2 import FileSystemBytecodeCache, __version__

from .paths import COMPILED_TEMPLATES


class _Kept(FileSystemBytecodeCache):
    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # read-only or full: the template was compiled all the same
            pass


def _origin(func) -> str:
    """Where a filter or test is defined: its file, with the file's size and
    time, and its name and line."""
    try:
        path = inspect.getsourcefile(func) or ""
        st = os.stat(path)
    except (TypeError, OSError):
        return repr(func)
    line = getattr(getattr(func, "__code__", None), "co_firstlineno", 0)
    return f"{path}:{st.st_size}:{st.st_mtime_ns}:{getattr(func, '__qualname__', '')}:{line}"


def setup_key(env) -> str:
    """What, besides a template's source, its compiled code depends on."""
    autoescape = env.autoescape if isinstance(env.autoescape, bool) else _origin(env.autoescape)
    parts = [
        __version__, sys.version, env.block_start_string, env.block_end_string, env.variable_start_string,
        env.variable_end_string, env.comment_start_string, env.comment_end_string, env.line_statement_prefix,
        env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks, env.newline_sequence,
        env.keep_trailing_newline, sorted(env.extensions), env.optimized, env.is_async, autoescape,
        sorted((name, _origin(f)) for name, f in env.filters.items()),
        sorted((name, _origin(f)) for name, f in env.tests.items()),
    ]
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:16]


def keep_compiled(env) -> None:
    """Give `env` the compiled templates of earlier processes with its setup
    (call it once its filters and tests are in place)."""
    folder = COMPILED_TEMPLATES / setup_key(env)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    env.bytecode_cache = _Kept(str(folder))
