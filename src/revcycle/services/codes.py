"""Code-set questions the registration use cases ask (place of service for now)."""

from __future__ import annotations

# CMS place-of-service code set: assigned codes (the rest of 01-99 is unassigned).
_ASSIGNED_POS = (
    {f"{n:02d}" for n in range(1, 28)}
    | {"31", "32", "33", "34", "41", "42"}
    | {f"{n:02d}" for n in range(49, 59)}
    | {"60", "61", "62", "65", "66", "71", "72", "81", "99"}
)


def place_of_service_exists(code: str) -> bool:
    return code in _ASSIGNED_POS
