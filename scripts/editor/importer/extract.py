"""The plain text of a plan from the file a clerk has: `.txt` as it is, `.docx`
through python-docx, `.pdf` through pdfplumber.

The text is written in the form of data/sources/ and is what becomes the
plan's source there: one paragraph per line with a blank line between
paragraphs, a bold opening of a paragraph in `**…**`, a table one row per line
with its cells separated by tabs (a merged cell once, the cells it covers
empty). What the printing adds is left out: page numbers and running headers,
the header row a table repeats on each page, and the line and page breaks
inside a paragraph (a sentence cut by a page end is one line again).

PDF: each page's text lines are read with their position and size; a line
continues the paragraph above it when it is of the same size, starts at the
left margin and the line above reached the right margin; any other line
starts a paragraph (first-line indent, a short last line above, a centred or
right-aligned line). Tables are read as tables (ruled cells), in their place
on the page; a row that a page end splits is joined again.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ...model.pages import is_page_number
from .units import UNIT_END, UNIT_START


class ExtractError(Exception):
    """The file cannot be read as a plan."""


_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef“”‘’—…]")


def join_wrapped(a: str, b: str) -> str:
    """Two pieces of one paragraph: nothing between CJK text, a space between words."""
    if not a or not b:
        return a + b
    if _CJK.match(a[-1]) or _CJK.match(b[0]) or a[-1] in "-/（(":
        return a + b
    return a + " " + b


def cell_text(text: str | None, names: bool = False) -> str:
    """A table cell on one line: its lines joined, tabs made spaces. With `names`
    (a PDF cell, whose line breaks may separate the names of a list of units: 区应急局
    区消防救援支队 / 区委编办), a line that ends like a unit's name (局, 队 …) and a line
    that starts like one (区, 镇, 各 …) are joined with a space, as the names were printed."""
    out = ""
    for piece in (text or "").replace("\t", " ").split("\n"):
        piece = piece.strip()
        if names and out and piece and out[-1] in UNIT_END and piece[0] in UNIT_START:
            out += " " + piece
        else:
            out = join_wrapped(out, piece)
    return out.strip()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def table_lines(rows: list[list[str]]) -> list[str]:
    """Rows of one table as tab-separated lines; a header row repeated on a later
    page is dropped."""
    out, header = [], None
    for row in rows:
        line = "\t".join(row).rstrip("\t") if any(row) else ""
        if not line:
            continue
        key = _squash(line)
        if header is None:
            header = key
        elif key == header:
            continue
        out.append("\t".join(row))
    return out


def read_text(path: Path) -> str:
    """The plain text of a plan file (.txt, .docx or .pdf), in the form of data/sources/."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return docx_text(path)
    if suffix == ".pdf":
        return pdf_text(path)
    if suffix in (".txt", ".text", ".md"):
        try:
            return path.read_text(encoding="utf-8").lstrip("\ufeff")
        except UnicodeDecodeError:
            try:
                return path.read_text(encoding="gb18030")
            except UnicodeDecodeError as e:
                raise ExtractError(f"not UTF-8 or GB18030 text ({e})") from e
    if suffix == ".doc":
        raise ExtractError("an old Word .doc file: save it as .docx (Word or LibreOffice: 另存为 .docx) and import that")
    raise ExtractError(f"cannot read '{suffix}' files: import a .docx, .pdf or .txt")


# --------------------------------------------------------------------------- #
# DOCX
# --------------------------------------------------------------------------- #


def docx_text(path: Path) -> str:
    try:
        from docx import Document
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as e:  # pragma: no cover - pinned in requirements.txt
        raise ExtractError(f"python-docx is not installed ({e}); run `make .venv/.installed`") from e
    try:
        doc = Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as e:
        raise ExtractError(f"not a Word .docx file ({e})") from e
    blocks: list[str] = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = _docx_paragraph(child)
            if text:
                blocks.append(text)
        elif tag == "tbl":
            lines = table_lines(_docx_rows(child))
            if lines:
                blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _run_text(r) -> str:
    out = ""
    for node in r.iter():
        tag = node.tag.rsplit("}", 1)[-1]
        if tag == "t" and node.text:
            out += node.text
        elif tag == "tab":
            out += " "
        elif tag in ("br", "cr"):
            out += "\n"
    return out


