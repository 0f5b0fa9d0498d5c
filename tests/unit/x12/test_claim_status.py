"""276 / 277 claim status: round trips through the X12 engine, what revcycle writes is valid,
the claim status reads as the payer sent it, and broken input gives findings, not errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revcycle.domain.claim_status_inquiry import (
    ClaimLine,
    ClaimStatusRequest,
    ClaimStatusResponse,
    LineStatus,
    Status,
    StatusCode,
    StatusInfo,
)
from revcycle.domain.eligibility import Contact, Entity, Member
from revcycle.domain.money import Money
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.ack277 import read_277ca
from revcycle.x12.mapping.claim_status import (
    FUNCTIONAL_ID_276,
    FUNCTIONAL_ID_277,
    read_276,
    read_277,
    transaction_276,
    transaction_277,
)
from revcycle.x12.parse import parse
from revcycle.x12.reader import Delimiters
from revcycle.x12.spec.codes import CODE_LISTS
from revcycle.x12.writer import DEFAULT_DELIMITERS, write_interchange
from tests.unit.x12.corpus import path
from tests.unit.x12.samples import ENVELOPE, NOW

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

word = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12)
name = st.lists(word, min_size=1, max_size=3).map(" ".join)
ident = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=2, max_size=20)
ten_digits = st.text(alphabet="0123456789", min_size=10, max_size=10)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
# naive wall-clock times to the minute: what BHT04 / BHT05 carry
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2040, 12, 31),  # noqa: DTZ001
).map(lambda d: d.replace(second=0, microsecond=0))
amounts = st.integers(0, 9_999_999).map(lambda c: Money(Decimal(c) / 100))
opt_amount = st.one_of(st.none(), amounts)
opt_day = st.one_of(st.none(), days)


def maybe(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), strategy)


def codes(list_name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(CODE_LISTS[list_name]))


payers = st.builds(
    Entity, name=name, identifier=ident, id_qualifier=st.sampled_from(["PI", "XV"]),
    entity_code=st.just("PR"),
)  # fmt: skip


@st.composite
def parties(draw: st.DrawFn, code: str, qualifier: str, ids: st.SearchStrategy[str]) -> Entity:
    person = draw(st.booleans())
    return Entity(
        name=draw(name),
        identifier=draw(ids),
        id_qualifier=qualifier,
        first_name=draw(word) if person else "",
        entity_code=code,
        person=person,
    )


receivers = parties("41", "46", ident)
providers = parties("1P", "XX", ten_digits)


@st.composite
def members(draw: st.DrawFn, with_id: bool, birth: str) -> Member:
    """``birth``: "never" (277), "maybe" (276 subscriber), "always" (276 dependent)."""
    dob = {"never": st.none(), "maybe": opt_day, "always": days}[birth]
    born = draw(dob)
    return Member(
        last_name=draw(name),
        first_name=draw(maybe(word)),
        middle_name=draw(maybe(word)),
        suffix=draw(st.sampled_from(["", "JR"])),
        member_id=draw(ident) if with_id else "",
        id_qualifier=draw(st.sampled_from(["MI", "II"])) if with_id else "MI",
        birth_date=born,
        sex=draw(st.sampled_from(["", "F", "M"])) if born else "",
    )


procedures = st.sampled_from(["99213", "97110", "J3420", "0450"])
modifiers = st.lists(st.sampled_from(["25", "59", "GP", "KX"]), max_size=4).map(tuple)
units = st.one_of(st.none(), st.integers(1, 99).map(Decimal))


@st.composite
def claim_lines(draw: st.DrawFn) -> ClaimLine:
    return ClaimLine(
        procedure=draw(procedures),
        charge=draw(amounts),
        qualifier=draw(st.sampled_from(["HC", "NU"])),
        modifiers=draw(modifiers),
        revenue_code=draw(maybe(st.sampled_from(["0450", "0300"]))),
        units=draw(units),
        line_control_number=draw(maybe(ident)),
        service_from=draw(days),
        service_to=draw(opt_day),
    )


@st.composite
def status_requests(draw: st.DrawFn) -> ClaimStatusRequest:
    start = draw(opt_day)
    dependent = draw(st.booleans())
    return ClaimStatusRequest(
        payer=draw(payers),
        receiver=draw(receivers),
        provider=draw(providers),
        subscriber=draw(members(True, "maybe")),
        trace=draw(ident),
        created=draw(moments),
        dependent=draw(members(False, "always")) if dependent else None,
        patient_control_number=draw(maybe(ident)),
        payer_claim_number=draw(maybe(ident)),
        charge=draw(opt_amount),
        service_from=start,
        service_to=draw(opt_day) if start else None,
        bill_type=draw(maybe(st.sampled_from(["111", "131", "0131"]))),
        group_number=draw(maybe(ident)),
        prescription_number=draw(maybe(ident)),
        clearinghouse_trace=draw(maybe(ident)),
        lines=tuple(draw(st.lists(claim_lines(), max_size=3))),
        reference=draw(ident),
    )


status_codes = st.builds(
    StatusCode,
    category=codes("CLAIM_STATUS_CATEGORY"),
    code=st.integers(0, 999).map(str),
    entity=maybe(codes("STATUS_ENTITY")),
    code_list=st.sampled_from(["", "RX"]),
)


@st.composite
def statuses(draw: st.DrawFn, claim_level: bool) -> Status:
    status = Status(
        codes=tuple(draw(st.lists(status_codes, min_size=1, max_size=3))),
        effective_date=draw(days),
        message=draw(maybe(name)),
    )
    if not claim_level:
        return status
    return replace(
        status,
        charge=draw(amounts),
        paid=draw(opt_amount),
        adjudication_date=draw(opt_day),
        payment_method=draw(maybe(st.sampled_from(["ACH", "CHK", "NON"]))),
        check_date=draw(opt_day),
        check_number=draw(maybe(ident.map(lambda s: s[:16]))),
    )


@st.composite
def line_statuses(draw: st.DrawFn) -> LineStatus:
    return LineStatus(
        procedure=draw(procedures),
        charge=draw(amounts),
        statuses=tuple(draw(st.lists(statuses(False), min_size=1, max_size=2))),
        qualifier="HC",
        modifiers=draw(modifiers),
        paid=draw(opt_amount),
        revenue_code=draw(maybe(st.just("0450"))),
        units=draw(units),
        line_control_number=draw(maybe(ident)),
        service_from=draw(opt_day),
        service_to=None,
    )


@st.composite
def claim_statuses(draw: st.DrawFn) -> StatusInfo:
    start = draw(opt_day)
    return StatusInfo(
        trace=draw(ident),
        statuses=tuple(draw(st.lists(statuses(True), min_size=1, max_size=2))),
        payer_claim_control_number=draw(maybe(ident)),
        patient_control_number=draw(maybe(ident)),
        bill_type=draw(maybe(st.just("131"))),
        prescription_number=draw(maybe(ident)),
        voucher=draw(maybe(ident)),
        clearinghouse_traces=tuple(draw(st.lists(ident, max_size=3))),
        service_from=start,
        service_to=draw(opt_day) if start else None,
        lines=tuple(draw(st.lists(line_statuses(), max_size=2))),
    )


contacts = st.builds(
    Contact,
    name=maybe(name),
    numbers=st.lists(st.tuples(st.sampled_from(["TE", "FX"]), ten_digits), max_size=3).map(tuple),
)


@st.composite
def status_responses(draw: st.DrawFn) -> ClaimStatusResponse:
    shape = draw(st.sampled_from(["receiver", "provider", "subscriber", "dependent"]))
    depth = ["receiver", "provider", "subscriber", "dependent"].index(shape)
    receiver_statuses = tuple(draw(st.lists(statuses(False), max_size=2)))
    provider_statuses = tuple(draw(st.lists(statuses(False), max_size=2))) if depth else ()
    return ClaimStatusResponse(
        payer=replace(draw(payers), contacts=tuple(draw(st.lists(contacts, max_size=1)))),
        receiver=draw(receivers),
        created=draw(moments),
        provider=draw(providers) if depth >= 1 else None,
        subscriber=draw(members(True, "never")) if depth >= 2 else None,
        dependent=draw(members(draw(st.booleans()), "never")) if depth == 3 else None,
        # a dependent level always has a claim (2200E is required)
        claims=(
            tuple(draw(st.lists(claim_statuses(), min_size=depth - 2, max_size=3)))
            if depth >= 2
            else ()
        ),
        receiver_trace=draw(ident) if receiver_statuses else "",
        receiver_statuses=receiver_statuses,
        provider_trace=draw(ident) if provider_statuses else "",
        provider_statuses=provider_statuses,
        reference=draw(ident),
    )


def write(ts, functional_id: str, delimiters: Delimiters = DEFAULT_DELIMITERS) -> str:
    return write_interchange(
        ENVELOPE, functional_id, [ts], InMemoryControlNumbers(), NOW, delimiters
    )


# -- round trips ----------------------------------------------------------------------------


@SETTINGS
@given(status_requests())
def test_276_read_of_write_is_identity_and_valid(request):
    text = write(transaction_276(request), FUNCTIONAL_ID_276)
    back, report = read_276(text)
    assert report.findings == []
    assert back == [request]


@SETTINGS
@given(status_responses())
def test_277_read_of_write_is_identity_and_valid(response):
    text = write(transaction_277(response), FUNCTIONAL_ID_277)
    back, report = read_277(text)
    assert report.findings == []
    assert back == [response]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status_responses())
def test_277_round_trip_with_other_delimiters(response):
    text = write(transaction_277(response), FUNCTIONAL_ID_277, Delimiters("|", ">", "!", "~", ""))
    back, report = read_277(text)
    assert report.findings == [] and back == [response]


# -- examples -------------------------------------------------------------------------------

CREATED = datetime(2026, 3, 2, 14, 30)  # noqa: DTZ001 - a wall-clock time in a file
PAYER = Entity("ACME HEALTH", "ACME1", "PI", entity_code="PR")
RECEIVER = Entity("HAPPY VALLEY CLINIC", "TGJ23", "46", entity_code="41")
PROVIDER = Entity("HAPPY VALLEY CLINIC", "1234567893", "XX", entity_code="1P")
SUBSCRIBER = Member("STONE", "EMMA", member_id="W123456789", birth_date=date(1970, 1, 1), sex="F")
REQUEST = ClaimStatusRequest(
    PAYER,
    RECEIVER,
    PROVIDER,
    SUBSCRIBER,
    "TRACE7",
    CREATED,
    patient_control_number="PCN123",
    charge=Money("170"),
    service_from=date(2026, 2, 10),
    reference="BATCH1",
)


def test_a_written_276_has_the_expected_segments():
    text = write(transaction_276(REQUEST), FUNCTIONAL_ID_276).replace("\n", "")
    assert "ST*276*0001*005010X212~BHT*0010*13*BATCH1*20260302*1430~" in text
    assert "HL*4*3*22*0~DMG*D8*19700101*F~NM1*IL*1*STONE*EMMA****MI*W123456789~" in text
    assert "TRN*1*TRACE7~REF*EJ*PCN123~AMT*T3*170~DTP*472*D8*20260210~SE*" in text


def test_a_paid_claim_reads_with_its_check_and_the_claim_can_be_found_by_trace():
    paid = StatusInfo(
        "TRACE7",
        (
            Status(
                (StatusCode("F1", "65", "PR"),),
                date(2026, 3, 1),
                charge=Money("170"),
                paid=Money("56"),
                adjudication_date=date(2026, 2, 27),
                payment_method="CHK",
                check_date=date(2026, 3, 1),
                check_number="000123",
            ),
        ),
        payer_claim_control_number="ICN9",
        patient_control_number="PCN123",
    )
    response = ClaimStatusResponse(
        PAYER, RECEIVER, CREATED, PROVIDER, SUBSCRIBER, claims=(paid,), reference="R1"
    )
    text = write(transaction_277(response), FUNCTIONAL_ID_277)
    assert "STC*F1:65:PR*20260301**170*56*20260227*CHK*20260301*000123~" in text
    (back,), report = read_277(text)
    claim = back.claim("TRACE7")
    assert report.findings == [] and claim is not None
    assert (claim.category, claim.status_code, claim.paid, claim.check_number) == (
        "F1",
        "65",
        Money("56"),
        "000123",
    )
    assert claim.finalized and not claim.pending and not claim.denied


def test_a_277_claim_status_is_not_read_as_a_277ca_and_the_other_way_round():
    acks, _ = read_277ca(path("277/lfh__demo.277"))
    statuses, _ = read_277(path("277CA/herophilus__277CA_Sample_Accepted_.txt"))
    assert acks == [] and statuses == []


# -- findings, not crashes ------------------------------------------------------------------

DEMO_277 = path("277/lfh__demo.277").read_text()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t.replace("TRN*2*ABCXYZ1~", ""),
        lambda t: t.replace("STC*P3:317*20050913**8513.88~", "STC~"),
        lambda t: t.replace("HL*4*3*22*0~", "HL*4*3*99*0~"),
        lambda t: t.replace("SVC*HC:99203*150.00*0.00****1.00~", "SVC*HC*abc~"),
        lambda t: t.replace("BHT*0010*08*277X212*20050916*0810*DG", "BHT*0010"),
        lambda t: t.split("STC*F0:3")[0],
        lambda t: t.replace("005010X212", "005010X999"),
    ],
)
def test_a_broken_277_is_read_with_findings(mangle):
    responses, report = read_277(mangle(DEMO_277))
    assert report.findings
    assert all(isinstance(r, ClaimStatusResponse) for r in responses)


def test_a_broken_276_is_read_with_findings():
    text = path("276/lfh__demo.276").read_text().replace("AMT*T3*7599~", "AMT*T3*75X9~")
    requests, report = read_276(text)
    assert report.errors and [r.charge for r in requests][:2] == [Money("8513.88"), None]


def test_parse_gives_the_277_claims_as_json():
    data, _ = parse(DEMO_277)
    (t,) = data["transactions"]
    assert t["type"] == "277"
    claims = [c for r in t["responses"] for c in r["claims"]]
    assert [(c["category"], c["status_code"], c["charge"], c["paid"]) for c in claims] == [
        ("P3", "317", "8513.88", None),
        ("F0", "3", "7599.00", "7599.00"),
        ("F2", "88", "150.00", "0.00"),
    ]


def test_the_status_category_list_holds_the_codesets_277_categories():
    from revcycle.codesets.reference import bundled_lists

    known = {e.code for e in bundled_lists()["status_category_277"].rows()}
    assert known <= CODE_LISTS["CLAIM_STATUS_CATEGORY"]
