"""The interfaces the use cases need from the outside world.

``UnitOfWork`` is a transaction: repositories inside it see and change one practice's data
only (the tenant boundary is the repository's, not each caller's), and nothing is written
unless ``commit`` is called. ``Clock`` is the only source of "now".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self, TypeVar

from revcycle.domain.audit import AuditEntry
from revcycle.domain.authorization import Authorization
from revcycle.domain.claim import ClaimAdjustment, LineAdjudication
from revcycle.domain.claim_record import ClaimEvent, ClaimRecord, StoredFinding
from revcycle.domain.coverage import Coverage
from revcycle.domain.encounter import Encounter
from revcycle.domain.fees import Contract, FeeEntry
from revcycle.domain.money import Money
from revcycle.domain.patient import Patient
from revcycle.domain.payer import Enrollment, Payer, Plan
from revcycle.domain.practice import Practice
from revcycle.domain.provider import Facility, Provider
from revcycle.domain.user import User
from revcycle.domain.workqueue import WorkItem

if TYPE_CHECKING:
    from revcycle.services.eligibility import EligibilityStore
    from revcycle.services.era import LedgerStore

T = TypeVar("T")


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


class Repository(Protocol[T]):
    """Records of one kind belonging to the unit of work's practice."""

    def add(self, item: T) -> T: ...

    def get(self, id: int) -> T: ...

    def get_many(self, ids: Sequence[int]) -> Sequence[T]:
        """The records with these ids, in id order; unknown ids are left out."""
        ...

    def update(self, item: T) -> T: ...

    def list(self) -> Sequence[T]: ...


class PatientRepository(Repository[Patient], Protocol):
    def by_mrn(self, mrn: str) -> Patient | None: ...

    def search(
        self,
        *,
        name: str | None = None,
        dob: date | None = None,
        mrn: str | None = None,
        member_id: str | None = None,
        limit: int = 50,
    ) -> Sequence[Patient]: ...

    def possible_duplicates(
        self, last_name: str, dob: date, first_initial: str
    ) -> Sequence[Patient]: ...

    def get_many(self, ids: Sequence[int]) -> Sequence[Patient]:
        """The patients with these ids, in id order; unknown ids are left out."""
        ...

    def existing_mrns(self, mrns: Sequence[str]) -> set[str]:
        """Which of these MRNs (upper case) a patient of the practice already has."""
        ...

    def add_many(self, items: Sequence[Patient]) -> Sequence[Patient]:
        """``add`` for many patients in one statement; returns them with ids, in order."""
        ...


class CoverageRepository(Repository[Coverage], Protocol):
    def for_patient(self, patient_id: int) -> Sequence[Coverage]: ...

    def for_patients(self, patient_ids: Sequence[int]) -> dict[int, list[Coverage]]:
        """``for_patient`` for many patients, by patient id (those without any left out)."""
        ...

    def add_many(self, items: Sequence[Coverage]) -> Sequence[Coverage]:
        """``add`` for many coverages in one statement; returns them with ids, in order."""
        ...


class PlanRepository(Repository[Plan], Protocol):
    def for_payer(self, payer_id: int) -> Sequence[Plan]: ...


class PayerRepository(Repository[Payer], Protocol):
    def by_payer_id(self, payer_id: str) -> Payer | None: ...


class EnrollmentRepository(Repository[Enrollment], Protocol):
    def for_payer(self, payer_id: int) -> Sequence[Enrollment]: ...


class PracticeRepository(Protocol):
    """Practices are the tenants themselves; they are not scoped to one."""

    def add(self, item: Practice) -> Practice: ...

    def get(self, id: int) -> Practice: ...

    def update(self, item: Practice) -> Practice: ...

    def list(self) -> Sequence[Practice]: ...


class UserRepository(Protocol):
    def add(self, user: User, password_hash: str) -> User: ...

    def by_username(self, username: str) -> tuple[User, str] | None: ...

    def get(self, id: int) -> User: ...

    def list_for_practice(self, practice_id: int) -> Sequence[User]: ...

    def add_token(
        self, user_id: int, token_hash: str, created: datetime, expires: datetime
    ) -> None: ...

    def user_for_token(self, token_hash: str, now: datetime) -> User | None: ...


