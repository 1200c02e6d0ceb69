"""No page grows with the province, and every task is at most four clicks
from the home page. Two synthetic provinces (scripts/measure/corpus.py:
replicas of the real plans in a province of districts) are built for real,
one twice the other: no page of either is over 1 MiB, and the largest page
of each kind of page is no larger in the bigger one — the size of a page is
a function of how the site is split (by jurisdiction area, by year and
quarter, by line of action), not of the size of the corpus. The districts
here hold GROUP replica each (the benchmark's hold 13, about 1,800 tasks)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urljoin

import pytest

from conftest import run_build
from scripts.measure.corpus import Real, make_corpus

pytestmark = [pytest.mark.slow, pytest.mark.long(16)]  # builds two sites of its own

GROUP = 1  # replicas per district (the growth shows as well as with more, at a fraction of the build)
SIZES = (GROUP + 1, 3 * GROUP + 1)  # replicas (the first is the real data, outside any district): 1 and 3 districts
LIMIT = 1024 * 1024
HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')


KNOWN = {"plans", "jurisdictions", "departments", "categories", "topics", "timeline", "recurring", "ongoing", "compare",
         "data", "progress"}


def kind(rel: str) -> str:
    """The kind of a page: its address with every id replaced by * (topics/*/*)."""
    if "/" not in rel:
        return rel
    return "/".join(p if p in KNOWN else "*" for p in rel.split("/")[:-1])


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    real = Real()
    out = {}
    for replicas in SIZES:
        base = tmp_path_factory.mktemp(f"province-{replicas}")
        _, tasks = make_corpus(base / "data", replicas * real.tasks, real, group=GROUP)
        result = run_build(base / "site", data_dir=base / "data")
        assert result.returncode == 0, result.stderr[-3000:]
        out[tasks] = base / "site"
    return out


def page_sizes(site: Path) -> dict[str, int]:
    return {str(f.relative_to(site)): f.stat().st_size for f in site.rglob("*.html")
            if f.name == "index.html" or f.parent == site}


def test_no_page_over_a_mebibyte_and_none_grows_with_the_corpus(sites):
    (small_tasks, small), (big_tasks, big) = sorted(sites.items())
    assert big_tasks >= 1.8 * small_tasks
    largest: dict[int, dict[str, tuple[int, str]]] = {}
    for tasks, site in sites.items():
        sizes = page_sizes(site)
        over = sorted((s, p) for p, s in sizes.items() if s > LIMIT)
        assert not over, f"{tasks} tasks: pages over 1 MiB: {over[-5:]}"
        by_kind: dict[str, tuple[int, str]] = {}
        for p, s in sizes.items():
            k = kind(p)
            by_kind[k] = max(by_kind.get(k, (0, "")), (s, p))
        largest[tasks] = by_kind
    grew = [f"{k}: {largest[small_tasks][k]} -> {largest[big_tasks][k]}"
            for k in largest[big_tasks] if k in largest[small_tasks]
            and largest[big_tasks][k][0] > 1.1 * largest[small_tasks][k][0] + 4096]
    assert not grew, "pages that grow with the corpus:\n" + "\n".join(grew)


def test_every_task_within_four_clicks_of_home(sites):
    """Breadth first over the links of the built site from the home page: a
    task is reached by a click on a link to its address (plans/<plan>/#<task>,
    such as the ¶ of its heading on its plan's page)."""
    site = sites[max(sites)]
    links: dict[str, set[str]] = {}
    for f in site.rglob("index.html"):
        rel_dir = f.parent.relative_to(site).as_posix()
        here = "" if rel_dir == "." else rel_dir + "/"
        targets = set()
        for href in HREF.findall(f.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", href):
                continue
            url = urljoin("http://s/" + here, href.replace("&amp;", "&"))
            if url.startswith("http://s/"):
                targets.add(url[len("http://s/"):].replace("index.html", ""))
        links[here] = targets
    depth = {"": 0}
    reached: dict[str, int] = {}
    frontier = [""]
    for d in range(1, 5):
        nxt = []
        for page in frontier:
            for target in links.get(page, ()):
                reached.setdefault(target, d)
                path = target.split("#", 1)[0]
                if path not in depth:
                    depth[path] = d
                    nxt.append(path)
        frontier = nxt
    dataset = json.loads((site / "data" / "plans.json").read_text(encoding="utf-8"))
    tasks = [t["url"] for p in dataset["plans"] for a in p["actions"] for t in a["tasks"]]
    far = [u for u in tasks if u not in reached]
    assert not far, f"{len(far)} of {len(tasks)} tasks more than four clicks from home, e.g. {far[:5]}"
    by_depth = defaultdict(int)
    for u in tasks:
        by_depth[reached[u]] += 1
    assert max(by_depth) <= 4, dict(by_depth)
