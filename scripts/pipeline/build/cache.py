"""The build cache: a rebuild converts only the pages whose Markdown changed
and reuses the HTML of the others (mkdocs' conversion is most of a build).

Where: `.build-cache/<site>/` beside the published folder (`.build-cache/site/`
in the repository for `make site`; git-ignored), so that its files and the
site's are on one file system and are hard-linked, never copied:

    manifest.json   line 1: SHA-256 of the rest; then JSON: the format, the
                    engine key, the navigation key and, per page (its path in
                    docs_dir), the SHA-256 of its Markdown and of its HTML,
                    where mkdocs wrote it, and what its conversion looked up
                    (reuse.py)
    html/<dest>     the HTML of every page of the last build (hard links to
                    the published files)
    memo.sqlite     the data files as loaded, the problems of the file and
                    local rules, the same duty's comparisons, the
                    spreadsheets (XLSX) and feeds (Atom) of the last build,
                    by a key of what they depend on (memo.py)
    docs/           the last build's docs folder (its Markdown)
    renders.pickle  line 1: SHA-256 of the rest; then (pickled) what each
                    page and each plan's and unit's downloads read of the enriched
                    site, the digests of what was read and the SHA-256 of
                    the files made (render/incremental.py): a page whose
                    reads are as they were is taken from docs/, downloads
                    from the published site
    search.json     the state of the search data the site published: the
                    code that made it, its digest, its documents and the
                    size of its tables (scripts/search/patch.py patches it)
    .lock           held while a build uses the cache

Keys. A page's HTML is reused only when all of these are as they were:

- its Markdown (SHA-256 of the generated file: the data, the templates, the
  registries and the render code all reach a page through it);
- the engine key (engine_key): mkdocs.yml, every file of the theme's
  custom_dir (overrides/), the name and version of every installed Python
  package (mkdocs, Material, Markdown, Jinja2 …), the Python version, the
  code of our mkdocs plugins (mkdocs_child.py, reuse.py), SITE_URL, and the
  search worker's hash (on every page's worker address);
- the navigation key (reuse.nav_key): the front matter and, without a title
  there, the Markdown of every page of the navigation; those pages are
  always converted;
- the files its Markdown links point at: every lookup its conversion made
  finds the same file at the same address (reuse.py).

The build date (SOURCE_DATE_EPOCH) is not a key: no page shows it (the
sitemap, which does, is written anew every build); test_build_cache.py
rebuilds at another date and compares with a full build.

Never a wrong page. The manifest's checksum is checked (a manifest that is
unreadable, truncated or edited is ignored: a full build), and every cached
HTML file is hashed again before it is offered (a file changed in place, in
the cache or in the published site it shares its inode with, is converted
anew); the hashing runs in a thread while the pages are generated. Nothing
of the pages is written to the cache before the build has succeeded and the
site is published; a build that fails leaves them as they were (the memo is
written as the downloads are made: its entries are keyed on everything they
depend on, and checked when read). Updates replace single
files (link to a temporary name, then rename) and the manifest last, so an
interrupted update leaves entries whose hash no longer matches: converted
again. A second build of the same site while one runs does without the
cache (the lock is taken without waiting). `BUILD_CACHE=0` builds without
reading or writing the cache: a clean full build.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from ...paths import CONFIG
from ..render.incremental import hash_files
from .progress import say

FORMAT = 1
MANIFEST = "manifest.json"
HTML = "html"
MEMO = "memo.sqlite"
DOCS = "docs"
RENDERS = "renders.pickle"
FORMER = ("renders.json",)  # what caches made by earlier code kept and this one does not: removed
SEARCH = "search.json"
CODE = Path(__file__).resolve().parent  # this package; its mkdocs plugins are part of the engine:
PLUGINS = ("mkdocs_child.py", "reuse.py", "rawhtml.py")


def enabled() -> bool:
    return os.environ.get("BUILD_CACHE", "1").strip().lower() not in ("0", "off", "no", "false")


def cache_folder(target: Path) -> Path:
    return target.parent / ".build-cache" / target.name


def page_hashes(docs: Path) -> dict[str, str]:
    """src_uri -> SHA-256 of the Markdown, for every page of the docs folder."""
    paths = sorted(docs.rglob("*.md"))
    return {p.relative_to(docs).as_posix(): h for p, h in zip(paths, hash_files(paths)) if h}


def _config() -> dict:
    """mkdocs.yml as plain data ({} when it cannot be read)."""
    import yaml

    class Loader(yaml.SafeLoader):  # mkdocs.yml may hold tags (!ENV …): read them as nothing
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    try:
        config = yaml.load(CONFIG.read_text(encoding="utf-8"), Loader=Loader)
    except (OSError, yaml.YAMLError):
        return {}
    return config if isinstance(config, dict) else {}


def _theme_folder() -> Path:
    """The theme's custom_dir of mkdocs.yml (overrides/)."""
    theme = _config().get("theme")
    custom = (theme.get("custom_dir") if isinstance(theme, dict) else None) or "overrides"
    return (CONFIG.parent / custom).resolve()


