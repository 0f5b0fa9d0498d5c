"""Round trips through the X12 engine: parse(write(x)) == x, and what is written is valid."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revcycle.domain.money import Money
from revcycle.domain.remittance import (
    Adjustment,
    ClaimPayment,
    Payment,
    ProviderAdjustment,
    RemitParty,
    Remittance,
    ServicePayment,
)
from revcycle.x12.acks import AckBuilder, build_acks
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.ack277 import (
    ClaimAcknowledgment,
    ClaimStatus,
    read_277ca,
    transaction_277ca,
)
from revcycle.x12.mapping.claim837 import write_837
from revcycle.x12.mapping.remit835 import read_835, transaction_835
from revcycle.x12.parse import parse
from revcycle.x12.reader import Reader
from revcycle.x12.validator import Validator
from revcycle.x12.writer import fmt, write_interchange
from tests.unit.x12.samples import ENVELOPE, NOW, SUBMITTER, line, professional

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

word = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12)
ident = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=2, max_size=20)
cents = st.integers(min_value=-99_999_99, max_value=99_999_99)
positive_cents = st.integers(min_value=0, max_value=99_999_99)
money = cents.map(lambda c: Money(Decimal(c) / 100))
positive_money = positive_cents.map(lambda c: Money(Decimal(c) / 100))
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
quantity = st.one_of(st.none(), st.integers(1, 999).map(Decimal))


def adjustments(max_size: int = 4) -> st.SearchStrategy[tuple[Adjustment, ...]]:
    adj = st.builds(
        Adjustment,
        group=st.sampled_from(["CO", "PR", "OA", "PI"]),
        reason=st.sampled_from(["1", "2", "3", "45", "97", "253", "B7"]),
        amount=money,
        quantity=quantity,
    )
    return st.lists(adj, max_size=max_size).map(
        # the writer groups CAS by group code; keep that order so equality is exact
        lambda xs: tuple(sorted(xs, key=lambda a: ["CO", "PR", "OA", "PI"].index(a.group)))
    )


service = st.builds(
    ServicePayment,
    procedure=st.text(alphabet="0123456789ABCDEFGJ", min_size=5, max_size=5),
    charge=money,
    paid=money,
    modifiers=st.lists(st.sampled_from(["25", "59", "GP", "KX", "QW", "RT", "LT"]), max_size=4).map(
        tuple
    ),
    units=st.integers(1, 99).map(Decimal),
    line_control_number=ident,
    service_date=days,
    adjustments=adjustments(),
    allowed=st.one_of(st.none(), positive_money),
    remarks=st.lists(st.sampled_from(["N130", "M15", "MA130"]), max_size=2).map(tuple),
)

claim = st.builds(
    ClaimPayment,
    patient_control_number=ident,
    status=st.sampled_from(["1", "2", "3", "4", "19", "22"]),
    charge=money,
    paid=money,
    patient_responsibility=st.one_of(st.none(), positive_money),
    claim_filing_indicator=st.sampled_from(["12", "MB", "CI", "MC"]),
    payer_claim_control_number=ident,
    facility_type=st.sampled_from(["11", "13", "21"]),
    frequency=st.sampled_from(["1", "7", "8"]),
    patient_name=st.tuples(word, word).map(" ".join),
    patient_member_id=st.one_of(st.just(""), ident),
    statement_from=st.one_of(st.none(), days),
    statement_to=st.one_of(st.none(), days),
    adjustments=adjustments(2),
    lines=st.lists(service, max_size=4).map(tuple),
    amounts=st.lists(st.sampled_from(["AU", "DY", "F5", "I"]), unique=True, max_size=3).flatmap(
        lambda qs: st.tuples(*[st.tuples(st.just(q), positive_money) for q in qs])
    ),
    remarks=st.lists(st.sampled_from(["MA01", "MA18", "N89"]), max_size=3).map(tuple),
)

remittance = st.builds(
    Remittance,
    payment=st.builds(
        Payment,
        amount=positive_money,
        method=st.sampled_from(["ACH", "CHK", "NON"]),
        date=days,
        trace_number=ident,
        payer_identifier=st.text(alphabet="0123456789", min_size=10, max_size=10),
    ),
    payer=st.builds(
        RemitParty,
        name=word,
        identifier=ident,
        id_qualifier=st.just("XV"),
        address_line=word,
        city=word.filter(lambda w: len(w) >= 2),
        state=st.sampled_from(["NY", "CT", "IL"]),
        postal_code=st.text(alphabet="0123456789", min_size=5, max_size=9),
    ),
    payee=st.builds(RemitParty, name=word, identifier=ident, id_qualifier=st.just("XX")),
    claims=st.lists(claim, max_size=5).map(tuple),
    provider_adjustments=st.lists(
        st.builds(
            ProviderAdjustment,
            reason=st.sampled_from(["WO", "FB", "L6", "72"]),
            amount=money,
            reference=ident,
            provider_id=ident,
            fiscal_period_end=days,
        ),
        max_size=3,
    ).map(tuple),
    production_date=days,
)


@SETTINGS
@given(remittance)
def test_835_parse_of_write_is_identity(r):
    text = write_interchange(
        ENVELOPE, "HP", [transaction_835(r)], InMemoryControlNumbers(), NOW, check=False
    )
    (back,), report = read_835(text)
    assert back == r
    # structure and elements are always valid; only balancing depends on the random amounts
    assert all(f.code.startswith("x12.balance") for f in report.findings)


@SETTINGS
@given(
    st.lists(
        st.tuples(
            ident,
            st.integers(1, 99_999),
            st.lists(st.sampled_from(["25", "59", "GP", "KX"]), max_size=4),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    )
)
def test_837_written_claims_are_valid_and_read_back(specs):
    claims = []
    for pcn, amount, mods in specs:
        charge = Money(Decimal(amount) / 100)
        claims.append(
            replace(
                professional(),
                patient_control_number=pcn,
                total_charge=charge,
                lines=(line(1, "99213", str(charge.amount), modifiers=tuple(mods)),),
            )
        )
    text = write_837(claims, SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW)
    data, report = parse(text)
    assert report.valid and report.findings == []
    read = [
        (
            c["patient_control_number"],
            c["charge"],
            c["lines"][0]["modifiers"],
            c["lines"][0]["line_control_number"],
        )
        for c in data["transactions"][0]["claims"]
    ]
    assert read == [
        (c.patient_control_number, fmt(c.total_charge, ":"), list(c.lines[0].modifiers), "LCN0001")
        for c in claims
    ]


@st.composite
def status(draw: st.DrawFn) -> ClaimStatus:
    start = draw(st.one_of(st.none(), days))
    return ClaimStatus(
        patient_control_number=draw(ident),
        category=draw(st.sampled_from(["A1", "A2", "A3", "A6", "A7"])),
        status_code=draw(st.sampled_from(["19", "20", "21", "562"])),
        status_date=draw(days),
        charge=draw(positive_money),
        patient_last_name=draw(word),
        patient_first_name=draw(word),
        member_id=draw(ident),
        payer_claim_control_number=draw(st.one_of(st.just(""), ident)),
        service_from=start,
        service_to=None
        if start is None
        else draw(st.one_of(st.none(), st.just(start + timedelta(days=3)))),
        entity=draw(st.sampled_from(["", "85", "IL"])),
    )


@SETTINGS
@given(st.lists(status(), min_size=1, max_size=5), word, ident, days)
def test_277ca_parse_of_write_is_identity(statuses, payer, trace, day):
    ack = ClaimAcknowledgment(
        payer,
        "P1",
        "CLINIC",
        "S1",
        "CLINIC",
        "1234567893",
        day,
        day + timedelta(days=1),
        trace,
        tuple(statuses),
    )
    text = write_interchange(
        ENVELOPE, "HN", [transaction_277ca(ack)], InMemoryControlNumbers(), NOW
    )
    (back,), report = read_277ca(text)
    assert report.findings == []
    assert back == ack
    data, _ = parse(text)
    assert [c["accepted"] for c in data["transactions"][0]["claims"]] == [
        s.accepted for s in statuses
    ]


@SETTINGS
@given(st.lists(st.booleans(), min_size=1, max_size=4))
def test_999_read_back_gives_the_accepted_and_rejected_sets(broken):
    claims = [replace(professional(), patient_control_number=f"P{i}") for i in range(len(broken))]
    text = write_837(claims, SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW, per_set=1)
    sets = text.split("ST*837*")
    for i, bad in enumerate(broken, start=1):
        if bad:
            sets[i] = sets[i].replace("CLM*P", "CLM*", 1).replace("*11:B:1*", "*11:Z:1*", 1)
    report = Validator().run(Reader("ST*837*".join(sets)))
    *_, ack = build_acks(report, InMemoryControlNumbers(), NOW)
    builder = AckBuilder()
    Validator(_Forward(builder)).run(Reader(ack.text))
    (group,) = builder.groups
    assert [s.accepted for s in group.sets] == [not b for b in broken]
    # the IK3 / IK4 of each set are the findings of that set, at their positions
    results = [s for ic in report.interchanges for g in ic.groups for s in g.sets]
    for acked, result in zip(group.sets, results, strict=True):
        expected = {
            (f.location.segment_id, str(f.location.set_segment_number), f.element_error)
            for f in result.findings
            if f.is_error and f.segment_error
        }
        got = {
            (e["segment"], e["position"], e.get("element_error", ""))
            for e in acked.errors
            if "element_error" in e
        }
        assert got == expected


class _Forward:
    def __init__(self, builder):
        self.builder = builder

    def start_set(self, key, st, delimiters):
        pass

    def segment(self, loop_id, els):
        self.builder.segment(loop_id, els)

    def end_set(self):
        pass
