"""Results of pure functions kept from build to build (the build cache's
`memo.sqlite`): a rebuild after one plan's edit makes again only the
downloads whose content changed.

Kept: the data files as loaded (LoadMemo, for the check: reading YAML with
the position of every node and validating it against the models is most of
the check's time) and the problems the file rules and the local rules
found in it (validate/rules.py; a local rule's are keyed by the other data
files and the plan's source too: LoadMemo.local_key); per date or period, which
clauses may be the same duty and which SequenceMatcher found alike
(enrich/same_duty.py: relations of two clauses alone, keyed by that
module's code and the date or period); the XLSX writer
(render/downloads.py's xlsx_bytes, zip compression) and the Atom writer
(render/feeds.py's atom, feedgen: a feed per unit). The writers' results
depend on nothing but their arguments (tables of strings, entries of
strings and dates, a date) and their module's code, so the key of a result
is the SHA-256 of that module's source, the Python version and the
arguments written out in full (canonical(): strings, numbers, dates,
lists, tuples, dicts and dataclasses of those, with their types); a call
with any other argument is not kept, just made. Each value is stored with
its SHA-256 and checked when read; a value that does not match, or a
database that cannot be read, is computed again (the file is replaced).
Results no lookup of the last run asked for are deleted when the memo is
closed.

One SQLite file rather than a file per result: tens of thousands of small
files cost more to create and remove than to compute on some disks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import inspect
import pickle
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from .progress import say


_PLAIN = (str, int, float, bool, type(None), dt.date, dt.datetime, dt.time)


def canonical(value) -> str:
    """`value` written out in full, with its types; TypeError for anything
    but plain data (whose text could stand for more than one value)."""
    kind = type(value)
    if kind in _PLAIN:
        return f"{kind.__name__}:{value!r}"
    if kind in (list, tuple):
        return f"{kind.__name__}[" + ",".join(canonical(v) for v in value) + "]"
    if kind is dict:
        return "dict{" + ",".join(f"{canonical(k)}:{canonical(v)}" for k, v in value.items()) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ",".join(f"{f.name}={canonical(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{kind.__module__}.{kind.__qualname__}({fields})"
    raise TypeError(f"not plain data: {kind.__qualname__}")


class Memo:
    def __init__(self, path: Path):
        self.path = path
        self.db: sqlite3.Connection | None = None
        self.used: dict[str, set[str]] = {}
        self.hits = self.misses = 0
        try:
            self.db = self._open()
        except sqlite3.Error:
            try:
                path.unlink(missing_ok=True)
                self.db = self._open()
            except (OSError, sqlite3.Error) as e:
                say(f"build memo {path} unusable ({e}); computing everything")
                self.db = None

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level="DEFERRED")
        db.execute("CREATE TABLE IF NOT EXISTS memo (fn TEXT, key TEXT, sum TEXT, value BLOB, PRIMARY KEY (fn, key))")
        db.execute("SELECT count(*) FROM memo").fetchone()  # a damaged file fails here
        return db

    def function(self, fn: Callable[..., bytes]) -> Callable[..., bytes]:
        """`fn` (a pure function returning bytes), its results kept."""
        name = f"{fn.__module__}.{fn.__qualname__}"
        code = hashlib.sha256(Path(inspect.getsourcefile(fn)).read_bytes() + sys.version.encode()).hexdigest()

        def kept(*args) -> bytes:
            try:
                written = canonical(args)
            except TypeError:  # not plain data: not kept
                return fn(*args)
            key = hashlib.sha256(f"{code}\0{written}".encode("utf-8")).hexdigest()
            value = self.get(name, key)
            if value is None:
                value = fn(*args)
                self.put(name, key, value)
            return value

        return kept

    def get(self, name: str, key: str) -> bytes | None:
        """The value kept for `key` of the function `name` (None: compute
        it, then put() it). Counts as asked for."""
        self.used.setdefault(name, set()).add(key)
        value = self._get(name, key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, name: str, key: str, value: bytes) -> None:
        self.used.setdefault(name, set()).add(key)
        self._put(name, key, value)

    def _get(self, name: str, key: str) -> bytes | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT sum, value FROM memo WHERE fn = ? AND key = ?", (name, key)).fetchone()
        except sqlite3.Error:
            return None
        if row is None or not isinstance(row[1], bytes) or hashlib.sha256(row[1]).hexdigest() != row[0]:
            return None
        return row[1]

    def _put(self, name: str, key: str, value: bytes) -> None:
        if self.db is None:
            return
        try:
            self.db.execute("INSERT OR REPLACE INTO memo VALUES (?, ?, ?, ?)",
                            (name, key, hashlib.sha256(value).hexdigest(), value))
        except sqlite3.Error:
            pass

    def close(self) -> None:
        """Drop what this run did not ask for, and write."""
        if self.db is None:
            return
        try:
            for name, keys in self.used.items():
                self.db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                self.db.execute("DELETE FROM used")
                self.db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((k,) for k in keys))
                self.db.execute("DELETE FROM memo WHERE fn = ? AND key NOT IN (SELECT key FROM used)", (name,))
            self.db.commit()
        except sqlite3.Error as e:
            say(f"build memo {self.path} not written ({e})")
        finally:
            self.db.close()
            self.db = None


LOAD = "load"
RULES = "rules"


class LoadMemo:
    """load_corpus()'s memo: every data file that loaded without a problem
    (its YAML, the position of every node, its model) kept by the SHA-256
    of its bytes, its model's name and the loading code (scripts/model/,
    scripts/pipeline/load/, the versions of pydantic and the YAML readers,
    Python's). A file is read once for its key; a file that changes while it
    is loaded is not kept."""

    PACKAGES = ("pydantic", "pydantic_core", "ruamel.yaml", "PyYAML")

    def __init__(self, memo: Memo):
        from importlib import metadata

        from ...paths import ROOT

        self.memo = memo
        h = hashlib.sha256(sys.version.encode())
        for folder in (ROOT / "scripts" / "model", ROOT / "scripts" / "pipeline" / "load"):
            for path in sorted(folder.glob("*.py")):
                h.update(path.name.encode() + b"\0" + path.read_bytes())
        for name in self.PACKAGES:
            try:
                h.update(f"{name}=={metadata.version(name)}".encode())
            except metadata.PackageNotFoundError:
                h.update(f"{name} missing".encode())
        self.code = h.hexdigest()
        for path in sorted((ROOT / "scripts" / "pipeline" / "validate").glob("*.py")):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        self.rules_code = h.hexdigest()  # the loading code and the rules'
        self._read: dict[tuple, tuple[str, bytes]] = {}
        self._sure: dict[Path, str] = {}  # file -> the key of the bytes its model was made from
        self._world: str | None = None  # local_key()'s key of the files that are not plans

    def load(self, path: Path, model: type):
        """(Document, model) as load_corpus() made them from these bytes, or None."""
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        key = hashlib.sha256(f"{self.code}\0{model.__module__}.{model.__qualname__}\0".encode() + raw).hexdigest()
        self._read[(path, model)] = (key, raw)
        value = self.memo.get(LOAD, key)
        if value is None:
            return None
        try:
            data, positions, key_positions, loaded = pickle.loads(value)
        except Exception:  # a value from other code: load the file
            return None
        from ..load.document import Document

        self._sure[path] = key
        return Document(path=path, data=data, positions=positions, key_positions=key_positions), loaded

    def keep(self, path: Path, model: type, doc, loaded) -> None:
        key, raw = self._read.pop((path, model), (None, None))
        try:
            if key is None or path.read_bytes() != raw:
                return
            value = pickle.dumps((doc.data, doc.positions, doc.key_positions, loaded), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            return
        self.memo.put(LOAD, key, value)
        self._sure[path] = key

    def _rules_key(self, path: Path, also: str) -> str | None:
        key = self._sure.get(path)
        return hashlib.sha256(f"{self.rules_code}\0{path}\0{key}\0{also}".encode()).hexdigest() if key else None

    def local_key(self, corpus, plan) -> str | None:
        """What a local rule (validate/rules.py) reads besides the plan's
        file, as a key: every data file that is neither a plan nor a
        progress report, as loaded, and the plan's source text. None when
        one of those files did not load from bytes this memo knows."""
        if self._world is None:
            h = hashlib.sha256(f"{corpus.data_dir}".encode())
            for name in ("categories", "topics", "synonyms", "national"):
                loaded = getattr(corpus, name)
                h.update(f"\0{name}:{self._sure.get(loaded.doc.path, '?') if loaded else '-'}".encode())
            for loaded in corpus.registries:
                h.update(f"\0{loaded.doc.path}:{self._sure.get(loaded.doc.path, '?')}".encode())
            known = all(self._sure.get(x.doc.path) for x in [*corpus.registries, corpus.categories, corpus.topics,
                                                             corpus.synonyms, corpus.national] if x is not None)
            self._world = h.hexdigest() if known else ""
        if not self._world:
            return None
        try:
            source = hashlib.sha256((corpus.data_dir / "sources" / plan.model.source).read_bytes()).hexdigest()
        except OSError:
            source = "missing"
        return f"local\0{self._world}\0{source}"

    def problems(self, path: Path, also: str) -> list | None:
        """The problems the rules of `also` found in this file's bytes
        before, or None: "file" for the file rules, a key from local_key()
        for the local rules (validate/rules.py)."""
        key = self._rules_key(path, also)
        value = self.memo.get(RULES, key) if key else None
        if value is None:
            return None
        try:
            return pickle.loads(value)
        except Exception:
            return None

    def keep_problems(self, path: Path, problems: list, also: str) -> None:
        key = self._rules_key(path, also)
        if key:
            self.memo.put(RULES, key, pickle.dumps(problems, protocol=pickle.HIGHEST_PROTOCOL))
