"""A rebuild renders only the pages, and makes only the downloads, whose
reads changed (scripts/pipeline/render/incremental.py), and its files are
exactly those of making everything.

A copy of the data with progress reports goes through a series of edits a
clerk makes, each derived from the data (no plan, unit or topic named
here): a unit added to a task, a unit renamed, a task's text cut to its
first clause, a plan added and removed again, a progress report removed, a
topic renamed, a unit category renamed. After each, the pages are rendered
with the record of the step before (taking what it allows from that step's
folder) and rendered in full, and both folders must hold the same files,
byte for byte; each edit must change some page. A control shows the
comparison catches a record that misses reads; files of the last build
changed in place are made again.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import NOW, ROOT
from scripts.measure.corpus import _dump
from scripts.measure.rebuild import edit_one_plan
from scripts.pipeline.enrich import enrich, reads
from scripts.pipeline.render import render_extras, render_site
from scripts.pipeline.render.incremental import Renders
from scripts.pipeline.validate import check
from scripts.search import index
from scripts.search.index import index_files
from scripts.search.patch import index_files_from

EXTRA = ROOT / "tests" / "fixtures" / "extra"
pytestmark = pytest.mark.long(30)  # a series of renders, each incremental and in full


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _plans(data: Path) -> list[Path]:
    return sorted((data / "plans").glob("[!_]*.yaml"))


def rename_unit(data: Path) -> str:
    path = sorted((data / "departments").glob("*.yaml"))[0]
    registry = _load(path)
    unit = registry["departments"][0]
    unit["name"] += "（更名）"
    _dump(path, registry)
    return f"unit {unit['id']} renamed"


def cut_task_text(data: Path) -> str:
    """The text of a task without time phrases cut to its first clause (still
    verbatim: a beginning of the source's words)."""
    for path in reversed(_plans(data)):
        plan = _load(path)
        for action in plan["actions"]:
            for task in action.get("tasks", []):
                timed = any(task.get(k) for k in ("deadlines", "recurrence", "ongoing", "events"))
                head = task["text"].split("，")[0]
                if not timed and len(head) >= 6 and head != task["text"]:
                    task["text"] = head
                    _dump(path, plan)
                    return f"task {task['id']}: text cut to {head}"
    pytest.skip("no task whose text can be cut")


def add_plan(data: Path) -> str:
    """The extra plan of tests/test_extra_plan.py, its addresses recorded
    as the contributor guide says."""
    shutil.copy(data / "addresses.txt", data.parent / "addresses.before")
    for sub in ("plans", "departments", "sources"):
        for path in (EXTRA / sub).iterdir():
            shutil.copy(path, data / sub / path.name)
    done = subprocess.run([sys.executable, "-m", "scripts", "--data", str(data), "addresses"], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "NOW": NOW})
    assert done.returncode == 0, done.stderr
    return "the extra plan added"


def remove_plan(data: Path) -> str:
    """The extra plan taken out again, as if the pull request that added it
    were reverted before publishing (a published plan cannot go: its
    addresses live on)."""
    for sub in ("plans", "departments", "sources"):
        for path in (EXTRA / sub).iterdir():
            (data / sub / path.name).unlink()
    shutil.copy(data.parent / "addresses.before", data / "addresses.txt")
    return "the extra plan removed"


