"""The mkdocs side of the build cache (cache.py): a plugin that reuses the
HTML of unchanged pages instead of converting them, and records what the
cache needs to know about every page it converts.

A page's HTML is a function of its Markdown and path, the engine (mkdocs.yml,
the theme and its overrides, the installed packages, our plugins: cache.py's
engine key), the navigation (the titles and front matter of the pages in
it), and the files its Markdown links point at (mkdocs rewrites a link to
`x.md` into the address of x). The parent offers as candidates the pages
whose Markdown and engine are those of the cached HTML (verified against its
hash). Here, once mkdocs knows every file and the navigation, a candidate is
reused only when

- the navigation is the one the cached pages were rendered with (nav_key);
- it is not itself a page of the navigation (those are few, always
  converted, so that their titles are never taken from the cache);
- every file lookup its conversion made finds the same file at the same
  address (or finds nothing, again).

A reused page is neither read, converted nor built: mkdocs gets its
anchors, its links into anchors of other pages (so that links are still
checked, both ways) and its title from the cache, and instead of reading,
converting and building it (the plugins' page events, the template's
context, the template) the cached HTML is hard-linked to where mkdocs would
write the page (skip_reused_pages).

For every page it does convert, the plugin records its lookups, anchors,
links to anchors, title and the SHA-256 of the HTML mkdocs writes (the report
the parent stores in the cache).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

def nav_key(nav, read_meta) -> str:
    """What the rendered navigation takes from the pages in it: their paths,
    their front matter (titles, icons, status …) and, for a page without a
    title in its front matter, its Markdown (its first heading becomes its
    title). `read_meta(file)` -> (markdown, meta)."""
    items = []
    for page in nav.pages:
        markdown, meta = read_meta(page.file)
        entry = [page.file.src_uri, json.dumps(meta, sort_keys=True, ensure_ascii=False, default=str)]
        if "title" not in meta:
            entry.append(hashlib.sha256(markdown.encode("utf-8")).hexdigest())
        items.append(entry)
    return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode("utf-8")).hexdigest()


def _front_matter(file) -> tuple[str, dict]:
    from mkdocs.utils import meta

    return meta.get_data(file.content_string)


def reuse_plugin(offer: dict, link_html: bool, elsewhere: set[str] = frozenset()):
    """The plugin. `offer`: {"nav": nav key of the cached pages, "pages":
    {src_uri: {"html": path of the cached HTML, "dest", "lookups",
    "anchors", "to_anchors", "title"}}}. `link_html`: this process links the
    reused pages' HTML into the site (one share does). `elsewhere`: the pages
    other mkdocs processes convert (filled by the share plugin; not recorded
    here)."""
    from mkdocs.plugins import BasePlugin, event_priority

    class Reuse(BasePlugin):
        def __init__(self):
            self.reused: dict[str, dict] = {}  # src_uri -> the cached entry
            self.records: dict[str, dict] = {}  # src_uri -> what its conversion looked up, …
            self.nav_key = ""
            self._lookups: dict | None = None  # the page being converted: path -> url or None

        def on_nav(self, nav, config, files):
            self.nav_key = nav_key(nav, _front_matter)
            self._record_lookups(files)
            if offer.get("pages") and offer.get("nav") == self.nav_key:
                in_nav = {p.file.src_uri for p in nav.pages}
                for uri, entry in offer["pages"].items():
                    f = files.get_file_from_path(uri)
                    if (f is None or not f.is_documentation_page() or uri in in_nav
                            or f.dest_uri != entry["dest"] or not _same_lookups(files, entry)):
                        continue
                    self.reused[uri] = entry
                    f.content_string = ""  # never read from the docs folder
            return nav

        def _record_lookups(self, files) -> None:
            """Every lookup of a file during a page's conversion is recorded
            (mkdocs resolves a page's Markdown links with these)."""
            lookup = files.get_file_from_path

            def get_file_from_path(path):
                found = lookup(path)
                if self._lookups is not None:
                    self._lookups[str(path)] = found.url if found is not None else None
                return found

            files.get_file_from_path = get_file_from_path

        def on_page_markdown(self, markdown, page, config, files):
            self._lookups = {}  # a page converted: a reused one is not read (skip_reused_pages)
            return markdown

        def on_page_content(self, html, page, config, files):
            uri = page.file.src_uri
            if uri not in self.reused and uri not in elsewhere and self._lookups is not None:
                self.records[uri] = {
                    "dest": page.file.dest_uri,
                    "lookups": self._lookups,
                    "anchors": sorted(page.present_anchor_ids or ()),
                    # links into its own anchors need no check when it is reused (its anchors are the same)
                    "to_anchors": {f.src_uri: dict(links) for f, links in (page.links_to_anchors or {}).items()
                                   if f.src_uri != uri},
                    "title": page._title_from_render,
                }
            self._lookups = None
            return html

        @event_priority(-100)  # last: the output as mkdocs writes it
        def on_post_page(self, output, page, config):
            uri = page.file.src_uri
            if uri in self.records and output.strip():
                data = output.encode("utf-8", errors="xmlcharrefreplace")  # as mkdocs writes it
                self.records[uri]["html"] = hashlib.sha256(data).hexdigest()
            return output

        def skip_reused_pages(self, build_module) -> None:
            """mkdocs' build module (mkdocs.commands.build) reads, converts
            and builds every page but the reused ones: a reused page gets
            from the cache what a conversion leaves on it (_restore), without
            the page events of reading and converting it, and its cached HTML
            is linked where mkdocs would write it (by the process that
            links: `link_html`)."""
            populate_page, build_page = build_module._populate_page, build_module._build_page

            def _populate_page(page, config, files, dirty=False):
                entry = self.reused.get(page.file.src_uri)
                if entry is None:
                    return populate_page(page, config, files, dirty)
                page.markdown, page.meta = "", {}
                _restore(page, entry, config, files)

            def _build_page(page, config, doc_files, nav, env, dirty=False, excluded=False):
                entry = self.reused.get(page.file.src_uri)
                if entry is None:
                    return build_page(page, config, doc_files, nav, env, dirty, excluded)
                if link_html:
                    _link(entry["html"], page.file.abs_dest_path)

            build_module._populate_page, build_module._build_page = _populate_page, _build_page

    return Reuse()


def _same_lookups(files, entry: dict) -> bool:
    for path, url in entry["lookups"].items():
        found = files.get_file_from_path(path)
        if (found.url if found is not None else None) != url:
            return False
    return all(files.get_file_from_path(uri) is not None for uri in entry["to_anchors"])


def _restore(page, entry: dict, config, files) -> None:
    """Page.render() of a reused page: what a conversion would have left
    on the page for the rest of the build, from the cache."""
    from mkdocs.structure.toc import get_toc

    page.content = ""
    page.toc = get_toc([])
    page._title_from_render = entry["title"]
    page.present_anchor_ids = set(entry["anchors"])
    page.links_to_anchors = {files.get_file_from_path(uri): dict(links) for uri, links in entry["to_anchors"].items()}


def _link(source: str, dest: str) -> None:
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    if os.path.lexists(dest):
        os.unlink(dest)
    try:
        os.link(source, dest)
    except OSError:  # another file system: copy
        import shutil

        shutil.copyfile(source, dest)


def write_report(path: Path, plugin) -> None:
    """What this mkdocs process did, for the cache: the navigation key, the
    pages it reused (src_uri -> where the HTML is) and, for each page it
    converted, its record."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"nav": plugin.nav_key, "reused": {u: e["dest"] for u, e in sorted(plugin.reused.items())},
                               "pages": plugin.records},
                              ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