def _is_bold(r) -> bool:
    rpr = r.find(f"{_W}rPr")
    if rpr is None:
        return False
    b = rpr.find(f"{_W}b")
    return b is not None and b.get(f"{_W}val") not in ("0", "false", "off")


def _docx_paragraph(p) -> str:
    """A paragraph's text; its bold opening (not the whole paragraph) in **…**;
    line breaks inside it joined like wrapped lines."""
    pieces: list[tuple[str, bool]] = []
    for r in p.iter(f"{_W}r"):
        t = _run_text(r)
        if t:
            pieces.append((t, _is_bold(r)))
    text = "".join(t for t, _ in pieces)
    lead = ""
    for t, bold in pieces:
        if not bold:
            break
        lead += t
    joined = ""
    for line in text.split("\n"):
        joined = join_wrapped(joined, line.strip())
    joined = joined.strip()
    lead_s = "".join(lead.split("\n")).strip()
    if lead_s and len(lead_s) < len(joined) and joined.startswith(lead_s):
        return f"**{lead_s}**{joined[len(lead_s):]}"
    return joined


def _docx_rows(tbl) -> list[list[str]]:
    """Rows of cells; a cell spanning columns once (then empty cells), a cell that
    continues a vertical merge empty."""
    rows = []
    for tr in tbl.iterchildren(f"{_W}tr"):
        row: list[str] = []
        for tc in tr.iterchildren(f"{_W}tc"):
            tcpr = tc.find(f"{_W}tcPr")
            span, cont = 1, False
            if tcpr is not None:
                gs = tcpr.find(f"{_W}gridSpan")
                if gs is not None:
                    span = int(gs.get(f"{_W}val", "1"))
                vm = tcpr.find(f"{_W}vMerge")
                cont = vm is not None and vm.get(f"{_W}val") in (None, "continue")
            paras = [_docx_paragraph(p).replace("**", "") for p in tc.iter(f"{_W}p")]
            text = ""
            for para in paras:
                text = join_wrapped(text, para)
            row.append("" if cont else cell_text(text))
            row.extend([""] * (span - 1))
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- #
# PDF
# --------------------------------------------------------------------------- #


def pdf_text(path: Path) -> str:
    try:
        import pdfplumber
        from pdfminer.pdfparser import PDFSyntaxError
        from pdfplumber.utils.exceptions import PdfminerException
    except ImportError as e:  # pragma: no cover - pinned in requirements.txt
        raise ExtractError(f"pdfplumber is not installed ({e}); run `make .venv/.installed`") from e
    try:
        with pdfplumber.open(str(path)) as pdf:
            pages = [_pdf_page(page) for page in pdf.pages]
    except (PdfminerException, PDFSyntaxError, OSError, ValueError) as e:
        raise ExtractError(f"not a PDF file, or a damaged one ({e})") from e
    if not any(items for items, _ in pages):
        raise ExtractError("the PDF has no text layer (a scan?): run it through OCR first, or import a .docx")
    margins = _margins(pages)
    return _paragraphs(pages, margins)


