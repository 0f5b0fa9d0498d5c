"""``revcycle denials list|show|assign|note|follow-up|close|patterns|reprioritize`` and
``revcycle queues``: the denial work queue and every other queue's count.

``list`` shows open denials (``--status all`` for every one), highest priority (dollars x
urgency of the deadline) first, 50 at a time; the last line names the ``--after`` cursor of
the next page. ``assign`` and ``close`` take ids or, with ``--filter``-style options
(``--category``, ``--payer``, ``--owner``, ``--aging``, ``--due-before``), every matching
open denial.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from revcycle.cli.common import DbOpt, JsonOpt, PracticeOpt, fail, handled, out_console, state

if TYPE_CHECKING:
    from revcycle.services.context import Context
    from revcycle.services.denial_ports import DenialFilter

denials = typer.Typer(
    help="Denial work queue: list, show, assign, note, follow up, close, patterns.",
    no_args_is_help=True,
)
queues = typer.Typer(help="Every work queue with its open count.", invoke_without_command=True)

StatusOpt = Annotated[
    str | None,
    typer.Option("--status", help="A status, or 'all' [default: open and in_progress]"),
]
CategoryOpt = Annotated[str | None, typer.Option("--category", help="Root cause")]
PayerOpt = Annotated[str | None, typer.Option("--payer", help="Payer ID (e.g. SIMPPO)")]
OwnerOpt = Annotated[str | None, typer.Option("--owner", help="Owner ('' for unassigned)")]
AgingOpt = Annotated[
    str | None, typer.Option("--aging", help="Aging bucket: 0-30, 31-60, 61-90, 91-120, 121+")
]
DueOpt = Annotated[
    str | None, typer.Option("--due-before", help="Deadline before this date (YYYY-MM-DD)")
]


def _dump(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, default=str) + "\n")


def _date(field: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(2, f"{field}: {text!r} is not a date (YYYY-MM-DD)")
        raise AssertionError from None


def _payer_ref(ctx: Context, payer: str | None) -> int | None:
    if payer is None:
        return None
    from revcycle.domain.errors import NotFound

    with ctx.uow() as uow:
        found = uow.payers.by_payer_id(payer)
    if found is None or found.id is None:
        raise NotFound("payer", payer)
    return found.id


def _filter(
    ctx: Context,
    status: str | None,
    category: str | None,
    payer: str | None,
    owner: str | None,
    aging: str | None,
    due_before: str | None,
) -> DenialFilter:
    from revcycle.services.denials import make_filter

    return make_filter(
        status=status,
        category=category,
        payer_id=_payer_ref(ctx, payer),
        owner=owner,
        aging=aging,
        due_before=_date("due-before", due_before),
    )


@denials.command("list")
def list_cmd(
    status: StatusOpt = None,
    category: CategoryOpt = None,
    payer: PayerOpt = None,
    owner: OwnerOpt = None,
    aging: AgingOpt = None,
    due_before: DueOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    after: Annotated[str | None, typer.Option("--after", help="Cursor of the next page")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """The denial queue, highest priority first (one keyset page)."""
    from revcycle.db.denial_repo import denial_store
    from revcycle.services import denials as service

    with handled():
        ctx = state(db, practice).context()
        where = _filter(ctx, status, category, payer, owner, aging, due_before)
        page = service.list_denials(ctx, where, limit=limit, after=after, store=denial_store)
        today = ctx.clock.today()
    docs = [service.denial_json(d, today) for d in page.items]
    if as_json:
        _dump({"items": docs, "next_after": page.next_after})
        return
    from rich.table import Table

    table = Table(title="Denials")
    for col in ("id", "claim", "codes", "category", "action", "amount", "deadline", "status",
                "owner", "aging"):  # fmt: skip
        table.add_column(col)
    for d in docs:
        table.add_row(
            str(d["id"]), str(d["claim_id"]), " ".join(d["carcs"] + d["rarcs"]), d["category"],
            d["action"], d["amount"], d["deadline"] or "", d["status"], d["owner"] or "",
            d["aging"],
        )  # fmt: skip
    out_console.print(table)
    if page.next_after:
        out_console.print(f"next page: --after {page.next_after}")


@denials.command("show")
def show_cmd(
    denial_id: Annotated[int, typer.Argument(help="Denial id")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """A denial with its claim, codes and their meaning, and history."""
    from revcycle.db.denial_repo import denial_store
    from revcycle.services import denials as service

    with handled():
        doc = service.show(state(db, practice).context(), denial_id, store=denial_store)
    if as_json:
        _dump(doc)
        return
    claim = doc["claim"]
    out_console.print(
        f"denial {doc['id']}  claim {claim['id']} ({claim['patient_control_number']}, "
        f"{claim['status']})  payer {doc['payer']['payer_id'] if doc['payer'] else '?'}"
    )
    out_console.print(
        f"{doc['source']} {doc['category']} -> {doc['action']}  {doc['amount']} at stake  "
        f"status {doc['status']}  owner {doc['owner'] or '-'}"
    )
    out_console.print(
        f"timely filing {doc['timely_filing_deadline'] or '-'}  appeal "
        f"{doc['appeal_deadline'] or '-'}  follow-up {doc['follow_up'] or '-'}"
    )
    for c in doc["codes"]:
        out_console.print(f"  {c['kind']} {c['code']}: {c['meaning']}", highlight=False)
    for e in doc["history"]:
        out_console.print(f"  {e['at']} {e['actor']} {e['action']} {e['note'] or ''}")


def _ids_or_where(
    ctx: Context,
    ids: list[int] | None,
    category: str | None,
    payer: str | None,
    owner: str | None,
    aging: str | None,
    due_before: str | None,
) -> tuple[list[int], DenialFilter | None]:
    if ids:
        return ids, None
    if all(x is None for x in (category, payer, owner, aging, due_before)):
        fail(2, "give denial ids or at least one filter option")
    return [], _filter(ctx, None, category, payer, owner, aging, due_before)


@denials.command("assign")
def assign_cmd(
    ids: Annotated[list[int] | None, typer.Argument(help="Denial ids")] = None,
    to: Annotated[str, typer.Option("--to", help="Who works them")] = "",
    category: CategoryOpt = None,
    payer: PayerOpt = None,
    owner: OwnerOpt = None,
    aging: AgingOpt = None,
    due_before: DueOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Assign denials (ids, or every open one matching the filter options) to a person."""
    from revcycle.db.denial_repo import denial_store
    from revcycle.services import denials as service

    with handled():
        ctx = state(db, practice).context()
        chosen, where = _ids_or_where(ctx, ids, category, payer, owner, aging, due_before)
        done = service.assign(ctx, chosen, to, where=where, store=denial_store)
    if as_json:
        _dump([service.denial_json(d, ctx.clock.today()) for d in done])
    else:
        out_console.print(f"{len(done)} denial(s) assigned to {to}")


