"""The demo's stages on screen and on the record: a progress bar per stage (on stderr) and,
per stage, its wall time, the peak memory of the process while it ran, and the time the
cyclic garbage collector took in it (``gc_seconds``; see ``revcycle.cli.gc_policy``).

Peak memory per stage: on Linux the kernel's high-water mark (``VmHWM``) is reset at the start
of each stage (``/proc/self/clear_refs``), so each figure is that stage's own peak; elsewhere
the process's peak so far (``ru_maxrss``) is reported.
"""

from __future__ import annotations

import gc
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

Advance = Callable[[int], None]
_STATUS = Path("/proc/self/status")
_CLEAR = Path("/proc/self/clear_refs")


def _reset_peak() -> bool:
    try:
        _CLEAR.write_text("5")
    except OSError:
        return False
    return True


def _peak_mb(reset_worked: bool) -> float:
    if reset_worked:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class _CollectorClock:
    """Seconds spent in the cyclic garbage collector since it was installed (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


class Stages:
    """``with stages.stage("claims", total=n) as advance: ...`` shows a bar, times the stage
    and records its peak memory in ``profile``."""

    def __init__(
        self,
        console: Console,
        count: int,
        *,
        tick: Callable[[], object] | None = None,
        tick_seconds: float = 5.0,
        end: Callable[[], object] | None = None,
    ) -> None:
        """``tick``, when given, is called at each stage's start and as it advances, at most
        every ``tick_seconds`` (the demo keeps PostgreSQL's statistics current and collects
        garbage with it); ``end`` at each stage's end, within the stage's time."""
        self.count = count
        self.tick = tick
        self.end = end
        self.tick_seconds = tick_seconds
        self._ticked = time.perf_counter()
        self.done = 0
        self.profile: dict[str, dict[str, Any]] = {}
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )

        self.collector = _CollectorClock()

    def __enter__(self) -> Stages:
        gc.callbacks.append(self.collector)
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()
        gc.callbacks.remove(self.collector)

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Advance]:
        self.done += 1
        task = self.progress.add_task(f"{self.done:>2}/{self.count} {name}", total=total)
        if self.tick is not None:  # each stage starts from what the last one wrote
            self.tick()
            self._ticked = time.perf_counter()
        reset = _reset_peak()
        start = time.perf_counter()
        collected = self.collector.seconds

        def advance(n: int = 1) -> None:
            self.progress.advance(task, n)
            if self.tick is not None and time.perf_counter() - self._ticked >= self.tick_seconds:
                self.tick()
                self._ticked = time.perf_counter()

        yield advance
        if self.end is not None:
            self.end()
        seconds = time.perf_counter() - start
        finished = total if total is not None else 1
        self.progress.update(task, total=finished, completed=finished)
        self.profile[name] = {
            "seconds": round(seconds, 2),
            "peak_rss_mb": _peak_mb(reset),
            "gc_seconds": round(self.collector.seconds - collected, 2),
        }