class AuditLog(Protocol):
    def record(
        self,
        *,
        practice_id: int | None,
        actor: str,
        channel: str,
        action: str,
        record_type: str,
        record_id: object,
        at: datetime,
    ) -> None: ...

    def record_many(self, entries: Sequence[AuditEntry]) -> None: ...

    def entries(
        self,
        practice_id: int,
        *,
        record_type: str | None = None,
        record_id: str | None = None,
        limit: int = 100,
    ) -> Sequence[AuditEntry]: ...


class Sequences(Protocol):
    def next(self, practice_id: int, name: str) -> int:
        """The next value of a named counter; never returns a value twice."""
        ...

    def next_block(self, practice_id: int, name: str, size: int) -> range:
        """``size`` consecutive values of the counter, reserved together."""
        ...


@dataclass(frozen=True, slots=True)
class EncounterLineKey:
    """An encounter line as the scrubber's look-back sees it: which encounter (patient, first
    date of service, rendering provider), the line's code, date and modifiers."""

    encounter_id: int
    patient_id: int
    encounter_dos: date
    provider_id: int
    line_no: int
    procedure: str
    dos: date
    modifiers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """What a claim line bills, as the patient's statement shows it."""

    service_date: date
    procedure: str


class EncounterRepository(Protocol):
    def add(self, encounter: Encounter, entered_at: datetime) -> Encounter: ...

    def get(self, id: int) -> Encounter: ...

    def get_many(self, ids: Sequence[int]) -> Sequence[Encounter]:
        """The encounters with these ids with their lines, in id order; unknown ids are left
        out."""
        ...

    def lines_of_patients(
        self, patient_ids: Sequence[int], dos_from: date, dos_before: date
    ) -> Sequence[EncounterLineKey]:
        """The lines of these patients' encounters with ``dos_from`` <= first date of service
        < ``dos_before``, by encounter id then line number."""
        ...

    def by_external_ref(self, ref: str) -> Encounter | None: ...

    def list(
        self,
        *,
        patient_id: int | None = None,
        limit: int = 500,
        dos_from: date | None = None,
        dos_before: date | None = None,
    ) -> Sequence[Encounter]: ...

    def entered_at(self, encounter_id: int) -> datetime | None: ...

    def without_claims(self, older_than: date) -> Sequence[Encounter]: ...

    def ids_without_claims(self, older_than: date) -> Sequence[int]:
        """The ids of ``without_claims``, in its order (by date of service, then id)."""
        ...

    def get_by_ids(self, ids: Sequence[int]) -> dict[int, Encounter]:
        """Several encounters (with lines) in a few statements, by id; unknown ids left out."""
        ...

    def add_many(
        self, encounters: Sequence[Encounter], entered_at: datetime
    ) -> Sequence[Encounter]:
        """``add`` for many encounters in a few statements; returns them with encounter and
        line ids, in order. An external reference already stored raises ``Conflict``."""
        ...

    def existing_external_refs(self, refs: Sequence[str]) -> set[str]:
        """Which of these external references an encounter of the practice already has."""
        ...

    def claim_line_services(self, claim_ids: Sequence[int]) -> dict[tuple[int, int], ServiceInfo]:
        """(claim id, claim line id) -> the date of service (the encounter line's, else the
        encounter's) and procedure billed, for these claims' lines; unknown claims are left
        out."""
        ...


class FeeScheduleRepository(Protocol):
    def add(self, entry: FeeEntry) -> FeeEntry: ...

    def list(self) -> Sequence[FeeEntry]: ...


class ContractRepository(Protocol):
    def add(self, contract: Contract) -> Contract: ...

    def for_payer(self, payer_id: int) -> Sequence[Contract]: ...


class AuthorizationRepository(Protocol):
    def add(self, item: Authorization) -> Authorization: ...

    def get(self, id: int) -> Authorization: ...

    def for_patients(self, patient_ids: Sequence[int]) -> dict[int, list[Authorization]]:
        """``for_patient`` of each of these patients, by patient id (none: left out)."""
        ...

    def update(self, item: Authorization) -> Authorization: ...

    def for_patient(self, patient_id: int) -> Sequence[Authorization]: ...


