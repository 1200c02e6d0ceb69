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

Here: build() and the mkdocs processes it starts; generation.py (the
generating child, and `generate()` for `make serve`); mkdocs_child.py (the
mkdocs process and its plugins); progress.py (progress lines, cores).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from ...paths import DATA, ROOT
from .generation import Generation
from .progress import Ticker, cores, say

MIN_PAGES_TO_SHARE = 200  # fewer pages: one mkdocs process (see mkdocs_jobs)


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


def _count_pages(folder: Path) -> int:
    n = 0
    for _, _, files in os.walk(folder):
        n += sum(1 for f in files if f.endswith(".html"))
    return n


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
        subprocess.Popen(
            [sys.executable, "-m", "scripts.pipeline.build.mkdocs_child", str(o), str(docs), f"{k}/{jobs}"], cwd=ROOT)
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
