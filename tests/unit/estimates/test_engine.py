"""The patient's share of planned services: deductible first, then copay or coinsurance, capped
by the out-of-pocket remaining; without benefits the whole allowed amount, flagged."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from revcycle.domain.eligibility import Accumulator, Rejection
from revcycle.domain.money import Money
from revcycle.estimates import engine
from revcycle.estimates.engine import estimate, remaining, service_type
from tests.unit.estimates.conftest import benefit, plan, priced, response


def m(text: str) -> Money:
    return Money(text)


def test_the_remaining_deductible_is_applied_first_then_coinsurance_on_the_rest():
    result = estimate([priced("70551", "500.00", "900.00")], plan(deductible_left="300.00"))
    [line] = result.lines
    assert (line.deductible, line.coinsurance, line.copay) == (m("300.00"), m("40.00"), m("0"))
    assert (line.patient, line.plan) == (m("340.00"), m("160.00"))
    assert line.coinsurance_rate == Decimal("0.2")
    assert line.charge == m("900.00") and line.allowed == m("500.00")
    assert result.basis == engine.BENEFITS and not result.flagged
    assert result.deductible_remaining == m("300.00")


def test_the_deductible_is_used_up_across_lines_in_order():
    result = estimate(
        [priced("70551", "200.00"), priced("80053", "150.00")], plan(deductible_left="250.00")
    )
    first, second = result.lines
    assert first.deductible == m("200.00") and first.coinsurance == m("0.00")
    assert second.deductible == m("50.00") and second.coinsurance == m("20.00")
    assert result.deductible == m("250.00")
    assert result.patient == m("270.00") and result.plan == m("80.00")


def test_an_office_visit_pays_the_copay_once_per_visit():
    result = estimate(
        [priced("99213", "100.00"), priced("99214", "140.00"), priced("80053", "30.00")],
        plan(deductible_left="0.00"),
    )
    visit, second_visit, lab = result.lines
    assert visit.service_type == "98"
    assert (visit.copay, visit.coinsurance, visit.patient, visit.plan) == (
        m("25.00"), m("0.00"), m("25.00"), m("75.00"))  # fmt: skip
    assert second_visit.copay == m("0.00") and second_visit.patient == m("0.00")
    assert lab.service_type == "5" and lab.coinsurance == m("6.00") and lab.copay == m("0.00")
    assert result.copay == m("25.00")


def test_a_copay_never_exceeds_what_is_left_after_the_deductible():
    result = estimate([priced("99213", "90.00")], plan(deductible_left="80.00"))
    [line] = result.lines
    assert (line.deductible, line.copay, line.patient, line.plan) == (
        m("80.00"), m("10.00"), m("90.00"), m("0.00"))  # fmt: skip


def test_the_patient_total_is_capped_by_the_out_of_pocket_remaining():
    result = estimate(
        [priced("70551", "800.00"), priced("20610", "300.00")],
        plan(deductible_left="500.00", oop_left="550.00"),
    )
    first, second = result.lines
    # 500 deductible + 60 coinsurance = 560, capped at 550: 10 taken off the coinsurance
    assert (first.deductible, first.coinsurance, first.out_of_pocket_cap) == (
        m("500.00"), m("50.00"), m("10.00"))  # fmt: skip
    assert first.patient == m("550.00")
    assert second.patient == m("0.00") and second.plan == m("300.00")
    assert second.out_of_pocket_cap == m("60.00")
    assert result.patient == m("550.00")
    assert any("out-of-pocket limit is reached" in n for n in result.notes)


def test_a_cap_below_the_deductible_takes_back_the_deductible_too():
    result = estimate(
        [priced("70551", "800.00")], plan(deductible_left="500.00", oop_left="120.00")
    )
    [line] = result.lines
    assert line.coinsurance == m("0.00") and line.deductible == m("120.00")
    assert line.patient == m("120.00") and line.plan == m("680.00")


def test_without_a_271_the_patient_share_is_the_whole_allowed_amount_and_flagged():
    result = estimate([priced("99213", "100.00"), priced("80053", "38.00")], None)
    assert result.basis == engine.NO_BENEFITS and result.flagged
    assert result.patient == m("138.00") and result.plan == m("0.00")
    assert "No eligibility response" in result.notes[0]


def test_a_rejected_or_inactive_271_is_flagged_like_no_benefits():
    rejected = response(rejections=(Rejection("72", "C", "2100C"),))
    assert estimate([priced("99213", "100.00")], rejected).basis == engine.REJECTED
    inactive = response(benefit("6", "30"))
    result = estimate([priced("99213", "100.00")], inactive)
    assert result.basis == engine.INACTIVE and result.patient == m("100.00") and result.flagged


def test_a_self_pay_estimate_says_so_and_the_patient_pays_it_all():
    result = estimate([priced("99213", "96.00")], plan(), self_pay=True)
    assert result.basis == engine.SELF_PAY and result.patient == m("96.00")


def test_benefits_named_for_a_service_type_beat_the_plan_level_ones():
    lab_free = benefit("A", "5", percent="0")
    result = estimate(
        [priced("80053", "40.00"), priced("70551", "400.00")],
        plan(deductible_left="0.00", extra=(lab_free,)),
    )
    lab, mri = result.lines
    assert lab.coinsurance == m("0.00") and lab.plan == m("40.00")
    assert mri.coinsurance == m("80.00")


def test_what_is_left_comes_from_the_total_and_the_amount_met_when_not_stated():
    assert remaining(Accumulator(total=m("1000"), met=m("350"))) == m("650.00")
    assert remaining(Accumulator(total=m("1000"))) == m("1000.00")
    assert remaining(Accumulator(remaining=m("-5"))) == m("0.00")
    assert remaining(Accumulator()) is None


def test_a_plan_without_deductible_or_limit_says_so():
    result = estimate(
        [priced("70551", "100.00")], plan(deductible=None, oop=None, office_copay=None)
    )
    assert result.lines[0].deductible == m("0.00") and result.patient == m("20.00")
    assert any("did not state a deductible" in n for n in result.notes)
    assert any("not capped" in n for n in result.notes)


def test_service_types_follow_the_procedure_ranges():
    assert [service_type(c) for c in ("99213", "80053", "70551", "97110", "11042", "J1100")] == [
        "98", "5", "4", "PT", "2", "1"]  # fmt: skip


CODES = ("99213", "99214", "80053", "70551", "97110", "20610", "J1100")
amounts = st.decimals(min_value=0, max_value=5000, places=2).map(Money)
optional_amounts = st.none() | amounts


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.tuples(st.sampled_from(CODES), amounts), min_size=1, max_size=8),
    deductible_left=optional_amounts,
    oop_left=optional_amounts,
    coinsurance=st.none() | st.decimals(min_value=0, max_value=1, places=2),
    copay=optional_amounts,
)
def test_every_cent_is_accounted_for(lines, deductible_left, oop_left, coinsurance, copay):
    benefits = plan(
        deductible_left=None if deductible_left is None else deductible_left.to_json(),
        oop_left=None if oop_left is None else oop_left.to_json(),
        coinsurance=None if coinsurance is None else str(coinsurance),
        office_copay=None if copay is None else copay.to_json(),
    )
    result = estimate([priced(code, a.to_json()) for code, a in lines], benefits)
    for ln in result.lines:
        assert ln.patient + ln.plan == ln.allowed
        for part in (ln.deductible, ln.copay, ln.coinsurance, ln.out_of_pocket_cap, ln.plan):
            assert not part.is_negative()
        assert ln.deductible + ln.copay + ln.coinsurance == ln.patient
    ded_left = deductible_left if deductible_left is not None else Money("1000.00")
    oop_cap = oop_left if oop_left is not None else Money("5000.00")
    assert result.deductible <= ded_left
    assert result.patient <= oop_cap
    assert result.patient + result.plan == result.allowed
    assert result.allowed == Money.sum(a for _, a in lines)
