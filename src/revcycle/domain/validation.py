"""A small collector of field errors, so one call reports every bad field at once.

Usage::

    check = Checks()
    npi = check.field("npi", lambda: Npi.parse(raw))
    check.raise_if_any()

Each ``field`` call runs a parser; a ``DomainValidationError`` it raises is recorded under the
field path (nested paths are prefixed) and ``None`` is returned in place of the value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from revcycle.domain.errors import DomainValidationError, FieldError

T = TypeVar("T")


class Checks:
    """Accumulates ``FieldError``s from several parsers."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.errors: list[FieldError] = []

    def _path(self, field: str) -> str:
        return f"{self.prefix}.{field}" if self.prefix else field

    def field(self, name: str, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except DomainValidationError as exc:
            for err in exc.errors:
                # A parser of a single value reports under its own generic name; the caller's
                # field name replaces it. Nested parsers report sub-paths that we prefix.
                sub = err.field
                path = name if sub in ("", "value", "amount") else f"{name}.{sub}"
                self.errors.append(FieldError(self._path(path), err.reason, err.message))
            return None

    def fail(self, name: str, reason: str, message: str) -> None:
        self.errors.append(FieldError(self._path(name), reason, message))

    def require(self, name: str, value: str | None) -> str | None:
        """A required non-blank text; returns it stripped."""
        if value is None or not value.strip():
            self.fail(name, "required", "is required")
            return None
        return value.strip()

    def raise_if_any(self) -> None:
        if self.errors:
            raise DomainValidationError(self.errors)


def invalid(reason: str, message: str) -> DomainValidationError:
    """An error about a single value; ``Checks.field`` renames it to the field."""
    return DomainValidationError([FieldError("value", reason, message)])
