"""How often CPython's cyclic garbage collector runs in a revcycle process.

revcycle's records are dataclasses and tuples that reference counting frees as soon as they go
out of use; the cyclic collector is only needed for the rare cycle. With CPython's defaults
(700, 10, 10) it still makes full passes over every live object as the heap grows, and a month
of claims is millions of live objects: at 10,000 encounters the demo spent 17 of its 76 seconds
in 70 full passes (measured with ``gc.callbacks``).

``tune()`` keeps the collector on and makes it run less often: a young collection every 50,000
new objects instead of 700, and a full one a hundredth as often as before. What exists when it
is called (modules, the application, its tables) is frozen out of the collector's scans.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 100)


def tune() -> None:
    """Apply revcycle's collector settings to this process (idempotent)."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


class BatchCollector:
    """The collector for a long batch job (the demo): automatic collection off, and at each
    ``checkpoint()`` one collection of what was made since the last checkpoint, whose
    survivors are then frozen (never scanned again).

    Each object is scanned about once instead of once per generation it passes through, and
    no full pass rescans the whole heap: at 20,000 encounters the demo's collector time fell
    from 13.6 s to 2 s, peak memory unchanged. Cycles made between checkpoints wait for the
    next one (a few seconds); a cycle among frozen objects is freed when the job ends."""

    was_enabled = True

    def __enter__(self) -> BatchCollector:
        self.was_enabled = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *exc: object) -> None:
        gc.unfreeze()
        gc.collect()
        tune()
        if self.was_enabled:
            gc.enable()

    def checkpoint(self) -> None:
        """Collect what was made since the last checkpoint; freeze what survives."""
        gc.collect()
        gc.freeze()
