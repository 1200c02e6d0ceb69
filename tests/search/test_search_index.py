"""The search index builder (scripts/search/) and its reference engine
(scripts/measure/engine.py), in pure Python: text normalisation, query
parsing, synonyms, the index format, exact top-k ranking, and the download a
reader needs before the first result, for the real site and for a synthetic
one of 30,000 tasks."""

from __future__ import annotations

import json
import random
import re

import pytest

from conftest import ROOT, SEARCH_SCALE
from scripts.measure.engine import DEFAULT_QUERIES, Engine, decode, search_download_bytes
from scripts.paths import WORKER_FILE
from scripts.search.documents import KIND_ORDER, TEXT, Doc, documents, record_fields
from scripts.search.index import FORMAT, INDEX_FILE, build_files, index_files, write_search_index
from scripts.search.text import clean, fnv1a, fold, grams, query_terms, variants


# --------------------------------------------------------------------------- #
# Text
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("raw, shown", [
    ("2024 年底前", "2024年底前"),
    ("2026 年底前，各负有", "2026年底前，各负有"),
    ("管行业必须管安全 管业务必须管安全", "管行业必须管安全管业务必须管安全"),
    ("ISO 9001  认证", "ISO 9001认证"),
    ("重大\u200b事故\ufeff隐患", "重大事故隐患"),
    ("  每季度\n至少 1 次 ", "每季度至少1次"),
])
def test_clean(raw, shown):
    assert clean(raw) == shown


def test_clean_returns_what_it_would_not_change_as_it_is():
    """clean() returns text untouched when no step would change it: the
    characters it looks for before cleaning are exactly those a step
    removes or replaces (zero-width characters, whitespace), over every code
    point; on examples of both kinds it gives what every step gives."""
    from scripts.search import text

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    touched = set(text.ZERO_WIDTH.findall(every)) | set("".join(text._WS.findall(every)))
    assert set(text._TO_CLEAN.findall(every)) == touched

    def every_step(s: str) -> str:
        return text._WIDE_SPACE.sub("", text._WS.sub(" ", text.ZERO_WIDTH.sub("", s)).strip())

    for s in ("重大事故隐患", "ISO9001认证", "重大\u200b隐患", "a\u3000b", "每季度 1 次", "", "x"):
        assert clean(s) == every_step(s)


def test_fold_keeps_positions_and_unifies_forms():
    s = "泖府字〔2024〕35号（ＡＢＣ）“隐患”—２０２４【附件】"
    f = fold(s)
    assert len(f) == len(s)
    assert f == '泖府字(2024)35号(abc)"隐患"-2024(附件)'
    assert fold("泖府字[2024]35号") == fold("泖府字〔2024〕35号")


@pytest.mark.parametrize("query, terms", [
    ("隐患", ["隐患"]),
    ("2024 年底前", ["2024年底前"]),
    ("2024年 底前", ["2024年", "底前"]),
    ("危险化学品 运输", ["危险化学品", "运输"]),
    ("危险化学品，运输、  检查", ["危险化学品", "运输", "检查"]),
    ("“重大事故隐患”", ["重大事故隐患"]),
    ("《安全生产法》", ["安全生产法"]),
    ("隐患 隐患", ["隐患"]),
    ("泖府字〔2024〕35号", ["泖府字(2024)35号"]),
    ("ＡＢ　隐患", ["ab", "隐患"]),
    ("火", ["火"]),
    ("a", []),
    ("  ", []),
    ("\u200b隐\u200b患", ["隐患"]),
])
def test_query_terms(query, terms):
    assert query_terms(query) == terms


def test_query_terms_unmerged():
    assert query_terms("2024 年底前", merge=False) == ["2024", "年底前"]


def test_grams():
    assert grams("隐患") == ["隐患"]
    assert grams("事故隐患") == ["事故", "故隐", "隐患"]
    assert grams("火") == ["火"]
    assert grams("a") == []


def test_fnv1a():
    assert fnv1a("") == 0x811C9DC5
    assert fnv1a("a") == 0xE40C292C  # the published FNV-1a 32-bit value


def test_variants_go_both_ways():
    syn = [["危化品", "危险化学品"], ["电动车", "电动自行车", "电瓶车"]]
    assert variants("危化品", syn) == ["危化品", "危险化学品"]
    assert variants("危险化学品运输", syn) == ["危险化学品运输", "危化品运输"]
    assert variants("电瓶车", syn) == ["电瓶车", "电动车", "电动自行车"]
    assert variants("消防", syn) == ["消防"]


# --------------------------------------------------------------------------- #
# A small index, built and searched
# --------------------------------------------------------------------------- #

PLAN = ["测试镇三年行动", "测府字〔2024〕1号", "测试镇安全生产治本攻坚三年行动实施方案", "plans/test/"]


def task(n: int, title: str, text: str, **more) -> Doc:
    rec = {"k": "t", "u": f"plans/test/#t{n}", "a": "（一）开展测试行动", "n": n, "t": title, "x": text, "p": 0, **more}
    return Doc(rec=rec, plan=0)


