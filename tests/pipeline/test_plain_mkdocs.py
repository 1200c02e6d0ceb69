"""The build's own mkdocs process (scripts/pipeline/build/mkdocs_child.py:
its plugins, among them rawhtml.py's blocks set aside sooner and the
navigation made once for many pages) writes the pages a plain mkdocs build
of the same docs folder writes, byte for byte, but for the search worker's
version on its address (the build's is the hash of the worker, plain
mkdocs' the build date: overrides/main.html). And the one Markdown instance
it converts every page with forgets what a page defined (a reference link,
its headings), which the real pages cannot show."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import NOW, ROOT

PLAIN_MKDOCS = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config(config_file="mkdocs.yml", docs_dir=sys.argv[1], site_dir=sys.argv[2], strict=True))
"""
WORKER_VERSION = re.compile(rb"(search-worker\.js\?v=)\d+")


@pytest.mark.slow  # generates the pages and builds them with plain mkdocs
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


def test_one_markdown_instance_forgets_each_page(tmp_path, monkeypatch):
    """The build's mkdocs converts every page with one Markdown instance
    (mkdocs_child._one_markdown): what a page defines (a reference link, its
    headings) does not reach the next page, as with mkdocs' new instance per
    page."""
    from mkdocs.config import load_config
    from mkdocs.structure import pages
    from mkdocs.structure.files import File, Files

    from scripts.paths import CONFIG
    from scripts.pipeline.build.mkdocs_child import _one_markdown

    mkdocs_own = pages.Page.render
    monkeypatch.setattr(pages.Page, "render", mkdocs_own)  # put back after the test
    docs, site = tmp_path / "docs", tmp_path / "site"
    docs.mkdir()
    texts = {"a.md": "# A {#a}\n\n[x]: http://example.invalid/\n\nsee [x]\n", "b.md": "# B {#b}\n\nsee [x]\n"}
    for name, text in texts.items():
        (docs / name).write_text(text, encoding="utf-8")
    config = load_config(config_file=str(CONFIG), docs_dir=str(docs), site_dir=str(site))

    def converted() -> dict[str, tuple[str, list[str]]]:
        files = Files([File(name, str(docs), str(site), True) for name in texts])
        out = {}
        for f in files:
            page = pages.Page(None, f, config)
            page.read_source(config)
            page.render(config, files)
            out[f.src_uri] = (page.content, [item.id for item in page.toc])
        return out

    fresh = converted()  # mkdocs' own: a new instance per page
    assert "example.invalid" in fresh["a.md"][0] and "example.invalid" not in fresh["b.md"][0]
    _one_markdown()
    assert pages.Page.render is not mkdocs_own
    assert converted() == fresh
