"""277CA claim acknowledgments: written by the payer simulator, read back per claim.

Per claim the status carries the STC category (A1 received, A2 accepted, A3 returned as
unprocessable, A4 not found, A6 missing information, A7 invalid information, A8 relational
error), the status code, the date, the claim charge and the payer's claim number (REF*1K)
when accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from revcycle.domain.money import Money
from revcycle.x12.mapping.common import d8, date_json, el, money, money_json
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
        ["STC", ["A1", "19", "PR"], day, "WQ", total],
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
    """Collects one 277CA's claim-level statuses (2200D) from its segments."""

    def __init__(self, component: str = ":") -> None:
        self.comp = component
        self.claims: list[dict[str, Any]] = []
        self._patient: dict[str, str] = {}

    def segment(self, loop_id: str, els: list[str]) -> None:
        sid = els[0]
        if loop_id == "2100D" and sid == "NM1":
            self._patient = {"last": el(els, 3), "first": el(els, 4), "member_id": el(els, 9)}
        elif loop_id == "2200D":
            if sid == "TRN":
                self.claims.append(
                    {
                        "patient_control_number": el(els, 2),
                        "patient": dict(self._patient),
                        "statuses": [],
                        "payer_claim_control_number": "",
                    }
                )
            elif not self.claims:
                return
            elif sid == "STC":
                parts = el(els, 1).split(self.comp)
                amount = money(el(els, 4))
                self.claims[-1]["statuses"].append(
                    {
                        "category": el(parts, 0),
                        "code": el(parts, 1),
                        "entity": el(parts, 2),
                        "date": date_json(d8(el(els, 2))),
                        "action": el(els, 3),
                        "charge": money_json(amount),
                    }
                )
            elif sid == "REF" and el(els, 1) == "1K":
                self.claims[-1]["payer_claim_control_number"] = el(els, 2)
            elif sid == "DTP":
                self.claims[-1]["service_dates"] = el(els, 3)

    def to_json(self) -> dict[str, Any]:
        for c in self.claims:
            first = c["statuses"][0] if c["statuses"] else {}
            c["category"] = first.get("category", "")
            c["accepted"] = c["category"] in ACCEPTED
        return {"type": "277CA", "claims": self.claims}


def statuses_of(claims: Sequence[dict[str, Any]]) -> dict[str, str]:
    """patient control number -> first STC category."""
    return {c["patient_control_number"]: c.get("category", "") for c in claims}
