"""The payer refund letter: a one-page PDF sent with the refund of an overpayment.

``refund_letter_pdf(letter)`` prints the practice's letterhead, the payer's address, the claim
facts the payer needs to apply the refund (patient, member ID, patient control number, payer
claim number, date of service, procedure, billed, paid, refunded) and the reason. For a
Medicare payer it states the identification date and the 60-day deadline of section 1128J(d)
of the Social Security Act (42 CFR 401.305).

Like the claim forms, the output is deterministic (reportlab invariant mode, no clock read):
the same letter gives the same bytes. Amounts print as ``$1,234.56``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from revcycle.domain.money import Money

_MARGIN = 72.0
_LEADING = 14.0


@dataclass(frozen=True, slots=True)
class RefundLetter:
    """Everything the letter prints; addresses are lines, ready to print."""

    letter_date: date
    practice_name: str
    practice_address: tuple[str, ...]
    practice_phone: str
    practice_npi: str
    practice_tin: str
    payer_name: str
    payer_address: tuple[str, ...]
    patient_name: str
    member_id: str
    patient_control_number: str
    payer_claim_numbers: tuple[str, ...]
    service_date: date | None
    procedure: str
    charge: Money
    paid: Money
    refund: Money
    reason: str
    identified_on: date | None = None
    deadline: date | None = None  # Medicare: 60 days after identification


def dollars(money: Money) -> str:
    """``Money('1234.5')`` -> ``'$1,234.50'``."""
    sign = "-" if money.is_negative() else ""
    return f"{sign}${abs(money.amount):,.2f}"


def _day(d: date | None) -> str:
    return d.strftime("%m/%d/%Y") if d else ""


class _Page:
    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.y = LETTER[1] - _MARGIN

    def line(self, text: str = "", *, bold: bool = False, size: float = 10.5) -> None:
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        if text:
            self.canvas.drawString(_MARGIN, self.y, text)
        self.y -= _LEADING

    def pair(self, label: str, value: str) -> None:
        self.canvas.setFont("Helvetica-Bold", 10.5)
        self.canvas.drawString(_MARGIN, self.y, label)
        self.canvas.setFont("Helvetica", 10.5)
        self.canvas.drawString(_MARGIN + 170, self.y, value)
        self.y -= _LEADING

    def paragraph(self, text: str, width: int = 92) -> None:
        words, current = text.split(), ""
        for w in words:
            if current and len(current) + 1 + len(w) > width:
                self.line(current)
                current = w
            else:
                current = f"{current} {w}".strip()
        if current:
            self.line(current)


def refund_letter_pdf(letter: RefundLetter) -> bytes:
    """The letter as PDF bytes."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=1, pageCompression=1)
    canvas.setTitle(f"Refund of overpayment {letter.patient_control_number}")
    canvas.setCreator("revcycle")
    canvas.setAuthor("revcycle")
    page = _Page(canvas)
    page.line(letter.practice_name, bold=True, size=13)
    for text in letter.practice_address:
        page.line(text)
    page.line(
        f"Phone {letter.practice_phone}   NPI {letter.practice_npi}   TIN {letter.practice_tin}"
    )
    page.line()
    page.line(_day(letter.letter_date))
    page.line()
    page.line(letter.payer_name, bold=True)
    page.line("Attn: Overpayment Recovery / Refunds")
    for text in letter.payer_address:
        page.line(text)
    page.line()
    page.line("RE: Refund of overpayment", bold=True, size=12)
    page.line()
    page.paragraph(
        f"Enclosed is our refund of {dollars(letter.refund)} for the claim below, which "
        f"{letter.payer_name} overpaid. Please apply it to the claim and do not offset it "
        "against future payments."
    )
    page.line()
    page.pair("Patient", letter.patient_name)
    page.pair("Member ID", letter.member_id)
    page.pair("Patient control number", letter.patient_control_number)
    page.pair("Payer claim number", ", ".join(letter.payer_claim_numbers) or "-")
    page.pair("Date of service", _day(letter.service_date))
    page.pair("Procedure", letter.procedure)
    page.pair("Billed charge", dollars(letter.charge))
    page.pair("Paid by the payer", dollars(letter.paid))
    page.pair("Amount refunded", dollars(letter.refund))
    page.line()
    page.line("Reason for the refund", bold=True)
    page.paragraph(letter.reason)
    if letter.deadline is not None:
        page.line()
        page.paragraph(
            f"This overpayment was identified on {_day(letter.identified_on)} and is reported "
            "and returned under section 1128J(d) of the Social Security Act (42 CFR 401.305), "
            f"within 60 days of identification (deadline {_day(letter.deadline)})."
        )
    page.line()
    page.line("Sincerely,")
    page.line()
    page.line(f"Billing office, {letter.practice_name}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
