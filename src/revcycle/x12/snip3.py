"""SNIP 3 balancing for 837 and 835 (see ../shared/reference/remittance.md).

- 837: CLM02 (total charge) = sum of the service line charges (SV102 / SV203); a claim with
  frequency 7 or 8 must carry REF*F8 (the payer's original claim number).
- 835: line SVC02 - sum(line CAS) = SVC03; claim CLP03 - sum(claim and line CAS) = CLP04;
  transaction sum(CLP04) - sum(PLB) = BPR02.

A balancer receives only the segments it ``wants`` and reports findings through the
validator, positioned at the segment that opened the unit being balanced.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from revcycle.x12.errors import Position
from revcycle.x12.findings import ERROR, Finding

if TYPE_CHECKING:
    from revcycle.x12.validator import Balancer, Validator

ZERO = Decimal(0)


def _amount(els: list[str], i: int) -> Decimal | None:
    if i >= len(els) or not els[i]:
        return None
    try:
        return Decimal(els[i])
    except InvalidOperation:
        return None


def _cas_total(els: list[str]) -> Decimal:
    total = ZERO
    for i in range(3, min(len(els), 19), 3):
        a = _amount(els, i)
        if a is not None:
            total += a
    return total


class _Base:
    def __init__(self, validator: Validator) -> None:
        self.v = validator

    def _here(self, seg_id: str, loop: str, element: int) -> Position:
        v = self.v
        return Position(v._seg_no, seg_id, loop, element, 0, v._count)

    def _report(self, where: Position, code: str, message: str, ref: str, value: str) -> None:
        self.v._add(
            Finding(
                code,
                ERROR,
                message,
                where,
                segment_error="8",
                element_error="I12",
                element_ref=ref,
                bad_value=value,
            )
        )


class Balance837(_Base):
    wants = frozenset(("CLM", "SV1", "SV2", "REF", "HL", "SBR"))

    def __init__(self, validator: Validator) -> None:
        super().__init__(validator)
        self.where: Position | None = None
        self.total: Decimal | None = None
        self.lines = ZERO
        self.n_lines = 0
        self.frequency = ""
        self.has_f8 = False
        self.raw = ""

    def segment(self, sid: str, loop_id: str, els: list[str]) -> None:
        if sid == "SV1" or sid == "SV2":
            a = _amount(els, 2 if sid == "SV1" else 3)
            if a is not None:
                self.lines += a
            self.n_lines += 1
        elif sid == "CLM":
            self._close()
            self.where = self._here("CLM", loop_id, 2)
            self.total = _amount(els, 2)
            self.raw = els[2] if len(els) > 2 else ""
            comp = self.v._comp
            parts = els[5].split(comp) if len(els) > 5 else []
            self.frequency = parts[2] if len(parts) > 2 else ""
        elif sid == "REF":
            if loop_id == "2300" and len(els) > 1 and els[1] == "F8":
                self.has_f8 = True
        else:  # HL or SBR (2320) ends the claim's own data
            if sid == "HL":
                self._close()

    def _close(self) -> None:
        where = self.where
        if where is None:
            return
        if self.total is not None and self.n_lines and self.total != self.lines:
            self._report(
                where,
                "x12.balance.claim_charge",
                f"CLM02 {self.raw} is not the sum of the service line charges ({self.lines})",
                "782",
                self.raw,
            )
        if self.frequency in ("7", "8") and not self.has_f8:
            self.v._add(
                Finding(
                    "x12.claim.original_reference_missing",
                    ERROR,
                    f"a claim with frequency {self.frequency} needs REF*F8 (payer claim control number)",
                    where,
                    segment_error="3",
                )
            )
        self.where = None
        self.total = None
        self.lines = ZERO
        self.n_lines = 0
        self.frequency = ""
        self.has_f8 = False

    def end(self) -> None:
        self._close()


class Balance835(_Base):
    wants = frozenset(("BPR", "CLP", "CAS", "SVC", "PLB"))

    def __init__(self, validator: Validator) -> None:
        super().__init__(validator)
        self.bpr: Decimal | None = None
        self.bpr_where: Position | None = None
        self.paid_total = ZERO
        self.plb_total = ZERO
        self.claim_where: Position | None = None
        self.claim: tuple[Decimal, Decimal] | None = None
        self.claim_adj = ZERO
        self.line_where: Position | None = None
        self.line: tuple[Decimal, Decimal] | None = None
        self.line_adj = ZERO

    def segment(self, sid: str, loop_id: str, els: list[str]) -> None:
        if sid == "CAS":
            t = _cas_total(els)
            self.claim_adj += t
            if loop_id == "2110":
                self.line_adj += t
        elif sid == "SVC":
            self._close_line()
            charge, paid = _amount(els, 2), _amount(els, 3)
            self.line_where = self._here("SVC", loop_id, 3)
            self.line = (charge, paid) if charge is not None and paid is not None else None
        elif sid == "CLP":
            self._close_claim()
            charge, paid = _amount(els, 3), _amount(els, 4)
            if paid is not None:
                self.paid_total += paid
            self.claim_where = self._here("CLP", loop_id, 4)
            self.claim = (charge, paid) if charge is not None and paid is not None else None
        elif sid == "PLB":
            self._close_claim()
            for i in range(4, min(len(els), 15), 2):
                a = _amount(els, i)
                if a is not None:
                    self.plb_total += a
        elif sid == "BPR":
            self.bpr = _amount(els, 2)
            self.bpr_where = self._here("BPR", loop_id, 2)

    def _close_line(self) -> None:
        if self.line is not None and self.line_where is not None:
            charge, paid = self.line
            if charge - self.line_adj != paid:
                self._report(
                    self.line_where,
                    "x12.balance.service_line",
                    f"SVC02 {charge} - line adjustments {self.line_adj} != SVC03 {paid}",
                    "782",
                    str(paid),
                )
        self.line = None
        self.line_where = None
        self.line_adj = ZERO

    def _close_claim(self) -> None:
        self._close_line()
        if self.claim is not None and self.claim_where is not None:
            charge, paid = self.claim
            if charge - self.claim_adj != paid:
                self._report(
                    self.claim_where,
                    "x12.balance.claim",
                    f"CLP03 {charge} - adjustments {self.claim_adj} != CLP04 {paid}",
                    "782",
                    str(paid),
                )
        self.claim = None
        self.claim_where = None
        self.claim_adj = ZERO

    def end(self) -> None:
        self._close_claim()
        if self.bpr is not None and self.bpr_where is not None:
            if self.paid_total - self.plb_total != self.bpr:
                self._report(
                    self.bpr_where,
                    "x12.balance.transaction",
                    f"sum of CLP04 {self.paid_total} - PLB {self.plb_total} != BPR02 {self.bpr}",
                    "782",
                    str(self.bpr),
                )


def balancer_for(key: str, validator: Validator) -> Balancer | None:
    if key in ("837P", "837I"):
        return Balance837(validator)
    if key == "835":
        return Balance835(validator)
    return None
