"""The fixtures that parallel workers share (tests/conftest.py: shared()):
whoever asks first makes the thing, the others wait for it and get the same
path; a failure is made once and reported to everyone."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from conftest import shared


class Factory:
    """What shared() uses of pytest's tmp_path_factory: a worker's own
    folder inside the run's folder."""

    def __init__(self, base: Path):
        self.base = base

    def getbasetemp(self) -> Path:
        self.base.mkdir(parents=True, exist_ok=True)
        return self.base


def _worker(run: Path, worker: str, log: Path, fail: bool, results) -> None:
    import os

    os.environ["PYTEST_XDIST_WORKER"] = worker

    def make(target: Path) -> None:
        with log.open("a") as f:
            f.write(f"{worker}\n")
        time.sleep(0.5)  # long enough for the other worker to come and wait
        if fail:
            raise RuntimeError("the build broke")
        target.mkdir()
        (target / "made-by").write_text(worker)

    try:
        results.put((worker, str(shared(Factory(run / worker), "thing", make))))
    except BaseException as e:  # pytest.fail raises an outcome, not an Exception
        results.put((worker, f"failed: {e}"))


def _run_two(tmp_path: Path, fail: bool) -> tuple[list[str], dict[str, str]]:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    log = tmp_path / "made.log"
    workers = [ctx.Process(target=_worker, args=(tmp_path / "run", w, log, fail, results)) for w in ("gw0", "gw1")]
    for p in workers:
        p.start()
    got = dict(results.get(timeout=30) for _ in workers)
    for p in workers:
        p.join(timeout=30)
    return log.read_text().split(), got


def test_made_once_for_every_worker(tmp_path):
    made, got = _run_two(tmp_path, fail=False)
    assert len(made) == 1, made
    assert got["gw0"] == got["gw1"] == str(tmp_path / "run" / "thing")
    assert (tmp_path / "run" / "thing" / "made-by").read_text() == made[0]


def test_a_failure_is_made_once_and_reported_to_every_worker(tmp_path):
    made, got = _run_two(tmp_path, fail=True)
    assert len(made) == 1, made
    assert all(v.startswith("failed:") for v in got.values()), got
    assert all("the build broke" in v for v in got.values()), got


def test_without_workers_it_is_the_runs_own_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    calls = []
    path = shared(Factory(tmp_path / "run"), "thing", lambda target: calls.append(target))
    again = shared(Factory(tmp_path / "run"), "thing", lambda target: calls.append(target))
    assert path == again == tmp_path / "run" / "thing" and calls == [path]
    with pytest.raises(ZeroDivisionError):
        shared(Factory(tmp_path / "other"), "x", lambda target: 1 / 0)
    with pytest.raises(pytest.fail.Exception, match="ZeroDivisionError"):
        shared(Factory(tmp_path / "other"), "x", lambda target: calls.append(target))
