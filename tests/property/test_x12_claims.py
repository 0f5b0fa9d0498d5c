"""837P / 837I: parse(write(claim)) == claim for generated claims, and the output is valid."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revcycle.domain.claim import (
    Address,
    Claim,
    ClaimAdjustment,
    ClaimKind,
    Diagnosis,
    Drug,
    Frequency,
    InstitutionalInfo,
    LineAdjudication,
    OtherPayer,
    Patient,
    Payer,
    Person,
    Provider,
    ServiceLine,
    Subscriber,
)
from revcycle.domain.money import Money
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.claim837 import read_837, write_837
from tests.unit.x12.samples import ENVELOPE, NOW, SUBMITTER

GROUPS = ["CO", "PR", "OA", "PI"]
word = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=15)
ident = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=2, max_size=15)
digits = lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)  # noqa: E731
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))
amount = st.integers(1, 999_999).map(lambda c: Money(Decimal(c) / 100))
address = st.builds(
    Address, line1=word, city=word.filter(lambda w: len(w) >= 2), state=st.sampled_from(["IL", "NY", "TX"]),
    postal_code=st.one_of(digits(5), digits(9)), line2=st.one_of(st.just(""), word),
)  # fmt: skip


def provider(
    person: bool | None = None, taxonomy: bool = False, with_address: bool = False
) -> st.SearchStrategy[Provider]:
    return st.builds(
        Provider,
        last_or_org_name=word,
        npi=digits(10),
        is_person=st.booleans() if person is None else st.just(person),
        first_name=st.just(""),
        taxonomy=st.sampled_from(["207Q00000X", "208D00000X"]) if taxonomy else st.just(""),
        address=address if with_address else st.none(),
    ).map(lambda p: p if not p.is_person else _with_first(p))


def _with_first(p: Provider) -> Provider:
    return replace(p, first_name="ANNA")


def person(dmg: bool = True, with_address: bool = True) -> st.SearchStrategy[Person]:
    return st.builds(
        Person,
        last_name=word,
        first_name=word,
        middle_name=st.one_of(st.just(""), word),
        birth_date=days if dmg else st.none(),
        sex=st.sampled_from(["M", "F", "U"]) if dmg else st.just("U"),
        address=address if with_address else st.one_of(st.none(), address),
    )


def adjustments(max_size: int = 3) -> st.SearchStrategy[tuple[ClaimAdjustment, ...]]:
    adj = st.builds(
        ClaimAdjustment, group=st.sampled_from(GROUPS), reason=st.sampled_from(["1", "2", "45", "97"]),
        amount=amount, quantity=st.one_of(st.none(), st.integers(1, 9).map(Decimal)),
    )  # fmt: skip
    return st.lists(adj, max_size=max_size).map(
        lambda xs: tuple(sorted(xs, key=lambda a: GROUPS.index(a.group)))
    )


@st.composite
def service_line(draw: st.DrawFn, prof: bool, n: int) -> ServiceLine:
    start = draw(days)
    has_proc = prof or draw(st.booleans())
    return ServiceLine(
        procedure_code=draw(st.sampled_from(["99213", "81002", "J1100", "97110"])) if has_proc else "",
        charge=draw(amount),
        units=Decimal(draw(st.integers(1, 20))),
        service_date=start,
        line_control_number=f"L{n}{draw(ident)}",
        modifiers=tuple(draw(st.lists(st.sampled_from(["25", "59", "GP", "KX"]), max_size=4))) if has_proc else (),
        diagnosis_pointers=tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))) if prof else (1,),
        unit_basis=draw(st.sampled_from(["UN", "MJ"] if prof else ["UN", "DA"])),
        place_of_service=draw(st.sampled_from(["", "22"])) if prof else "",
        service_date_end=draw(st.one_of(st.none(), st.integers(1, 5).map(lambda k: start + timedelta(days=k)))),
        revenue_code="" if prof else draw(st.sampled_from(["0305", "0730", "0450"])),
        drug=draw(st.one_of(st.none(), st.builds(Drug, ndc=digits(11), quantity=st.integers(1, 9).map(Decimal), unit=st.sampled_from(["UN", "ML"])))),
        rendering_provider=draw(st.one_of(st.none(), provider())) if prof else None,
        emergency=draw(st.booleans()) if prof else False,
        epsdt=draw(st.booleans()) if prof else False,
    )  # fmt: skip


@st.composite
def balanced_adjustments(draw: st.DrawFn, total_cents: int) -> tuple[ClaimAdjustment, ...]:
    """CAS amounts that add up to ``total_cents`` (the 837 COB balancing rules need it)."""
    if total_cents == 0:
        return ()
    cuts = sorted(draw(st.lists(st.integers(1, total_cents), max_size=2, unique=True)))
    edges = [0, *[c for c in cuts if c < total_cents], total_cents]
    parts = [b - a for a, b in pairwise(edges)]
    adjs = [
        ClaimAdjustment(
            draw(st.sampled_from(GROUPS)),
            draw(st.sampled_from(["1", "2", "45"])),
            Money(Decimal(p) / 100),
        )
        for p in parts
    ]
    return tuple(sorted(adjs, key=lambda a: GROUPS.index(a.group)))


@st.composite
def other_payer(draw: st.DrawFn, payer_id: str, lines: tuple[ServiceLine, ...]) -> OtherPayer:
    """A prior payer whose line adjudications balance: SV102 = SVD02 + CAS, and AMT*D is
    the sum of its SVD02 when it adjudicated lines."""
    adjs = []
    for n, line in enumerate(lines, start=1):
        if draw(st.booleans()):
            charge = int(line.charge.amount * 100)
            paid = draw(st.integers(0, charge))
            adjs.append(
                LineAdjudication(
                    line_number=n, paid=Money(Decimal(paid) / 100), procedure_code=line.procedure_code or "99213",
                    units=line.units, adjudication_date=draw(days), modifiers=line.modifiers,
                    revenue_code=line.revenue_code, adjustments=draw(balanced_adjustments(charge - paid)),
                    remaining_patient_liability=draw(st.one_of(st.none(), amount)),
                )
            )  # fmt: skip
    paid_total = Money.sum(a.paid for a in adjs) if adjs else draw(st.one_of(st.none(), amount))
    return OtherPayer(
        payer=Payer(draw(word), payer_id),
        subscriber=draw(person(dmg=False, with_address=False)),
        member_id=draw(ident),
        responsibility=draw(st.sampled_from(["P", "S", "T"])),
        relationship=draw(st.sampled_from(["18", "01", "19"])),
        claim_filing_indicator=draw(st.sampled_from(["CI", "MB", "MC", "BL"])),
        group_number=draw(st.one_of(st.just(""), ident)),
        paid=paid_total,
        remaining_patient_liability=draw(st.one_of(st.none(), amount)),
        adjustments=() if adjs else draw(adjustments()),
        adjudication_date=None if adjs else draw(st.one_of(st.none(), days)),
        payer_claim_control_number=draw(st.one_of(st.just(""), ident)),
        line_adjudications=tuple(adjs),
        release_of_information=draw(st.sampled_from(["I", "Y"])),
        benefits_assigned=draw(st.sampled_from(["Y", "N"])),
    )


@st.composite
def claims(draw: st.DrawFn, kind: ClaimKind) -> Claim:
    prof = kind is ClaimKind.PROFESSIONAL
    n_lines = draw(st.integers(1, 4))
    lines = tuple(draw(service_line(prof, n)) for n in range(1, n_lines + 1))
    frequency = draw(st.sampled_from(list(Frequency)))
    ids = draw(st.lists(ident, unique=True, max_size=2))
    others = tuple(draw(other_payer(f"OP{i}", lines)) for i in ids)
    n_diag = draw(st.integers(1, 12 if prof else 25))
    diagnoses = tuple(
        Diagnosis(draw(st.sampled_from(["J069", "R05", "E119", "I10", "Z0000"])), "" if prof else draw(st.sampled_from(["", "Y", "N", "U"])))
        for _ in range(n_diag)
    )  # fmt: skip
    sub_person = draw(person())
    group = draw(st.one_of(st.just(""), ident))
    inst = None
    if not prof:
        start = draw(days)
        inst = InstitutionalInfo(
            facility_type=draw(st.sampled_from(["11", "13", "83"])),
            statement_from=start,
            statement_to=start + timedelta(days=draw(st.integers(0, 5))),
            admission_type=draw(st.sampled_from(["1", "2", "3"])),
            admission_source=draw(st.sampled_from(["1", "7"])),
            patient_status=draw(st.sampled_from(["01", "02"])),
            admission_date=draw(st.one_of(st.none(), days)),
            admission_hour=draw(st.sampled_from(["", "0930"])),
            discharge_hour=draw(st.sampled_from(["", "1415"])),
            admitting_diagnosis=draw(st.one_of(st.none(), st.just(Diagnosis("R0789")))),
            reasons_for_visit=tuple(Diagnosis(c) for c in draw(st.lists(st.sampled_from(["R0789", "R0602"]), max_size=3))),
            attending_provider=draw(st.one_of(st.none(), provider(True, taxonomy=True))),
            operating_provider=draw(st.one_of(st.none(), provider(True))),
        )  # fmt: skip
        if inst.admission_date is None:
            inst = replace(inst, admission_hour="")
    return Claim(
        kind=kind,
        patient_control_number=draw(ident),
        total_charge=Money.sum(line.charge for line in lines),
        billing_provider=_billing(draw, prof),
        subscriber=Subscriber(
            sub_person, draw(ident), draw(st.sampled_from(["P", "S", "T"])), "18", group,
            "" if group else draw(st.one_of(st.just(""), word)), draw(st.sampled_from(["CI", "MB", "MC"])),
        ),
        payer=Payer(draw(word), draw(ident)),
        diagnoses=diagnoses,
        lines=lines,
        place_of_service=draw(st.sampled_from(["11", "21"])) if prof else "11",
        frequency=frequency,
        original_reference=draw(ident) if frequency is not Frequency.ORIGINAL else draw(st.one_of(st.just(""), ident)),
        patient=draw(st.one_of(st.none(), st.builds(Patient, person(), st.sampled_from(["01", "19", "21"])))),
        provider_signature=draw(st.booleans()) if prof else True,
        assignment=draw(st.sampled_from(["A", "B", "C"])),
        benefits_assigned=draw(st.sampled_from(["Y", "N", "W"])),
        release_of_information=draw(st.sampled_from(["I", "Y"])),
        prior_authorization=draw(st.one_of(st.just(""), ident)),
        referral_number=draw(st.one_of(st.just(""), ident)),
        medical_record_number=draw(st.one_of(st.just(""), ident)),
        onset_date=draw(st.one_of(st.none(), days)) if prof else None,
        referring_provider=draw(st.one_of(st.none(), provider(True))),
        rendering_provider=draw(st.one_of(st.none(), provider(taxonomy=True))) if prof else None,
        supervising_provider=draw(st.one_of(st.none(), provider(True))) if prof else None,
        service_facility=draw(st.one_of(st.none(), provider(False, with_address=True))),
        pay_to_address=draw(st.one_of(st.none(), address)),
        other_payers=others,
        institutional=inst,
        notes=draw(st.one_of(st.just(""), word)),
    )  # fmt: skip


def _billing(draw: st.DrawFn, prof: bool) -> Provider:
    """837I: an organization with a 9-digit ZIP (the institutional guide requires both)."""
    p = draw(provider(None if prof else False, taxonomy=True, with_address=True))
    assert p.address is not None
    if not prof:
        p = replace(p, address=replace(p.address, postal_code=draw(digits(9))))
    return replace(p, tax_id=draw(digits(9)), tax_id_type=draw(st.sampled_from(["EI", "SY"])))


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(st.lists(claims(ClaimKind.PROFESSIONAL), min_size=1, max_size=3))
def test_837p_parse_of_write_is_identity(batch):
    text = write_837(batch, SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW)
    back, report = read_837(text)
    assert report.findings == []
    assert back == batch
    # claims of one billing provider share its 2000A level
    shared = [
        replace(c, billing_provider=batch[0].billing_provider, pay_to_address=None) for c in batch
    ]
    text = write_837(shared, SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW)
    assert text.count("HL*1**20*1~") == 1 and text.count("*20*1~") == 1
    assert read_837(text)[0] == shared


@SETTINGS
@given(st.lists(claims(ClaimKind.INSTITUTIONAL), min_size=1, max_size=3))
def test_837i_parse_of_write_is_identity(batch):
    text = write_837(batch, SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW)
    back, report = read_837(text)
    assert report.findings == []
    assert back == batch