class ClaimRepository(Protocol):
    def add(self, claim: ClaimRecord) -> ClaimRecord: ...

    def add_many(self, claims: Sequence[ClaimRecord]) -> list[ClaimRecord]: ...

    def add_events(self, events: Sequence[tuple[int, ClaimEvent]]) -> None: ...

    def get(self, id: int) -> ClaimRecord: ...

    def by_pcn(self, pcn: str) -> ClaimRecord | None: ...

    def for_encounter(self, encounter_id: int) -> Sequence[ClaimRecord]: ...

    def list(self, *, status: str | None = None, limit: int = 1000) -> Sequence[ClaimRecord]: ...

    def status_counts(self, *, replacements: bool = False) -> dict[str, int]:
        """Claims counted by status (only replacement claims, those naming the claim they
        correct, with ``replacements``), without loading them."""
        ...

    def update(self, claim: ClaimRecord) -> ClaimRecord: ...

    def get_many(self, ids: Sequence[int]) -> Sequence[ClaimRecord]:
        """The claims with these ids, in id order; unknown ids are left out."""
        ...

    def ids_with_status(self, status: str) -> Sequence[int]:
        """The ids of every claim in ``status``, in id order."""
        ...

    def billed_lines_for_patients(self, patient_ids: Sequence[int]) -> Sequence[BilledLine]:
        """The lines of open claims for these patients' encounters (``billed_lines`` for many
        keys at once), by claim id then encounter line id."""
        ...

    def save_findings_many(self, findings: Sequence[tuple[int, StoredFinding]]) -> None:
        """``save_findings`` for many claims: (claim id, finding) pairs."""
        ...

    def by_pcns(self, pcns: Sequence[str]) -> dict[str, ClaimRecord]: ...

    def update_many(self, claims: Sequence[ClaimRecord]) -> None: ...

    def add_event(self, claim_id: int, event: ClaimEvent) -> None: ...

    def history(self, claim_id: int) -> Sequence[ClaimEvent]: ...

    def save_findings(self, claim_id: int, findings: Sequence[StoredFinding]) -> None: ...

    def findings(self, claim_id: int, scrub_run: int | None = None) -> Sequence[StoredFinding]: ...

    def billed_lines(
        self, patient_id: int, provider_id: int, dos: date, procedure: str
    ) -> Sequence[tuple[int, int]]:
        """(claim id, encounter line id) of open claims billing this code for this patient,
        rendering provider and date of service."""
        ...


@dataclass(frozen=True, slots=True)
class BilledLine:
    """A line of an open claim as the duplicate check matches it: the claim, the encounter
    line it bills, the encounter's patient and rendering provider, the line's date and code."""

    claim_id: int
    encounter_line_id: int
    patient_id: int
    provider_id: int
    dos: date
    procedure: str


class WorkQueueRepository(Protocol):
    def add(self, item: WorkItem) -> WorkItem: ...

    def add_many(self, items: Sequence[WorkItem]) -> None: ...

    def get(self, id: int) -> WorkItem: ...

    def update_many(self, items: Sequence[WorkItem]) -> None: ...

    def add_events(self, events: Sequence[tuple[int, datetime, str, str, str | None]]) -> None:
        """``add_event`` for many items: (item id, at, actor, action, note)."""
        ...

    def update(self, item: WorkItem) -> WorkItem: ...

    def open_for(self, queue: str, target_kind: str, target_id: int) -> WorkItem | None: ...

    def open_for_many(
        self, queue: str, target_kind: str, target_ids: Sequence[int]
    ) -> dict[int, WorkItem]: ...

    def list(self, queue: str | None = None, status: str | None = "open") -> Sequence[WorkItem]: ...

    def add_event(
        self, item_id: int, at: datetime, actor: str, action: str, note: str | None
    ) -> None: ...


