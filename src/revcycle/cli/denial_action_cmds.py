"""``revcycle denials correct|void|rebill|bill-patient|attach|appeal|send-appeal|outcome|
letter|writeoff|approve|refuse|writeoffs|settings|timely-filing|proof``: working a denial.

The commands are added to the ``denials`` command group (``register(denials)`` from
``cli/app.py``) and call ``services.denial_actions``. Documents (appeal letter, reopening
request, proof of timely filing) are written to ``--out``; ``--json`` prints the result as
JSON on stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from revcycle.cli.common import DbOpt, JsonOpt, PracticeOpt, fail, handled, out_console, state

IdArg = Annotated[int, typer.Argument(help="Denial id")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept in the history)")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write the PDF here")]
MailboxOpt = Annotated[
    str | None,
    typer.Option("--mailbox", help="Mailbox URL [default: the practice's filesystem mailbox]"),
]


def _dump(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, default=str) + "\n")


def _stores() -> tuple[Any, Any]:
    from revcycle.db.appeal_repo import action_store
    from revcycle.db.denial_repo import denial_store

    return action_store, denial_store


def _write(out: Path | None, document: bytes | None) -> None:
    if out is not None and document:
        out.write_bytes(document)


def _report(result: Any, as_json: bool, out: Path | None = None) -> None:
    _write(out, result.document)
    doc = result.to_json()
    if out is not None and result.document:
        doc["document_path"] = str(out)
    if as_json:
        _dump(doc)
        return
    parts = [f"denial {doc['denial_id']}: {doc['action']} -> {doc['denial_status']}"]
    if doc["claim_id"]:
        parts.append(
            f"claim {doc['claim_id']} ({doc['claim_status']}, frequency {doc['frequency']})"
        )
    if doc["amount"]:
        parts.append(f"amount {doc['amount']}")
    if doc["pending_write_off"]:
        parts.append(f"waiting for approval: request {doc['pending_write_off']['id']}")
    if doc["appeal"]:
        a = doc["appeal"]
        parts.append(f"appeal {a['id']} {a['level_name']} by {a['deadline']}")
    if out is not None and result.document:
        parts.append(f"written to {out}")
    out_console.print("; ".join(parts), highlight=False)


def _money(text: str | None, field: str) -> Any:
    if text is None:
        return None
    from revcycle.domain.money import Money

    try:
        return Money(text)
    except Exception:
        fail(2, f"{field}: {text!r} is not an amount")
        raise AssertionError from None


def _edits(add: list[str], remove: list[str]) -> list[Any]:
    """``--add-modifier 2:59`` (line 2 gets 59), ``--remove-modifier 1:25``."""
    from revcycle.services.denial_actions import LineEdit

    by_line: dict[int, tuple[list[str], list[str]]] = {}
    for which, values in ((0, add), (1, remove)):
        for v in values:
            line, _, code = v.partition(":")
            if not line.isdigit() or not code:
                fail(2, f"{v!r}: give LINE:MODIFIER, e.g. 2:59")
            by_line.setdefault(int(line), ([], []))[which].append(code)
    return [LineEdit(n, tuple(a), tuple(r)) for n, (a, r) in sorted(by_line.items())]


def correct_cmd(
    denial_id: IdArg,
    reason: ReasonOpt,
    add_modifier: Annotated[
        list[str], typer.Option("--add-modifier", help="LINE:MODIFIER (repeatable)")
    ] = [],  # noqa: B006 - typer reads the default
    remove_modifier: Annotated[
        list[str], typer.Option("--remove-modifier", help="LINE:MODIFIER (repeatable)")
    ] = [],  # noqa: B006
    mode: Annotated[
        str, typer.Option("--mode", help="auto, replacement (freq 7), new_claim, reopening")
    ] = "auto",
    out: OutOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Edit the claim's lines and resubmit it as the payer wants (frequency 7, a new claim, or
    a Medicare reopening request PDF)."""
    from revcycle.services import denial_actions as service

    actions, denials = _stores()
    with handled():
        ctx = state(db, practice).context()
        result = service.correct(
            ctx, denial_id, reason=reason, edits=_edits(add_modifier, remove_modifier),
            mode=mode, store=actions, denials=denials,
        )  # fmt: skip
    _report(result, as_json, out)


