"""Patients and the people tied to them (guarantors, subscribers).

Invariants: a patient has a last and first name, a date of birth that is neither in the future
nor before 1880, a sex code of the 837 (F, M, U), an address, an MRN unique within the practice
(enforced by the repository) and an account number; a date of death is not before birth nor in
the future. A guarantor other than the patient is a ``Person`` with a relationship.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from revcycle.domain.identifiers import Phone, parse_email
from revcycle.domain.validation import Checks, invalid
from revcycle.domain.values import (
    EARLIEST_DOB,
    SEX_CODES,
    Address,
    optional,
    parse_address,
    parse_choice,
    parse_date,
    parse_name,
    parse_optional_phone,
    parse_text,
)


def parse_dob(value: object, today: date) -> date:
    dob = parse_date(value)
    if dob > today:
        raise invalid("date_in_future", "is in the future")
    if dob < EARLIEST_DOB:
        raise invalid("date_too_early", "is before 1880")
    return dob


def parse_identifier(value: object, what: str, max_len: int = 30) -> str:
    v = str(value or "").strip()
    if not v:
        raise invalid("required", "is required")
    if len(v) > max_len or not re.fullmatch(r"[A-Za-z0-9-]+", v):
        raise invalid(f"{what}_format", f"may hold up to {max_len} letters, digits and dashes")
    return v.upper()


@dataclass(frozen=True, slots=True)
class Person:
    """Someone other than the patient: a guarantor or an insurance subscriber."""

    last_name: str
    first_name: str
    dob: date | None
    sex: str | None
    address: Address | None
    middle_name: str | None = None
    phone: Phone | None = None

    def to_fields(self) -> dict[str, Any]:
        return {
            "last_name": self.last_name,
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "dob": self.dob,
            "sex": self.sex,
            "address": self.address.to_fields() if self.address else None,
            "phone": self.phone,
        }


def parse_person(data: Mapping[str, Any], today: date, *, full: bool) -> Person:
    """A person; with ``full`` the date of birth, sex and address are required."""
    c = Checks()
    last = c.field("last_name", lambda: parse_name(data.get("last_name")))
    first = c.field("first_name", lambda: parse_name(data.get("first_name"), 35))
    middle_raw = optional(data.get("middle_name"))
    middle = c.field("middle_name", lambda: parse_name(middle_raw, 25)) if middle_raw else None
    dob_raw, sex_raw = optional(data.get("dob")), optional(data.get("sex"))
    dob = c.field("dob", lambda: parse_dob(dob_raw, today)) if dob_raw or full else None
    sex = (
        c.field("sex", lambda: parse_choice(sex_raw, SEX_CODES, "sex")) if sex_raw or full else None
    )
    addr_raw = data.get("address")
    has_addr = isinstance(addr_raw, Mapping) and any(optional(v) for v in addr_raw.values())
    address = (
        c.field("address", lambda: parse_address(addr_raw or {})) if has_addr or full else None
    )
    phone = c.field("phone", lambda: parse_optional_phone(data.get("phone")))
    c.raise_if_any()
    assert last and first
    return Person(last, first, dob, sex, address, middle, phone)


GUARANTOR_RELATIONSHIPS = ("self", "spouse", "parent", "guardian", "other")


@dataclass(frozen=True, slots=True)
class Patient:
    mrn: str
    account_number: str
    last_name: str
    first_name: str
    dob: date
    sex: str
    address: Address
    middle_name: str | None = None
    suffix: str | None = None
    phone: Phone | None = None
    email: str | None = None
    date_of_death: date | None = None
    guarantor_relationship: str = "self"
    guarantor: Person | None = None
    id: int | None = None

    @property
    def display_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    def age_on(self, day: date) -> int:
        years = day.year - self.dob.year
        return years - ((day.month, day.day) < (self.dob.month, self.dob.day))

    def to_fields(self) -> dict[str, Any]:
        return {
            "mrn": self.mrn,
            "account_number": self.account_number,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "suffix": self.suffix,
            "dob": self.dob,
            "sex": self.sex,
            "address": self.address.to_fields(),
            "phone": self.phone,
            "email": self.email,
            "date_of_death": self.date_of_death,
            "guarantor_relationship": self.guarantor_relationship,
            "guarantor": self.guarantor.to_fields() if self.guarantor else None,
        }


def parse_patient(data: Mapping[str, Any], today: date, id: int | None = None) -> Patient:
    """A patient from raw fields. ``mrn`` and ``account_number`` must already be filled in."""
    c = Checks()
    mrn = c.field("mrn", lambda: parse_identifier(data.get("mrn"), "mrn"))
    acct_raw = optional(data.get("account_number")) or data.get("mrn")
    account = c.field("account_number", lambda: parse_identifier(acct_raw, "account_number", 20))
    last = c.field("last_name", lambda: parse_name(data.get("last_name")))
    first = c.field("first_name", lambda: parse_name(data.get("first_name"), 35))
    middle_raw = optional(data.get("middle_name"))
    middle = c.field("middle_name", lambda: parse_name(middle_raw, 25)) if middle_raw else None
    suffix_raw = optional(data.get("suffix"))
    suffix = c.field("suffix", lambda: parse_text(suffix_raw, 10)) if suffix_raw else None
    dob = c.field("dob", lambda: parse_dob(data.get("dob"), today))
    sex = c.field("sex", lambda: parse_choice(data.get("sex"), SEX_CODES, "sex"))
    address = c.field("address", lambda: parse_address(data.get("address") or {}))
    phone = c.field("phone", lambda: parse_optional_phone(data.get("phone")))
    email_raw = optional(data.get("email"))
    email = c.field("email", lambda: parse_email(str(email_raw))) if email_raw else None
    dod_raw = optional(data.get("date_of_death"))
    dod = c.field("date_of_death", lambda: parse_date(dod_raw)) if dod_raw else None
    if dod and dod > today:
        c.fail("date_of_death", "date_in_future", "is in the future")
    if dod and dob and dod < dob:
        c.fail("date_of_death", "before_birth", "is before the date of birth")
    rel = c.field(
        "guarantor_relationship",
        lambda: parse_choice(
            str(data.get("guarantor_relationship") or "self").lower(),
            GUARANTOR_RELATIONSHIPS,
            "relationship",
        ),
    )
    guarantor = None
    g_raw = data.get("guarantor")
    if rel and rel != "self":
        if not isinstance(g_raw, Mapping) or not optional(g_raw.get("last_name")):
            c.fail("guarantor", "required", "is required when the guarantor is not the patient")
        else:
            guarantor = c.field("guarantor", lambda: parse_person(g_raw, today, full=False))
    c.raise_if_any()
    assert mrn and account and last and first and dob and sex and address and rel
    return Patient(
        mrn,
        account,
        last,
        first,
        dob,
        sex,
        address,
        middle,
        suffix,
        phone,
        email,
        dod,
        rel,
        guarantor,
        id,
    )
