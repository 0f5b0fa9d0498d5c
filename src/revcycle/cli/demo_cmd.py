"""``revcycle demo``: the walking skeleton. Each stage of the revenue cycle adds its step here,
so the whole cycle runs end to end against the simulator at every commit.

The demo runs on a simulated clock (default 2026-09-28, inside the ICD-10-CM FY2026 year the
package carries; ``REVCYCLE_CLOCK`` overrides it), so its results do not depend on the day.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.table import Table

from revcycle.cli.common import err_console, out_console, state

DEMO_NOW = datetime(2026, 9, 28, 17, 0, tzinfo=UTC)


def run_demo(*, out: Path, seed: int, encounters: int, db: str | None, as_json: bool) -> None:
    from revcycle.config import clock_from_env
    from revcycle.db.control_numbers import SqlControlNumbers
    from revcycle.services.claims import create_claims
    from revcycle.services.clock import FixedClock
    from revcycle.services.demo import register_demo_practice
    from revcycle.services.demo_charges import enter_demo_charges
    from revcycle.services.scrubbing import scrub_claims
    from revcycle.services.x12_out import claims_837

    out.mkdir(parents=True, exist_ok=True)
    for own in ("clearinghouse", "simulator-state"):  # the demo's clearinghouse starts afresh too
        shutil.rmtree(out / own, ignore_errors=True)
    if db is None:
        demo_db = out / "demo.db"
        demo_db.unlink(missing_ok=True)  # the demo database is the demo's own: start afresh
        db = f"sqlite:///{demo_db}"
    st = state(db)
    st.clock = clock_from_env() if os.environ.get("REVCYCLE_CLOCK") else FixedClock(DEMO_NOW)
    stages = 8
    with err_console.status(f"stage 1/{stages}: registration"):
        demo = register_demo_practice(st.context(need_practice=False), seed)
    assert demo.practice.id is not None
    ctx = st.context(need_practice=False).with_practice(demo.practice.id)
    with err_console.status(f"stage 2/{stages}: charge entry ({encounters} encounters)"):
        entered = enter_demo_charges(ctx, demo, seed, encounters)
    with err_console.status(f"stage 3/{stages}: claims and scrubber"):
        created = create_claims(ctx)
        results = scrub_claims(ctx)
    with err_console.status(
        f"stage 4/{stages}: submission, acknowledgments and remittances (simulator)"
    ):
        cycle = _submit_and_receive(ctx, out, seed)
        posting = _posting(ctx)
    with err_console.status(f"stage 5/{stages}: patient payments, plans and statements"):
        billing = _patient_billing(ctx, out, seed)
    with err_console.status(f"stage 6/{stages}: estimates for uninsured patients (GFE)"):
        estimates = _good_faith_estimates(ctx, demo, out)
    with err_console.status(f"stage 7/{stages}: tomorrow's eligibility (batch 270/271), estimates"):
        tomorrow = _eligibility_and_estimates(ctx, demo, out, seed)
    with err_console.status(f"stage 8/{stages}: working the denials (appeals, write-offs)"):
        denials = _work_denials(ctx, out, seed)
    clean = [r for r in results if r.clean]
    held_by_rule = Counter(
        f.code for r in results if not r.clean for f in r.findings if f.severity == "error"
    )
    x12_path = out / "837P-ready-claims.x12"
    if clean:
        text = claims_837(
            ctx, [r.claim.patient_control_number for r in clean], SqlControlNumbers(st.engine)
        )
        x12_path.write_text(text, encoding="latin-1")
    charges_total = sum(
        (line.charge.amount for e in entered.encounters for line in e.lines if line.charge), start=0
    )
    summary: dict[str, Any] = {
        "database": st.url,
        "seed": seed,
        "clock": ctx.clock.now().isoformat(),
        "stages": {
            "registration": {
                "practice": {"id": demo.practice.id, "legal_name": demo.practice.legal_name,
                             "group_npi": demo.practice.group_npi},
                "providers": len(demo.providers),
                "facilities": len(demo.facilities),
                "payers": len(demo.payers),
                "patients": len(demo.patients),
                "coverages": len(demo.coverages),
            },
            "charge_entry": {
                "encounters": len(entered.encounters),
                "lines": sum(len(e.lines) for e in entered.encounters),
                "charges": f"{charges_total:.2f}",
                "planted_mistakes": entered.mistakes,
            },
            "claims": {
                "created": len(created),
                "scrubbed": len(results),
                "clean_first_pass": len(clean),
                "held": len(results) - len(clean),
                "clean_claim_rate": f"{len(clean) / len(results):.4f}" if results else None,
                "held_by_rule": dict(sorted(held_by_rule.items())),
                "x12_file": str(x12_path) if clean else None,
            },
            "submission": cycle,
            "posting": posting,
            "patient_billing": billing,
            "estimates": estimates,
            "eligibility": tomorrow,
            "denials": denials,
        },
    }  # fmt: skip
    with err_console.status("reports: KPIs and the dashboard as a standalone file"):
        summary["stages"]["reports"] = _reports(ctx, out)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    _print(demo, summary)
    out_console.print(f"database: {st.url}; summary: {out / 'summary.json'}")


def _submit_and_receive(ctx: Any, out: Path, seed: int) -> dict[str, Any]:
    """Send the ready claims to the simulated clearinghouse over the filesystem mailbox, let
    the simulator answer (999, 277CA) and adjudicate over 30 simulated days (835s), and apply
    every response."""
    from datetime import timedelta

    from revcycle.db.claim_status_repo import status_store
    from revcycle.payer.config import load_config
    from revcycle.payer.mailboxes import ClearinghouseMailboxes
    from revcycle.payer.simulator import Simulator
    from revcycle.services import claim_status, inbox, submission
    from revcycle.services.claims import list_claims
    from revcycle.services.scrubbing import scrub_claims
    from revcycle.services.setup import get_practice
    from revcycle.transport import open_mailbox

    root = out / "clearinghouse"
    practice = get_practice(ctx)
    mailbox = open_mailbox(submission.default_mailbox_url(practice, root))
    clock = ctx.clock
    sim = Simulator(
        out / "simulator-state", ClearinghouseMailboxes(root), clock.now, seed, config=load_config()
    )

    def factory(practice_id: int | None) -> Any:
        return ctx if practice_id is None else ctx.with_practice(practice_id)

    secondary_sent = status_asked = 0
    try:
        sent = submission.submit(ctx, mailbox)
        sim.step(clock.now())
        acks = inbox.poll(factory, mailbox)
        applied = len(acks.applied)
        for day in range(1, 31):
            clock.advance(timedelta(days=1))
            sim.step(clock.now())
            applied += len(inbox.poll(factory, mailbox).applied)
            if day in (7, 14):  # claims the payer has been quiet about for a week: a 276
                asked = claim_status.sweep(ctx, store=status_store, mailbox=mailbox, days=7)
                status_asked += len(asked.asked)
                sim.step(clock.now())
                applied += len(inbox.poll(factory, mailbox).applied)
            # 835s posted themselves (era.post jobs); the secondary claims they created go out
            drafts = [c.id for c in list_claims(ctx, status="draft") if c.id is not None]
            if drafts:
                scrub_claims(ctx, drafts)
                secondary_sent += submission.submit(ctx, mailbox).claim_count
    finally:
        sim.close()
        mailbox.close()
    by_status = Counter(c.status for c in list_claims(ctx))
    return {
        "claims_sent": sent.claim_count,
        "files_sent": len(sent.batches),
        "secondary_claims_sent": secondary_sent,
        "status_inquiries": status_asked,
        "responses_applied": applied,
        "claims_by_status": dict(sorted(by_status.items())),
        "mailbox": str(root),
    }


def _eligibility_and_estimates(ctx: Any, demo: Any, out: Path, seed: int) -> dict[str, Any]:
    """Tomorrow's schedule: an appointment for each insured patient, one batch 270 for the day
    through the clearinghouse, the 271s applied by the inbox (discrepancies queued for the
    front desk), then a cost estimate for each appointment from its 271's benefits."""
    import random
    from datetime import timedelta

    from revcycle.db.eligibility_repo import eligibility_store, latest_271
    from revcycle.db.estimate_repo import estimate_store
    from revcycle.domain.money import Money
    from revcycle.payer.config import load_config
    from revcycle.payer.mailboxes import ClearinghouseMailboxes
    from revcycle.payer.simulator import Simulator
    from revcycle.services import eligibility, inbox, submission
    from revcycle.services.estimates import estimate
    from revcycle.services.setup import get_practice
    from revcycle.transport import open_mailbox

    rng = random.Random(seed)
    tomorrow = ctx.clock.today() + timedelta(days=1)
    while tomorrow.weekday() >= 5:
        tomorrow += timedelta(days=1)
    insured = {c.patient_id for c in demo.coverages}
    visits = ("99213", "99214", "99213 36415 80053", "99212", "99214 93000")
    doctor = demo.providers[0].id
    appointments = [
        eligibility.add_appointment(
            ctx,
            {
                "patient": p.id,
                "provider": doctor,
                "date": tomorrow.isoformat(),
                "time": f"{8 + i // 4:02d}:{(i % 4) * 15:02d}",
                "services": rng.choice(visits),
            },
            eligibility_store,
        )
        for i, p in enumerate(p for p in demo.patients if p.id in insured)
    ]
    root = out / "clearinghouse"
    mailbox = open_mailbox(submission.default_mailbox_url(get_practice(ctx), root))
    sim = Simulator(
        out / "simulator-state", ClearinghouseMailboxes(root), ctx.clock.now, seed,
        config=load_config(),
    )  # fmt: skip

    def factory(practice_id: int | None) -> Any:
        return ctx if practice_id is None else ctx.with_practice(practice_id)

    try:
        sent = eligibility.batch(ctx, mailbox, tomorrow, eligibility_store)
        sim.step(ctx.clock.now())
        inbox.poll(factory, mailbox)
    finally:
        sim.close()
        mailbox.close()
    with ctx.uow() as uow:
        queued = len(uow.work_items.list("eligibility"))
    estimates = [
        estimate(
            ctx, a.patient_id, [s.to_json() for s in a.services],
            store=estimate_store, dos=tomorrow, lookup=latest_271,
        )
        for a in appointments
    ]  # fmt: skip
    answered = [
        r for r in eligibility.list_requests(ctx, eligibility_store) if r.state == "answered"
    ]
    return {
        "appointments": len(appointments),
        "inquiries_sent": len(sent.requests),
        "answered": len(answered),
        "discrepancies_queued": queued,
        "estimates": len(estimates),
        "estimates_from_271": sum(1 for e in estimates if not e.flagged),
        "patients_expected_to_pay": Money.sum(e.patient_share for e in estimates).to_json(),
    }


