"""The build cache (scripts/pipeline/build/cache.py, reuse.py): a rebuild
converts only the pages whose Markdown changed, and whatever the cache holds
the published site is byte for byte the one a clean full build of the same
data gives: after a plan's edit (at another build date), with a cached page
changed in place, with a damaged manifest, after a bad edit that fails, and
when a reused page's link no longer finds its target. The engine key changes
with the configuration, the theme's overrides, the packages, the build code,
SITE_URL and the search worker, never with the build date."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW, ROOT

from scripts.measure.rebuild import edit_one_plan
from scripts.pipeline.build import cache

pytestmark = pytest.mark.long(32)  # whole builds, one after another

EPOCH, LATER = "1700000000", "1710000000"


def build(data: Path, site: Path, epoch: str = EPOCH, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scripts", "--data", str(data), "build", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "NOW": NOW, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": epoch, **env},
    )


def digest(site: Path) -> dict[str, str]:
    """Path -> SHA-256 of every file, and "folder" for every folder (a
    rebuild's mkdocs builds into folders made beforehand: none may be left
    that a full build does not make)."""
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(site.rglob("*")) if p.is_file() or p.is_dir()}


def same_site(a: dict[str, str], b: dict[str, str]) -> None:
    assert sorted(a) == sorted(b), f"different files: {sorted(set(a) ^ set(b))[:20]}"
    differ = [name for name in a if a[name] != b[name]]
    assert not differ, f"{len(differ)} of {len(a)} files differ: {differ[:20]}"


def counts(stderr: str) -> tuple[int, int]:
    """(pages, pages reused) from the build's progress lines."""
    pages = int(re.search(r"mkdocs build --strict \((\d+) pages", stderr)[1])
    reused = int(re.search(r"(\d+) reused from the build cache", stderr)[1])
    return pages, reused


def copy_keeping_links(pairs: list[tuple[Path, Path]]) -> None:
    """Copies each (source folder, target) pair; files hard-linked to each
    other among the sources are hard-linked among the copies, and to
    nothing else (the sources are another test's: never changed in place)."""
    copied: dict[tuple[int, int], Path] = {}
    for source, target in pairs:
        for path in sorted(source.rglob("*")):
            dest = target / path.relative_to(source)
            if path.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            st = path.stat()
            if (st.st_dev, st.st_ino) in copied:
                os.link(copied[st.st_dev, st.st_ino], dest)
            else:
                shutil.copy2(path, dest)
                copied[st.st_dev, st.st_ino] = dest


@pytest.fixture(scope="module")
def edited(tmp_path_factory, data_dir, built_site):
    """The run's build of the real data (built_site) copied with the build
    cache it filled, then one plan edited and built again at a later date,
    and a full build of the edited data without the cache: (data, site, the
    site before the edit, the full build, the rebuild's result). The site
    and its cache as the rebuild left them are kept; `restore` puts them
    back, instead of building again."""
    tmp = tmp_path_factory.mktemp("cache")
    data, site = tmp / "data", tmp / "site"
    shutil.copytree(data_dir, data)
    assert (cache.cache_folder(built_site) / cache.MANIFEST).is_file(), "the shared build filled no cache"
    copy_keeping_links([(built_site, site), (cache.cache_folder(built_site), cache.cache_folder(site))])
    before = digest(site)
    edit_one_plan(data)
    full = build(data, tmp / "full", LATER, BUILD_CACHE="0")
    assert full.returncode == 0, full.stderr
    assert not (tmp / ".build-cache" / "full").exists(), "BUILD_CACHE=0 wrote a cache"
    rebuilt = build(data, site, LATER)
    (tmp / "kept").mkdir()
    subprocess.run(["cp", "-a", str(site), str(tmp / ".build-cache"), str(tmp / "kept")], check=True)  # hard links kept
    return data, site, before, digest(tmp / "full"), rebuilt


def restore(edited) -> None:
    """The site and its build cache as the rebuild after the edit left them."""
    site = edited[1]
    for name in (site.name, ".build-cache"):
        shutil.rmtree(site.parent / name)
    kept = site.parent / "kept"
    subprocess.run(["cp", "-a", str(kept / site.name), str(kept / ".build-cache"), str(site.parent)], check=True)


