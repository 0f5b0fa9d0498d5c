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
from typing import TYPE_CHECKING, Any

from rich.table import Table

from revcycle.cli.common import err_console, out_console, state
from revcycle.cli.demo_progress import Stages

if TYPE_CHECKING:
    from revcycle.cli.demo_exchange import SimulatorProcess

DEMO_NOW = datetime(2026, 9, 28, 17, 0, tzinfo=UTC)
STAGES = (
    "registration",
    "good faith estimates (uninsured)",
    "eligibility (batch 270/271)",
    "coding validation",
    "charge entry",
    "claims and scrubber",
    "submission, TA1/999/277CA",
    "adjudication, 835s posted, secondaries",
    "denials worked",
    "second payment cycle",
    "patient payments and statements",
    "reports",
)
CLAIM_FORM_SAMPLE = 5  # CMS-1500s written to OUT/pdf (the run may hold thousands of claims)
ADJUDICATION_DAYS = 30
SECOND_CYCLE_DAYS = 10


class _Exchange:
    """The practice's clearinghouse mailbox and the simulated payers behind it, open from the
    first 270 to the last 835 (one simulator state for the whole run). The payers run in a
    process of their own (:mod:`revcycle.cli.demo_exchange`): revcycle applies their response
    files while they work."""

    def __init__(self, ctx: Any, out: Path, sim: SimulatorProcess) -> None:
        from revcycle.cli.demo_exchange import AnnouncingMailbox
        from revcycle.services import submission
        from revcycle.services.setup import get_practice
        from revcycle.transport import open_mailbox

        self.ctx = ctx
        self.root = out / "clearinghouse"
        self.mailbox = AnnouncingMailbox(
            open_mailbox(submission.default_mailbox_url(get_practice(ctx), self.root))
        )
        self.sim = sim  # its clearinghouse is ``self.root``

    def factory(self, practice_id: int | None) -> Any:
        return self.ctx if practice_id is None else self.ctx.with_practice(practice_id)

    def serving(self) -> Any:
        """A context in which the payers answer uploads as they land (the next ``cycle``
        answers the rest): the clock must not move before that cycle."""
        return self.sim.serving(self.ctx.clock.now(), self.mailbox)

    def cycle(self) -> int:
        """The payers answer what they have; revcycle fetches and applies each response file
        as it is delivered, then whatever is left (835s post themselves). Returns the response
        files applied."""
        from revcycle.cli.demo_exchange import ReleasedMailbox
        from revcycle.services import inbox

        applied = 0

        def apply(released: set[str]) -> None:
            nonlocal applied
            view = ReleasedMailbox(self.mailbox, released)
            applied += len(inbox.poll(self.factory, view).applied)

        self.sim.step(self.ctx.clock.now(), apply)
        return applied + len(inbox.poll(self.factory, self.mailbox).applied)

    def close(self) -> None:
        try:
            self.sim.close()
        finally:
            self.mailbox.close()


