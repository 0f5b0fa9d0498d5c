"""Errors of the X12 engine, all below ``RevcycleError``.

::

    RevcycleError
    └── X12Error                     x12_error
        ├── NotX12                   x12_unreadable   (no ISA header: not X12 at all)
        ├── X12SyntaxError           x12_syntax       (cannot continue; carries a Position)
        ├── SpecError                x12_spec         (a transaction spec is inconsistent)
        ├── UnsupportedTransaction   x12_unsupported  (no spec for this ST01 / GS08)
        ├── WriteError               x12_write        (domain data cannot be written as X12)
        └── ControlNumberError       x12_control_number

Problems *in* a file are not exceptions: the validator reports them as ``Finding`` data and
keeps going. An exception means the engine cannot continue with the input at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from revcycle.domain.errors import RevcycleError


@dataclass(frozen=True, slots=True)
class Position:
    """Where something is in a file: 1-based segment number in the file and in its
    transaction set, the segment ID, the loop ID, and the element / component position."""

    segment_number: int = 0
    segment_id: str = ""
    loop: str = ""
    element: int = 0
    component: int = 0
    set_segment_number: int = 0

    def __str__(self) -> str:
        parts = [f"segment {self.segment_number}"]
        if self.segment_id:
            parts.append(self.segment_id)
        if self.loop:
            parts.append(f"loop {self.loop}")
        if self.element:
            ref = f"{self.segment_id}{self.element:02d}"
            if self.component:
                ref += f"-{self.component}"
            parts.append(ref)
        return " ".join(parts)


class X12Error(RevcycleError):
    """Root of the X12 engine's errors."""

    code = "x12_error"


class NotX12(X12Error):
    """The input does not start with a usable ISA header: it is not X12 at all."""

    code = "x12_unreadable"


class X12SyntaxError(X12Error):
    """The input cannot be read further (e.g. an ISA that is cut short)."""

    code = "x12_syntax"

    def __init__(self, message: str, position: Position | None = None) -> None:
        self.position = position or Position()
        super().__init__(f"{message} ({self.position})" if position else message)


class SpecError(X12Error):
    """A transaction spec references something undefined or contradicts itself."""

    code = "x12_spec"


class UnsupportedTransaction(X12Error):
    """No spec is known for the transaction set / implementation guide."""

    code = "x12_unsupported"


class WriteError(X12Error):
    """Domain data that cannot be written as valid X12 (missing or too long values)."""

    code = "x12_write"


class ControlNumberError(X12Error):
    """A control number sequence is exhausted or returned an invalid value."""

    code = "x12_control_number"
