"""Rendering again only the pages that could have changed (the build
cache's renders.pickle and docs/, see scripts/pipeline/build/cache.py).

A page's Markdown is a function of the templates and the render code, the
page's job (template, address, context) and what rendering it read of the
enriched site. Rendering a page records what it read (enrich/reads.py), as
*units*: a plan with every view that belongs to it (its actions, tasks,
goals, deadlines, duties, progress reports …), read as a whole, or one
field of any other view (a department's tasks, a jurisdiction's totals,
the Site's list of plans …). Each unit gets a digest of its state: every
field of every view in it, views it points at named by their token (a
stable name: the class and id of the authored object where it has one,
else the path from such a view or from the Site) and authored models
written out in full (pydantic's JSON).

A rebuild computes the digests of the units the last build's pages read
(fingerprints.py), and takes a page's Markdown from the last build when its
job and the code key are the same and none of the units it read has
another digest. That is
sound because rendering is deterministic: if everything the last rendering
read is as it was, rendering again reads the same and writes the same. A
unit read for the first time only after a change is reached through a
field of a unit read before, whose digest then changed. Values computed
once and kept (`derived`) carry the reads that made them. Anything whose
state cannot be written out (a function kept in a field) gives its unit a
digest of this build alone: pages reading it are always rendered.

The code key covers every file under scripts/ (Python and templates), the
versions of Python and of the installed packages, and NOW. A file a
rebuild takes (Markdown or download) is checked before it is used
(Renders.unchanged): it must have the size, modification time and inode
recorded when it was made, or else hash as recorded; a file that does not
is made again. (As git does: the stat is trusted only for a file last
changed SETTLED_NS before the record was saved, so that a change in the
same tick of the clock as the build cannot pass for the file as made.)
tests/pipeline/test_incremental.py renders after many kinds of edit and
compares with rendering everything.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ...paths import ROOT
from .fingerprints import Fingerprints

FORMAT = 5
SETTLED_NS = 2 * 10**9  # a file last changed this long before its record was saved is known by its stat
HASH_THREADS = 4  # hashlib and file reads let go of the GIL: files are hashed in threads


def code_key() -> str:
    """What every page depends on besides its job and what it reads."""
    from importlib import metadata

    h = hashlib.sha256()
    h.update(f"format {FORMAT}\0{sys.version}\0NOW={os.environ.get('NOW', '')}\0".encode())
    h.update("\n".join(sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())).encode())
    scripts = ROOT / "scripts"
    for path in sorted(scripts.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".j2", ".md", ".html"):
            data = path.read_bytes()
            h.update(f"\0{path.relative_to(scripts).as_posix()}\0{len(data)}\0".encode())
            h.update(data)
    return h.hexdigest()


class Renders:
    """What this build may take from the last one, and the record of what
    it makes. A job (a page, a plan's or a unit's downloads) is recorded by
    name as [kind, address, context, units, [[path, SHA-256, size,
    modification time, inode], …] of its files]; its units are numbers in
    the record's list of units (names in a record made by this build, which
    save() numbers). `previous`: the last build's renders.pickle;
    `pages_from`: its docs folder; `files_from`: the site it published (the
    downloads)."""

    def __init__(self, previous: Path | None, pages_from: Path | None, site, files_from: Path | None = None):
        self.pages_from, self.files_from = pages_from, files_from
        self.code = code_key()
        old = _read(previous) if previous else None
        if old is None or old.get("code") != self.code:
            old = {"units": [], "digests": [], "jobs": {}}
        self.settled = previous.stat().st_mtime_ns - SETTLED_NS if old["jobs"] else 0
        self.hashed = 0  # taken files checked by their hash (not their stat)
        self.prints = Fingerprints(site)
        self.old: dict[str, list] = old["jobs"]
        self.old_units: list[str] = old["units"]
        changed = [i for i, (u, d) in enumerate(zip(old["units"], old["digests"])) if self.prints.digest(u) != d]
        self.changed = set(changed)  # numbers of the units whose digest is not what it was
        self.new: dict[str, list] = {}  # job name -> its record
        self.taken = 0  # jobs taken from the last build

    def reusable(self, name: str, kind: str, url: str, ctx: dict) -> list | None:
        """The job's record when its files can be taken as they were."""
        entry = self.old.get(name)
        if entry is None or entry[0] != kind or entry[1] != url or not self.changed.isdisjoint(entry[3]):
            return None
        context = self.prints.context(ctx)
        if entry[2] != context:
            return None
        return [kind, url, context, entry[3], entry[4]]

    def record(self, kind: str, url: str, ctx: dict, raw: set, made: list[tuple[str, str | bytes]],
               out: Path) -> list:
        """The record of a job that made the files `made` (written in `out`)."""
        files = [[path, hashlib.sha256(c.encode("utf-8") if isinstance(c, str) else c).hexdigest(),
                  *_stat(out / path)] for path, c in made]
        return [kind, url, self.prints.context(ctx), self.prints.units_of(raw), files]

    def unchanged(self, paths: list[str], entries: list[list]) -> list[bool]:
        """Whether each file is as its record's entry says: the same stat,
        if it was last changed well before the record was saved, else the
        same hash (its entry then gets its stat)."""
        out = []
        doubtful = []
        for k, (path, entry) in enumerate(zip(paths, entries)):
            now = _stat(path)
            if now is not None and now == entry[2:] and now[1] < self.settled:
                out.append(True)
            else:
                out.append(False)
                doubtful.append(k)
        self.hashed += len(doubtful)
        for k, sha in zip(doubtful, hash_files([paths[k] for k in doubtful])):
            if sha is not None and sha == entries[k][1]:
                out[k] = True
                entries[k][2:] = _stat(paths[k])
        return out

    def save(self, path: Path) -> None:
        """Write the record of this build's jobs, with the digest of every
        unit they read. The units keep the numbers the last record gave them
        (a taken job's list is kept as it is), new ones are numbered after
        them; when over half of the numbers are no longer read, all are
        numbered again."""
        units = list(self.old_units)
        numbers = {u: i for i, u in enumerate(units)}
        jobs = {}
        for name, (kind, url, context, read, files) in sorted(self.new.items()):
            if read and type(read[0]) is str:  # recorded by this build: names
                read = [numbers.setdefault(u, len(numbers)) for u in read]
            jobs[name] = [kind, url, context, read, files]
        units += list(numbers)[len(units):]
        used: set[int] = set()
        for job in jobs.values():
            used.update(job[3])
        if 2 * len(used) < len(units):
            again = {i: k for k, i in enumerate(sorted(used))}
            units = [units[i] for i in sorted(used)]
            for job in jobs.values():
                job[3] = [again[i] for i in job[3]]
        digests = [self.prints.digest(u) for u in units]
        body = pickle.dumps({"format": FORMAT, "code": self.code, "units": units, "digests": digests, "jobs": jobs},
                            protocol=pickle.HIGHEST_PROTOCOL)
        path.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)


def _stat(path: Path | str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def sha256_file(path: Path | str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def hash_files(paths: list[Path] | list[str]) -> list[str | None]:
    """SHA-256 of each file (None: unreadable), in threads."""
    with ThreadPoolExecutor(HASH_THREADS) as pool:
        return list(pool.map(sha256_file, paths))


def _read(path: Path) -> dict | None:
    """renders.pickle, or None when it is missing, damaged or of another format."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head, _, body = data.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != head:
        return None
    try:
        found = pickle.loads(body)
    except Exception:  # written by other code
        return None
    if not isinstance(found, dict) or found.get("format") != FORMAT:
        return None
    return found
