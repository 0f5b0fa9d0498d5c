"""270 / 271 eligibility: round trips through the X12 engine, what revcycle writes is valid,
the benefit helpers answer per service type, and broken input gives findings, not errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revcycle.domain.claim import Address
from revcycle.domain.eligibility import (
    Benefit,
    Contact,
    DatePeriod,
    Delivery,
    EligibilityRequest,
    EligibilityResponse,
    Entity,
    Member,
    Rejection,
    Trace,
)
from revcycle.domain.money import Money
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.errors import WriteError
from revcycle.x12.mapping.eligibility import (
    FUNCTIONAL_ID_270,
    FUNCTIONAL_ID_271,
    HEADER_LOOPS,
    read_270,
    read_271,
    transaction_270,
    transaction_271,
)
from revcycle.x12.parse import parse
from revcycle.x12.reader import Delimiters, Reader
from revcycle.x12.spec.codes import CODE_LISTS
from revcycle.x12.validator import Validator
from revcycle.x12.writer import DEFAULT_DELIMITERS, Repeated, SegmentWriter, write_interchange
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
optional = st.one_of


def codes(list_name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(CODE_LISTS[list_name]))


def maybe(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), strategy)


addresses = st.builds(
    Address,
    line1=name,
    city=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=20),
    state=st.sampled_from(["NY", "IL", "CA", "TX"]),
    postal_code=st.sampled_from(["62701", "627011234", "10001"]),
    line2=maybe(name),
)
contacts = st.builds(
    Contact,
    name=maybe(name),
    numbers=st.lists(
        st.tuples(st.sampled_from(["TE", "FX", "EX"]), ten_digits), min_size=1, max_size=3
    ).map(tuple),
)
traces = st.builds(Trace, number=ident, originator=ten_digits, additional=maybe(ident))


def periods(qualifiers: list[str]) -> st.SearchStrategy[DatePeriod]:
    return st.builds(
        DatePeriod, qualifier=st.sampled_from(qualifiers), start=days, end=optional(st.none(), days)
    )


payers = st.builds(
    Entity,
    name=name,
    identifier=ident,
    id_qualifier=st.sampled_from(["PI", "XV"]),
    entity_code=st.just("PR"),
)


@st.composite
def providers(draw: st.DrawFn, with_address: bool = True) -> Entity:
    person = draw(st.booleans())
    return Entity(
        name=draw(name),
        identifier=draw(ten_digits),
        id_qualifier="XX",
        first_name=draw(word) if person else "",
        entity_code="1P",
        person=person,
        address=draw(optional(st.none(), addresses)) if with_address else None,
    )


@st.composite
def members(
    draw: st.DrawFn, dependent: bool, ref_codes: list[str], dates: list[str] | None
) -> Member:
    return Member(
        last_name=draw(name),
        first_name=draw(maybe(word)),
        middle_name=draw(maybe(word)),
        suffix=draw(st.sampled_from(["", "JR", "III"])),
        member_id="" if dependent else draw(ident),
        id_qualifier="MI" if dependent else draw(st.sampled_from(["MI", "II"])),
        birth_date=draw(optional(st.none(), days)),
        sex=draw(st.sampled_from(["", "F", "M", "U"])),
        address=draw(optional(st.none(), addresses)),
        relationship=draw(maybe(codes("PATIENT_RELATIONSHIP"))) if dependent else "",
        references=tuple(draw(st.lists(st.tuples(st.sampled_from(ref_codes), ident), max_size=2))),
        dates=tuple(draw(st.lists(periods(dates), max_size=3))) if dates else (),
    )


@st.composite
def requests(draw: st.DrawFn) -> EligibilityRequest:
    has_dependent = draw(st.booleans())
    start = draw(optional(st.none(), days))
    return EligibilityRequest(
        payer=draw(payers),
        provider=draw(providers()),
        subscriber=draw(members(False, ["18", "1L", "6P", "SY"], None)),
        trace=draw(traces),
        created=draw(moments),
        dependent=draw(members(True, ["EJ", "SY"], None)) if has_dependent else None,
        service_types=tuple(draw(st.lists(codes("SERVICE_TYPE"), max_size=4))),
        service_date=start,
        service_date_end=draw(optional(st.none(), days)) if start else None,
        reference=draw(maybe(ident)),
    )


MEMBER_DATES = ["291", "307", "346", "347", "356", "357", "472"]
BENEFIT_DATES = ["291", "292", "346", "347", "348", "349", "356", "357", "472"]

related_entities = st.builds(
    Entity,
    name=name,
    identifier=maybe(ident),
    id_qualifier=st.just("PI"),
    first_name=maybe(word),
    entity_code=codes("BENEFIT_ENTITY"),
    person=st.booleans(),
    address=optional(st.none(), addresses),
    contacts=st.lists(contacts, max_size=2).map(tuple),
    relationship=st.sampled_from(["", "01", "02", "41", "72"]),
).map(lambda e: replace(e, id_qualifier=e.id_qualifier if e.identifier else ""))

deliveries = st.one_of(
    st.builds(
        Delivery,
        quantity_qualifier=st.sampled_from(["VS", "DY"]),
        quantity=st.integers(1, 99).map(Decimal),
        unit=maybe(st.sampled_from(["DA", "WK", "YR"])),
        time_period=st.sampled_from(["22", "23", "27"]),
        periods=optional(st.none(), st.integers(1, 12)),
    ),
    st.builds(Delivery, time_period=st.sampled_from(["7", "34"]), periods=st.integers(1, 99)),
)


@st.composite
def benefits(draw: st.DrawFn, loop: str) -> Benefit:
    has_quantity = draw(st.booleans())
    has_procedure = draw(st.booleans())
    return Benefit(
        code=draw(codes("ELIGIBILITY_BENEFIT")),
        coverage_level=draw(maybe(codes("COVERAGE_LEVEL"))),
        service_types=tuple(draw(st.lists(codes("SERVICE_TYPE"), max_size=4))),
        insurance_type=draw(maybe(codes("INSURANCE_TYPE"))),
        plan_description=draw(maybe(name)),
        time_period=draw(maybe(codes("TIME_PERIOD"))),
        amount=draw(optional(st.none(), amounts)),
        percent=draw(optional(st.none(), st.integers(0, 100).map(lambda p: Decimal(p) / 100))),
        quantity_qualifier=draw(codes("BENEFIT_QUANTITY")) if has_quantity else "",
        quantity=Decimal(draw(st.integers(1, 999))) if has_quantity else None,
        authorization_required=draw(maybe(codes("YES_NO_UNKNOWN"))),
        in_network=draw(maybe(codes("IN_NETWORK"))),
        procedure_qualifier="HC" if has_procedure else "",
        procedure=draw(st.sampled_from(["99213", "97110", "J3420"])) if has_procedure else "",
        deliveries=tuple(draw(st.lists(deliveries, max_size=2))),
        references=tuple(
            draw(st.lists(st.tuples(st.sampled_from(["18", "6P", "9F", "G1"]), ident), max_size=2))
        ),
        dates=tuple(draw(st.lists(periods(BENEFIT_DATES), max_size=3))),
        rejections=tuple(draw(st.lists(rejections(st.just(loop)), max_size=2))),
        messages=tuple(draw(st.lists(name, max_size=2))),
        additional_info=tuple(
            draw(
                st.lists(st.tuples(st.just("ZZ"), st.sampled_from(["11", "21", "22"])), max_size=2)
            )
        ),
        entities=tuple(draw(st.lists(related_entities, max_size=2))),
    )


def rejections(loops: st.SearchStrategy[str]) -> st.SearchStrategy[Rejection]:
    return st.builds(
        Rejection,
        reason=codes("REJECT_REASON"),
        follow_up=codes("FOLLOW_UP_ACTION"),
        loop=loops,
        valid_request=st.booleans(),
    )


@st.composite
def responses(draw: st.DrawFn) -> EligibilityResponse:
    shape = draw(st.sampled_from(["rejected", "subscriber", "dependent"]))
    loops = list(HEADER_LOOPS[:3])
    subscriber = dependent = None
    if shape != "rejected":
        subscriber = draw(members(False, ["18", "1L", "6P", "IG"], MEMBER_DATES))
        subscriber = replace(subscriber, relationship=draw(st.sampled_from(["", "18"])))
        loops.append("2100C")
    if shape == "dependent":
        dependent = draw(members(True, ["EJ", "SY", "6P"], MEMBER_DATES))
        loops.append("2100D")
    found = draw(st.lists(rejections(st.sampled_from(loops)), max_size=4))
    found.sort(key=lambda r: HEADER_LOOPS.index(r.loop))
    patient_loop = "2110D" if dependent else "2110C"
    return EligibilityResponse(
        payer=replace(draw(payers), contacts=tuple(draw(st.lists(contacts, max_size=3)))),
        provider=draw(providers()),
        created=draw(moments),
        subscriber=subscriber,
        dependent=dependent,
        trace=draw(optional(st.none(), traces)) if subscriber else None,
        payer_trace=draw(optional(st.none(), traces)) if subscriber else None,
        benefits=tuple(draw(st.lists(benefits(patient_loop), max_size=4))) if subscriber else (),
        subscriber_benefits=(
            tuple(draw(st.lists(benefits("2110C"), max_size=2))) if dependent else ()
        ),
        rejections=tuple(found),
        reference=draw(maybe(ident)),
    )


def write(ts, functional_id: str, delimiters: Delimiters = DEFAULT_DELIMITERS) -> str:
    return write_interchange(
        ENVELOPE, functional_id, [ts], InMemoryControlNumbers(), NOW, delimiters
    )


# -- round trips ----------------------------------------------------------------------------


@SETTINGS
@given(requests())
def test_270_read_of_write_is_identity_and_valid(request):
    text = write(transaction_270(request), FUNCTIONAL_ID_270)
    back, report = read_270(text)
    assert report.findings == []
    assert back == [request]


@SETTINGS
@given(responses())
def test_271_read_of_write_is_identity_and_valid(response):
    text = write(transaction_271(response), FUNCTIONAL_ID_271)
    back, report = read_271(text)
    assert report.findings == []
    assert back == [response]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses())
def test_271_round_trip_with_other_delimiters(response):
    text = write(transaction_271(response), FUNCTIONAL_ID_271, Delimiters("|", ">", "!", "~", ""))
    back, report = read_271(text)
    assert report.findings == [] and back == [response]


# -- examples -------------------------------------------------------------------------------

PAYER = Entity("ACME HEALTH", "ACME1", "PI", entity_code="PR")
PROVIDER = Entity("HAPPY VALLEY CLINIC", "1234567893", "XX", entity_code="1P")
SUBSCRIBER = Member("STONE", "EMMA", member_id="W123456789", birth_date=date(1970, 1, 1), sex="F")
CREATED = datetime(2026, 3, 2, 14, 30)  # noqa: DTZ001 - a wall-clock time in a file


def response_with(*benefits: Benefit, **changes) -> EligibilityResponse:
    r = EligibilityResponse(PAYER, PROVIDER, CREATED, subscriber=SUBSCRIBER, benefits=benefits)
    return replace(r, **changes)


PLAN = response_with(
    Benefit("1", "IND", ("30",), "HM", "GOLD PLAN"),
    Benefit("C", "IND", ("30",), time_period="23", amount=Money("1500"), in_network="Y"),
    Benefit("C", "IND", ("30",), time_period="29", amount=Money("1200"), in_network="Y"),
    Benefit("C", "FAM", ("30",), time_period="23", amount=Money("3000"), in_network="Y"),
    Benefit("C", "IND", ("30",), time_period="23", amount=Money("3000"), in_network="N"),
    Benefit("G", "IND", ("30",), time_period="23", amount=Money("6000"), in_network="Y"),
    Benefit("G", "IND", ("30",), time_period="24", amount=Money("250"), in_network="Y"),
    Benefit("G", "IND", ("30",), time_period="29", amount=Money("5750"), in_network="Y"),
    Benefit("B", "IND", ("98",), time_period="27", amount=Money("25"), in_network="Y"),
    Benefit("B", "IND", ("98",), time_period="27", amount=Money("60"), in_network="N"),
    Benefit("A", "IND", ("98",), percent=Decimal("0.2"), in_network="Y"),
    Benefit("A", "IND", ("98",), percent=Decimal("0.4"), in_network="N"),
    Benefit("6", "IND", ("33",)),
    Benefit("B", "IND", ("UC",), amount=Money("50"), in_network="W", authorization_required="Y"),
)


def test_deductible_total_and_remaining_come_from_time_periods_23_and_29():
    d = PLAN.deductible("30")
    assert (d.total, d.remaining, d.met, d.time_period) == (
        Money("1500"),
        Money("1200"),
        None,
        "23",
    )
    assert PLAN.deductible("30", in_network=False).total == Money("3000")
    assert PLAN.deductible("30", coverage_level="FAM").total == Money("3000")


def test_out_of_pocket_has_total_met_so_far_and_remaining():
    oop = PLAN.out_of_pocket()
    assert (oop.total, oop.met, oop.remaining) == (Money("6000"), Money("250"), Money("5750"))
    assert PLAN.out_of_pocket(in_network=False).total is None


def test_copay_and_coinsurance_differ_in_and_out_of_network():
    assert PLAN.copay("98") == Money("25") and PLAN.copay("98", in_network=False) == Money("60")
    assert PLAN.coinsurance("98") == Decimal("0.2")
    assert PLAN.coinsurance("98", in_network=False) == Decimal("0.4")


def test_a_service_type_without_its_own_benefits_falls_back_to_the_plan_level():
    assert PLAN.is_active("98")
    assert PLAN.deductible("98").total == Money("1500")
    assert PLAN.copay("30") is None


def test_a_service_type_can_be_inactive_while_the_plan_is_active():
    assert PLAN.coverage_status("33") == "inactive" and PLAN.is_active("30")


def test_not_applicable_network_holds_for_both_and_authorization_is_reported():
    s = PLAN.summary("UC")
    assert s.in_network.copay == s.out_of_network.copay == Money("50")
    assert s.authorization_required is True and s.active


def test_a_rejected_response_is_not_active_and_lists_its_rejections():
    r = response_with(rejections=(Rejection("75", "C", "2100C"),))
    assert r.coverage_status() == "unknown" and not r.is_active() and r.rejected
    assert [x.reason for x in r.all_rejections] == ["75"]


def test_the_answers_are_the_same_after_writing_and_reading_the_271():
    (back,), report = read_271(write(transaction_271(PLAN), FUNCTIONAL_ID_271))
    assert report.findings == []
    for service_type in ("30", "98", "33", "UC", "AL"):
        assert back.summary(service_type) == PLAN.summary(service_type)
    assert back.deductible().remaining == Money("1200")


def test_plan_dates_come_from_346_347_or_a_291_range():
    m = replace(SUBSCRIBER, dates=(DatePeriod("291", date(2026, 1, 1), date(2026, 12, 31)),))
    assert (m.plan_begin, m.plan_end) == (date(2026, 1, 1), date(2026, 12, 31))
    m = replace(SUBSCRIBER, dates=(DatePeriod("346", date(2025, 7, 1)),))
    assert (m.plan_begin, m.plan_end) == (date(2025, 7, 1), None)


def test_a_written_270_has_the_expected_segments():
    request = EligibilityRequest(
        PAYER,
        PROVIDER,
        SUBSCRIBER,
        Trace("TRACE0001", "1234567890"),
        CREATED,
        service_types=("30", "98"),
        service_date=date(2026, 3, 2),
    )
    text = write(transaction_270(request), FUNCTIONAL_ID_270).replace("\n", "")
    assert "ST*270*0001*005010X279A1~" in text
    assert "TRN*1*TRACE0001*1234567890~NM1*IL*1*STONE*EMMA****MI*W123456789~" in text
    assert "DMG*D8*19700101*F~DTP*291*D8*20260302~EQ*30~EQ*98~" in text


def test_the_271_writes_service_types_with_the_repetition_separator():
    r = response_with(Benefit("1", "", ("1", "33", "98")))
    text = write(transaction_271(r), FUNCTIONAL_ID_271)
    assert "EB*1**1^33^98~\n" in text
    assert read_271(text)[0][0].benefits[0].service_types == ("1", "33", "98")


def test_a_repeating_value_cannot_be_written_without_a_repetition_separator():
    w = SegmentWriter(Delimiters(repetition=""))
    assert w.raw(["EB", "1", "", Repeated(("30",))]) == "EB*1**30"
    with pytest.raises(WriteError):
        w.raw(["EB", "1", "", Repeated(("1", "33"))])


def test_revcycle_refuses_to_write_a_270_that_breaks_the_guide():
    bad = EligibilityRequest(
        PAYER, PROVIDER, SUBSCRIBER, Trace("T1", "123"), CREATED, service_types=("30",)
    )
    with pytest.raises(WriteError):
        write(transaction_270(bad), FUNCTIONAL_ID_270)  # TRN03 must be 10 characters


# -- findings, not crashes ------------------------------------------------------------------

DEMO_271 = path("271/lfh__demo.271").read_text()


def test_each_repeated_service_type_is_checked_against_the_code_list():
    _, report = read_271(DEMO_271.replace("EB*1**1^33^35", "EB*1**1^Z9^35"))
    (f,) = report.findings
    assert (f.code, f.location.segment_id, f.location.element, f.bad_value) == (
        "x12.element.invalid_code",
        "EB",
        3,
        "Z9",
    )


def test_more_than_99_service_types_is_too_many_repetitions():
    many = "^".join(["30"] * 100)
    _, report = read_271(DEMO_271.replace("EB*1**30**GOLD", f"EB*1**{many}**GOLD"))
    assert [(f.code, f.element_error) for f in report.findings] == [
        ("x12.element.too_many_repetitions", "12")
    ]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t.replace("NM1*IL*1*SMITH*JOHN****MI*123456789~", ""),
        lambda t: t.replace("HL*3*2*22*0~", ""),
        lambda t: t.replace("EB*1**30**GOLD 123 PLAN~", "EB~"),
        lambda t: t.replace("DMG*D8*19630519*M", "DMG*D8*1963*X"),
        lambda t: t.replace("BHT*0022*11*10001234*20060501*1319", "BHT*0022"),
        lambda t: t.replace("LS*2120~", "").replace("LE*2120~", "LE*2120~REF*6P*X~"),
        lambda t: t.split("EB*B")[0],
    ],
)
def test_a_broken_271_is_read_with_findings(mangle):
    responses, report = read_271(mangle(DEMO_271))
    assert report.findings
    assert all(isinstance(r, EligibilityResponse) for r in responses)


def test_a_broken_270_is_read_with_findings():
    text = path("270/badx12__unknown_segment_error.edi").read_text()
    requests, report = read_270(text)
    assert report.errors and isinstance(requests, list)


def test_parse_gives_the_271_answer_as_json():
    data, _ = parse(DEMO_271)
    (t,) = data["transactions"]
    (r,) = t["responses"]
    assert t["type"] == "271" and r["active"] is True
    assert r["subscriber"]["member_id"] == "123456789"
    assert r["summary"]["98"]["copay"] == "10.00"
    assert r["summary"]["98"]["out_of_network_copay"] == "30.00"


def test_the_validator_validates_what_it_reads_of_a_270():
    report = Validator().run(Reader(path("270/lfh__dependent-health-benefit-check.270")))
    assert report.valid and report.findings == []


def test_the_service_type_list_holds_every_two_character_code_of_the_codesets_list():
    from revcycle.codesets.reference import bundled_lists

    known = {e.code for e in bundled_lists()["service_type_271"].rows() if len(e.code) <= 2}
    assert known <= CODE_LISTS["SERVICE_TYPE"]
