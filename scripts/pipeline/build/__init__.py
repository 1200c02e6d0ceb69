"""Stage 5, build: check, enrich and render into a private docs folder, then
`mkdocs build --strict` into a temporary folder that is moved into place only
when the whole build succeeded, so a failed build never damages what was
published before. The previous site and the build's temporary folders are
then removed by a process that outlives the build (remove_later: removing
100,000 files takes minutes on some disks, and nothing needs to wait).

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
mkdocs would only copy: the downloads, feeds and redirect pages of moved
addresses straight into the folder mkdocs builds in (no path of theirs is
mkdocs'), then the search data into a folder of its own, moved into the
built site when all are done (for a rebuild, where mkdocs has little to do,
processes of their own make those beside the pages: generation.py).
Memory: the child ends early in mkdocs' run, before mkdocs has grown (it
lets go of each page's source once converted and of its HTML once written).

Speed (profiled at 30,000 tasks): mkdocs runs in a child with plugins that
leave the built files byte for byte those of a plain mkdocs build (listed in
mkdocs_child.py; tests/pipeline/test_plain_mkdocs.py compares the two): among
them, the anchors of each page collected with regular expressions instead of
Python's HTMLParser, the files of the private docs folder hard-linked into
the site, not copied, and the theme's navigation made once for many pages.

Rebuilds (cache.py, reuse.py, render/incremental.py): a build leaves in
`.build-cache/<site>/`, beside the published folder, the HTML of every page
with the hash of the Markdown it came from, its docs folder, and a record of
what each page and each plan's and unit's downloads read of the enriched
site. The next build checks and enriches everything, renders only the pages
and downloads whose reads changed (the others are hard-linked from the last
build, after their hash was checked), and mkdocs converts only the pages
whose Markdown, engine (mkdocs.yml, theme, overrides, packages, this
package's code), navigation or link targets changed; the others' HTML is
hard-linked from the cache, after its hash was checked. The result is byte
for byte that of a full build (tested, at another build date too, and after
many kinds of edit: tests/pipeline/test_incremental.py); a missing, damaged
or foreign cache means making every page; BUILD_CACHE=0 neither reads nor
writes it. The cache is written only after the site is published.

Progress: one line per stage, with its time, and while a stage runs a line
every PROGRESS_EVERY seconds (for mkdocs, with the pages written so far).

Here: build() and the mkdocs processes it starts; generation.py (the
generating child, and `generate()` for `make serve`); mkdocs_child.py (the
mkdocs process and its plugins); rawhtml.py (the pages' raw HTML
blocks set aside faster, the same HTML); cache.py (the build cache: keys, checks,
updates); reuse.py (the mkdocs plugin that reuses cached pages and records
converted ones); progress.py (progress lines, cores).
"""

from __future__ import annotations

import json
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
from .cache import RENDERS, SEARCH, BuildCache, engine_key, page_hashes, remove_later
from .cache import enabled as cache_enabled
from .generation import Generation, Kept
from .progress import PAGE_WEIGHT, Ticker, cores, say

MIN_PAGES_TO_SHARE = 200  # less to convert than so many pages: one mkdocs process (see mkdocs_jobs)


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


def outside_references(site: Path, allowed_hosts: set[str] = frozenset(), skip: set[str] = frozenset()) -> list[str]:
    """`file: reference` for every reference in the built HTML and CSS to a
    host outside the site (other than `allowed_hosts`, the site's own).
    `skip`: files (paths under `site`) not to read: pages the build cache
    reused, read when they were built."""
    found = []
    root = os.fspath(site)
    for dirpath, _, files in os.walk(root):
        folder = dirpath[len(root) + 1:].replace(os.sep, "/")  # relative to the site ("" at its root)
        for name in sorted(files):
            if not name.endswith((".html", ".css")):
                continue
            rel = f"{folder}/{name}" if folder else name
            if rel in skip:
                continue
            path = Path(dirpath) / name
            data = path.read_bytes()
            for m in _SLASHES.finditer(data):
                start = m.start()
                if not _BEFORE.search(data, max(0, start - 40), start):
                    continue
                host = _HOST.match(data, start + 2).group(0).decode("utf-8", "replace").lower()
                if host not in allowed_hosts:
                    found.append(f"{rel}: //{host}")
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


def mkdocs_jobs(work: int) -> int:
    """How many mkdocs processes share the pages to convert, `work` bytes
    of Markdown (each page counted PAGE_WEIGHT more): cores(), once there is
    enough to pay for the processes' start (every process reads the
    configuration, the theme and every page's front matter)."""
    if os.environ.get("BUILD_JOBS", "").strip().isdigit() or work >= MIN_PAGES_TO_SHARE * PAGE_WEIGHT:
        return cores()
    return 1


