"""When the hierarchy changes, the addresses of the pages split by
jurisdiction keep working: a clerk records a parent that a new document
prints (松江区 below 上海市), `make check` still passes with the registry as
it is, and the render stage writes a redirect page for every area page no
longer made and moves the kept anchors to the new area pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scripts.pipeline.addresses import Places, area_redirects, kept_anchors, read_registry
from scripts.pipeline.enrich import enrich
from scripts.pipeline.render import render_site
from scripts.pipeline.validate import check

ROOT = Path(__file__).resolve().parents[2]


def test_a_new_parent_keeps_every_address(tmp_path, data_dir):
    data = tmp_path / "data"
    shutil.copytree(data_dir, data)
    corpus, problems = check(data)
    assert problems == []
    before = Places.of_corpus(corpus)
    made = before.area_pages()
    top = next((r for r in before.hierarchy.roots() if any(made.get(u) in before.hierarchy.children(r) for u in made)), None)
    if top is None:
        pytest.skip("no top of the hierarchy has areas below it in this data")
    # a new top above it: the areas below it merge into it
    (data / "departments" / "newtop.yaml").write_text(
        "jurisdiction: {id: newtop, name: 新省, level: 省}\ndepartments: []\n", encoding="utf-8")
    reg = data / "departments" / f"{top}.yaml"
    text = reg.read_text(encoding="utf-8")
    text = re.sub(r"(\n  level: [^\n]+\n)", r"\1  parent: newtop\n", text, count=1)
    reg.write_text(text, encoding="utf-8")
    corpus, problems = check(data)
    assert [p for p in problems if "would no longer exist" in p.message] == [], problems
    after = Places.of_corpus(corpus)
    registered = [a for _, a in read_registry(data)]
    gone = [a for a in registered if a in before.area_pages() and a not in after.area_pages()]
    assert gone, "the change should retire some area pages"
    redirects = area_redirects(after, registered)
    assert set(gone) <= set(redirects)
    sections = {"compare/", "timeline/", "timeline/recurring/"} | {f"topics/{t}/" for t in after.topics} | {
        f"departments/categories/{c}/" for c in after.categories}
    for old in gone:
        new = redirects[old].split("#", 1)[0]
        assert new in after.area_pages() or new in sections, (old, new)
    # the kept anchors that pointed into the areas below it now point into it
    def kept(places):
        return {f"{page}#{k.fragment}": k.new for page, ks in kept_anchors(places, registered).items() for k in ks}

    merged = {f"/{c}/" for c in before.hierarchy.children(top)}
    was, now = kept(before), kept(after)
    split = ("topics/", "departments/categories/", "timeline/", "compare/")  # the pages split by area
    for address, new in was.items():
        if new.startswith(split) and any(m in new for m in merged):
            assert f"/{top}/" in now[address] and not any(m in now[address] for m in merged), (address, now[address])
    # the render stage writes the redirect pages
    out = tmp_path / "docs"
    render_site(enrich(corpus), out=out, data_dir=data)
    for old in gone:
        page = out / old / "index.html"
        assert page.is_file(), old
        assert "http-equiv=\"refresh\"" in page.read_text(encoding="utf-8")
