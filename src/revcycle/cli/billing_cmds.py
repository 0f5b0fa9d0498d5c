"""The patient side of billing: ``payments``, ``accounts``, ``statements``, ``collections`` and
``plans`` commands, each calling a use case of ``revcycle.services``.

Tenders are written ``AMOUNT`` (cash) or ``AMOUNT:REFERENCE`` (check number, card last four);
they are recorded, never processed. Exit statuses as everywhere (``revcycle.cli.common``):
0 done, 1 not found, 2 bad input (a refund above the credit, a malformed tender), 3 not
permitted. ``--json`` prints the result alone on stdout, amounts as strings.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from revcycle.cli.common import (
    DbOpt,
    JsonOpt,
    PracticeOpt,
    err_console,
    fail,
    handled,
    out_console,
    print_json,
    state,
)

if TYPE_CHECKING:
    from revcycle.domain.money import Money
    from revcycle.posting.patient import Tender, TenderMethod

payments = typer.Typer(help="Patient payments, copays, refunds and credits.", no_args_is_help=True)
accounts = typer.Typer(
    help="Patient accounts: balances, flags, credits, small balances.", no_args_is_help=True
)
statements = typer.Typer(help="Patient statements (30-day cycle).", no_args_is_help=True)
collections = typer.Typer(help="Collection agency referrals.", no_args_is_help=True)
plans = typer.Typer(help="Patient payment plans.", no_args_is_help=True)

PatientArg = Annotated[str, typer.Argument(help="Patient id or MRN", show_default=False)]
DateOpt = Annotated[
    str | None, typer.Option("--date", help="YYYY-MM-DD (default: today)", show_default=False)
]


def _money(text: str, what: str) -> Money:
    from revcycle.domain.errors import DomainValidationError
    from revcycle.domain.money import Money

    try:
        value = Money(text)
    except DomainValidationError:
        fail(2, f"{what}: {text!r} is not an amount")
        raise AssertionError from None
    return value


def _date(text: str | None, what: str = "date") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(2, f"{what}: {text!r} is not a date (YYYY-MM-DD)")
        raise AssertionError from None


def _tender(method: TenderMethod, text: str) -> Tender:
    from revcycle.posting.patient import Tender

    amount, _, ref = text.partition(":")
    if method == "check" and not ref:
        fail(2, f"--check {text}: give AMOUNT:CHECK_NUMBER")
    if method == "card" and not (len(ref) == 4 and ref.isdigit()):
        fail(2, f"--card {text}: give AMOUNT:LAST_FOUR (four digits)")
    value = _money(amount, f"--{method}")
    if not value or value.is_negative():
        fail(2, f"--{method} {text}: the amount must be more than 0.00")
    return Tender(method, value, ref)


def _store() -> Any:
    from revcycle.db.patient_billing_repo import billing_store

    return billing_store


# ---- payments --------------------------------------------------------------------------------


@payments.command("post")
def payments_post(
    patient: PatientArg,
    cash: Annotated[list[str] | None, typer.Option("--cash", help="AMOUNT")] = None,
    check: Annotated[list[str] | None, typer.Option("--check", help="AMOUNT:NUMBER")] = None,
    card: Annotated[list[str] | None, typer.Option("--card", help="AMOUNT:LAST4")] = None,
    copay: Annotated[bool, typer.Option("--copay", help="A copay collected at check-in")] = False,
    dos: Annotated[
        str | None, typer.Option("--dos", help="Visit date of the copay", show_default=False)
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            "--idempotency-key",
            "--receipt",
            help="Client receipt number: a retry with the same one posts once",
            show_default=False,
        ),
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a payment (cash, checks, cards), applied oldest service first; the rest is credit."""
    from revcycle.services.billing_json import payment_json
    from revcycle.services.patient_billing import post_payment

    tenders = [_tender("cash", t) for t in cash or []]
    tenders += [_tender("check", t) for t in check or []]
    tenders += [_tender("card", t) for t in card or []]
    if not tenders:
        fail(2, "give at least one tender: --cash, --check or --card")
    with handled():
        ctx = state(db, practice).context()
        outcome = post_payment(
            ctx,
            patient,
            tenders,
            store=_store(),
            copay=copay,
            service_date=_date(dos, "--dos"),
            idempotency_key=key,
        )
    data = payment_json(outcome)
    if as_json:
        print_json(data)
        return
    verb = "already recorded" if outcome.replayed else "recorded"
    out_console.print(
        f"receipt {data['receipt_number']} {verb}: {data['kind']} {data['amount']}, applied "
        f"{data['applied']}, to credit {data['unapplied']}; credit now {data['credit']}",
        highlight=False,
    )
    for a in data["applied_lines"]:
        out_console.print(
            f"  claim {a['claim_id']} line {a['line_id']}: {a['amount']}", highlight=False
        )


