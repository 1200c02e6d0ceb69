"""Search that narrows, in pure Python: the facets every search document
carries (jurisdiction with its ancestors, plan, year of deadline, unit
category), the facet files, the reference engine narrowed by them and
counting them, and what it offers when nothing holds the words as typed
(synonyms, marked; nearest matches, 部分匹配; suggestions). Expectations come
from the data (or from small indexes built here), never from today's plans."""

from __future__ import annotations

import json
import random
from collections import Counter
from types import SimpleNamespace

import pytest

from scripts.measure.engine import Engine
from scripts.search.documents import documents, record_fields
from scripts.search.facets import FACETS, jurisdiction_paths, runs, unrun
from scripts.search.index import index_files
from scripts.search.text import fold, is_han, variants
from test_search_index import build, page, task


# --------------------------------------------------------------------------- #
# The jurisdiction path and the runs
# --------------------------------------------------------------------------- #


def J(id, name, parent=None):
    return SimpleNamespace(id=id, name=name, parent=parent)


def test_jurisdiction_path_from_the_hierarchy():
    paths = jurisdiction_paths([
        J("shanghai", "上海市"),
        J("putuo", "普陀区", "shanghai"),
        J("street", "某某路街道", "putuo"),
        J("songjiang", "松江区"),
        J("town", "泖港镇", "songjiang"),
        J("gzw", "宝山区国资委", "baoshan"),
        J("baoshan", "宝山区", "shanghai"),
    ])
    assert paths["street"] == [("shanghai", "上海市"), ("putuo", "普陀区"), ("street", "某某路街道")]
    assert paths["putuo"] == [("shanghai", "上海市"), ("putuo", "普陀区")]
    assert paths["town"] == [("songjiang", "松江区"), ("town", "泖港镇")]  # no parent printed above 松江区
    assert paths["gzw"] == [("shanghai", "上海市"), ("baoshan", "宝山区"), ("gzw", "宝山区国资委")]
    assert paths["shanghai"] == [("shanghai", "上海市")]


def test_runs_round_trip():
    rng = random.Random(3)
    for _ in range(200):
        docs = sorted(rng.sample(range(300), rng.randint(0, 120)))
        r = runs(docs)
        assert unrun(r) == docs and len(r) % 2 == 0
    assert runs([3, 4, 5, 9]) == [3, 3, 3, 1]  # 3 to 5, then 9 (three after 6)


# --------------------------------------------------------------------------- #
# The real data: every document's facets, the facet files
# --------------------------------------------------------------------------- #


# real_site: the enriched real data (tests/conftest.py)


@pytest.fixture(scope="module")
def real_docs(real_site):
    return documents(real_site)[0]


def test_every_document_carries_its_facets(real_site, real_docs):
    by_url = {d.rec["u"]: d for d in real_docs}
    paths = jurisdiction_paths(real_site.hierarchy.by_id.values())
    for p in real_site.plans:
        own = [(p.data.id, p.data.short_title)]
        path = paths[p.jurisdiction.id]
        assert path[-1][0] == p.jurisdiction.id
        assert by_url[p.url].facets == {"j": path, "p": own}
        for t in p.tasks:
            f = by_url[t.url].facets
            assert f["j"] == path and f["p"] == own
            assert [int(y) for y, _ in f.get("y", [])] == sorted({d.date.year for d in t.deadlines})
            cats = {d.category.data.id for d in t.lead + t.support if d.category}
            assert {c for c, _ in f.get("c", [])} == cats
    for dep in real_site.departments.values():
        f = by_url[dep.url].facets
        assert f["j"] == paths[dep.jurisdiction.id]
        assert f.get("c", []) == ([(dep.category.data.id, dep.category.data.name)] if dep.category else [])
    for topic in real_site.topics.values():
        assert by_url[topic.url].facets == {}


@pytest.fixture(scope="module")
def tables(real_site):
    files = index_files(real_site)
    manifest = json.loads(files["search/search_index.json"])["config"]["cjk"]
    return manifest, {k: json.loads(files[f"search/f/{k}.json"]) for k in manifest["facets"]}


def test_facet_files_hold_every_documents_values(real_docs, tables):
    manifest, t = tables
    assert manifest["facets"] == list(FACETS)
    for kind, table in t.items():
        assert len(table["v"]) == len(table["r"]) == len({v[0] for v in table["v"]})
        for v, r in zip(table["v"], table["r"]):
            expected = [i for i, d in enumerate(real_docs) if v[0] in {x for x, _ in d.facets.get(kind, [])}]
            assert unrun(r) == expected, (kind, v)
            assert expected, (kind, v)  # no value without documents