@denials.command("close")
def close_cmd(
    ids: Annotated[list[int] | None, typer.Argument(help="Denial ids")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Resolution")] = "",
    category: CategoryOpt = None,
    payer: PayerOpt = None,
    owner: OwnerOpt = None,
    aging: AgingOpt = None,
    due_before: DueOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Close denials (ids, or every open one matching the filter options) with a reason."""
    from revcycle.db.denial_repo import denial_store
    from revcycle.services import denials as service

    with handled():
        ctx = state(db, practice).context()
        chosen, where = _ids_or_where(ctx, ids, category, payer, owner, aging, due_before)
        done = service.close(ctx, chosen, reason, where=where, store=denial_store)
    if as_json:
        _dump([service.denial_json(d, ctx.clock.today()) for d in done])
    else:
        out_console.print(f"{len(done)} denial(s) closed")


@denials.command("note")
def note_cmd(
    denial_id: Annotated[int, typer.Argument(help="Denial id")],
    text: Annotated[str, typer.Argument(help="The note")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Add a note to a denial's history."""
    from revcycle.db.denial_repo import denial_store
    from revcycle.services import denials as service

    with handled():
        service.add_note(state(db, practice).context(), denial_id, text, store=denial_store)
    out_console.print(f"note added to denial {denial_id}")


@denials.command("follow-up")
def follow_up_cmd(
    denial_id: Annotated[int, typer.Argument(help="Denial id")],
    when: Annotated[str, typer.Argument(help="Follow-up date (YYYY-MM-DD)")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Set the date to look at a denial again."""
    from revcycle.db.denial_repo import denial_store
    from revcycle.services import denials as service

    day = _date("date", when)
    assert day is not None
    with handled():
        service.set_follow_up(state(db, practice).context(), denial_id, day, store=denial_store)
    out_console.print(f"denial {denial_id}: follow up on {day.isoformat()}")


@denials.command("patterns")
def patterns_cmd(
    minimum: Annotated[int, typer.Option("--min", min=1, help="Smallest count shown")] = 3,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Denial patterns (payer x procedure x CARC) with a suggested scrubber rule."""
    from revcycle.db.denial_repo import denial_store
    from revcycle.services import denials as service

    with handled():
        found = service.patterns(state(db, practice).context(), minimum, store=denial_store)
    if as_json:
        _dump(found)
        return
    if not found:
        out_console.print(f"no pattern seen {minimum} times or more")
    for p in found:
        out_console.print(
            f"{p['payer']} {p['procedure']} {p['carc']} ({p['category']}): {p['count']} denials, "
            f"{p['amount']}; suggest: {p['suggested_rule']['text']}",
            highlight=False,
        )


@denials.command("reprioritize")
def reprioritize_cmd(db: DbOpt = None, practice: PracticeOpt = None) -> None:
    """Recompute every open denial's priority for today (run daily)."""
    from revcycle.db.denial_repo import denial_store
    from revcycle.services import denials as service

    with handled():
        n = service.reprioritize(state(db, practice).context(), store=denial_store)
    out_console.print(f"{n} open denial(s) reprioritized")


@queues.callback()
def queues_cmd(
    typer_ctx: typer.Context,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Every work queue with its open count (denials also by category)."""
    if typer_ctx.invoked_subcommand is not None:
        return
    from revcycle.db.denial_repo import denial_store
    from revcycle.services import denials as service

    with handled():
        found = service.queues(state(db, practice).context(), store=denial_store)
    if as_json:
        _dump(found)
        return
    for q in found:
        out_console.print(f"{q['queue']:<24} {q['count']:>7}  {q['description']}")
        for cat, n in q.get("by_category", {}).items():
            out_console.print(f"  {cat:<22} {n:>7}")
