"""`make bench`: build synthetic corpora the size of a province and report
time, memory and size, one line per size:

    bench: plans=N tasks=M build_s=X peak_mb=Y site_mb=Z search_gz_mb=W

The corpus. A province is thousands of towns and districts with plans like
the five real ones, so a corpus of about M tasks is made of replicas of the
real data/ (replica 0 is the real data itself). Every replica has

- the same shape: every plan, action, task, goal, section, annex row,
  deadline, recurring duty, department and organisation body of the real
  corpus, with the same references between them;
- unique ids: every id (plans, plan parts, departments, jurisdictions) is
  prefixed with `r<replica>-`, references likewise;
- the same text statistics: the text of a replica is the real text with its
  Chinese characters permuted by a bijection of its own (a different one per
  replica), applied alike to the plans, their sources and the department
  registries. Lengths, character frequencies and n-gram statistics stay those
  of the real plans, every text is still in its source (the verbatim check
  passes), names stay unambiguous, and the links between similar tasks stay
  as dense as in the real corpus (inside a replica). The characters the
  date parser and the validator read (年, 月, 底, 季, 每 …) are never
  permuted, so every date and period still reads the same.

The shared registries (categories, topics, national framework, synonyms)
are copied as they are.

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
  the first result: `scripts.search.search_download_bytes(site)` when the
  search stage provides it, else gzip -9 of search/search_index.json (the
  line then ends in `(search_index.json)`).

Then `make serve` on a copy of the real data: how long a saved YAML edit
takes to show on the served page:

    bench: serve_edit_s=X (…)

Usage: python -m scripts.bench [--sizes 300,3000,30000] [--keep DIR] [--profile DIR] [--no-serve]
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from .load import DATA, ROOT, load_yaml
from .validate import SCHEMA_COMMENT

NOW = "2024-10-15"
DEFAULT_SIZES = (300, 3_000, 30_000)
MIB = 1024 * 1024
SAMPLE_EVERY = 0.25  # seconds between samples of the build's memory

# Keys whose values are ids or references to ids: prefixed, never permuted.
ID_KEYS = {"id", "part", "restates", "lead", "support", "every_task_lead", "department", "previous_ids"}
# Keys whose values hold Chinese characters but are literals of the format.
# (Shared ids, dates and field names are ASCII, which the permutation leaves alone.)
KEEP_KEYS = {"level"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def say(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- #
# The synthetic corpus
# --------------------------------------------------------------------------- #


class Real:
    """The real corpus as plain data, and what a replica needs from it."""

    def __init__(self, data: Path = DATA):
        self.data = data
        self.plans: list[dict] = []
        self.registries: list[dict] = []
        self.sources: dict[str, str] = {}
        for path in sorted((data / "plans").glob("*.yaml")):
            if path.name.startswith("_"):
                continue
            doc, problems = load_yaml(path)
            if problems:
                raise SystemExit(f"bench: the real data has problems, run `make check`: {problems[0]}")
            self.plans.append(doc.data)
            self.sources[doc.data["source"]] = (data / "sources" / doc.data["source"]).read_text(encoding="utf-8")
        for path in sorted((data / "departments").glob("*.yaml")):
            doc, problems = load_yaml(path)
            if problems:
                raise SystemExit(f"bench: the real data has problems, run `make check`: {problems[0]}")
            self.registries.append(doc.data)
        self.tasks = sum(len(a.get("tasks", [])) for p in self.plans for a in p["actions"])
        self.protected = self._protected()
        everything = "".join(self.sources.values()) + yaml.safe_dump([self.plans, self.registries], allow_unicode=True)
        self.alphabet = sorted(set(HAN.findall(everything)) - self.protected)

    def _protected(self) -> set[str]:
        """Characters never permuted: those the date parser and the validator
        read (年, 月, 底, 季, 每 …) and those of the jurisdiction levels."""
        chars: set[str] = set("市区镇街道委办局")
        for name in ("dates.py", "validate.py"):
            chars |= set(HAN.findall((ROOT / "scripts" / name).read_text(encoding="utf-8")))
        return chars


def _translate(table: dict[int, str] | None, prefix: str):
    def text(s: str) -> str:
        return s.translate(table) if table else s

    def ident(s: str) -> str:
        return f"{prefix}{s}" if prefix else s

    def walk(node: Any, key: str = "") -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key) for v in node]
        if isinstance(node, str):
            if key in ID_KEYS:
                return ident(node)
            if key in KEEP_KEYS:
                return node
            return text(node)
        return node

    return text, ident, walk


def write_replica(real: Real, out: Path, replica: int) -> int:
    """Write replica number `replica` of the real plans and registries into
    the data folder `out`; returns its number of tasks."""
    if replica == 0:
        table, prefix = None, ""
    else:
        rng = random.Random(replica)
        shuffled = real.alphabet[:]
        rng.shuffle(shuffled)
        table = {ord(a): b for a, b in zip(real.alphabet, shuffled)}
        prefix = f"r{replica:04d}-"
    text, ident, walk = _translate(table, prefix)
    for reg in real.registries:
        new = walk(reg)
        new["jurisdiction"]["id"] = ident(reg["jurisdiction"]["id"])
        _dump(out / "departments" / f"{new['jurisdiction']['id']}.yaml", new, comment=False)
    tasks = 0
    for plan in real.plans:
        new = walk(plan)
        new["jurisdiction"] = ident(plan["jurisdiction"])
        new["source"] = f"{prefix}{plan['source']}"
        (out / "sources" / new["source"]).write_text(text(real.sources[plan["source"]]), encoding="utf-8")
        _dump(out / "plans" / f"{new['id']}.yaml", new)
        tasks += sum(len(a.get("tasks", [])) for a in new["actions"])
    return tasks


def _dump(path: Path, data: dict, comment: bool = True) -> None:
    body = yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True,
                     sort_keys=False, width=10**9, default_flow_style=False)
    path.write_text((SCHEMA_COMMENT + "\n" if comment else "") + body, encoding="utf-8")


def make_corpus(out: Path, tasks_wanted: int, real: Real | None = None) -> tuple[int, int]:
    """A data folder of about `tasks_wanted` tasks; returns (plans, tasks)."""
    real = real or Real()
    replicas = max(1, round(tasks_wanted / real.tasks))
    for sub in ("plans", "departments", "sources"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for name in ("categories.yaml", "topics.yaml", "national.yaml", "synonyms.yaml"):
        if (real.data / name).exists():
            shutil.copy2(real.data / name, out / name)
    tasks = 0
    last = time.monotonic()
    for r in range(replicas):
        tasks += write_replica(real, out, r)
        if time.monotonic() - last > 5:
            say(f"  … {r + 1} of {replicas} replicas written")
            last = time.monotonic()
    return replicas * len(real.plans), tasks


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


def measure_build(data: Path, site: Path, profile: Path | None = None) -> tuple[int, float, float]:
    """Run the real build; returns (exit code, seconds, peak MiB)."""
    env = {**os.environ, "NOW": os.environ.get("NOW", NOW), "NO_MKDOCS_2_WARNING": "1"}
    if profile:
        env["BUILD_PROFILE"] = str(profile)
    cmd = [sys.executable, "-m", "scripts", "--data", str(data), "build", "--site-dir", str(site)]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
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
    # the build's processes reap theirs: wait4 counts the whole tree
    say(f"build: {seconds:.1f} s wall, {usage.ru_utime + usage.ru_stime:.0f} s of CPU "
        f"({usage.ru_utime:.0f} user, {usage.ru_stime:.0f} system) on {os.cpu_count()} cores")
    stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak = max(usage.ru_maxrss * 1024, children * 1024, peak_tree) / MIB  # ru_maxrss is in KiB on Linux
    return proc.returncode, seconds, peak


def folder_bytes(folder: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(folder):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    return total


def search_download(site: Path) -> tuple[float, str]:
    """(MiB, note): the gzipped search data a reader downloads before the first result."""
    try:
        from . import search  # the search stage, when it is there
    except ImportError:
        search = None
    fn = getattr(search, "search_download_bytes", None) if search else None
    if fn is not None:
        try:
            return fn(site) / MIB, ""
        except Exception as e:  # the search stage is not wired into this build
            say(f"search_download_bytes failed ({type(e).__name__}: {e}); measuring search_index.json")
    index = site / "search" / "search_index.json"
    if not index.exists():
        return 0.0, " (no search index)"
    return len(gzip.compress(index.read_bytes(), 9, mtime=0)) / MIB, " (search_index.json)"


def bench(size: int, work: Path, real: Real, profile: Path | None = None) -> str:
    data, site = work / "data", work / "site"
    say(f"size {size}: generating the corpus in {data} …")
    t = time.monotonic()
    plans, tasks = make_corpus(data, size, real)
    say(f"size {size}: {plans} plans, {tasks} tasks generated ({time.monotonic() - t:.1f} s); building …")
    prof = profile / f"generate-{size}.prof" if profile else None
    code, seconds, peak = measure_build(data, site, prof)
    if code != 0:
        raise SystemExit(f"bench: the build of {tasks} tasks failed (exit {code}); see above")
    gz, note = search_download(site)
    return (f"bench: plans={plans} tasks={tasks} build_s={seconds:.1f} peak_mb={peak:.0f} "
            f"site_mb={folder_bytes(site) / MIB:.1f} search_gz_mb={gz:.2f}{note}")


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
    lines = []
    for size in sizes:
        if args.keep:
            work = args.keep.resolve() / str(size)
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            line = bench(size, work, real, args.profile)
        else:
            with tempfile.TemporaryDirectory(prefix=f"bench-{size}-") as tmp:
                line = bench(size, Path(tmp), real, args.profile)
        print(line, flush=True)
        lines.append(line)
    if not args.no_serve:
        print(f"bench: serve_edit_s={serve_edit_seconds():.1f} (make serve, five real plans: a YAML edit until "
              "the served page shows it)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
