"""Expected amounts from a contract, with hand-computed MPPR, sequestration and PFS pricing."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from revcycle.codesets.pfs import Gpci, GpciTable, RvuRow, RvuTable
from revcycle.denials.underpayments import (
    DENIED,
    NO_CONTRACT,
    OK,
    UNDERPAID,
    LineToCheck,
    check_lines,
    line_from_835,
    pfs_pricer,
)
from revcycle.domain.fees import Contract, FeeEntry
from revcycle.domain.money import Money
from revcycle.domain.remittance import Adjustment, ServicePayment

DOS = date(2026, 6, 1)
CONTRACT = Contract(
    1,
    "fee_schedule",
    date(2026, 1, 1),
    rates=(
        FeeEntry("99213", Money("100.00")),
        FeeEntry("11042", Money("300.00")),
        FeeEntry("20610", Money("200.00")),
    ),
    id=7,
)


def line(code="99213", charge="120.00", paid="80.00", pr="20.00", units=1, mult="", allowed=None):
    return LineToCheck(
        procedure=code,
        modifiers=(),
        units=Decimal(units),
        service_date=DOS,
        charge=Money(charge),
        paid=Money(paid),
        allowed=Money(allowed or charge),
        patient_responsibility=Money(pr),
        mult_proc=mult,
    )


def test_a_line_paid_at_the_contract_rate_is_ok():
    [c] = check_lines([line()], CONTRACT)
    assert (c.outcome, c.expected_allowed, c.expected_paid, c.variance) == (
        OK,
        Money("100.00"),
        Money("80.00"),
        Money("0.00"),
    )
    assert c.term == "contract 7: fee schedule"


def test_a_line_paid_below_the_contract_by_more_than_the_tolerance_is_underpaid():
    [c] = check_lines([line(paid="75.00")], CONTRACT)
    assert (c.outcome, c.variance) == (UNDERPAID, Money("5.00"))
    [within] = check_lines([line(paid="79.00")], CONTRACT)
    assert within.outcome == OK


def test_medicare_sequestration_withholds_two_percent_of_the_payment():
    # 100.00 allowed - 20.00 patient = 80.00; 2 % = 1.60 withheld -> 78.40 expected
    [c] = check_lines([line(paid="78.40")], CONTRACT, sequestration=True)
    assert (c.expected_paid, c.outcome) == (Money("78.40"), OK)
    assert c.term.endswith("sequestration 2%")


def test_mppr_pays_the_highest_procedure_in_full_and_the_others_at_half():
    lines = [
        line("20610", "500.00", "0", "0", mult="2"),
        line("11042", "500.00", "0", "0", mult="2"),
    ]
    first, second = check_lines(lines, CONTRACT)
    assert first.expected_allowed == Money("100.00")  # 200.00 x 50 %
    assert second.expected_allowed == Money("300.00")
    assert "MPPR" in first.term and "MPPR" not in second.term


def test_mppr_halves_the_extra_units_of_the_highest_procedure():
    lines = [
        line("11042", "900.00", "0", "0", units=2, mult="2"),
        line("20610", "500.00", "0", "0", mult="2"),
    ]
    first, second = check_lines(lines, CONTRACT)
    assert first.expected_allowed == Money("450.00")  # 300.00 + 150.00
    assert second.expected_allowed == Money("100.00")


def test_procedures_without_the_indicator_are_not_reduced():
    lines = [line("20610", "500.00", "0", "0"), line("11042", "500.00", "0", "0")]
    assert [c.expected_allowed for c in check_lines(lines, CONTRACT)] == [
        Money("200.00"),
        Money("300.00"),
    ]


def test_percent_of_medicare_prices_rvus_with_the_locality_gpci():
    rvus = RvuTable.from_rows(
        [
            RvuRow(
                "99213",
                "",
                "visit",
                "A",
                Decimal("1.0"),
                Decimal("2.0"),
                False,
                Decimal("1.0"),
                False,
                Decimal("0.1"),
                "0",
                "XXX",
                "0",
                "0",
                Decimal("30"),
            ),
        ]
    )
    gpcis = GpciTable.from_rows(
        [Gpci("02112", "NY", "01", "Manhattan", Decimal("1.0"), Decimal("0.5"), Decimal("2.0"))]
    )
    contract = Contract(2, "percent_of_medicare", date(2026, 1, 1), Decimal(120), "0211201")
    # (1.0 x 1.0 + 2.0 x 0.5 + 0.1 x 2.0) x 30 = 66.00; 120 % = 79.20
    [c] = check_lines([line(paid="59.20")], contract, pfs=pfs_pricer(rvus, gpcis))
    assert (c.expected_allowed, c.expected_paid, c.outcome) == (
        Money("79.20"),
        Money("59.20"),
        OK,
    )


def test_a_denied_line_and_a_code_the_contract_omits_are_not_judged():
    denied, silent = check_lines(
        [line(paid="0", pr="0", allowed="0.00"), line("93000", paid="10.00")], CONTRACT
    )
    assert (denied.outcome, silent.outcome) == (DENIED, NO_CONTRACT)
    assert [c.outcome for c in check_lines([line()], None)] == [NO_CONTRACT]


def test_allowed_is_the_charge_less_contractual_reductions_but_not_sequestration():
    svc = ServicePayment(
        "99213",
        Money("120.00"),
        Money("78.40"),
        adjustments=(
            Adjustment("CO", "45", Money("20.00")),
            Adjustment("PR", "2", Money("20.00")),
            Adjustment("CO", "253", Money("1.60")),
        ),
    )
    got = line_from_835(svc, procedure="99213", modifiers=(), units=Decimal(1), service_date=DOS)
    assert (got.allowed, got.patient_responsibility, got.sequestration) == (
        Money("100.00"),
        Money("20.00"),
        Money("1.60"),
    )


amounts = st.decimals(min_value=0, max_value=5000, places=2).map(Money)


@given(
    st.lists(
        st.tuples(amounts, amounts, st.sampled_from(["99213", "11042", "20610"]), st.booleans()),
        min_size=1,
        max_size=5,
    ),
    st.booleans(),
)
def test_expected_amounts_stay_between_zero_and_the_charge(rows, sequestration):
    lines = [
        LineToCheck(
            code, (), Decimal(1), DOS, charge, paid, charge, Money("0"), mult_proc="2" if m else ""
        )
        for charge, paid, code, m in rows
    ]
    for ln, c in zip(lines, check_lines(lines, CONTRACT, sequestration=sequestration), strict=True):
        if c.expected_allowed is None:
            continue
        assert Money.zero() <= c.expected_allowed and not ln.charge < c.expected_allowed
        assert c.expected_paid is not None and not c.expected_allowed < c.expected_paid
        assert c.variance == c.expected_paid - ln.paid
