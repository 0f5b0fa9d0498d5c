"""Users of the API and their roles.

Roles and what they may do are data (``PERMISSIONS``), checked in one place by the services.
A user belongs to exactly one practice: that is the tenant boundary of the API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from revcycle.domain.validation import invalid

ROLES = ("admin", "front_desk", "coder", "biller", "manager")

READ_REGISTRATION = "registration:read"
WRITE_PATIENTS = "patients:write"
WRITE_SETUP = "setup:write"  # practice, providers, facilities, payers
MANAGE_USERS = "users:manage"
READ_AUDIT = "audit:read"
LOAD_CODESETS = "codesets:load"  # code sets are global reference data: admins only
POST_PAYMENTS = "payments:post"  # patient payments and copays at the desk
READ_BILLING = "billing:read"  # patient accounts, statements, payment plans
WRITE_BILLING = "billing:write"  # refunds, write-offs, statement runs, plans, collections
READ_ACCOUNTING = "accounting:read"  # deposits, reconciliation, payer credits, journal
WRITE_ACCOUNTING = "accounting:write"  # deposit import, reconciliation, payer refunds
MANAGE_PERIODS = "periods:manage"  # closing and reopening accounting months
POST_REMITTANCES = "remittances:post"  # 835 ERAs and paper EOBs to the ledger
WRITE_ESTIMATES = "estimates:write"  # patient cost estimates and Good Faith Estimates
APPROVE_WRITE_OFFS = "write_offs:approve"  # denial write-offs above the practice's threshold

PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {READ_REGISTRATION, WRITE_PATIENTS, WRITE_SETUP, MANAGE_USERS, READ_AUDIT, LOAD_CODESETS}
        | {POST_PAYMENTS, READ_BILLING, WRITE_BILLING, POST_REMITTANCES}
        | {READ_ACCOUNTING, WRITE_ACCOUNTING}
        | {WRITE_ESTIMATES}
    ),
    "front_desk": frozenset({READ_REGISTRATION, WRITE_PATIENTS, POST_PAYMENTS, READ_BILLING})
    | {WRITE_ESTIMATES},
    "coder": frozenset({READ_REGISTRATION}),
    "biller": frozenset(
        {READ_REGISTRATION, WRITE_PATIENTS, WRITE_SETUP, POST_PAYMENTS, READ_BILLING, WRITE_BILLING}
        | {READ_ACCOUNTING, WRITE_ACCOUNTING, POST_REMITTANCES}
        | {WRITE_ESTIMATES}
    ),
    "manager": frozenset({READ_REGISTRATION, READ_AUDIT, READ_BILLING})
    | {READ_ACCOUNTING, WRITE_ACCOUNTING, MANAGE_PERIODS}
    | {APPROVE_WRITE_OFFS},
}


@dataclass(frozen=True, slots=True)
class User:
    practice_id: int
    username: str
    role: str
    active: bool = True
    id: int | None = None

    def can(self, permission: str) -> bool:
        return self.active and permission in PERMISSIONS.get(self.role, frozenset())


def parse_username(value: str) -> str:
    v = value.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9._@-]{2,63}", v):
        raise invalid("username_format", "3 to 64 letters, digits, dots, dashes or @")
    return v


def parse_role(value: str) -> str:
    v = value.strip().lower()
    if v not in ROLES:
        raise invalid("role_unknown", f"must be one of {', '.join(ROLES)}")
    return v


def check_password(value: str) -> str:
    if len(value) < 10:
        raise invalid("password_too_short", "must have at least 10 characters")
    return value