def _reports(ctx: Any, out: Path) -> dict[str, Any]:
    """The revenue-cycle KPIs over the whole run, and ``OUT/report.html``: the dashboard as one
    self-contained file (inline SVG charts, no external references)."""
    from revcycle.services.reports import kpis
    from revcycle.web.report import render_report

    (out / "report.html").write_text(render_report(ctx, None, None), encoding="utf-8")
    return {
        "report_html": str(out / "report.html"),
        "kpis": {k: v["value"] for k, v in kpis(ctx, None, None).items()},
    }


def _work_denials(ctx: Any, out: Path, seed: int) -> dict[str, Any]:
    """The billing office works the denial queue: medical-necessity denials are appealed with
    the visit's records (the payer decides on its next cycle and pays by 835), duplicates
    are closed (the original was paid), the rest written off with a reason (a manager
    approves those above the threshold)."""
    from datetime import timedelta

    from revcycle.db.appeal_repo import action_store
    from revcycle.db.denial_repo import denial_store
    from revcycle.domain.user import User
    from revcycle.payer.config import load_config
    from revcycle.payer.mailboxes import ClearinghouseMailboxes
    from revcycle.payer.simulator import Simulator
    from revcycle.services import denial_actions as actions
    from revcycle.services import inbox, submission
    from revcycle.services.context import Context
    from revcycle.services.denial_ports import DenialFilter
    from revcycle.services.denials import close, list_denials
    from revcycle.services.setup import get_practice
    from revcycle.transport import open_mailbox

    stores: dict[str, Any] = {"store": action_store, "denials": denial_store}
    manager = Context.for_user(
        User(ctx.practice_id, "demo-manager", "manager"), ctx.clock, ctx.uow_factory
    )
    queue = list_denials(ctx, DenialFilter(), limit=500, store=denial_store).items
    appealed, closed, written_off, approved = [], 0, 0, 0
    appealed_claims: set[int] = set()
    for d in queue:
        assert d.id is not None
        if d.category == "medical_necessity":
            if d.claim_id in appealed_claims:
                continue  # one appeal per claim covers its lines
            records = actions.attach(
                ctx, d.id, name=f"visit-notes-claim-{d.claim_id}.pdf",
                content=b"%PDF-1.4 demo progress notes", **stores,
            )  # fmt: skip
            assert records.id is not None
            result = actions.appeal(
                ctx, d.id, attachment_ids=[records.id],
                argument="The progress notes document the symptoms that made the visit and "
                "tests necessary.",
                **stores,
            )  # fmt: skip
            assert result.appeal is not None
            appealed.append(result.appeal)
            appealed_claims.add(d.claim_id)
        elif d.category == "duplicate":
            close(ctx, [d.id], "duplicate of a claim already adjudicated: nothing to rebill",
                  store=denial_store)  # fmt: skip
            closed += 1
        else:
            reason = "bundling" if d.category == "bundling" else "non_covered"
            result = actions.request_write_off(ctx, d.id, reason_code=reason, **stores)
            if result.pending is not None and result.pending.id is not None:
                actions.decide_write_off(manager, result.pending.id, approve=True, **stores)
                approved += 1
            written_off += 1
    paid_after_appeal = 0
    if appealed:
        root = out / "clearinghouse"
        mailbox = open_mailbox(submission.default_mailbox_url(get_practice(ctx), root))
        sim = Simulator(
            out / "simulator-state", ClearinghouseMailboxes(root), ctx.clock.now, seed,
            config=load_config(),
        )  # fmt: skip

        def factory(practice_id: int | None) -> Any:
            return ctx if practice_id is None else ctx.with_practice(practice_id)

        try:
            for a in appealed:
                assert a.id is not None
                actions.submit_appeal(ctx, a.id, mailbox, **stores)
            for _ in range(10):  # the payer's next cycles: the decision, then its 835
                ctx.clock.advance(timedelta(days=1))
                sim.step(ctx.clock.now())
                inbox.poll(factory, mailbox)
        finally:
            sim.close()
            mailbox.close()
        with ctx.uow() as uow:
            paid_after_appeal = sum(
                1 for c in appealed_claims if uow.claims.get(c).status in ("paid", "partially_paid")
            )
    return {
        "denials_worked": len(queue),
        "appeals": len(appealed),
        "paid_after_appeal": paid_after_appeal,
        "closed_duplicates": closed,
        "written_off": written_off,
        "write_offs_approved_by_manager": approved,
    }


