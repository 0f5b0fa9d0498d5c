"""What the patient-billing use cases share: finding the patient, and the patient's claim lines
with the service date and procedure the ledger does not carry.

Service dates come from the claim's encounter line (``dos_from``, else the encounter's), the
same source ERA posting uses; a line whose claim cannot be found sorts last (``date.max``) so
it is never mistaken for the oldest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from revcycle.domain.errors import NotFound
from revcycle.domain.ledger import LineRef
from revcycle.domain.money import Money
from revcycle.domain.patient import Patient
from revcycle.posting.patient import OpenLine
from revcycle.services.billing_ports import BillingStore, LineTotals
from revcycle.services.ports import UnitOfWork


def resolve_patient(uow: UnitOfWork, key: str | int) -> Patient:
    """A patient by id (an ``int``), or by MRN else id (text, as people type it)."""
    if isinstance(key, int):
        found = uow.patients.get(key)
        if found.id is None:
            raise NotFound("patient", key)
        return found
    text = key.strip()
    patient = uow.patients.by_mrn(text)
    if patient is None and text.isdigit():
        patient = uow.patients.get(int(text))
    if patient is None or patient.id is None:
        raise NotFound("patient", text)
    return patient


@dataclass(frozen=True, slots=True)
class LineInfo:
    service_date: date
    procedure: str


UNKNOWN = LineInfo(date.max, "")


def line_info(uow: UnitOfWork, claim_ids: Iterable[str]) -> dict[tuple[str, str], LineInfo]:
    """(claim id, line id) -> service date and procedure, for the claims that exist (read in
    one query with their encounters' lines)."""
    ids = sorted({int(c) for c in claim_ids if c.isdigit()})
    return {
        (str(claim_id), str(line_id)): LineInfo(info.service_date, info.procedure)
        for (claim_id, line_id), info in uow.encounters.claim_line_services(ids).items()
    }


@dataclass(frozen=True, slots=True)
class PatientLine:
    """A line of the patient's account: ledger totals plus what the claim says about it."""

    totals: LineTotals
    info: LineInfo

    @property
    def service_date(self) -> date:
        return self.info.service_date


def patient_lines(uow: UnitOfWork, store: BillingStore, patient_id: int) -> list[PatientLine]:
    return patient_lines_many(uow, store, [patient_id]).get(patient_id, [])


def patient_lines_many(
    uow: UnitOfWork, store: BillingStore, patient_ids: Sequence[int]
) -> dict[int, list[PatientLine]]:
    """``patient_lines`` of many patients, read together (patients without lines are left
    out)."""
    totals = store.ledger.line_totals_many(patient_ids)
    infos = line_info(uow, [t.claim_id for lines in totals.values() for t in lines])
    out: dict[int, list[PatientLine]] = {}
    for pid, patient_totals in totals.items():
        lines = [
            PatientLine(t, infos.get((t.claim_id, t.line_id), UNKNOWN)) for t in patient_totals
        ]
        out[pid] = sorted(
            lines,
            key=lambda ln: (ln.service_date, _num(ln.totals.claim_id), _num(ln.totals.line_id)),
        )
    return out


def open_lines(practice_id: int, patient_id: int, lines: Sequence[PatientLine]) -> list[OpenLine]:
    """The lines on which the patient owes something, as the posting functions take them."""
    return [
        OpenLine(
            LineRef(str(practice_id), str(patient_id), ln.totals.claim_id, ln.totals.line_id),
            ln.totals.patient_open,
            ln.service_date,
        )
        for ln in lines
        if ln.totals.patient_open and not ln.totals.patient_open.is_negative()
    ]


def owed(lines: Sequence[PatientLine]) -> Money:
    return Money.sum(ln.totals.patient_open for ln in lines)


def _num(text: str) -> tuple[int, str]:
    return (int(text), "") if text.isdigit() else (0, text)
