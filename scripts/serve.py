"""`make serve`: generate the pages, run `mkdocs serve` with live reload, and
regenerate whenever a file under data/, docs/ or the templates changes (mkdocs
then reloads the browser). A bad edit prints its problems and keeps the last
good pages. A draft plan (`make import`) is previewed with a 草稿 banner, its
to-dos printed: `make check` and `make site` refuse it until they are done.

Pages are written only when their Markdown changes, so mkdocs serve runs
--dirty: it rebuilds just those (a YAML edit shows in about a second instead
of three). --no-strict because mkdocs warns about every dirty build; warnings
still show, and `make site` and the tests build strictly.

Stopped by Ctrl-C or SIGTERM, mkdocs serve removes its temporary copy of the
site (tests/test_serve.py)."""

from __future__ import annotations

import os
import signal
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


def _stop_as_on_ctrl_c() -> None:
    """SIGTERM (`kill`, a service manager, a test) stops this process as
    Ctrl-C does, and a stop is not interrupted by the next signal: mkdocs
    serve then removes the site it served from its temporary folder (a
    /tmp/mkdocs_* copy of the whole site, which a plain SIGTERM left behind)."""

    owner = os.getpid()

    def stop(signum, frame):
        if os.getpid() != owner:  # a process forked meanwhile (generating pages) ends quietly
            os._exit(128 + signum)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def serve(addr: str = "127.0.0.1:8000", data_dir: Path = DATA, docs: Path = OUT) -> int:
    """Serve the pages generated from `data_dir` into `docs` (build/docs, the
    docs_dir of mkdocs.yml; tests and the bench use folders of their own)."""
    from .pipeline.build.generation import generate

    _stop_as_on_ctrl_c()
    try:
        ready = generate(data_dir=data_dir, out=docs, drafts=True) or (docs / "index.md").exists()
    except KeyboardInterrupt:
        return 130
    if not ready:
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
        proc.terminate()  # mkdocs stops as on Ctrl-C (ignored if it is stopping already)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
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
    _stop_as_on_ctrl_c()
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
