"""Built pages as the tests read them: the ids, links, redirect, kept
anchors and table rows of an HTML page, parsed with lxml (libxml2's
HTML parser: python-docx's dependency, pinned in requirements.txt), about
four times as fast as Python's HTMLParser. `parsed(path)` parses each file
once per test process (a built site does not change while the tests read
it; a file written again is parsed again). `parse_html(text)` parses a
piece of a page."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import lxml.html


@dataclass
class Parsed:
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)  # the href of each <a href>
    refresh: str | None = None  # the address of a <meta http-equiv=refresh>
    kept: dict[str, str] = field(default_factory=dict)  # kept anchor's id -> its link (render/redirects)
    rows: list[dict] = field(default_factory=list)  # <tr id=…>: id, class, text
    _resolved: dict[str, dict[str, list[str]]] = field(default_factory=dict, repr=False)

    def hrefs_to(self, url: str, here: str) -> list[str]:
        """The links of this page, at site address `here`, that lead to the
        site address `url` (fragment included)."""
        if here not in self._resolved:
            by_target: dict[str, list[str]] = {}
            for href in self.links:
                by_target.setdefault(urljoin("http://s/" + here, href), []).append(href)
            self._resolved[here] = by_target
        return self._resolved[here].get("http://s/" + url, [])


def parse_html(text: str) -> Parsed:
    page = Parsed()
    if not text.strip():
        return page
    root = lxml.html.document_fromstring(text)
    kept_id = None
    for el in root.iter():
        if not isinstance(el.tag, str):  # comments, processing instructions
            continue
        get = el.get
        if get("id"):
            page.ids.add(get("id"))
        classes = (get("class") or "").split()
        if "kept-anchor" in classes:
            kept_id = get("id")
        if el.tag == "a" and get("href"):
            page.links.append(get("href"))
            if kept_id and "kept-anchor-link" in classes:
                page.kept[kept_id] = get("href")
                kept_id = None
        if el.tag == "meta" and (get("http-equiv") or "").lower() == "refresh":
            page.refresh = get("content").split("url=", 1)[1]
        if el.tag == "tr" and get("id"):
            page.rows.append({"id": get("id"), "class": get("class", ""), "text": el.text_content()})
    return page


def parsed(path: Path) -> Parsed:
    """The page at `path`, parsed once per test process while the file stays
    as it is (read only)."""
    st = path.stat()
    return _parsed(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=None)
def _parsed(path: Path, mtime_ns: int, size: int) -> Parsed:
    return parse_html(path.read_text(encoding="utf-8"))
