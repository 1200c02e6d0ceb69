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

Memory: the pages are generated in a child process that has ended before
mkdocs starts, so the peak is the larger stage's, not the sum of both; mkdocs
lets go of each page's source once converted and of its HTML once written.

Speed (profiled at 30,000 tasks): mkdocs runs in a child with two changes
that leave the built files byte for byte the same: the anchors of each page
are collected with regular expressions instead of Python's HTMLParser, and the
files of the private docs folder are hard-linked into the site, not copied.

Progress: one line per stage, with its time, and while a stage runs a line
every PROGRESS_EVERY seconds (for mkdocs, with the pages written so far).
"""

from __future__ import annotations

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


def generate_into(docs: Path, data_dir: Path = DATA) -> bool:
    """check -> enrich -> render into `docs`. On problems, print them and
    return False."""
    from .enrich import enrich
    from .render import render_site
    from .validate import check

    t0 = time.monotonic()
    # The corpus is millions of small long-lived objects: the cyclic garbage
    # collector would walk them all again and again while they are created
    # (a third of the check at 30,000 tasks). Load without it, then freeze
    # what was loaded (and later the views) out of its sight.
    gc.disable()
    try:
        corpus, problems = check(data_dir)
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
    n = render_site(site, out=docs, data_dir=data_dir)
    say(f"rendered {n} files ({time.monotonic() - t2:.1f} s)")
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


def generate_apart(docs: Path, data_dir: Path = DATA) -> bool:
    """generate_into() in a child process (forked, so it sees this process's
    state), so that the memory the corpus and the pages take is given back
    before mkdocs starts: the build's peak is the larger of the two stages,
    not their sum."""
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=_generate_child, args=(docs, data_dir), name="generate")
    with Ticker("generating"):
        child.start()
        child.join()
    return child.exitcode == 0


def _generate_child(docs: Path, data_dir: Path) -> None:
    profile = os.environ.get("BUILD_PROFILE")  # a file: write a cProfile of the generation there
    if not profile:
        sys.exit(0 if generate_into(docs, data_dir) else 1)
    import cProfile

    profiler = cProfile.Profile()
    ok = profiler.runcall(generate_into, docs, data_dir)
    profiler.dump_stats(profile)
    sys.exit(0 if ok else 1)


def mkdocs_build(out: Path, docs: Path | None = None, pages_expected: int = 0, private_docs: bool = False) -> int:
    """`mkdocs build --strict` of mkdocs.yml into `out` (from `docs` instead
    of mkdocs.yml's docs_dir when given; `private_docs`: a folder of this
    build's own, removed afterwards), in a child process; prints progress
    while it runs. Returns the exit code."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    cmd = [sys.executable, "-m", "scripts.build", str(out)] + ([str(docs)] if docs else [])
    if docs and private_docs:
        cmd.append("--private-docs")

    def written() -> str:
        n = _count_pages(out)
        of = f" of {pages_expected}" if pages_expected else ""
        return f"{n}{of} pages written" if n else "reading and converting pages"

    proc = subprocess.Popen(cmd, cwd=ROOT)
    try:
        with Ticker("mkdocs", written):
            return proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()


def _lean_plugin():
    """An mkdocs plugin for memory: mkdocs keeps every page's Markdown
    source and HTML body until the whole build ends (about 1 GB at 30,000
    tasks). The source is not needed once converted (the title stays: from
    the front matter or the first heading), the body not once its page is
    written. The built files are the same."""
    from mkdocs.plugins import BasePlugin

    class Lean(BasePlugin):
        def on_page_content(self, html, page, config, files):
            page.markdown = ""  # not None: mkdocs reads None as "not read yet"
            return html

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


def _run_mkdocs_here(out: str, docs: str | None, private_docs: bool = False) -> int:
    """In the child process: what `mkdocs build --strict --quiet -f mkdocs.yml
    -d out` does, with docs_dir overridden when `docs` is given."""
    import logging

    from mkdocs import config, exceptions
    from mkdocs.__main__ import State, _enable_warnings
    from mkdocs.commands import build as mk

    state = State(level=logging.WARNING)  # --quiet: warnings and errors only
    _enable_warnings()
    _faster_anchor_collection()
    if docs and private_docs:
        _link_instead_of_copy(docs)
    overrides = {"site_dir": out, "strict": True}
    if docs:
        overrides["docs_dir"] = docs
    if os.environ.get("SITE_URL"):
        overrides["site_url"] = os.environ["SITE_URL"]
    try:
        cfg = config.load_config(config_file=str(CONFIG), **overrides)
        cfg.plugins["build-lean"] = _lean_plugin()
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            mk.build(cfg, dirty=False)
        finally:
            cfg.plugins.on_shutdown()
    except exceptions.MkDocsException as e:  # Abort (strict warnings), config and build errors
        state.logger.error(e.format_message())
        return 1
    return 0


def build(site_dir: str | os.PathLike = "site", data_dir: Path = DATA, docs_dir: Path | None = None) -> int:
    """The whole build into `site_dir` (relative to the repository). Pages are
    generated into `docs_dir` when given (kept afterwards), else into a
    temporary folder that is removed."""
    started = time.monotonic()
    os.environ["SOURCE_DATE_EPOCH"] = source_date_epoch()
    target = (ROOT / site_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    own_docs = docs_dir is None
    # beside the target: one file system, so that mkdocs can link, not copy
    docs = Path(tempfile.mkdtemp(prefix=f".{target.name}-docs-", dir=target.parent)) if own_docs else Path(docs_dir).resolve()
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        say("1/2 checking data and generating pages …")
        if not generate_apart(docs, data_dir):
            say("failed; the published site was not touched")
            return 1
        pages = sum(1 for _ in docs.rglob("*.md"))
        say(f"2/2 mkdocs build --strict ({pages} pages) …")
        t = time.monotonic()
        if mkdocs_build(tmp, docs, pages, private_docs=own_docs) != 0:
            say("mkdocs failed; the published site was not touched")
            return 1
        say(f"mkdocs done ({time.monotonic() - t:.1f} s)")
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
        shutil.rmtree(tmp, ignore_errors=True)
        if own_docs:
            shutil.rmtree(docs, ignore_errors=True)
    say(f"site written to {target} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":  # the mkdocs child process of mkdocs_build()
    args = [a for a in sys.argv[1:] if a != "--private-docs"]
    sys.exit(_run_mkdocs_here(args[0], args[1] if len(args) > 1 else None, "--private-docs" in sys.argv))
