"""Stage 5, build: check, enrich and render into a private docs folder, then
`mkdocs build --strict` into a temporary folder that is moved into place only
when the whole build succeeded, so a failed build never damages what was
published before.

Each build generates its pages into its own temporary docs folder (not the
shared build/docs that `make serve` uses), so builds can run side by side and
never disturb a running `make serve`. mkdocs.yml stays as it is: the build
loads it with `docs_dir` overridden, exactly as `mkdocs build -f mkdocs.yml`
would (paths in mkdocs.yml keep resolving against the repository).

Reproducible: two builds of the same commit (and the same NOW) give
byte-identical files. Dates mkdocs writes (sitemap.xml, the gzip header of
sitemap.xml.gz) come from SOURCE_DATE_EPOCH, which is set here from the last
commit's date when it is not already set.

Nothing leaves the site: after mkdocs, every built HTML and CSS file is
scanned, and the build fails (the published site untouched) when one points
at an outside host (src=, href=, url(), @import with http://, https:// or //).

Served under a sub-path: every link is relative, so the site works at any
address as it is. Only the 404 page needs to know where it is published: set
SITE_URL=http://intranet.example/plans/ (mkdocs' site_url) for that.

Two cores: check, enrich and render run in a child process. Once the pages
are written, mkdocs starts on them while the child goes on to write what
mkdocs would only copy (downloads, redirect pages of moved addresses, search
data) into a folder of its own, moved into the built site when both are done.
Memory: the child ends early in mkdocs' run, before mkdocs has grown (it
lets go of each page's source once converted and of its HTML once written).

Speed (profiled at 30,000 tasks): mkdocs runs in a child with two changes
that leave the built files byte for byte the same: the anchors of each page
are collected with regular expressions instead of Python's HTMLParser, and the
files of the private docs folder are hard-linked into the site, not copied.

Progress: one line per stage, with its time, and while a stage runs a line
every PROGRESS_EVERY seconds (for mkdocs, with the pages written so far).
"""

from __future__ import annotations

import functools
import gc
import html
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from .load import DATA, ROOT

CONFIG = ROOT / "mkdocs.yml"
MIN_PAGES_TO_SHARE = 200  # fewer pages: one mkdocs process (see mkdocs_jobs)
PAGE_WEIGHT = 7_000  # a page's fixed cost in mkdocs, in bytes of Markdown of equal cost
PROGRESS_EVERY = 10.0  # seconds between progress lines while mkdocs runs


def say(msg: str) -> None:
    print(f"build: {msg}", file=sys.stderr, flush=True)


