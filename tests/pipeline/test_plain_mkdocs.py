"""The build's own mkdocs process (scripts/pipeline/build/mkdocs_child.py:
its plugins, among them rawhtml.py's blocks set aside sooner and the
navigation made once for many pages) writes the pages a plain mkdocs build
of the same docs folder writes, byte for byte, but for the search worker's
version on its address (the build's is the hash of the worker, plain
mkdocs' the build date: overrides/main.html)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import NOW, ROOT

pytestmark = pytest.mark.slow  # generates the pages and builds them with plain mkdocs

PLAIN_MKDOCS = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config(config_file="mkdocs.yml", docs_dir=sys.argv[1], site_dir=sys.argv[2], strict=True))
"""
WORKER_VERSION = re.compile(rb"(search-worker\.js\?v=)\d+")


def test_pages_are_those_of_a_plain_mkdocs_build(built_site, data_dir, tmp_path, monkeypatch):
    from scripts.pipeline.build.generation import generate

    monkeypatch.setenv("NOW", NOW)
    docs, site = tmp_path / "docs", tmp_path / "site"
    assert generate(quiet=True, data_dir=data_dir, out=docs)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    plain = subprocess.run([sys.executable, "-c", PLAIN_MKDOCS, str(docs), str(site)],
                           cwd=ROOT, env=env, capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr[-3000:]
    pages = sorted(p.relative_to(site) for p in site.rglob("*.html"))
    assert pages == sorted(p.relative_to(built_site) for p in built_site.rglob("*.html"))
    differ = [str(rel) for rel in pages
              if WORKER_VERSION.sub(rb"\1", (site / rel).read_bytes())
              != WORKER_VERSION.sub(rb"\1", (built_site / rel).read_bytes())]
    assert not differ, f"{len(differ)} of {len(pages)} pages differ from plain mkdocs': {differ[:10]}"