@pytest.mark.slow  # whole builds
def test_one_plan_edit_converts_few_pages_and_gives_the_full_build(edited):
    data, site, before, full, result = edited
    restore(edited)
    assert result.returncode == 0, result.stderr
    pages, reused = counts(result.stderr)
    assert reused > pages // 2, f"only {reused} of {pages} pages reused"
    after = digest(site)
    changed = [p for p in after if p.endswith(".html") and before.get(p) != after[p]]
    assert changed, "the edit changed no page: the test proves nothing"
    same_site(after, full)
    # the hash of each page's Markdown the rebuild recorded (given by the
    # generation, not read again) is that of the page it kept
    folder = cache.cache_folder(site)
    recorded = {uri: entry["md"] for uri, entry in cache.read_manifest(folder / cache.MANIFEST)["pages"].items()}
    hashes = cache.page_hashes(folder / cache.DOCS)
    assert recorded == hashes


@pytest.mark.slow  # whole builds
def test_a_page_changed_in_place_is_converted_again(edited):
    data, site, _, full, _ = edited
    restore(edited)
    folder = site.parent / ".build-cache" / "site" / "html"
    victim = next(p for p in sorted(folder.rglob("index.html")) if "plans" in p.parts)
    with open(victim, "ab") as f:  # the cache's file is the published one (a hard link)
        f.write(b"<!-- changed in place -->")
    result = build(data, site, LATER)
    assert result.returncode == 0, result.stderr
    assert "no longer hash as recorded" in result.stderr
    same_site(digest(site), full)


