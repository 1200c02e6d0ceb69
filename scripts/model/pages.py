"""Page artefacts of a source text: what the printing of a plan adds to the
text of a page and what an extractor copies with it, which the plan's own
words never contain.

- page numbers on a line of their own: `— 3 —`, `- 4 -`, `-5-`, `第 6 页`,
  `第6页 共20页`, `7 / 20`, or a bare `8`;
- a table's header row printed again at the top of each page the table runs
  onto (a tab-separated line equal to the first row of its table).

`strip_artefacts()` drops those lines and keeps every other line as it is, so
a sentence that a page footer cut in two is whole again once whitespace is
ignored. The importer reads a source through it, and the validator compares
quoted text with the source through it: a clerk never writes an exception for
a page footer.
"""

from __future__ import annotations

import re

_DASH = r"[-—–－―‒_~·•]"
PAGE_NUMBER = re.compile(
    rf"^(?:{_DASH}{{1,3}}\s*\d{{1,3}}\s*{_DASH}{{1,3}}"  # — 3 —, - 4 -, -5-
    r"|第\s*\d{1,3}\s*页(?:\s*[，,/]?\s*共\s*\d{1,3}\s*页)?"  # 第 6 页, 第6页 共20页
    r"|\d{1,3}\s*/\s*\d{1,3}"  # 7 / 20
    r"|\d{1,3})$"  # 8
)


def is_page_number(line: str) -> bool:
    """A line that is only a page number (a header or footer)."""
    return bool(PAGE_NUMBER.match(line.strip()))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def artefact_lines(lines: list[str]) -> set[int]:
    """Indexes of the lines that are page artefacts: page numbers, and the repeats
    of a table's header row (the first tab-separated line after a line that is
    not one; a table may run over several pages, with page numbers between)."""
    out: set[int] = set()
    header: str | None = None  # the header row of the table being read
    in_table = False
    for i, line in enumerate(lines):
        s = line.strip()
        if "\t" in line and s:
            key = _squash(line)
            if not in_table and header is None:
                header = key
            elif key == header:
                out.add(i)
            in_table = True
            continue
        if not s:
            continue
        if is_page_number(s):
            out.add(i)
            continue
        # a paragraph of text ends the table
        in_table = False
        header = None
    return out


def strip_artefacts(text: str) -> str:
    """The text without its page artefacts; every other line unchanged."""
    lines = text.split("\n")
    drop = artefact_lines(lines)
    return "\n".join("" if i in drop else line for i, line in enumerate(lines))