def nav_sources() -> set[str]:
    """The pages mkdocs.yml's navigation names: always converted (reuse.py),
    so never offered."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, str) and node.endswith(".md"):
            found.add(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(_config().get("nav"))
    return found


def engine_key(docs: Path) -> str:
    """What every page's HTML depends on besides its own Markdown and the
    navigation (see the module's docstring)."""
    from importlib import metadata

    from .mkdocs_child import worker_version

    h = hashlib.sha256()

    def add(label: str, data: bytes | str) -> None:
        data = data.encode("utf-8") if isinstance(data, str) else data
        h.update(f"{label}\0{len(data)}\0".encode())
        h.update(data)

    add("format", str(FORMAT))
    add("python", sys.version)
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    add("packages", "\n".join(packages))
    add("config", CONFIG.read_bytes())
    theme = _theme_folder()
    for path in sorted(theme.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            add(f"theme/{path.relative_to(theme).as_posix()}", path.read_bytes())
    for name in PLUGINS:
        add(f"code/{name}", (CODE / name).read_bytes())
    add("site_url", os.environ.get("SITE_URL", ""))
    worker = worker_version(docs)
    add("worker", worker if worker is not None else "date " + os.environ.get("SOURCE_DATE_EPOCH", ""))
    return h.hexdigest()


class BuildCache:
    """The cache of one published folder, for one build: open() takes the
    lock and starts checking the cached HTML, offer() writes the pages mkdocs
    may reuse, save() records the build that was published."""

    def __init__(self, target: Path):
        self.folder = cache_folder(target)
        self.html = self.folder / HTML
        self.memo = self.folder / MEMO  # memo.py: results of pure functions (spreadsheets, feeds)
        self.docs = self.folder / DOCS
        self.renders = self.folder / RENDERS
        self.search = self.folder / SEARCH
        self._lock = None
        self._manifest: dict = {}
        self._verified: set[str] = set()  # pages whose cached HTML hashes as recorded
        self._thread: threading.Thread | None = None
        self._out: Path | None = None  # the folder mkdocs builds into
        self._made: dict[str, str] = {}  # page -> the folder made for it in _out
        self.note = ""  # why nothing could be reused, if so

    # ------------------------------------------------------------------ #
    def open(self, out: Path | None = None) -> bool:
        """Take the lock (False: another build holds it) and start, in a
        thread, checking the cached pages and making in `out` (the new,
        empty folder mkdocs will build into) the folders of the last
        build's pages: mkdocs would make them one by one (34,000 at 30,000
        tasks, seconds on a busy disk); here they are made while the pages
        are generated. prune() removes those this build leaves empty."""
        self._out = out
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = open(self.folder / ".lock", "a")
        except OSError as e:
            say(f"build cache {self.folder} unusable ({e}); building without it")
            return False
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            say(f"build cache {self.folder} in use by another build; building without it")
            return False
        self._lock = lock
        self._thread = threading.Thread(target=self._load, name="cache-verify", daemon=True)
        self._thread.start()
        return True

    def has_manifest(self) -> bool:
        """Whether a previous build left a manifest (so that this build is
        likely a rebuild)."""
        return (self.folder / MANIFEST).is_file()

    def close(self) -> None:
        if self._thread is not None:
            self._thread.join()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _load(self) -> None:
        manifest = read_manifest(self.folder / MANIFEST)
        if manifest is None:
            self.note = "no build cache yet" if not (self.folder / MANIFEST).exists() else "build cache unreadable"
            return
        self._manifest = manifest
        pages = manifest["pages"]
        uris = list(pages)
        found = hash_files([self.html / pages[u]["dest"] for u in uris])
        self._verified = {u for u, h in zip(uris, found) if h is not None and h == pages[u]["html"]}
        if self._out is not None:
            self._made = make_folders(self._out, {u: pages[u]["dest"] for u in uris})

    def prune(self, engine: str, pages) -> None:
        """Remove the folders open() made that this build, of `pages` under
        `engine`, left empty (mkdocs would not have made them): those of the
        last build's pages that are gone, or all if the engine changed
        (mkdocs may write pages elsewhere)."""
        if self._out is None:
            return
        same = self._manifest.get("engine") == engine
        prune_folders(self._out, [folder for uri, folder in self._made.items() if not same or uri not in pages])

    # ------------------------------------------------------------------ #
    def offer(self, engine: str, markdown: dict[str, str], path: Path) -> set[str]:
        """Write to `path` the pages mkdocs may reuse: cached under this
        engine key, with the same Markdown and HTML that still hashes as
        recorded, not in the navigation. Returns them."""
        self._thread.join()
        manifest = self._manifest
        pages = {}
        in_nav = nav_sources()
        if manifest and manifest.get("engine") != engine:
            self.note = "build cache made with another engine (configuration, theme, packages or build code)"
        elif manifest:
            for uri, entry in manifest["pages"].items():
                if uri in self._verified and markdown.get(uri) == entry["md"] and uri not in in_nav:
                    pages[uri] = {**entry, "html": str(self.html / entry["dest"])}
            stale = sum(1 for u in manifest["pages"] if u not in self._verified)
            if stale:
                say(f"build cache: {stale} cached page(s) no longer hash as recorded; converting them")
        path.write_text(json.dumps({"nav": manifest.get("nav", ""), "pages": pages}, ensure_ascii=False),
                        encoding="utf-8")
        return set(pages)

    # ------------------------------------------------------------------ #
    def save(self, site: Path, engine: str, markdown: dict[str, str], reports: list[dict], docs: Path,
             renders: Path, search: Path) -> None:
        """Record the published `site`: reused pages keep their entries,
        converted pages get theirs (with the hash of the HTML mkdocs wrote,
        which is linked into the cache), pages that are gone are dropped;
        the build's `docs` folder, the record of its pages' reads
        (`renders`) and the state of its search data (`search`) replace the
        last build's; the manifest is written last."""
        self._keep_docs(docs, renders)
        self.search.unlink(missing_ok=True)
        if search.is_file():
            os.replace(search, self.search)
        old = self._manifest.get("pages", {}) if self._manifest.get("engine") == engine else {}
        reused = set(reports[0]["reused"])
        records: dict[str, dict] = {}
        for report in reports:
            records.update(report["pages"])
        pages: dict[str, dict] = {}
        for uri, md in markdown.items():
            record = records.get(uri)
            if uri in reused or record is None or "html" not in record:
                continue
            pages[uri] = {"md": md, **record}
            _link_into(site / record["dest"], self.html / record["dest"])
        for uri in reused:
            if uri in old and uri in markdown:
                pages[uri] = old[uri]
        kept = {e["dest"] for e in pages.values()}
        if self._manifest:
            gone = [e["dest"] for e in self._manifest["pages"].values() if e["dest"] not in kept]
        else:  # no manifest to tell what the folder holds: look
            gone = [p.relative_to(self.html).as_posix() for p in self.html.rglob("*") if p.is_file()]
            gone = [d for d in gone if d not in kept]
        for dest in gone:
            try:
                (self.html / dest).unlink()
            except OSError:
                pass
        write_manifest(self.folder / MANIFEST, {"format": FORMAT, "engine": engine, "nav": reports[0]["nav"],
                                                "pages": pages})

    def _keep_docs(self, docs: Path, renders: Path) -> None:
        """docs/ and renders.pickle of this build in place of the last one's
        (the record first out, last in: a record never names pages of
        another folder). The old folder is removed by a process of its own, and
        files of an earlier cache format (FORMER) at once."""
        self.renders.unlink(missing_ok=True)
        for name in FORMER:
            (self.folder / name).unlink(missing_ok=True)
        if self.docs.exists():  # out of the cache's folder at once (beside the site, as the build's other leftovers)
            old = Path(tempfile.mkdtemp(prefix=f".{self.folder.name}-docs-old-", dir=self.folder.parent.parent))
            os.replace(self.docs, old / DOCS)
            left = [old]
            remove_later(left)
            for folder in left:  # no process to remove it: now
                shutil.rmtree(folder, ignore_errors=True)
        os.replace(docs, self.docs)
        if renders.is_file():
            os.replace(renders, self.renders)


def make_folders(out: Path, dests: dict[str, str]) -> dict[str, str]:
    """Make in `out` the folder of each page's file (page -> its path in
    the site, as the manifest records it); returns page -> the folder made
    (a path that leaves `out`, or a folder that cannot be made, is skipped:
    mkdocs makes it)."""
    root = os.path.realpath(out)
    made: dict[str, str] = {}
    done: set[str] = set()
    for uri, dest in dests.items():
        folder = os.path.dirname(os.path.normpath(os.path.join(root, dest)))
        if not folder.startswith(root + os.sep):
            continue
        if folder not in done:
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError:
                continue
            done.add(folder)
        made[uri] = folder
    return made


def prune_folders(out: Path, folders: list[str]) -> None:
    """Remove each of `folders` (in `out`) that is empty, and then each of
    its parents below `out` that is left empty."""
    root = os.path.realpath(out)
    for folder in sorted(set(folders), reverse=True):
        while folder.startswith(root + os.sep):
            try:
                os.rmdir(folder)
            except OSError:  # not empty, or gone already
                break
            folder = os.path.dirname(folder)


def remove_later(folders: list[Path]) -> None:
    """Remove the folders in a process of their own that outlives this one,
    and forget them (`folders` is emptied). Removing is slow on some disks
    (a millisecond a file: at 30,000 tasks the previous site alone is over
    100,000 files), and once the new site is published nothing waits for
    it. Removed here and now when that process cannot start."""
    try:
        subprocess.run(["sh", "-c", 'rm -rf -- "$@" >/dev/null 2>&1 &', "remove-later", *map(str, folders)],
                       start_new_session=True, stdin=subprocess.DEVNULL, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return
    folders.clear()


def _link_into(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.new")
    try:
        tmp.unlink()
    except FileNotFoundError:
        pass
    try:
        os.link(source, tmp)
    except OSError:  # another file system
        shutil.copyfile(source, tmp)
    os.replace(tmp, dest)


def read_manifest(path: Path) -> dict | None:
    """The manifest, or None when it is missing, its checksum does not
    match, or it is not one this code wrote."""
    try:
        data = path.read_bytes()
        head, _, body = data.partition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != head:
            return None
        manifest = json.loads(body)
        if manifest.get("format") != FORMAT or not isinstance(manifest.get("pages"), dict):
            return None
        for entry in manifest["pages"].values():
            if not all(isinstance(entry.get(k), str) for k in ("md", "html", "dest")):
                return None
            dest = entry["dest"]
            if dest.startswith("/") or "\\" in dest or any(part in ("", ".", "..") for part in dest.split("/")):
                return None  # only paths inside html/
        return manifest
    except (OSError, ValueError, AttributeError):
        return None


def write_manifest(path: Path, manifest: dict) -> None:
    body = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    tmp = path.with_name(f".{path.name}.new")
    tmp.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    os.replace(tmp, path)
