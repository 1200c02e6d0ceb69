"""The mkdocs child process of the build: `mkdocs build --strict` of
mkdocs.yml with docs_dir overridden, for share k of n of the pages
(`python -m scripts.pipeline.build.mkdocs_child OUT DOCS k/n [REUSE]`), with
the plugins that make it fast and lean and leave the built files byte for
byte those of a plain `mkdocs build`:

- reuse.py's plugin: pages the build cache offers (REUSE) and that are
  still valid are not converted, their cached HTML is linked in; what every
  converted page looked up is recorded for the cache;

- _share_plugin: this process builds its share of the pages; links into the
  pages of other shares are still checked;
- _lean_plugin: each page's source and HTML let go of as soon as they are
  no longer needed;
- _faster_anchor_collection: the anchors of each page collected with regular
  expressions instead of Python's HTMLParser;
- _one_markdown: one Python-Markdown instance converts every page (reset in
  between), instead of a new one, its extensions set up again, per page;
- rawhtml.RawBlocks: the raw HTML blocks of each page set aside as
  Python-Markdown would, found with regular expressions instead of
  HTMLParser;
- _link_instead_of_copy: files of the build's own docs folder hard-linked
  into the site, not copied;
- _keep_made_folders: the site folder (new, the build's own) not emptied
  first: the folders of the pages made in it beforehand, and the downloads
  written into it beside mkdocs, are kept;
- _worker_version_plugin: `search_worker_version` for the templates;
- _nav_memo_plugin: `site_nav_memo` for the templates: the navigation and
  the tabs made once for every page outside the navigation whose links
  point to the same places (overrides/main.html);
- _compiled_templates_plugin: the theme's templates compiled once for all
  processes (scripts/jinja_cache.py).

`make serve` (scripts/serve.py) shares what does not depend on the build's
shares and cache: patch_mkdocs() and speed_up().
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import logging
import os
import re
import sys
import time
from pathlib import Path

from ...jinja_cache import keep_compiled
from ...paths import CONFIG, HAND_WRITTEN, WORKER_FILE
from .progress import PAGE_WEIGHT, say
from .rawhtml import RawBlocks
from .reuse import reuse_plugin, write_report



def _lean_plugin():
    """An mkdocs plugin for memory: mkdocs keeps every page's Markdown
    source and HTML body from the moment it is converted until the whole
    build ends (about 1 GB at 30,000 tasks). The source is not needed once
    converted (the title stays: from the front matter or the first heading);
    the body waits, compressed, until its page is written, and is let go
    then. The built files are the same."""
    import zlib

    from mkdocs.plugins import BasePlugin

    class Lean(BasePlugin):
        def __init__(self):
            self.bodies: dict[str, bytes] = {}

        def on_page_content(self, html, page, config, files):
            page.markdown = ""  # not None: mkdocs reads None as "not read yet"
            self.bodies[page.file.src_uri] = zlib.compress(html.encode("utf-8"), 1)
            return ""

        def on_page_context(self, context, page, config, nav):
            page.content = zlib.decompress(self.bodies.pop(page.file.src_uri)).decode("utf-8")
            return context

        def on_post_page(self, output, page, config):
            page.content = None
            return output

    return Lean()


_TAG = re.compile(r"<!--.*?-->|<[a-zA-Z][^\s/>]*(?:\s[^>]*)?>", re.S)
_ID_ATTR = re.compile(r"""\s(id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)


def _anchor_ids(text: str) -> set[str]:
    """The ids (and <a name=…>) in the raw HTML of a page's Markdown, as
    mkdocs' HTMLParser-based collector finds them (comments skipped, values
    unescaped), with two regular expressions."""
    ids = set()
    for m in _TAG.finditer(text):
        tag = m.group(0)
        if tag.startswith("<!--"):
            continue
        is_a = tag[1] in "aA" and not (tag[2].isalnum() or tag[2] in "-_:.")
        for a in _ID_ATTR.finditer(tag):
            value = next(g for g in a.groups()[1:] if g is not None)
            if a.group(1).lower() == "id" or is_a:
                ids.add(html.unescape(value))
    return ids