def void_cmd(
    denial_id: IdArg,
    reason: ReasonOpt,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Void the denied claim at the payer (frequency 8)."""
    from revcycle.services import denial_actions as service

    _, denials = _stores()
    with handled():
        ctx = state(db, practice).context()
        result = service.void(ctx, denial_id, reason=reason, denials=denials)
    _report(result, as_json)


def rebill_cmd(
    denial_id: IdArg,
    reason: ReasonOpt,
    coverage: Annotated[int | None, typer.Option("--coverage", help="Coverage id")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Bill the claim to the patient's other coverage (a new claim)."""
    from revcycle.services import denial_actions as service

    actions, denials = _stores()
    with handled():
        ctx = state(db, practice).context()
        result = service.rebill(
            ctx, denial_id, reason=reason, coverage_id=coverage, store=actions, denials=denials
        )
    _report(result, as_json)


def bill_patient_cmd(
    denial_id: IdArg,
    reason: ReasonOpt,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Move the payer's open balance on the claim to the patient."""
    from revcycle.services import denial_actions as service

    actions, denials = _stores()
    with handled():
        ctx = state(db, practice).context()
        result = service.bill_patient(ctx, denial_id, reason=reason, store=actions, denials=denials)
    _report(result, as_json)


def attach_cmd(
    denial_id: IdArg,
    file: Annotated[Path, typer.Argument(help="The document (PDF, image, text)")],
    kind: Annotated[
        str, typer.Option("--kind", help="medical_records, progress_notes, operative_note, ...")
    ] = "medical_records",
    content_type: Annotated[str, typer.Option("--content-type")] = "application/pdf",
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Store a supporting document for the denial's claim."""
    from revcycle.cli.common import require_file
    from revcycle.services import denial_actions as service

    require_file(file)
    actions, denials = _stores()
    with handled():
        ctx = state(db, practice).context()
        found = service.attach(
            ctx, denial_id, name=file.name, content=file.read_bytes(), kind=kind,
            content_type=content_type, store=actions, denials=denials,
        )  # fmt: skip
    if as_json:
        _dump(found.to_json())
        return
    out_console.print(
        f"attachment {found.id}: {found.name} ({found.kind}, PWK {found.report_type} "
        f"{found.attachment_id}, {found.size} bytes)",
        highlight=False,
    )


def appeal_cmd(
    denial_id: IdArg,
    argument: Annotated[str, typer.Option("--argument", help="Your own words")] = "",
    attachment: Annotated[
        list[int], typer.Option("--attachment", help="Attachment id (repeatable)")
    ] = [],  # noqa: B006
    category: Annotated[str | None, typer.Option("--category", help="Letter template")] = None,
    send: Annotated[bool, typer.Option("--send", help="Send it to the payer now")] = False,
    mailbox: MailboxOpt = None,
    out: OutOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Appeal the denial at its next level: the letter PDF, deadline and attachments."""
    from revcycle.services import denial_actions as service

    actions, denials = _stores()
    with handled():
        ctx = state(db, practice).context()
        result = service.appeal(
            ctx, denial_id, argument=argument, attachment_ids=attachment, category=category,
            store=actions, denials=denials,
        )  # fmt: skip
        if send and result.appeal is not None:
            sent = _send(ctx, result.appeal.id or 0, mailbox)
            from dataclasses import replace

            result = replace(result, appeal=sent)
    _report(result, as_json, out)


def _send(ctx: Any, appeal_id: int, mailbox: str | None) -> Any:
    from revcycle.services import denial_actions as service
    from revcycle.transport import open_mailbox

    actions, denials = _stores()
    url = mailbox
    if url is None:
        from revcycle.services.setup import get_practice
        from revcycle.services.submission import default_mailbox_url

        url = default_mailbox_url(get_practice(ctx, ctx.practice_id))
    with open_mailbox(url) as box:
        return service.submit_appeal(ctx, appeal_id, box, store=actions, denials=denials)


def send_appeal_cmd(
    appeal_id: Annotated[int, typer.Argument(help="Appeal id")],
    mailbox: MailboxOpt = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Send a drafted appeal to the payer (a *.appeal file in the clearinghouse mailbox)."""
    with handled():
        ctx = state(db, practice).context()
        sent = _send(ctx, appeal_id, mailbox)
    if as_json:
        _dump(sent.to_json())
        return
    out_console.print(f"appeal {sent.id} sent as {sent.file_name}", highlight=False)


def outcome_cmd(
    appeal_id: Annotated[int, typer.Argument(help="Appeal id")],
    outcome: Annotated[str, typer.Argument(help="overturned, upheld or partial")],
    recovered: Annotated[str | None, typer.Option("--recovered", help="Amount")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Record the payer's decision on an appeal."""
    from revcycle.services import denial_actions as service

    actions, denials = _stores()
    with handled():
        ctx = state(db, practice).context()
        result = service.record_outcome(
            ctx, appeal_id, outcome, recovered=_money(recovered, "recovered"), note=note,
            store=actions, denials=denials,
        )  # fmt: skip
    _report(result, as_json)


def letter_cmd(
    appeal_id: Annotated[int, typer.Argument(help="Appeal id")],
    out: Annotated[Path, typer.Option("--out", help="Write the PDF here")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Print an appeal's letter again (the PDF as stored)."""
    from revcycle.services import denial_actions as service

    actions, _ = _stores()
    with handled():
        ctx = state(db, practice).context()
        out.write_bytes(service.appeal_letter(ctx, appeal_id, store=actions))
    out_console.print(f"written to {out}", highlight=False)


def writeoff_cmd(
    denial_id: IdArg,
    reason_code: Annotated[
        str, typer.Option("--reason-code", help="timely_filing, non_covered, bundling, ...")
    ],
    note: Annotated[str, typer.Option("--note")] = "",
    amount: Annotated[str | None, typer.Option("--amount", help="Default: all owed")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Write off the payer's balance; above the practice's threshold it waits for approval."""
    from revcycle.services import denial_actions as service

    actions, denials = _stores()
    with handled():
        ctx = state(db, practice).context()
        result = service.request_write_off(
            ctx, denial_id, reason_code=reason_code, note=note, amount=_money(amount, "amount"),
            store=actions, denials=denials,
        )  # fmt: skip
    _report(result, as_json)


def _decide(
    request_id: int, approve: bool, note: str, as_json: bool, db: Any, practice: Any
) -> None:
    from revcycle.services import denial_actions as service

    actions, denials = _stores()
    with handled():
        ctx = state(db, practice).context()
        done = service.decide_write_off(
            ctx, request_id, approve=approve, note=note, store=actions, denials=denials
        )
    if as_json:
        _dump(done.to_json())
        return
    out_console.print(f"write-off {done.id}: {done.status} ({done.amount})", highlight=False)


def approve_cmd(
    request_id: Annotated[int, typer.Argument(help="Write-off request id")],
    note: Annotated[str, typer.Option("--note")] = "",
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Approve a pending write-off (manager): it posts to the ledger."""
    _decide(request_id, True, note, as_json, db, practice)


def refuse_cmd(
    request_id: Annotated[int, typer.Argument(help="Write-off request id")],
    note: Annotated[str, typer.Option("--note")] = "",
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Refuse a pending write-off (manager): nothing posts, the denial is open again."""
    _decide(request_id, False, note, as_json, db, practice)


def writeoffs_cmd(
    status: Annotated[str, typer.Option("--status", help="pending, approved, refused, all")] = (
        "pending"
    ),
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Write-off requests (default: those waiting for approval)."""
    from revcycle.services import denial_actions as service

    actions, _ = _stores()
    with handled():
        ctx = state(db, practice).context()
        found = service.list_write_offs(ctx, None if status == "all" else status, store=actions)
    docs = [w.to_json() for w in found]
    if as_json:
        _dump(docs)
        return
    for d in docs:
        out_console.print(
            f"{d['id']}  claim {d['claim_id']}  {d['amount']}  {d['reason_code']}  "
            f"{d['status']}  by {d['requested_by']}",
            highlight=False,
        )


def settings_cmd(
    threshold: Annotated[
        str | None, typer.Option("--threshold", help="Write-off approval threshold")
    ] = None,
    attachment_dir: Annotated[
        str | None, typer.Option("--attachment-dir", help="Folder for attachment files")
    ] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Show or change the write-off approval threshold and the attachment folder."""
    from revcycle.services import denial_actions as service

    actions, _ = _stores()
    with handled():
        ctx = state(db, practice).context()
        if threshold is None and attachment_dir is None:
            current = service.get_settings(ctx, store=actions)
        else:
            current = service.set_settings(
                ctx, threshold=_money(threshold, "threshold"), attachment_dir=attachment_dir,
                store=actions,
            )  # fmt: skip
    doc = {
        "write_off_approval_threshold": str(current.write_off_approval_threshold),
        "attachment_dir": current.attachment_dir,
    }
    if as_json:
        _dump(doc)
        return
    for key, value in doc.items():
        out_console.print(f"{key}: {value if value is not None else '(in the database)'}")


def timely_filing_cmd(
    within: Annotated[int, typer.Option("--within", min=0, help="Days before the limit")] = 30,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Unbilled or unpaid claims within N days of (or past) their payer's filing limit."""
    from revcycle.services import denial_actions as service

    actions, _ = _stores()
    with handled():
        ctx = state(db, practice).context()
        alerts = service.timely_filing_alerts(ctx, within, store=actions)
    docs = [a.to_json() for a in alerts]
    if as_json:
        _dump(docs)
        return
    if not docs:
        out_console.print(f"no claim within {within} days of its filing limit")
    for d in docs:
        when = "EXPIRED" if d["days_left"] < 0 else f"{d['days_left']} days left"
        out_console.print(
            f"claim {d['claim_id']} {d['patient_control_number']}  {d['payer']}  DOS "
            f"{d['service_date']}  limit {d['deadline']} ({when})  {d['status']}  {d['charge']}",
            highlight=False,
        )


def proof_cmd(
    claim: Annotated[str, typer.Argument(help="Claim id or patient control number")],
    out: Annotated[Path, typer.Option("--out", help="Write the PDF here")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Proof of timely filing (the stored submissions, 999 and 277CA) as a PDF."""
    from revcycle.services import denial_actions as service

    with handled():
        ctx = state(db, practice).context()
        out.write_bytes(service.timely_filing_proof(ctx, claim))
    out_console.print(f"written to {out}", highlight=False)


COMMANDS: dict[str, Any] = {
    "correct": correct_cmd,
    "void": void_cmd,
    "rebill": rebill_cmd,
    "bill-patient": bill_patient_cmd,
    "attach": attach_cmd,
    "appeal": appeal_cmd,
    "send-appeal": send_appeal_cmd,
    "outcome": outcome_cmd,
    "letter": letter_cmd,
    "writeoff": writeoff_cmd,
    "approve": approve_cmd,
    "refuse": refuse_cmd,
    "writeoffs": writeoffs_cmd,
    "settings": settings_cmd,
    "timely-filing": timely_filing_cmd,
    "proof": proof_cmd,
}


def register(group: typer.Typer) -> typer.Typer:
    """Add the action commands to ``group`` (the ``denials`` command group)."""
    for name, function in COMMANDS.items():
        group.command(name)(function)
    return group
