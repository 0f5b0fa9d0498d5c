"""Classification of denials: every row of shared/reference/denials.md, plus the rules that
depend on more than the code (payer class, group code, remark codes, source)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revcycle.codesets.reference import ACTIONS, ROOT_CAUSES
from revcycle.denials.classify import classify, classify_277ca, classify_835, deciding_carc
from revcycle.denials.deadlines import appeal_deadline, timely_filing_deadline
from revcycle.domain.denial import Denial, aging_bucket, priority
from revcycle.domain.errors import DomainValidationError
from revcycle.domain.money import Money

# (CARC with group, expected root cause, expected action) for each row of denials.md
ROWS = [
    ("PR-1", "patient_responsibility", "bill_patient"),
    ("PR-2", "patient_responsibility", "bill_patient"),
    ("PR-3", "patient_responsibility", "bill_patient"),
    ("CO-4", "coding", "correct"),
    ("CO-5", "coding", "correct"),
    ("CO-6", "coding", "correct"),
    ("CO-7", "coding", "correct"),
    ("CO-9", "coding", "correct"),
    ("CO-10", "coding", "correct"),
    ("CO-11", "medical_necessity", "appeal"),
    ("CO-15", "authorization", "correct"),
    ("CO-16", "missing_information", "correct"),
    ("CO-18", "duplicate", "none"),
    ("CO-22", "cob", "reroute"),
    ("CO-109", "eligibility", "reroute"),
    ("OA-23", "cob", "none"),
    ("CO-26", "eligibility", "reroute"),
    ("CO-27", "eligibility", "reroute"),
    ("CO-29", "timely_filing", "appeal"),
    ("CO-31", "registration", "correct"),
    ("CO-140", "registration", "correct"),
    ("CO-45", "contractual", "write_off"),
    ("CO-49", "medical_necessity", "appeal"),
    ("CO-50", "medical_necessity", "appeal"),
    ("CO-167", "medical_necessity", "appeal"),
    ("CO-96", "non_covered", "write_off"),
    ("CO-204", "non_covered", "write_off"),
    ("CO-97", "bundling", "write_off"),
    ("CO-236", "bundling", "write_off"),
    ("CO-146", "coding", "correct"),
    ("CO-181", "coding", "correct"),
    ("CO-182", "coding", "correct"),
    ("CO-151", "medical_necessity", "appeal"),
    ("CO-197", "authorization", "appeal"),
    ("CO-198", "authorization", "appeal"),
    ("CO-206", "provider_enrollment", "correct"),
    ("CO-207", "provider_enrollment", "correct"),
    ("CO-208", "provider_enrollment", "correct"),
    ("CO-242", "authorization", "appeal"),
    ("CO-243", "authorization", "appeal"),
    ("CO-252", "missing_information", "correct"),
    ("CO-B7", "provider_enrollment", "correct"),
]


@pytest.mark.parametrize(("carc", "category", "action"), ROWS)
def test_each_carc_of_the_reference_table_gets_its_root_cause_and_action(carc, category, action):
    found = classify_835([carc])
    assert (found.category, found.action) == (category, action)
    assert found.code == carc


def test_timely_filing_on_medicare_is_written_off_and_not_appealable():
    found = classify_835(["CO-29"], payer_class="medicare")
    assert (found.category, found.action, found.appealable) == ("timely_filing", "write_off", False)


def test_timely_filing_on_a_commercial_payer_is_a_reconsideration_with_proof():
    found = classify_835(["CO-29"], payer_class="commercial")
    assert found.action == "appeal" and found.appealable and "proof" in found.reason


def test_non_covered_charged_to_the_patient_is_billed_to_the_patient():
    assert classify_835(["PR-96"]).action == "bill_patient"
    assert classify_835(["PR-204"]).action == "bill_patient"


def test_missing_information_names_the_remark_code_that_says_what_is_missing():
    found = classify_835(["CO-16"], ["N290"])
    assert found.action == "correct" and "N290" in found.reason


def test_a_duplicate_is_checked_with_a_status_inquiry_never_rebilled():
    found = classify_835(["CO-18"])
    assert found.action == "none" and "276" in found.reason


def test_the_deciding_code_skips_contractual_patient_and_informational_codes():
    assert deciding_carc(["CO-45", "PR-2", "OA-23", "CO-97"]) == "CO-97"
    assert deciding_carc(["CO-45", "PR-2"]) == "CO-45"
    assert classify_835(["CO-45", "CO-50"], ["N115"]).category == "medical_necessity"


def test_a_277ca_rejection_is_classified_by_its_status_code_and_entity():
    assert classify_277ca(["A3:33:IL"]).category == "registration"
    assert classify_277ca(["A3:116:PR"]).action == "reroute"
    assert classify_277ca(["A7:999:85"]).category == "provider_enrollment"
    assert classify_277ca(["A7:999"]).category == "missing_information"


def test_a_999_rejection_must_be_corrected():
    found = classify("999", errors="set 0001 rejected (IK5 R 5)")
    assert (found.category, found.action) == ("other", "correct")


@given(
    st.lists(
        st.tuples(st.sampled_from(["CO", "PR", "OA", "PI"]), st.integers(1, 300)).map(
            lambda t: f"{t[0]}-{t[1]}"
        ),
        max_size=5,
    ),
    st.sampled_from(["medicare", "medicaid", "commercial"]),
)
def test_any_codes_classify_to_a_known_root_cause_and_action(carcs, payer_class):
    found = classify_835(carcs, payer_class=payer_class)
    assert found.category in ROOT_CAUSES and found.action in ACTIONS


def test_deadlines_follow_the_payer_and_its_class():
    assert timely_filing_deadline(date(2026, 1, 1), 90) == date(2026, 4, 1)
    assert appeal_deadline(date(2026, 1, 1), "medicare") == date(2026, 5, 1)
    assert appeal_deadline(date(2026, 1, 1), "medicaid") == date(2026, 4, 1)
    assert appeal_deadline(date(2026, 1, 1), "commercial") == date(2026, 6, 30)
    assert appeal_deadline(date(2026, 1, 1), "medicare", appealable=False) is None


def _denial(**kw) -> Denial:
    base = dict(
        claim_id=1, source="835", source_ref="T:1", category="coding", action="correct",
        amount=Money("100.00"), denied_on=date(2026, 6, 1),
    )  # fmt: skip
    base.update(kw)
    return Denial(**base)


def test_priority_weighs_dollars_by_the_urgency_of_the_deadline():
    today = date(2026, 6, 1)
    near = _denial(timely_filing_deadline=date(2026, 6, 5))
    far = _denial(timely_filing_deadline=date(2027, 6, 5))
    assert priority(near, today) == 10000 * 5
    assert priority(far, today) == 10000
    assert priority(_denial(status="closed"), today) == 0


def test_a_denial_moves_only_along_its_transitions():
    d = _denial()
    assert d.moved_to("in_progress").status == "in_progress"
    closed = d.moved_to("closed")
    with pytest.raises(DomainValidationError):
        closed.moved_to("written_off")
    with pytest.raises(DomainValidationError):
        d.moved_to("lost")


def test_aging_buckets_count_days_since_the_denial():
    assert aging_bucket(date(2026, 6, 1), date(2026, 6, 30)) == "0-30"
    assert aging_bucket(date(2026, 6, 1), date(2026, 7, 15)) == "31-60"
    assert aging_bucket(date(2026, 1, 1), date(2026, 7, 1)) == "121+"
