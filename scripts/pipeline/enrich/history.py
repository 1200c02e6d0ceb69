"""When a plan's data last changed, and its change log, from git history.

An input of the enrich stage like the data itself: the git log of each plan
file (date and commit subject), read with one `git log` call for the whole
folder. Outside a git checkout, or for files git does not know, it is empty.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Change:
    date: str  # YYYY-MM-DD (committer date)
    subject: str
    commit: str  # short hash


def histories(folder: Path, limit: int = 20) -> dict[Path, list[Change]]:
    """Resolved file path -> its changes, newest first."""
    folder = folder.resolve()
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder,
                             capture_output=True, text=True, timeout=30)
        if top.returncode != 0:
            return {}
        out = subprocess.run(
            ["git", "log", "--format=%x00%cs%x09%h%x09%s", "--name-only", "--", "."],
            cwd=folder, capture_output=True, text=True, timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if out.returncode != 0:
        return {}
    root = Path(top.stdout.strip())
    result: dict[Path, list[Change]] = {}
    for record in out.stdout.split("\x00")[1:]:
        lines = [ln for ln in record.splitlines() if ln.strip()]
        if not lines:
            continue
        parts = lines[0].split("\t", 2)
        if len(parts) != 3:
            continue
        change = Change(parts[0], parts[2], parts[1])
        for name in lines[1:]:
            changes = result.setdefault((root / name).resolve(), [])
            if len(changes) < limit:
                changes.append(change)
    return result