DAMAGE = {
    "truncated": lambda text: text[: len(text) // 2],
    "edited": lambda text: text.replace(b'"dest":"', b'"dest":"x', 1),
    "garbage": lambda text: b"\x00not a manifest",
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_manifest_is_not_read(tmp_path, damage):
    manifest = tmp_path / cache.MANIFEST
    cache.write_manifest(manifest, {"format": cache.FORMAT, "engine": "e", "nav": "n",
                                    "pages": {"a.md": {"md": "1", "html": "2", "dest": "a/index.html"}}})
    assert cache.read_manifest(manifest) is not None
    manifest.write_bytes(DAMAGE[damage](manifest.read_bytes()))
    assert cache.read_manifest(manifest) is None


@pytest.mark.slow  # whole builds
def test_a_damaged_manifest_means_a_full_build(edited):
    """A manifest edited behind the cache's back (the subtlest damage; every
    kind is refused as test_a_damaged_manifest_is_not_read shows)."""
    data, site, _, full, _ = edited
    restore(edited)
    manifest = site.parent / ".build-cache" / "site" / cache.MANIFEST
    manifest.write_bytes(DAMAGE["edited"](manifest.read_bytes()))
    junk = manifest.parent / cache.HTML / "gone" / "index.html"  # a page no manifest knows of
    junk.parent.mkdir(parents=True, exist_ok=True)
    junk.write_text("<p>old</p>", encoding="utf-8")
    result = build(data, site, LATER)
    assert result.returncode == 0, result.stderr
    assert "build cache unreadable" in result.stderr
    assert counts(result.stderr)[1] == 0
    same_site(digest(site), full)
    assert not junk.exists(), "the cache kept a file no page of the site has"


@pytest.mark.slow  # whole builds
def test_a_bad_edit_touches_neither_the_site_nor_the_cache(edited):
    data, site, _, full, _ = edited
    restore(edited)
    manifest = site.parent / ".build-cache" / "site" / cache.MANIFEST
    published, cached = digest(site), manifest.read_bytes()
    plan = sorted((data / "plans").glob("[!_]*.yaml"))[0]
    good = plan.read_text(encoding="utf-8")
    try:
        plan.write_text(good.replace("\nactions:", "\nactions: [\n", 1), encoding="utf-8")
        result = build(data, site, LATER)
        assert result.returncode == 1
        assert "the published site was not touched" in result.stderr
        assert digest(site) == published and manifest.read_bytes() == cached
    finally:
        plan.write_text(good, encoding="utf-8")
    result = build(data, site, LATER)
    assert result.returncode == 0, result.stderr
    same_site(digest(site), full)


def _with_pages(monkeypatch) -> dict[str, str]:
    """Makes the real build (in this process) generate the pages of the
    returned dict (name -> Markdown) besides its own."""
    from scripts.pipeline import render

    pages: dict[str, str] = {}
    real = render.render_site

    def render_site(site_view, out, data_dir, **kw):
        n = real(site_view, out=out, data_dir=data_dir, **kw)
        for name, text in pages.items():
            (out / name).write_text(text, encoding="utf-8")
        return n + len(pages)

    monkeypatch.setattr(render, "render_site", render_site)
    monkeypatch.setenv("NOW", NOW)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return pages


@pytest.mark.slow  # whole builds
def test_a_reused_page_whose_link_lost_its_target_fails_as_a_full_build_does(tmp_path, monkeypatch, capfd):
    """extra.md links to other.md. Built once with both; then other.md is
    gone: extra.md's Markdown is the same, but its link no longer resolves,
    so it is converted again and the strict build fails, as a full build
    would; the published site stays."""
    from scripts.pipeline.build import build as run

    pages = _with_pages(monkeypatch)
    site, data = tmp_path / "site", ROOT / "tests" / "fixtures" / "data"
    pages.update({"extra.md": "# Extra\n\n[the other page](other.md)\n", "other.md": "# Other\n"})
    assert run(site_dir=site, data_dir=data) == 0
    published = digest(site)
    capfd.readouterr()
    del pages["other.md"]
    assert run(site_dir=site, data_dir=data) == 1
    err = " ".join(capfd.readouterr().err.split())
    assert "contains a link 'other.md', but the target is not found" in err, err[-2000:]
    assert digest(site) == published


# --------------------------------------------------------------------------- #
# The keys
# --------------------------------------------------------------------------- #


@pytest.fixture
def engine(tmp_path, monkeypatch):
    """engine_key() over a copy of mkdocs.yml and overrides/, and a docs
    folder with the search worker."""
    config = tmp_path / "repo" / "mkdocs.yml"
    shutil.copytree(ROOT / "overrides", tmp_path / "repo" / "overrides")
    shutil.copy(ROOT / "mkdocs.yml", config)
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    monkeypatch.setattr(cache, "CONFIG", config)
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return config, docs


def test_the_engine_key_follows_what_every_page_depends_on(engine, monkeypatch):
    config, docs = engine
    key = cache.engine_key(docs)
    assert cache.engine_key(docs) == key
    monkeypatch.setenv("SOURCE_DATE_EPOCH", LATER)
    assert cache.engine_key(docs) == key, "the build date must not invalidate pages (none shows it)"

    def changed(edit) -> bool:
        edit()
        new = cache.engine_key(docs)
        return new != key

    theme = next(p for p in sorted((config.parent / "overrides").rglob("*")) if p.is_file())
    worker = docs / "assets" / "javascripts" / "search-worker.js"
    assert changed(lambda: config.write_text(config.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"))
    key = cache.engine_key(docs)
    assert changed(lambda: theme.write_bytes(theme.read_bytes() + b"\n"))
    key = cache.engine_key(docs)
    assert changed(lambda: worker.write_bytes(worker.read_bytes() + b"\n"))
    key = cache.engine_key(docs)
    assert changed(lambda: monkeypatch.setenv("SITE_URL", "http://intranet.example/plans/"))
    key = cache.engine_key(docs)

    from importlib import metadata

    real = metadata.distributions

    class Fake:
        metadata = {"Name": "mkdocs-material"}
        version = "99.0"

    assert changed(lambda: monkeypatch.setattr(metadata, "distributions", lambda: [*real(), Fake()]))


def test_the_engine_key_covers_the_build_code(engine, tmp_path, monkeypatch):
    """Our mkdocs plugins shape every page: a change to the build's code is
    a change of engine."""
    _, docs = engine
    code = tmp_path / "code"
    shutil.copytree(cache.CODE, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "CODE", code)
    # every module of this package the mkdocs processes run shapes the pages
    # (progress.py only prints progress)
    child = (cache.CODE / "mkdocs_child.py").read_text(encoding="utf-8")
    used = {f"{m}.py" for m in re.findall(r"^from \.(\w+) import", child, re.M)} | {"mkdocs_child.py"}
    assert used - {"progress.py"} <= set(cache.PLUGINS), sorted(used - set(cache.PLUGINS))
    for name in cache.PLUGINS:
        key = cache.engine_key(docs)
        plugins = code / name
        plugins.write_text(plugins.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
        assert cache.engine_key(docs) != key, name


def test_the_navigation_key_follows_titles_and_front_matter_not_page_bodies():
    """Reused pages carry the navigation as rendered then: the key changes
    with a navigation page's front matter, and with its Markdown only when
    its title comes from its first heading."""
    from types import SimpleNamespace

    from mkdocs.utils import meta

    from scripts.pipeline.build.reuse import nav_key

    def key(**sources: str) -> str:
        nav = SimpleNamespace(pages=[SimpleNamespace(file=SimpleNamespace(src_uri=uri, text=text))
                                     for uri, text in sources.items()])
        return nav_key(nav, lambda f: meta.get_data(f.text))

    titled = "---\ntitle: 计划\n---\n\n# 计划\n\n共 5 项计划。\n"
    base = key(home="# 首页\n", plans=titled)
    assert key(home="# 首页\n", plans=titled.replace("共 5 项", "共 6 项")) == base
    assert key(home="# 首页\n", plans=titled.replace("title: 计划", "title: 各计划")) != base
    assert key(home="# 首页\n", plans=titled.replace("title: 计划", "title: 计划\nicon: material/home")) != base
    assert key(home="# 首页新\n", plans=titled) != base
    assert key(plans=titled, home="# 首页\n") != base  # the order of the navigation


def test_the_folders_made_for_mkdocs_that_stay_empty_are_removed(tmp_path):
    """The folders of the last build's pages are made before mkdocs runs
    (BuildCache.open); those of pages this build no longer has are removed
    when empty, with their emptied parents, never a folder with a file in
    it nor the site folder itself, and no path outside the site is made."""
    out = tmp_path / "site"
    out.mkdir()
    made = cache.make_folders(out, {"a/index.md": "a/index.html", "b/c/index.md": "b/c/index.html",
                                    "b/d.md": "b/d/index.html", "index.md": "index.html",
                                    "../x.md": "../x/index.html"})
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["a", "b", "b/c", "b/d"]
    assert "../x.md" not in made and not (tmp_path / "x").exists()
    assert "index.md" not in made  # the site folder: not made here, never removed
    (out / "a" / "index.html").write_text("x", encoding="utf-8")  # a page this build wrote again
    (out / "b" / "d" / "index.html").write_text("x", encoding="utf-8")
    cache.prune_folders(out, [made["a/index.md"], made["b/c/index.md"]])
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["a", "a/index.html", "b", "b/d",
                                                                           "b/d/index.html"]
    cache.prune_folders(out, [made["b/d.md"]])  # not empty: kept
    assert (out / "b" / "d" / "index.html").is_file() and out.is_dir()


def test_a_cache_updated_drops_the_record_of_an_earlier_format(tmp_path):
    """A cache made before the record was pickled kept renders.json (130 MB
    at 30,000 tasks): the next build's update removes it."""
    site = tmp_path / "site"
    folder = cache.cache_folder(site)
    folder.mkdir(parents=True)
    (folder / "renders.json").write_text("{}", encoding="utf-8")
    docs, record = tmp_path / "docs", tmp_path / cache.RENDERS
    docs.mkdir()
    record.write_bytes(b"record")
    cache.BuildCache(site)._keep_docs(docs, record)
    assert sorted(p.name for p in folder.iterdir()) == [cache.DOCS, cache.RENDERS]


def test_make_clean_removes_the_build_cache(tmp_path):
    """README: `make clean` removes `.build-cache/` (and what it builds), in
    the folder it runs in; nothing else there."""
    for name in (".build-cache/site/html", "build/docs", "site"):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "f").write_text("x", encoding="utf-8")
    (tmp_path / "data").mkdir()
    r = subprocess.run(["make", "-f", str(ROOT / "Makefile"), "clean"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
