"""277CA claim acknowledgments: written by the payer simulator, read back per claim.

Per claim the status carries the STC category (A1 received, A2 accepted, A3 returned as
unprocessable, A4 not found, A6 missing information, A7 invalid information, A8 relational
error), the status code, the date, the claim charge and the payer's claim number (REF*1K)
when accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from revcycle.domain.money import Money
from revcycle.x12.mapping.common import d8, date_json, el, money, money_json
from revcycle.x12.reader import Delimiters, Reader
from revcycle.x12.validator import ValidationReport, Validator
from revcycle.x12.writer import Segment, TransactionSet

VERSION = "005010X214"
ACCEPTED = frozenset(("A1", "A2", "A5"))


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    patient_control_number: str
    category: str  # STC01-1
    status_code: str  # STC01-2
    status_date: date
    charge: Money
    patient_last_name: str
    patient_first_name: str = ""
    member_id: str = ""
    payer_claim_control_number: str = ""
    service_from: date | None = None
    service_to: date | None = None
    entity: str = ""  # STC01-3

    @property
    def accepted(self) -> bool:
        return self.category in ACCEPTED


@dataclass(frozen=True, slots=True)
class ClaimAcknowledgment:
    payer_name: str
    payer_id: str
    receiver_name: str
    receiver_id: str
    billing_provider_name: str
    billing_provider_npi: str
    receipt_date: date
    process_date: date
    trace: str  # the batch the acknowledgment answers (2200B TRN02)
    claims: tuple[ClaimStatus, ...]


def transaction_277ca(ack: ClaimAcknowledgment) -> TransactionSet:
    acc = [c for c in ack.claims if c.accepted]
    rej = [c for c in ack.claims if not c.accepted]
    acc_amt = Money.sum(c.charge for c in acc)
    rej_amt = Money.sum(c.charge for c in rej)
    total = acc_amt + rej_amt
    day = ack.process_date
    segs: list[Segment] = [
        ["BHT", "0085", "08", ack.trace, day, "1200", "TH"],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", ack.payer_name, "", "", "", "", "PI", ack.payer_id],
        ["TRN", "1", ack.trace],
        ["DTP", "050", "D8", ack.receipt_date],
        ["DTP", "009", "D8", ack.process_date],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "41", "2", ack.receiver_name, "", "", "", "", "46", ack.receiver_id],
        ["TRN", "2", ack.trace],
        ["STC", ["A1", "19", "PR"], day, "WQ", total],
        ["QTY", "90", str(len(acc))],
        ["QTY", "AA", str(len(rej))],
        ["AMT", "YU", acc_amt],
        ["AMT", "YY", rej_amt],
        ["HL", "3", "2", "19", "1"],
        [
            "NM1",
            "85",
            "2",
            ack.billing_provider_name,
            "",
            "",
            "",
            "",
            "XX",
            ack.billing_provider_npi,
        ],
        ["TRN", "1", "0"],
        ["STC", ["A1", "19", "PR"], "", "WQ", total],
        ["QTY", "QA", str(len(acc))],
        ["QTY", "QC", str(len(rej))],
        ["AMT", "YU", acc_amt],
        ["AMT", "YY", rej_amt],
    ]
    hl = 4
    for c in ack.claims:
        segs.append(["HL", str(hl), "3", "PT"])
        segs.append(
            ["NM1", "QC", "1", c.patient_last_name, c.patient_first_name, "", "", "",
             "MI" if c.member_id else "", c.member_id]
        )  # fmt: skip
        segs.append(["TRN", "2", c.patient_control_number])
        stc: list[str] = [c.category, c.status_code]
        if c.entity:
            stc.append(c.entity)
        segs.append(["STC", stc, c.status_date, "WQ" if c.accepted else "U", c.charge])
        if c.payer_claim_control_number:
            segs.append(["REF", "1K", c.payer_claim_control_number])
        if c.service_from:
            if c.service_to and c.service_to != c.service_from:
                segs.append(["DTP", "472", "RD8", f"{c.service_from:%Y%m%d}-{c.service_to:%Y%m%d}"])
            else:
                segs.append(["DTP", "472", "D8", c.service_from])
        hl += 1
    return TransactionSet("277", VERSION, segs)


class StatusBuilder:
    """Collects one 277CA's segments into a ``ClaimAcknowledgment`` (the first information
    source, receiver and billing provider name the set; every 2200D becomes a status)."""

    def __init__(self, component: str = ":") -> None:
        self.comp = component
        self.names: dict[str, list[str]] = {}
        self.dates: dict[str, str] = {}
        self.trace = ""
        self.claims: list[dict[str, Any]] = []
        self._patient: list[str] = []

    def segment(self, loop_id: str, els: list[str]) -> None:
        sid = els[0]
        if sid == "NM1":
            if loop_id == "2100D":
                self._patient = els
            else:
                self.names.setdefault(loop_id, els)
        elif loop_id == "2200A" and sid == "DTP":
            self.dates.setdefault(el(els, 1), el(els, 3))
        elif loop_id == "2200B" and sid == "TRN" and not self.trace:
            self.trace = el(els, 2)
        elif loop_id == "2200D":
            if sid == "TRN":
                self.claims.append(
                    {"pcn": el(els, 2), "patient": self._patient, "stc": [], "ref": "", "dtp": ""}
                )
            elif not self.claims:
                return
            elif sid == "STC":
                self.claims[-1]["stc"].append(els)
            elif sid == "REF" and el(els, 1) == "1K":
                self.claims[-1]["ref"] = el(els, 2)
            elif sid == "DTP":
                self.claims[-1]["dtp"] = el(els, 3)

    def _status(self, c: dict[str, Any]) -> ClaimStatus:
        stc = c["stc"][0] if c["stc"] else []
        parts = el(stc, 1).split(self.comp)
        span = c["dtp"].split("-")
        patient = c["patient"]
        return ClaimStatus(
            patient_control_number=c["pcn"],
            category=el(parts, 0),
            status_code=el(parts, 1),
            status_date=d8(el(stc, 2)) or date(1900, 1, 1),
            charge=money(el(stc, 4)) or Money(0),
            patient_last_name=el(patient, 3),
            patient_first_name=el(patient, 4),
            member_id=el(patient, 9),
            payer_claim_control_number=c["ref"],
            service_from=d8(el(span, 0)),
            service_to=d8(el(span, 1)) if len(span) > 1 else None,
            entity=el(parts, 2),
        )

    def build(self) -> ClaimAcknowledgment:
        source = self.names.get("2100A", [])
        receiver = self.names.get("2100B", [])
        billing = self.names.get("2100C", [])
        return ClaimAcknowledgment(
            payer_name=el(source, 3),
            payer_id=el(source, 9),
            receiver_name=el(receiver, 3),
            receiver_id=el(receiver, 9),
            billing_provider_name=el(billing, 3),
            billing_provider_npi=el(billing, 9),
            receipt_date=d8(self.dates.get("050", "")) or date(1900, 1, 1),
            process_date=d8(self.dates.get("009", "")) or date(1900, 1, 1),
            trace=self.trace,
            claims=tuple(self._status(c) for c in self.claims),
        )

    def to_json(self) -> dict[str, Any]:
        ack = self.build()
        claims = []
        for c, status in zip(self.claims, ack.claims, strict=True):
            claims.append(
                {
                    "patient_control_number": status.patient_control_number,
                    "category": status.category,
                    "status_code": status.status_code,
                    "entity": status.entity,
                    "accepted": status.accepted,
                    "date": date_json(d8(el(c["stc"][0], 2)) if c["stc"] else None),
                    "charge": money_json(money(el(c["stc"][0], 4)) if c["stc"] else None),
                    "payer_claim_control_number": status.payer_claim_control_number,
                    "patient": {"last_name": status.patient_last_name, "first_name": status.patient_first_name,
                                "member_id": status.member_id},
                    "statuses": [
                        {
                            "category": el(p, 0), "code": el(p, 1), "entity": el(p, 2),
                            "date": date_json(d8(el(stc, 2))), "action": el(stc, 3),
                            "charge": money_json(money(el(stc, 4))),
                        }
                        for stc in c["stc"]
                        for p in [el(stc, 1).split(self.comp)]
                    ],
                }
            )  # fmt: skip
        return {
            "type": "277CA",
            "payer": {"name": ack.payer_name, "id": ack.payer_id},
            "receiver": {"name": ack.receiver_name, "id": ack.receiver_id},
            "billing_provider": {
                "name": ack.billing_provider_name,
                "npi": ack.billing_provider_npi,
            },
            "trace": ack.trace,
            "claims": claims,
        }


class _AckSink:
    def __init__(self) -> None:
        self.acks: list[ClaimAcknowledgment] = []
        self._builder: StatusBuilder | None = None

    def start_set(self, key: str | None, st: list[str], delimiters: Delimiters) -> None:
        self._builder = StatusBuilder(delimiters.component) if key == "277CA" else None

    def segment(self, loop_id: str, els: list[str]) -> None:
        if self._builder is not None:
            self._builder.segment(loop_id, els)

    def end_set(self) -> None:
        if self._builder is not None:
            self.acks.append(self._builder.build())
        self._builder = None


def read_277ca(
    source: str | bytes | Path | IO[str] | IO[bytes],
) -> tuple[list[ClaimAcknowledgment], ValidationReport]:
    """Every 277CA in ``source`` as a ``ClaimAcknowledgment``, with the validation report."""
    sink = _AckSink()
    report = Validator(sink).run(Reader(source))
    return sink.acks, report