# ---- submission, inbound responses, jobs (issue 6) ------------------------------------------


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    """One 837 interchange as sent: bytes, hash and control numbers never change after insert;
    ``state`` goes prepared -> transmitted -> done."""

    route: str
    kind: str
    file_name: str
    sender_id: str
    receiver_id: str
    interchange_control_number: int
    group_control_number: int
    set_control_numbers: tuple[str, ...]
    sha256: str
    content: bytes = field(repr=False)
    claim_count: int
    total_charge: Money
    actor: str
    state: str = "prepared"
    ack_status: str | None = None
    created_at: datetime | None = None
    transmitted_at: datetime | None = None
    completed_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class SubmittedClaim:
    """A claim in a submission, with the transaction set (ST02) that carried it."""

    submission_id: int
    claim_id: int
    patient_control_number: str
    set_control_number: str


@dataclass(frozen=True, slots=True)
class ClaimResponse:
    """What one response file said about one claim."""

    claim_id: int
    inbound_file_id: int
    kind: str  # TA1, 999, 277CA, 835
    outcome: str  # accepted, rejected, paid, partially_paid, denied, reversed, ...
    detail: str
    at: datetime
    submission_id: int | None = None
    payer_claim_number: str | None = None


@dataclass(frozen=True, slots=True)
class InboundFile:
    """A response file fetched from the mailbox, stored once by content hash."""

    mailbox_name: str
    sha256: str
    content: bytes = field(repr=False)
    kind: str
    sender_id: str
    receiver_id: str
    interchange_control_number: str
    state: str  # received, unmatched, applied, duplicate, failed
    summary: Mapping[str, object]
    received_at: datetime
    practice_id: int | None = None
    notes: Sequence[str] | None = None
    error: str | None = None
    applied_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class RemittanceClaimRow:
    patient_control_number: str
    status_code: str
    outcome: str
    charge: Money
    paid: Money
    patient_responsibility: Money | None
    payer_claim_number: str
    detail: Mapping[str, object]
    claim_id: int | None = None


@dataclass(frozen=True, slots=True)
class ReceivedRemittance:
    """One 835 transaction set as received (raw bytes stay on the inbound file)."""

    inbound_file_id: int
    set_index: int
    set_control_number: str
    payer_name: str
    payer_identifier: str
    payee_identifier: str
    trace_number: str
    payment_amount: Money
    payment_method: str
    payment_date: date | None
    provider_adjustments: Money
    claims: tuple[RemittanceClaimRow, ...]
    received_at: datetime
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Job:
    kind: str
    payload: Mapping[str, object]
    practice_id: int | None = None
    state: str = "pending"  # pending, running, done, failed
    attempts: int = 0
    error: str | None = None
    id: int | None = None


class MailboxEntryView(Protocol):
    @property
    def name(self) -> str: ...


class ClearinghouseMailbox(Protocol):
    """A clearinghouse mailbox as the use cases need it (``revcycle.transport`` implements it:
    atomic puts that never replace a waiting file, fetch and acknowledge of responses)."""

    def put(self, name: str, data: bytes) -> None: ...

    def list_outbound(self) -> Sequence[MailboxEntryView]: ...

    def list_inbound(self) -> Sequence[MailboxEntryView]: ...

    def fetch(self, name: str) -> bytes: ...

    def acknowledge(self, name: str) -> None: ...


class SubmissionRepository(Protocol):
    def add(
        self, submission: SubmissionRecord, claims: Sequence[tuple[int, str, str]]
    ) -> SubmissionRecord:
        """Store a prepared submission with its claims (id, PCN, ST02) and put the claims in
        flight; ``Conflict`` when one of them is already in flight."""
        ...

    def get(self, id: int) -> SubmissionRecord: ...

    def list(self, *, state: str | None = None) -> Sequence[SubmissionRecord]: ...

    def claims_of(self, submission_id: int) -> Sequence[SubmittedClaim]: ...

    def attempts(self, claim_id: int) -> Sequence[SubmittedClaim]: ...

    def advance(self, id: int, expected: str, target: str, at: datetime) -> bool:
        """Move a submission from ``expected`` to ``target``; False when it was not there."""
        ...

    def release(self, submission_id: int) -> None:
        """Take the submission's claims out of flight."""
        ...

    def ready_claims(self, payer_id: str | None = None) -> Sequence[tuple[int, str, str]]:
        """(claim id, route, kind) of ready claims not in flight, oldest first."""
        ...

    def by_interchange(self, control_number: int) -> SubmissionRecord | None: ...

    def by_group(self, control_number: int) -> SubmissionRecord | None: ...

    def set_ack_status(self, id: int, status: str) -> None: ...

    def add_response(self, response: ClaimResponse) -> None: ...

    def add_responses(self, responses: Sequence[ClaimResponse]) -> None: ...

    def latest_attempts(self, claim_ids: Sequence[int]) -> dict[int, int]:
        """The submission id of each claim's latest attempt, by claim id."""
        ...

    def responses(self, claim_id: int) -> Sequence[ClaimResponse]: ...


