"""SNIP 3 balancing for 837 and 835 (see ../shared/reference/remittance.md).

- 837: CLM02 (total charge) = sum of the service line charges (SV102 / SV203); a claim with
  frequency 7 or 8 must carry REF*F8 (the payer's original claim number).
- 835: line SVC02 - sum(line CAS) = SVC03; claim CLP03 - sum(claim and line CAS) = CLP04;
  transaction sum(CLP04) - sum(PLB) = BPR02.

A balancer receives only the segments it ``wants`` and reports findings through the
validator, positioned at the segment that opened the unit being balanced.
"""

from __future__ import annotations

from dataclasses import replace
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
    if len(els) <= 5:
        try:
            return Decimal(els[3])
        except (IndexError, InvalidOperation):
            return ZERO
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


class _OtherPayer:
    __slots__ = ("adjusted", "paid", "paid_where", "payer_id")

    def __init__(self) -> None:
        self.payer_id = ""
        self.adjusted = ZERO  # 2320 claim-level CAS
        self.paid: Decimal | None = None  # AMT*D
        self.paid_where: Position | None = None


class _LineAdjudication:
    __slots__ = ("adjusted", "charge", "paid", "payer_id", "where")

    def __init__(
        self, payer_id: str, paid: Decimal | None, charge: Decimal | None, where: Position
    ) -> None:
        self.payer_id = payer_id
        self.paid = paid
        self.charge = charge
        self.adjusted = ZERO  # 2430 CAS
        self.where = where


class Balance837(_Base):
    """CLM02 = sum of line charges; REF*F8 with frequency 7 / 8; and for COB claims (see
    remittance.md) per 2430: SV102 = SVD02 + its CAS, per 2320: sum of that payer's SVD02
    - 2320 CAS = AMT*D."""

    wants = frozenset(("CLM", "SV1", "SV2", "REF", "HL", "SBR", "CAS", "AMT", "NM1", "SVD"))

    def __init__(self, validator: Validator) -> None:
        super().__init__(validator)
        self.where: Position | None = None
        self.total: Decimal | None = None
        self.lines = ZERO
        self.n_lines = 0
        self.line_charge: Decimal | None = None
        self.frequency = ""
        self.has_f8 = False
        self.raw = ""
        self.others: list[_OtherPayer] = []
        self.adjudications: list[_LineAdjudication] = []

    def segment(self, sid: str, loop_id: str, els: list[str]) -> None:
        if sid in ("SV1", "SV2"):
            a = _amount(els, 2 if sid == "SV1" else 3)
            if a is not None:
                self.lines += a
            self.line_charge = a
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
        elif sid == "HL":
            self._close()
        elif self.where is None:
            return
        elif sid == "SBR" and loop_id == "2320":
            self.others.append(_OtherPayer())
        elif sid == "CAS":
            total = _cas_total(els)
            if loop_id == "2430" and self.adjudications:
                self.adjudications[-1].adjusted += total
            elif loop_id == "2320" and self.others:
                self.others[-1].adjusted += total
        elif sid == "AMT" and loop_id == "2320" and self.others and els[1:2] == ["D"]:
            self.others[-1].paid = _amount(els, 2)
            self.others[-1].paid_where = self._here("AMT", loop_id, 2)
        elif sid == "NM1" and loop_id == "2330B" and self.others:
            self.others[-1].payer_id = els[9] if len(els) > 9 else ""
        elif sid == "SVD":
            self.adjudications.append(
                _LineAdjudication(
                    els[1] if len(els) > 1 else "",
                    _amount(els, 2),
                    self.line_charge,
                    self._here("SVD", loop_id, 2),
                )
            )

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
        if self.others or self.adjudications:
            self._close_cob()
        self.where = None
        self.total = None
        self.lines = ZERO
        self.n_lines = 0
        self.line_charge = None
        self.frequency = ""
        self.has_f8 = False
        self.others = []
        self.adjudications = []

    def _close_cob(self) -> None:
        paid_by: dict[str, Decimal] = {}
        known = {other.payer_id for other in self.others}
        for adj in self.adjudications:
            if adj.payer_id not in known:
                self.v._add(
                    Finding(
                        "x12.cob.unknown_payer",
                        ERROR,
                        f"SVD01 {adj.payer_id!r} names no other payer of the claim (2330B NM109)",
                        replace(adj.where, element=1),
                        segment_error="8",
                        element_error="I12",
                        element_ref="67",
                        bad_value=adj.payer_id,
                    )
                )
            if adj.paid is None:
                continue
            paid_by[adj.payer_id] = paid_by.get(adj.payer_id, ZERO) + adj.paid
            if adj.charge is not None and adj.paid + adj.adjusted != adj.charge:
                self._report(
                    adj.where,
                    "x12.balance.line_adjudication",
                    f"SVD02 {adj.paid} + line adjustments {adj.adjusted} != SV102 {adj.charge}",
                    "782",
                    str(adj.paid),
                )
        for other in self.others:
            if other.paid is None or other.paid_where is None or other.payer_id not in paid_by:
                continue
            if paid_by[other.payer_id] - other.adjusted != other.paid:
                self._report(
                    other.paid_where,
                    "x12.balance.cob_claim",
                    f"payer {other.payer_id}: sum of SVD02 {paid_by[other.payer_id]} - claim "
                    f"adjustments {other.adjusted} != AMT*D {other.paid}",
                    "782",
                    str(other.paid),
                )

    def end(self) -> None:
        self._close()


