"""The patient cost estimate, as PDF, and the flowing page writer it shares with the GFE.

``estimate_pdf(doc)`` prints an :class:`EstimateDocument` on US letter pages: the practice,
the estimate number and date, the patient, the coverage (or self-pay), the date of service,
one row per planned service with its arithmetic (charge, expected allowed, deductible, copay,
coinsurance, out-of-pocket cap, plan pays, patient pays), the totals, what the benefits were
(remaining deductible and out-of-pocket) and the notes, a flagged estimate (no benefits
applied) saying so in bold.

Invariants (as for the statement, :mod:`revcycle.forms.statement`):
- the same document gives the same bytes: reportlab's invariant mode, no clock read;
- each value is drawn as its own string, so a PDF reader gets it back whole;
- amounts print as ``$1,234.56`` and are never cut; long text wraps, and pages follow as
  needed (``FlowWriter``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.colors import Color
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from revcycle.domain.money import Money
from revcycle.forms.statement import dollars, plain

LETTER = (612.0, 792.0)
LEFT = 48.0
RIGHT = LETTER[0] - 48.0
_TOP = LETTER[1] - 54.0
_BOTTOM = 60.0
_GREY = Color(0.92, 0.92, 0.92)
_BLACK = Color(0, 0, 0)


def mdy(day: date | None) -> str:
    return day.strftime("%m/%d/%Y") if day else ""


class FlowWriter:
    """Text flowing down US letter pages: a cursor, wrapping, and a new page when full."""

    def __init__(self, title: str, running_head: str) -> None:
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=LETTER, invariant=1, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setCreator("revcycle")
        self.canvas.setAuthor("revcycle")
        self.running_head = running_head
        self.y = _TOP
        self.page = 1

    def _font(self, size: float, bold: bool) -> None:
        self.canvas.setFillColor(_BLACK)
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` points fit above the bottom margin."""
        if self.y - height >= _BOTTOM:
            return
        self.canvas.showPage()
        self.page += 1
        self.y = _TOP
        self._font(8, False)
        self.canvas.drawString(LEFT, self.y, plain(f"{self.running_head} - page {self.page}"))
        self.y -= 20

    def text(self, x: float, value: str, *, size: float = 9, bold: bool = False) -> None:
        """Draw at the cursor's line without moving it."""
        clean = plain(value)
        if clean:
            self._font(size, bold)
            self.canvas.drawString(x, self.y, clean)

    def right(self, x: float, value: str, *, size: float = 9, bold: bool = False) -> None:
        self._font(size, bold)
        self.canvas.drawRightString(x, self.y, plain(value))

    def down(self, points: float) -> None:
        self.y -= points

    def line(self, value: str, *, size: float = 9, bold: bool = False, x: float = LEFT) -> None:
        self.need(size + 4)
        self.text(x, value, size=size, bold=bold)
        self.down(size + 4)

    def paragraph(
        self, value: str, *, size: float = 9, bold: bool = False, x: float = LEFT
    ) -> None:
        """Wrapped to the right margin; each wrapped line is drawn whole."""
        font = "Helvetica-Bold" if bold else "Helvetica"
        for part in simpleSplit(plain(value), font, size, RIGHT - x):
            self.line(part, size=size, bold=bold, x=x)
        self.down(3)

    def fields(
        self, pairs: Sequence[tuple[str, str]], *, x: float = LEFT, label: float = 120
    ) -> None:
        for name, value in pairs:
            self.need(13)
            self.text(x, name, bold=True)
            self.text(x + label, value)
            self.down(13)

    def band(self, height: float = 14) -> None:
        self.canvas.setFillColor(_GREY)
        self.canvas.rect(LEFT - 4, self.y - 4, RIGHT - LEFT + 8, height, stroke=0, fill=1)

    def heading(self, value: str, *, size: float = 11) -> None:
        self.need(size + 24)
        self.down(6)
        self.band(size + 5)
        self.text(LEFT, value, size=size, bold=True)
        self.down(size + 8)

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


@dataclass(frozen=True, slots=True)
class EstimateRow:
    service: str  # procedure with its modifiers, e.g. "93000-26"
    units: str
    service_type: str
    charge: Money
    allowed: Money
    deductible: Money
    copay: Money
    coinsurance: Money
    out_of_pocket_cap: Money
    plan: Money
    patient: Money


