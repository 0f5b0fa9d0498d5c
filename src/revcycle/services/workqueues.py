"""Work queues: listing items and working them (assign, note, close), each step recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from revcycle.domain.errors import DomainValidationError
from revcycle.domain.user import READ_REGISTRATION, WRITE_PATIENTS
from revcycle.domain.workqueue import ITEM_STATUSES, QUEUES, WorkItem
from revcycle.services.context import Context


def list_items(
    ctx: Context, queue: str | None = None, status: str | None = "open"
) -> Sequence[WorkItem]:
    ctx.require(READ_REGISTRATION)
    if queue is not None and queue not in QUEUES:
        raise DomainValidationError.single("queue", "queue_unknown", f"one of {', '.join(QUEUES)}")
    if status is not None and status not in ITEM_STATUSES:
        raise DomainValidationError.single(
            "status", "status_unknown", f"one of {', '.join(ITEM_STATUSES)}"
        )
    with ctx.uow() as uow:
        return uow.work_items.list(queue, status)


def assign(ctx: Context, item_id: int, owner: str, note: str | None = None) -> WorkItem:
    ctx.require(WRITE_PATIENTS)
    if not owner.strip():
        raise DomainValidationError.single("owner", "required", "name who works the item")
    with ctx.uow() as uow:
        item = replace(uow.work_items.get(item_id), owner=owner.strip(), status="in_progress")
        uow.work_items.update(item)
        uow.work_items.add_event(item_id, ctx.clock.now(), ctx.actor, "assigned", note)
        uow.commit()
    return item
