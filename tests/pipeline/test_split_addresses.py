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
    now_made = after.area_pages()
    gone = [a for a in registered if a in made and a not in now_made]
    assert gone, "the change should retire some area pages"
    redirects = area_redirects(after, registered)
    assert set(gone) <= set(redirects)
    sections = {"compare/", "timeline/", "timeline/recurring/"} | {f"topics/{t}/" for t in after.topics} | {
        f"departments/categories/{c}/" for c in after.categories}
    for old in gone:
        new = redirects[old].split("#", 1)[0]
        assert new in now_made or new in sections, (old, new)
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


def test_a_renamed_jurisdiction_keeps_its_page_and_its_board(data_dir):
    """previous_ids on a jurisdiction: its old page and, when it has plans
    of its own, its old 挂图作战 board send readers to the new ones; one
    without plans has no board, so no board redirect."""
    from urllib.parse import urljoin

    from scripts.model.urls import board_url, jurisdiction_url
    from scripts.pipeline.addresses import redirect_files

    def target(pages: dict[str, str], old: str) -> str:
        url = re.search(r'url=([^"]+)"', pages[old + "index.html"])[1]
        return urljoin("http://s/" + old, url)[len("http://s/"):]

    corpus, problems = check(data_dir)
    assert problems == []
    plans = [p.model for p in corpus.plans]
    deps = [d for r in corpus.registries for d in r.model.departments]
    places = Places.of_corpus(corpus)
    with_plans = {p.jurisdiction for p in plans}
    places.hierarchy.by_id = {jid: j.model_copy(update={"previous_ids": [f"old-{jid}"]})
                              for jid, j in places.hierarchy.by_id.items()}
    pages = redirect_files(plans, deps, places)
    assert with_plans
    for jid in places.hierarchy.by_id:
        assert target(pages, jurisdiction_url(f"old-{jid}")) == jurisdiction_url(jid)
        if jid in with_plans:
            assert target(pages, board_url(f"old-{jid}")) == board_url(jid)
        else:
            assert board_url(f"old-{jid}") + "index.html" not in pages


def test_a_board_whose_jurisdiction_has_no_plan_left_sends_readers_to_the_jurisdiction(data_dir):
    """A plan recorded under another jurisdiction (a correction) leaves its old
    jurisdiction without a board: the registered board address then leads to
    that jurisdiction's page (the jurisdiction still has its units)."""
    from scripts.model.urls import board_url, jurisdiction_url
    from scripts.pipeline.addresses import board_redirects, redirect_files

    corpus, problems = check(data_dir)
    assert problems == []
    registered = [a for _, a in read_registry(data_dir)]
    places = Places.of_corpus(corpus)
    assert places.boards() and set(places.boards()) <= set(registered), "every board is a recorded address"
    assert board_redirects(places, registered) == {}
    jid = next(iter(places.plans.values())).jurisdiction
    others = [j for j in places.boards().values() if j != jid]
    if not others:
        pytest.skip("the data has plans in one jurisdiction only")
    plans = [p.model_copy(update={"jurisdiction": others[0]}) if p.jurisdiction == jid else p
             for p in places.plans.values()]
    registries = [(r.model.jurisdiction, r.model.departments) for r in corpus.registries]
    after = Places(plans, registries, corpus.topic_ids, corpus.category_ids)
    assert jid in after.published(), "the jurisdiction keeps its units and its page"
    old = board_url(jid)
    assert old not in after.boards()
    assert board_redirects(after, registered) == {old: jurisdiction_url(jid)}
    page = redirect_files(plans, [], after, registered)[old + "index.html"]
    assert f"url=../../{jurisdiction_url(jid)}" in page
