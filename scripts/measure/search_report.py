"""`make search-report`: for each query of the search tests, the rank of the
expected result, the time in Chromium and the bytes read before the first
result; the filters (facet files, narrowed queries) and the queries nothing
holds as typed; also one query answered by the reference engine, and a built
site scaled to N tasks. `python -m scripts.measure.search_report report|query|scale`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..paths import ROOT
from .engine import Engine, search_download_bytes, site_size
from .scale import make_scaled_site

def _queries():
    import importlib.util

    path = ROOT / "tests" / "search" / "test_search_queries.py"
    spec = importlib.util.spec_from_file_location("search_queries", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["search_queries"] = mod
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def report(site: Path | None, browser: bool = True, repeat: int = 1) -> int:
    """Per query of tests/test_search_queries.py: the rank of each expected
    document ("!" when not within its bound), how many results, the time in
    Chromium (key to first results drawn, and to the full list drawn) and
    the gzipped bytes read before the first results. Exit status 1 when an
    expectation is missed. Without Chromium: the Python engine's ranks and
    time."""
    import os
    import subprocess
    import tempfile

    mod = _queries()
    tmp = None
    if site is None:
        tmp = tempfile.TemporaryDirectory(prefix="search-report-")
        site = Path(tmp.name) / "site"
        env = {**os.environ, "NOW": os.environ.get("NOW", "2024-10-15")}
        r = subprocess.run([sys.executable, "-m", "scripts", "build", "--site-dir", str(site)], cwd=ROOT, env=env)
        if r.returncode:
            return r.returncode
    engine = Engine(site)
    misses = 0
    ctx = server = page = None
    if browser:
        from playwright.sync_api import sync_playwright

        from .browser import CHROMIUM, CHROMIUM_ARGS, browser_query, open_search, serve_dir

        server = serve_dir(site)
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        ctx = sync_playwright().start()
        b = ctx.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1280, "height": 900})
        open_search(page, url)
    print(f"search report: {site} ({engine.m['docs']} documents)")
    print("ms: Chromium, from the key to the first results drawn; all: to the full list drawn; "
          "KiB gz: data read before the first results")
    print(f"{'query':<16} {'kind':<10} {'expected rank':<26} {'results':>7} {'ms':>7} {'all':>7} {'KiB gz':>7}")
    times = []
    for q in mod.QUERIES:
        t = time.perf_counter()
        ans = engine.search(q.text)
        py_ms = (time.perf_counter() - t) * 1000
        urls = [h.rec["u"] for h in ans.hits]
        total, ms, worker = ans.total, None, None
        if browser:
            best = None
            for _ in range(repeat):
                res = browser_query(page, q.text, all_items=True)
                if best is None or res["ms"] < best["ms"]:
                    best = res
            urls = [it["url"] for it in best["items"]]
            total, ms, worker = best["worker"]["total"], best["ms"], best["last"]
            times.append(ms)
        ranks = []
        for address in q.expect:
            r = mod.rank_of(address, urls)
            ok = r is not None and r <= q.top
            misses += not ok
            ranks.append(f"{r if r else '-'}{'' if ok else '!'}")
        kib = search_download_bytes(site, q.text) / 1024
        shown = f"{ms:7.1f} {worker:7.0f}" if browser else f"{py_ms:7.1f} {'':>7}"
        pad = 16 - sum(2 if ord(c) > 0x2e80 else 1 for c in q.text)  # CJK is two columns wide
        print(f"{q.text}{' ' * max(1, pad)} {q.kind:<10} {'/'.join(ranks) + f' (<= {q.top})':<26} {total:>7} {shown} {kib:7.1f}")
    if browser:
        times.sort()
        print(f"Chromium, key to drawn list: median {times[len(times) // 2]:.1f} ms, max {times[-1]:.1f} ms "
              f"over {len(times)} queries")
    narrowing(site, engine, page)
    if browser:
        ctx.stop()
        server.shutdown()
    size = site_size(site)
    print(f"search data: {size['files']} files, {size['raw'] / 1024:.0f} KiB raw, {size['gz'] / 1024:.0f} KiB gzipped; "
          f"largest download before a first result (DEFAULT_QUERIES): {search_download_bytes(site) / 1024:.1f} KiB gz")
    print(f"{len(mod.QUERIES)} queries, {misses} expectation(s) missed")
    if tmp:
        tmp.cleanup()
    return 1 if misses else 0


NARROW_QUERY = "隐患"
NO_EXACT_QUERIES = ["煤气", "煤气罐 隐患排查"]


def narrowing(site: Path, engine: Engine, page=None) -> None:
    """Per facet: its file (read after the first results, or before them
    when a filter is on) and, for NARROW_QUERY, the value keeping the most
    results: how many, the bytes before the first narrowed result and (in
    Chromium) the time from choosing it to the drawn list. Then the queries
    nothing holds as typed (synonyms, nearest matches)."""
    import gzip

    from .browser import browser_facets, browser_filter, browser_query

    counts = engine.counts(engine.search(NARROW_QUERY))
    if page is not None:
        browser_query(page, NARROW_QUERY)
        browser_facets(page)
    print(f"filters, for {NARROW_QUERY} ({counts['j'][''] if counts else 0} results):")
    for kind in engine.m.get("facets", []):
        data = (site / "search" / "f" / f"{kind}.json").read_bytes()
        value = max((v for v in counts[kind] if v), key=lambda v: counts[kind][v])
        line = (f"  {kind}: {len(engine.facet(kind, [])['v'])} values, file {len(data) / 1024:.0f} KiB raw, "
                f"{len(gzip.compress(data, 6)) / 1024:.1f} KiB gz; {value}: {counts[kind][value]} results, "
                f"{search_download_bytes(site, NARROW_QUERY, {kind: value}) / 1024:.1f} KiB gz before the first")
        if page is not None:
            ms = min(browser_filter(page, kind, value)["ms"] for _ in range(2))
            browser_filter(page, None)
            line += f", {ms:.1f} ms in Chromium"
        print(line)
    print("nothing as typed (synonyms marked, nearest matches 部分匹配, suggestions):")
    for q in NO_EXACT_QUERIES:
        a = engine.search(q)
        line = (f"  {q}: {a.total} results ({a.total - a.partial} through synonyms, {a.partial} nearest), "
                f"suggests {' / '.join(a.suggest) or '-'}; {search_download_bytes(site, q) / 1024:.1f} KiB gz")
        if page is not None:
            line += f", {min(browser_query(page, q)['ms'] for _ in range(2)):.1f} ms in Chromium"
        print(line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m scripts.measure.search_report", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    rep = sub.add_parser("report", help="per query: rank of the expected task and the time, in Chromium")
    rep.add_argument("--site", type=Path, help="a built site (default: build one, NOW=2024-10-15)")
    rep.add_argument("--no-browser", action="store_true", help="Python engine only")
    rep.add_argument("--repeat", type=int, default=1, help="run each query N times, keep the fastest")
    q = sub.add_parser("query", help="answer one query with the Python engine")
    q.add_argument("site", type=Path)
    q.add_argument("query")
    sc = sub.add_parser("scale", help="copy a built site with search data replicated to N tasks")
    sc.add_argument("site", type=Path)
    sc.add_argument("out", type=Path)
    sc.add_argument("--tasks", type=int, default=30_000)
    sc.add_argument("--permute", action="store_true", help="permute CJK characters per replica")
    args = ap.parse_args(argv)
    if args.cmd == "query":
        t = time.perf_counter()
        a = Engine(args.site).search(args.query)
        ms = (time.perf_counter() - t) * 1000
        print(f"{args.query}: {a.total} results{' (about)' if a.approx else ''}, {ms:.1f} ms, "
              f"{len(a.fetched)} files, {search_download_bytes(args.site, args.query) / 1024:.1f} KiB gz")
        for h in a.hits[:20]:
            print(f"  {h.score:5d} {h.rec.get('u')}  {h.rec.get('t')}")
        return 0
    if args.cmd == "scale":
        info = make_scaled_site(args.site, args.out, args.tasks, args.permute)
        print(f"scale: {info['tasks']} tasks, {info['docs']} documents; index built in {info['index_s']:.1f} s; "
              f"{info['files']} files, {info['raw'] / 2**20:.1f} MiB raw, {info['gz'] / 2**20:.1f} MiB gzipped")
        print(f"scale: largest download before a first result: {search_download_bytes(args.out) / 1024:.1f} KiB gz")
        return 0
    return report(args.site, browser=not args.no_browser, repeat=args.repeat)


if __name__ == "__main__":
    sys.exit(main())