def _good_faith_estimates(ctx: Any, demo: Any, out: Path) -> dict[str, Any]:
    """Each uninsured patient schedules a new-patient visit with labs a week ahead and gets a
    Good Faith Estimate the same day (within the one-business-day deadline)."""
    from datetime import timedelta

    from revcycle.db.estimate_repo import estimate_store
    from revcycle.domain.money import Money
    from revcycle.services.estimates import good_faith_estimate

    folder = out / "estimates"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    today = ctx.clock.today()
    issued = []
    for patient in demo.self_pay:
        gfe = good_faith_estimate(
            ctx,
            patient.id,
            today + timedelta(days=7),
            ["99203", "80053", "36415"],
            store=estimate_store,
            diagnoses=["Z00.00"],
        )
        (folder / f"{gfe.number}.pdf").write_bytes(gfe.pdf)
        issued.append(gfe)
    return {
        "good_faith_estimates": len(issued),
        "met_deadline": sum(1 for g in issued if g.met),
        "total_estimated": Money.sum(g.total for g in issued).to_json(),
        "pdfs": str(folder) if issued else None,
    }


def _posting(ctx: Any) -> dict[str, Any]:
    """What the ledger says after the 835s posted themselves."""
    from revcycle.domain.money import Money
    from revcycle.services.era import list_files

    files = list_files(ctx)
    posted = [f["summary"] for f in files if f["status"] == "posted"]

    def total(key: str) -> str:
        return Money.sum(Money(p[key]) for p in posted).to_json()

    with ctx.uow() as uow:
        queues = Counter(i.queue for i in uow.work_items.list())
    return {
        "files_posted": len(posted),
        "files_rejected": sum(1 for f in files if f["status"] == "rejected"),
        "claim_payments": sum(p["claims_matched"] for p in posted),
        "unmatched": sum(p["claims_unmatched"] for p in posted),
        "paid_total": total("paid_total"),
        "patient_responsibility": total("patient_responsibility"),
        "contractual": Money.sum(Money(p["adjustments_by_group"]["CO"]) for p in posted).to_json(),
        "denials_queued": queues.get("denials", 0),
        "secondary_claims_created": sum(p["secondary_claims_created"] for p in posted),
        "open_work_items": dict(sorted(queues.items())),
    }


