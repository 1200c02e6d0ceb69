"""The same duty in other plans: tasks of different plans that demand the
same thing (same title, a dated or recurring duty worded alike, or a long
clause copied word for word) are linked both ways (TaskView.same_duty, with
the shared words in same_duty_why). See link_same_duty().
"""

from __future__ import annotations

import hashlib
import pickle
import re
import sys
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path

from .views import PlanView, TaskView, task_order

_CLAUSE_SPLIT = re.compile(r"[。；;！？!?，,：:（）()\n]")
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」")
_NOT_ALNUM = re.compile(r"[\W_]+")  # what str.isalnum() is false for (\w: isalnum() or _)
_CN_NUM = (("一", "1"), ("二", "2"), ("两", "2"), ("三", "3"), ("四", "4"))
MIN_DUTY_CHARS = 10  # a duty clause shorter than this (once normalised) links nothing
SIMILAR_DUTY = 0.8  # SequenceMatcher ratio for two duty clauses to count as the same
MIN_SHARED_CHARS = 24  # a shared sentence this long marks the same wording
REDO_SHARE = 0.25  # over this share of a date's clauses new since the last build: compare all again
MEMO = "same_duty"  # the name of its results in the build's memo
_CODE = hashlib.sha256(Path(__file__).read_bytes() + sys.version.encode()).hexdigest()  # what they depend on


def norm(s: str) -> str:
    """Letters and digits only: text as wording is compared here and in
    comparison.py (punctuation and spaces differ from plan to plan)."""
    return _NOT_ALNUM.sub("", s)


def _duty_norm(s: str) -> str:
    """A clause as compared: letters and digits only, 一次 = 1次."""
    if not s:
        return ""
    out = norm(s)
    for cn, digit in _CN_NUM:
        out = out.replace(cn, digit)
    return out


def _clauses(text: str) -> list[str]:
    flat = "".join(text.split())
    return [c for c in _CLAUSE_SPLIT.split(flat) if c]


def _duty_clauses(t: TaskView) -> list[tuple[str, str, str]]:
    """(signature, normalised core, words as printed) for each dated or
    recurring duty of a task. The core runs from the date or period words to
    the end of the clause that holds them (the subject before them, which
    differs from plan to plan — 企业, 区管企业, 生产经营单位 — is left out);
    the signature is the date or the period, so only like duties compare."""
    clauses = _clauses(t.data.text)
    out = []
    phrases = [(d.date.isoformat(), d.data.text) for d in t.deadlines]
    phrases += [(r.data.every, r.data.text) for r in t.recurrence]
    for sig, words in phrases:
        key = "".join(words.split())
        core_words = key  # words that span clauses are compared as they are
        for c in clauses:
            pos = c.find(key)
            if pos >= 0:
                core_words = c[pos:]
                if len(_duty_norm(core_words)) < MIN_DUTY_CHARS:
                    core_words = c  # the date closes the clause: take all of it
                break
        core = _duty_norm(core_words)
        if len(core) >= MIN_DUTY_CHARS:
            out.append((sig, core, core_words))
    return out


def _link(a: TaskView, b: TaskView, why: str) -> None:
    if a.plan is b.plan:
        return
    if b not in a.same_duty:
        a.same_duty.append(b)
        a.same_duty_why[b.data.id] = why
    if a not in b.same_duty:
        b.same_duty.append(a)
        b.same_duty_why[a.data.id] = why


