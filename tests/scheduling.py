"""How the parallel workers (pytest-xdist, `--dist loadscope`) are given test
modules: longest first, and never a long module to a worker that is still
busy with one. A pytest plugin, registered by tests/conftest.py.

A module's weight is a rough number of seconds: its `long(seconds)` marker,
else SLOW_S for a module with `slow` tests, BROWSER_S for one with browser
tests, PLAIN_S for the rest. The workers sort their collection by weight
(`order`), so xdist's queue of modules starts with the longest.

xdist hands a worker its next module as soon as two tests or fewer are left
of what it holds (a worker needs the next test queued to finish the one it
runs). So a worker running a module of one long test (the benchmark) takes
the next module at once, and that module waits behind the long test: handed
out front to back, the long modules piled up on one worker, which then ran
alone for the last minute and a half of `make test`. `LongLast` gives a
worker that still holds more than PREFETCH_S of work the shortest module
left instead, and the longest only to a worker about to run out.

The weights travel from the workers (which collect the tests and read the
markers) to the controller (which schedules and collects nothing) in a JSON
file the controller names in each worker's `workerinput`. LongLast overrides
a private method of xdist's LoadScopeScheduling (`_assign_work_unit`; xdist
is pinned in requirements.in): tests/test_scheduling.py fails should a new
xdist stop calling it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

SLOW_S, BROWSER_S, PLAIN_S = 8.0, 4.0, 1.0
PREFETCH_S = 2.0  # a worker holding more than this is asking ahead, not running out
WEIGHTS = "module_weights"  # the key in workerinput: the file the workers write the weights to


def weight(item: pytest.Item) -> float:
    long = item.get_closest_marker("long")
    if long:
        return float(long.args[0])
    if item.get_closest_marker("slow"):
        return SLOW_S
    return BROWSER_S if item.get_closest_marker("browser") else PLAIN_S


def scope(nodeid: str) -> str:
    """xdist's unit of work (LoadScopeScheduling._split_scope): a module, or a class in it."""
    return nodeid.rsplit("::", 1)[0]


def order(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Sort `items` by their module's weight, heaviest first (stable: in
    collection order within a weight), and tell the controller the weight
    of each unit of work."""
    module: dict[str, float] = {}
    for item in items:
        module[item.module.__name__] = max(module.get(item.module.__name__, 0.0), weight(item))
    items.sort(key=lambda item: -module[item.module.__name__])
    target = getattr(config, "workerinput", {}).get(WEIGHTS)
    if target:
        units: dict[str, float] = {}
        for item in items:
            units[scope(item.nodeid)] = module[item.module.__name__]
        part = Path(f"{target}.{os.getpid()}")
        part.write_text(json.dumps(units), encoding="utf-8")
        os.replace(part, target)


class Plugin:
    """The controller's side: name the weights file, schedule with LongLast."""

    def __init__(self) -> None:
        fd, self.path = tempfile.mkstemp(prefix="pytest-weights-", suffix=".json")
        os.close(fd)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node) -> None:
        node.workerinput[WEIGHTS] = self.path

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_make_scheduler(self, config, log):
        if config.getvalue("dist") != "loadscope":
            return None
        return long_last(config, log, self.path)

    def pytest_unconfigure(self) -> None:
        Path(self.path).unlink(missing_ok=True)


def long_last(config, log, path: str):
    from xdist.scheduler import LoadScopeScheduling

    class LongLast(LoadScopeScheduling):
        """LoadScopeScheduling that gives a worker still busy the shortest
        unit left (the queue's last), and the longest (its first) only to a
        worker about to run out."""

        weights: dict[str, float] | None = None

        def _held(self, node) -> float:
            """Rough seconds of the work the node holds and has not run."""
            held = 0.0
            for unit, tests in self.assigned_work.get(node, {}).items():
                left = list(tests.values()).count(False)
                held += self.weights.get(unit, PLAIN_S) * left / max(len(tests), 1)
            return held

        def _assign_work_unit(self, node) -> None:
            if self.weights is None:
                text = Path(path).read_text(encoding="utf-8")
                self.weights = json.loads(text) if text else {}
            if len(self.workqueue) > 1 and self._held(node) > PREFETCH_S:
                last = next(reversed(self.workqueue))
                self.workqueue.move_to_end(last, last=False)  # the parent takes the first
            super()._assign_work_unit(node)

    return LongLast(config, log)
