"""The Jinja2 environment of the templates (templates/): Markdown-safe text
(`md`), links relative to the page (`href`), page titles for the front
matter (`front_title`), and the few labels every template may need.
Templates only format: what they show is computed in the enrich stage.
"""

from __future__ import annotations

import html
import json
import re

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup

from ...jinja_cache import keep_compiled
from ...model.urls import compare_url, department_feed_url, relative_url
from ...paths import TEMPLATES
from ..enrich.boards import department_counts, department_items
from ..enrich.timeline import STATUS_LABELS

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_inline(text: str) -> Markup:
    """Text safe inside a Markdown heading or list item: HTML and Markdown
    punctuation escaped, so content is shown as typed, never interpreted.
    Returned as Markup, so that autoescape does not escape it a second time."""
    return Markup(_MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False)))


def front_title(text: str) -> Markup:
    """A page title for the YAML front matter: HTML-escaped (MkDocs and the
    theme put `page.title` into <title>, the header and the navigation as
    HTML, unescaped), then quoted as a JSON string, which YAML reads as a
    double-quoted scalar."""
    return Markup(json.dumps(html.escape(str(text), quote=False), ensure_ascii=False))


@pass_context
def href(ctx, url: str) -> str:
    return relative_url(ctx["page_url"], url)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
        # Markdown writes heading ids as {#id}: Jinja comments use {## ... ##}
        comment_start_string="{##",
        comment_end_string="##}",
    )
    env.filters["md"] = md_inline
    env.filters["href"] = href
    env.filters["front_title"] = front_title
    env.globals.update(STATUS_LABELS=STATUS_LABELS, compare_url=compare_url)
    env.globals.update(department_items=department_items, department_counts=department_counts,
                       department_feed_url=department_feed_url)
    keep_compiled(env)
    return env
