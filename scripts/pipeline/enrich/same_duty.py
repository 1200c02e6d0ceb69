"""The same duty in other plans: tasks of different plans that demand the
same thing (same title, a dated or recurring duty worded alike, or a long
clause copied word for word) are linked both ways (TaskView.same_duty, with
the shared words in same_duty_why). See link_same_duty().
"""

from __future__ import annotations

import re
from collections import defaultdict
from difflib import SequenceMatcher

from .views import PlanView, TaskView, task_order

_CLAUSE_SPLIT = re.compile(r"[。；;！？!?，,：:（）()\n]")
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」")
_CN_NUM = str.maketrans({"一": "1", "二": "2", "两": "2", "三": "3", "四": "4"})
MIN_DUTY_CHARS = 10  # a duty clause shorter than this (once normalised) links nothing
SIMILAR_DUTY = 0.8  # SequenceMatcher ratio for two duty clauses to count as the same
MIN_SHARED_CHARS = 24  # a shared sentence this long marks the same wording


def norm(s: str) -> str:
    """Letters and digits only: text as wording is compared here and in
    comparison.py (punctuation and spaces differ from plan to plan)."""
    return "".join(ch for ch in s if ch.isalnum())


def _duty_norm(s: str) -> str:
    """A clause as compared: letters and digits only, 一次 = 1次."""
    return norm(s).translate(_CN_NUM) if s else ""


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
    tokens: list[list[tuple[str, int]]] = []
    for core in cores:
        seen: dict[str, int] = defaultdict(int)
        toks = []
        for ch in core:
            seen[ch] += 1
            toks.append((ch, seen[ch]))
        tokens.append(toks)
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
            if b in out[a]:
                continue
            # keep the pair if one core may hold the other, or if it passes
            # SequenceMatcher's real_quick_ratio and quick_ratio (the same
            # arithmetic), without building a SequenceMatcher
            la, lb = len(tokens[a]), len(tokens[b])
            common = len(sets[a] & sets[b])
            holds = common == min(la, lb)
            if holds or (2.0 * min(la, lb) / (la + lb) >= SIMILAR_DUTY and 2.0 * common / (la + lb) >= SIMILAR_DUTY):
                out[a].add(b)
    return [sorted(s) for s in out]


def link_same_duty(plans: list[PlanView]) -> None:
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
    `same_duty_why` keeps the shared words for each link."""
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
    for entries in by_sig.values():
        candidates = _similar_candidates([core for _, core, _ in entries])
        for i, (a, ca, wa) in enumerate(entries):
            for j in candidates[i]:
                b, cb, _ = entries[j]
                if a.plan is b.plan or b in a.same_duty:
                    continue
                if ca == cb or ca in cb or cb in ca:
                    _link(a, b, wa)
                    continue
                sm = SequenceMatcher(None, ca, cb, autojunk=False)
                if sm.real_quick_ratio() >= SIMILAR_DUTY and sm.quick_ratio() >= SIMILAR_DUTY and sm.ratio() >= SIMILAR_DUTY:
                    _link(a, b, wa)

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