@dataclass(frozen=True, slots=True)
class EstimateDocument:
    number: str
    estimate_date: date
    practice_name: str
    practice_address: tuple[str, ...]
    practice_phone: str
    patient_name: str
    patient_dob: date
    account: str
    coverage: str  # "Acme Health PPO, member W100" or "Self-pay"
    service_date: date
    basis: str  # a sentence: what the patient's share rests on
    flagged: bool
    rows: tuple[EstimateRow, ...]
    totals: EstimateRow
    deductible_remaining: Money | None = None
    out_of_pocket_remaining: Money | None = None
    notes: tuple[str, ...] = ()


# (title, right edge) of the amount columns; the service and units come first
_AMOUNTS: tuple[tuple[str, float], ...] = (
    ("Charge", LEFT + 150),
    ("Allowed", LEFT + 198),
    ("Deductible", LEFT + 248),
    ("Copay", LEFT + 292),
    ("Coinsurance", LEFT + 346),
    ("Capped", LEFT + 394),
    ("Plan pays", LEFT + 446),
    ("You pay", RIGHT),
)


def _row(w: FlowWriter, row: EstimateRow, *, bold: bool = False) -> None:
    w.need(13)
    w.text(LEFT, row.service, size=8, bold=bold)
    w.right(LEFT + 100, row.units, size=8, bold=bold)
    values = (
        row.charge,
        row.allowed,
        row.deductible,
        row.copay,
        row.coinsurance,
        row.out_of_pocket_cap,
        row.plan,
        row.patient,
    )
    for (_title, x), value in zip(_AMOUNTS, values, strict=True):
        w.right(x, dollars(value), size=8, bold=bold)
    w.down(13)


def estimate_pdf(doc: EstimateDocument) -> bytes:
    """The estimate as PDF bytes (deterministic)."""
    w = FlowWriter(f"Estimate {doc.number}", f"Patient cost estimate {doc.number}")
    w.text(LEFT, doc.practice_name, size=13, bold=True)
    w.right(RIGHT, "PATIENT COST ESTIMATE", size=13, bold=True)
    w.down(15)
    for ln in (*doc.practice_address, doc.practice_phone):
        w.line(ln)
    w.down(8)
    w.fields(
        (
            ("Estimate", doc.number),
            ("Estimate date", mdy(doc.estimate_date)),
            ("Patient", doc.patient_name),
            ("Date of birth", mdy(doc.patient_dob)),
            ("Account", doc.account),
            ("Coverage", doc.coverage),
            ("Date of service", mdy(doc.service_date)),
        )
    )
    w.heading("Planned services")
    w.band()
    w.text(LEFT, "Service", size=8, bold=True)
    w.right(LEFT + 100, "Units", size=8, bold=True)
    for title, x in _AMOUNTS:
        w.right(x, title, size=8, bold=True)
    w.down(16)
    for row in doc.rows:
        _row(w, row)
    w.down(2)
    _row(w, doc.totals, bold=True)
    w.down(8)
    w.need(20)
    w.text(LEFT, "Your estimated cost", size=11, bold=True)
    w.right(RIGHT, dollars(doc.totals.patient), size=11, bold=True)
    w.down(18)
    w.paragraph(
        "You pay = deductible + copay + coinsurance. Capped: what your out-of-pocket limit "
        "already took off them. Plan pays = allowed - you pay.",
        size=7,
    )
    w.heading("What this estimate rests on", size=10)
    w.paragraph(doc.basis, bold=doc.flagged)
    benefits: list[tuple[str, str]] = []
    if doc.deductible_remaining is not None:
        benefits.append(("Deductible left", dollars(doc.deductible_remaining)))
    if doc.out_of_pocket_remaining is not None:
        benefits.append(("Out-of-pocket left", dollars(doc.out_of_pocket_remaining)))
    w.fields(benefits)
    for note in doc.notes:
        w.paragraph(note)
    w.paragraph(
        "This is an estimate, not a bill or a guarantee of payment. Your plan decides what it "
        "pays when it processes the claim; the amount you owe may differ if the services, your "
        "benefits or what you have paid toward your deductible change.",
        size=8,
    )
    return w.finish()
