"""ERA auto-posting: one 835 (a ``Remittance``) and the claims it pays -> journal entries.

Order of work: validate the 835's arithmetic (any error rejects the file and posts nothing);
then, for each CLP, find its claim and lines (``matching``) and post one
``INSURANCE_PAYMENT`` entry per claim payment, balanced on every line:

- SVC03 paid: debit insurance payments, credit the payer's receivable;
- CO: contractual adjustment (never billed to the patient);
- PR: responsibility moves from this payer to the next coverage of the claim, or to the
  patient when there is none; moving to a payer yields a ``SecondaryClaimNeeded`` with the COB
  data, unless the payer forwarded the claim itself (crossover: CLP02 19/20/21, MA18 / N89),
  which yields a ``ForwardedClaim`` instead;
- OA / PI: per ``PostingConfig`` (adjust, treat like PR, keep open, or ignore as
  informational; OA-23 is ignored by default);
- denials (CLP02 = 4, or a line paid 0 with a denial CARC): the denied CO / OA / PI amounts stay
  open with the payer and become ``DenialRecord`` s, never write-offs;
- claim-level CAS (and, for claims without SVC loops, the payment too) are spread over the
  lines in proportion to their charges, preserving every cent;
- CLP02 = 22: the original claim-payment entry (same payer claim control number, not yet
  reversed) is reversed exactly; if it cannot be found, the negative amounts are posted through
  the same rules, with a warning;
- PLB: each provider-level adjustment is one entry between the remittance's cash and a
  provider-level account (interest for L6, recoupments for WO, provider adjustments for the
  rest), tied to the claim its reference names when one is known;
- CLPs that match no claim, or a claim whose lines cannot all be found, are reported and their
  money is posted to unapplied insurance, so the deposit still balances.

The insurance payments an 835's entries post sum to BPR02. The engine is pure: the caller posts
``result.entries`` (all or nothing) into the ledger or database.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from revcycle.codesets.findings import Finding
from revcycle.codesets.reference import carc_root_cause
from revcycle.domain.claim import ClaimAdjustment, LineAdjudication
from revcycle.domain.ledger import (
    PATIENT,
    Account,
    AccountKind,
    EntryBuilder,
    EntryKind,
    JournalEntry,
    Party,
)
from revcycle.domain.money import Money
from revcycle.domain.remittance import Adjustment, ClaimPayment, Remittance, ServicePayment
from revcycle.posting.matching import ClaimIndex, match_lines
from revcycle.posting.model import (
    GROUPS,
    BilledClaim,
    BilledLine,
    DenialRecord,
    ForwardedClaim,
    PostingConfig,
    PostingHistory,
    PostingResult,
    PostingSummary,
    SecondaryClaimNeeded,
    Treatment,
    UnmatchedClaimPayment,
)
from revcycle.posting.validation import validate_remittance

ZERO = Decimal(0)
_STATUS_ORDER = {"1": 0, "19": 0, "2": 1, "20": 1, "3": 2, "21": 2}
_NOT_DENIAL = frozenset({"contractual", "patient_responsibility"})


def paying_payer(remit_payer_id: str, status: str, coverages: Sequence[str]) -> str | None:
    """Which of a claim's payers (``BilledClaim.coverages``, primary first) a claim payment
    comes from: the remitting payer when it is one of them, else the one its CLP02 names (1
    primary, 2 secondary, 3 tertiary), else the primary; None for a claim without coverage."""
    if remit_payer_id and remit_payer_id in coverages:
        return remit_payer_id
    order = _STATUS_ORDER.get(status)
    if order is not None and order < len(coverages):
        return coverages[order]
    return coverages[0] if coverages else None


@lru_cache(maxsize=4096)
def _carc_is_denial(reason: str) -> bool:
    category, action = carc_root_cause(reason)
    if category in _NOT_DENIAL:
        return False
    return not (action == "none" and category in ("cob", "other"))


def claim_charge_entry(claim: BilledClaim, when: date | None = None) -> JournalEntry:
    """The charges of every line of ``claim``, owed by its primary payer (or the patient)."""
    party = claim.first_party()
    b = EntryBuilder(EntryKind.CHARGE, effective_date=when, claim_id=claim.claim_id, memo="charge")
    for line in claim.lines:
        ref = claim.line_ref(line)
        b.move(ref.receivable(party), ref.account(AccountKind.CHARGES), line.charge)
    return b.build()


@dataclass(slots=True)
class _Item:
    """One line's share of a claim payment."""

    line: BilledLine
    paid: Money
    adjustments: list[Adjustment]
    service: ServicePayment | None = None