def _faster_anchor_collection() -> None:
    """mkdocs (1.6) collects the anchors of every page for its link check by
    running Python's HTMLParser over the page's Markdown: a fifth of its
    time on pages made mostly of HTML, as ours are. Collect them with
    _anchor_ids() instead (the same ids on every page of the real site and of
    the benchmark's corpus). Left alone when mkdocs has changed."""
    from mkdocs.structure import pages

    collector = getattr(pages, "_RawHTMLPreprocessor", None)
    if collector is None or not hasattr(collector, "run"):
        return

    def run(self, lines: list[str]) -> list[str]:
        self.present_anchor_ids = _anchor_ids("\n".join(lines))
        return lines

    collector.run = run


def _one_markdown() -> None:
    """mkdocs (1.6) makes a new Markdown instance for every page it converts,
    setting up every extension again (a twentieth of its time on the real
    site). Convert every page with one instance, reset between pages (what
    Python-Markdown's reset() is for: it empties the stash, the references
    and each extension's state, the table of contents included); the
    processors mkdocs adds for the page (links, anchors, title) are made for
    each page as before and replace the previous page's under the same
    names. Page.render as mkdocs 1.6 has it otherwise; left alone when mkdocs
    has changed."""
    import markdown
    from mkdocs.structure import pages

    parts = ("_RawHTMLPreprocessor", "_ExtractAnchorsTreeprocessor", "_RelativePathTreeprocessor",
             "_ExtractTitleTreeprocessor", "get_toc", "log")
    if not all(hasattr(pages, name) for name in parts) or not hasattr(pages.Page, "render"):
        return
    made: list = [None, None]  # the configuration, and the instance made for it

    def render(self, config, files) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        if made[0] is not config:
            made[:] = [config, markdown.Markdown(extensions=config["markdown_extensions"],
                                                 extension_configs=config["mdx_configs"] or {})]
        md = made[1]
        md.reset()
        raw_html_ext = pages._RawHTMLPreprocessor()
        raw_html_ext._register(md)
        extract_anchors_ext = pages._ExtractAnchorsTreeprocessor(self.file, files, config)
        extract_anchors_ext._register(md)
        relative_path_ext = pages._RelativePathTreeprocessor(self.file, files, config)
        relative_path_ext._register(md)
        extract_title_ext = pages._ExtractTitleTreeprocessor()
        extract_title_ext._register(md)
        self.content = md.convert(self.markdown)
        self.toc = pages.get_toc(getattr(md, "toc_tokens", []))
        self._title_from_render = extract_title_ext.title
        self.present_anchor_ids = extract_anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
        if pages.log.getEffectiveLevel() > logging.DEBUG:
            self.links_to_anchors = relative_path_ext.links_to_anchors

    pages.Page.render = render


def _link_instead_of_copy(docs: str) -> None:
    """mkdocs copies every file of the docs folder that is not a page into
    the site: at 30,000 tasks a hundred thousand downloads and search files,
    a tenth of its time. Files of our own temporary docs folder (deleted
    after the build, so no file stays shared) are hard-linked instead when
    both folders are on one file system; the theme's files are copied."""
    from mkdocs import utils

    root = os.path.realpath(docs) + os.sep
    copy = utils.copy_file

    def copy_file(source_path: str, output_path: str) -> None:
        if os.path.realpath(source_path).startswith(root) and not os.path.isdir(output_path):
            try:
                os.makedirs(os.path.dirname(output_path), exist_ok=True)
                if os.path.lexists(output_path):
                    os.unlink(output_path)
                os.link(source_path, output_path)
                return
            except OSError:
                pass
        copy(source_path, output_path)

    utils.copy_file = copy_file


def _keep_made_folders() -> None:
    """mkdocs empties the site folder before it builds. Ours is new, made by
    this build, and holds nothing but the folders of the last build's pages,
    made beforehand (cache.BuildCache.open), and the downloads, feeds and
    redirect pages the generation writes into it beside mkdocs: keep them."""
    from mkdocs import utils

    utils.clean_directory = lambda directory: None


