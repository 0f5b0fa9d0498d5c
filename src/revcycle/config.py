"""Settings, built only by entry points (the CLI callback, ``revcycle serve``) and passed down.

``REVCYCLE_DATABASE_URL`` chooses the database (default: the embedded SQLite file
``./revcycle.db``); ``REVCYCLE_CLOCK`` (ISO date-time) freezes "now" for demos and tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime

from revcycle.services.clock import FixedClock, SystemClock
from revcycle.services.ports import Clock


@dataclass(frozen=True)
class Settings:
    database_url: str
    clock: Clock
    cors_origins: tuple[str, ...] = ()


def clock_from_env() -> Clock:
    frozen = os.environ.get("REVCYCLE_CLOCK")
    if frozen:
        at = datetime.fromisoformat(frozen)
        return FixedClock(at if at.tzinfo else at.replace(tzinfo=UTC))
    return SystemClock()


def settings_from_env(database_url: str | None = None) -> Settings:
    url = database_url or os.environ.get("REVCYCLE_DATABASE_URL") or "sqlite:///revcycle.db"
    return Settings(database_url=url, clock=clock_from_env())
