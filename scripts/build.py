"""Stage 5, build: mkdocs --strict into a temporary folder, then moved into
place only when the whole build succeeded, so a failed build never damages
what was published before."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .load import DATA, ROOT


def mkdocs_build(out: Path) -> int:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)]
    return subprocess.run(cmd, cwd=ROOT).returncode


def build(site_dir: str | os.PathLike = "site", data_dir: Path = DATA) -> int:
    from .cli import generate

    started = time.monotonic()
    target = (ROOT / site_dir).resolve()
    print("build: 1/2 checking data and generating pages …", file=sys.stderr)
    if not generate(data_dir=data_dir):
        print("build: failed; the published site was not touched", file=sys.stderr)
        return 1
    print("build: 2/2 mkdocs build --strict …", file=sys.stderr)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        if mkdocs_build(tmp) != 0:
            print("build: mkdocs failed; the published site was not touched", file=sys.stderr)
            return 1
        old = target.with_name(f".{target.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"build: site written to {target} in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0
