"""The ``Finding`` value that every code-set validator returns.

A finding is data, not an exception: validators collect them and keep going. ``code`` is a
stable machine identifier (``icd10cm.not_billable``), ``location`` a path into the input
(``diagnoses[2]``, ``lines[0].modifiers[1]``) so a workbench can point at the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or note) about one place in the input."""

    code: str
    severity: Severity
    message: str
    location: str

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
