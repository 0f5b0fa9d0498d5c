"""The appeal letter: a PDF asking the payer to reconsider a denied claim.

``appeal_letter_pdf(letter)`` prints the practice's letterhead, the payer's address, the level
of appeal and its deadline, the claim facts (patient, member ID, patient control number, payer
claim number, dates of service, the lines with their charges), the denial codes with their
meaning, the argument (a template per denial category, ``TEMPLATES``, plus the biller's own
words) and the list of attachments sent with it.

``ClaimFacts`` and ``LetterPage`` are shared with the reopening request and the proof of timely
filing (``forms.reopening_request``, ``forms.timely_filing_proof``).

Like the other forms, the output is deterministic (reportlab invariant mode, no clock read):
the same letter gives the same bytes. Amounts print as ``$1,234.56``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from revcycle.domain.money import Money
from revcycle.forms.refund_letter import dollars

_MARGIN = 72.0
_LEADING = 14.0

CATEGORIES = (
    "coding",
    "medical_necessity",
    "authorization",
    "timely_filing",
    "bundling",
    "non_covered",
    "other",
)

# category -> (subject, argument). The argument is the opening of the letter's case; the
# biller's own words and the attachments follow it.
TEMPLATES: dict[str, tuple[str, str]] = {
    "coding": (
        "Request for reconsideration: coding",
        "The services were coded as documented in the medical record. The procedure and "
        "diagnosis codes, and the modifiers billed, are valid for the date of service and "
        "supported by the enclosed documentation. We ask that the claim be reprocessed and "
        "paid as billed.",
    ),
    "medical_necessity": (
        "Appeal of a medical necessity denial",
        "The services were reasonable and medically necessary for the diagnosis and treatment "
        "of the patient's condition. The enclosed medical records document the patient's "
        "symptoms, history and the clinical reasons for the services, consistent with the "
        "applicable coverage policy. We ask that the denial be overturned and the claim paid.",
    ),
    "authorization": (
        "Appeal of an authorization denial",
        "The services were authorized, or could not wait for authorization, as the enclosed "
        "documents show. We ask that the authorization be recognized (retroactively if "
        "needed) and the claim paid.",
    ),
    "timely_filing": (
        "Request for reconsideration: the claim was filed on time",
        "The claim was submitted within the filing limit. The enclosed proof of timely filing "
        "shows the original electronic submission with its date, and the clearinghouse and "
        "payer acknowledgments of its receipt. We ask that the claim be processed as timely.",
    ),
    "bundling": (
        "Appeal of a bundling denial",
        "The services billed were separate and distinct: performed at a different session, "
        "on a different site or organ system, or for a separate problem, as the enclosed "
        "documentation shows. They are not included in one another and should be paid "
        "separately.",
    ),
    "non_covered": (
        "Appeal of a non-covered service denial",
        "The services are covered under the member's plan for the patient's condition, as "
        "the enclosed documentation shows. We ask that the claim be reviewed against the "
        "plan's benefits and paid.",
    ),
    "other": (
        "Request for reconsideration",
        "We believe the claim was denied in error and ask that it be reviewed and paid, for "
        "the reasons below and in the enclosed documents.",
    ),
}


@dataclass(frozen=True, slots=True)
class FactLine:
    """One line of the claim as the letter lists it."""

    line_no: int
    service_date: date | None
    procedure: str  # code and modifiers, e.g. "93000 59"
    diagnoses: str
    charge: Money


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """The facts of one claim every payer letter prints; addresses are lines, ready to print."""

    practice_name: str
    practice_address: tuple[str, ...]
    practice_phone: str
    practice_npi: str
    practice_tin: str
    payer_name: str
    payer_address: tuple[str, ...]
    patient_name: str
    patient_birth_date: date | None
    member_id: str
    patient_control_number: str
    payer_claim_number: str
    total_charge: Money
    lines: tuple[FactLine, ...]

    @property
    def service_dates(self) -> str:
        days = sorted({ln.service_date for ln in self.lines if ln.service_date})
        if not days:
            return ""
        if days[0] == days[-1]:
            return day(days[0])
        return f"{day(days[0])} - {day(days[-1])}"


@dataclass(frozen=True, slots=True)
class AppealLetter:
    """Everything an appeal letter prints."""

    letter_date: date
    facts: ClaimFacts
    category: str
    level: str  # e.g. "Redetermination (level 1)"
    deadline: date | None
    denied_amount: Money
    codes: tuple[tuple[str, str], ...]  # ("CO-50", "These are non-covered services ...")
    argument: str = ""  # the biller's own words, after the template's
    attachments: tuple[str, ...] = ()


def day(d: date | None) -> str:
    return d.strftime("%m/%d/%Y") if d else ""


class LetterPage:
    """A letter-size page writer with a cursor: lines, label/value pairs, wrapped paragraphs,
    a new page when the bottom margin is reached."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.y = LETTER[1] - _MARGIN

    def _room(self) -> None:
        if self.y < _MARGIN:
            self.canvas.showPage()
            self.y = LETTER[1] - _MARGIN

    def line(self, text: str = "", *, bold: bool = False, size: float = 10.5) -> None:
        self._room()
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        if text:
            self.canvas.drawString(_MARGIN, self.y, text)
        self.y -= _LEADING

    def pair(self, label: str, value: str) -> None:
        self._room()
        self.canvas.setFont("Helvetica-Bold", 10.5)
        self.canvas.drawString(_MARGIN, self.y, label)
        self.canvas.setFont("Helvetica", 10.5)
        self.canvas.drawString(_MARGIN + 170, self.y, value)
        self.y -= _LEADING

    def columns(
        self, values: tuple[str, ...], offsets: tuple[float, ...], bold: bool = False
    ) -> None:
        self._room()
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", 9.5)
        for value, offset in zip(values, offsets, strict=True):
            self.canvas.drawString(_MARGIN + offset, self.y, value)
        self.y -= _LEADING

    def paragraph(self, text: str, width: int = 92, indent: str = "") -> None:
        words, current = text.split(), ""
        for w in words:
            if current and len(current) + 1 + len(w) > width:
                self.line(current)
                current = indent + w
            else:
                current = f"{current} {w}" if current else w
        if current:
            self.line(current)

    def letterhead(self, facts: ClaimFacts, letter_date: date, attention: str) -> None:
        self.line(facts.practice_name, bold=True, size=13)
        for text in facts.practice_address:
            self.line(text)
        self.line(
            f"Phone {facts.practice_phone}   NPI {facts.practice_npi}   TIN {facts.practice_tin}"
        )
        self.line()
        self.line(day(letter_date))
        self.line()
        self.line(facts.payer_name, bold=True)
        self.line(attention)
        for text in facts.payer_address:
            self.line(text)
        self.line()

    def claim_facts(self, facts: ClaimFacts) -> None:
        self.pair("Patient", facts.patient_name)
        self.pair("Date of birth", day(facts.patient_birth_date))
        self.pair("Member ID", facts.member_id)
        self.pair("Patient control number", facts.patient_control_number)
        self.pair("Payer claim number", facts.payer_claim_number or "-")
        self.pair("Dates of service", facts.service_dates)
        self.pair("Billed charge", dollars(facts.total_charge))
        self.line()
        offsets = (0.0, 30.0, 110.0, 210.0, 380.0)
        self.columns(("Line", "Date", "Procedure", "Diagnoses", "Charge"), offsets, bold=True)
        for ln in facts.lines:
            self.columns(
                (
                    str(ln.line_no),
                    day(ln.service_date),
                    ln.procedure,
                    ln.diagnoses,
                    dollars(ln.charge),
                ),
                offsets,
            )

    def signature(self, facts: ClaimFacts) -> None:
        self.line()
        self.line("Sincerely,")
        self.line()
        self.line(f"Billing office, {facts.practice_name}")


