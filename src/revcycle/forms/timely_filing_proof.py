"""Proof of timely filing: the record that a claim reached the payer within its filing limit.

``timely_filing_proof_pdf(proof)`` prints the claim facts, the filing limit, and every time the
claim was sent: the stored interchange (file name, interchange control number, SHA-256 of the
bytes as sent, date and time), the 999 that accepted the transaction set and the 277CA in which
the payer acknowledged the claim (status, payer claim number, date). Payers accept such a
report as proof of timely filing in a reconsideration.

Deterministic like the other forms: the same proof gives the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from revcycle.forms.appeal_letter import ClaimFacts, LetterPage, day, new_canvas


@dataclass(frozen=True, slots=True)
class FilingResponse:
    kind: str  # 999, 277CA, TA1, 835
    outcome: str  # accepted, rejected, ...
    detail: str
    at: datetime
    payer_claim_number: str = ""


@dataclass(frozen=True, slots=True)
class FilingAttempt:
    file_name: str
    interchange_control_number: int
    set_control_number: str
    sha256: str
    sent_at: datetime | None
    responses: tuple[FilingResponse, ...]


@dataclass(frozen=True, slots=True)
class TimelyFilingProof:
    letter_date: date
    facts: ClaimFacts
    filing_limit_days: int | None
    filing_deadline: date | None
    attempts: tuple[FilingAttempt, ...]

    @property
    def first_sent(self) -> datetime | None:
        sent = [a.sent_at for a in self.attempts if a.sent_at is not None]
        return min(sent) if sent else None

    @property
    def on_time(self) -> bool | None:
        first = self.first_sent
        if first is None or self.filing_deadline is None:
            return None
        return first.date() <= self.filing_deadline


def _when(at: datetime | None) -> str:
    return at.strftime("%m/%d/%Y %H:%M %Z").strip() if at else "not sent"


def timely_filing_proof_pdf(proof: TimelyFilingProof) -> bytes:
    """The proof as PDF bytes."""
    buffer = io.BytesIO()
    facts = proof.facts
    canvas = new_canvas(buffer, f"Proof of timely filing {facts.patient_control_number}")
    page = LetterPage(canvas)
    page.letterhead(facts, proof.letter_date, "Attn: Appeals / Reconsiderations")
    page.line("RE: Proof of timely filing", bold=True, size=12)
    if proof.filing_limit_days is not None:
        page.pair("Filing limit", f"{proof.filing_limit_days} days after the date of service")
    if proof.filing_deadline is not None:
        page.pair("Filing deadline", day(proof.filing_deadline))
    page.pair("First submitted", _when(proof.first_sent))
    verdict = {True: "within the filing limit", False: "after the filing limit", None: "-"}
    page.pair("Submitted", verdict[proof.on_time])
    page.line()
    page.claim_facts(facts)
    page.line()
    page.line("Electronic submissions and acknowledgments", bold=True)
    if not proof.attempts:
        page.line("The claim has not been submitted electronically.")
    for n, a in enumerate(proof.attempts, start=1):
        page.line()
        page.line(f"Submission {n}: {a.file_name}", bold=True)
        page.pair("Sent", _when(a.sent_at))
        page.pair("Interchange control number", f"{a.interchange_control_number:09d}")
        page.pair("Transaction set", a.set_control_number)
        page.pair("SHA-256 of the file", a.sha256[:32])
        page.pair("", a.sha256[32:])
        for r in a.responses:
            number = f", payer claim number {r.payer_claim_number}" if r.payer_claim_number else ""
            page.paragraph(
                f"{r.kind} {_when(r.at)}: {r.outcome}{number}. {r.detail}".strip(),
                indent="    ",
            )
    page.signature(facts)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
