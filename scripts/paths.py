"""Where things are: the repository's folders and files every part of the
scripts may need. A leaf: it imports nothing of the project."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"  # the single source of truth (see README)
HAND_WRITTEN = ROOT / "docs"  # hand-written pages and assets, copied into the generated docs
OUT = ROOT / "build" / "docs"  # where `make serve` generates the pages (git-ignored)
CONFIG = ROOT / "mkdocs.yml"
TEMPLATES = ROOT / "scripts" / "pipeline" / "render" / "templates"
COMPILED_TEMPLATES = ROOT / "build" / "jinja"  # Jinja's compiled templates, kept between processes (git-ignored)
WORKER_FILE = "assets/javascripts/search-worker.js"  # the search worker script, under the docs folder