def new_canvas(buffer: io.BytesIO, title: str) -> Canvas:
    canvas = Canvas(buffer, pagesize=LETTER, invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("revcycle")
    canvas.setAuthor("revcycle")
    return canvas


def appeal_letter_pdf(letter: AppealLetter) -> bytes:
    """The appeal letter as PDF bytes."""
    subject, template = TEMPLATES.get(letter.category, TEMPLATES["other"])
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, f"Appeal {letter.facts.patient_control_number}")
    page = LetterPage(canvas)
    facts = letter.facts
    page.letterhead(facts, letter.letter_date, "Attn: Appeals")
    page.line(f"RE: {subject}", bold=True, size=12)
    page.pair("Level", letter.level)
    if letter.deadline is not None:
        page.pair("Filed before", day(letter.deadline))
    page.pair("Amount denied", dollars(letter.denied_amount))
    page.line()
    page.claim_facts(facts)
    page.line()
    page.line("Denial codes", bold=True)
    for code, meaning in letter.codes:
        page.paragraph(f"{code}: {meaning or 'see the remittance advice'}", indent="    ")
    page.line()
    page.line("Why the denial should be overturned", bold=True)
    page.paragraph(template)
    if letter.argument.strip():
        page.line()
        page.paragraph(letter.argument.strip())
    page.line()
    page.line("Enclosed", bold=True)
    if letter.attachments:
        for n, name in enumerate(letter.attachments, start=1):
            page.line(f"{n}. {name}")
    else:
        page.line("No attachments.")
    page.signature(facts)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
