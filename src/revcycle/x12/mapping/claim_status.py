"""276 / 277 <-> ``ClaimStatusRequest`` / ``ClaimStatusResponse`` (005010X212).

Writing: ``transaction_276(request)`` asks about one claim, ``transaction_277(response)``
answers for one patient's claims (functional groups ``HR`` and ``HN``); the patient's claims
go to the dependent level (2000E) when there is a dependent, else to the subscriber's (2000D).

Reading: ``read_276`` gives one request per claim (2200D / 2200E), ``read_277`` one response
per patient with claims (a subscriber's own, each dependent's), or one per information receiver
(2200B) or provider (2200C) answered without patients, in file order. Like every mapping it
never raises on content: what is missing becomes empty, ``None`` or 1900-01-01 and the
validator's report says what was wrong. Not kept: REF*LU (application or location system
identifier) of the 276.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from revcycle.domain.claim_status_inquiry import (
    ClaimLine,
    ClaimStatusRequest,
    ClaimStatusResponse,
    LineStatus,
    Status,
    StatusCode,
    StatusInfo,
)
from revcycle.domain.eligibility import Entity, Member
from revcycle.domain.money import Money
from revcycle.x12.mapping.common import d8, date_json, decimal, decimal_json, el, money, money_json
from revcycle.x12.mapping.eligibility import (
    Party,
    Source,
    bht_created,
    bht_time,
    contact_segment,
    dtp,
    entity_nm1,
    member_json,
    member_nm1,
    read_dtp,
)
from revcycle.x12.reader import Delimiters, Reader
from revcycle.x12.validator import ValidationReport, Validator
from revcycle.x12.writer import DEFAULT_DELIMITERS, Elements, Segment, TransactionSet

VERSION = "005010X212"
FUNCTIONAL_ID_276 = "HR"
FUNCTIONAL_ID_277 = "HN"


# -- writing --------------------------------------------------------------------------------


def _dates(start: date | None, end: date | None) -> list[Segment]:
    return [] if start is None else [dtp("472", start, end)]


def _ref(qualifier: str, value: str) -> list[Segment]:
    return [["REF", qualifier, value]] if value else []


def _svc(
    qualifier: str,
    procedure: str,
    modifiers: tuple[str, ...],
    charge: Money,
    paid: Money | None,
    revenue_code: str,
    units: Any,
) -> Elements:
    return [
        "SVC", [qualifier, procedure, *modifiers], charge, paid, revenue_code, "", "", units,
    ]  # fmt: skip


def _dmg(m: Member) -> list[Segment]:
    if m.birth_date is None:
        return []
    return [["DMG", "D8", m.birth_date, m.sex]]


def transaction_276(request: ClaimStatusRequest) -> TransactionSet:
    """The segments of one 276 asking about one claim (BHT03 is ``reference``, else the
    trace)."""
    r = request
    dep = r.dependent
    segs: list[Segment] = [
        ["BHT", "0010", "13", r.reference or r.trace, r.created.date(), bht_time(r.created)],
        ["HL", "1", "", "20", "1"],
        entity_nm1(r.payer, "PR", "PI"),
        ["HL", "2", "1", "21", "1"],
        entity_nm1(r.receiver, "41", "46"),
        ["HL", "3", "2", "19", "1"],
        entity_nm1(r.provider, "1P", "XX"),
        ["HL", "4", "3", "22", "1" if dep else "0"],
        *_dmg(r.subscriber),
        member_nm1(r.subscriber, "IL"),
    ]
    if dep is not None:
        segs += [["HL", "5", "4", "23"], *_dmg(dep), member_nm1(dep, "QC", with_id=False)]
    segs += [
        ["TRN", "1", r.trace],
        *_ref("1K", r.payer_claim_number),
        *_ref("BLT", r.bill_type),
        *_ref("6P", r.group_number),
        *_ref("EJ", r.patient_control_number),
        *_ref("XZ", r.prescription_number),
        *_ref("D9", r.clearinghouse_trace),
    ]
    if r.charge is not None:
        segs.append(["AMT", "T3", r.charge])
    segs += _dates(r.service_from, r.service_to)
    for line in r.lines:
        segs.append(
            _svc(
                line.qualifier, line.procedure, line.modifiers, line.charge, None,
                line.revenue_code, line.units,
            )
        )  # fmt: skip
        segs += _ref("FJ", line.line_control_number)
        segs += _dates(line.service_from, line.service_to)
    return TransactionSet("276", VERSION, segs)


def _codes(c: StatusCode) -> list[str]:
    return [c.category, c.code, c.entity, c.code_list]


def _stc(s: Status, claim_level: bool = False) -> Elements:
    more = [_codes(c) for c in s.codes[1:3]]
    more += [[]] * (2 - len(more))
    stc: Elements = ["STC", _codes(s.primary), s.effective_date, ""]
    if claim_level:
        stc += [
            s.charge,
            s.paid,
            s.adjudication_date,
            s.payment_method,
            s.check_date,
            s.check_number,
        ]
    else:
        stc += [""] * 6
    return [*stc, *more, s.message]


def _claim_277(c: StatusInfo) -> list[Segment]:
    segs: list[Segment] = [["TRN", "2", c.trace]]
    segs += [_stc(s, claim_level=True) for s in c.statuses]
    segs += _ref("1K", c.payer_claim_control_number)
    segs += _ref("BLT", c.bill_type)
    segs += _ref("EJ", c.patient_control_number)
    segs += _ref("XZ", c.prescription_number)
    segs += _ref("VV", c.voucher)
    segs += [["REF", "D9", t] for t in c.clearinghouse_traces]
    segs += _dates(c.service_from, c.service_to)
    for line in c.lines:
        segs.append(
            _svc(
                line.qualifier, line.procedure, line.modifiers, line.charge, line.paid,
                line.revenue_code, line.units,
            )
        )  # fmt: skip
        segs += [_stc(s) for s in line.statuses]
        segs += _ref("FJ", line.line_control_number)
        segs += _dates(line.service_from, line.service_to)
    return segs


def transaction_277(response: ClaimStatusResponse) -> TransactionSet:
    """The segments of one 277 for ``response`` (the payer simulator's answer; BHT03 is
    ``reference``, else "0")."""
    r = response
    segs: list[Segment] = [
        ["BHT", "0010", "08", r.reference or "0", r.created.date(), bht_time(r.created), "DG"],
        ["HL", "1", "", "20", "1"],
        entity_nm1(r.payer, "PR", "PI"),
        *[contact_segment(c) for c in r.payer.contacts[:1]],
        ["HL", "2", "1", "21", "1" if r.provider else "0"],
        entity_nm1(r.receiver, "41", "46"),
    ]
    if r.receiver_statuses:
        segs.append(["TRN", "2", r.receiver_trace])
        segs += [_stc(s) for s in r.receiver_statuses]
    if r.provider is not None:
        segs.append(["HL", "3", "2", "19", "1" if r.subscriber else "0"])
        segs.append(entity_nm1(r.provider, "1P", "XX"))
        if r.provider_statuses:
            segs.append(["TRN", "1", r.provider_trace])
            segs += [_stc(s) for s in r.provider_statuses]
        if r.subscriber is not None:
            dep = r.dependent
            segs.append(["HL", "4", "3", "22", "1" if dep else "0"])
            segs.append(member_nm1(r.subscriber, "IL"))
            if dep is not None:
                segs.append(["HL", "5", "4", "23"])
                segs.append(member_nm1(dep, "QC"))
            for c in r.claims:
                segs += _claim_277(c)
    return TransactionSet("277", VERSION, segs)


# -- reading --------------------------------------------------------------------------------


def _read_codes(value: str, comp: str) -> StatusCode | None:
    if not value:
        return None
    parts = value.split(comp) if comp else [value]
    return StatusCode(el(parts, 0), el(parts, 1), el(parts, 2), el(parts, 3))


def read_stc(els: list[str], comp: str) -> Status:
    codes = [_read_codes(el(els, i), comp) for i in (1, 10, 11)]
    return Status(
        codes=tuple(c for c in codes if c is not None),
        effective_date=d8(el(els, 2)),
        charge=money(el(els, 4)),
        paid=money(el(els, 5)),
        adjudication_date=d8(el(els, 6)),
        payment_method=el(els, 7),
        check_date=d8(el(els, 8)),
        check_number=el(els, 9),
        message=el(els, 12),
    )


@dataclass
class _Line:
    svc: list[str]
    statuses: list[Status] = field(default_factory=list)
    lcn: str = ""
    dtp: list[str] = field(default_factory=list)

    def parts(self, comp: str) -> dict[str, Any]:
        proc = el(self.svc, 1).split(comp) if comp else [el(self.svc, 1)]
        period = read_dtp(self.dtp)
        return {
            "qualifier": el(proc, 0),
            "procedure": el(proc, 1),
            "modifiers": tuple(m for m in proc[2:6] if m),
            "charge": money(el(self.svc, 2)) or Money(0),
            "revenue_code": el(self.svc, 4),
            "units": decimal(el(self.svc, 7)),
            "line_control_number": self.lcn,
            "service_from": period.start if period else None,
            "service_to": period.end if period else None,
        }


@dataclass
class _Claim:
    trn: list[str]
    statuses: list[Status] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)
    amt: list[str] = field(default_factory=list)
    dtp: list[str] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)

    def ref(self, qualifier: str) -> str:
        for q, v in self.refs:
            if q == qualifier:
                return v
        return ""

    def period(self) -> tuple[date | None, date | None]:
        p = read_dtp(self.dtp)
        return (p.start, p.end) if p else (None, None)


@dataclass
class _Patient:
    party: Party = field(default_factory=Party)
    dmg: list[str] = field(default_factory=list)
    claims: list[_Claim] = field(default_factory=list)
    dependents: list[_Patient] = field(default_factory=list)

    def member(self) -> Member:
        e = self.party.nm1
        return Member(
            last_name=el(e, 3),
            first_name=el(e, 4),
            middle_name=el(e, 5),
            suffix=el(e, 7),
            member_id=el(e, 9),
            id_qualifier=el(e, 8) or "MI",
            birth_date=d8(el(self.dmg, 2)),
            sex=el(self.dmg, 3),
        )


@dataclass
class _Level:
    """A 2000A / 2000B / 2000C level: its party, its own trace and statuses, its children."""

    party: Party = field(default_factory=Party)
    trace: str = ""
    statuses: list[Status] = field(default_factory=list)
    children: list[_Level] = field(default_factory=list)
    patients: list[_Patient] = field(default_factory=list)


_LEVELS = {"2000A": 0, "2000B": 1, "2000C": 2}
# source, receiver, provider, subscriber, dependent and the claims of one answer
_Unit = tuple[_Level, _Level, _Level | None, _Patient | None, _Patient | None, list[_Claim]]


class ClaimStatusBuilder:
    """Collects one 276 or 277 (segments with their loop IDs) into requests (one per claim)
    or responses (one per patient)."""

    def __init__(self, kind: str, delimiters: Delimiters = DEFAULT_DELIMITERS) -> None:
        self.kind = kind  # "276" or "277"
        self.comp = delimiters.component
        self.bht: list[str] = []
        self.sources: list[_Level] = []

    def _level(self, depth: int) -> _Level:
        """The current level at ``depth`` (0 source, 1 receiver, 2 provider), created on
        demand so that a broken file cannot make the builder fail."""
        if not self.sources:
            self.sources.append(_Level())
        level = self.sources[-1]
        for _ in range(depth):
            if not level.children:
                level.children.append(_Level())
            level = level.children[-1]
        return level

    def _subscriber(self) -> _Patient:
        provider = self._level(2)
        if not provider.patients:
            provider.patients.append(_Patient())
        return provider.patients[-1]

    def _patient(self, level: str) -> _Patient:
        sub = self._subscriber()
        if level == "D":
            return sub
        if not sub.dependents:
            sub.dependents.append(_Patient())
        return sub.dependents[-1]

    def segment(self, loop_id: str, els: list[str]) -> None:
        sid = els[0]
        if loop_id == "ST":
            if sid == "BHT":
                self.bht = els
        elif loop_id in _LEVELS:
            if sid == "HL":
                depth = _LEVELS[loop_id]
                if depth == 0:
                    self.sources.append(_Level())
                else:
                    self._level(depth - 1).children.append(_Level())
        elif loop_id in ("2100A", "2100B", "2100C"):
            party = self._level(ord(loop_id[4]) - ord("A")).party
            if sid == "NM1":
                party.nm1 = els
            else:
                party.address_segment(sid, els)
        elif loop_id in ("2200B", "2200C"):
            level = self._level(ord(loop_id[4]) - ord("A"))
            if sid == "TRN":
                level.trace = el(els, 2)
            elif sid == "STC":
                level.statuses.append(read_stc(els, self.comp))
        elif loop_id in ("2000D", "2000E"):
            if sid == "HL":
                if loop_id == "2000D":
                    self._level(2).patients.append(_Patient())
                else:
                    self._subscriber().dependents.append(_Patient())
            elif sid == "DMG":
                self._patient(loop_id[4]).dmg = els
        elif loop_id in ("2100D", "2100E"):
            if sid == "NM1":
                self._patient(loop_id[4]).party.nm1 = els
        elif loop_id[:4] in ("2200", "2210", "2220") and loop_id[4:] in ("D", "E"):
            self._claim_segment(loop_id, self._patient(loop_id[4]), sid, els)

    def _claim_segment(self, loop_id: str, patient: _Patient, sid: str, els: list[str]) -> None:
        if sid == "TRN" and loop_id[:4] == "2200":
            patient.claims.append(_Claim(els))
            return
        if not patient.claims:
            return
        claim = patient.claims[-1]
        if loop_id[:4] == "2200":
            if sid == "STC":
                claim.statuses.append(read_stc(els, self.comp))
            elif sid == "REF":
                claim.refs.append((el(els, 1), el(els, 2)))
            elif sid == "AMT" and el(els, 1) == "T3":
                claim.amt = els
            elif sid == "DTP":
                claim.dtp = els
            return
        if sid == "SVC":
            claim.lines.append(_Line(els))
            return
        if not claim.lines:
            return
        line = claim.lines[-1]
        if sid == "STC":
            line.statuses.append(read_stc(els, self.comp))
        elif sid == "REF" and el(els, 1) == "FJ":
            line.lcn = el(els, 2)
        elif sid == "DTP":
            line.dtp = els

    # -- building -------------------------------------------------------------------------

    def _walk(self) -> Iterator[_Unit]:
        """(source, receiver, provider, subscriber, dependent, claims) per answer unit."""
        for source in self.sources:
            for receiver in source.children or [_Level()]:
                if not receiver.children:
                    yield source, receiver, None, None, None, []
                for provider in receiver.children:
                    if not provider.patients:
                        yield source, receiver, provider, None, None, []
                    for sub in provider.patients:
                        if sub.claims or not sub.dependents:
                            yield source, receiver, provider, sub, None, sub.claims
                        for dep in sub.dependents:
                            yield source, receiver, provider, sub, dep, dep.claims

    def requests(self) -> list[ClaimStatusRequest]:
        out = []
        created = bht_created(self.bht)
        for source, receiver, provider, sub, dep, claims in self._walk():
            if provider is None or sub is None:
                continue
            for c in claims:
                start, end = c.period()
                out.append(
                    ClaimStatusRequest(
                        payer=source.party.entity(),
                        receiver=receiver.party.entity(),
                        provider=provider.party.entity(),
                        subscriber=sub.member(),
                        trace=el(c.trn, 2),
                        created=created,
                        dependent=dep.member() if dep else None,
                        patient_control_number=c.ref("EJ"),
                        payer_claim_number=c.ref("1K"),
                        charge=money(el(c.amt, 2)),
                        service_from=start,
                        service_to=end,
                        bill_type=c.ref("BLT"),
                        group_number=c.ref("6P"),
                        prescription_number=c.ref("XZ"),
                        clearinghouse_trace=c.ref("D9"),
                        lines=tuple(ClaimLine(**line.parts(self.comp)) for line in c.lines),
                        reference=el(self.bht, 3),
                    )
                )
        return out

    def _status_info(self, c: _Claim) -> StatusInfo:
        start, end = c.period()
        return StatusInfo(
            trace=el(c.trn, 2),
            statuses=tuple(c.statuses),
            payer_claim_control_number=c.ref("1K"),
            patient_control_number=c.ref("EJ"),
            bill_type=c.ref("BLT"),
            prescription_number=c.ref("XZ"),
            voucher=c.ref("VV"),
            clearinghouse_traces=tuple(v for q, v in c.refs if q == "D9"),
            service_from=start,
            service_to=end,
            lines=tuple(
                LineStatus(
                    statuses=tuple(line.statuses),
                    paid=money(el(line.svc, 3)),
                    **line.parts(self.comp),
                )
                for line in c.lines
            ),
        )

    def responses(self) -> list[ClaimStatusResponse]:
        out = []
        created = bht_created(self.bht)
        for source, receiver, provider, sub, dep, claims in self._walk():
            out.append(
                ClaimStatusResponse(
                    payer=source.party.entity(),
                    receiver=receiver.party.entity(),
                    created=created,
                    provider=provider.party.entity() if provider else None,
                    subscriber=sub.member() if sub else None,
                    dependent=dep.member() if dep else None,
                    claims=tuple(self._status_info(c) for c in claims),
                    receiver_trace=receiver.trace,
                    receiver_statuses=tuple(receiver.statuses),
                    provider_trace=provider.trace if provider else "",
                    provider_statuses=tuple(provider.statuses) if provider else (),
                    reference=el(self.bht, 3),
                )
            )
        return out

    def to_json(self) -> dict[str, Any]:
        if self.kind == "276":
            return {"type": "276", "requests": [request_json(r) for r in self.requests()]}
        return {"type": "277", "responses": [response_json(r) for r in self.responses()]}


# -- JSON of ``revcycle x12 parse`` ---------------------------------------------------------


def _party_json(e: Entity | None) -> dict[str, str] | None:
    if e is None:
        return None
    return {"name": e.name, "first_name": e.first_name, "id": e.identifier}


def status_json(s: Status) -> dict[str, Any]:
    return {
        "codes": [
            {"category": c.category, "code": c.code, "entity": c.entity, "code_list": c.code_list}
            for c in s.codes
        ],
        "effective_date": date_json(s.effective_date),
        "charge": money_json(s.charge),
        "paid": money_json(s.paid),
        "adjudication_date": date_json(s.adjudication_date),
        "payment_method": s.payment_method,
        "check_date": date_json(s.check_date),
        "check_number": s.check_number,
        "message": s.message,
    }


def _statuses(statuses: Iterable[Status]) -> list[dict[str, Any]]:
    return [status_json(s) for s in statuses]


def request_json(r: ClaimStatusRequest) -> dict[str, Any]:
    return {
        "trace": r.trace,
        "payer": _party_json(r.payer),
        "receiver": _party_json(r.receiver),
        "provider": _party_json(r.provider),
        "subscriber": member_json(r.subscriber),
        "dependent": member_json(r.dependent),
        "patient_control_number": r.patient_control_number,
        "payer_claim_number": r.payer_claim_number,
        "charge": money_json(r.charge),
        "service_from": date_json(r.service_from),
        "service_to": date_json(r.service_to),
        "lines": [
            {
                "procedure": line.procedure,
                "modifiers": list(line.modifiers),
                "charge": line.charge.to_json(),
                "units": decimal_json(line.units),
                "line_control_number": line.line_control_number,
                "service_from": date_json(line.service_from),
            }
            for line in r.lines
        ],
    }


def response_json(r: ClaimStatusResponse) -> dict[str, Any]:
    return {
        "payer": _party_json(r.payer),
        "receiver": _party_json(r.receiver),
        "provider": _party_json(r.provider),
        "subscriber": member_json(r.subscriber),
        "dependent": member_json(r.dependent),
        "receiver_statuses": _statuses(r.receiver_statuses),
        "provider_statuses": _statuses(r.provider_statuses),
        "claims": [
            {
                "trace": c.trace,
                "category": c.category,
                "status_code": c.status_code,
                "entity": c.entity,
                "effective_date": date_json(c.effective_date),
                "charge": money_json(c.charge),
                "paid": money_json(c.paid),
                "check_number": c.check_number,
                "check_date": date_json(c.check_date),
                "payer_claim_control_number": c.payer_claim_control_number,
                "patient_control_number": c.patient_control_number,
                "service_from": date_json(c.service_from),
                "service_to": date_json(c.service_to),
                "statuses": _statuses(c.statuses),
                "lines": [
                    {
                        "procedure": line.procedure,
                        "modifiers": list(line.modifiers),
                        "charge": line.charge.to_json(),
                        "paid": money_json(line.paid),
                        "units": decimal_json(line.units),
                        "line_control_number": line.line_control_number,
                        "statuses": _statuses(line.statuses),
                    }
                    for line in c.lines
                ],
            }
            for c in r.claims
        ],
    }


# -- reading whole files --------------------------------------------------------------------


class _Sink:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.builders: list[ClaimStatusBuilder] = []
        self._builder: ClaimStatusBuilder | None = None

    def start_set(self, key: str | None, st: list[str], delimiters: Delimiters) -> None:
        self._builder = ClaimStatusBuilder(self.kind, delimiters) if key == self.kind else None

    def segment(self, loop_id: str, els: list[str]) -> None:
        if self._builder is not None:
            self._builder.segment(loop_id, els)

    def end_set(self) -> None:
        if self._builder is not None:
            self.builders.append(self._builder)
        self._builder = None


def read_276(source: Source) -> tuple[list[ClaimStatusRequest], ValidationReport]:
    """Every claim asked about in the 276s of ``source``, with the validation report."""
    sink = _Sink("276")
    report = Validator(sink).run(Reader(source))
    return [r for b in sink.builders for r in b.requests()], report


def read_277(source: Source) -> tuple[list[ClaimStatusResponse], ValidationReport]:
    """Every answer in the 277 (005010X212) claim status responses of ``source``, one per
    patient, with the validation report (277CA acknowledgments are ``ack277``'s)."""
    sink = _Sink("277")
    report = Validator(sink).run(Reader(source))
    return [r for b in sink.builders for r in b.responses()], report