def _patient_billing(ctx: Any, out: Path, seed: int) -> dict[str, Any]:
    """The front desk and the billing office after insurance: a few patients pay at the
    desk, one balance goes on a payment plan, and the statement run mails the rest."""
    import random

    from revcycle.db.patient_billing_repo import billing_store
    from revcycle.domain.money import Money
    from revcycle.posting.patient import Tender
    from revcycle.services.patient_billing import account, post_payment
    from revcycle.services.payment_plans import create_plan
    from revcycle.services.statements import run_statements

    rng = random.Random(seed)
    today = ctx.clock.today()
    with ctx.uow() as uow:
        patients = list(uow.patients.list())
    owing = []
    for p in patients:
        view = account(ctx, p.id, store=billing_store)
        if view.amount_due.amount > 0:
            owing.append((p, view.amount_due))
    payments = plan = 0
    collected = Money.zero()
    for p, due in owing[: max(1, len(owing) // 3)]:
        pay = Money(min(due.amount, Money(rng.choice(("20.00", "40.00", "75.00"))).amount))
        method = rng.choice(("cash", "check", "card"))
        ref = {"cash": "", "check": f"{rng.randrange(1000, 9999)}", "card": "4242"}[method]
        post_payment(
            ctx,
            p.id,
            [Tender(method, pay, ref)],  # type: ignore[arg-type]
            store=billing_store,
            idempotency_key=f"demo-{p.id}-{today.isoformat()}",
        )
        payments += 1
        collected += pay
    rest = [(p, due) for p, due in owing[max(1, len(owing) // 3) :] if due.amount >= 100]
    if rest:
        create_plan(ctx, rest[0][0].id, start=today, store=billing_store, installments=3)
        plan = 1
    run = run_statements(ctx, today, store=billing_store)
    folder = out / "statements"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for st in run.statements:
        (folder / f"{st.number}.pdf").write_bytes(st.pdf)
    return {
        "patients_owing": len(owing),
        "payments_at_desk": payments,
        "collected": collected.to_json(),
        "payment_plans": plan,
        "statements": len(run.statements),
        "statements_due_total": Money.sum(s.amount_due for s in run.statements).to_json(),
        "statements_skipped": len(run.skipped),
        "statement_pdfs": str(folder) if run.statements else None,
    }


def _print(demo: Any, summary: dict[str, Any]) -> None:
    p = demo.practice
    out_console.print(
        f"[bold]{p.legal_name}[/bold]  TIN {p.tin}  group NPI {p.group_npi}  (practice {p.id})"
    )
    t = Table("provider", "NPI", "roles", "taxonomy", title="Providers", title_justify="left")
    for prov in demo.providers:
        t.add_row(prov.display_name, prov.npi, ", ".join(prov.roles), prov.taxonomy or "")
    out_console.print(t)
    t = Table("payer", "payer ID", "class", "timely filing", title="Payers", title_justify="left")
    for payer in demo.payers:
        t.add_row(payer.name, payer.payer_id, payer.payer_class, f"{payer.timely_filing_days} days")
    out_console.print(t)
    covered: dict[int, list[str]] = {}
    for c in demo.coverages:
        covered.setdefault(c.patient_id, []).append(f"{c.order}:{c.member_id}")
    t = Table("MRN", "patient", "DOB", "sex", "coverages", title="Patients", title_justify="left")
    for pat in demo.patients:
        t.add_row(
            pat.mrn,
            pat.display_name,
            str(pat.dob),
            pat.sex,
            ", ".join(covered.get(pat.id or 0, [])),
        )
    out_console.print(t)
    ce, cl = summary["stages"]["charge_entry"], summary["stages"]["claims"]
    t = Table("stage", "result", title="Revenue cycle so far", title_justify="left")
    t.add_row(
        "charge entry", f"{ce['encounters']} encounters, {ce['lines']} lines, ${ce['charges']}"
    )
    t.add_row(
        "claims",
        f"{cl['created']} created, {cl['clean_first_pass']} clean, {cl['held']} held by the scrubber",
    )
    t.add_row("clean claim rate", str(cl["clean_claim_rate"]))
    for code, n in cl["held_by_rule"].items():
        t.add_row(f"  held: {code}", str(n))
    if cl["x12_file"]:
        t.add_row("837 of ready claims", cl["x12_file"])
    sub = summary["stages"]["submission"]
    t.add_row(
        "submission",
        f"{sub['claims_sent']} claims in {sub['files_sent']} files; "
        f"{sub['responses_applied']} responses applied (999, 277CA, 835)",
    )
    for status, n in sub["claims_by_status"].items():
        t.add_row(f"  claims {status}", str(n))
    po = summary["stages"]["posting"]
    t.add_row(
        "posting (835s to the ledger)",
        f"{po['files_posted']} files, {po['claim_payments']} claim payments, paid "
        f"${po['paid_total']}, contractual ${po['contractual']}, patient ${po['patient_responsibility']}",
    )
    t.add_row(
        "  denials queued / secondary claims",
        f"{po['denials_queued']} / {po['secondary_claims_created']} created, "
        f"{sub['secondary_claims_sent']} sent",
    )
    pb = summary["stages"]["patient_billing"]
    t.add_row(
        "patient billing",
        f"{pb['payments_at_desk']} payments (${pb['collected']}), {pb['payment_plans']} plan, "
        f"{pb['statements']} statements (${pb['statements_due_total']} due)",
    )
    if pb["statement_pdfs"]:
        t.add_row("  statement PDFs", pb["statement_pdfs"])
    es = summary["stages"]["estimates"]
    t.add_row(
        "good faith estimates",
        f"{es['good_faith_estimates']} issued ({es['met_deadline']} on time), "
        f"${es['total_estimated']} estimated",
    )
    if es["pdfs"]:
        t.add_row("  GFE PDFs", es["pdfs"])
    t.add_row("  status inquiries (276/277)", str(sub["status_inquiries"]))
    el = summary["stages"]["eligibility"]
    t.add_row(
        "tomorrow: eligibility",
        f"{el['appointments']} appointments, {el['inquiries_sent']} 270s in one batch, "
        f"{el['answered']} answered, {el['discrepancies_queued']} flagged for the front desk",
    )
    t.add_row(
        "tomorrow: estimates",
        f"{el['estimates']} ({el['estimates_from_271']} from the 271's benefits), patients "
        f"expected to pay ${el['patients_expected_to_pay']}",
    )
    for name, value in summary["stages"]["reports"]["kpis"].items():
        t.add_row(f"  KPI {name}", "n/a" if value is None else str(value))
    t.add_row("  dashboard (standalone)", summary["stages"]["reports"]["report_html"])
    dn = summary["stages"]["denials"]
    t.add_row(
        "denials worked",
        f"{dn['denials_worked']}: {dn['appeals']} appealed ({dn['paid_after_appeal']} paid after "
        f"appeal), {dn['closed_duplicates']} duplicates closed, {dn['written_off']} written off "
        f"({dn['write_offs_approved_by_manager']} approved by a manager)",
    )
    out_console.print(t)