def page(kind: str, url: str, title: str, **more) -> Doc:
    return Doc(rec={"k": kind, "u": url, "t": title, **more})


def build(tmp_path, docs: list[Doc], synonyms=(), bundle=True) -> Engine:
    docs = sorted(docs, key=lambda d: KIND_ORDER[d.rec["k"]])
    for d in docs:
        d.fields = record_fields(d.rec, PLAN if d.plan is not None else None)
    files = build_files(docs, [PLAN], [list(g) for g in synonyms])
    for rel, data in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return Engine(tmp_path, bundle=bundle)


def urls(answer) -> list[str]:
    return [h.rec["u"] for h in answer.hits]


def matching(answer) -> list[str]:
    """The results that hold every piece (as typed or through a synonym), not the nearest matches."""
    return [h.rec["u"] for h in answer.hits if h.mark != "partial"]


@pytest.fixture
def small(tmp_path):
    return build(tmp_path, [
        task(1, "加强消防安全管理", "开展安全检查，消除火灾隐患。", g=["消防"]),
        task(2, "提升重大事故隐患排查能力", "健全重大事故隐患自查自改常态化机制。", m=["区应急局"]),
        task(3, "强化危化品安全监管", "强化危险化学品运输环节安全监管。", g=["危险化学品"]),
        task(4, "完善督办制度", "区应急局负责，2024年底前完成。", m=["区应急局", "2024年底前"]),
        task(5, "其他工作", "区应急管理局牵头，镇应急办配合，急局字样。"),
        page("d", "departments/q/", "上海市普陀区应急管理局", h=["区应急局"]),
        page("g", "topics/hazard/", "隐患排查治理"),
        Doc(rec={"k": "s", "u": "plans/test/#s1", "t": "工作要求", "x": "每季度至少开展一次隐患排查。", "p": 0}, plan=0),
    ], synonyms=[["危化品", "危险化学品"], ["应急局", "应急管理局"]])


def test_substring_inside_longer_words(small):
    found = urls(small.search("隐患"))
    assert set(found) == {"plans/test/#t1", "plans/test/#t2", "topics/hazard/", "plans/test/#s1"}


def test_title_before_text_and_page_names_first(small):
    # the topic's name holds it (+5), then a task title, then text, goals and sections last
    assert urls(small.search("隐患")) == ["topics/hazard/", "plans/test/#t2", "plans/test/#t1", "plans/test/#s1"]


def test_several_words_all_of_them(small):
    assert urls(small.search("危险化学品 运输")) == ["plans/test/#t3"]
    apart = small.search("隐患 督办")
    assert matching(apart) == [] and not apart.exact  # none holds both: only nearest matches
    assert apart.hits and all(h.mark == "partial" for h in apart.hits)


def test_exact_phrase_never_outranked_by_a_synonym(small):
    a = small.search("区应急局")
    found = urls(a)
    # exact: the department (its name), t2 and t4 (departments), then t5 only through 应急管理局
    assert found[:3] == ["departments/q/", "plans/test/#t2", "plans/test/#t4"]
    assert found[-1] == "plans/test/#t5"
    assert a.hits[-1].score < 1000 <= a.hits[-2].score


def test_bigram_candidates_are_verified(small):
    # t5 holds 区应急 (in 区应急管理局) and 急局 apart: all the bigrams of 区应急局, not the phrase
    a = small.search("区应急局", limit=100)
    assert "plans/test/#t5" in urls(a)  # only through the synonym 区应急管理局
    exact = [h for h in a.hits if h.score >= 1000]
    assert "plans/test/#t5" not in [h.rec["u"] for h in exact]


def test_synonyms_either_direction(small):
    assert urls(small.search("危化品"))[0] == "plans/test/#t3"
    assert urls(small.search("危险化学品"))[0] == "plans/test/#t3"


def test_date_phrase_with_or_without_space(small):
    assert urls(small.search("2024年底前")) == ["plans/test/#t4"]
    assert urls(small.search("2024 年底前")) == ["plans/test/#t4"]


def test_context_plan_and_number(small):
    assert "plans/test/#t2" in urls(small.search("测试镇三年行动 排查"))
    assert urls(small.search("第3项"))[0] == "plans/test/#t3"
    assert urls(small.search("测府字[2024]1号"))  # the document number, any brackets


def test_one_character(small):
    assert set(urls(small.search("火"))) == {"plans/test/#t1"}


def test_bundle_and_shards_agree(small, tmp_path):
    sharded = Engine(tmp_path, bundle=False)
    assert small.bundle and not sharded.bundle
    for q in ["隐患", "区应急局", "危化品", "2024 年底前", "测试", "火", "不存在的词"]:
        assert urls(small.search(q)) == urls(sharded.search(q)), q


def test_postings_round_trip(tmp_path):
    engine = build(tmp_path, [task(i, f"任务{i}", "隐患" if i % 3 == 0 else "其他") for i in range(1, 40)])
    shard = json.loads((tmp_path / "search" / "g" / f"{fnv1a('隐患') & (engine.m['shards'] - 1)}.json").read_text())
    ids, fields = decode(shard["隐患"])
    assert ids == [i - 1 for i in range(1, 40) if i % 3 == 0]
    assert set(fields) == {TEXT}