def source_date_epoch() -> str:
    """SOURCE_DATE_EPOCH as set, else the date of the last commit, else the
    newest modification time under data/ (a checkout without git history)."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        return os.environ["SOURCE_DATE_EPOCH"].strip()
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True, timeout=20
        ).stdout.strip()
        if out.isdigit():
            return out
    except (OSError, subprocess.SubprocessError):
        pass
    newest = max((p.stat().st_mtime for p in DATA.rglob("*") if p.is_file()), default=0)
    return str(int(newest))


_SLASHES = re.compile(rb"//")
_BEFORE = re.compile(  # what precedes // when it loads or links something
    rb"""(?:\b(?:src|href|action|formaction|poster|data|srcset|xlink:href)\s*=\s*["']?\s*"""
    rb"""|url\(\s*["']?\s*|@import\s+["']?\s*)(?:https?:)?\Z""",
    re.IGNORECASE,
)
_HOST = re.compile(rb"""[^"'\s/)>]*""")


def outside_references(site: Path, allowed_hosts: set[str] = frozenset()) -> list[str]:
    """`file: reference` for every reference in the built HTML and CSS to a
    host outside the site (other than `allowed_hosts`, the site's own)."""
    found = []
    for dirpath, _, files in os.walk(site):
        for name in sorted(files):
            if not name.endswith((".html", ".css")):
                continue
            path = Path(dirpath) / name
            data = path.read_bytes()
            for m in _SLASHES.finditer(data):
                start = m.start()
                if not _BEFORE.search(data, max(0, start - 40), start):
                    continue
                host = _HOST.match(data, start + 2).group(0).decode("utf-8", "replace").lower()
                if host not in allowed_hosts:
                    found.append(f"{path.relative_to(site).as_posix()}: //{host}")
    return found


def generate_into(docs: Path, extras: Path, data_dir: Path = DATA, pages_done=lambda: None) -> bool:
    """check -> enrich -> render the pages into `docs`, call `pages_done()`
    (the build starts mkdocs then), then write the downloads, redirect pages
    and search data into `extras`. On problems, print them and return
    False."""
    from .enrich import enrich
    from .render import render_extras, render_site
    from .validate import check

    t0 = time.monotonic()
    # The corpus is millions of small long-lived objects: the cyclic garbage
    # collector would walk them all again and again while they are created
    # (a third of the check at 30,000 tasks). Load without it, then freeze
    # what was loaded (and later the views) out of its sight.
    gc.disable()
    try:
        corpus, problems = check(data_dir)
        corpus.release_sources()
    finally:
        gc.enable()
    gc.freeze()
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        say(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the data")
        return False
    n_tasks = sum(len(a.tasks) for p in corpus.plans for a in p.model.actions)
    t1 = time.monotonic()
    say(f"checked {len(corpus.plans)} plans, {n_tasks} tasks ({t1 - t0:.1f} s)")
    site = enrich(corpus)
    gc.freeze()
    t2 = time.monotonic()
    say(f"enriched ({t2 - t1:.1f} s)")
    n = render_site(site, out=docs, data_dir=data_dir, extras=False, jobs=cores())
    t3 = time.monotonic()
    say(f"rendered {n} pages and linked files ({t3 - t2:.1f} s)")
    pages_done()
    n = render_extras(site, extras)
    say(f"rendered {n} downloads, redirect pages and search files ({time.monotonic() - t3:.1f} s)")
    return True


def _count_pages(folder: Path) -> int:
    n = 0
    for _, _, files in os.walk(folder):
        n += sum(1 for f in files if f.endswith(".html"))
    return n


class Ticker:
    """While a long stage runs, a progress line every PROGRESS_EVERY seconds."""

    def __init__(self, stage: str, detail=lambda: ""):
        self.stage, self.detail = stage, detail
        self.started = time.monotonic()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.done.wait(PROGRESS_EVERY):
            extra = self.detail()
            say(f"{self.stage} … {time.monotonic() - self.started:.0f} s{', ' + extra if extra else ''}")

    def __enter__(self) -> "Ticker":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()


class Generation:
    """generate_into() in a child process (forked, so it sees this process's
    state), so that the memory the corpus and the pages take is given back
    before mkdocs has grown: the build's peak is not the sum of both.

    The child writes the pages into `docs`, tells this process
    (pages_ready() returns True: mkdocs can start), then writes the
    downloads, redirect pages and search data into `extras` while mkdocs
    runs on the other core; finish() waits for it."""

    def __init__(self, docs: Path, extras: Path, data_dir: Path = DATA):
        ctx = multiprocessing.get_context("fork")
        self.receive, send = ctx.Pipe(duplex=False)
        self.child = ctx.Process(target=_generate_child, args=(docs, extras, data_dir, send), name="generate")
        self.child.start()
        send.close()

    def pages_ready(self) -> bool:
        try:
            return self.receive.recv() == "pages"
        except EOFError:  # the child ended without sending: it failed
            return False

    def finish(self) -> bool:
        self.child.join()
        return self.child.exitcode == 0

    def stop(self) -> None:
        if self.child.is_alive():
            self.child.terminate()
        self.child.join()


def _generate_child(docs: Path, extras: Path, data_dir: Path, conn) -> None:
    def run() -> bool:
        return generate_into(docs, extras, data_dir, lambda: conn.send("pages"))

    profile = os.environ.get("BUILD_PROFILE")  # a file: write a cProfile of the generation there
    if not profile:
        ok = run()
    else:
        import cProfile

        profiler = cProfile.Profile()
        ok = profiler.runcall(run)
        profiler.dump_stats(profile)
    sys.exit(0 if ok else 1)


def merge_into(src: Path, dest: Path) -> None:
    """Move everything in `src` to the same place under `dest`: a folder
    that `dest` lacks is moved whole (one rename for all the downloads),
    a file replaces the file there."""
    for entry in os.scandir(src):
        target = dest / entry.name
        if entry.is_dir(follow_symlinks=False) and target.is_dir():
            merge_into(Path(entry.path), target)
        else:
            os.replace(entry.path, target)


def cores() -> int:
    """The processes a build stage may use: BUILD_JOBS when set, else one
    per core this process may run on (at most 4)."""
    if os.environ.get("BUILD_JOBS", "").strip().isdigit():
        return max(1, int(os.environ["BUILD_JOBS"]))
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(n, 4))


def mkdocs_jobs(pages: int) -> int:
    """How many mkdocs processes share the pages: cores(), once there are
    enough pages to pay for the processes' start (every process reads the
    configuration, the theme and every page's front matter)."""
    if os.environ.get("BUILD_JOBS", "").strip().isdigit() or pages >= MIN_PAGES_TO_SHARE:
        return cores()
    return 1


def mkdocs_build(out: Path, docs: Path, pages_expected: int = 0, jobs: int = 1) -> int:
    """`mkdocs build --strict` of mkdocs.yml from `docs` (a folder of this
    build's own, removed afterwards) into `out`, in `jobs` child processes
    (see _share_plugin); prints progress while they run. Returns 0 when
    every process succeeded."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    outs = [out] + [out.with_name(f"{out.name}-share{k}") for k in range(1, jobs)]

    def written() -> str:
        n = sum(_count_pages(o) for o in outs)
        of = f" of {pages_expected}" if pages_expected else ""
        return f"{n}{of} pages written" if n else "reading and converting pages"

    procs = [
        subprocess.Popen([sys.executable, "-m", "scripts.build", str(o), str(docs), f"{k}/{jobs}"], cwd=ROOT)
        for k, o in enumerate(outs)
    ]
    try:
        with Ticker("mkdocs", written):
            codes = [p.wait() for p in procs]
        if any(codes):
            return 1
        for o in outs[1:]:
            merge_into(o, out)
        return 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for o in outs[1:]:
            shutil.rmtree(o, ignore_errors=True)


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


def _share_plugin(k: int, n: int):
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
    anchor so). The built files are the same as one mkdocs process's."""
    from jinja2 import ChoiceLoader, DictLoader
    from mkdocs.plugins import BasePlugin

    from .render import HAND_WRITTEN

    skip = "build-share-skip.html"  # an empty template, for pages of other shares

    class Share(BasePlugin):
        def __init__(self):
            self.others: set[str] = set()  # the pages of other shares

        def on_nav(self, nav, config, files):
            everywhere = {p.file.src_uri for p in nav.pages if not _front_matter_title(p.file.abs_src_path)}
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


def _run_mkdocs_here(out: str, docs: str, share: tuple[int, int] = (0, 1)) -> int:
    """In the child process: what `mkdocs build --strict --quiet -f mkdocs.yml
    -d out` does, with docs_dir overridden, for share k of n."""
    import logging

    from mkdocs import config, exceptions
    from mkdocs.__main__ import State, _enable_warnings
    from mkdocs.commands import build as mk

    state = State(level=logging.WARNING)  # --quiet: warnings and errors only
    _enable_warnings()
    _faster_anchor_collection()
    _link_instead_of_copy(docs)
    overrides = {"site_dir": out, "docs_dir": docs, "strict": True}
    if os.environ.get("SITE_URL"):
        overrides["site_url"] = os.environ["SITE_URL"]
    try:
        cfg = config.load_config(config_file=str(CONFIG), **overrides)
        if share[1] > 1:
            cfg.plugins["build-share"] = _share_plugin(*share)
        cfg.plugins["build-lean"] = _lean_plugin()
        cfg.plugins.on_startup(command="build", dirty=False)
        started = time.monotonic()
        try:
            mk.build(cfg, dirty=False)
        finally:
            cfg.plugins.on_shutdown()
        if share[1] > 1:
            say(f"mkdocs share {share[0] + 1}/{share[1]} done ({time.monotonic() - started:.1f} s)")
    except exceptions.MkDocsException as e:  # Abort (strict warnings), config and build errors
        state.logger.error(e.format_message())
        return 1
    return 0


def build(site_dir: str | os.PathLike = "site", data_dir: Path = DATA) -> int:
    """The whole build into `site_dir` (relative to the repository). Pages are
    generated into a temporary folder of this build's own (removed after),
    the downloads, redirect pages and search data into another, moved into
    the site once mkdocs has built it."""
    started = time.monotonic()
    os.environ["SOURCE_DATE_EPOCH"] = source_date_epoch()
    target = (ROOT / site_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    # beside the target: one file system, so that mkdocs can link, not copy
    docs = Path(tempfile.mkdtemp(prefix=f".{target.name}-docs-", dir=target.parent))
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes 0700; the published folder is read by the web server
    extras = Path(tempfile.mkdtemp(prefix=f".{target.name}-extras-", dir=target.parent))
    gen = None
    try:
        say("1/2 checking data and generating pages …")
        gen = Generation(docs, extras, data_dir)
        with Ticker("generating"):
            ready = gen.pages_ready()
        if not ready:
            gen.finish()
            say("failed; the published site was not touched")
            return 1
        pages = sum(1 for _ in docs.rglob("*.md"))
        jobs = mkdocs_jobs(pages)
        say(f"2/2 mkdocs build --strict ({pages} pages, {jobs} process{'es' if jobs > 1 else ''}) …")
        t = time.monotonic()
        if mkdocs_build(tmp, docs, pages, jobs) != 0:
            say("mkdocs failed; the published site was not touched")
            return 1
        say(f"mkdocs done ({time.monotonic() - t:.1f} s)")
        if not gen.finish():
            say("generating the downloads and search data failed; the published site was not touched")
            return 1
        merge_into(extras, tmp)
        own = {urlsplit(os.environ["SITE_URL"]).netloc.lower()} if os.environ.get("SITE_URL") else set()
        outside = outside_references(tmp, own)
        if outside:
            for line in outside[:50]:
                print(f"{line}: points outside the site", file=sys.stderr)
            say(f"{len(outside)} reference(s) to outside hosts; the published site was not touched")
            return 1
        old = target.with_name(f".{target.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if gen is not None:
            gen.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(extras, ignore_errors=True)
        shutil.rmtree(docs, ignore_errors=True)
    say(f"site written to {target} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":  # a mkdocs child process of mkdocs_build(): out docs k/n
    k, n = (int(x) for x in sys.argv[3].split("/"))
    sys.exit(_run_mkdocs_here(sys.argv[1], sys.argv[2], (k, n)))