class InboundFileRepository(Protocol):
    """Response files of every practice (routing happens before the practice is known)."""

    def add(self, item: InboundFile) -> InboundFile: ...

    def get(self, id: int) -> InboundFile: ...

    def by_hash(self, sha256: str) -> InboundFile | None: ...

    def list(
        self, *, state: str | None = None, practice_id: int | None = None
    ) -> Sequence[InboundFile]: ...

    def same_interchange(self, sender_id: str, control_number: str) -> Sequence[InboundFile]: ...

    def take_for_apply(self, id: int, at: datetime) -> bool:
        """Mark a received file applied; False when another run got it first. The caller's
        transaction applies its effects, so both commit or neither."""
        ...

    def update(self, item: InboundFile) -> None: ...

    def add_file(self, item: InboundFile) -> InboundFile:
        """``add`` without reading the stored row back: ``item`` with its id."""
        ...

    def states(self, ids: Sequence[int]) -> dict[int, str]:
        """The state of each of these files, by id (content and summary not read)."""
        ...

    def names(self, practice_id: int) -> Sequence[tuple[int, str]]:
        """(id, mailbox name) of the practice's files, oldest first: content and summary
        not read (a month's files hold hundreds of megabytes of parsed summaries)."""
        ...

    def content_of(self, id: int) -> bytes:
        """The stored bytes of one file (its parsed summary not read)."""
        ...


class RemittanceRepository(Protocol):
    def add(self, remittance: ReceivedRemittance) -> ReceivedRemittance: ...

    def list(self) -> Sequence[ReceivedRemittance]: ...

    def for_claim(self, claim_id: int) -> Sequence[RemittanceClaimRow]: ...


class JobRepository(Protocol):
    def add(self, job: Job, run_after: datetime | None = None) -> Job: ...

    def take_next(
        self,
        now: datetime,
        lease_until: datetime,
        kinds: Sequence[str] | None,
        practice_id: int | None,
        exclude: Sequence[str] = (),
    ) -> Job | None:
        """Lease the oldest due job (pending, or running with an expired lease)."""
        ...

    def finish(
        self,
        id: int,
        state: str,
        at: datetime,
        error: str | None = None,
        run_after: datetime | None = None,
    ) -> None: ...

    def list(self, *, state: str | None = None) -> Sequence[Job]: ...


# ---- coordination of benefits: secondary claims and crossovers ------------------------------


@dataclass(frozen=True, slots=True)
class PriorPayerRecord:
    """What one prior payer did with a claim, kept on the claim billed after it (2320/2430).

    ``position`` is the COB order (1 = the primary); ``source_claim_id`` the claim that payer
    adjudicated; ``coverage_id`` its coverage (member ID, claim filing indicator, subscriber).
    ``line_adjudications`` name lines by the ``line_no`` of ``claim_id``'s lines.
    """

    claim_id: int
    position: int
    source_claim_id: int
    coverage_id: int
    payer_id: str  # the prior payer's X12 id
    payer_claim_control_number: str
    paid: Money  # AMT*D
    remaining_patient_liability: Money  # AMT*EAF
    adjudication_date: date | None
    claim_adjustments: tuple[ClaimAdjustment, ...] = ()
    line_adjudications: tuple[LineAdjudication, ...] = ()
    id: int | None = None


