"""270 / 271 <-> ``EligibilityRequest`` / ``EligibilityResponse`` (005010X279A1).

Writing: ``transaction_270(request)`` and ``transaction_271(response)`` give the segments of
one transaction set for ``write_interchange`` (functional groups ``HS`` and ``HB``); the
patient's trace, date of service and inquiries go to the dependent level when there is a
dependent, else to the subscriber's.

Reading: ``read_270`` / ``read_271`` run the validator with a sink and build one request or
response per patient (per 2000C subscriber without dependents, per 2000D dependent), in file
order; a 271 that the payer rejected above the subscriber (AAA at 2000A/2100A/2100B) gives one
response without a subscriber. The builders never raise on content: missing or bad values
become empty strings, ``None`` or 1900-01-01 (a missing BHT date), and the validator's report
says what was wrong.

What is read of a 270's members: names, ID, birth date, sex, address, references, the
dependent's relationship; other 2100C/D dates than the date of service (DTP*291), diagnoses
(HI), provider information (PRV) and procedure inquiries (EQ02) are not kept. A 271's MPI and
HI, and PRV of related entities, are not kept either.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

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
from revcycle.x12.mapping.common import (
    d8,
    date_json,
    decimal,
    decimal_json,
    el,
    money,
    money_json,
)
from revcycle.x12.reader import Delimiters, Reader
from revcycle.x12.validator import ValidationReport, Validator
from revcycle.x12.writer import DEFAULT_DELIMITERS, Elements, Repeated, Segment, TransactionSet

VERSION = "005010X279A1"
FUNCTIONAL_ID_270 = "HS"
FUNCTIONAL_ID_271 = "HB"
NO_DATE = datetime.combine(date(1900, 1, 1), time())
HEADER_LOOPS = ("2000A", "2100A", "2100B", "2100C", "2100D")

Source = str | bytes | Path | IO[str] | IO[bytes]


# -- writing: pieces shared with the claim status mapping -----------------------------------


def bht_time(moment: datetime) -> str:
    return f"{moment.hour:02d}{moment.minute:02d}"


def entity_nm1(e: Entity, code: str, qualifier: str, related: bool = False) -> Elements:
    """The NM1 of a payer, provider or related entity (``code`` / ``qualifier``: the usual
    NM101 / NM108 of the place, used when the entity leaves them empty)."""
    nm1: Elements = [
        "NM1",
        e.entity_code or code,
        "1" if e.person else "2",
        e.name,
        e.first_name,
        "",
        "",
        "",
        (e.id_qualifier or qualifier) if e.identifier else "",
        e.identifier,
    ]
    if related and e.relationship:
        nm1.append(e.relationship)
    return nm1


def member_nm1(m: Member, code: str, with_id: bool = True) -> Elements:
    ident = m.member_id if with_id else ""
    return [
        "NM1",
        code,
        "1",
        m.last_name,
        m.first_name,
        m.middle_name,
        "",
        m.suffix,
        (m.id_qualifier or "MI") if ident else "",
        ident,
    ]


def address_segments(a: Address | None) -> list[Segment]:
    if a is None:
        return []
    return [["N3", a.line1, a.line2], ["N4", a.city, a.state, a.postal_code]]


def contact_segment(c: Contact) -> Elements:
    per: Elements = ["PER", "IC", c.name]
    for qualifier, number in c.numbers[:3]:
        per += [qualifier, number]
    return per


def dtp(qualifier: str, start: date, end: date | None = None) -> Elements:
    if end is None:
        return ["DTP", qualifier, "D8", start]
    return ["DTP", qualifier, "RD8", f"{start:%Y%m%d}-{end:%Y%m%d}"]


def dmg(m: Member) -> list[Segment]:
    if m.birth_date is None and not m.sex:
        return []
    return [["DMG", "D8" if m.birth_date else "", m.birth_date, m.sex]]


def _trn(t: Trace | None, kind: str) -> list[Segment]:
    if t is None:
        return []
    return [["TRN", kind, t.number, t.originator, t.additional]]


def _refs(refs: Iterable[tuple[str, str]]) -> list[Segment]:
    return [["REF", q, v] for q, v in refs]


def _aaa(rejections: Iterable[Rejection]) -> list[Segment]:
    return [["AAA", "Y" if r.valid_request else "N", "", r.reason, r.follow_up] for r in rejections]


# -- 270 ------------------------------------------------------------------------------------


def _member_270(r: EligibilityRequest, m: Member, code: str, patient: bool) -> list[Segment]:
    """A subscriber's (IL) or dependent's (03) level after its HL: the patient's carries the
    trace, the date of service and one EQ per service type asked about."""
    segs: list[Segment] = _trn(r.trace, "1") if patient else []
    segs.append(member_nm1(m, code, with_id=code == "IL"))
    segs += _refs(m.references) + address_segments(m.address) + dmg(m)
    if code == "03" and m.relationship:
        segs.append(["INS", "N", m.relationship])
    if patient:
        if r.service_date is not None:
            segs.append(dtp("291", r.service_date, r.service_date_end))
        segs += [["EQ", service_type] for service_type in r.service_types]
    return segs


def transaction_270(request: EligibilityRequest) -> TransactionSet:
    """The segments of one 270 asking about ``request.patient``."""
    r = request
    dep = r.dependent
    segs: list[Segment] = [
        ["BHT", "0022", "13", r.reference, r.created.date(), bht_time(r.created)],
        ["HL", "1", "", "20", "1"],
        entity_nm1(r.payer, "PR", "PI"),
        ["HL", "2", "1", "21", "1"],
        entity_nm1(r.provider, "1P", "XX"),
        *address_segments(r.provider.address),
        ["HL", "3", "2", "22", "1" if dep else "0"],
        *_member_270(r, r.subscriber, "IL", patient=dep is None),
    ]
    if dep is not None:
        segs.append(["HL", "4", "3", "23", "0"])
        segs += _member_270(r, dep, "03", patient=True)
    return TransactionSet("270", VERSION, segs)


# -- 271 ------------------------------------------------------------------------------------


def _benefit_segments(b: Benefit) -> list[Segment]:
    segs: list[Segment] = [
        [
            "EB",
            b.code,
            b.coverage_level,
            Repeated(b.service_types),
            b.insurance_type,
            b.plan_description,
            b.time_period,
            b.amount,
            b.percent,
            b.quantity_qualifier,
            b.quantity,
            b.authorization_required,
            b.in_network,
            [b.procedure_qualifier, b.procedure] if b.procedure else None,
        ]
    ]
    for d in b.deliveries:
        segs.append(
            [
                "HSD", d.quantity_qualifier, d.quantity, d.unit, d.sample_modulus, d.time_period,
                None if d.periods is None else str(d.periods), d.frequency, d.time,
            ]
        )  # fmt: skip
    segs += _refs(b.references)
    segs += [dtp(d.qualifier, d.start, d.end) for d in b.dates]
    segs += _aaa(b.rejections)
    segs += [["MSG", m] for m in b.messages]
    segs += [["III", q, code] for q, code in b.additional_info]
    if b.entities:
        segs.append(["LS", "2120"])
        for e in b.entities:
            segs.append(entity_nm1(e, "PR", "PI", related=True))
            segs += address_segments(e.address)
            segs += [contact_segment(c) for c in e.contacts]
        segs.append(["LE", "2120"])
    return segs


def _member_271(
    m: Member, code: str, rejections: list[Rejection], benefits: Iterable[Benefit]
) -> list[Segment]:
    segs: list[Segment] = [member_nm1(m, code, with_id=code == "IL")]
    segs += _refs(m.references)
    segs += address_segments(m.address)
    segs += _aaa(rejections)
    segs += dmg(m)
    if m.relationship:
        segs.append(["INS", "Y" if code == "IL" else "N", m.relationship])
    segs += [dtp(d.qualifier, d.start, d.end) for d in m.dates]
    for b in benefits:
        segs += _benefit_segments(b)
    return segs


def transaction_271(response: EligibilityResponse) -> TransactionSet:
    """The segments of one 271 for ``response`` (the payer simulator's answer).

    A rejection goes to the loop it names; one naming a loop this response does not have
    (2100C without a subscriber, 2100D without a dependent) goes to the deepest one written.
    """
    r = response
    by_loop: dict[str, list[Rejection]] = {loop: [] for loop in HEADER_LOOPS}
    deepest = "2100D" if r.dependent else "2100C" if r.subscriber else "2100B"
    for rej in r.rejections:
        loop = rej.loop if rej.loop in by_loop else deepest
        if HEADER_LOOPS.index(loop) > HEADER_LOOPS.index(deepest):
            loop = deepest
        by_loop[loop].append(rej)
    segs: list[Segment] = [
        ["BHT", "0022", "11", r.reference, r.created.date(), bht_time(r.created)],
        ["HL", "1", "", "20", "1"],
        *_aaa(by_loop["2000A"]),
        entity_nm1(r.payer, "PR", "PI"),
        *[contact_segment(c) for c in r.payer.contacts],
        *_aaa(by_loop["2100A"]),
        ["HL", "2", "1", "21", "1" if r.subscriber else "0"],
        entity_nm1(r.provider, "1P", "XX"),
        *address_segments(r.provider.address),
        *_aaa(by_loop["2100B"]),
    ]
    if r.subscriber is not None:
        dep = r.dependent
        segs.append(["HL", "3", "2", "22", "1" if dep else "0"])
        if dep is None:
            segs += _trn(r.trace, "2") + _trn(r.payer_trace, "1")
            segs += _member_271(r.subscriber, "IL", by_loop["2100C"], r.benefits)
        else:
            segs += _member_271(r.subscriber, "IL", by_loop["2100C"], r.subscriber_benefits)
            segs.append(["HL", "4", "3", "23", "0"])
            segs += _trn(r.trace, "2") + _trn(r.payer_trace, "1")
            segs += _member_271(dep, "03", by_loop["2100D"], r.benefits)
    return TransactionSet("271", VERSION, segs)


# -- reading: pieces shared with the claim status mapping -----------------------------------


def bht_created(bht: list[str]) -> datetime:
    day = d8(el(bht, 4))
    clock = el(bht, 5)
    if day is None:
        return NO_DATE
    if len(clock) >= 4 and clock[:4].isdigit() and int(clock[:2]) < 24 and int(clock[2:4]) < 60:
        return datetime.combine(day, time(int(clock[:2]), int(clock[2:4])))
    return datetime.combine(day, time())


def read_dtp(els: list[str]) -> DatePeriod | None:
    fmt_, value = el(els, 2), el(els, 3)
    if fmt_ == "RD8":
        start, _, end = value.partition("-")
        first, last = d8(start), d8(end)
        if first is None or last is None:
            return None
        return DatePeriod(el(els, 1), first, last)
    day = d8(value)
    return None if day is None else DatePeriod(el(els, 1), day)


def read_address(n3: list[str], n4: list[str]) -> Address | None:
    if not n3 and not n4:
        return None
    return Address(
        line1=el(n3, 1), city=el(n4, 1), state=el(n4, 2), postal_code=el(n4, 3), line2=el(n3, 2)
    )


def read_contact(els: list[str]) -> Contact:
    numbers = tuple((el(els, i), el(els, i + 1)) for i in (3, 5, 7) if el(els, i) or el(els, i + 1))
    return Contact(el(els, 2), numbers)


@dataclass
class Party:
    """The segments of one NM1 loop, collected while reading."""

    nm1: list[str] = field(default_factory=list)
    n3: list[str] = field(default_factory=list)
    n4: list[str] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def entity(self) -> Entity:
        e = self.nm1
        return Entity(
            name=el(e, 3),
            identifier=el(e, 9),
            id_qualifier=el(e, 8),
            first_name=el(e, 4),
            entity_code=el(e, 1),
            person=el(e, 2) == "1",
            address=read_address(self.n3, self.n4),
            contacts=tuple(self.contacts),
            relationship=el(e, 10),
        )

    def address_segment(self, sid: str, els: list[str]) -> bool:
        if sid == "N3":
            self.n3 = els
        elif sid == "N4":
            self.n4 = els
        elif sid == "PER":
            self.contacts.append(read_contact(els))
        else:
            return False
        return True


@dataclass
class MemberParts:
    """The segments of one subscriber or dependent level, collected while reading."""

    party: Party = field(default_factory=Party)
    dmg: list[str] = field(default_factory=list)
    ins: list[str] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)
    dates: list[DatePeriod] = field(default_factory=list)
    traces: list[list[str]] = field(default_factory=list)
    benefits: list[_BenefitParts] = field(default_factory=list)
    inquiries: list[str] = field(default_factory=list)  # 270: EQ01 codes
    service_dates: list[DatePeriod] = field(default_factory=list)  # 270: DTP*291
    dependents: list[MemberParts] = field(default_factory=list)

    def member(self) -> Member:
        e = self.party.nm1
        dob = d8(el(self.dmg, 2)) if el(self.dmg, 1) in ("D8", "") else None
        return Member(
            last_name=el(e, 3),
            first_name=el(e, 4),
            middle_name=el(e, 5),
            suffix=el(e, 7),
            member_id=el(e, 9),
            id_qualifier=el(e, 8) or "MI",
            birth_date=dob,
            sex=el(self.dmg, 3),
            address=read_address(self.party.n3, self.party.n4),
            relationship=el(self.ins, 2),
            references=tuple(self.refs),
            dates=tuple(self.dates),
        )

    def trace(self, kind: str) -> Trace | None:
        for t in self.traces:
            if el(t, 1) == kind:
                return Trace(el(t, 2), el(t, 3), el(t, 4))
        return None


@dataclass
class _BenefitParts:
    eb: list[str]
    deliveries: list[Delivery] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)
    dates: list[DatePeriod] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    info: list[tuple[str, str]] = field(default_factory=list)
    entities: list[Party] = field(default_factory=list)

    def build(self, comp: str, rep: str) -> Benefit:
        e = self.eb
        types = el(e, 3)
        proc = el(e, 13).split(comp) if comp else [el(e, 13)]
        return Benefit(
            code=el(e, 1),
            coverage_level=el(e, 2),
            service_types=tuple(t for t in (types.split(rep) if rep else [types]) if t),
            insurance_type=el(e, 4),
            plan_description=el(e, 5),
            time_period=el(e, 6),
            amount=money(el(e, 7)),
            percent=decimal(el(e, 8)),
            quantity_qualifier=el(e, 9),
            quantity=decimal(el(e, 10)),
            authorization_required=el(e, 11),
            in_network=el(e, 12),
            procedure_qualifier=el(proc, 0),
            procedure=el(proc, 1),
            deliveries=tuple(self.deliveries),
            references=tuple(self.refs),
            dates=tuple(self.dates),
            rejections=tuple(self.rejections),
            messages=tuple(self.messages),
            additional_info=tuple(self.info),
            entities=tuple(p.entity() for p in self.entities),
        )


def _delivery(els: list[str]) -> Delivery:
    periods = el(els, 6)
    return Delivery(
        quantity_qualifier=el(els, 1),
        quantity=decimal(el(els, 2)),
        unit=el(els, 3),
        sample_modulus=decimal(el(els, 4)),
        time_period=el(els, 5),
        periods=int(periods) if periods.isdigit() else None,
        frequency=el(els, 7),
        time=el(els, 8),
    )


@dataclass
class Receiver:
    party: Party = field(default_factory=Party)
    subscribers: list[MemberParts] = field(default_factory=list)


@dataclass
class InfoSource:
    party: Party = field(default_factory=Party)
    receivers: list[Receiver] = field(default_factory=list)


# payer, provider, rejections above the subscriber, subscriber, dependent
_Patient = tuple[Entity, Entity, list[Rejection], MemberParts | None, MemberParts | None]


class EligibilityBuilder:
    """Collects one 270 or 271 (segments with their loop IDs, from the validator's sink) into
    requests or responses, one per patient."""

    def __init__(self, kind: str, delimiters: Delimiters = DEFAULT_DELIMITERS) -> None:
        self.kind = kind  # "270" or "271"
        self.comp = delimiters.component
        self.rep = delimiters.repetition
        self.bht: list[str] = []
        self.sources: list[InfoSource] = []

    # the current object at each level, created on demand so that a broken file cannot
    # make the builder fail (the validator reports what is missing)
    def _source(self) -> InfoSource:
        if not self.sources:
            self.sources.append(InfoSource())
        return self.sources[-1]

    def _receiver(self) -> Receiver:
        source = self._source()
        if not source.receivers:
            source.receivers.append(Receiver())
        return source.receivers[-1]

    def _subscriber(self) -> MemberParts:
        receiver = self._receiver()
        if not receiver.subscribers:
            receiver.subscribers.append(MemberParts())
        return receiver.subscribers[-1]

    def _dependent(self) -> MemberParts:
        sub = self._subscriber()
        if not sub.dependents:
            sub.dependents.append(MemberParts())
        return sub.dependents[-1]

    def _member(self, level: str) -> MemberParts:
        return self._dependent() if level == "D" else self._subscriber()

    def segment(self, loop_id: str, els: list[str]) -> None:
        sid = els[0]
        if loop_id == "ST":
            if sid == "BHT":
                self.bht = els
        elif loop_id == "2000A":
            if sid == "HL":
                self.sources.append(InfoSource())
            elif sid == "AAA":
                self._source().party.rejections.append(_rejection(els, loop_id))
        elif loop_id in ("2100A", "2100B"):
            party = self._source().party if loop_id == "2100A" else self._receiver().party
            self._party_segment(party, loop_id, sid, els)
        elif loop_id == "2000B":
            if sid == "HL":
                self._source().receivers.append(Receiver())
        elif loop_id == "2000C":
            if sid == "HL":
                self._receiver().subscribers.append(MemberParts())
            elif sid == "TRN":
                self._subscriber().traces.append(els)
        elif loop_id == "2000D":
            if sid == "HL":
                self._subscriber().dependents.append(MemberParts())
            elif sid == "TRN":
                self._dependent().traces.append(els)
        elif len(loop_id) == 5 and loop_id[4] in "CD":
            self._member_segment(loop_id, self._member(loop_id[4]), sid, els)

    def _party_segment(self, party: Party, loop_id: str, sid: str, els: list[str]) -> None:
        if sid == "NM1":
            party.nm1 = els
        elif sid == "AAA":
            party.rejections.append(_rejection(els, loop_id))
        else:
            party.address_segment(sid, els)

    def _member_segment(self, loop_id: str, m: MemberParts, sid: str, els: list[str]) -> None:
        kind = loop_id[:4]
        if kind == "2100":
            if sid == "NM1":
                m.party.nm1 = els
            elif sid == "AAA":
                m.party.rejections.append(_rejection(els, loop_id))
            elif sid == "DMG":
                m.dmg = els
            elif sid == "INS":
                m.ins = els
            elif sid == "REF":
                m.refs.append((el(els, 1), el(els, 2)))
            elif sid == "DTP":
                period = read_dtp(els)
                if period is not None:
                    in_270 = self.kind == "270" and period.qualifier == "291"
                    (m.service_dates if in_270 else m.dates).append(period)
            else:
                m.party.address_segment(sid, els)
        elif kind == "2110":
            self._benefit_segment(loop_id, m, sid, els)
        elif m.benefits and kind == "2115" and sid == "III":
            m.benefits[-1].info.append((el(els, 1), el(els, 2)))
        elif m.benefits and kind == "2120":
            entities = m.benefits[-1].entities
            if sid == "NM1":
                entities.append(Party(nm1=els))
            elif entities:
                entities[-1].address_segment(sid, els)

    def _benefit_segment(self, loop_id: str, m: MemberParts, sid: str, els: list[str]) -> None:
        if sid == "EQ":
            types = el(els, 1)
            m.inquiries += [t for t in (types.split(self.rep) if self.rep else [types]) if t]
            return
        if self.kind == "270":
            if sid == "DTP":
                period = read_dtp(els)
                if period is not None and period.qualifier == "291":
                    m.service_dates.append(period)
            return
        if sid == "EB":
            m.benefits.append(_BenefitParts(els))
            return
        if not m.benefits:
            return
        b = m.benefits[-1]
        if sid == "HSD":
            b.deliveries.append(_delivery(els))
        elif sid == "REF":
            b.refs.append((el(els, 1), el(els, 2)))
        elif sid == "DTP":
            period = read_dtp(els)
            if period is not None:
                b.dates.append(period)
        elif sid == "AAA":
            b.rejections.append(_rejection(els, loop_id))
        elif sid == "MSG":
            b.messages.append(el(els, 1))

    # -- building -------------------------------------------------------------------------

    def _patients(self) -> Iterator[_Patient]:
        """(payer, provider, header rejections, subscriber, dependent) per patient."""
        for source in self.sources:
            payer = source.party.entity()
            for receiver in source.receivers or [Receiver()]:
                provider = receiver.party.entity()
                rejections = source.party.rejections + receiver.party.rejections
                if not receiver.subscribers:
                    yield payer, provider, rejections, None, None
                for sub in receiver.subscribers:
                    if not sub.dependents:
                        yield payer, provider, rejections, sub, None
                    for dep in sub.dependents:
                        yield payer, provider, rejections, sub, dep

    def requests(self) -> list[EligibilityRequest]:
        out = []
        created = bht_created(self.bht)
        for payer, provider, _, sub, dep in self._patients():
            if sub is None:
                continue
            patient = dep or sub
            dates = patient.service_dates or sub.service_dates
            out.append(
                EligibilityRequest(
                    payer=payer,
                    provider=provider,
                    subscriber=sub.member(),
                    trace=patient.trace("1") or sub.trace("1") or Trace("", ""),
                    created=created,
                    dependent=dep.member() if dep else None,
                    service_types=tuple(patient.inquiries or (sub.inquiries if dep else [])),
                    service_date=dates[0].start if dates else None,
                    service_date_end=dates[0].end if dates else None,
                    reference=el(self.bht, 3),
                )
            )
        return out

    def responses(self) -> list[EligibilityResponse]:
        out = []
        created = bht_created(self.bht)
        for payer, provider, rejections, sub, dep in self._patients():
            patient = dep or sub
            levels = [m for m in (sub, dep) if m is not None]
            out.append(
                EligibilityResponse(
                    payer=payer,
                    provider=provider,
                    created=created,
                    subscriber=sub.member() if sub else None,
                    dependent=dep.member() if dep else None,
                    trace=_first(m.trace("2") for m in reversed(levels)),
                    payer_trace=_first(m.trace("1") for m in reversed(levels)),
                    benefits=self._benefits(patient),
                    subscriber_benefits=self._benefits(sub) if dep else (),
                    rejections=tuple(rejections + [r for m in levels for r in m.party.rejections]),
                    reference=el(self.bht, 3),
                )
            )
        return out

    def _benefits(self, m: MemberParts | None) -> tuple[Benefit, ...]:
        return tuple(b.build(self.comp, self.rep) for b in m.benefits) if m else ()

    def to_json(self) -> dict[str, Any]:
        if self.kind == "270":
            return {"type": "270", "requests": [request_json(r) for r in self.requests()]}
        return {"type": "271", "responses": [response_json(r) for r in self.responses()]}


def _first(traces: Iterable[Trace | None]) -> Trace | None:
    for t in traces:
        if t is not None:
            return t
    return None


def _rejection(els: list[str], loop_id: str) -> Rejection:
    return Rejection(
        reason=el(els, 3), follow_up=el(els, 4), loop=loop_id, valid_request=el(els, 1) == "Y"
    )


# -- JSON of ``revcycle x12 parse`` ---------------------------------------------------------


def _entity_json(e: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {
        "entity_code": e.entity_code,
        "name": e.name,
        "first_name": e.first_name,
        "id": e.identifier,
        "id_qualifier": e.id_qualifier,
    }
    if e.address is not None:
        out["address"] = _address_json(e.address)
    if e.contacts:
        out["contacts"] = [{"name": c.name, "numbers": dict(c.numbers)} for c in e.contacts]
    if e.relationship:
        out["relationship"] = e.relationship
    return out


def _address_json(a: Address) -> dict[str, str]:
    return {
        "line1": a.line1,
        "line2": a.line2,
        "city": a.city,
        "state": a.state,
        "postal_code": a.postal_code,
    }


def _dates_json(dates: Iterable[DatePeriod]) -> list[dict[str, Any]]:
    return [
        {"qualifier": d.qualifier, "start": date_json(d.start), "end": date_json(d.end)}
        for d in dates
    ]


def member_json(m: Member | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "member_id": m.member_id,
        "last_name": m.last_name,
        "first_name": m.first_name,
        "middle_name": m.middle_name,
        "birth_date": date_json(m.birth_date),
        "sex": m.sex,
        "address": _address_json(m.address) if m.address else None,
        "relationship": m.relationship,
        "references": [{"qualifier": q, "value": v} for q, v in m.references],
        "dates": _dates_json(m.dates),
        "plan_begin": date_json(m.plan_begin),
        "plan_end": date_json(m.plan_end),
    }


def _trace_json(t: Trace | None) -> dict[str, str] | None:
    return None if t is None else {"number": t.number, "originator": t.originator}


def _rejection_json(r: Rejection) -> dict[str, Any]:
    return {
        "loop": r.loop,
        "reason": r.reason,
        "follow_up": r.follow_up,
        "valid_request": r.valid_request,
    }


def _benefit_json(b: Benefit) -> dict[str, Any]:
    return {
        "code": b.code,
        "coverage_level": b.coverage_level,
        "service_types": list(b.service_types),
        "insurance_type": b.insurance_type,
        "plan": b.plan_description,
        "time_period": b.time_period,
        "amount": money_json(b.amount),
        "percent": decimal_json(b.percent),
        "quantity_qualifier": b.quantity_qualifier,
        "quantity": decimal_json(b.quantity),
        "authorization_required": b.authorization_required,
        "in_network": b.in_network,
        "procedure": b.procedure,
        "references": [{"qualifier": q, "value": v} for q, v in b.references],
        "dates": _dates_json(b.dates),
        "messages": list(b.messages),
        "rejections": [_rejection_json(r) for r in b.rejections],
        "entities": [_entity_json(e) for e in b.entities],
    }


def request_json(r: EligibilityRequest) -> dict[str, Any]:
    return {
        "trace": _trace_json(r.trace),
        "payer": _entity_json(r.payer),
        "provider": _entity_json(r.provider),
        "subscriber": member_json(r.subscriber),
        "dependent": member_json(r.dependent),
        "service_types": list(r.service_types),
        "service_date": date_json(r.service_date),
        "service_date_end": date_json(r.service_date_end),
    }


def response_json(r: EligibilityResponse) -> dict[str, Any]:
    """One 271 answer: the member, rejections, benefits and, for the plan (service type 30)
    and each service type named, the status and cost share in network."""
    types: list[str] = ["30"]
    for b in r.benefits:
        types += [t for t in b.service_types if t not in types]

    def acc_json(total: Any, remaining: Any) -> dict[str, Any]:
        return {"total": money_json(total), "remaining": money_json(remaining)}

    summary = {}
    for t in types:
        s = r.summary(t)
        summary[t] = {
            "status": s.status,
            "copay": money_json(s.in_network.copay),
            "coinsurance": decimal_json(s.in_network.coinsurance),
            "deductible": acc_json(
                s.in_network.deductible.total, s.in_network.deductible.remaining
            ),
            "out_of_pocket": acc_json(
                s.in_network.out_of_pocket.total, s.in_network.out_of_pocket.remaining
            ),
            "out_of_network_copay": money_json(s.out_of_network.copay),
        }
    return {
        "trace": _trace_json(r.trace),
        "payer": _entity_json(r.payer),
        "provider": _entity_json(r.provider),
        "subscriber": member_json(r.subscriber),
        "dependent": member_json(r.dependent),
        "active": r.is_active(),
        "rejections": [_rejection_json(x) for x in r.all_rejections],
        "benefits": [_benefit_json(b) for b in r.benefits],
        "subscriber_benefits": [_benefit_json(b) for b in r.subscriber_benefits],
        "summary": summary,
    }


# -- reading whole files --------------------------------------------------------------------


class _Sink:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.builders: list[EligibilityBuilder] = []
        self._builder: EligibilityBuilder | None = None

    def start_set(self, key: str | None, st: list[str], delimiters: Delimiters) -> None:
        self._builder = EligibilityBuilder(self.kind, delimiters) if key == self.kind else None

    def segment(self, loop_id: str, els: list[str]) -> None:
        if self._builder is not None:
            self._builder.segment(loop_id, els)

    def end_set(self) -> None:
        if self._builder is not None:
            self.builders.append(self._builder)
        self._builder = None


def read_270(source: Source) -> tuple[list[EligibilityRequest], ValidationReport]:
    """Every patient asked about in the 270s of ``source``, with the validation report."""
    sink = _Sink("270")
    report = Validator(sink).run(Reader(source))
    return [r for b in sink.builders for r in b.requests()], report


def read_271(source: Source) -> tuple[list[EligibilityResponse], ValidationReport]:
    """Every answer in the 271s of ``source`` (one per patient), with the validation report."""
    sink = _Sink("271")
    report = Validator(sink).run(Reader(source))
    return [r for b in sink.builders for r in b.responses()], report
