"""`make bench`: build synthetic corpora the size of a province and report
time, memory and size, four lines per size:

    bench: plans=N tasks=M build_s=X peak_mb=Y site_mb=Z search_gz_mb=W largest_kb=K load_s=L (page)
    bench: progress reports=N largest_kb: …   [see below]
    bench: tasks=M search_ms_max=X search_ms_median=Y (…)   [see below]
    bench: tasks=M reference_s=R build_ratio=X/R rebuild_s=S rebuild_ratio=S/X converted=C/P
           cpu_build_ratio=… cpu_rebuild_ratio=… (…)   [one line]

The corpus (scripts/measure/corpus.py): replicas of the real data/, with the
same shape and text statistics and ids of their own (replica 0 is the real
data itself), and a progress report on every task for every quarter up to
NOW (progress_corpus.py). After each size's first line, a line of progress
figures: the reports and the largest page of each kind that shows progress:

    bench: progress reports=N largest_kb: index=… board=… bulletin=… department=… plan=… feed=… department_feed=…

The build is the real one: `python -m scripts --data D build --site-dir S`
(check + enrich + render + mkdocs build --strict) as a child process.

- build_s: its wall time.
- peak_mb: its peak resident memory, children included: the larger of
  ru_maxrss (the largest single process of the build and its children, from
  wait4() and getrusage(RUSAGE_CHILDREN); sizes run smallest first) and the
  largest sum of the resident memory of the whole process tree (PSS: pages
  a forked child still shares with its parent are counted once), sampled
  every SAMPLE_EVERY seconds (the build's own process stays alive beside
  its children).
- site_mb: size of the built site (MiB).
- search_gz_mb: gzipped size of the search data a reader downloads before
  the first result: `scripts.measure.engine.search_download_bytes(site)`
  when the site has our search data, else gzip -9 of
  search/search_index.json (the line then ends in `(search_index.json)`).
- largest_kb, load_s: the largest HTML page of the site, and the seconds
  headless Chromium takes to load it from a loopback server (pageload.py;
  `n/a` without /usr/bin/chromium).
- search_ms_max, search_ms_median: the search of the built site in headless
  Chromium, from the key (or the filter chosen) to the first results drawn,
  best of three, over the default queries, each filter, queries with a
  filter on and queries nothing holds as typed (search_timing.py; `n/a`
  without Chromium).
- reference_s: stock MkDocs + Material building M plain one-paragraph pages
  (one per task) in the same run (rebuild.reference_build); build_ratio:
  build_s / reference_s (machines differ; the ratio travels).
- rebuild_s: the same build again after one plan's YAML was edited
  (rebuild.edit_one_plan), with the build cache the full build left;
  rebuild_ratio: rebuild_s / build_s; converted: pages mkdocs converted
  rather than reused, of all pages.
- cpu_build_ratio, cpu_rebuild_ratio: the same ratios of the seconds of
  CPU used (the processes and their children): steadier than wall time on
  a machine others are using too.

Then `make serve` on a copy of the real data: how long a saved YAML edit
takes to show on the served page:

    bench: serve_edit_s=X (…)

Usage: python -m scripts.bench [--sizes 300,3000,30000] [--keep DIR] [--profile DIR] [--no-serve]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ..paths import DATA, ROOT
from .browser import CHROMIUM, chromium_serving
from .corpus import Real, make_corpus
from .pageload import largest_page, load_seconds
from .progress_corpus import progress_figures
from .rebuild import edit_one_plan, reference_build
from .search_timing import search_times, summary

NOW = "2024-10-15"
DEFAULT_SIZES = (300, 3_000, 30_000)
MIB = 1024 * 1024
SAMPLE_EVERY = 0.25  # seconds between samples of the build's memory


def say(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- #
# Measuring a build
# --------------------------------------------------------------------------- #


def _resident(pid: int, rss_pages: int, page: int) -> int:
    """Resident bytes of one process, pages shared with others counted in
    proportion (PSS, from smaps_rollup: a forked child shares its parent's
    pages until either writes them); its RSS where PSS cannot be read."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return rss_pages * page


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().rsplit(b")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(stat[21])
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        if p in rss:
            total += _resident(p, rss[p], page)
        todo.extend(children.get(p, []))
    return total


def measure_build(data: Path, site: Path, profile: Path | None = None,
                  log: list[str] | None = None) -> tuple[int, float, float, float]:
    """Run the real build; returns (exit code, seconds, peak MiB, seconds of
    CPU of the build and its children). Its progress lines are passed on
    (and kept in `log`)."""
    env = {**os.environ, "NOW": os.environ.get("NOW", NOW), "NO_MKDOCS_2_WARNING": "1"}
    if profile:
        env["BUILD_PROFILE"] = str(profile)
    cmd = [sys.executable, "-m", "scripts", "--data", str(data), "build", "--site-dir", str(site)]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE)

    def relay() -> None:  # whole lines, straight to fd 2 (sys.stderr is not for two threads)
        sys.stderr.flush()
        for line in proc.stderr:
            os.write(2, line)
            if log is not None:
                log.append(line.decode("utf-8", "replace"))

    relaying = threading.Thread(target=relay, daemon=True)
    relaying.start()
    peak_tree = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not stop.wait(SAMPLE_EVERY):
            peak_tree = max(peak_tree, _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    relaying.join(timeout=60)
    # the build's processes reap theirs: wait4 counts the whole tree
    say(f"build: {seconds:.1f} s wall, {usage.ru_utime + usage.ru_stime:.0f} s of CPU "
        f"({usage.ru_utime:.0f} user, {usage.ru_stime:.0f} system) on {os.cpu_count()} cores")
    stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak = max(usage.ru_maxrss * 1024, children * 1024, peak_tree) / MIB  # ru_maxrss is in KiB on Linux
    return proc.returncode, seconds, peak, usage.ru_utime + usage.ru_stime


def folder_bytes(folder: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(folder):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    return total


def search_download(site: Path) -> tuple[float, str]:
    """(MiB, note): the gzipped search data a reader downloads before the first result."""
    from .engine import search_download_bytes

    try:
        return search_download_bytes(site) / MIB, ""
    except Exception as e:  # a site without our search data
        say(f"search_download_bytes failed ({type(e).__name__}: {e}); measuring search_index.json")
    index = site / "search" / "search_index.json"
    if not index.exists():
        return 0.0, " (no search index)"
    return len(gzip.compress(index.read_bytes(), 9, mtime=0)) / MIB, " (search_index.json)"


def bench(size: int, work: Path, real: Real, profile: Path | None = None) -> list[str]:
    data, site = work / "data", work / "site"
    say(f"size {size}: generating the corpus in {data} …")
    t = time.monotonic()
    plans, tasks = make_corpus(data, size, real, say, now=dt.date.fromisoformat(os.environ.get("NOW", NOW)))
    say(f"size {size}: {plans} plans, {tasks} tasks generated ({time.monotonic() - t:.1f} s); building …")
    prof = profile / f"generate-{size}.prof" if profile else None
    code, seconds, peak, cpu = measure_build(data, site, prof)
    if code != 0:
        raise SystemExit(f"bench: the build of {tasks} tasks failed (exit {code}); see above")
    gz, note = search_download(site)
    page, size_bytes = largest_page(site)
    load, times = browser_figures(site, page, size, size_bytes)
    first = (f"bench: plans={plans} tasks={tasks} build_s={seconds:.1f} peak_mb={peak:.0f} "
             f"site_mb={folder_bytes(site) / MIB:.1f} search_gz_mb={gz:.2f}{note} "
             f"largest_kb={size_bytes / 1024:.0f} load_s={'n/a' if load is None else f'{load:.2f}'} ({page})")
    print(first, flush=True)
    progress = progress_figures(data, site)
    print(progress, flush=True)
    searching = f"bench: tasks={tasks} {summary(times)}"
    print(searching, flush=True)
    say(f"size {size}: reference build, stock MkDocs + Material on {tasks} plain pages …")
    reference, reference_cpu = reference_build(tasks, work / "reference")
    shutil.rmtree(work / "reference", ignore_errors=True)
    edit = edit_one_plan(data)
    say(f"size {size}: rebuilding after one plan's edit ({edit}) …")
    log: list[str] = []
    code, again, _, again_cpu = measure_build(data, site, log=log)
    if code != 0:
        raise SystemExit(f"bench: the rebuild of {tasks} tasks failed (exit {code}); see above")
    converted = _converted(log)
    second = (f"bench: tasks={tasks} reference_s={reference:.1f} build_ratio={seconds / reference:.2f} "
              f"rebuild_s={again:.1f} rebuild_ratio={again / seconds:.3f} converted={converted} "
              f"cpu_build_ratio={cpu / reference_cpu:.2f} cpu_rebuild_ratio={again_cpu / cpu:.3f} "
              f"(reference: stock MkDocs + Material, {tasks} plain one-paragraph pages; rebuild: one plan edited)")
    print(second, flush=True)
    return [first, progress, searching, second]


def browser_figures(site: Path, page: str, size: int, size_bytes: int) -> tuple[float | None, dict | None]:
    """(load_s of the largest page, the search times), both in one headless
    Chromium; (None, None) without it."""
    if not Path(CHROMIUM).exists():
        return None, None
    with chromium_serving(site) as (browser, base):
        say(f"size {size}: loading the largest page, {page} ({size_bytes / 1024:.0f} KB), in Chromium …")
        load = load_seconds(browser, base, page)
        say(f"size {size}: timing the search in Chromium …")
        return load, search_times(browser, base)


def _converted(log: list[str]) -> str:
    """`converted/pages` from the build's progress lines."""
    pages = reused = None
    for line in log:
        m = re.search(r"mkdocs build --strict \((\d+) pages", line)
        if m:
            pages = int(m[1])
        m = re.search(r"(\d+) reused from the build cache", line)
        if m:
            reused = int(m[1])
    return f"{pages - reused}/{pages}" if pages is not None and reused is not None else "?"


def serve_edit_seconds(timeout: float = 60.0) -> float:
    """`make serve` on a copy of the real data: seconds from saving an edit
    of a plan file (a task's note) until the served plan page shows it."""
    import socket
    import urllib.request

    from markupsafe import escape

    def fetch(url: str) -> str:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read().decode("utf-8")
        except OSError:
            return ""

    def wait(predicate, limit: float) -> bool:
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if predicate():
                return True
            time.sleep(0.05)
        return False

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(DATA, data)
        plan = sorted((data / "plans").glob("[!_]*.yaml"))[0]
        text = plan.read_text(encoding="utf-8")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        url = f"http://127.0.0.1:{port}/plans/{plan.stem}/"
        env = {**os.environ, "NOW": os.environ.get("NOW", NOW), "NO_MKDOCS_2_WARNING": "1"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "scripts", "--data", str(data), "serve", "--addr", f"127.0.0.1:{port}",
             "--docs", str(Path(tmp) / "docs")],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            if not wait(lambda: fetch(url), timeout):
                raise SystemExit("bench: make serve did not serve the plan page")
            shown = fetch(url)  # an editor's note the page shows
            note = next(m for m in re.finditer(r"^ +note: (.+)$", text, re.M) if str(escape(m[1])) in shown)
            time.sleep(2)  # let the first build's file watching settle
            marker = f"（计时标记 {int(time.time())}）"
            edited = text[: note.end()] + marker + text[note.end():]
            started = time.monotonic()
            plan.write_text(edited, encoding="utf-8")
            if not wait(lambda: marker in fetch(url), timeout):
                raise SystemExit(f"bench: the edit did not show within {timeout:.0f} s")
            return time.monotonic() - started
        finally:
            os.killpg(proc.pid, 15)
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="task counts, comma-separated (default: 300,3000,30000)")
    parser.add_argument("--no-serve", action="store_true", help="skip timing how fast `make serve` shows an edit")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the corpora and sites")
    parser.add_argument("--profile", type=Path, help="write a cProfile of each build's generation (check, enrich, "
                        "render) here; profile mkdocs with py-spy")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.replace(" ", "").split(",") if s)
    real = Real()
    say(f"{len(real.plans)} real plans, {real.tasks} tasks; {os.cpu_count()} cores; sizes {sizes}")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        if args.keep:
            work = args.keep.resolve() / str(size)
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            bench(size, work, real, args.profile)
        else:
            with tempfile.TemporaryDirectory(prefix=f"bench-{size}-") as tmp:
                bench(size, Path(tmp), real, args.profile)
    if not args.no_serve:
        print(f"bench: serve_edit_s={serve_edit_seconds():.1f} (make serve, five real plans: a YAML edit until "
              "the served page shows it)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
