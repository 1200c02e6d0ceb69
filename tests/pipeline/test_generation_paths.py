"""The build writes the downloads, feeds and redirect pages straight into
the folder mkdocs builds the site in, while mkdocs runs
(scripts/pipeline/build/__init__.py): none of their paths may be one that
mkdocs writes, or which of the two is published would depend on timing.
Checked on the data with progress reports (boards, bulletins, feeds) and
with a unit's old id (a redirect page)."""

from __future__ import annotations

import datetime as dt
import shutil

import yaml

from conftest import NOW
from scripts.measure.corpus import _dump
from scripts.pipeline.enrich import enrich
from scripts.pipeline.render import render_extras, render_site
from scripts.pipeline.validate import check

MKDOCS_OWN = {"404.html", "sitemap.xml", "sitemap.xml.gz"}  # written by mkdocs itself, besides assets/


def _mkdocs_path(rel: str) -> str:
    """Where mkdocs (use_directory_urls) writes a file of the docs folder."""
    if not rel.endswith(".md"):
        return rel
    folder, _, name = rel.rpartition("/")
    stem = name[:-3]
    if stem in ("index", "README"):
        return f"{folder}/index.html" if folder else "index.html"
    return f"{folder}/{stem}/index.html" if folder else f"{stem}/index.html"


def test_no_download_feed_or_redirect_page_is_at_a_path_mkdocs_writes(tmp_path, progress_data):
    data = tmp_path / "data"
    shutil.copytree(progress_data, data)
    registry = sorted((data / "departments").glob("*.yaml"))[0]  # a unit renamed its id: a redirect page
    content = yaml.safe_load(registry.read_text(encoding="utf-8"))
    unit = content["departments"][0]
    unit.setdefault("previous_ids", []).append(unit["id"] + "-old")
    _dump(registry, content, comment=False)
    corpus, problems = check(data)
    assert not problems, "\n".join(map(str, problems[:10]))
    site = enrich(corpus, dt.date.fromisoformat(NOW))
    docs, extras = tmp_path / "docs", tmp_path / "extras"
    render_site(site, out=docs, data_dir=data, extras=False)
    render_extras(site, extras, search=False)
    written = {_mkdocs_path(p.relative_to(docs).as_posix()) for p in docs.rglob("*") if p.is_file()}
    made = {p.relative_to(extras).as_posix() for p in extras.rglob("*") if p.is_file()}
    assert any(p.endswith(".csv") for p in made) and any(p.endswith(".xml") for p in made)
    assert f"departments/{unit['id']}-old/index.html" in made, "no redirect page: the test proves nothing"
    assert not made & (written | MKDOCS_OWN)
    assert not [p for p in made if p.startswith("assets/")]
