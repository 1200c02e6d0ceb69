"""The same duty across plans, as a rebuild finds it: what the build's memo
keeps of the comparisons (scripts/pipeline/enrich/same_duty.py) gives the
links of comparing everything again. The clauses compared are the real
data's, then edited (characters changed, clauses added, removed and moved)."""

from __future__ import annotations

import random
import re

from scripts.pipeline.enrich import enrich, same_duty
from scripts.pipeline.enrich.same_duty import _candidates, _duty_clauses, _similar_candidates, norm
from test_views import NOW, make_corpus, two_plans


class DictMemo(dict):
    """The build memo's get and put (build/memo.py), in memory."""

    def get(self, name, key):
        return dict.get(self, (name, key))

    def put(self, name, key, value):
        self[(name, key)] = value


def test_norm_keeps_what_isalnum_keeps():
    every = "".join(map(chr, range(0x110000)))
    assert norm(every) == "".join(ch for ch in every if ch.isalnum())


def _edited(cores: list[str], rnd: random.Random) -> list[str]:
    """The clauses after a clerk's edits: some changed by a character (new
    clauses much like old ones), one removed, some moved."""
    out = list(cores)
    for _ in range(max(1, len(out) // 10)):
        x = out[rnd.randrange(len(out))]
        at = rnd.randrange(len(x))
        out.insert(rnd.randrange(len(out) + 1), x[:at] + rnd.choice("的安全检查整治") + x[at + 1:])
    del out[rnd.randrange(len(out))]
    for _ in range(3):
        i, j = rnd.randrange(len(out)), rnd.randrange(len(out))
        out[i], out[j] = out[j], out[i]
    return out


def test_kept_pairs_give_the_candidates_of_comparing_all(real_site, monkeypatch):
    monkeypatch.setattr(same_duty, "REDO_SHARE", 1.0)  # never compare all again: the kept pairs are used
    by_sig: dict[str, list[str]] = {}
    for t in real_site.tasks.values():
        for sig, core, _ in _duty_clauses(t):
            by_sig.setdefault(sig, []).append(core)
    assert len(by_sig) >= 2
    rnd = random.Random(13)
    for sig, cores in by_sig.items():
        found, kept = _candidates(cores, None)
        assert found == _similar_candidates(cores), sig
        for _ in range(3):  # three builds, each from the last one's state
            cores = _edited(cores, rnd)
            found, kept = _candidates(cores, kept)
            assert found == _similar_candidates(cores), sig


def test_a_rebuild_with_the_memo_links_as_without(monkeypatch):
    """An edit makes a clause like another plan's (neither holds the other):
    with the memo, only it is compared afresh, and the links, their order
    and the shared words are those of a plain enrich."""
    monkeypatch.setattr(same_duty, "REDO_SHARE", 1.0)
    memo = DictMemo()
    enrich(make_corpus(two_plans()), now=NOW, memo=memo)
    a, b = two_plans()
    task = b.actions[0].tasks[0]
    assert "推动变型拖拉机全部淘汰退出" in task.text
    task.text = task.text.replace("推动变型拖拉机全部淘汰退出", "推动变形拖拉机全部淘汰退出")

    def links(site) -> dict:
        return {tid: ([o.data.id for o in t.same_duty], dict(t.same_duty_why)) for tid, t in site.tasks.items()}

    def compared_again(cores):
        raise AssertionError("compared everything again")

    plain = links(enrich(make_corpus([a, b]), now=NOW))
    assert plain["bb-t1"][0] == ["aa-t3"]  # linked by similar wording
    monkeypatch.setattr(same_duty, "_similar_candidates", compared_again)
    assert links(enrich(make_corpus([a, b]), now=NOW, memo=memo)) == plain
    assert links(enrich(make_corpus([a, b]), now=NOW, memo=memo)) == plain  # and from the pairs kept then
    assert any(re.fullmatch(r"[0-9a-f]{64}", key) for name, key in memo if name == same_duty.MEMO)
