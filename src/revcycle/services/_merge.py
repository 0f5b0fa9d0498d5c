"""Applying a partial change to a record's fields before re-validating the whole record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def merge(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with ``changes`` applied; nested mappings merge key by key."""
    out = dict(current)
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out