def _pdf_page(page) -> tuple[list[dict], float]:
    """The page's items in reading order: text lines ({kind: line}) and tables
    ({kind: table, rows}); and the page width."""
    tables = [t for t in page.find_tables() if len(t.rows) >= 2 or len(t.rows[0].cells) >= 3]
    boxes = [t.bbox for t in tables]
    items: list[dict] = []
    for ln in page.extract_text_lines(layout=False, strip=True, return_chars=True):
        mid = (ln["top"] + ln["bottom"]) / 2
        if any(b[1] <= mid <= b[3] and b[0] - 2 <= ln["x0"] <= b[2] + 2 for b in boxes):
            continue
        text = ln["text"].strip()
        if not text:
            continue
        sizes = Counter(round(c["size"], 1) for c in ln["chars"] if c["text"].strip())
        items.append({"kind": "line", "text": text, "x0": ln["x0"], "x1": ln["x1"], "top": ln["top"],
                      "bottom": ln["bottom"], "size": sizes.most_common(1)[0][0] if sizes else 0,
                      "height": page.height})
    for t in tables:
        rows = [[cell_text(c, names=True) for c in row] for row in t.extract()]
        items.append({"kind": "table", "rows": rows, "top": t.bbox[1]})
    items.sort(key=lambda x: x["top"])
    # page numbers and running headers: a page-number line at the top or bottom of the page
    lines = [x for x in items if x["kind"] == "line"]
    if lines:
        for x in {id(lines[0]): lines[0], id(lines[-1]): lines[-1]}.values():
            if is_page_number(x["text"]) and (x["top"] > page.height * 0.8 or x["bottom"] < page.height * 0.2):
                items.remove(x)
    return items, page.width


def _margins(pages) -> dict[int, tuple[float, float]]:
    """Left and right margins of the body text, per page width (portrait, landscape)."""
    lefts: dict[int, Counter] = {}
    rights: dict[int, Counter] = {}
    for items, width in pages:
        w = round(width)
        for x in items:
            if x["kind"] == "line":
                lefts.setdefault(w, Counter())[round(x["x0"])] += 1
                rights.setdefault(w, Counter())[round(x["x1"])] += 1
    out = {}
    for w in lefts:
        left = lefts[w].most_common(1)[0][0]
        # the right margin: the furthest right that many lines reach
        xs = sorted(rights[w].elements())
        right = xs[int(len(xs) * 0.9)] if xs else w
        out[w] = (left, right)
    return out


def _paragraphs(pages, margins) -> str:
    blocks: list[str] = []
    para = ""
    prev: dict | None = None  # the last line of the paragraph being read
    pending_rows: list[list[str]] | None = None  # the table being read (it may run over pages)

    def flush_para():
        nonlocal para, prev
        if para.strip():
            blocks.append(para.strip())
        para, prev = "", None

    def flush_table():
        nonlocal pending_rows
        if pending_rows:
            lines = table_lines(pending_rows)
            if lines:
                blocks.append("\n".join(lines))
        pending_rows = None

    for items, width in pages:
        left, right = margins[round(width)]
        for x in items:
            if x["kind"] == "table":
                flush_para()
                rows = x["rows"]
                if pending_rows is not None and rows:
                    if _squash("".join(rows[0])) == _squash("".join(pending_rows[0])):
                        rows = rows[1:]  # the header row again
                    if rows and not rows[0][0].strip() and pending_rows and len(rows[0]) == len(pending_rows[-1]):
                        last = pending_rows[-1]  # a row the page end split: the rest of its cells
                        pending_rows[-1] = [join_wrapped(a, b) for a, b in zip(last, rows[0])]
                        rows = rows[1:]
                    pending_rows.extend(rows)
                else:
                    flush_table()
                    pending_rows = list(rows)
                continue
            size = x["size"] or 1
            flush_table() if pending_rows is not None and not is_page_number(x["text"]) else None
            starts_at_margin = x["x0"] <= left + 0.6 * size
            if prev is not None:
                prev_body = prev["x0"] <= left + 2.6 * size  # the line above starts at the margin or indent
                prev_full = prev["x1"] >= right - 1.2 * size
                same_size = abs(prev["size"] - x["size"]) < 0.6
                centred_title = (same_size and prev_body and prev_full and x["x0"] > left + 2.6 * size
                                 and abs((x["x0"] - left) - (right - x["x1"])) < 2 * size)
                if same_size and prev_body and prev_full and (starts_at_margin or centred_title):
                    para = join_wrapped(para, x["text"])
                    prev = x
                    continue
            flush_para()
            para, prev = x["text"], x
    flush_para()
    flush_table()
    return "\n\n".join(blocks) + "\n"
