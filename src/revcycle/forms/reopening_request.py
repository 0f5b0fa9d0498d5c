"""The reopening request: how a Medicare Part B claim is corrected once it was adjudicated.

Medicare Part B does not take replacement claims (frequency 7, rejected 277CA A7/535): a
clerical error in a processed claim is fixed by asking the contractor to reopen it, in writing,
within one year of the initial determination. ``reopening_request_pdf(request)`` prints the
claim facts, what was billed, what it should have been (one line per correction) and why.

Deterministic like the other forms: the same request gives the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from revcycle.forms.appeal_letter import ClaimFacts, LetterPage, day, new_canvas


@dataclass(frozen=True, slots=True)
class Correction:
    """One change: which line, what was billed, what it should be."""

    line_no: int
    billed: str  # e.g. "93000"
    corrected: str  # e.g. "93000 59"


@dataclass(frozen=True, slots=True)
class ReopeningRequest:
    letter_date: date
    facts: ClaimFacts  # the claim as it was processed
    corrections: tuple[Correction, ...]
    reason: str
    deadline: date | None = None  # one year after the initial determination


def reopening_request_pdf(request: ReopeningRequest) -> bytes:
    """The reopening request as PDF bytes."""
    buffer = io.BytesIO()
    facts = request.facts
    canvas = new_canvas(buffer, f"Reopening request {facts.patient_control_number}")
    page = LetterPage(canvas)
    page.letterhead(facts, request.letter_date, "Attn: Reopenings (clerical error)")
    page.line("RE: Request for a reopening of a processed claim", bold=True, size=12)
    if request.deadline is not None:
        page.pair("Within one year, by", day(request.deadline))
    page.line()
    page.paragraph(
        "We ask that the claim below be reopened to correct a clerical error. The claim was "
        "processed; the correction does not change the services rendered, only how they were "
        "reported."
    )
    page.line()
    page.claim_facts(facts)
    page.line()
    page.line("Corrections", bold=True)
    offsets = (0.0, 40.0, 200.0)
    page.columns(("Line", "As billed", "Corrected to"), offsets, bold=True)
    for c in request.corrections:
        page.columns((str(c.line_no), c.billed, c.corrected), offsets)
    page.line()
    page.line("Reason", bold=True)
    page.paragraph(request.reason)
    page.signature(facts)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