@payments.command("refund")
def payments_refund(
    patient: PatientArg,
    amount: Annotated[str, typer.Argument(help="Amount to refund", show_default=False)],
    check: Annotated[
        str | None, typer.Option("--check", help="Refund check number", show_default=False)
    ] = None,
    card: Annotated[
        str | None, typer.Option("--card", help="Card last four", show_default=False)
    ] = None,
    cash: Annotated[bool, typer.Option("--cash", help="Refunded in cash")] = False,
    key: Annotated[
        str | None, typer.Option("--idempotency-key", show_default=False, help="Retry key")
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Pay back part or all of the patient's credit (never more than the credit)."""
    from revcycle.posting.patient import Tender
    from revcycle.services.billing_json import payment_json
    from revcycle.services.patient_billing import refund

    value = _money(amount, "amount")
    given: list[tuple[TenderMethod, str]] = []
    if check:
        given.append(("check", check))
    if card:
        given.append(("card", card))
    if cash:
        given.append(("cash", ""))
    if len(given) != 1:
        fail(2, "give exactly one of --check NUMBER, --card LAST4 or --cash")
    method, ref = given[0]
    with handled():
        ctx = state(db, practice).context()
        outcome = refund(
            ctx,
            patient,
            value,
            Tender(method, value, ref),
            store=_store(),
            idempotency_key=key,
        )
    data = payment_json(outcome)
    if as_json:
        print_json(data)
        return
    out_console.print(
        f"refund {data['receipt_number']} of {data['amount']} recorded; credit now "
        f"{data['credit']}",
        highlight=False,
    )


@payments.command("apply-credit")
def payments_apply_credit(
    patient: PatientArg, db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False
) -> None:
    """Apply the patient's credit to open balances, oldest service first."""
    from revcycle.services.billing_json import payment_json
    from revcycle.services.patient_billing import apply_credit

    with handled():
        outcome = apply_credit(state(db, practice).context(), patient, store=_store())
    data = payment_json(outcome)
    if as_json:
        print_json(data)
        return
    out_console.print(
        f"applied {data['applied']} of credit; credit now {data['credit']}", highlight=False
    )


# ---- accounts --------------------------------------------------------------------------------


@accounts.command("show")
def accounts_show(
    patient: PatientArg, db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False
) -> None:
    """Open balance by claim and line, credit, flags, plans and the history of entries."""
    from rich.table import Table

    from revcycle.services.billing_json import account_json
    from revcycle.services.patient_billing import account

    with handled():
        data = account_json(account(state(db, practice).context(), patient, store=_store()))
    if as_json:
        print_json(data)
        return
    out_console.print(
        f"{data['name']} (MRN {data['mrn']}): owes {data['patient_open']}, credit "
        f"{data['credit']}, due {data['amount_due']}; insurance pending "
        f"{data['insurance_pending']}",
        highlight=False,
    )
    flags = data["flags"]
    marks = [n for n in ("hold", "do_not_send") if flags[n]]
    if flags["collection_status"]:
        marks.append(f"collections: {flags['collection_status']}")
    if marks:
        out_console.print("flags: " + ", ".join(marks), highlight=False)
    t = Table("claim", "line", "DOS", "code", "charge", "ins paid", "adj", "pt paid", "pt owes")
    for ln in data["lines"]:
        t.add_row(
            ln["claim_id"],
            ln["line_id"],
            ln["service_date"] or "",
            ln["procedure"],
            ln["charge"],
            ln["insurance_paid"],
            ln["adjustments"],
            ln["patient_paid"],
            ln["patient_open"],
        )
    out_console.print(t)
    h = Table("date", "kind", "reference", "memo", "effect")
    for item in data["history"]:
        h.add_row(
            item["effective_date"] or "",
            item["kind"],
            item["reference"],
            item["memo"],
            item["patient_effect"],
        )
    out_console.print(h)


@accounts.command("flag")
def accounts_flag(
    patient: PatientArg,
    hold: Annotated[
        bool | None, typer.Option("--hold/--no-hold", help="Hold statements and collections")
    ] = None,
    do_not_send: Annotated[
        bool | None,
        typer.Option("--do-not-send/--send", help="Do not mail statements (bad address)"),
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set or clear the account's hold and do-not-send flags."""
    from revcycle.services.billing_json import flags_json
    from revcycle.services.patient_billing import set_flags

    with handled():
        flags = set_flags(
            state(db, practice).context(),
            patient,
            store=_store(),
            hold=hold,
            do_not_send=do_not_send,
        )
    data = flags_json(flags)
    if as_json:
        print_json(data)
        return
    out_console.print(
        f"patient {data['patient_id']}: hold {'on' if data['hold'] else 'off'}, "
        f"do-not-send {'on' if data['do_not_send'] else 'off'}",
        highlight=False,
    )


@accounts.command("credits")
def accounts_credits(
    db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False
) -> None:
    """Patients with a credit balance (unapplied credit or an overpaid line)."""
    from rich.table import Table

    from revcycle.services.billing_json import credit_json
    from revcycle.services.patient_billing import credit_balances

    with handled():
        items = [
            credit_json(c) for c in credit_balances(state(db, practice).context(), store=_store())
        ]
    if as_json:
        print_json(items)
        return
    t = Table("patient", "MRN", "name", "unapplied", "overpaid lines", "total", "owes elsewhere")
    for c in items:
        t.add_row(
            str(c["patient_id"]),
            c["mrn"],
            c["name"],
            c["unapplied"],
            c["overpaid_lines"],
            c["total"],
            c["open"],
        )
    out_console.print(t)


@accounts.command("write-off-small")
def accounts_write_off_small(
    threshold: Annotated[
        str | None,
        typer.Option("--threshold", help="Default: the practice's setting", show_default=False),
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write off patient balances at or under the small-balance threshold."""
    from revcycle.services.billing_json import write_off_json
    from revcycle.services.patient_billing import write_off_small_balances

    limit = _money(threshold, "--threshold") if threshold is not None else None
    with handled():
        done = write_off_small_balances(
            state(db, practice).context(), store=_store(), threshold=limit
        )
    items = [write_off_json(w) for w in done]
    if as_json:
        print_json(items)
        return
    for w in items:
        out_console.print(
            f"patient {w['patient_id']}: wrote off {w['amount']} on {w['lines']} line(s)",
            highlight=False,
        )
    err_console.print(f"{len(items)} account(s) written off")


@accounts.command("settings")
def accounts_settings(
    statement_minimum: Annotated[
        str | None, typer.Option("--statement-minimum", show_default=False)
    ] = None,
    small_balance: Annotated[
        str | None, typer.Option("--small-balance-threshold", show_default=False)
    ] = None,
    collection_statements: Annotated[
        int | None, typer.Option("--collection-statements", show_default=False)
    ] = None,
    collection_days: Annotated[
        int | None, typer.Option("--collection-days", show_default=False)
    ] = None,
    grace_days: Annotated[int | None, typer.Option("--plan-grace-days", show_default=False)] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the practice's patient-billing settings, or change the ones given."""
    from revcycle.services.billing_json import settings_json
    from revcycle.services.patient_billing import get_settings, update_settings

    minimum = _money(statement_minimum, "--statement-minimum") if statement_minimum else None
    small = _money(small_balance, "--small-balance-threshold") if small_balance else None
    with handled():
        ctx = state(db, practice).context()
        if any(
            v is not None
            for v in (minimum, small, collection_statements, collection_days, grace_days)
        ):
            settings = update_settings(
                ctx,
                store=_store(),
                statement_minimum=minimum,
                small_balance_threshold=small,
                collection_statements=collection_statements,
                collection_days=collection_days,
                plan_grace_days=grace_days,
            )
        else:
            settings = get_settings(ctx, store=_store())
    data = settings_json(settings)
    if as_json:
        print_json(data)
        return
    for k, v in data.items():
        out_console.print(f"{k}: {v}", highlight=False)


# ---- statements ------------------------------------------------------------------------------


@statements.command("run")
def statements_run(
    on: DateOpt = None,
    out: Annotated[
        Path, typer.Option("--out", help="Directory for the PDFs", file_okay=False)
    ] = Path("statements"),
    minimum: Annotated[
        str | None,
        typer.Option("--minimum", help="Default: the practice's minimum", show_default=False),
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make the statements due on the date and write each as DIR/<number>.pdf."""
    from revcycle.services.billing_json import run_json
    from revcycle.services.statements import run_statements

    floor = _money(minimum, "--minimum") if minimum is not None else None
    with handled():
        ctx = state(db, practice).context()
        run = run_statements(ctx, _date(on) or ctx.clock.today(), store=_store(), minimum=floor)
    files: dict[str, str] = {}
    if run.statements:
        out.mkdir(parents=True, exist_ok=True)
        for s in run.statements:
            path = out / f"{s.number}.pdf"
            path.write_bytes(s.pdf)
            files[s.number] = str(path)
    data = run_json(run, files)
    if as_json:
        print_json(data)
        return
    for s in data["statements"]:
        out_console.print(
            f"{s['number']} patient {s['patient_id']}: due {s['amount_due']} -> {s['file']}",
            highlight=False,
        )
    out_console.print(
        f"{len(data['statements'])} statement(s), {len(data['skipped'])} skipped, "
        f"{len(data['flagged_for_collections'])} flagged for collections",
        highlight=False,
    )


@statements.command("list")
def statements_list(
    patient: Annotated[
        str | None, typer.Option("--patient", help="Patient id or MRN", show_default=False)
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The statements sent, newest first."""
    from rich.table import Table

    from revcycle.services.billing_json import statement_json
    from revcycle.services.patients import find_patient
    from revcycle.services.statements import list_statements

    with handled():
        ctx = state(db, practice).context()
        pid = find_patient(ctx, patient).id if patient else None
        items = [statement_json(s) for s in list_statements(ctx, store=_store(), patient_id=pid)]
    if as_json:
        print_json(items)
        return
    t = Table("number", "date", "patient", "balance", "credit", "due", "message")
    for s in items:
        t.add_row(
            s["number"],
            s["statement_date"],
            str(s["patient_id"]),
            s["balance"],
            s["credit"],
            s["amount_due"],
            s["message"][:40],
        )
    out_console.print(t)


@statements.command("pdf")
def statements_pdf(
    number: Annotated[str, typer.Argument(help="Statement number", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Output file")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Write a stored statement's PDF again (exactly as it was sent)."""
    from revcycle.services.statements import get_statement

    with handled():
        found = get_statement(state(db, practice).context(), number, store=_store())
    out.write_bytes(found.pdf)
    err_console.print(f"wrote {out}")


# ---- collections -----------------------------------------------------------------------------


@collections.command("export")
def collections_export(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write")],
    on: DateOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the accounts flagged for collections as CSV and mark them referred."""
    from revcycle.services.statements import export_collections

    with handled():
        ctx = state(db, practice).context()
        result = export_collections(ctx, _date(on) or ctx.clock.today(), store=_store())
    out.write_text(result.csv, encoding="utf-8")
    data = {"file": str(out), "referred": list(result.referred), "cleared": list(result.cleared)}
    if as_json:
        print_json(data)
        return
    out_console.print(
        f"{len(result.referred)} account(s) referred -> {out}; {len(result.cleared)} cleared "
        "(paid since flagged)",
        highlight=False,
    )


# ---- payment plans ---------------------------------------------------------------------------


@plans.command("create")
def plans_create(
    patient: PatientArg,
    start: Annotated[str, typer.Option("--start", help="First due date YYYY-MM-DD")],
    installments: Annotated[
        int | None, typer.Option("--installments", help="Number of monthly installments")
    ] = None,
    amount: Annotated[
        str | None, typer.Option("--amount", help="Amount per installment", show_default=False)
    ] = None,
    total: Annotated[
        str | None,
        typer.Option("--total", help="Default: the patient's balance", show_default=False),
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a monthly payment plan for the patient's balance."""
    from revcycle.services.billing_json import plan_json
    from revcycle.services.payment_plans import create_plan

    first = _date(start, "--start")
    assert first is not None
    with handled():
        plan = create_plan(
            state(db, practice).context(),
            patient,
            start=first,
            store=_store(),
            installments=installments,
            amount=_money(amount, "--amount") if amount else None,
            total=_money(total, "--total") if total else None,
        )
    _show_plan(plan_json(plan), as_json)


def _show_plan(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(data)
        return
    out_console.print(
        f"plan {data['id']} patient {data['patient_id']}: {data['status']}, total "
        f"{data['total']}, paid {data['paid']}, remaining {data['remaining']}",
        highlight=False,
    )
    for i in data["installments"]:
        out_console.print(
            f"  {i['seq']:>3}  {i['due_date']}  {i['amount']:>10}  paid {i['paid']}",
            highlight=False,
        )


@plans.command("list")
def plans_list(
    status: Annotated[
        str | None, typer.Option("--status", help="active, missed, completed", show_default=False)
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The practice's payment plans."""
    from revcycle.services.billing_json import plan_json
    from revcycle.services.payment_plans import list_plans

    with handled():
        items = [
            plan_json(p)
            for p in list_plans(state(db, practice).context(), store=_store(), status=status)
        ]
    if as_json:
        print_json(items)
        return
    for p in items:
        out_console.print(
            f"plan {p['id']} patient {p['patient_id']}: {p['status']}, total {p['total']}, "
            f"remaining {p['remaining']}",
            highlight=False,
        )


@plans.command("show")
def plans_show(
    plan_id: Annotated[int, typer.Argument(help="Plan id", show_default=False)],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A plan with its installments."""
    from revcycle.services.billing_json import plan_json
    from revcycle.services.payment_plans import get_plan

    with handled():
        plan = get_plan(state(db, practice).context(), plan_id, store=_store())
    _show_plan(plan_json(plan), as_json)


@plans.command("check")
def plans_check(
    on: DateOpt = None,
    grace_days: Annotated[
        int | None,
        typer.Option("--grace-days", help="Default: the practice's setting", show_default=False),
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List plans with an installment past due (beyond the grace days); mark them missed."""
    from revcycle.services.billing_json import plan_check_json
    from revcycle.services.payment_plans import check_plans

    with handled():
        ctx = state(db, practice).context()
        found = check_plans(
            ctx, _date(on) or ctx.clock.today(), store=_store(), grace_days=grace_days
        )
    items = [plan_check_json(c) for c in found]
    if as_json:
        print_json(items)
        return
    for c in items:
        late = ", ".join(
            f"#{i['seq']} due {i['due_date']} ({i['remaining']})" for i in c["overdue"]
        )
        out_console.print(
            f"plan {c['id']} patient {c['patient_id']}: missed — {late}", highlight=False
        )
    err_console.print(f"{len(items)} delinquent plan(s)")