def run_demo(
    *, out: Path, seed: int, encounters: int, db: str | None, as_json: bool
) -> dict[str, Any]:
    """Run the synthetic practice through every stage; returns the summary (also written to
    ``OUT/summary.json``, with each stage's wall time and peak memory under ``profile``)."""
    from revcycle.cli.demo_desk import copays_at_checkin
    from revcycle.cli.demo_exchange import SimulatorProcess
    from revcycle.cli.gc_policy import BatchCollector
    from revcycle.config import clock_from_env
    from revcycle.db.appeal_repo import action_store
    from revcycle.db.engine import analyze_stale, refresh_statistics
    from revcycle.services.claim_fixes import fix_held
    from revcycle.services.claims import create_claims
    from revcycle.services.clock import FixedClock
    from revcycle.services.demo import register_demo_practice
    from revcycle.services.demo_charges import (
        add_demo_fees,
        plan_visits,
        record_visits,
        review_coding,
    )
    from revcycle.services.scrubbing import ScrubRun, scrub_claims

    out.mkdir(parents=True, exist_ok=True)
    for own in ("clearinghouse", "simulator-state", "x12", "pdf"):  # the demo starts afresh
        shutil.rmtree(out / own, ignore_errors=True)
    (out / "pdf").mkdir()
    if db is None:
        demo_db = out / "demo.db"
        demo_db.unlink(missing_ok=True)  # the demo database is the demo's own: start afresh
        db = f"sqlite:///{demo_db}"
        _write_ahead_log(demo_db)
    st = state(db)
    st.clock = clock_from_env() if os.environ.get("REVCYCLE_CLOCK") else FixedClock(DEMO_NOW)
    n_patients = max(24, encounters // 5)
    stages_done: dict[str, Any] = {}
    engine = st.engine
    payers = SimulatorProcess(out / "clearinghouse", out / "simulator-state", seed)
    collector = BatchCollector()

    def tick() -> None:
        analyze_stale(engine)
        collector.checkpoint()

    stages = Stages(err_console, len(STAGES), tick=tick, end=collector.checkpoint)
    with payers, collector, stages:
        with stages.stage(STAGES[0], total=n_patients + 2) as advance:
            demo = register_demo_practice(
                st.context(need_practice=False), seed, n_patients, progress=advance
            )
            assert demo.practice.id is not None
            ctx = st.context(need_practice=False).with_practice(demo.practice.id)
            add_demo_fees(ctx)  # the practice's fee schedule
            refresh_statistics(st.engine)
            advance(2)
        with stages.stage(STAGES[1], total=len(demo.self_pay)) as advance:
            stages_done["estimates"] = _good_faith_estimates(ctx, demo, out, advance)
        exchange = _Exchange(ctx, out, payers)
        try:
            with stages.stage(STAGES[2]) as advance:
                stages_done["eligibility"] = _eligibility_and_estimates(
                    ctx, demo, exchange, seed, encounters
                )
            with stages.stage(STAGES[3], total=encounters) as advance:
                visits, planted = plan_visits(ctx, demo, seed, encounters)
                coding = review_coding(visits, seed, progress=advance)
            with stages.stage(STAGES[4], total=encounters) as advance:
                entered = record_visits(ctx, visits, progress=advance)
                copays = copays_at_checkin(ctx, demo, visits, seed)
                del visits
                refresh_statistics(st.engine)
            stages_done["coding"] = coding
            stages_done["charge_entry"] = {
                "encounters": entered.encounters,
                "lines": entered.lines,
                "charges": f"{entered.charges:.2f}",
                "planted_mistakes": planted,
                "copays_asked": copays.visits_with_copay,
                "copays_at_checkin": copays.collected,
                "copays_collected": copays.amount.to_json(),
            }
            with stages.stage(STAGES[5], total=encounters) as advance:
                ids = [c.id for c in create_claims(ctx) if c.id is not None]
                refresh_statistics(st.engine)
                scrubbed, run = _Scrubbed(), ScrubRun()  # one run: each 271 parsed once
                for k in range(0, len(ids), 250):
                    scrubbed.add(scrub_claims(ctx, ids[k : k + 250], run=run))
                    advance(len(ids[k : k + 250]))
                fixed = fix_held(ctx, scrubbed.held, store=action_store)
            stages_done["claims"] = _claims_summary(len(ids), scrubbed, fixed)
            with stages.stage(STAGES[6]) as advance:
                stages_done["submission"] = _submit(ctx, exchange)
            with stages.stage(STAGES[7], total=ADJUDICATION_DAYS) as advance:
                stages_done["adjudication"] = _adjudication(ctx, exchange, advance)
                stages_done["posting"] = _posting(ctx)
            refresh_statistics(st.engine)
            with stages.stage(STAGES[8]) as advance:
                stages_done["denials"] = _work_denials(ctx, exchange, out)
            with stages.stage(STAGES[9], total=SECOND_CYCLE_DAYS) as advance:
                stages_done["second_cycle"] = _second_cycle(
                    ctx, exchange, advance, stages_done["denials"]
                )
        finally:
            exchange.close()
        with stages.stage(STAGES[10]) as advance:
            stages_done["patient_billing"] = _patient_billing(ctx, demo, out, seed)
        with stages.stage(STAGES[11]) as advance:
            report = _reports(ctx, out)
            stages_done["reports"] = {"report_html": str(out / "report.html")}
            stages_done["files"] = _write_files(ctx, out, exchange.root)
    summary: dict[str, Any] = {
        "database": st.url,
        "seed": seed,
        "clock": ctx.clock.now().isoformat(),
        "registration": {
            "practice": {"id": demo.practice.id, "legal_name": demo.practice.legal_name,
                         "group_npi": demo.practice.group_npi},
            "providers": len(demo.providers),
            "facilities": len(demo.facilities),
            "payers": len(demo.payers),
            "patients": len(demo.patients),
            "self_pay": len(demo.self_pay),
            "coverages": len(demo.coverages),
        },
        **stages_done,
        "kpis": {k: v["value"] for k, v in report.items()},
        "profile": stages.profile,
        # the payer simulator's own process (its peak: the demo's only child process)
        "simulator_process": {"peak_rss_mb": _children_peak_mb()},
    }  # fmt: skip
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if as_json:  # the KPIs only: no paths, times or durations, byte-identical for a seed
        sys.stdout.write(json.dumps(report, indent=2, sort_keys=True) + "\n")
        return summary
    _print(demo, summary, report)
    out_console.print(f"database: {st.url}; summary: {out / 'summary.json'}")
    return summary


def _write_ahead_log(path: Path) -> None:
    """The demo's own SQLite file in WAL mode (kept by the file): a commit is one append and
    one sync of the log instead of a rollback journal's several, and the demo commits often
    (one transaction per claim scrubbed, per payment posted)."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


class _Scrubbed:
    """The scrubber's results, counted: only the held claims' results are kept (for the fixes),
    not a result per claim of the month."""

    def __init__(self) -> None:
        self.count = self.clean = 0
        self.held: list[Any] = []
        self.held_by_rule: Counter[str] = Counter()

    def add(self, results: Any) -> None:
        for r in results:
            self.count += 1
            if r.clean:
                self.clean += 1
                continue
            self.held.append(r)
            self.held_by_rule.update(f.code for f in r.findings if f.severity == "error")


def _children_peak_mb() -> float:
    """Peak memory of the largest child process that has ended (the simulator's)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def _claims_summary(created: int, scrubbed: _Scrubbed, fixed: Any) -> dict[str, Any]:
    n = scrubbed.count
    return {
        "created": created,
        "scrubbed": n,
        "clean_first_pass": scrubbed.clean,
        "held": n - scrubbed.clean,
        "clean_claim_rate": f"{scrubbed.clean / n:.4f}" if n else None,
        "held_by_rule": dict(sorted(scrubbed.held_by_rule.items())),
        "fixed_by_rules": len(fixed.fixed),
        "modifiers_added": fixed.modifiers_added,
        "queued_for_a_person": len(fixed.still_held),
    }


def _submit(ctx: Any, ex: _Exchange) -> dict[str, Any]:
    """Send the ready claims to the clearinghouse; the same day it answers with TA1/999 for
    each interchange and a 277CA for each claim, which revcycle applies."""
    from revcycle.services import submission

    with ex.serving():  # the payers answer each file while the next is built
        sent = submission.submit(ctx, ex.mailbox)
    applied = ex.cycle()
    return {
        "claims_sent": sent.claim_count,
        "files_sent": len(sent.batches),
        "acknowledgments_applied": applied,
        "claims_by_status": _claims_by_status(ctx),
    }


def _adjudication(ctx: Any, ex: _Exchange, advance: Any) -> dict[str, Any]:
    """Thirty simulated days: the payers adjudicate and send 835s, which post themselves;
    the secondary claims the posting creates are scrubbed and sent; claims the payer has been
    quiet about for a week get a 276 on days 7 and 14; crossovers are recorded."""
    from datetime import timedelta

    from revcycle.db.claim_status_repo import status_store
    from revcycle.services import claim_status

    applied = status_asked = secondary_sent = 0
    for day in range(1, ADJUDICATION_DAYS + 1):
        ctx.clock.advance(timedelta(days=1))
        applied += ex.cycle()
        if day in (7, 14):
            asked = claim_status.sweep(ctx, store=status_store, mailbox=ex.mailbox, days=7)
            status_asked += len(asked.asked)
            applied += ex.cycle()
        secondary_sent += _send_drafts(ctx, ex)
        advance(1)
    return {
        "responses_applied": applied,
        "status_inquiries": status_asked,
        "secondary_claims_sent": secondary_sent,
        "crossovers": _crossovers(ctx),
        "claims_by_status": _claims_by_status(ctx),
    }


def _send_drafts(ctx: Any, ex: _Exchange) -> int:
    """Scrub the claims revcycle drafted itself (secondaries) and send every claim ready to go
    (those, and corrected claims the denial work scrubbed already)."""
    from revcycle.services import submission
    from revcycle.services.scrubbing import scrub_claims

    with ctx.uow() as uow:  # every draft: a claims listing stops at its page size
        drafts = list(uow.claims.ids_with_status("draft"))
    if drafts:
        scrub_claims(ctx, drafts)
    return submission.submit(ctx, ex.mailbox).claim_count


def _claims_by_status(ctx: Any) -> dict[str, int]:
    """Claims counted by status (not loaded: a month may hold 100,000)."""
    with ctx.uow() as uow:
        return dict(uow.claims.status_counts())


def _corrections_paid(ctx: Any) -> int:
    """Replacement claims (they name the claim they correct) the payer has paid."""
    with ctx.uow() as uow:
        counts = uow.claims.status_counts(replacements=True)
    return int(counts.get("paid", 0) + counts.get("partially_paid", 0))


def _crossovers(ctx: Any) -> int:
    """Claims a primary payer forwarded to the secondary itself (recorded, never billed)."""
    with ctx.uow() as uow:
        return int(uow.cob.count_links("forwarded"))


def _second_cycle(ctx: Any, ex: _Exchange, advance: Any, worked: dict[str, Any]) -> dict[str, Any]:
    """After the denials are worked: the payers decide the appeals and pay by 835, corrected
    and rebilled claims go out and are adjudicated, and the new secondaries follow."""
    from datetime import timedelta

    applied = sent = 0
    for _ in range(SECOND_CYCLE_DAYS):
        ctx.clock.advance(timedelta(days=1))
        sent += _send_drafts(ctx, ex)
        applied += ex.cycle()
        advance(1)
    paying = ("paid", "partially_paid")
    with ctx.uow() as uow:
        appeals_paid = sum(
            1 for c in worked["appealed_claims"] if uow.claims.get(c).status in paying
        )
    return {
        "responses_applied": applied,
        "claims_sent": sent,
        "paid_after_appeal": appeals_paid,
        "corrections_paid": _corrections_paid(ctx),
        "claims_by_status": _claims_by_status(ctx),
    }


def _eligibility_and_estimates(
    ctx: Any, demo: Any, ex: _Exchange, seed: int, encounters: int
) -> dict[str, Any]:
    """Tomorrow's schedule: appointments for a share of the insured patients (every patient
    with a mistyped card among them), one batch 270 for the day through the clearinghouse, the
    271s applied by the inbox (discrepancies queued for the front desk). The desk corrects the
    member IDs the payer did not know and checks them again (the next day's batch); each visit
    gets a cost estimate from its 271's benefits."""
    import random
    from datetime import timedelta

    from revcycle.db.eligibility_repo import eligibility_store, latest_271
    from revcycle.db.estimate_repo import estimate_store
    from revcycle.domain.money import Money
    from revcycle.estimates.engine import E_M_OFFICE
    from revcycle.services import eligibility
    from revcycle.services.demo import make_member_id
    from revcycle.services.estimates import estimate
    from revcycle.services.patients import update_coverage

    rng = random.Random(seed)

    def business_day_after(day: Any) -> Any:
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    tomorrow = business_day_after(ctx.clock.today())
    insured = {c.patient_id for c in demo.coverages}
    mistyped = {c.patient_id for c in demo.wrong_member_ids}
    patients = [p for p in demo.patients if p.id in insured]
    size = min(len(patients), max(24, encounters // 25))
    chosen = patients[:size] + [p for p in patients[size:] if p.id in mistyped]
    visits = ("99213", "99214", "99213 36415 80053", "99212", "99214 93000")
    # office appointments: the 270s ask for the office-visit benefits (copay) beside the plan's
    office = (E_M_OFFICE,)
    doctor = demo.providers[0].id

    def book(day: Any, who: Any) -> list[Any]:
        return [
            eligibility.add_appointment(
                ctx,
                {
                    "patient": p.id,
                    "provider": doctor,
                    "date": day.isoformat(),
                    "time": f"{8 + (i // 4) % 10:02d}:{(i % 4) * 15:02d}",
                    "services": rng.choice(visits),
                },
                eligibility_store,
            )
            for i, p in enumerate(who)
        ]

    appointments = book(tomorrow, chosen)
    sent = eligibility.batch(ctx, ex.mailbox, tomorrow, eligibility_store, service_types=office)
    ex.cycle()
    with ctx.uow() as uow:
        queued = len(uow.work_items.list("eligibility"))
    corrected = []
    for coverage in demo.wrong_member_ids:  # the desk calls the patient, reads the card again
        corrected.append(update_coverage(ctx, coverage.id, {"member_id": make_member_id(rng)}))
    rechecked = 0
    if corrected:
        again = business_day_after(tomorrow)
        book(again, [p for p in demo.patients if p.id in mistyped])
        again_sent = eligibility.batch(
            ctx, ex.mailbox, again, eligibility_store, service_types=office
        )
        rechecked = len(again_sent.requests)
        ex.cycle()
    answered = [
        r for r in eligibility.list_requests(ctx, eligibility_store) if r.state == "answered"
    ]
    estimates = [
        estimate(
            ctx, a.patient_id, [s.to_json() for s in a.services],
            store=estimate_store, dos=tomorrow, lookup=latest_271,
        )
        for a in appointments[:50]
    ]  # fmt: skip
    return {
        "appointments": len(appointments),
        "inquiries_sent": len(sent.requests) + rechecked,
        "answered": len(answered),
        "discrepancies_queued": queued,
        "member_ids_corrected": len(corrected),
        "rechecked": rechecked,
        "estimates": len(estimates),
        "estimates_from_271": sum(1 for e in estimates if not e.flagged),
        "patients_expected_to_pay": Money.sum(e.patient_share for e in estimates).to_json(),
    }


def _reports(ctx: Any, out: Path) -> dict[str, Any]:
    """The revenue-cycle KPIs over the whole run (each with numerator, denominator and
    definition), and ``OUT/report.html``: the dashboard as one self-contained file (inline SVG
    charts, no external references)."""
    from revcycle.services.reports import kpis
    from revcycle.web.report import render_report

    (out / "report.html").write_text(render_report(ctx, None, None), encoding="utf-8")
    return dict(kpis(ctx, None, None))


def _write_files(ctx: Any, out: Path, root: Path) -> dict[str, Any]:
    """Every X12 interchange exchanged, one file each: what revcycle sent (as the
    clearinghouse received it) under ``OUT/x12/outbound``, what it received (as stored when
    fetched) under ``OUT/x12/inbound``; and a sample of CMS-1500 claim forms under ``OUT/pdf``."""
    from revcycle.services.forms_out import claim_pdf

    outbound, inbound = out / "x12" / "outbound", out / "x12" / "inbound"
    outbound.mkdir(parents=True)
    inbound.mkdir(parents=True)
    sent = 0
    for folder in sorted((root / ".received").glob("*")):
        for f in sorted(folder.glob("*.x12")):
            # <taken at>-<unique>-<name>: keep the name the sender gave it
            shutil.copyfile(f, outbound / f.name.split("-", 2)[2])
            sent += 1
    received = 0
    with ctx.uow() as uow:  # one file's bytes at a time, never the parsed summaries
        for file_id, name in uow.inbound_files.names(ctx.practice_id):
            (inbound / Path(name).name).write_bytes(uow.inbound_files.content_of(file_id))
            received += 1
        pcns = [
            c.patient_control_number
            for c in uow.claims.list(status="paid", limit=CLAIM_FORM_SAMPLE)
        ]
    forms = 0
    for key in pcns:
        pcn, pdf = claim_pdf(ctx, key)
        (out / "pdf" / f"claim-{pcn}.pdf").write_bytes(pdf)
        forms += 1
    return {"x12_outbound": sent, "x12_inbound": received, "claim_forms": forms}


def _work_denials(ctx: Any, ex: _Exchange, out: Path) -> dict[str, Any]:
    """The billing office works the denial queue: medical-necessity denials are appealed with
    the visit's records (letters in ``OUT/pdf/appeal-<claim>.pdf``; the payer decides in the
    next cycle), a urinalysis denied as bundled into the visit is corrected with modifier 59
    (a distinct service: a corrected claim goes out), duplicates are closed (the original was
    paid), the rest written off with a reason (a manager approves those above the
    threshold)."""
    from revcycle.db.appeal_repo import action_store
    from revcycle.db.denial_repo import denial_store
    from revcycle.domain.user import User
    from revcycle.services import denial_actions as actions
    from revcycle.services.context import Context
    from revcycle.services.denial_ports import DenialFilter
    from revcycle.services.denials import close, list_denials

    stores: dict[str, Any] = {"store": action_store, "denials": denial_store}
    manager = Context.for_user(
        User(ctx.practice_id, "demo-manager", "manager"), ctx.clock, ctx.uow_factory
    )
    queue: list[Any] = []
    after: str | None = None
    while True:  # the whole queue, page by page (highest priority first)
        page = list_denials(ctx, DenialFilter(), limit=500, after=after, store=denial_store)
        queue.extend(page.items)
        if page.next_after is None:
            break
        after = page.next_after
    appealed, closed, written_off, approved, corrected = [], 0, 0, 0, 0
    worked_claims: set[int] = set()
    for d in queue:
        assert d.id is not None
        if d.claim_id in worked_claims:
            continue  # one appeal or correction per claim covers its lines
        if d.category == "medical_necessity":
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
            assert result.appeal is not None and result.appeal.id is not None
            actions.submit_appeal(ctx, result.appeal.id, ex.mailbox, **stores)
            if result.document:
                (out / "pdf" / f"appeal-{_pcn(ctx, d.claim_id)}.pdf").write_bytes(result.document)
            appealed.append(d.claim_id)
            worked_claims.add(d.claim_id)
        elif d.category == "bundling" and (line := _distinct_service_line(ctx, d)) is not None:
            actions.correct(
                ctx, d.id, reason="urinalysis was a separate, distinct service: modifier 59",
                edits=[actions.LineEdit(line, add_modifiers=("59",))], **stores,
            )  # fmt: skip
            corrected += 1
            worked_claims.add(d.claim_id)
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
    return {
        "denials_worked": len(queue),
        "appeals": len(appealed),
        "appealed_claims": sorted(appealed),
        "corrected_claims": corrected,
        "closed_duplicates": closed,
        "written_off": written_off,
        "write_offs_approved_by_manager": approved,
    }


def _pcn(ctx: Any, claim_id: int) -> str:
    with ctx.uow() as uow:
        return str(uow.claims.get(claim_id).patient_control_number)


def _distinct_service_line(ctx: Any, denial: Any) -> int | None:
    """The line number of a urinalysis (81002) the payer bundled into the visit, when the
    claim has no other line denied (then modifier 59 is the fix)."""
    with ctx.uow() as uow:
        claim = uow.claims.get(denial.claim_id)
        encounter = uow.encounters.get(claim.encounter_id)
    procedures = {ln.id: ln.procedure for ln in encounter.lines}
    for cl in claim.lines:
        if cl.id == denial.line_id and procedures.get(cl.encounter_line_id) == "81002":
            return int(cl.line_no)
    return None


def _good_faith_estimates(ctx: Any, demo: Any, out: Path, advance: Any) -> dict[str, Any]:
    """Each uninsured patient schedules a new-patient visit with labs a week ahead and gets a
    Good Faith Estimate the same day (within the one-business-day deadline):
    ``OUT/pdf/gfe-<MRN>.pdf``."""
    from datetime import timedelta

    from revcycle.db.estimate_repo import estimate_store
    from revcycle.domain.money import Money
    from revcycle.services.estimates import good_faith_estimate

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
        (out / "pdf" / f"gfe-{patient.mrn}.pdf").write_bytes(gfe.pdf)
        issued.append(gfe)
        advance(1)
    return {
        "good_faith_estimates": len(issued),
        "met_deadline": sum(1 for g in issued if g.met),
        "total_estimated": Money.sum(g.total for g in issued).to_json(),
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


def _patient_billing(ctx: Any, demo: Any, out: Path, seed: int) -> dict[str, Any]:
    """The front desk and the billing office after insurance: a few patients pay at the
    desk, one balance goes on a payment plan, and the statement run mails the rest."""
    import random

    from revcycle.cli.demo_desk import apply_copay_credits
    from revcycle.db.patient_billing_repo import billing_store
    from revcycle.domain.money import Money
    from revcycle.posting.patient import Tender
    from revcycle.services.patient_billing import post_payment
    from revcycle.services.payment_plans import create_plan
    from revcycle.services.statements import run_statements

    rng = random.Random(seed)
    today = ctx.clock.today()
    by_id = {p.id: p for p in demo.patients}
    credited, credit_applied = apply_copay_credits(ctx)
    with ctx.uow() as uow:  # every patient's balance in one query, not an account view each
        totals = billing_store(uow).ledger.patient_totals()
    owing = [
        (by_id[t.patient_id], t.patient_open - t.credit)
        for t in sorted(totals, key=lambda t: t.patient_id)
        if t.patient_id in by_id and (t.patient_open - t.credit).amount > 0
    ]
    payments = plan = 0
    collected = Money.zero()
    for p, due in owing[: min(300, max(1, len(owing) // 3))]:
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
    rest = [(p, due) for p, due in owing[min(300, max(1, len(owing) // 3)) :] if due.amount >= 100]
    if rest:
        create_plan(ctx, rest[0][0].id, start=today, store=billing_store, installments=3)
        plan = 1
    run = run_statements(ctx, today, store=billing_store)
    for st in run.statements:
        (out / "pdf" / f"statement-{by_id[st.patient_id].mrn}.pdf").write_bytes(st.pdf)
    return {
        "copay_credits_applied": credited,
        "copay_credit_amount": credit_applied.to_json(),
        "patients_owing": len(owing),
        "payments_at_desk": payments,
        "collected": collected.to_json(),
        "payment_plans": plan,
        "statements": len(run.statements),
        "statements_due_total": Money.sum(s.amount_due for s in run.statements).to_json(),
        "statements_skipped": len(run.skipped),
    }


def _print(demo: Any, summary: dict[str, Any], report: dict[str, Any]) -> None:
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
    reg, el, co = summary["registration"], summary["eligibility"], summary["coding"]
    ce, cl, sub = summary["charge_entry"], summary["claims"], summary["submission"]
    adj, po, dn = summary["adjudication"], summary["posting"], summary["denials"]
    sc, pb, es = summary["second_cycle"], summary["patient_billing"], summary["estimates"]
    files = summary["files"]
    t = Table("stage", "result", "time", title="The month, stage by stage", title_justify="left")
    prof = summary["profile"]

    def row(stage: str, text: str) -> None:
        t.add_row(stage, text, f"{prof[stage]['seconds']:.1f} s" if stage in prof else "")

    row(
        STAGES[0],
        f"{reg['patients']} patients ({reg['self_pay']} uninsured), "
        f"{reg['coverages']} coverages, {reg['providers']} providers, {reg['payers']} payers",
    )
    row(
        STAGES[1],
        f"{es['good_faith_estimates']} issued ({es['met_deadline']} on time), "
        f"${es['total_estimated']}",
    )
    row(
        STAGES[2],
        f"{el['appointments']} appointments, {el['inquiries_sent']} 270s, "
        f"{el['answered']} answered, {el['discrepancies_queued']} flagged, "
        f"{el['member_ids_corrected']} member IDs corrected; {el['estimates']} estimates",
    )
    row(
        STAGES[3],
        f"{co['encounters_reviewed']} visits, {co['flagged']} flagged, "
        f"{co['corrected_by_coder']} corrected by the coder",
    )
    row(
        STAGES[4],
        f"{ce['encounters']} encounters, {ce['lines']} lines, ${ce['charges']}; "
        f"{ce['copays_at_checkin']} copays at check-in (${ce['copays_collected']}); "
        f"planted: {', '.join(f'{k} {v}' for k, v in ce['planted_mistakes'].items())}",
    )
    row(
        STAGES[5],
        f"{cl['created']} claims, {cl['clean_first_pass']} clean first pass "
        f"({cl['clean_claim_rate']}), {cl['fixed_by_rules']} fixed by the rules, "
        f"{cl['queued_for_a_person']} queued; held by "
        f"{', '.join(f'{k} {v}' for k, v in cl['held_by_rule'].items())}",
    )
    row(
        STAGES[6],
        f"{sub['claims_sent']} claims in {sub['files_sent']} files, "
        f"{sub['acknowledgments_applied']} acknowledgment files applied",
    )
    row(
        STAGES[7],
        f"{po['files_posted']} 835s posted: {po['claim_payments']} claim payments, "
        f"${po['paid_total']} paid; {po['secondary_claims_created']} secondaries created, "
        f"{adj['secondary_claims_sent']} sent; {adj['crossovers']} crossovers; "
        f"{adj['status_inquiries']} status inquiries",
    )
    row(
        STAGES[8],
        f"{dn['denials_worked']} denials: {dn['appeals']} appealed, "
        f"{dn['corrected_claims']} corrected, {dn['closed_duplicates']} closed, "
        f"{dn['written_off']} written off ({dn['write_offs_approved_by_manager']} approved)",
    )
    row(
        STAGES[9],
        f"{sc['claims_sent']} claims sent, {sc['responses_applied']} responses, "
        f"{sc['paid_after_appeal']} of {dn['appeals']} appeals paid, "
        f"{sc['corrections_paid']} of {dn['corrected_claims']} corrections paid",
    )
    row(
        STAGES[10],
        f"{pb['copay_credits_applied']} copay credits applied (${pb['copay_credit_amount']}), "
        f"{pb['payments_at_desk']} desk payments (${pb['collected']}), "
        f"{pb['payment_plans']} plan, {pb['statements']} statements "
        f"(${pb['statements_due_total']} due)",
    )
    row(
        STAGES[11],
        f"OUT/report.html; {files['x12_outbound']} X12 files sent and "
        f"{files['x12_inbound']} received under OUT/x12; PDFs under OUT/pdf",
    )
    out_console.print(t)
    k = Table("KPI", "value", "numerator", "denominator", title="Revenue-cycle KPIs",
              title_justify="left")  # fmt: skip
    for name, v in report.items():
        k.add_row(name, "n/a" if v["value"] is None else str(v["value"]),
                  str(v.get("numerator", "")), str(v.get("denominator", "")))  # fmt: skip
    out_console.print(k)
