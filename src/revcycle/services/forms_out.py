"""Claims on paper: the CMS-1500 for professional claims, the UB-04 for institutional ones."""

from __future__ import annotations

from revcycle.domain.user import READ_REGISTRATION
from revcycle.forms import cms1500_pdf, ub04_pdf
from revcycle.services.claim_builder import build_claim, load_sources
from revcycle.services.claims import find_claim
from revcycle.services.context import Context


def claim_pdf(ctx: Context, key: str, *, data_only: bool = False) -> tuple[str, bytes]:
    """(patient control number, PDF bytes) of a claim, by id or patient control number."""
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        record = find_claim(uow, key)
        claim = build_claim(load_sources(uow, record))
        ctx.audit(uow, "read", "claim", record.id)
        uow.commit()
    if record.kind == "I":
        return record.patient_control_number, ub04_pdf(claim)
    return record.patient_control_number, cms1500_pdf(
        claim, mode="data_only" if data_only else "full"
    )
