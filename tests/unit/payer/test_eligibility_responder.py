"""The simulator's 270 responder: what it answers for ordinary and scenario members, in real
time and for a batch upload, and that its 271 survives revcycle's reader."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revcycle.domain.eligibility import EligibilityRequest, Entity, Member, Trace
from revcycle.domain.money import Money
from revcycle.payer.config import load_config
from revcycle.payer.eligibility import answer
from revcycle.payer.mailboxes import ClearinghouseMailboxes
from revcycle.payer.simulator import Simulator
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.eligibility import read_271, transaction_270, transaction_271
from revcycle.x12.writer import Envelope, write_interchange

NOW = datetime(2026, 3, 2, 14, 30)  # noqa: DTZ001 - a fixed wall-clock time
SUBMITTER = "RC123456789"


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Simulator]:
    s = Simulator(tmp_path / "state", ClearinghouseMailboxes(tmp_path / "root"), lambda: NOW)
    yield s
    s.close()


def inquiry(member: str, payer: str = "SIMPPO", types: tuple[str, ...] = ("30", "98"),
            trace: str = "T1", dependent: Member | None = None) -> EligibilityRequest:  # fmt: skip
    return EligibilityRequest(
        payer=Entity("SIM PAYER", payer, "PI"),
        provider=Entity("HAPPY VALLEY CLINIC", "1558444216", "XX"),
        subscriber=Member("DOE", "JANE", member_id=member, birth_date=date(1980, 1, 1), sex="F"),
        dependent=dependent,
        trace=Trace(trace, "1123456789"),
        created=NOW,
        service_types=types,
        service_date=date(2026, 3, 2),
    )


def x12_270(*requests: EligibilityRequest) -> str:
    envelope = Envelope(SUBMITTER, "SIMCLEARHOUSE")
    sets = [transaction_270(r) for r in requests]
    return write_interchange(envelope, "HS", sets, InMemoryControlNumbers(), NOW)


def ask(sim: Simulator, request: EligibilityRequest):
    reply = sim.realtime_handler(x12_270(request))
    [response], report = read_271(reply)
    assert report.valid, report.findings
    return response


def test_an_ordinary_member_is_active_with_the_plans_benefits_per_service_type(sim) -> None:
    r = ask(sim, inquiry("W100ABC"))
    assert r.is_active() and r.is_active("98")
    assert r.trace == Trace("T1", "1123456789")
    assert r.copay("98") == Money("25.00") and r.coinsurance("98") == 0
    assert (r.coinsurance("30"), r.coinsurance("30", False)) == (Decimal("0.2"), Decimal("0.4"))
    deductible, oop = r.deductible(), r.out_of_pocket()
    assert (deductible.total, deductible.remaining) == (Money("500.00"), Money("0.00"))
    assert (oop.total, oop.remaining) == (Money("4000.00"), Money("4000.00"))
    assert r.deductible("30", in_network=False).total == Money("1000.00")
    assert r.patient is not None
    assert (r.patient.plan_begin, r.patient.plan_end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert r.benefits[0].plan_description == "PPO-GOLD"


def test_medicare_has_no_network_and_no_out_of_pocket_limit(sim) -> None:
    r = ask(sim, inquiry("1EG4TE5MK73", "SIMMCR"))
    assert r.is_active()
    assert {b.in_network for b in r.benefits if b.code != "1"} == {"W"}
    assert r.out_of_pocket().total is None
    assert r.deductible().total == Money("257.00")
    assert r.coinsurance() == Decimal("0.2")


def test_the_deductible_left_follows_the_simulators_accumulators(sim) -> None:
    r = ask(sim, inquiry("1DE0A00AA08"))  # paid-with-deductible: 30.00 left this year
    assert r.deductible().remaining == Money("30.00")


@pytest.mark.parametrize(
    ("member", "payer", "reason", "loop"),
    [
        ("W1", "SIMPPO", "72", "2100C"),  # too short for the payer's member ID format
        ("1UN0A00AA02", "SIMPPO", "75", "2100C"),
        ("1NM0A00AA11", "SIMPPO", "73", "2100C"),
        ("1DT0A00AA12", "SIMHMO", "71", "2100C"),
        ("W100ABC", "NOSUCH", "79", "2100A"),
    ],
)
def test_scenario_members_are_rejected_with_reason_and_follow_up(
    sim, member: str, payer: str, reason: str, loop: str
) -> None:
    r = ask(sim, inquiry(member, payer))
    [rejection] = r.all_rejections
    assert (rejection.reason, rejection.follow_up, rejection.loop) == (reason, "C", loop)
    assert r.coverage_status() == "unknown" and r.trace is not None


def test_a_name_mismatch_of_a_dependent_is_rejected_at_the_dependents_level(sim) -> None:
    child = Member("DOE", "LEO", birth_date=date(2016, 2, 2), sex="M", relationship="19")
    r = ask(sim, inquiry("1NM0A00AA11", dependent=child))
    assert [(x.reason, x.loop) for x in r.all_rejections] == [("73", "2100D")]


def test_terminated_coverage_is_inactive_with_its_termination_date(sim) -> None:
    r = ask(sim, inquiry("1TE0A00AA01"))
    assert r.coverage_status() == "inactive"
    assert r.patient is not None and r.patient.plan_end == date(2020, 12, 31)
    [eb6] = [b for b in r.benefits if b.code == "6"]
    assert [(d.qualifier, d.start) for d in eb6.dates] == [("347", date(2020, 12, 31))]


def test_other_payer_primary_names_the_other_payer_in_2120(sim) -> None:
    r = ask(sim, inquiry("1CP0A00AA03"))
    assert r.is_active()
    [other] = r.other_payers
    assert (other.entity_code, other.name, other.identifier) == (
        "PRP",
        "SIM COMMERCIAL PPO",
        "SIMPPO",
    )


def test_a_member_on_file_under_other_data_comes_back_as_the_payer_has_it(sim) -> None:
    r = ask(sim, inquiry("1DM0A00AA13"))
    assert r.is_active() and r.subscriber is not None
    assert (r.subscriber.member_id, r.subscriber.last_name, r.subscriber.birth_date) == (
        "1DM0A00AA14",
        "RIVERA-SOTO",
        date(1980, 4, 3),
    )


def test_the_simulators_271_round_trips_through_revcycles_reader(sim) -> None:
    for member in ("W100ABC", "1TE0A00AA01", "1CP0A00AA03", "1UN0A00AA02"):
        response = answer(sim, inquiry(member), NOW)
        text = write_interchange(
            Envelope("SIMCLEARHOUSE", SUBMITTER), "HB", [transaction_271(response)],
            InMemoryControlNumbers(), NOW,
        )  # fmt: skip
        [back], report = read_271(text)
        assert report.valid
        assert back.benefits == response.benefits
        assert back.rejections == response.rejections
        assert back.trace == response.trace and back.payer_trace == response.payer_trace
        assert back.summary("98") == response.summary("98")


def test_a_batch_upload_gets_a_999_and_one_271_answering_every_inquiry(sim, tmp_path) -> None:
    outbound = sim.mailboxes.register(SUBMITTER) / "outbound"
    requests = [inquiry(m, trace=f"B{i}") for i, m in enumerate(["W100ABC", "1UN0A00AA02"])]
    (outbound / "batch.x12").write_text(x12_270(*requests), encoding="latin-1")
    [result] = sim.process_uploads(NOW)
    assert [name.split("-", 1)[1] for name in result.responses] == ["999.x12", "271.x12"]
    text = (tmp_path / "root" / SUBMITTER / "inbound" / result.responses[1]).read_text()
    answers, report = read_271(text)
    assert report.valid
    assert [a.trace.number for a in answers if a.trace] == ["B0", "B1"]
    assert [a.is_active() for a in answers] == [True, False]


@settings(max_examples=25, deadline=None)
@given(
    member=st.from_regex(r"[A-Z0-9]{6,14}", fullmatch=True),
    types=st.lists(st.sampled_from(["30", "98", "86", "5", "4", "33", "A0"]), max_size=4),
    payer=st.sampled_from(sorted(load_config().payers)),
)
def test_any_well_formed_member_gets_a_valid_answer_for_every_type_asked(
    tmp_path_factory, member: str, types: list[str], payer: str
) -> None:
    root = tmp_path_factory.mktemp("sim")
    sim = Simulator(root / "state", ClearinghouseMailboxes(root / "mb"), lambda: NOW)
    try:
        request = inquiry(member, payer, tuple(dict.fromkeys(["30", *types])))
        reply = sim.realtime_handler(x12_270(request))
    finally:
        sim.close()
    [r], report = read_271(reply)
    assert report.valid
    valid = sim.config.payers[payer].member_id_valid(member)
    assert r.is_active() == valid
    for t in types:
        assert r.coverage_status(t) == ("active" if valid else "unknown")