def test_top_k_is_exact_against_brute_force(tmp_path):
    """Random documents and queries: the engine's list (upper bounds, partial
    verification) equals scoring every document."""
    rng = random.Random(7)
    alphabet = "安全生产隐患排查治理消防燃气危险化学品运输应急局区镇"
    docs = []
    for i in range(300):
        def words(n):
            return "".join(rng.choice(alphabet) for _ in range(n))
        docs.append(task(i + 1, words(rng.randint(2, 8)), words(rng.randint(10, 60)), g=[words(3)], m=[words(4)]))
    engine = build(tmp_path, docs, synonyms=[["危化品", "危险化学品"], ["应急局", "应急管理局"]], bundle=False)
    records = []
    for start in range(0, len(docs), engine.m["chunk"]):
        chunk = json.loads((tmp_path / "search" / "d" / f"{start // engine.m['chunk']}.json").read_text())
        records += [(r, chunk["p"].get(str(r.get("p")))) for r in chunk["d"]]
    for _ in range(60):
        q = " ".join("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 2)))
        per_term = [variants(t, engine.m["synonyms"]) for t in query_terms(q)]
        scored = [(engine.verify(r, p, per_term), i) for i, (r, p) in enumerate(records)]
        expected = [i for s, i in sorted(((s, i) for s, i in scored if s is not None), key=lambda x: (-x[0], x[1]))]
        for limit in (5, 20):
            got = [h.doc for h in engine.search(q, limit=limit).hits if h.mark != "partial"]
            assert got == expected[:limit], q


# --------------------------------------------------------------------------- #
# The real site
# --------------------------------------------------------------------------- #


# real_site: the enriched real data (tests/conftest.py)


def test_every_task_is_a_document(real_site):
    docs, plans = documents(real_site)
    task_urls = [d.rec["u"] for d in docs if d.rec["k"] == "t"]
    assert task_urls == [t.url for p in real_site.plans for t in p.tasks]
    by_url = {d.rec["u"]: d for d in docs}
    for t in real_site.tasks.values():
        rec = by_url[t.url].rec
        assert rec["t"] == clean(t.data.title) and rec["n"] == t.data.number
        assert plans[rec["p"]][0] == t.plan.data.short_title
        assert rec["a"] == clean(f"{t.action.data.number}{t.action.data.title}")
        names = set(rec.get("m", []))
        for dep in t.lead + t.support:
            assert {clean(n) for n in [dep.data.name, *dep.data.short, *dep.data.aliases]} <= names
    kinds = {d.rec["k"] for d in docs}
    assert kinds == {"t", "s", "p", "d", "g"}
    assert len([d for d in docs if d.rec["k"] == "d"]) == len(real_site.departments)


def test_no_zero_width_characters_anywhere(real_site):
    files = index_files(real_site)
    zw = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
    for rel, data in files.items():
        assert not zw.search(data.decode("utf-8")), rel


def test_index_files_and_manifest(real_site, tmp_path):
    files = index_files(real_site)
    index = json.loads(files[INDEX_FILE])
    assert index["docs"] == [] and set(index["config"]) >= {"lang", "separator", "pipeline", "fields"}
    m = index["config"]["cjk"]
    assert m["format"] == FORMAT and m["docs"] > len(real_site.tasks)
    assert m["shards"] & (m["shards"] - 1) == 0  # a power of two
    assert len(files[INDEX_FILE]) < 8 * 1024, "fetched on every page: keep it small"
    assert m["bundle"] == "all.json"  # the real site is small
    assert write_search_index(real_site, tmp_path) == len(files)
    assert write_search_index(real_site, tmp_path) == 0  # unchanged: nothing written


def test_download_before_the_first_result_real(built_site):
    for q in DEFAULT_QUERIES:
        assert search_download_bytes(built_site, q) < 300 * 1024, q
    assert search_download_bytes(built_site) == max(search_download_bytes(built_site, q) for q in DEFAULT_QUERIES)


@pytest.mark.slow
def test_download_before_the_first_result_at_scale(search_site_at_scale, real_site):
    """The real tasks replicated (SEARCH_SCALE): too much search data to ship
    as one file, so it is read in shards; the data a reader downloads before
    the first result stays under 2 MB gzipped, for every query (`make bench`
    reports it at 30,000 tasks: search_gz_mb)."""
    site, info = search_site_at_scale
    assert info["tasks"] >= SEARCH_SCALE
    assert (site / WORKER_FILE).read_bytes() == (ROOT / "docs" / WORKER_FILE).read_bytes()
    worst = max(search_download_bytes(site, q) for q in DEFAULT_QUERIES + ["重大事故隐患 排查", "每季度"])
    assert worst < 2 * 1024 * 1024
    engine = Engine(site)
    assert engine.bundle is None
    if any("瓶退管进" in t.data.text for t in real_site.tasks.values()):  # a known item: a task holding it comes first
        top = engine.search("瓶退管进").hits[0]
        assert top.rec["k"] == "t" and "瓶退管进" in "".join(s for _, s in record_fields(top.rec, top.plan))