@dataclass(slots=True)
class _Run:
    remittance: Remittance
    index: ClaimIndex
    config: PostingConfig
    history: PostingHistory | None
    practice_id: str
    posted_on: date | None
    source: str
    entries: list[JournalEntry] = field(default_factory=list)
    denials: list[DenialRecord] = field(default_factory=list)
    secondary: list[SecondaryClaimNeeded] = field(default_factory=list)
    forwarded: list[ForwardedClaim] = field(default_factory=list)
    unmatched: list[UnmatchedClaimPayment] = field(default_factory=list)
    matched: list[tuple[int, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    patient_total: Decimal = ZERO
    run_entries_by_claim: dict[str, list[JournalEntry]] = field(
        default_factory=lambda: defaultdict(list)
    )

    # -- helpers -----------------------------------------------------------------------------

    @property
    def remit_payer(self) -> Party:
        p = self.remittance.payer
        return Party.payer(p.identifier or p.name)

    def treatment(self, a: Adjustment) -> Treatment | None:
        """None means the group's own rule (CO adjust, PR move on)."""
        override = self.config.overrides.get((a.group, a.reason))
        if override is not None:
            return override
        if a.group == "OA":
            return self.config.oa
        if a.group == "PI":
            return self.config.pi
        return None

    def is_denial(self, reason: str) -> bool:
        if self.config.denial_reasons is not None:
            return reason in self.config.denial_reasons
        return _carc_is_denial(reason)

    def new_entry(self, kind: EntryKind, claim_id: str, reference: str, memo: str) -> EntryBuilder:
        return EntryBuilder(
            kind,
            effective_date=self.posted_on,
            claim_id=claim_id,
            source=self.source,
            reference=reference,
            memo=memo,
        )

    def add(self, entry: JournalEntry) -> None:
        if entry.postings:
            entry = _with_id(entry)
            self.entries.append(entry)
            if entry.claim_id:
                self.run_entries_by_claim[entry.claim_id].append(entry)

    # -- claims ------------------------------------------------------------------------------

    def post_claim(self, ci: int, cp: ClaimPayment) -> None:
        claim = self.index.find(cp)
        if claim is None:
            self.unmatched_claim(ci, cp, "no claim has this patient control number")
            return
        lines: list[BilledLine | None] = list(match_lines(claim, cp.lines)) if cp.lines else []
        if any(m is None for m in lines):
            self.unmatched_claim(ci, cp, f"claim {claim.claim_id}: a service line matches no line")
            return
        self.matched.append((ci, claim.claim_id))
        payer_id = self.payer_for(ci, cp, claim)
        if cp.status == "22":
            original = self.find_original(claim, cp)
            if original is not None:
                self.reverse(ci, cp, original)
                return
            self.findings.append(
                Finding(
                    "posting.reversal_original_not_found",
                    "warning",
                    "no earlier posting of this claim payment was found; "
                    "the reversal's amounts were posted as sent",
                    f"claims[{ci}]",
                )
            )
        self.post_adjudication(ci, cp, claim, payer_id, [m for m in lines if m is not None])

    def payer_for(self, ci: int, cp: ClaimPayment, claim: BilledClaim) -> str:
        paying = paying_payer(self.remittance.payer.identifier, cp.status, claim.coverages)
        if paying is not None:
            return paying
        self.findings.append(
            Finding(
                "posting.payer_not_on_claim",
                "warning",
                "the claim has no coverage; the payment is posted against the remitting payer",
                f"claims[{ci}]",
            )
        )
        return self.remit_payer.identifier

    def post_adjudication(
        self,
        ci: int,
        cp: ClaimPayment,
        claim: BilledClaim,
        payer_id: str,
        matched: list[BilledLine],
    ) -> None:
        payer = Party.payer(payer_id)
        nxt = _next_party(claim, payer_id)
        reversal = cp.status == "22"
        denied_claim = cp.status == "4"
        icn = cp.payer_claim_control_number

        # claim-level CAS: denied amounts stay open as a claim-level denial; the rest is spread
        claim_denied: list[Adjustment] = []
        spread: list[Adjustment] = []
        for a in cp.adjustments:
            if (
                not reversal
                and a.group != "PR"
                and (denied_claim or (not cp.paid and self.is_denial(a.reason)))
            ):
                claim_denied.append(a)
            else:
                spread.append(a)
        if claim_denied:
            self.denials.append(
                DenialRecord(
                    claim.claim_id,
                    None,
                    payer_id,
                    icn,
                    tuple(claim_denied),
                    cp.remarks,
                    Money.sum(a.amount for a in claim_denied),
                )
            )

        if cp.lines:
            items = [
                _Item(line, svc.paid, list(svc.adjustments), svc)
                for line, svc in zip(matched, cp.lines, strict=True)
            ]
        else:
            items = [_Item(line, Money.zero(), []) for line in claim.lines]
            if items:
                for item, part in zip(items, _spread(cp.paid, items), strict=True):
                    item.paid = part
        if spread and items:
            for a in spread:
                for item, part in zip(items, _spread(a.amount, items), strict=True):
                    if part:
                        item.adjustments.append(Adjustment(a.group, a.reason, part, a.quantity))
                        if cp.lines:
                            # CLP04 = sum of SVC03 - claim-level CAS: the claim-level amount
                            # comes out of the lines' payments
                            item.paid -= part

        b = self.new_entry(EntryKind.INSURANCE_PAYMENT, claim.claim_id, icn, f"835 CLP {ci}")
        moved_on = ZERO
        for item in items:
            ref = claim.line_ref(item.line)
            recv = ref.receivable(payer)
            b.move(ref.account(AccountKind.INSURANCE_PAYMENTS, payer), recv, item.paid)
            denied_line = not reversal and (
                denied_claim
                or (
                    not item.paid
                    and any(a.group != "PR" and self.is_denial(a.reason) for a in item.adjustments)
                )
            )
            line_denied: list[Adjustment] = []
            for a in item.adjustments:
                code = f"{a.group}-{a.reason}"
                if denied_line and a.group != "PR" and (denied_claim or self.is_denial(a.reason)):
                    line_denied.append(a)
                    continue
                treatment = self.treatment(a)
                if treatment in ("ignore", "keep_open"):
                    continue
                if a.group == "PR" or treatment == "patient":
                    b.move(ref.receivable(nxt), recv, a.amount, code)
                    moved_on += a.amount.amount
                elif a.group == "CO":
                    acct = ref.account(AccountKind.CONTRACTUAL_ADJUSTMENTS, payer)
                    b.move(acct, recv, a.amount, code)
                elif treatment == "adjust":
                    b.move(ref.account(AccountKind.OTHER_ADJUSTMENTS, payer), recv, a.amount, code)
                else:
                    self.findings.append(
                        Finding(
                            "posting.unknown_group",
                            "warning",
                            f"adjustment group {a.group!r} is not posted; the amount stays open",
                            f"claims[{ci}]",
                        )
                    )
            if line_denied:
                remarks = item.service.remarks if item.service is not None else ()
                self.denials.append(
                    DenialRecord(
                        claim.claim_id,
                        item.line.line_id,
                        payer_id,
                        icn,
                        tuple(line_denied),
                        (*remarks, *cp.remarks),
                        Money.sum(a.amount for a in line_denied),
                    )
                )
        self.add(b.build())

        if nxt.is_patient:
            self.patient_total += moved_on
        elif moved_on and not reversal:
            if self.is_crossover(cp):
                self.forwarded.append(
                    ForwardedClaim(
                        claim.claim_id,
                        payer_id,
                        nxt.identifier,
                        cp.crossover_payer,
                        Money(moved_on),
                    )
                )
            else:
                self.secondary.append(
                    self.secondary_claim(ci, cp, claim, payer_id, nxt.identifier, matched)
                )

    def is_crossover(self, cp: ClaimPayment) -> bool:
        if cp.status in self.config.crossover_statuses or cp.crossover_payer:
            return True
        codes = self.config.crossover_remarks
        return any(r in codes for r in cp.remarks) or any(
            r in codes for svc in cp.lines for r in svc.remarks
        )

    def secondary_claim(
        self,
        ci: int,
        cp: ClaimPayment,
        claim: BilledClaim,
        payer_id: str,
        next_payer_id: str,
        matched: list[BilledLine],
    ) -> SecondaryClaimNeeded:
        when = self.remittance.payment.date or self.remittance.production_date or self.posted_on
        adjudications: list[LineAdjudication] = []
        if when is None and cp.lines:
            self.findings.append(
                Finding(
                    "posting.no_adjudication_date",
                    "warning",
                    "the 835 has no payment or production date; line adjudications are omitted",
                    f"claims[{ci}]",
                )
            )
        elif when is not None:
            for line, svc in zip(matched, cp.lines, strict=True):
                pr = Money.sum(a.amount for a in svc.adjustments if a.group == "PR")
                adjudications.append(
                    LineAdjudication(
                        line_number=line.line_number,
                        paid=svc.paid,
                        procedure_code=svc.procedure,
                        units=svc.units if svc.units is not None else line.units,
                        adjudication_date=when,
                        modifiers=svc.modifiers,
                        qualifier=svc.qualifier,
                        revenue_code=svc.revenue_code,
                        adjustments=tuple(_cob_cas(svc.adjustments)),
                        remaining_patient_liability=pr if pr else None,
                    )
                )
        pr_total = Money.sum(
            a.amount
            for a in (*cp.adjustments, *(a for s in cp.lines for a in s.adjustments))
            if a.group == "PR"
        )
        return SecondaryClaimNeeded(
            claim_id=claim.claim_id,
            prior_payer_id=payer_id,
            next_payer_id=next_payer_id,
            payer_claim_control_number=cp.payer_claim_control_number,
            prior_payer_paid=cp.paid,
            claim_adjustments=tuple(_cob_cas(cp.adjustments)),
            line_adjudications=tuple(adjudications),
            remaining_patient_liability=pr_total,
            adjudication_date=when,
        )

    def find_original(self, claim: BilledClaim, cp: ClaimPayment) -> JournalEntry | None:
        earlier: list[JournalEntry] = []
        if self.history is not None:
            earlier.extend(self.history.entries_for_claim(claim.claim_id))
        earlier.extend(self.run_entries_by_claim.get(claim.claim_id, ()))
        undone = {e.reverses for e in earlier if e.reverses}
        open_ = [
            e
            for e in earlier
            if e.kind is EntryKind.INSURANCE_PAYMENT
            and e.entry_id not in undone
            and not (self.history is not None and self.history.is_reversed(e.entry_id))
        ]
        icn = cp.payer_claim_control_number
        pool = [e for e in open_ if icn and e.reference == icn]
        if not pool:
            pool = [e for e in open_ if e.amount_on(AccountKind.INSURANCE_PAYMENTS) == -cp.paid]
        return pool[-1] if pool else None

    def reverse(self, ci: int, cp: ClaimPayment, original: JournalEntry) -> None:
        paid = original.amount_on(AccountKind.INSURANCE_PAYMENTS)
        if paid != -cp.paid:
            self.findings.append(
                Finding(
                    "posting.reversal_amount_mismatch",
                    "warning",
                    f"the reversal takes back {-cp.paid} but the original posting paid {paid}; "
                    "the original posting was reversed exactly",
                    f"claims[{ci}]",
                )
            )
        entry = original.reversal(effective_date=self.posted_on, source=self.source)
        self.patient_total += sum(
            (
                p.amount.amount
                for p in entry.postings
                if p.account.kind is AccountKind.RECEIVABLE and p.account.party == PATIENT
            ),
            ZERO,
        )
        self.add(entry)

    def unmatched_claim(self, ci: int, cp: ClaimPayment, reason: str) -> None:
        self.unmatched.append(
            UnmatchedClaimPayment(
                cp.patient_control_number, cp.payer_claim_control_number, cp.paid, reason, ci
            )
        )
        self.findings.append(Finding("posting.claim_unmatched", "warning", reason, f"claims[{ci}]"))
        payer = self.remit_payer
        b = self.new_entry(
            EntryKind.UNAPPLIED, "", cp.patient_control_number, "unmatched claim payment"
        )
        b.move(
            Account(AccountKind.INSURANCE_PAYMENTS, self.practice_id, party=payer),
            Account(AccountKind.UNAPPLIED_INSURANCE, self.practice_id, party=payer),
            cp.paid,
        )
        self.add(b.build())

    # -- provider level ----------------------------------------------------------------------

    def post_provider_adjustments(self) -> None:
        claim_by_ref: dict[str, str] = {}
        for ci, claim_id in self.matched:
            cp = self.remittance.claims[ci]
            claim_by_ref.setdefault(cp.patient_control_number, claim_id)
            if cp.payer_claim_control_number:
                claim_by_ref.setdefault(cp.payer_claim_control_number, claim_id)
        payer = self.remit_payer
        for pi, pa in enumerate(self.remittance.provider_adjustments):
            claim_id = claim_by_ref.get(pa.reference, "")
            if not claim_id and pa.reference:
                found = self.index.find(ClaimPayment(pa.reference, "", Money.zero(), Money.zero()))
                claim_id = found.claim_id if found is not None else ""
            if pa.reason == "L6":
                kind, entry_kind = AccountKind.INTEREST, EntryKind.INTEREST
            elif pa.reason == "WO":
                kind, entry_kind = AccountKind.RECOUPMENTS, EntryKind.RECOUPMENT
            else:
                kind, entry_kind = AccountKind.PROVIDER_ADJUSTMENTS, EntryKind.PROVIDER_ADJUSTMENT
            b = self.new_entry(entry_kind, claim_id, pa.reference, f"PLB {pa.reason} [{pi}]")
            b.move(
                Account(kind, self.practice_id, claim_id=claim_id, party=payer),
                Account(AccountKind.INSURANCE_PAYMENTS, self.practice_id, party=payer),
                pa.amount,
                f"PLB-{pa.reason}",
            )
            self.add(b.build())


def _with_id(entry: JournalEntry) -> JournalEntry:
    if entry.entry_id:
        return entry
    return JournalEntry(
        kind=entry.kind,
        postings=entry.postings,
        entry_id=uuid.uuid4().hex,
        effective_date=entry.effective_date,
        claim_id=entry.claim_id,
        source=entry.source,
        reference=entry.reference,
        memo=entry.memo,
        reverses=entry.reverses,
    )


def _next_party(claim: BilledClaim, payer_id: str) -> Party:
    try:
        i = claim.coverages.index(payer_id)
    except ValueError:
        return PATIENT
    return Party.payer(claim.coverages[i + 1]) if i + 1 < len(claim.coverages) else PATIENT


def _spread(amount: Money, items: Sequence[_Item]) -> list[Money]:
    weights = [abs(i.line.charge.amount) for i in items]
    if not any(weights):
        weights = [Decimal(1)] * len(items)
    return amount.allocate(weights)


def _cob_cas(adjustments: Iterable[Adjustment]) -> list[ClaimAdjustment]:
    return [ClaimAdjustment(a.group, a.reason, a.amount, a.quantity) for a in adjustments]


def _group_totals(remittance: Remittance) -> dict[str, Money]:
    sums: dict[str, Decimal] = {g: ZERO for g in GROUPS}
    for cp in remittance.claims:
        for a in (*cp.adjustments, *(a for s in cp.lines for a in s.adjustments)):
            if a.group in sums:
                sums[a.group] += a.amount.amount
    return {g: Money(v) for g, v in sums.items()}


def post_remittance(
    remittance: Remittance,
    claims: ClaimIndex | Iterable[BilledClaim],
    *,
    practice_id: str,
    history: PostingHistory | None = None,
    config: PostingConfig | None = None,
    posted_on: date | None = None,
    source: str = "",
) -> PostingResult:
    """Validate ``remittance`` and, when it balances, post it against ``claims``.

    ``history`` (the ledger, or a repository) is where reversals find the entries they undo.
    ``source`` tags every entry (default ``835:<TRN02>``).
    """
    findings = validate_remittance(remittance)
    if any(f.severity == "error" for f in findings):
        return PostingResult(
            PostingSummary(
                status="rejected",
                claims_matched=0,
                claims_unmatched=0,
                paid_total=Money.zero(),
                adjustments_by_group={g: Money.zero() for g in GROUPS},
                patient_responsibility=Money.zero(),
                provider_adjustments_total=Money.zero(),
                denials_created=0,
                secondary_claims_created=0,
                findings=tuple(findings),
            )
        )
    index = claims if isinstance(claims, ClaimIndex) else ClaimIndex(claims)
    run = _Run(
        remittance,
        index,
        config or PostingConfig(),
        history,
        practice_id,
        posted_on,
        source or f"835:{remittance.payment.trace_number}",
        findings=findings,
    )
    for ci, cp in enumerate(remittance.claims):
        run.post_claim(ci, cp)
    run.post_provider_adjustments()
    summary = PostingSummary(
        status="posted",
        claims_matched=len(run.matched),
        claims_unmatched=len(run.unmatched),
        paid_total=remittance.claims_paid_total(),
        adjustments_by_group=_group_totals(remittance),
        patient_responsibility=Money(run.patient_total),
        provider_adjustments_total=remittance.provider_adjustment_total(),
        denials_created=len(run.denials),
        secondary_claims_created=len(run.secondary),
        findings=tuple(run.findings),
    )
    return PostingResult(
        summary=summary,
        entries=tuple(run.entries),
        denials=tuple(run.denials),
        secondary_claims=tuple(run.secondary),
        forwarded=tuple(run.forwarded),
        unmatched=tuple(run.unmatched),
        matched_claims=tuple(run.matched),
    )
