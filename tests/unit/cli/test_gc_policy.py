"""The collector settings of a revcycle process: on, less often, start-up objects frozen."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest

from revcycle.cli.gc_policy import THRESHOLDS, BatchCollector, tune


@pytest.fixture
def restore_gc() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_tune_keeps_the_collector_on_and_runs_it_less_often(restore_gc: None) -> None:
    tune()
    assert gc.isenabled()
    assert gc.get_threshold() == THRESHOLDS
    assert THRESHOLDS[0] > 700 and THRESHOLDS[0] * THRESHOLDS[1] * THRESHOLDS[2] > 700 * 10 * 10
    assert gc.get_freeze_count() > 0


def test_tune_still_frees_cycles(restore_gc: None) -> None:
    tune()

    class Node:
        def __init__(self) -> None:
            self.me = self

    import weakref

    ref = weakref.ref(Node())
    assert ref() is not None  # a cycle: reference counting alone keeps it
    kept = [[] for _ in range(THRESHOLDS[0] * 2)]  # enough new objects for a young collection
    assert ref() is None and len(kept) == THRESHOLDS[0] * 2  # freed without an explicit collect


def test_the_command_applies_it() -> None:
    code = (
        "import gc, sys; sys.argv = ['revcycle', '--help'];"
        "from revcycle.cli.main import run\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "print(gc.get_threshold(), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == str(THRESHOLDS)


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_batch_collector_collects_at_checkpoints_only_and_restores_the_collector(
    restore_gc: None,
) -> None:
    import weakref

    with BatchCollector() as collector:
        assert not gc.isenabled()
        survivor = [1, 2, 3]
        ref = weakref.ref(_Cycle())
        kept = [[] for _ in range(200_000)]  # would trigger automatic collections
        assert ref() is not None  # automatic collection is off
        collector.checkpoint()
        assert ref() is None  # the checkpoint freed the cycle
        assert gc.get_freeze_count() > 0  # the survivors are frozen
        assert survivor == [1, 2, 3] and len(kept) == 200_000
    assert gc.isenabled() and gc.get_threshold() == THRESHOLDS
    assert gc.get_freeze_count() > 0  # tune() froze the survivors again


def test_batch_collector_leaves_a_disabled_collector_disabled(restore_gc: None) -> None:
    gc.disable()
    try:
        with BatchCollector():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