def _share_plugin(k: int, n: int, reused: dict | None = None, others: set[str] | None = None):
    """An mkdocs plugin that makes this process build share `k` of `n`
    (every share sees every file, so links, the navigation and sitemap.xml
    are the same in all of them).

    The hand-written pages of docs/, and pages of the navigation without a
    title in their front matter, are built by every share (they are few and
    small; their titles and anchors are then known everywhere; the generated
    pages all have one). Every other page belongs to one share,
    dealt by size (largest first, to the share with the least work so far),
    alike in every share; the others read its front matter only (its title)
    and do not write it. Links in a share's pages are checked in that share;
    an anchor on a page of another share is looked up among the ids in the
    page's raw HTML and its {#id} attributes (the generated pages name every
    anchor so). Pages the cache reuses (`reused`, filled by the reuse plugin
    before this one deals) are dealt to no share; `others` is filled with the
    pages of other shares. The built files are the
    same as one mkdocs process's."""
    from jinja2 import ChoiceLoader, DictLoader
    from mkdocs.plugins import BasePlugin

    skip = "build-share-skip.html"  # an empty template, for pages of other shares

    class Share(BasePlugin):
        def __init__(self):
            self.others: set[str] = set() if others is None else others  # the pages of other shares

        def on_nav(self, nav, config, files):
            everywhere = {p.file.src_uri for p in nav.pages if not _front_matter_title(p.file.abs_src_path)}
            everywhere |= set(reused or ())
            dealt = []
            for f in files.documentation_pages():
                if f.src_uri not in everywhere and not (HAND_WRITTEN / f.src_uri).is_file():
                    dealt.append((-(os.path.getsize(f.abs_src_path) + PAGE_WEIGHT), f.src_uri))
            load = [0] * n
            for size, uri in sorted(dealt):
                share = load.index(min(load))
                load[share] -= size
                if share != k:
                    self.others.add(uri)
            return nav

        def on_page_markdown(self, markdown, page, config, files):
            if page.file.src_uri not in self.others:
                return markdown
            page.meta["template"] = skip
            page.render = functools.partial(_not_here, page)  # no Markdown instance made
            return ""

        def on_env(self, env, config, files):
            # The pages are read; before links are checked, give the pages of
            # other shares that this share's pages link into with an anchor
            # the ids they hold.
            targets = {
                target
                for f in files.documentation_pages()
                if f.src_uri not in self.others and f.page is not None
                for target in f.page.links_to_anchors or {}
            }
            for target in targets:
                if target.src_uri in self.others and target.page is not None:
                    text = Path(target.abs_src_path).read_text(encoding="utf-8-sig")
                    target.page.present_anchor_ids = _anchor_ids(text) | set(_ATTR_ID.findall(text))
            env.loader = ChoiceLoader([DictLoader({skip: ""}), env.loader])
            return env

        def on_post_page(self, output, page, config):
            return "" if page.file.src_uri in self.others else output

    return Share()


def _front_matter_title(path: str) -> bool:
    """Whether the Markdown file starts with YAML front matter naming its
    title (then its title is known without converting it)."""
    with open(path, encoding="utf-8-sig") as f:
        if f.readline().rstrip() != "---":
            return False
        for line in f:
            if line.rstrip() in ("---", "..."):
                return False
            if line.startswith("title:"):
                return True
    return False


def _not_here(page, config, files) -> None:
    """Page.render() of a page another share builds: nothing to convert."""
    page.content = ""


_ATTR_ID = re.compile(r"\{[^}\n]*#([^\s}]+)[^}\n]*\}")  # {#id} attribute lists


def _worker_version_plugin(docs: str):
    """Gives the templates `search_worker_version` (overrides/main.html puts
    it on the worker's address): digits of the hash of the search worker
    script, so that pages change when the worker does, not with every build
    date (a rebuild can then reuse unchanged pages: cache.py)."""
    from mkdocs.plugins import BasePlugin

    version = worker_version(Path(docs))

    class WorkerVersion(BasePlugin):
        def on_env(self, env, config, files):
            if version is not None:
                env.globals["search_worker_version"] = version
            return env

    return WorkerVersion()


def worker_version(docs: Path) -> str | None:
    """Digits of the SHA-256 of the search worker script in `docs`, or None
    when there is none (the template then falls back to the build date)."""
    try:
        data = (docs / WORKER_FILE).read_bytes()
    except OSError:
        return None
    return str(int(hashlib.sha256(data).hexdigest()[:12], 16))