def test_a_jurisdiction_keeps_its_sub_jurisdictions(real_docs, tables):
    values = tables[1]["j"]["v"]
    docs = {v[0]: set(unrun(r)) for v, r in zip(values, tables[1]["j"]["r"])}
    for i, v in enumerate(values):
        if v[2] >= 0:
            parent = values[v[2]]
            assert v[2] < i, "a parent comes before its children"
            assert docs[v[0]] <= docs[parent[0]], (v, parent)
    # a document of a jurisdiction is kept by every jurisdiction above it
    for i, d in enumerate(real_docs):
        for vid, _ in d.facets.get("j", []):
            assert i in docs[vid]


# --------------------------------------------------------------------------- #
# The engine narrowed and counting, on the real build
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def engine(built_site):
    return Engine(built_site)


@pytest.fixture(scope="module")
def broad_word(real_docs):
    """The two characters most task titles share: a query with many results
    in several plans (two characters: its candidates are its matches)."""
    pairs = Counter()
    for d in real_docs:
        if d.rec["k"] == "t":
            title = d.rec["t"]
            pairs.update({title[i:i + 2] for i in range(len(title) - 1) if is_han(title[i]) and is_han(title[i + 1])})
    return pairs.most_common(1)[0][0]


def members(engine, kind: str, value: str) -> set[int]:
    table = engine.facet(kind, [])
    return set(unrun(table["r"][[v[0] for v in table["v"]].index(value)]))


def test_filters_narrow_and_counts_are_right(engine, broad_word):
    a = engine.search(broad_word)
    assert a.exact and not a.approx and a.total > 10
    counts = engine.counts(a)
    for kind in FACETS:
        assert counts[kind][""] == a.total
        assert len(counts[kind]) > 2, kind  # at least two values to choose between
        for value, n in counts[kind].items():
            if not value:
                continue
            narrowed = engine.search(broad_word, limit=1000, filters={kind: value})
            keep = members(engine, kind, value)
            assert narrowed.total == n, (kind, value)
            assert len(narrowed.hits) == n and {h.doc for h in narrowed.hits} <= keep
            assert {h.doc for h in narrowed.hits} == {h.doc for h in engine.search(broad_word, limit=1000).hits} & keep
    # cleared: the same answer as before
    assert [h.doc for h in engine.search(broad_word, filters={}).hits] == [h.doc for h in a.hits]


def test_counts_apply_the_other_filters(engine, broad_word):
    a = engine.search(broad_word)
    j = max((v for v in engine.counts(a)["j"] if v), key=lambda v: (engine.counts(a)["j"][v] < a.total, v))
    narrowed = engine.search(broad_word, filters={"j": j})
    counts = engine.counts(narrowed)
    assert counts["j"][""] == a.total  # its own facet: every jurisdiction still offered
    for kind in ("p", "y", "c"):
        assert counts[kind][""] == narrowed.total
        for value, n in counts[kind].items():
            if value:
                assert engine.search(broad_word, filters={"j": j, kind: value}).total == n


def test_an_unknown_value_keeps_nothing(engine, broad_word):
    a = engine.search(broad_word, filters={"p": "no-such-plan"})
    assert a.total == 0 and not a.hits


# --------------------------------------------------------------------------- #
# No exact result: synonyms marked, nearest matches, suggestions
# --------------------------------------------------------------------------- #


@pytest.fixture
def gas(tmp_path):
    return build(tmp_path, [
        task(1, "深化城镇燃气专项治理", "推进瓶装液化气安全监管。"),
        task(2, "燃气管道保护", "开展燃气管道巡查。"),
        task(3, "气象灾害预警", "完善气象监测。"),
        task(4, "罐区安全", "储气罐检查。"),
        task(5, "其他工作", "加强培训。"),
        page("g", "topics/gas/", "燃气"),
    ], synonyms=[["煤气", "燃气"], ["液化气", "液化石油气"]])


def test_synonym_only_results_are_marked_and_suggested(gas):
    a = gas.search("煤气")
    assert not a.exact
    found = [h for h in a.hits if h.mark != "partial"]
    assert {h.rec["u"] for h in found} == {"plans/test/#t1", "plans/test/#t2", "topics/gas/"}
    assert all(h.mark == "synonym" for h in found)
    assert a.suggest == ["燃气"]
    # the synonym itself: exact, nothing suggested
    b = gas.search("燃气")
    assert b.exact and all(h.mark == "exact" for h in b.hits) and b.suggest == [] and b.partial == 0