def _similar_candidates(cores: list[str]) -> list[list[int]]:
    """For each i, the j > i (ascending) whose cores may link: one holds the
    other, or their SequenceMatcher ratio can reach SIMILAR_DUTY. Exact: no
    pair that can link is left out, but pairs are found through an index of
    characters instead of comparing each with each (which grew with the
    square of the tasks: minutes at a province's 30,000). A ratio of 0.8
    needs lengths within 2/3 of each other and at least 2/3 of the shorter
    core's characters in common (quick_ratio), so two such cores share one of
    the rarest len - ceil(2/3 len) + 2 characters of each (prefix filtering,
    the k-th occurrence of a character counted as its own token); a core
    inside another shares all its characters, its rarest among them."""
    assert SIMILAR_DUTY >= 0.8, "the bound below assumes a ratio of at least 0.8"
    tokens = [_tokens(core) for core in cores]
    df: dict[tuple[str, int], int] = defaultdict(int)
    for toks in tokens:
        for t in toks:
            df[t] += 1
    holding: dict[tuple[str, int], list[int]] = defaultdict(list)  # token -> cores holding it
    in_prefix: dict[tuple[str, int], list[int]] = defaultdict(list)  # token -> cores with it in their prefix
    prefixes = []
    for i, toks in enumerate(tokens):
        toks.sort(key=lambda t: (df[t], t))
        n = len(toks)
        common = max(0, (2 * n + 2) // 3 - 1)  # ceil(2n/3), less one to spare rounding
        prefixes.append(toks[: n - common + 1])
        for t in prefixes[-1]:
            in_prefix[t].append(i)
        for t in toks:
            holding[t].append(i)
    sets = [set(toks) for toks in tokens]
    out: list[set[int]] = [set() for _ in cores]
    for i, prefix in enumerate(prefixes):
        others = {j for t in prefix for j in in_prefix[t]}
        if tokens[i]:
            others.update(holding[tokens[i][0]])
        others.discard(i)
        for j in others:
            a, b = min(i, j), max(i, j)
            if b not in out[a] and _may_link(sets[a], sets[b]):
                out[a].add(b)
    return [sorted(s) for s in out]


def _tokens(core: str) -> list[tuple[str, int]]:
    """A core's characters, the k-th occurrence of one counted as its own."""
    seen: dict[str, int] = defaultdict(int)
    out = []
    for ch in core:
        seen[ch] += 1
        out.append((ch, seen[ch]))
    return out


def _may_link(a: set, b: set) -> bool:
    """Whether two cores (as sets of their _tokens()) may link: one may hold the
    other, or they pass SequenceMatcher's real_quick_ratio and quick_ratio
    (the same arithmetic, without building a SequenceMatcher)."""
    la, lb = len(a), len(b)
    common = len(a & b)
    return common == min(la, lb) or (2.0 * min(la, lb) / (la + lb) >= SIMILAR_DUTY
                                     and 2.0 * common / (la + lb) >= SIMILAR_DUTY)


def _candidates(cores: list[str], kept: dict | None) -> tuple[list[list[int]], dict]:
    """What _similar_candidates(cores) gives, and the state to keep for the
    next build: each distinct core with the cores it may link with
    (_may_link: a relation of two cores alone). With the last build's
    state `kept`, only the cores it lacks are compared, each with every
    core; the pairs of the others are taken from it (when over REDO_SHARE of
    the cores are new, all are compared again)."""
    unique = list(dict.fromkeys(cores))
    old = kept or {}
    new = [c for c in unique if c not in old]
    if not kept or len(new) > REDO_SHARE * len(unique):
        partners: dict[str, set[str]] = {c: set() for c in unique}
        for i, js in enumerate(_similar_candidates(unique)):
            for j in js:
                partners[unique[i]].add(unique[j])
                partners[unique[j]].add(unique[i])
    else:
        present = set(unique)
        partners = {c: {x for x in old[c] if x in present} if c in old else set() for c in unique}
        sets = {c: set(_tokens(c)) for c in unique} if new else {}
        for c in new:
            a = sets[c]
            for x in unique:
                if x != c and _may_link(a, sets[x]):
                    partners[c].add(x)
                    partners[x].add(c)
    at: dict[str, list[int]] = defaultdict(list)  # core -> the entries that hold it
    for i, c in enumerate(cores):
        at[c].append(i)
    out = []
    for i, c in enumerate(cores):
        out.append(sorted(j for x in (c, *partners[c]) for j in at[x] if j > i))
    return out, partners


def _kept(memo, key: str) -> dict | None:
    value = memo.get(MEMO, key) if memo is not None else None
    if value is None:
        return None
    try:
        found = pickle.loads(value)
    except Exception:  # another code's
        return None
    return found if isinstance(found, dict) else None


def link_same_duty(plans: list[PlanView], memo=None) -> None:
    """Tasks of different plans link to each other as the same duty when
    (1) their titles are the same (letters and digits compared), or
    (2) they carry a dated or recurring duty worded alike: the same date or
        period, and clauses from the date or period words on that are equal
        or similar (SIMILAR_DUTY), e.g. 2025年底前推动变型拖拉机全部淘汰退出,
        or 每季度带队对本单位重大事故隐患排查整治情况至少开展1次检查 whether
        the subject is 企业主要负责人 or 区管企业主要负责人要, or
    (3) they share a clause of at least MIN_SHARED_CHARS characters word for
        word (the same wording copied from the plan above), quotations
        (slogans such as “三管三必须”) not counted.
    `same_duty_why` keeps the shared words for each link.

    `memo` (the build's memo, build/memo.py: get and put): for each date or
    period, which pairs of clauses may link and which SequenceMatcher
    found similar are kept for the next build; both depend on the two
    clauses alone, and the links are made in the same order as without."""
    all_tasks = [t for p in plans for t in p.tasks]
    for t in all_tasks:
        t.same_duty.clear()
        t.same_duty_why.clear()

    by_title: dict[str, list[TaskView]] = defaultdict(list)
    for t in all_tasks:
        by_title[norm(t.data.title)].append(t)
    for group in by_title.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                _link(a, b, f"同一标题：{a.data.title}")

    by_sig: dict[str, list[tuple[TaskView, str, str]]] = defaultdict(list)
    for t in all_tasks:
        for sig, core, words in _duty_clauses(t):
            by_sig[sig].append((t, core, words))
    for sig, entries in by_sig.items():
        key = hashlib.sha256(f"{_CODE}\0{sig}".encode()).hexdigest()
        kept = _kept(memo, key)
        candidates, partners = _candidates([core for _, core, _ in entries], kept["partners"] if kept else None)
        was = kept["similar"] if kept else {}
        similar: dict[tuple[str, str], bool] = {}  # (core, core) -> SequenceMatcher's ratio reaches SIMILAR_DUTY
        for i, (a, ca, wa) in enumerate(entries):
            for j in candidates[i]:
                b, cb, _ = entries[j]
                if a.plan is b.plan or b in a.same_duty:
                    continue
                if ca == cb or ca in cb or cb in ca:
                    _link(a, b, wa)
                    continue
                ok = similar.get((ca, cb))
                if ok is None:
                    ok = was.get((ca, cb))
                    if ok is None:
                        sm = SequenceMatcher(None, ca, cb, autojunk=False)
                        ok = sm.real_quick_ratio() >= SIMILAR_DUTY and sm.quick_ratio() >= SIMILAR_DUTY and sm.ratio() >= SIMILAR_DUTY
                    similar[(ca, cb)] = ok
                if ok:
                    _link(a, b, wa)
        if memo is not None:
            memo.put(MEMO, key, pickle.dumps({"partners": partners, "similar": similar}, protocol=pickle.HIGHEST_PROTOCOL))

    by_clause: dict[str, list[tuple[TaskView, str]]] = defaultdict(list)
    for t in all_tasks:
        for c in _clauses(t.data.text):
            # a slogan in quotation marks (“三管三必须” …) is shared by many
            # plans without making their duties the same: it does not count
            if len(_duty_norm(_QUOTED.sub("", c))) >= MIN_SHARED_CHARS:
                by_clause[_duty_norm(c)].append((t, c))
    for entries in by_clause.values():
        for i, (a, words) in enumerate(entries):
            for b, _ in entries[i + 1 :]:
                if b not in a.same_duty:
                    _link(a, b, words)

    for t in all_tasks:
        t.same_duty.sort(key=task_order)


def shared_groups(plans: list) -> list[list]:
    """Groups of tasks linked as the same duty (connected through
    same_duty) that have a task in `plans`, largest first (by number of
    plans), each in plan order."""
    seen: set[int] = set()
    groups = []
    for p in plans:
        for t in p.tasks:
            if id(t) in seen or not t.same_duty:
                continue
            group, todo = [], [t]
            while todo:
                x = todo.pop()
                if id(x) in seen:
                    continue
                seen.add(id(x))
                group.append(x)
                todo.extend(x.same_duty)
            groups.append(sorted(group, key=task_order))
    return sorted(groups, key=lambda g: (-len({t.plan.data.id for t in g}), task_order(g[0])))
