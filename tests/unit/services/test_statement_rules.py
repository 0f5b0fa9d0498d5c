"""Statement rules as data: aging buckets by service date and the dunning message by age."""

from __future__ import annotations

from datetime import date

import pytest

from revcycle.domain.money import Money
from revcycle.services.billing_common import LineInfo, PatientLine
from revcycle.services.billing_ports import LineTotals
from revcycle.services.statements import aging, dunning_message


def line(dos: date, owes: str) -> PatientLine:
    z = Money.zero()
    return PatientLine(LineTotals("1", "1", Money("100.00"), z, z, z, Money(owes), z),
                       LineInfo(dos, "99213"))  # fmt: skip


@pytest.mark.parametrize(
    ("age", "bucket"),
    [(0, "current"), (30, "current"), (31, "31-60"), (60, "31-60"), (61, "61-90"),
     (90, "61-90"), (91, "91-120"), (120, "91-120"), (121, "120+"), (400, "120+")],
)  # fmt: skip
def test_each_age_falls_in_one_bucket(age, bucket):
    on = date(2026, 12, 31)
    dos = date.fromordinal(on.toordinal() - age)
    result = aging([line(dos, "10.00"), line(dos, "-4.00")], on)
    assert result[bucket] == Money("10.00")
    assert Money.sum(result.values()) == Money("10.00")


@pytest.mark.parametrize(
    ("age", "start"),
    [(0, "This is your statement"), (30, "This is your statement"), (31, "Reminder"),
     (61, "Past due"), (91, "Final notice"), (300, "Final notice")],
)  # fmt: skip
def test_the_dunning_message_follows_the_age(age, start):
    assert dunning_message(age).startswith(start)
