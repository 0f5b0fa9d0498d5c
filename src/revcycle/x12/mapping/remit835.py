"""835 <-> ``Remittance``.

Reading: ``RemittanceBuilder`` receives the segments of one 835 with their loop IDs (from the
validator's sink) and builds the ``Remittance``; it never raises on bad values (they become
``None`` or zero, and the validator has reported them). Writing: ``transaction_835`` turns a
``Remittance`` into the segments of one 835 (the payer simulator uses it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

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
from revcycle.x12.mapping.common import (
    d8,
    date_json,
    decimal,
    decimal_json,
    el,
    money,
    money0,
    money_json,
)
from revcycle.x12.reader import Delimiters, Reader
from revcycle.x12.validator import ValidationReport, Validator
from revcycle.x12.writer import Elements, Segment, TransactionSet

VERSION = "005010X221A1"


def _adjustments(els: list[str]) -> list[Adjustment]:
    group = el(els, 1)
    out = []
    for i in range(2, min(len(els), 20), 3):
        reason = els[i]
        if not reason:
            continue
        out.append(Adjustment(group, reason, money0(el(els, i + 1)), decimal(el(els, i + 2))))
    return out


@dataclass
class _Line:
    els: list[str]
    comp: str
    adjustments: list[Adjustment] = field(default_factory=list)
    lcn: str = ""
    dates: dict[str, date | None] = field(default_factory=dict)
    allowed: Money | None = None
    remarks: list[str] = field(default_factory=list)

    def build(self) -> ServicePayment:
        parts = el(self.els, 1).split(self.comp)
        return ServicePayment(
            procedure=el(parts, 1),
            qualifier=el(parts, 0),
            modifiers=tuple(m for m in parts[2:6] if m),
            charge=money0(el(self.els, 2)),
            paid=money0(el(self.els, 3)),
            revenue_code=el(self.els, 4),
            units=decimal(el(self.els, 5)),
            original_units=decimal(el(self.els, 7)),
            line_control_number=self.lcn,
            service_date=self.dates.get("472") or self.dates.get("150"),
            service_date_end=self.dates.get("151"),
            adjustments=tuple(self.adjustments),
            allowed=self.allowed,
            remarks=tuple(self.remarks),
        )


@dataclass
class _Claim:
    els: list[str]
    adjustments: list[Adjustment] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)
    patient_name: str = ""
    member_id: str = ""
    rendering: str = ""
    crossover: str = ""
    dates: dict[str, date | None] = field(default_factory=dict)
    amounts: list[tuple[str, Money]] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    def build(self) -> ClaimPayment:
        e = self.els
        return ClaimPayment(
            patient_control_number=el(e, 1),
            status=el(e, 2),
            charge=money0(el(e, 3)),
            paid=money0(el(e, 4)),
            patient_responsibility=money(el(e, 5)),
            claim_filing_indicator=el(e, 6),
            payer_claim_control_number=el(e, 7),
            facility_type=el(e, 8),
            frequency=el(e, 9),
            patient_name=self.patient_name,
            patient_member_id=self.member_id,
            rendering_provider_npi=self.rendering,
            crossover_payer=self.crossover,
            statement_from=self.dates.get("232"),
            statement_to=self.dates.get("233"),
            received_date=self.dates.get("050"),
            adjustments=tuple(self.adjustments),
            lines=tuple(line.build() for line in self.lines),
            amounts=tuple(self.amounts),
            remarks=tuple(self.remarks),
        )


class RemittanceBuilder:
    """Collects one 835's segments (with loop IDs) into a ``Remittance``."""

    def __init__(self, component: str = ":") -> None:
        self.comp = component
        self.bpr: list[str] = []
        self.trn: list[str] = []
        self.production: date | None = None
        self.payer: dict[str, str] = {}
        self.payee: dict[str, str] = {}
        self.claims: list[_Claim] = []
        self.plb: list[ProviderAdjustment] = []

    def segment(self, loop_id: str, els: list[str]) -> None:
        sid = els[0]
        if loop_id in ("2110", "2100"):
            self._claim_segment(loop_id, sid, els)
        elif sid == "BPR":
            self.bpr = els
        elif sid == "TRN":
            self.trn = els
        elif sid == "DTM" and el(els, 1) == "405":
            self.production = d8(el(els, 2))
        elif loop_id in ("1000A", "1000B"):
            party = self.payer if loop_id == "1000A" else self.payee
            if sid == "N1":
                party.update(name=el(els, 2), qualifier=el(els, 3), id=el(els, 4))
            elif sid == "N3":
                party["address_line"] = el(els, 1)
            elif sid == "N4":
                party.update(city=el(els, 1), state=el(els, 2), postal_code=el(els, 3))
            elif sid == "REF":
                if el(els, 1) == "2U" and not party.get("id"):
                    party["id"] = el(els, 2)
                elif el(els, 1) == "TJ":
                    party["tax_id"] = el(els, 2)
        elif sid == "PLB":
            for i in range(3, min(len(els), 15), 2):
                if not els[i]:
                    continue
                reason, _, ref = els[i].partition(self.comp)
                self.plb.append(
                    ProviderAdjustment(
                        reason=reason,
                        amount=money0(el(els, i + 1)),
                        reference=ref,
                        provider_id=el(els, 1),
                        fiscal_period_end=d8(el(els, 2)),
                    )
                )

    def _claim_segment(self, loop_id: str, sid: str, els: list[str]) -> None:
        if sid == "CLP":
            self.claims.append(_Claim(els))
            return
        if not self.claims:
            return
        claim = self.claims[-1]
        if sid == "SVC":
            claim.lines.append(_Line(els, self.comp))
            return
        if loop_id == "2110" and claim.lines:
            line = claim.lines[-1]
            if sid == "CAS":
                line.adjustments += _adjustments(els)
            elif sid == "REF" and el(els, 1) == "6R":
                line.lcn = el(els, 2)
            elif sid == "DTM":
                line.dates[el(els, 1)] = d8(el(els, 2))
            elif sid == "AMT" and el(els, 1) == "B6":
                line.allowed = money(el(els, 2))
            elif sid == "LQ":
                line.remarks.append(el(els, 2))
            return
        if sid == "CAS":
            claim.adjustments += _adjustments(els)
        elif sid == "NM1":
            who = el(els, 1)
            if who == "QC":
                claim.patient_name = " ".join(x for x in (el(els, 3), el(els, 4)) if x)
                claim.member_id = el(els, 9)
            elif who == "82":
                claim.rendering = el(els, 9)
            elif who == "TT":
                claim.crossover = el(els, 3)
        elif sid == "DTM":
            claim.dates[el(els, 1)] = d8(el(els, 2))
        elif sid == "AMT":
            amount = money(el(els, 2))
            if amount is not None:
                claim.amounts.append((el(els, 1), amount))
        elif sid == "MOA":
            claim.remarks += [x for x in els[3:8] if x]
        elif sid == "MIA":
            claim.remarks += [x for x in (el(els, 5), *els[20:24]) if x]

    def build(self) -> Remittance:
        b, t = self.bpr, self.trn

        def party(d: dict[str, str]) -> RemitParty:
            return RemitParty(
                name=d.get("name", ""),
                identifier=d.get("id", ""),
                id_qualifier=d.get("qualifier", ""),
                address_line=d.get("address_line", ""),
                city=d.get("city", ""),
                state=d.get("state", ""),
                postal_code=d.get("postal_code", ""),
                tax_id=d.get("tax_id", ""),
            )

        return Remittance(
            payment=Payment(
                amount=money0(el(b, 2)),
                method=el(b, 4),
                credit_debit=el(b, 3),
                handling=el(b, 1),
                date=d8(el(b, 16)),
                trace_number=el(t, 2),
                payer_identifier=el(t, 3),
            ),
            payer=party(self.payer),
            payee=party(self.payee),
            claims=tuple(c.build() for c in self.claims),
            provider_adjustments=tuple(self.plb),
            production_date=self.production,
        )