def remove_report(data: Path) -> str:
    reports = sorted((data / "progress").rglob("*.yaml"))
    assert reports, "the data has no progress reports"
    reports[len(reports) // 2].unlink()
    return f"{reports[len(reports) // 2].relative_to(data)} removed"


def _rename_first(data: Path, file: str, key: str) -> str:
    path = data / file
    content = _load(path)
    content[key][0]["name"] += "（更名）"
    _dump(path, content, comment=False)
    return f"{key} {content[key][0]['id']} renamed"


def rename_topic(data: Path) -> str:
    return _rename_first(data, "topics.yaml", "topics")


def rename_category(data: Path) -> str:
    return _rename_first(data, "categories.yaml", "categories")


EDITS = [edit_one_plan, rename_unit, cut_task_text, add_plan, remove_plan, remove_report, rename_topic,
         rename_category]


def site_of(data: Path):
    corpus, problems = check(data)
    assert not problems, "\n".join(map(str, problems[:10]))
    return enrich(corpus, dt.date.fromisoformat(NOW))


def differences(a: Path, b: Path) -> list[str]:
    def walk(d: filecmp.dircmp, prefix: str = "") -> list[str]:
        found = [prefix + name for name in d.left_only + d.right_only + d.funny_files]
        found += [prefix + name for name in filecmp.cmpfiles(d.left, d.right, d.common_files, shallow=False)[1]]
        for name, sub in d.subdirs.items():
            found += walk(sub, f"{prefix}{name}/")
        return found

    return walk(filecmp.dircmp(a, b))


def write(site, folder: Path, data: Path, renders: Renders | None) -> None:
    """The pages, then the downloads and redirect pages, as the build makes them."""
    render_site(site, out=folder, data_dir=data, extras=False, renders=renders)
    render_extras(site, folder, search=False, renders=renders)


class Steps:
    """Writes the site's pages and downloads after each edit, taking what
    the last step's record allows, and in full."""

    def __init__(self, tmp: Path, data: Path):
        self.tmp, self.data, self.n = tmp, data, 0
        site = site_of(data)
        self.renders = Renders(None, None, site)
        self.folder = tmp / "step0"
        write(site, self.folder, data, self.renders)

    def step(self, saved=lambda record: None) -> tuple[Path, Path, Renders]:
        """`saved(record)` is called once the last step's record is saved."""
        self.n += 1
        site = site_of(self.data)
        record = self.tmp / f"renders{self.n}.json"
        self.renders.save(record)
        saved(record)
        renders = Renders(record, self.folder, site, self.folder)
        folder, full = self.tmp / f"step{self.n}", self.tmp / f"full{self.n}"
        write(site, folder, self.data, renders)
        write(site, full, self.data, None)
        self.folder, self.renders = folder, renders
        return folder, full, renders


@pytest.fixture
def data(tmp_path, progress_data) -> Path:
    shutil.copytree(progress_data, tmp_path / "data")
    return tmp_path / "data"


@pytest.mark.slow  # sixteen renders of the site
def test_after_each_edit_the_pages_are_those_of_rendering_everything(tmp_path, data):
    steps = Steps(tmp_path, data)
    pages, before = len(steps.renders.new), steps.folder
    for edit in EDITS:
        what = edit(data)
        folder, full, renders = steps.step()
        assert differences(folder, full) == [], what
        assert differences(before, full), f"{what}: no page changed (the step proves nothing)"
        if edit is edit_one_plan:
            assert renders.taken > pages // 2, f"{what}: only {renders.taken} of {pages} pages taken"
        pages, before = len(renders.new), full


@pytest.mark.slow  # three renders of the site
def test_a_record_that_misses_reads_gives_stale_pages(tmp_path, data, monkeypatch):
    """The control: with reads of views not recorded (only the plans of each
    job's context), pages are taken that the edit changed, and the
    comparison above finds them."""
    monkeypatch.setattr(reads, "watch", lambda *args: None)
    steps = Steps(tmp_path, data)
    edit_one_plan(data)
    folder, full, renders = steps.step()
    assert differences(folder, full)


@pytest.mark.slow  # four renders of the site
def test_units_no_longer_read_leave_the_record(tmp_path, data):
    """A record keeps the numbers of its units from build to build; once
    over half of them are read by no job, it numbers them again, and the
    next build still takes what it may."""
    steps = Steps(tmp_path, data)
    steps.step()
    gone = len(steps.renders.old_units) + 1  # units no job reads any longer, numbered before the others
    steps.renders.old_units[:0] = [f"gone{k}" for k in range(gone)]
    for job in steps.renders.new.values():
        if job[3] and type(job[3][0]) is int:  # taken: numbers in the last record
            job[3] = [i + gone for i in job[3]]
    edit_one_plan(data)
    folder, full, renders = steps.step()
    assert differences(folder, full) == []
    assert renders.taken > len(renders.new) // 2
    assert not [u for u in renders.old_units if u.startswith("gone")]
    assert set(range(len(renders.old_units))) == {i for job in renders.old.values() for i in job[3]}


@pytest.mark.slow  # three renders of the site
def test_a_file_changed_in_place_is_made_again(tmp_path, data):
    """A page and a download of the last build changed in place (they are
    hard links: the cache's and the published site's files), one keeping
    its size, are made again, not taken; everything else is taken. Files
    last changed well before the record was saved are known by their stat:
    only the changed ones are hashed."""
    steps = Steps(tmp_path, data)
    page = next(rel for rel, r in steps.renders.new.items() if r[0].endswith(".md.j2"))
    download = next(r[4][0][0] for r in steps.renders.new.values() if r[0] == "downloads")
    content = (steps.folder / page).read_bytes()
    (steps.folder / page).write_bytes(content[:-1] + (b"\n" if content[-1:] != b"\n" else b" "))
    with open(steps.folder / download, "ab") as f:
        f.write(b"changed in place")

    def later(record: Path) -> None:  # the record saved a minute after the files were made
        os.utime(record, ns=(record.stat().st_atime_ns, record.stat().st_mtime_ns + 60 * 10**9))

    folder, full, renders = steps.step(later)
    assert differences(folder, full) == []
    assert renders.taken == len(renders.new) - 2
    assert renders.hashed == 2


def _publish(folder: Path, files: dict[str, bytes]) -> Path:
    for rel, content in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(content)
    return folder


def test_after_each_edit_the_search_data_patched_is_that_made_in_full(tmp_path, data, monkeypatch):
    """The search data patched from the last step's (scripts/search/patch.py,
    however much changed) is byte for byte what making it in full gives;
    also when the tables' size calls for another number of shards."""
    files, state, patched = index_files_from(site_of(data), None, None)
    assert not patched
    folder = _publish(tmp_path / "search0", files)
    for n, edit in enumerate(EDITS + [None], 1):
        if edit is None:  # no edit: the shards made four times smaller
            monkeypatch.setattr(index, "SHARD_TARGET", index.SHARD_TARGET // 4)
        what = edit(data) if edit else "a quarter of the shard size"
        site = site_of(data)
        before = files
        files, state, patched = index_files_from(site, folder, state, limit=1.0)
        assert patched, what
        assert files == index_files(site), what
        assert files != before, f"{what}: the search data did not change (the step proves nothing)"
        folder = _publish(tmp_path / f"search{n}", files)


def test_search_data_changed_since_it_was_made_is_not_patched(tmp_path, data):
    """A search file changed in place, or a state that is not the published
    data's, and the search data is made in full."""
    site = site_of(data)
    files, state, _ = index_files_from(site, None, None)
    folder = _publish(tmp_path / "search", files)
    edit_one_plan(data)
    site = site_of(data)
    assert index_files_from(site, folder, state)[2]
    shard = next(rel for rel in files if rel.startswith("search/g/"))
    (folder / shard).write_bytes(files[shard].replace(b"]", b",4]", 1))
    for kept in (state, {**state, "version": "0" * 12}):
        again, _, patched = index_files_from(site, folder, kept)
        assert not patched
        assert again == index_files(site)


def test_a_value_kept_once_computed_carries_its_reads():
    class View:
        def __init__(self, parts):
            self.parts = parts

        @reads.derived
        def total(self):
            return sum(p.n for p in self.parts)

    class Part:
        def __init__(self, n):
            self.n = n

    parts = [Part(1), Part(2)]
    view = View(parts)
    assert view.total == 3  # computed before anything is recorded
    reads.watch([View, Part])
    try:
        for _ in range(2):  # computed again under the record, then kept: the same reads each time
            with reads.recording() as seen:
                assert view.total == 3
            assert seen == {(id(parts[0]), "n"), (id(parts[1]), "n"), (id(view), "total"), (id(view), "parts")}
    finally:
        reads.unwatch()


def test_a_summary_is_read_as_a_field_of_a_view_alone_else_as_a_kept_value():
    """reads.summary: on a view whose fields are units of their own (`alone`)
    a page records the summary itself, not what counting read (the rebuild
    compares the count); on any other view it carries its reads as a
    derived value does. A value that is not plain is refused."""

    class View:
        def __init__(self, parts):
            self.parts = parts

        @reads.summary
        def count(self):
            return sum(1 for p in self.parts if p.n)

        @reads.summary
        def first(self):
            return self.parts[0]

    class Part:
        def __init__(self, n):
            self.n = n

    parts = [Part(1), Part(0)]
    alone, other = View(parts), View(parts)
    reads.watch([View, Part], alone=frozenset({id(alone)}))
    try:
        for _ in range(2):  # computed under the record, then kept
            with reads.recording() as seen:
                assert alone.count == 1
            assert seen == {(id(alone), "count")}
            with reads.recording() as seen:
                assert other.count == 1
            assert seen == {(id(other), "count"), (id(other), "parts"), (id(parts[0]), "n"), (id(parts[1]), "n")}
        with pytest.raises(TypeError, match="not a plain value"):
            alone.first
    finally:
        reads.unwatch()