def _nav_memo_plugin():
    """Gives the templates `site_nav_memo(name, page, nav)`, a call block
    (overrides/main.html): what its body renders, kept for the next page
    outside the navigation whose navigation links all point to the same
    places. Such a page makes no item of the navigation active (mkdocs marks
    a page and its sections active, and it is in none), so the theme's
    navigation and tabs differ between two of them only in their links,
    each the address of an item relative to the page (mkdocs' `url` filter:
    normalize_url). A page in the navigation is rendered as usual."""
    from mkdocs.plugins import BasePlugin
    from mkdocs.utils import normalize_url

    kept: dict[tuple, str] = {}

    def targets(items) -> list:
        found = []
        for item in items:
            if getattr(item, "url", None) is not None:
                found.append(item.url)
            found += targets(getattr(item, "children", None) or ())
        return found

    class NavMemo(BasePlugin):
        def on_env(self, env, config, files):
            homepage = (config.extra or {}).get("homepage")

            def site_nav_memo(name, page, nav, caller):
                if page is None or page in nav.pages:
                    return caller()
                links = [*targets(nav.items), *([homepage] if homepage else [])]
                key = (name, *(normalize_url(str(url), page=page) for url in links))
                if key not in kept:
                    kept[key] = caller()
                return kept[key]

            env.globals["site_nav_memo"] = site_nav_memo
            return env

    return NavMemo()


def _compiled_templates_plugin():
    """The theme's templates compiled once, not by every mkdocs process
    (scripts/jinja_cache.py)."""
    from mkdocs.plugins import BasePlugin

    class CompiledTemplates(BasePlugin):
        def on_env(self, env, config, files):
            keep_compiled(env)
            return env

    return CompiledTemplates()


def patch_mkdocs() -> None:
    """What this process's mkdocs does faster, for every build it runs."""
    _faster_anchor_collection()
    _one_markdown()


def speed_up(cfg, docs: str) -> None:
    """What a configuration loaded from mkdocs.yml (docs_dir `docs`) gains
    for the build and for `make serve` alike: the same pages, made sooner."""
    cfg["markdown_extensions"].append(RawBlocks())  # the same HTML, sooner (rawhtml.py)
    cfg.plugins["build-worker-version"] = _worker_version_plugin(docs)
    cfg.plugins["build-nav-memo"] = _nav_memo_plugin()
    cfg.plugins["build-compiled-templates"] = _compiled_templates_plugin()


def _run_mkdocs_here(out: str, docs: str, share: tuple[int, int] = (0, 1), reuse: str = "") -> int:
    """In the child process: what `mkdocs build --strict --quiet -f mkdocs.yml
    -d out` does, with docs_dir overridden, for share k of n. `reuse`: a
    JSON file of the pages the build cache offers (reuse.py); the report of
    what was reused and converted is written beside it, REUSE.report-k."""
    from mkdocs import config, exceptions
    from mkdocs.__main__ import State, _enable_warnings
    from mkdocs.commands import build as mk

    state = State(level=logging.WARNING)  # --quiet: warnings and errors only
    _enable_warnings()
    patch_mkdocs()
    _link_instead_of_copy(docs)
    _keep_made_folders()
    overrides = {"site_dir": out, "docs_dir": docs, "strict": True}
    if os.environ.get("SITE_URL"):
        overrides["site_url"] = os.environ["SITE_URL"]
    try:
        cfg = config.load_config(config_file=str(CONFIG), **overrides)
        offer = json.loads(Path(reuse).read_text(encoding="utf-8")) if reuse else {}
        others: set[str] = set()
        reuser = reuse_plugin(offer, link_html=share[0] == 0, elsewhere=others)
        cfg.plugins["build-reuse"] = reuser  # before build-share: its on_nav decides what is reused
        reuser.skip_reused_pages(mk)
        if share[1] > 1:
            cfg.plugins["build-share"] = _share_plugin(*share, reused=reuser.reused, others=others)
        cfg.plugins["build-lean"] = _lean_plugin()
        speed_up(cfg, docs)
        cfg.plugins.on_startup(command="build", dirty=False)
        started = time.monotonic()
        try:
            mk.build(cfg, dirty=False)
        finally:
            cfg.plugins.on_shutdown()
        if reuse:
            write_report(Path(f"{reuse}.report-{share[0]}"), reuser)
        if share[1] > 1:
            say(f"mkdocs share {share[0] + 1}/{share[1]} done ({time.monotonic() - started:.1f} s)")
    except exceptions.MkDocsException as e:  # Abort (strict warnings), config and build errors
        state.logger.error(e.format_message())
        return 1
    return 0


if __name__ == "__main__":  # started by mkdocs_build(): out docs k/n [reuse]
    k, n = (int(x) for x in sys.argv[3].split("/"))
    sys.exit(_run_mkdocs_here(sys.argv[1], sys.argv[2], (k, n), sys.argv[4] if len(sys.argv) > 4 else ""))