@dataclass(frozen=True, slots=True)
class CobLink:
    """What became of a claim's balance with the next payer: ``billed`` on secondary claim
    ``claim_id``, or ``forwarded`` by the prior payer itself (crossover; nothing to send)."""

    source_claim_id: int
    payer_id: str  # the next payer's X12 id
    state: str  # billed, forwarded
    claim_id: int | None = None
    crossover_payer_name: str = ""
    amount_forwarded: Money | None = None
    created_at: datetime | None = None
    id: int | None = None


class CobRepository(Protocol):
    def link(self, source_claim_id: int, payer_id: str) -> CobLink | None: ...

    def add_link(self, link: CobLink) -> CobLink: ...

    def update_link(self, link: CobLink) -> CobLink: ...

    def links_from(self, source_claim_id: int) -> Sequence[CobLink]:
        """The next payers of a claim (secondary claims made, crossovers recorded)."""
        ...

    def links_from_many(self, source_claim_ids: Sequence[int]) -> dict[int, list[CobLink]]:
        """``links_from`` of each of these claims, by claim id (none: left out)."""
        ...

    def link_to(self, claim_id: int) -> CobLink | None:
        """The link that made secondary claim ``claim_id``, if it is one."""
        ...

    def count_links(self, state: str) -> int:
        """Links in ``state`` (``forwarded``: crossovers recorded)."""
        ...

    def prior_payers(self, claim_id: int) -> Sequence[PriorPayerRecord]:
        """The prior payers' adjudications kept for a claim, in COB order."""
        ...

    def prior_payers_many(self, claim_ids: Sequence[int]) -> dict[int, list[PriorPayerRecord]]:
        """``prior_payers`` of each of these claims, by claim id (none: left out)."""
        ...

    def replace_prior_payers(self, claim_id: int, records: Sequence[PriorPayerRecord]) -> None:
        """Store ``records`` as the claim's prior payers, dropping what was kept before."""
        ...

    # batches: what the secondary claims of one 835 need, in a few statements

    def links_for(self, source_claim_ids: Sequence[int]) -> dict[tuple[int, str], CobLink]:
        """Every link from these claims, by (source claim, payer ID)."""
        ...

    def add_links(self, links: Sequence[CobLink]) -> None:
        """``add_link`` for several links at once (ids not returned)."""
        ...

    def service_of(self, claim_ids: Sequence[int]) -> dict[int, tuple[int, date]]:
        """Each claim's (patient id, first date of service), from its encounter."""
        ...

    def coverages_of(self, patient_ids: Sequence[int]) -> dict[int, list[Coverage]]:
        """Each patient's coverages, as ``coverages.for_patient`` lists them."""
        ...

    def add_prior_payers(self, records: Sequence[PriorPayerRecord]) -> None:
        """Store prior payers of claims that have none yet (new secondary claims)."""
        ...


class UnitOfWork(Protocol):
    @property
    def practice_id(self) -> int | None: ...
    @property
    def practices(self) -> PracticeRepository: ...
    @property
    def providers(self) -> Repository[Provider]: ...
    @property
    def facilities(self) -> Repository[Facility]: ...
    @property
    def payers(self) -> PayerRepository: ...
    @property
    def plans(self) -> PlanRepository: ...
    @property
    def enrollments(self) -> EnrollmentRepository: ...
    @property
    def patients(self) -> PatientRepository: ...
    @property
    def coverages(self) -> CoverageRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def sequences(self) -> Sequences: ...
    @property
    def encounters(self) -> EncounterRepository: ...
    @property
    def fee_schedule(self) -> FeeScheduleRepository: ...
    @property
    def contracts(self) -> ContractRepository: ...
    @property
    def authorizations(self) -> AuthorizationRepository: ...
    @property
    def claims(self) -> ClaimRepository: ...
    @property
    def work_items(self) -> WorkQueueRepository: ...
    @property
    def submissions(self) -> SubmissionRepository: ...
    @property
    def remittances(self) -> RemittanceRepository: ...
    @property
    def inbound_files(self) -> InboundFileRepository: ...
    @property
    def jobs(self) -> JobRepository: ...
    @property
    def ledger(self) -> LedgerStore: ...
    @property
    def eligibility(self) -> EligibilityStore: ...
    @property
    def cob(self) -> CobRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, practice_id: int | None) -> UnitOfWork: ...
