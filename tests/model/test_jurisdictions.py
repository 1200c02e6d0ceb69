"""The jurisdiction hierarchy (scripts/model/jurisdictions.py): ancestors,
children, areas, and walks that end even on data the validator rejects
(a missing parent, a cycle)."""

from __future__ import annotations

from scripts.model.jurisdictions import Hierarchy, ancestors
from scripts.model.models import Jurisdiction
from scripts.pipeline.load.corpus import load_corpus


def j(ident: str, parent: str | None = None, level: str = "镇") -> Jurisdiction:
    return Jurisdiction(id=ident, name=ident, level=level, parent=parent)


TREE = [j("prov", level="省"), j("city", "prov", "市"), j("dist", "city", "区"), j("town", "dist"),
        j("bureau", "dist", "委办局"), j("other", "prov", "市")]


def test_ancestors_run_from_the_top_down_to_the_parent():
    h = Hierarchy(TREE)
    assert h.ancestors("town") == ["prov", "city", "dist"]
    assert h.ancestors("prov") == []
    assert h.path("bureau") == ["prov", "city", "dist", "bureau"]
    assert ancestors("town", h.by_id) == h.ancestors("town")


def test_children_descendants_roots_and_areas():
    h = Hierarchy(TREE)
    assert h.roots() == ["prov"]
    assert h.children("prov") == ["city", "other"]
    assert h.descendants("city") == ["dist", "bureau", "town"]
    assert h.area("town") == "city" and h.area("city") == "city" and h.area("prov") == "prov"
    assert h.areas() == ["prov", "city", "other"]


def test_missing_parents_and_cycles_end_every_walk():
    h = Hierarchy([j("a", "b"), j("b", "a"), j("c", "a"), j("d", "nowhere"), j("e", "e")])
    assert h.cycles() == [["a", "b"], ["e"]]
    assert h.ancestors("d") == [] and "d" in h.roots()
    assert h.ancestors("c") == ["b", "a"]  # cut where the cycle closes
    assert all(x not in h.roots() for x in "abe")
    assert h.descendants("a") == ["c"] and h.descendants("d") == []  # the walk ends


def test_the_real_hierarchy_is_a_tree_and_every_plan_sits_in_it(data_dir):
    corpus = load_corpus(data_dir)
    h = corpus.hierarchy
    assert h.cycles() == []
    for p in corpus.plans:
        jid = p.model.jurisdiction
        assert jid in h
        for parent in h.ancestors(jid):
            assert parent in corpus.jurisdictions
    # every jurisdiction is reached from a top
    reached = set(h.roots()) | {d for r in h.roots() for d in h.descendants(r)}
    assert reached == set(corpus.jurisdictions)
