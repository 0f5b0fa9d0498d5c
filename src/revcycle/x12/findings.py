"""Findings: problems found in X12 data, as data.

A ``Finding`` has a stable ``code``, a ``severity`` ("error" rejects the transaction set,
"warning" does not), a message for people and a ``Position``. Findings that a 999 or TA1
reports also carry the acknowledgment codes: ``segment_error`` (IK304), ``element_error``
(IK403), ``set_error`` (IK502), ``group_error`` (AK905) or ``interchange_error`` (TA105),
plus the data element reference number and a copy of the bad value for IK4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from revcycle.x12.errors import Position

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str
    message: str
    location: Position = field(default_factory=Position)
    segment_error: str = ""
    element_error: str = ""
    element_ref: str = ""
    bad_value: str = ""
    set_error: str = ""
    group_error: str = ""
    interchange_error: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_json(self) -> dict[str, Any]:
        loc = self.location
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "location": {
                "segment_number": loc.segment_number,
                "segment_id": loc.segment_id,
                "loop": loc.loop,
                "element": loc.element,
                "component": loc.component,
                "set_segment_number": loc.set_segment_number,
            },
        }
        for key in (
            "segment_error",
            "element_error",
            "set_error",
            "group_error",
            "interchange_error",
        ):
            value = getattr(self, key)
            if value:
                out[key] = value
        return out
