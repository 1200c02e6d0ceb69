"""A Python-Markdown extension for the build's mkdocs processes: the raw HTML
blocks of a generated page are set aside (stashed) as Python-Markdown's own
html_block preprocessor would set them aside, found with regular expressions
instead of Python's HTMLParser, which reads them tag by tag (about a fifth
of mkdocs' time on our pages, which are mostly HTML).

Only blocks whose extent and stashed text are certain are taken: a
block-level start tag at the start of a line, outside any other raw block,
read to the end tag that closes it (tags pushed and popped as html_block
does), with nothing after it on its line. At the first thing it is not
certain of (a comment, a script, a declaration, a tag it cannot read, a
block followed by more on its line) it stops, and html_block reads the rest
of the page as before. What html_block would have put in place of each block, and what
it would have stashed, is put in its place and stashed here, so the HTML
mkdocs writes is the same byte for byte (tests/pipeline/test_rawhtml.py on documents
made to trip it, tests/pipeline/test_plain_mkdocs.py on every page of the real site).
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

# What HTMLParser reads as a start tag, quoted attribute values included (no
# backtick anywhere in it: Python-Markdown reads those differently).
_NAME = r"[a-zA-Z][^\s/>`]*"
_ATTRIBUTES = r"""(?:\s+[^\s"'>/=`]+(?:\s*=\s*(?:"[^"`]*"|'[^'`]*'|[^\s"'=<>`]+))?)*"""
_START = re.compile(rf"<({_NAME}){_ATTRIBUTES}\s*/?>")
# Each "<" of a block: an end tag (1), a start tag (2; 3: "/" when it closes
# itself), or a "<" that opens something else (4); a "<" before anything else
# is text to HTMLParser, and is passed over.
_TOKEN = re.compile(rf"<(?:/({_NAME})\s*>|({_NAME}){_ATTRIBUTES}\s*(/?)>|([a-zA-Z/!?]))")
_LINE_START_TAG = re.compile(r"^<", re.M)
_BLANK_LINE = re.compile(r"([ ]*\n){2}")  # html_block's test for a blank line after a block
_LINE_END = re.compile(r"[ ]*(?:\n|\Z)")  # nothing more on the block's last line
# HTMLParser reads the content of these as text (script and style; newer
# Pythons more): a block holding one is left to html_block.
_CDATA = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
                    "plaintext"})
_EMPTY = frozenset({"hr"})  # html_block's tags that never hold anything


def _block_end(text: str, start: int) -> int | None:
    """Where the raw block starting with the start tag at `start` ends (after
    its closing end tag), when that is certain; else None."""
    stack: list[str] = []
    for m in _TOKEN.finditer(text, start):
        end_tag, start_tag, empty, unsure = m.groups()
        if unsure is not None:
            return None  # a comment, a declaration, a tag not read
        if start_tag is not None:
            tag = start_tag.lower()
            if tag in _CDATA:
                return None
            if not empty and tag not in _EMPTY:
                stack.append(tag)
            elif m.start() == start:
                return None  # an empty tag alone: html_block handles those otherwise
            continue
        tag = end_tag.lower()
        if tag in stack:
            while stack.pop() != tag:
                pass
        if not stack:
            return m.end()
    return None  # never closed


def stash_blocks(md: Markdown, text: str) -> str:
    """`text` with the raw HTML blocks stashed (see the module's docstring)."""
    out: list[str] = []
    done = read = 0
    for m in _LINE_START_TAG.finditer(text):
        if m.start() < read:
            continue  # inside a block already stashed, or a tag already read
        start = m.start()
        nxt = text[start + 1: start + 2]
        if not (nxt.isascii() and nxt.isalpha()):
            break  # an end tag, a comment … at the start of a line: left to html_block from here
        tag = _START.match(text, start)
        if tag is None:
            break
        if not md.is_block_level(tag[1].lower()):
            read = tag.end()
            continue  # inline HTML starting a line: text to html_block, nothing changes
        end = _block_end(text, start)
        if end is None or not _LINE_END.match(text, end):
            break  # more on the line after the block: html_block reads it as the block's "tail"
        # html_block keeps a blank line after the block as the block's own
        # last newline; either way it puts the block's placeholder on a line
        # of its own, a blank line after it
        raw = text[start:end] + ("\n" if _BLANK_LINE.match(text, end) else "")
        out += [text[done:start], "\n", md.htmlStash.store(raw), "\n\n"]
        done = read = end
    out.append(text[done:])
    return "".join(out)


class _Stash(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return stash_blocks(self.md, "\n".join(lines)).split("\n")


class RawBlocks(Extension):
    """Registers the stashing right before html_block (priority 20), after
    mkdocs' collection of the raw HTML's anchors (21)."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_Stash(md), "stash_raw_blocks", 20.5)