def test_nearest_matches_come_after_every_match_and_are_marked(gas):
    a = gas.search("煤气罐")  # no document holds it, nor 燃气罐
    assert not a.exact and all(h.mark == "partial" for h in a.hits)
    # two of the three characters at least; most in common first
    assert a.hits and all(sum(c in h.rec["t"] + h.rec["x"] for c in "煤气罐") >= 2 for h in a.hits)
    assert a.total == a.partial == len(a.hits)
    assert "燃气" in a.suggest  # the synonym of a part of it
    b = gas.search("煤气")  # synonyms first, then nearest matches (气 or 煤: 气象)
    marks = [h.mark for h in b.hits]
    assert marks == sorted(marks, key=lambda m: m == "partial") and "plans/test/#t3" in [h.rec["u"] for h in b.hits]
    assert b.partial == marks.count("partial") and b.total == len(b.hits)


def test_exact_results_leave_no_room_for_nearest_matches(gas):
    a = gas.search("气象")
    assert a.exact and a.partial == 0 and all(h.mark == "exact" for h in a.hits)


def test_nearest_is_most_characters_in_common_brute_force(tmp_path):
    rng = random.Random(11)
    alphabet = "安全生产隐患排查治理消防燃气危险化学品运输应急局区镇"
    docs = [task(i + 1, "".join(rng.choice(alphabet) for _ in range(rng.randint(2, 6))),
                 "".join(rng.choice(alphabet) for _ in range(rng.randint(5, 30)))) for i in range(120)]
    engine = build(tmp_path, docs, bundle=False)
    recs = [(d.rec, ["测试镇三年行动", "测府字〔2024〕1号", "测试镇安全生产治本攻坚三年行动实施方案", "plans/test/"]) for d in docs]
    for _ in range(40):
        q = "".join(rng.choice(alphabet) for _ in range(rng.randint(2, 6)))
        chars = list(dict.fromkeys(c for c in fold(q) if is_han(c)))
        if len(chars) < 2:
            continue
        expected = []
        for i, (rec, plan) in enumerate(recs):
            text = " ".join(fold(s) for _, s in record_fields(rec, plan))
            n = sum(c in text for c in chars)
            pairs = sum(g in text for g in dict.fromkeys(q[k:k + 2] for k in range(len(q) - 1)))
            if n >= (len(chars) + 1) // 2:
                expected.append((-(1000 * n + pairs), i))
        assert [d for _, d in engine.nearest([fold(q)], [])] == [i for _, i in sorted(expected)], q


def synonym_pairs(docs, synonyms: list[list[str]]) -> list[tuple[str, str]]:
    """(absent, present): two names of one synonym group, the first held by no
    document, the second by some (neither inside the other)."""
    texts = [" ".join(fold(s) for _, s in d.fields) for d in docs]
    out = []
    for group in synonyms:
        present = [t for t in group if any(t in x for x in texts)]
        for absent in group:
            if absent in present:
                continue
            out += [(absent, p) for p in present if p not in absent and absent not in p]
    return out


def unjoined_pair(docs) -> str:
    """Two characters the documents hold often, never side by side (and no
    synonym's name): a query nothing holds as typed."""
    texts = [" ".join(fold(s) for _, s in d.fields) for d in docs]
    common = [c for c, _ in Counter(c for t in texts for c in set(t) if is_han(c)).most_common(40)]
    return next(a + b for a in common for b in common
                if a != b and not any(a + b in t for t in texts) and variants(a + b, [["x"]]) == [a + b])


def test_real_synonyms_offer_what_the_plans_call_it(engine, real_docs):
    """Every synonym group with a name no document holds and a name some do:
    the absent name finds the present one's documents, marked, and suggests it."""
    pairs = synonym_pairs(real_docs, engine.m["synonyms"])
    assert len({a for a, _ in pairs}) >= 5
    for name in dict.fromkeys(a for a, _ in pairs):
        present = [p for a, p in pairs if a == name]
        a = engine.search(name)
        assert not a.exact and a.hits and a.hits[0].mark == "synonym", name
        assert set(present) & set(a.suggest), (name, a.suggest)
        for h in a.hits:
            text = " ".join(fold(s) for _, s in record_fields(h.rec, h.plan))
            assert h.mark == "partial" or any(p in text for p in present), (name, h.rec["u"])


def test_a_query_nothing_holds_lists_the_nearest_matches(engine, real_docs):
    query = unjoined_pair(real_docs)
    a = engine.search(query)
    assert not a.exact and a.hits and a.partial == a.total and {h.mark for h in a.hits} == {"partial"}
    for h in a.hits:
        text = " ".join(fold(s) for _, s in record_fields(h.rec, h.plan))
        assert query[0] in text or query[1] in text
