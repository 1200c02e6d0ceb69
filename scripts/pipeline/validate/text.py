"""Rules on text: every quoted text is in the plan's source as printed
(whitespace, page breaks, page numbers, repeated table headers and ** aside:
scripts/model/pages.py), exceptions are explained, names of
people are in the source, an annex missing from the source has no rows, a
task's printed number stands for its number, and no text holds HTML markup."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from ...model import models
from ...model.numbering import label_value
from ...model.pages import strip_artefacts
from ..load.corpus import Corpus, Loaded
from ..load.document import Problem
from .rules import corpus_rule, file_rule, local_rule
from .walk import P, responsibilities, squash, verbatim_fields


def _source_text(corpus: Corpus, plan: models.Plan) -> str | None:
    path = corpus.data_dir / "sources" / plan.source
    return squash(strip_artefacts(path.read_text(encoding="utf-8"))) if path.is_file() else None


@local_rule
def text_is_verbatim(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Every quoted text appears in the plan's source text (ignoring whitespace,
    page-break line breaks, ** emphasis and the page artefacts of extraction:
    page numbers such as `— 3 —` and table header rows repeated on each page)."""
    source = _source_text(corpus, p.model)
    if source is None:
        return
    for path, text in verbatim_fields(p.model):
        owner = _get(p.model, path[:-1]) if isinstance(path[-1], str) else _get(p.model, path[:-2])
        if path[-1] in getattr(owner, "not_verbatim", ()):
            continue
        if squash(text) not in source:
            hint = _first_difference(squash(text), source)
            yield p.doc.problem(path, f"this text is not in the source {p.model.source} as printed{hint}")


def _get(obj: Any, path: P) -> Any:
    for part in path:
        obj = obj[part] if isinstance(part, int) else getattr(obj, part)
    return obj


@local_rule
def not_verbatim_is_explained(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A text marked not_verbatim names real fields and is explained in a note."""
    for path, r in responsibilities(p.model):
        for i, name in enumerate(r.not_verbatim):
            if name not in type(r).model_fields or not isinstance(getattr(r, name), (str, list)):
                yield p.doc.problem(path + ("not_verbatim", i), f"'{name}' is not a text field here")
        if r.not_verbatim and not r.note:
            yield p.doc.problem(path + ("not_verbatim",), "explain in 'note' why this text is not verbatim")


def _first_difference(text: str, source: str) -> str:
    """Point at where a text stops matching its source."""
    lo, hi = 0, len(text)
    while lo < hi:  # longest prefix of text found in source
        mid = (lo + hi + 1) // 2
        if text[:mid] in source:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return ""
    return f"; it matches up to '…{text[max(0, lo - 12):lo]}' and then differs at '{text[lo:lo + 12]}…'"


@local_rule
def member_names_in_source(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """The name of every person in an organisation body appears in the plan's
    source text (ignoring whitespace, as printed names may be padded: 王 珏)."""
    source = _source_text(corpus, p.model)
    if source is None:
        return
    for bi, b in enumerate(p.model.organisation):
        for mi, m in enumerate(b.members):
            if m.person and squash(m.person) not in source:
                yield p.doc.problem(
                    ("organisation", bi, "members", mi, "person"),
                    f"the name '{m.person}' is not in the source {p.model.source}",
                )


@local_rule
def missing_annex_has_no_rows(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """An annex the document names but does not include (`included: false`) has
    no rows: its contents are not in the source, so none may be invented."""
    for ai, annex in enumerate(p.model.annexes):
        if not annex.included and annex.rows:
            yield p.doc.problem(
                ("annexes", ai, "included"),
                f"the annex '{annex.id}' is marked 'included: false' but has {len(annex.rows)} row(s); "
                "an annex missing from the source has no rows",
            )


_MARKUP = re.compile(
    r"<\s*/?\s*(?:script|style|i?frame|frameset|object|embed|applet|svg|math|img|image|video|audio|source"
    r"|link|meta|base|form|input|button|textarea|select|template|html|head|body)\b"
    r"|(?<![a-z])on[a-z]{3,}\s*=|javascript\s*:",
    re.IGNORECASE,
)


def _markup(loaded: Loaded) -> Iterator[Problem]:
    """The problems of markup in the texts of one data file."""

    def walk(node: Any, path: P) -> Iterator[tuple[P, str]]:
        if isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, path + (i,))
        elif isinstance(node, str) and ("<" in node or "=" in node or ":" in node):
            yield path, node

    if loaded is None or not isinstance(loaded.doc.data, dict):
        return
    for path, text in walk(loaded.doc.data, ()):
        m = _MARKUP.search(text)
        if m:
            yield loaded.doc.problem(
                path, f"this text holds HTML markup ('{m.group(0)}…'); write plain text, the site shows text as typed"
            )


@corpus_rule
def no_markup_in_text(corpus: Corpus) -> Iterable[Problem]:
    """Text is plain text: no HTML tag that runs or loads something (<script,
    <img, <iframe …), no on…= event attribute, no javascript: address, in any
    data file but the plans (no_markup_in_plan). (The site escapes every
    text anyway; this stops pasted markup at the source. Harmless brackets
    such as a<b>c are allowed.)"""
    for loaded in [*corpus.registries, corpus.categories, corpus.topics, corpus.synonyms, corpus.national]:
        yield from _markup(loaded)


@file_rule
def no_markup_in_plan(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """Text in a plan is plain text, as no_markup_in_text says of the other
    data files."""
    yield from _markup(p)


@local_rule
def number_text_is_the_number(corpus: Corpus, p: Loaded) -> Iterable[Problem]:
    """A task's `number_text`, where given, is a printed label (（一）, 一、,
    1、, （1）…) that stands for its `number`."""
    for ai, a in enumerate(p.model.actions):
        for ti, t in enumerate(a.tasks):
            if t.number_text is not None and label_value(t.number_text) != t.number:
                yield p.doc.problem(("actions", ai, "tasks", ti, "number_text"),
                                    f"number_text '{t.number_text}' does not stand for number {t.number} "
                                    "(a printed label such as （一） or 1、 is expected)")