def _adj_json(a: Adjustment) -> dict[str, Any]:
    return {
        "group": a.group,
        "reason": a.reason,
        "amount": a.amount.to_json(),
        "quantity": decimal_json(a.quantity),
    }


def remittance_json(r: Remittance) -> dict[str, Any]:
    """The ``revcycle x12 parse --json`` shape of one 835 (amounts as strings)."""

    def party(p: RemitParty) -> dict[str, Any]:
        return {
            "name": p.name,
            "id": p.identifier,
            "id_qualifier": p.id_qualifier,
            "address": {
                "line": p.address_line,
                "city": p.city,
                "state": p.state,
                "postal_code": p.postal_code,
            },
            "tax_id": p.tax_id,
        }

    return {
        "type": "835",
        "payment": {
            "amount": r.payment.amount.to_json(),
            "method": r.payment.method,
            "date": date_json(r.payment.date),
            "trace": r.payment.trace_number,
            "credit_debit": r.payment.credit_debit,
            "payer_identifier": r.payment.payer_identifier,
        },
        "payer": party(r.payer),
        "payee": party(r.payee),
        "claims": [
            {
                "patient_control_number": c.patient_control_number,
                "status": c.status,
                "charge": c.charge.to_json(),
                "paid": c.paid.to_json(),
                "patient_responsibility": money_json(c.patient_responsibility),
                "payer_claim_control_number": c.payer_claim_control_number,
                "claim_filing_indicator": c.claim_filing_indicator,
                "patient_name": c.patient_name,
                "statement_from": date_json(c.statement_from),
                "statement_to": date_json(c.statement_to),
                "remarks": list(c.remarks),
                "amounts": {q: a.to_json() for q, a in c.amounts},
                "adjustments": [_adj_json(a) for a in c.adjustments],
                "lines": [
                    {
                        "procedure": s.procedure,
                        "qualifier": s.qualifier,
                        "modifiers": list(s.modifiers),
                        "revenue_code": s.revenue_code,
                        "charge": s.charge.to_json(),
                        "paid": s.paid.to_json(),
                        "units": decimal_json(s.units),
                        "line_control_number": s.line_control_number,
                        "service_date": date_json(s.service_date),
                        "allowed": money_json(s.allowed),
                        "remarks": list(s.remarks),
                        "adjustments": [_adj_json(a) for a in s.adjustments],
                    }
                    for s in c.lines
                ],
            }
            for c in r.claims
        ],
        "provider_adjustments": [
            {
                "reason": a.reason,
                "reference": a.reference,
                "amount": a.amount.to_json(),
                "provider_id": a.provider_id,
                "fiscal_period_end": date_json(a.fiscal_period_end),
            }
            for a in r.provider_adjustments
        ],
    }


