"""The demo's stage recorder: wall time, peak memory and collector time per stage, and the
tick it calls as stages advance (no more often than asked)."""

from __future__ import annotations

import gc
import io

from rich.console import Console

from revcycle.cli.demo_progress import Stages


def _stages(**kw: object) -> Stages:
    return Stages(Console(file=io.StringIO()), 2, **kw)  # type: ignore[arg-type]


def test_each_stage_records_its_time_memory_and_collector_time() -> None:
    with _stages() as stages:
        with stages.stage("one", total=3) as advance:
            junk = [[i] for i in range(200_000)]
            for _ in range(20):
                gc.collect()
            advance(3)
        with stages.stage("two"):
            pass
    del junk
    one = stages.profile["one"]
    assert set(one) == {"seconds", "peak_rss_mb", "gc_seconds"}
    assert 0 < one["gc_seconds"] <= one["seconds"]
    assert stages.profile["two"]["gc_seconds"] < one["gc_seconds"]
    assert stages.collector not in gc.callbacks  # removed when the stages end


def test_the_tick_runs_at_each_stage_start_and_then_at_most_as_often_as_asked() -> None:
    calls: list[int] = []
    with _stages(tick=lambda: calls.append(1), tick_seconds=3600) as stages:
        with stages.stage("one", total=100) as advance:
            for _ in range(100):
                advance(1)
        with stages.stage("two"):
            pass
    assert len(calls) == 2  # the two starts; the advances came sooner than an hour

    calls.clear()
    stages = _stages(tick=lambda: calls.append(1), tick_seconds=0)
    with stages, stages.stage("one", total=5) as advance:
        for _ in range(5):
            advance(1)
    assert len(calls) == 6
