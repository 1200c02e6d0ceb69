"""When a plan's data last changed, and its change log, from git history.

An input of the render stage like the data itself: the git log of the plan
file (date and commit subject). Outside a git checkout it is empty."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from .load import ROOT


@dataclass(frozen=True)
class Change:
    date: str  # YYYY-MM-DD (committer date)
    subject: str
    commit: str  # short hash


def file_history(path: Path, limit: int = 50) -> list[Change]:
    """Newest first; [] when git or the history is not available."""
    try:
        rel = path.resolve().relative_to(ROOT)
    except ValueError:
        return []
    try:
        out = subprocess.run(
            ["git", "log", f"-n{limit}", "--follow", "--format=%cs%x09%h%x09%s", "--", str(rel)],
            cwd=ROOT, capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if out.returncode != 0:
        return []
    changes = []
    for line in out.stdout.splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3:
            changes.append(Change(parts[0], parts[2], parts[1]))
    return changes
