"""The Good Faith Estimate (No Surprises Act, 45 CFR 149.610), as PDF.

``gfe_pdf(doc)`` prints a :class:`GfeDocument` with every field the rule requires: the
patient's name and date of birth; the primary item or service and its scheduled date; for each
provider and facility its name, NPI, TIN, state and location, followed by the items and
services expected from it with their diagnosis codes, service codes and expected charges and
its subtotal; the total; the items or services that must be scheduled separately; the
disclaimers; and the patient's right to dispute a bill (patient-provider dispute resolution)
and how. The issue date is printed in the header; the timing the GFE had to meet and the date
until which it is kept are printed at the end.

Same invariants as :mod:`revcycle.forms.estimate`: deterministic bytes, values drawn whole,
amounts as ``$1,234.56``, text wrapped and pages added as needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from revcycle.domain.money import Money
from revcycle.forms.estimate import LEFT, RIGHT, FlowWriter, mdy
from revcycle.forms.statement import dollars


@dataclass(frozen=True, slots=True)
class GfeItem:
    service: str  # code with modifiers, e.g. "20610-RT"
    description: str
    units: str
    diagnoses: tuple[str, ...]  # ICD-10-CM codes, printed with their dot
    charge: Money


@dataclass(frozen=True, slots=True)
class GfeParty:
    """A provider or facility: who it is, where it is, and what it is expected to furnish."""

    role: str  # "Provider" or "Facility"
    name: str
    npi: str
    tin: str
    location: tuple[str, ...]
    state: str
    items: tuple[GfeItem, ...]

    @property
    def total(self) -> Money:
        return Money.sum(i.charge for i in self.items)


@dataclass(frozen=True, slots=True)
class GfeDocument:
    number: str
    issued_on: date
    practice_name: str
    practice_address: tuple[str, ...]
    practice_phone: str
    patient_name: str
    patient_dob: date
    account: str
    primary_service: str
    scheduled_date: date | None
    diagnoses: tuple[str, ...]
    parties: tuple[GfeParty, ...]
    separately_scheduled: tuple[str, ...]
    disclaimers: tuple[str, ...]
    dispute: str
    timing: str  # the deadline the GFE had to meet, in words
    retain_until: date

    @property
    def total(self) -> Money:
        return Money.sum(p.total for p in self.parties)


def _party(w: FlowWriter, p: GfeParty) -> None:
    w.heading(f"{p.role}: {p.name}", size=10)
    w.fields(
        (
            ("NPI", p.npi or "not applicable"),
            ("TIN", p.tin),
            ("Location", ", ".join(p.location)),
            ("State", p.state),
        ),
        label=70,
    )
    if not p.items:
        w.line(f"No separate charges are expected from this {p.role.lower()}.", size=8)
        return
    w.down(2)
    w.band()
    for x, title in ((LEFT, "Service code"), (LEFT + 75, "Description"), (LEFT + 265, "Units")):
        w.text(x, title, size=8, bold=True)
    w.text(LEFT + 300, "Diagnosis codes", size=8, bold=True)
    w.right(RIGHT, "Expected charge", size=8, bold=True)
    w.down(15)
    for item in p.items:
        w.need(13)
        w.text(LEFT, item.service, size=8)
        w.text(LEFT + 75, item.description[:40], size=8)
        w.text(LEFT + 265, item.units, size=8)
        w.text(LEFT + 300, " ".join(item.diagnoses) or "none given", size=8)
        w.right(RIGHT, dollars(item.charge), size=8)
        w.down(13)
    w.need(13)
    w.text(LEFT + 300, f"Total for this {p.role.lower()}", size=8, bold=True)
    w.right(RIGHT, dollars(p.total), size=8, bold=True)
    w.down(13)


def gfe_pdf(doc: GfeDocument) -> bytes:
    """The Good Faith Estimate as PDF bytes (deterministic)."""
    w = FlowWriter(f"Good Faith Estimate {doc.number}", f"Good Faith Estimate {doc.number}")
    w.text(LEFT, doc.practice_name, size=13, bold=True)
    w.right(RIGHT, "GOOD FAITH ESTIMATE", size=13, bold=True)
    w.down(15)
    for ln in (*doc.practice_address, doc.practice_phone):
        w.line(ln)
    w.down(4)
    w.paragraph(
        "Good Faith Estimate for health care items and services, for patients who are "
        "uninsured or not using insurance (No Surprises Act).",
        bold=True,
    )
    w.fields(
        (
            ("Estimate number", doc.number),
            ("Date issued", mdy(doc.issued_on)),
            ("Patient name", doc.patient_name),
            ("Patient date of birth", mdy(doc.patient_dob)),
            ("Account", doc.account),
            ("Primary service", doc.primary_service),
            ("Scheduled date", mdy(doc.scheduled_date) or "not yet scheduled"),
            ("Diagnosis codes", " ".join(doc.diagnoses) or "none given"),
        )
    )
    w.heading("Expected items and services, by provider and facility")
    for party in doc.parties:
        _party(w, party)
    w.down(6)
    w.need(20)
    w.text(LEFT, "Total estimated charges", size=11, bold=True)
    w.right(RIGHT, dollars(doc.total), size=11, bold=True)
    w.down(18)
    w.heading("Items or services that must be scheduled separately", size=10)
    if doc.separately_scheduled:
        for item in doc.separately_scheduled:
            w.paragraph(f"- {item}")
        w.paragraph(
            "They are not included in this estimate; you will receive a separate Good Faith "
            "Estimate for them when they are scheduled.",
            size=8,
        )
    else:
        w.paragraph("None are expected.")
    w.heading("Disclaimers", size=10)
    for text in doc.disclaimers:
        w.paragraph(text, size=8)
    w.heading("Your right to dispute the bill", size=10)
    w.paragraph(doc.dispute, size=8)
    w.heading("Record", size=10)
    w.paragraph(doc.timing, size=8)
    w.paragraph(
        f"This Good Faith Estimate is kept by {doc.practice_name} until "
        f"{mdy(doc.retain_until)} (6 years from the date issued).",
        size=8,
    )
    return w.finish()