def _cas(adjustments: tuple[Adjustment, ...]) -> list[Segment]:
    by_group: dict[str, list[Adjustment]] = {}
    for a in adjustments:
        by_group.setdefault(a.group, []).append(a)
    out: list[Segment] = []
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            seg: Elements = ["CAS", group]
            for a in items[start : start + 6]:
                seg += [a.reason, a.amount, a.quantity]
            out.append(seg)
    return out


def transaction_835(r: Remittance) -> TransactionSet:
    """The segments of one 835 for ``r`` (the payer simulator's output)."""
    p = r.payment
    pay_date = p.date or r.production_date or date(2000, 1, 1)
    segs: list[Segment] = [
        ["BPR", p.handling, p.amount, p.credit_debit, p.method, *([""] * 11), pay_date],
        ["TRN", "1", p.trace_number, p.payer_identifier or "1000000000"],
    ]
    if r.production_date:
        segs.append(["DTM", "405", r.production_date])
    py = r.payer
    segs.append(
        ["N1", "PR", py.name, "XV", py.identifier] if py.identifier else ["N1", "PR", py.name]
    )
    segs.append(["N3", py.address_line or "PO BOX 1"])
    segs.append(["N4", py.city or "ANYTOWN", py.state or "NY", py.postal_code or "12345"])
    segs.append(["PER", "BL", "PROVIDER SERVICES", "TE", "8005551212"])
    pe = r.payee
    segs.append(["N1", "PE", pe.name, pe.id_qualifier or "XX", pe.identifier])
    if pe.address_line:
        segs.append(["N3", pe.address_line])
        segs.append(["N4", pe.city, pe.state, pe.postal_code])
    if pe.tax_id:
        segs.append(["REF", "TJ", pe.tax_id])
    if r.claims:
        segs.append(["LX", "1"])
    for c in r.claims:
        segs.append(
            [
                "CLP", c.patient_control_number, c.status, c.charge, c.paid, c.patient_responsibility,
                c.claim_filing_indicator or "12", c.payer_claim_control_number, c.facility_type or "11",
                c.frequency or "1",
            ]
        )  # fmt: skip
        segs += _cas(c.adjustments)
        last, _, first = c.patient_name.partition(" ")
        segs.append(
            [
                "NM1",
                "QC",
                "1",
                last or "UNKNOWN",
                first,
                "",
                "",
                "",
                "MI" if c.patient_member_id else "",
                c.patient_member_id,
            ]
        )
        if c.rendering_provider_npi:
            segs.append(
                ["NM1", "82", "1", "PROVIDER", "", "", "", "", "XX", c.rendering_provider_npi]
            )
        if c.crossover_payer:
            segs.append(["NM1", "TT", "2", c.crossover_payer, "", "", "", "", "PI", "CROSSOVER"])
        if c.remarks:
            segs.append(["MOA", "", "", *c.remarks[:5]])
        if c.statement_from:
            segs.append(["DTM", "232", c.statement_from])
        if c.statement_to:
            segs.append(["DTM", "233", c.statement_to])
        for q, a in c.amounts:
            segs.append(["AMT", q, a])
        for s in c.lines:
            proc = [s.qualifier, s.procedure, *s.modifiers]
            segs.append(
                ["SVC", proc, s.charge, s.paid, s.revenue_code, s.units, "", s.original_units]
            )
            if s.service_date:
                segs.append(["DTM", "472", s.service_date])
            segs += _cas(s.adjustments)
            if s.line_control_number:
                segs.append(["REF", "6R", s.line_control_number])
            if s.allowed is not None:
                segs.append(["AMT", "B6", s.allowed])
            for remark in s.remarks:
                segs.append(["LQ", "HE", remark])
    for pa in r.provider_adjustments:
        segs.append(
            [
                "PLB",
                pa.provider_id,
                pa.fiscal_period_end or pay_date,
                [pa.reason, pa.reference],
                pa.amount,
            ]
        )
    return TransactionSet("835", VERSION, segs, st03=False)


class _RemitSink:
    def __init__(self) -> None:
        self.remittances: list[Remittance] = []
        self._builder: RemittanceBuilder | None = None

    def start_set(self, key: str | None, st: list[str], delimiters: Delimiters) -> None:
        self._builder = RemittanceBuilder(delimiters.component) if key == "835" else None

    def segment(self, loop_id: str, els: list[str]) -> None:
        if self._builder is not None:
            self._builder.segment(loop_id, els)

    def end_set(self) -> None:
        if self._builder is not None:
            self.remittances.append(self._builder.build())
        self._builder = None


def read_835(
    source: str | bytes | Path | IO[str] | IO[bytes],
) -> tuple[list[Remittance], ValidationReport]:
    """Every 835 in ``source`` as a ``Remittance``, with the validation report."""
    sink = _RemitSink()
    report = Validator(sink).run(Reader(source))
    return sink.remittances, report