class Balance835(_Base):
    wants = frozenset(("BPR", "CLP", "CAS", "SVC", "PLB"))

    def __init__(self, validator: Validator) -> None:
        super().__init__(validator)
        self.bpr: Decimal | None = None
        self.bpr_where: tuple[int, int, str] | None = None
        self.paid_total = ZERO
        self.plb_total = ZERO
        # open claim / line: (charge, paid, where) or None; where = (segment no, set segment no, loop)
        self.claim: tuple[Decimal, Decimal, tuple[int, int, str]] | None = None
        self.claim_adj = ZERO
        self.line: tuple[Decimal, Decimal, tuple[int, int, str]] | None = None
        self.line_adj = ZERO

    def segment(self, sid: str, loop_id: str, els: list[str]) -> None:
        if sid == "CAS":
            t = _cas_total(els)
            self.claim_adj += t
            if loop_id == "2110":
                self.line_adj += t
        elif sid == "SVC":
            if self.line is not None:
                self._close_line()
            try:
                v = self.v
                self.line = (Decimal(els[2]), Decimal(els[3]), (v._seg_no, v._count, loop_id))
            except (IndexError, InvalidOperation):
                self.line = None
        elif sid == "CLP":
            self._close_claim()
            try:
                charge, paid = Decimal(els[3]), Decimal(els[4])
            except (IndexError, InvalidOperation):
                self.claim = None
                return
            self.paid_total += paid
            v = self.v
            self.claim = (charge, paid, (v._seg_no, v._count, loop_id))
        elif sid == "PLB":
            self._close_claim()
            for i in range(4, min(len(els), 15), 2):
                a = _amount(els, i)
                if a is not None:
                    self.plb_total += a
        elif sid == "BPR":
            self.bpr = _amount(els, 2)
            self.bpr_where = (self.v._seg_no, self.v._count, loop_id)

    def _at(self, where: tuple[int, int, str], seg_id: str, element: int) -> Position:
        return Position(where[0], seg_id, where[2], element, 0, where[1])

    def _close_line(self) -> None:
        line = self.line
        if line is not None:
            charge, paid, where = line
            if charge - self.line_adj != paid:
                self._report(
                    self._at(where, "SVC", 3),
                    "x12.balance.service_line",
                    f"SVC02 {charge} - line adjustments {self.line_adj} != SVC03 {paid}",
                    "782",
                    str(paid),
                )
            self.line = None
        self.line_adj = ZERO

    def _close_claim(self) -> None:
        self._close_line()
        claim = self.claim
        if claim is not None:
            charge, paid, where = claim
            if charge - self.claim_adj != paid:
                self._report(
                    self._at(where, "CLP", 4),
                    "x12.balance.claim",
                    f"CLP03 {charge} - adjustments {self.claim_adj} != CLP04 {paid}",
                    "782",
                    str(paid),
                )
            self.claim = None
        self.claim_adj = ZERO

    def end(self) -> None:
        self._close_claim()
        if (
            self.bpr is not None
            and self.bpr_where is not None
            and self.paid_total - self.plb_total != self.bpr
        ):
            self._report(
                self._at(self.bpr_where, "BPR", 2),
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
