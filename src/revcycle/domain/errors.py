"""Typed errors of revcycle, each with a stable code.

::

    RevcycleError                      code
    ├── DomainValidationError          validation_failed   (one or more FieldError)
    │   └── InvalidAmount              invalid_amount
    ├── NotFound                       not_found
    ├── Conflict                       conflict
    │   └── DuplicatePatient           duplicate_patient   (carries the existing MRN)
    ├── AuthenticationFailed           authentication_failed
    └── PermissionDenied               permission_denied

A ``FieldError`` names the field by its path (``"coverage.subscriber.dob"``), gives a stable
reason code and a sentence for people. The API maps each class to an HTTP status in one table;
the CLI maps them to exit statuses. Messages never carry PHI values, only field names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field."""

    field: str
    reason: str
    message: str

    def prefixed(self, prefix: str) -> FieldError:
        return FieldError(
            f"{prefix}.{self.field}" if prefix else self.field, self.reason, self.message
        )


class RevcycleError(Exception):
    """Root of every error revcycle raises on purpose."""

    code = "revcycle_error"


class DomainValidationError(RevcycleError):
    """Input that breaks a business rule; carries every field problem found."""

    code = "validation_failed"

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    @classmethod
    def single(cls, field: str, reason: str, message: str) -> DomainValidationError:
        return cls([FieldError(field, reason, message)])

    def prefixed(self, prefix: str) -> DomainValidationError:
        return DomainValidationError(e.prefixed(prefix) for e in self.errors)


class InvalidAmount(DomainValidationError):
    """An amount that cannot be money (a float, NaN, text that is not a number)."""

    code = "invalid_amount"

    def __init__(self, message: str) -> None:
        super().__init__([FieldError("amount", "invalid_amount", message)])


class NotFound(RevcycleError):
    """A record that does not exist, or does not exist for this practice."""

    code = "not_found"

    def __init__(self, record_type: str, key: object) -> None:
        self.record_type = record_type
        self.key = key
        super().__init__(f"{record_type} {key} not found")


class Conflict(RevcycleError):
    """The request contradicts stored data (a unique value already taken)."""

    code = "conflict"

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class DuplicatePatient(Conflict):
    """Same practice, last name, date of birth and first initial as an existing patient."""

    code = "duplicate_patient"

    def __init__(self, existing_mrn: str) -> None:
        self.existing_mrn = existing_mrn
        super().__init__(
            "patient",
            f"a patient with the same last name, date of birth and first initial exists "
            f"(MRN {existing_mrn}); pass the override to register anyway",
        )


class AuthenticationFailed(RevcycleError):
    """No valid credentials."""

    code = "authentication_failed"


class PermissionDenied(RevcycleError):
    """Authenticated, but the role does not allow the action."""

    code = "permission_denied"
