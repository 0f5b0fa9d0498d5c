"""The 837 of claims, as revcycle would send them: who submits (the practice), who receives
(the payer's clearinghouse route), control numbers from a persistent source."""

from __future__ import annotations

from collections.abc import Sequence

from revcycle.domain.practice import Practice
from revcycle.domain.user import READ_REGISTRATION
from revcycle.services.claim_builder import build_claim, load_sources
from revcycle.services.claims import find_claim
from revcycle.services.context import Context
from revcycle.x12.control import ControlNumberSource
from revcycle.x12.mapping.claim837 import Submitter, write_837
from revcycle.x12.writer import Envelope

CLEARINGHOUSE_ID = "SIMCLEARHOUSE"


def submitter_for(practice: Practice) -> tuple[Submitter, Envelope]:
    sender = f"RC{practice.tin}"
    submitter = Submitter(
        name=practice.legal_name,
        identifier=sender,
        contact_name="Billing Office",
        contact_phone=practice.phone,
        receiver_name="Revcycle Simulated Clearinghouse",
        receiver_id=CLEARINGHOUSE_ID,
    )
    return submitter, Envelope(sender_id=sender, receiver_id=CLEARINGHOUSE_ID)


def claims_837(ctx: Context, keys: Sequence[str], control: ControlNumberSource) -> str:
    """The 837 interchange of the given claims (ids or patient control numbers)."""
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        records = [find_claim(uow, k) for k in keys]
        built = [build_claim(load_sources(uow, r)) for r in records]
        assert uow.practice_id is not None
        practice = uow.practices.get(uow.practice_id)
        for r in records:
            ctx.audit(uow, "read", "claim", r.id)
        uow.commit()
    submitter, envelope = submitter_for(practice)
    return write_837(built, submitter, envelope, control, ctx.clock.now())
