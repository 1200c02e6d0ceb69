"""`make serve`: generate the pages, run `mkdocs serve` with live reload, and
regenerate whenever a file under data/, docs/ or the templates changes (mkdocs
then reloads the browser). A bad edit prints its problems and keeps the last
good pages. A draft plan (`make import`) is previewed with a 草稿 banner, its
to-dos printed: `make check` and `make site` refuse it until they are done.

Pages are written only when their Markdown changes, so mkdocs serve runs
--dirty: it rebuilds just those (a YAML edit shows in about a second instead
of three). --no-strict because mkdocs warns about every dirty build; warnings
still show, and `make site` and the tests build strictly."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from .paths import CONFIG, DATA, HAND_WRITTEN, OUT, ROOT, TEMPLATES

WATCHED = [HAND_WRITTEN, TEMPLATES]


def snapshot(data_dir: Path) -> dict[Path, float]:
    state = {}
    for top in [data_dir, *WATCHED]:
        for path in top.rglob("*"):
            if path.is_file():
                try:
                    state[path] = path.stat().st_mtime
                except FileNotFoundError:
                    pass
    return state


def serve(addr: str = "127.0.0.1:8000", data_dir: Path = DATA, docs: Path = OUT) -> int:
    """Serve the pages generated from `data_dir` into `docs` (build/docs, the
    docs_dir of mkdocs.yml; tests and the bench use folders of their own)."""
    from .pipeline.build.generation import generate

    if not generate(data_dir=data_dir, out=docs, drafts=True) and not (docs / "index.md").exists():
        print("serve: fix the problems above first", file=sys.stderr)
        return 1
    proc = subprocess.Popen([sys.executable, "-m", "scripts.serve", str(docs), addr], cwd=ROOT)
    state = snapshot(data_dir)
    try:
        while proc.poll() is None:
            time.sleep(0.1)
            now = snapshot(data_dir)
            if now != state:
                state = now
                generate(data_dir=data_dir, out=docs, drafts=True)
    except KeyboardInterrupt:
        pass
    finally:
        proc.terminate()
        proc.wait()
    return 0


def _mkdocs_serve(docs: str, addr: str) -> None:
    """In the child process: `mkdocs serve --livereload --dirty --no-strict
    -a addr -f mkdocs.yml` with docs_dir set to `docs`, made faster as the
    build is (mkdocs_child.patch_mkdocs and speed_up, on the configuration
    mkdocs serve loads for each build)."""
    from mkdocs.__main__ import State, _enable_warnings
    from mkdocs.commands import serve as served

    from .pipeline.build.mkdocs_child import patch_mkdocs, speed_up

    state = State()  # mkdocs' log output as its command line sets it up (kept: it lets go when deleted)
    _enable_warnings()
    patch_mkdocs()
    load_config = served.load_config

    def load_faster(**kwargs):
        cfg = load_config(**kwargs)
        speed_up(cfg, docs)
        return cfg

    served.load_config = load_faster
    served.serve(config_file=str(CONFIG), livereload=True, build_type="dirty",
                 dev_addr=addr, docs_dir=docs, strict=False)
    del state


if __name__ == "__main__":  # the mkdocs child of serve(): docs addr
    try:
        _mkdocs_serve(sys.argv[1], sys.argv[2])
    except KeyboardInterrupt:
        pass
