"""The raw HTML blocks of a page set aside before Python-Markdown's
html_block reads them (scripts/pipeline/build/rawhtml.py): the HTML is the
same, byte for byte, as without it, on documents made to trip it; on the
generated pages of the real data it sets aside nearly every block (else it
would save nothing). That those pages' HTML is the same is shown with the
rest of the build: tests/pipeline/test_plain_mkdocs.py compares every page the
build writes with what a plain mkdocs build (without rawhtml) writes."""

from __future__ import annotations

import markdown
import pytest
import yaml

from conftest import ROOT
from scripts.pipeline.build.rawhtml import RawBlocks, stash_blocks


def config() -> tuple[list, dict]:
    """The Markdown extensions and their settings in mkdocs.yml."""
    exts, configs = [], {}
    for item in yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]:
        name, settings = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        exts.append(name)
        if settings:
            configs[name] = settings
    return exts, configs


EXTS, CONFIGS = config()


def convert(text: str, stash: bool) -> str:
    md = markdown.Markdown(extensions=EXTS + ([RawBlocks()] if stash else []), extension_configs=CONFIGS)
    return md.convert(text)


def body(text: str) -> str:
    """A page's Markdown without its front matter (as mkdocs converts it)."""
    if text.startswith("---\n") and "\n---\n" in text:
        return text.split("\n---\n", 1)[1]
    return text


TRICKY = [
    "para\n<div>a</div>\n\nnext",  # no blank line before
    "<p>a</p>\n<p>b</p>\n\nx",  # blocks on consecutive lines
    "<div>\n\n<p>x</p>\n\n</div>\n\ny",  # blank lines inside
    "<div><div>a</div></div>\n\n<div><section><div>b</div></section></div>\n",
    "<div>a</span></div>\n\nb",  # a stray end tag
    "<div>a<br>b<hr>c<br/><img src=x></div>\n\nz",
    "<div>a</div> tail\n\nx",  # more on the block's line
    "<!-- c -->\n<div>a</div>\n\n",
    "<div><!-- c --></div>\n\n<div>b</div>\n",
    "<script>var x = '<div>';</script>\n\n<div>a</div>\n",
    "<hr>\n\n<div>a</div>\n\n",
    "<span>x</span>\n<div>a</div>\n\n",
    '<div title="a > b">x</div>\n\n',
    "<div>1 < 2 and 3 <4</div>\n\n",
    "<div>a</div>",
    "<div>a</div>   \n\nx",
    "<div>a</div>  \nx",
    '# T {#t}\n\n<dl class="m">\n<dt>a</dt><dd>b</dd>\n</dl>\n\ntext **b** <span>s</span>\n',
    "<div>\n<p>a</p>\n</div>\n<div>b</div>\n\n",
    "<table>\n<tr><td>a</td></tr>\n</table>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "   <div>indented</div>\n\n<div>x</div>\n",
    "<DIV>Upper</Div>\n\n",
    "<div>a &amp; &#169; b</div>\n\n",
    '<div\nclass="x">a tag on two lines</div>\n\n',
    "<p>unclosed\n\nnext para\n",
    "<div>`code` and *stars*</div>\n\n",
    "<div data-x=`y`>a</div>\n\n<div>b</div>\n",
    "<div>a</div>\n\n<?php x ?>\n\n<div>b</div>\n",
    '!!! note "N"\n    text\n\n<div>a</div>\n',
    "<p>中文<a href=\"#x\">链接</a></p>\n\n<details><summary>s</summary>\n\nd\n\n</details>\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_the_html_is_the_same(text):
    assert convert(text, True) == convert(text, False)


def test_it_sets_aside_what_it_is_sure_of():
    md = markdown.Markdown(extensions=EXTS, extension_configs=CONFIGS)
    out = stash_blocks(md, '# T\n\n<dl class="m">\n<dt>a</dt>\n</dl>\n\n<p>x</p>\n<p>y</p>\n\ntext\n')
    assert "<" not in out and md.htmlStash.html_counter == 3
    md = markdown.Markdown(extensions=EXTS, extension_configs=CONFIGS)
    out = stash_blocks(md, "<div>a</div> tail\n\n<div>b</div>\n")
    assert out == "<div>a</div> tail\n\n<div>b</div>\n" and md.htmlStash.html_counter == 0


def test_nearly_every_tag_of_the_generated_pages_is_set_aside(real_site, data_dir, tmp_path):
    from scripts.pipeline.render import render_site

    render_site(real_site, out=tmp_path, data_dir=data_dir, extras=False)
    pages = sorted(tmp_path.rglob("*.md"))
    assert pages
    tags = left = 0
    for page in pages:
        text = body(page.read_text(encoding="utf-8"))
        md = markdown.Markdown(extensions=EXTS, extension_configs=CONFIGS)
        tags += text.count("<")
        left += stash_blocks(md, text).count("<")
    assert left < tags / 20, f"{left} of {tags} tags left to html_block"