def mkdocs_build(out: Path, docs: Path, pages_expected: int = 0, jobs: int = 1, reuse: Path | None = None) -> int:
    """`mkdocs build --strict` of mkdocs.yml from `docs` (a folder of this
    build's own, removed afterwards) into `out`, in `jobs` child processes
    (see _share_plugin); prints progress while they run. `reuse`: the pages
    the build cache offers (each process writes its report beside it).
    Returns 0 when every process succeeded."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    outs = [out] + [out.with_name(f"{out.name}-share{k}") for k in range(1, jobs)]

    def written() -> str:
        n = sum(_count_pages(o) for o in outs)
        of = f" of {pages_expected}" if pages_expected else ""
        return f"{n}{of} pages written" if n else "reading and converting pages"

    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "scripts.pipeline.build.mkdocs_child", str(o), str(docs), f"{k}/{jobs}",
             *([str(reuse)] if reuse else [])], cwd=ROOT)
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
    generated into a temporary folder of this build's own (removed after)
    and the search data into another, moved into the site once mkdocs has
    built it. The downloads, feeds and redirect pages are written straight
    into the folder mkdocs builds the site in, beside it: none of their
    paths is a page's or a file's of the docs folder
    (tests/pipeline/test_generation_paths.py), and mkdocs empties nothing
    there (mkdocs_child._keep_made_folders)."""
    started = time.monotonic()
    os.environ["SOURCE_DATE_EPOCH"] = source_date_epoch()
    target = (ROOT / site_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    # beside the target: one file system, so that mkdocs can link, not copy
    docs = Path(tempfile.mkdtemp(prefix=f".{target.name}-docs-", dir=target.parent))
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes 0700; the published folder is read by the web server
    search = Path(tempfile.mkdtemp(prefix=f".{target.name}-search-", dir=target.parent))
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-work-", dir=target.parent))  # the cache's offer, reports
    gen = old = None
    published = False
    cache = BuildCache(target) if cache_enabled() else None
    if cache is not None and not cache.open(tmp):
        cache = None
    try:
        say("1/2 checking data and generating pages …")
        rebuild = cache is not None and cache.has_manifest()  # see generate_into: rebuild
        kept = None
        if cache is not None:
            kept = Kept(cache.renders, cache.docs, work / RENDERS, target, cache.search, work / SEARCH)
        gen = Generation(docs, tmp, search, data_dir, cache.memo if cache is not None else None, rebuild, kept)
        with Ticker("generating"):
            ready, markdown = gen.pages_ready()
        if not ready:
            gen.finish()
            say("failed; the published site was not touched")
            return 1
        if markdown is None:
            markdown = page_hashes(docs)
        pages = len(markdown)
        offer, offered = None, set()
        if cache is not None:
            engine = engine_key(docs)
            offer = work / "offer.json"
            offered = cache.offer(engine, markdown, offer)
        jobs = mkdocs_jobs(sum((docs / u).stat().st_size + PAGE_WEIGHT for u in markdown if u not in offered))
        cached = f", {len(offered)} offered by the build cache" if cache is not None else ""
        say(f"2/2 mkdocs build --strict ({pages} pages{cached}, {jobs} process{'es' if jobs > 1 else ''}) …")
        if cache is not None and not offered and cache.note:
            say(f"{cache.note}: converting every page")
        t = time.monotonic()
        if mkdocs_build(tmp, docs, pages, jobs, offer) != 0:
            say("mkdocs failed; the published site was not touched")
            return 1
        reports = [json.loads((work / f"offer.json.report-{k}").read_text(encoding="utf-8"))
                   for k in range(jobs)] if offer else []
        reused = set(reports[0]["reused"].values()) if reports else set()
        done = f", {len(reports[0]['reused'])} reused from the build cache" if reports else ""
        say(f"mkdocs done ({time.monotonic() - t:.1f} s{done})")
        if not gen.finish():
            say("generating the downloads and search data failed; the published site was not touched")
            return 1
        merge_into(search, tmp)  # the search data wins where paths meet (as in render_site)
        if cache is not None:
            cache.prune(engine, markdown)
        own = {urlsplit(os.environ["SITE_URL"]).netloc.lower()} if os.environ.get("SITE_URL") else set()
        outside = outside_references(tmp, own, skip=reused)
        if outside:
            for line in outside[:50]:
                print(f"{line}: points outside the site", file=sys.stderr)
            say(f"{len(outside)} reference(s) to outside hosts; the published site was not touched")
            return 1
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        if target.exists():
            target.rename(old / target.name)
        tmp.rename(target)
        published = True
        if cache is not None:
            t = time.monotonic()
            try:
                cache.save(target, engine, markdown, reports, docs, work / RENDERS, work / SEARCH)
                docs = None  # the cache's now: the next build takes its unchanged pages from it
                say(f"build cache updated ({time.monotonic() - t:.1f} s)")
            except OSError as e:  # the site is published; the next build converts what the cache misses
                say(f"build cache not updated ({e})")
    finally:
        if gen is not None:
            gen.stop()
        if cache is not None:
            cache.close()
        leftovers = [f for f in (old, tmp, search, docs, work) if f is not None]
        if published:
            remove_later(leftovers)
        for folder in leftovers:
            shutil.rmtree(folder, ignore_errors=True)
    say(f"site written to {target} in {time.monotonic() - started:.1f} s")
    return 0
