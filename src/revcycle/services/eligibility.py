"""Eligibility verification (270/271) and the minimal schedule it works on.

Real time (``check``): the patient's coverage (the one named, else the primary active on the
date of service) becomes a 270 asking about the service types (30 always); the request is
stored first (state ``pending``) and committed, then sent through the injected
``RealtimeSender`` (the CLI and API pass a ``transport.RealtimeClient``, which retries
timeouts and unavailable endpoints under its ``RetryPolicy``). A failed exchange leaves the
request ``failed`` with the error (``resend`` sends it again); an answer is recorded in one
transaction: the raw 271, its parsed JSON, findings, a summary per service type, the request
``answered``.

Batch (``batch``): one 270 interchange for the appointments of a day (one transaction set per
patient and coverage), every request stored ``pending`` with the batch's file name, then the
file put in the practice's mailbox. The inbox applies the 271 files that come back
(``apply_271``, registered for transaction type 271): each answer finds its request by the
trace it echoes.

Invariants:
- an answer never changes the registered coverage or patient: where the payer's data differs
  (member ID, name, birth date, coverage status, termination, another payer primary) each
  field is recorded as a discrepancy (registered value vs payer value) and one item goes to the
  ``eligibility`` work queue; so does a rejection (AAA, with its follow-up action);
- a 271 that is malformed (validator errors) or contradicts itself (active and inactive at once,
  plan dates reversed, benefits beside a rejection, remaining above the total, another trace)
  is stored raw with its findings, ``usable`` false, ``active`` unknown, and only queued;
- amounts in the stored JSON are strings; nothing is a float.

``latest_eligibility(store, coverage_id)`` gives the newest usable answer about a coverage
(the ``EligibilityResponse`` re-read from the raw 271, with its stored record) for estimates
and the scrubber.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any, Protocol

from revcycle.domain.coverage import Coverage
from revcycle.domain.eligibility import (
    ACTIVE_CODES,
    INACTIVE_CODES,
    PLAN_LEVEL,
    Benefit,
    CostShare,
    DatePeriod,
    EligibilityRequest,
    EligibilityResponse,
    Entity,
    Member,
    Rejection,
    Trace,
)
from revcycle.domain.errors import DomainValidationError, FieldError, NotFound, RevcycleError
from revcycle.domain.money import Money
from revcycle.domain.patient import Patient
from revcycle.domain.practice import Practice
from revcycle.domain.user import READ_REGISTRATION, WRITE_PATIENTS, WRITE_SETUP
from revcycle.domain.workqueue import WorkItem
from revcycle.services.billing_common import resolve_patient
from revcycle.services.context import Context
from revcycle.services.ports import ClearinghouseMailbox, InboundFile, UnitOfWork
from revcycle.services.x12_out import submitter_for
from revcycle.x12.control import Kind
from revcycle.x12.findings import Finding
from revcycle.x12.mapping.common import decimal_json, money_json
from revcycle.x12.mapping.eligibility import (
    FUNCTIONAL_ID_270,
    read_271,
    response_json,
    transaction_270,
)
from revcycle.x12.writer import write_interchange

QUEUE = "eligibility"
TARGET_KIND = "eligibility_response"
STATES = ("pending", "answered", "failed")
CHANNELS = ("realtime", "batch")
APPOINTMENT_STATUSES = ("scheduled", "completed", "cancelled", "no_show")
SERVICE_TYPE = re.compile(r"[0-9A-Z]{1,2}")
PROCEDURE = re.compile(r"[0-9A-Z]{5}")
#: 270 INS02 for a dependent: spouse, child, else "other adult".
DEPENDENT_RELATIONSHIPS = {"01": "01", "19": "19"}

#: AAA03 reasons most often seen, for people (the code is always kept).
REJECT_REASONS: dict[str, str] = {
    "15": "required application data missing",
    "41": "authorization/access restrictions",
    "42": "unable to respond at current time",
    "43": "invalid/missing provider identification",
    "51": "provider not on file",
    "56": "inappropriate date",
    "57": "invalid/missing date(s) of service",
    "58": "invalid/missing date of birth",
    "62": "date of service not within allowable inquiry period",
    "63": "date of service in future",
    "64": "invalid/missing patient ID",
    "65": "invalid/missing patient name",
    "67": "patient not found",
    "71": "patient birth date does not match that for the patient on the database",
    "72": "invalid/missing subscriber/insured ID",
    "73": "invalid/missing subscriber/insured name",
    "75": "subscriber/insured not found",
    "76": "duplicate subscriber/insured ID",
    "79": "invalid participant identification",
    "80": "no response received - transaction terminated",
}
#: AAA04 follow-up actions.
FOLLOW_UPS: dict[str, str] = {
    "C": "please correct and resubmit",
    "N": "resubmission not allowed",
    "P": "please resubmit original transaction",
    "R": "resubmission allowed",
    "S": "do not resubmit; inquiry initiated to a third party",
    "W": "please wait 30 days and resubmit",
    "X": "please wait 10 days and resubmit",
    "Y": "do not resubmit; we will hand over your request",
}

RealtimeSender = Callable[[str], str]
"""Sends one 270 interchange and returns the reply's X12 text; raises a ``RevcycleError``
(a transport error) when no reply could be had, retries included."""


class EligibilityExchangeFailed(RevcycleError):
    """The clearinghouse could not be reached or did not answer; the request is kept."""

    code = "eligibility_exchange_failed"

    def __init__(self, request_id: int, reason: str) -> None:
        self.request_id = request_id
        super().__init__(
            f"eligibility request {request_id} failed: {reason}; it is kept and can be sent "
            f"again (`revcycle eligibility resend {request_id}`)"
        )


class NoClearinghouse(RevcycleError):
    """No real-time endpoint is configured for the practice."""

    code = "eligibility_no_clearinghouse"


# ---- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedService:
    procedure: str
    units: int = 1

    def to_json(self) -> dict[str, Any]:
        return {"procedure": self.procedure, "units": self.units}


@dataclass(frozen=True, slots=True)
class Appointment:
    patient_id: int
    provider_id: int
    starts_at: datetime  # wall-clock time at the practice
    services: tuple[PlannedService, ...] = ()
    status: str = "scheduled"
    note: str | None = None
    id: int | None = None

    @property
    def day(self) -> date:
        return self.starts_at.date()


@dataclass(frozen=True, slots=True)
class StoredRequest:
    patient_id: int
    coverage_id: int
    channel: str
    service_types: tuple[str, ...]
    service_date: date
    trace: str
    raw_270: str = field(repr=False)
    actor: str
    created_at: datetime
    state: str = "pending"
    appointment_id: int | None = None
    file_name: str | None = None
    attempts: int = 0
    sent_at: datetime | None = None
    answered_at: datetime | None = None
    error: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class StoredResponse:
    request_id: int
    raw_271: str = field(repr=False)
    parsed: Mapping[str, Any]
    findings: Sequence[Mapping[str, Any]]
    summary: Mapping[str, Any]
    usable: bool
    active: bool | None
    received_at: datetime
    inbound_file_id: int | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Discrepancy:
    patient_id: int
    coverage_id: int
    response_id: int
    field: str
    registered: str
    payer: str
    created_at: datetime | None = None
    id: int | None = None


class EligibilityStore(Protocol):
    """Persistence of this feature (``db.eligibility_repo.eligibility_store``)."""

    def add_requests(self, requests: Sequence[StoredRequest]) -> list[StoredRequest]: ...

    def get_request(self, id: int) -> StoredRequest: ...

    def update_requests(self, requests: Sequence[StoredRequest]) -> None: ...

    def requests(
        self, *, states: Sequence[str] = (), patient_id: int | None = None, limit: int = 500
    ) -> list[StoredRequest]: ...

    def by_traces(self, traces: Sequence[str]) -> dict[str, StoredRequest]: ...

    def add_responses(self, responses: Sequence[StoredResponse]) -> list[StoredResponse]: ...

    def responses_for(self, request_id: int) -> list[StoredResponse]: ...

    def latest_for_coverage(
        self, coverage_id: int
    ) -> tuple[StoredResponse, StoredRequest] | None: ...

    def latest_for_coverages(
        self, coverage_ids: Sequence[int]
    ) -> dict[int, tuple[StoredResponse, StoredRequest]]:
        """``latest_for_coverage`` of each of these coverages (none: left out)."""
        ...

    def add_discrepancies(self, items: Sequence[Discrepancy]) -> None: ...

    def discrepancies(
        self, *, patient_id: int | None = None, response_id: int | None = None
    ) -> list[Discrepancy]: ...

    def add_appointments(self, items: Sequence[Appointment]) -> list[Appointment]: ...

    def get_appointment(self, id: int) -> Appointment: ...

    def update_appointment(self, item: Appointment) -> Appointment: ...

    def appointments(
        self, *, day: date | None = None, patient_id: int | None = None
    ) -> list[Appointment]: ...

    def realtime_url(self) -> str | None: ...

    def set_realtime_url(self, url: str | None) -> None: ...


EligibilityStoreFactory = Callable[[UnitOfWork], EligibilityStore]


@dataclass(frozen=True)
class CheckOutcome:
    request: StoredRequest
    response: StoredResponse | None
    discrepancies: tuple[Discrepancy, ...] = ()


@dataclass(frozen=True)
class BatchOutcome:
    file_name: str | None
    requests: tuple[StoredRequest, ...]
    skipped: tuple[tuple[int, str], ...]  # (appointment id, why)


@dataclass(frozen=True)
class LatestEligibility:
    """The newest usable answer about a coverage: the 271 re-read, and what was stored."""

    response: EligibilityResponse
    stored: StoredResponse
    request: StoredRequest


# ---- control numbers --------------------------------------------------------------------------


class _ControlNumbers:
    """Interchange and group numbers from the database sequences shared with claim submission
    (``x12:<partner>:<kind>``), each taken in its own committed transaction, so never handed out
    twice, or, with ``uow``, in that unit of work (a real-time request: the numbers commit with
    the stored request, in one short transaction); set numbers are counted within the
    interchange (ST02 is unique per group)."""

    GLOBAL = 0

    def __init__(self, ctx: Context, uow: UnitOfWork | None = None) -> None:
        self.ctx = ctx
        self.uow = uow
        self.sets = 0

    def next(self, partner: str, kind: Kind) -> int:
        if kind == "set":
            self.sets += 1
            return self.sets
        if self.uow is not None:
            return self.uow.sequences.next(self.GLOBAL, f"x12:{partner}:{kind}"[:40])
        with self.ctx.uow_factory(None) as uow:
            value = uow.sequences.next(self.GLOBAL, f"x12:{partner}:{kind}"[:40])
            uow.commit()
        return value


# ---- interchanges split per transaction set ---------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """One transaction set of an interchange, wrapped in the interchange's own envelope (ISA,
    its GS, the set, GE*1, IEA*1), and the file's segment numbers it spans."""

    text: str
    first_segment: int
    last_segment: int


def split_sets(text: str) -> list[_Piece]:
    """Each transaction set of ``text`` as an interchange of its own (delimiters from ISA)."""
    if len(text) < 106 or not text.startswith("ISA"):
        return []
    sep, term = text[3], text[105]
    raw = [s.strip("\r\n") for s in text.split(term)]
    segments = [s for s in raw if s.strip()]
    out: list[_Piece] = []
    isa = gs = ""
    isa13 = gs06 = ""
    body: list[str] = []
    first = 0
    for n, seg in enumerate(segments, start=1):
        sid = seg.split(sep, 1)[0]
        if sid == "ISA":
            isa, isa13 = seg, seg.split(sep)[13] if seg.count(sep) >= 13 else ""
        elif sid == "GS":
            gs = seg
            parts = seg.split(sep)
            gs06 = parts[6] if len(parts) > 6 else ""
        elif sid == "ST":
            body, first = [seg], n
        elif body:
            body.append(seg)
            if sid == "SE":
                closing = [f"GE{sep}1{sep}{gs06}", f"IEA{sep}1{sep}{isa13}"]
                wrapped = term.join([isa, gs, *body, *closing]) + term
                out.append(_Piece(wrapped, first, n))
                body = []
    return out


# ---- appointments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "reason": self.reason,
            "message": self.message,
        }


class AppointmentImportFailed(DomainValidationError):
    """Rows of an appointment file with errors; nothing was imported."""

    code = "appointment_import_failed"

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.rows = tuple(errors)
        super().__init__(
            FieldError(f"row {e.row}.{e.field}", e.reason, e.message) for e in self.rows
        )


def parse_services(value: object) -> tuple[PlannedService, ...]:
    """Planned services: a list of ``{"procedure", "units"}`` or text ``99213 93000:2``
    (procedure codes separated by spaces, commas or semicolons, ``:units`` optional)."""
    items: list[tuple[object, object]] = []
    if isinstance(value, str):
        for token in re.split(r"[\s,;]+", value.strip()):
            if token:
                code, _, units = token.partition(":")
                items.append((code, units or 1))
    elif isinstance(value, Sequence):
        for entry in value:
            if not isinstance(entry, Mapping):
                raise DomainValidationError.single(
                    "services", "services_format", "each service is {procedure, units}"
                )
            items.append((entry.get("procedure"), entry.get("units", 1)))
    elif value is not None:
        raise DomainValidationError.single(
            "services", "services_format", "a list of {procedure, units} or '99213 93000:2'"
        )
    out = []
    for code, units in items:
        c = str(code or "").strip().upper()
        if not PROCEDURE.fullmatch(c):
            raise DomainValidationError.single(
                "services", "procedure_format", "procedure codes have 5 letters or digits"
            )
        try:
            n = int(str(units))
        except ValueError:
            n = 0
        if not 1 <= n <= 99:
            raise DomainValidationError.single(
                "services", "units_range", "units are a whole number from 1 to 99"
            )
        out.append(PlannedService(c, n))
    return tuple(out)


def _parse_start(data: Mapping[str, Any]) -> datetime:
    raw = data.get("starts_at")
    if raw is None and data.get("date"):
        raw = f"{data.get('date')}T{data.get('time') or '00:00'}"
    if isinstance(raw, datetime):
        return raw.replace(tzinfo=None, second=0, microsecond=0)
    text = str(raw or "").strip().replace(" ", "T")
    if not text:
        raise DomainValidationError.single("starts_at", "required", "is required")
    try:
        at = (
            datetime.fromisoformat(text)
            if "T" in text
            else datetime.combine(date.fromisoformat(text), time())
        )
    except ValueError:
        raise DomainValidationError.single(
            "starts_at", "datetime_format", "a date and time like 2026-06-01T09:30"
        ) from None
    return at.replace(tzinfo=None, second=0, microsecond=0)


def _resolve_provider(uow: UnitOfWork, key: object) -> int:
    text = str(key or "").strip()
    if not text:
        raise DomainValidationError.single("provider", "required", "is required")
    for p in uow.providers.list():
        if p.id is not None and (p.npi == text or (len(text) < 10 and str(p.id) == text)):
            return p.id
    raise DomainValidationError.single(
        "provider", "provider_unknown", "is neither a provider id nor the NPI of one"
    )


def _parse_appointment(
    uow: UnitOfWork, data: Mapping[str, Any], id: int | None = None
) -> Appointment:
    errors: list[FieldError] = []

    def attempt(fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except DomainValidationError as exc:
            errors.extend(exc.errors)
        except NotFound:
            errors.append(FieldError("patient", "patient_unknown", "no patient with this MRN/id"))
        return None

    pkey = data.get("patient") if data.get("patient") is not None else data.get("patient_id")
    patient: Patient | None = None
    if pkey in (None, ""):
        errors.append(FieldError("patient", "required", "is required"))
    else:
        patient = attempt(
            lambda: resolve_patient(uow, pkey if isinstance(pkey, int) else str(pkey))
        )
    pv = data.get("provider") if data.get("provider") is not None else data.get("provider_id")
    provider_id = attempt(lambda: _resolve_provider(uow, pv))
    starts = attempt(lambda: _parse_start(data))
    services = attempt(lambda: parse_services(data.get("services")))
    status = str(data.get("status") or "scheduled").strip().lower()
    if status not in APPOINTMENT_STATUSES:
        errors.append(
            FieldError("status", "status_unknown", f"one of {', '.join(APPOINTMENT_STATUSES)}")
        )
    note = str(data.get("note") or "").strip() or None
    if note is not None and len(note) > 200:
        errors.append(FieldError("note", "too_long", "at most 200 characters"))
    if errors:
        raise DomainValidationError(errors)
    assert patient is not None and patient.id is not None
    return Appointment(patient.id, provider_id, starts, services or (), status, note, id)


def add_appointment(
    ctx: Context, data: Mapping[str, Any], store: EligibilityStoreFactory
) -> Appointment:
    ctx.require(WRITE_PATIENTS)
    with ctx.uow() as uow:
        item = store(uow).add_appointments([_parse_appointment(uow, data)])[0]
        ctx.audit(uow, "create", "appointment", item.id)
        uow.commit()
    return item


def update_appointment(
    ctx: Context, appointment_id: int, data: Mapping[str, Any], store: EligibilityStoreFactory
) -> Appointment:
    """Replace the fields given (the others are kept)."""
    ctx.require(WRITE_PATIENTS)
    with ctx.uow() as uow:
        s = store(uow)
        old = s.get_appointment(appointment_id)
        merged: dict[str, Any] = {
            "patient": old.patient_id,
            "provider": str(old.provider_id),
            "starts_at": old.starts_at,
            "services": [x.to_json() for x in old.services],
            "status": old.status,
            "note": old.note,
        }
        merged.update({k: v for k, v in data.items() if v is not None})
        item = s.update_appointment(_parse_appointment(uow, merged, appointment_id))
        ctx.audit(uow, "update", "appointment", appointment_id)
        uow.commit()
    return item


def get_appointment(
    ctx: Context, appointment_id: int, store: EligibilityStoreFactory
) -> Appointment:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        item = store(uow).get_appointment(appointment_id)
        ctx.audit(uow, "read", "appointment", appointment_id)
        uow.commit()
    return item


def list_appointments(
    ctx: Context,
    store: EligibilityStoreFactory,
    *,
    day: date | None = None,
    patient: str | int | None = None,
) -> list[Appointment]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        pid = resolve_patient(uow, patient).id if patient not in (None, "") else None
        assert patient in (None, "") or pid is not None
        items = store(uow).appointments(day=day, patient_id=pid)
        ctx.audit(uow, "read", "appointment", f"list:{day or ''}:{pid or ''}")
        uow.commit()
    return items


APPOINTMENT_COLUMNS = ("patient", "provider", "date", "time", "services", "status", "note")


def import_appointments(
    ctx: Context, source: IO[str] | Iterable[str], store: EligibilityStoreFactory
) -> list[Appointment]:
    """Import a CSV of appointments (columns ``APPOINTMENT_COLUMNS``; ``patient`` an MRN or id,
    ``provider`` an NPI or id, ``services`` like ``99213 93000:2``). All or nothing: when any
    row has an error, every error is raised (``AppointmentImportFailed``, row numbers count the
    header as row 1) and nothing is imported."""
    ctx.require(WRITE_PATIENTS)
    reader = csv.DictReader(source)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("patient", "provider", "date") if c not in header]
    if missing:
        raise AppointmentImportFailed(
            [RowError(1, c, "column_missing", "the header lacks this column") for c in missing]
        )
    errors: list[RowError] = []
    parsed: list[Appointment] = []
    with ctx.uow() as uow:
        for n, row in enumerate(reader, start=2):
            data = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            try:
                parsed.append(_parse_appointment(uow, data))
            except DomainValidationError as exc:
                errors += [RowError(n, e.field, e.reason, e.message) for e in exc.errors]
        if errors:
            raise AppointmentImportFailed(errors)
        added = store(uow).add_appointments(parsed)
        ctx.audit(uow, "import", "appointment", f"{len(added)} rows")
        uow.commit()
    return added


# ---- building 270s ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Subject:
    """What one inquiry is about, read in one unit of work."""

    patient: Patient
    coverage: Coverage
    payer_id: str
    payer_name: str
    practice: Practice
    day: date
    service_types: tuple[str, ...]
    appointment_id: int | None = None


def _service_types(types: Iterable[str]) -> tuple[str, ...]:
    out = [PLAN_LEVEL]
    for t in types:
        v = str(t).strip().upper()
        if not SERVICE_TYPE.fullmatch(v):
            raise DomainValidationError.single(
                "service_type", "service_type_format", "an EQ01 code such as 30 or 98"
            )
        if v not in out:
            out.append(v)
    return tuple(out)


def _coverage_for(
    uow: UnitOfWork,
    patient: Patient,
    coverage_id: int | None,
    day: date,
    known: Sequence[Coverage] | None = None,
) -> Coverage:
    """The coverage named, else the patient's primary (then secondary, tertiary) active on
    ``day``; ``known``: the patient's coverages when already read."""
    assert patient.id is not None
    coverages = list(known if known is not None else uow.coverages.for_patient(patient.id))
    if coverage_id is not None:
        found = [c for c in coverages if c.id == coverage_id]
        if not found:
            raise NotFound("coverage", coverage_id)
        return found[0]
    active = [c for c in coverages if c.active_on(day)]
    for order in ("primary", "secondary", "tertiary"):
        for c in active:
            if c.order == order:
                return c
    raise DomainValidationError.single(
        "coverage",
        "no_active_coverage",
        "the patient has no coverage active on the date of service",
    )


def _subject(
    uow: UnitOfWork,
    patient: Patient,
    coverage: Coverage,
    day: date,
    types: tuple[str, ...],
    practice: Practice,
    appointment_id: int | None = None,
) -> _Subject:
    plan = uow.plans.get(coverage.plan_id)
    payer = uow.payers.get(plan.payer_id)
    return _Subject(
        patient, coverage, payer.payer_id, payer.name, practice, day, types, appointment_id
    )


def _member_of(p: Patient) -> Member:
    return Member(
        last_name=p.last_name.upper(),
        first_name=p.first_name.upper(),
        middle_name=(p.middle_name or "").upper(),
        birth_date=p.dob,
        sex=p.sex if p.sex in ("F", "M") else "U",
    )


def _inquiry(s: _Subject, trace: str, created: datetime) -> EligibilityRequest:
    c = s.coverage
    practice = s.practice
    refs = (("6P", c.group_number),) if c.group_number else ()
    if c.subscriber is None:
        subscriber = replace(_member_of(s.patient), member_id=c.member_id, references=refs)
        dependent = None
    else:
        sub = c.subscriber
        subscriber = Member(
            last_name=sub.last_name.upper(),
            first_name=sub.first_name.upper(),
            birth_date=sub.dob,
            sex=sub.sex if sub.sex in ("F", "M") else "",
            member_id=c.member_id,
            references=refs,
        )
        dependent = replace(
            _member_of(s.patient), relationship=DEPENDENT_RELATIONSHIPS.get(c.relationship, "34")
        )
    return EligibilityRequest(
        payer=Entity(s.payer_name.upper()[:60], s.payer_id, "PI", entity_code="PR"),
        provider=Entity(
            practice.legal_name.upper()[:60], str(practice.group_npi), "XX", entity_code="1P"
        ),
        subscriber=subscriber,
        dependent=dependent,
        trace=Trace(trace, f"1{practice.tin}"),
        created=created,
        service_types=s.service_types,
        service_date=s.day,
    )


def _trace(pid: int, n: int) -> str:
    return f"P{pid}E{n:09d}"


def _build(
    ctx: Context,
    subjects: Sequence[_Subject],
    traces: Sequence[str],
    at: datetime,
    uow: UnitOfWork | None = None,
) -> tuple[str, list[_Piece]]:
    """The 270 interchange asking about every subject (one set each) and its pieces."""
    practice = subjects[0].practice
    envelope = submitter_for(practice)[1]
    sets = [transaction_270(_inquiry(s, t, at)) for s, t in zip(subjects, traces, strict=True)]
    control = _ControlNumbers(ctx, uow)
    text = write_interchange(envelope, FUNCTIONAL_ID_270, sets, control, at)
    return text, split_sets(text)


# ---- real time --------------------------------------------------------------------------------


def clearinghouse_url(ctx: Context, store: EligibilityStoreFactory) -> str | None:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        return store(uow).realtime_url()


def realtime_endpoint(
    ctx: Context, store: EligibilityStoreFactory, given: str | None = None
) -> str:
    """The real-time endpoint to use: ``given`` (the CLI's ``--clearinghouse`` or
    ``REVCYCLE_CLEARINGHOUSE_URL``), else the practice's setting."""
    url = (given or "").strip() or clearinghouse_url(ctx, store)
    if not url:
        raise NoClearinghouse(
            "no real-time clearinghouse endpoint: pass --clearinghouse URL, set "
            "REVCYCLE_CLEARINGHOUSE_URL, or store one with "
            "`revcycle eligibility settings --realtime-url URL`"
        )
    return url


def set_clearinghouse_url(ctx: Context, url: str | None, store: EligibilityStoreFactory) -> None:
    """The practice's real-time endpoint (``http(s)://host[:port]/path``; None clears it)."""
    ctx.require(WRITE_SETUP)
    value = (url or "").strip() or None
    if value is not None and (
        not re.fullmatch(r"https?://[^\s/@]+(/\S*)?", value) or len(value) > 300
    ):
        raise DomainValidationError.single(
            "realtime_url", "url_format", "an http(s) URL without credentials"
        )
    with ctx.uow() as uow:
        store(uow).set_realtime_url(value)
        ctx.audit(uow, "update", "eligibility_settings", ctx.practice_id)
        uow.commit()


def check(
    ctx: Context,
    patient: str | int,
    sender: RealtimeSender,
    store: EligibilityStoreFactory,
    *,
    coverage_id: int | None = None,
    service_types: Iterable[str] = (),
    service_date: date | None = None,
) -> CheckOutcome:
    """Ask the payer in real time whether the patient's coverage is active and what it pays
    (see the module docstring); raises ``EligibilityExchangeFailed`` when no answer came."""
    ctx.require(WRITE_PATIENTS)
    types = _service_types(service_types)
    now = ctx.clock.now()
    day = service_date or ctx.clock.today()
    with ctx.uow() as uow:
        p = resolve_patient(uow, patient)
        assert p.id is not None and uow.practice_id is not None
        coverage = _coverage_for(uow, p, coverage_id, day)
        practice = uow.practices.get(uow.practice_id)
        subject = _subject(uow, p, coverage, day, types, practice)
        trace = _trace(uow.practice_id, uow.sequences.next(uow.practice_id, "eligibility_trace"))
        text, _ = _build(ctx, [subject], [trace], now, uow)
        assert coverage.id is not None
        request = store(uow).add_requests(
            [
                StoredRequest(
                    patient_id=p.id,
                    coverage_id=coverage.id,
                    channel="realtime",
                    service_types=types,
                    service_date=day,
                    trace=trace,
                    raw_270=text,
                    actor=ctx.actor,
                    created_at=now,
                )
            ]
        )[0]
        ctx.audit(uow, "eligibility_check", "patient", p.id)
        uow.commit()
    return _exchange(ctx, request, sender, store)


def resend(
    ctx: Context, request_id: int, sender: RealtimeSender, store: EligibilityStoreFactory
) -> CheckOutcome:
    """Send a request without an answer again, real time, as stored (same trace)."""
    ctx.require(WRITE_PATIENTS)
    with ctx.uow() as uow:
        request = store(uow).get_request(request_id)
    if request.state == "answered":
        raise DomainValidationError.single(
            "request", "already_answered", "this request has its answer already"
        )
    return _exchange(ctx, request, sender, store)


def _exchange(
    ctx: Context, request: StoredRequest, sender: RealtimeSender, store: EligibilityStoreFactory
) -> CheckOutcome:
    assert request.id is not None
    try:
        reply = sender(request.raw_270)
    except RevcycleError as exc:
        with ctx.uow() as uow:
            failed = replace(
                request,
                state="failed",
                attempts=request.attempts + 1,
                sent_at=ctx.clock.now(),
                error=str(exc)[:400],
            )
            store(uow).update_requests([failed])
            uow.commit()
        raise EligibilityExchangeFailed(request.id, str(exc)) from None
    sent = replace(request, attempts=request.attempts + 1, sent_at=ctx.clock.now())
    with ctx.uow() as uow:
        s = store(uow)
        outcome = _record_reply(ctx, uow, s, sent, reply)
        uow.commit()
    return outcome


def _record_reply(
    ctx: Context, uow: UnitOfWork, s: EligibilityStore, request: StoredRequest, reply: str
) -> CheckOutcome:
    """Store a real-time reply: the answer about the request's patient (by its trace), or,
    when the reply holds none (a 999/TA1, garbage), the reply raw with findings and the
    request ``failed``."""
    from revcycle.x12.errors import X12Error

    assert request.id is not None
    try:
        answers, report = read_271(reply)
        findings = [f.to_json() for f in report.findings]
    except X12Error as exc:
        answers, findings = [], [_finding("not_x12", f"the reply is not X12: {exc}")]
    now = ctx.clock.now()
    matching = [a for a in answers if a.trace is not None and a.trace.number == request.trace]
    if not matching and len(answers) == 1:
        matching = answers
        findings.append(_finding("trace_mismatch", "the 271 does not echo the request's trace"))
    if not matching:
        findings.append(_finding("no_271", "the reply holds no 271 answer for this request"))
        stored = s.add_responses(
            [
                StoredResponse(
                    request_id=request.id, raw_271=reply, parsed={}, findings=findings,
                    summary={}, usable=False, active=None, received_at=now,
                )
            ]
        )[0]  # fmt: skip
        failed = replace(request, state="failed", error="the reply held no 271 answer")
        s.update_requests([failed])
        _queue(uow, stored, request, "the reply to the eligibility request held no 271 answer")
        return CheckOutcome(failed, stored)
    answer = matching[0]
    stored, found = _store_answer(
        ctx, uow, s, request, answer, response_json(answer), reply, findings, None
    )
    answered = replace(request, state="answered", answered_at=now, error=None)
    s.update_requests([answered])
    return CheckOutcome(answered, stored, tuple(found))


def _finding(code: str, message: str, severity: str = "error") -> dict[str, Any]:
    return Finding(f"eligibility_{code}", severity, message).to_json()


# ---- reading one answer -----------------------------------------------------------------------


def consistency_findings(r: EligibilityResponse) -> list[dict[str, Any]]:
    """What in a 271 contradicts itself (each an error: the answer is not to be relied on)."""
    out = []
    if r.subscriber is None and not r.rejections:
        out.append(_finding("no_patient", "the 271 names no subscriber and no rejection"))
    for network in ("Y", "N"):
        codes = {
            b.code
            for b in r.benefits
            if b.plan_level and b.in_network in (network, "", "W")
            and b.code in ACTIVE_CODES | INACTIVE_CODES
        }  # fmt: skip
        if codes & ACTIVE_CODES and codes & INACTIVE_CODES:
            out.append(
                _finding("active_and_inactive", "the plan is said active and inactive at once")
            )
            break
    m = r.patient
    if m is not None and m.plan_begin and m.plan_end and m.plan_begin > m.plan_end:
        out.append(_finding("plan_dates_reversed", "the plan ends before it begins"))
    if r.rejections and any(b.code in ACTIVE_CODES for b in r.benefits):
        out.append(_finding("rejected_with_benefits", "active benefits beside a rejection"))
    for inside in (True, False):
        for name, acc in (
            ("deductible", r.deductible(PLAN_LEVEL, inside)),
            ("out_of_pocket", r.out_of_pocket(PLAN_LEVEL, inside)),
        ):
            if acc.total is not None and acc.remaining is not None and acc.total < acc.remaining:
                out.append(
                    _finding("remaining_above_total", f"{name} remaining is above its total")
                )
    return out


def _share_json(c: CostShare) -> dict[str, Any]:
    return {
        "copay": money_json(c.copay),
        "coinsurance": decimal_json(c.coinsurance),
        "deductible": {
            "total": money_json(c.deductible.total),
            "remaining": money_json(c.deductible.remaining),
        },
        "out_of_pocket": {
            "total": money_json(c.out_of_pocket.total),
            "remaining": money_json(c.out_of_pocket.remaining),
        },
    }


def describe_rejection(reason: str, follow_up: str) -> str:
    what = REJECT_REASONS.get(reason, "rejected")
    then = FOLLOW_UPS.get(follow_up, "")
    return f"AAA {reason} {what}" + (f" ({follow_up}: {then})" if follow_up else "")


def summarize(r: EligibilityResponse, service_types: Sequence[str]) -> dict[str, Any]:
    """What the front desk reads: status, plan, dates, other payers, rejections with their
    follow-up, and per service type the cost share in and out of network (amounts as
    strings)."""
    m = r.patient
    plan = next(
        (b.plan_description for b in r.benefits if b.code in ACTIVE_CODES and b.plan_description),
        next((b.plan_description for b in r.benefits if b.plan_description), ""),
    )
    refs = dict(m.references) if m else {}
    per_type = {}
    for t in dict.fromkeys([PLAN_LEVEL, *service_types]):
        s = r.summary(t)
        messages = [
            msg for b in r.benefits if b.applies_to(t) or (b.plan_level and t == PLAN_LEVEL)
            for msg in b.messages
        ]  # fmt: skip
        per_type[t] = {
            "status": s.status,
            "in_network": _share_json(s.in_network),
            "out_of_network": _share_json(s.out_of_network),
            "authorization_required": s.authorization_required,
            "messages": list(dict.fromkeys(messages)),
        }
    return {
        "status": "rejected" if r.rejected else r.coverage_status(),
        "plan": plan,
        "plan_number": refs.get("18", ""),
        "group_number": refs.get("6P", ""),
        "plan_begin": m.plan_begin.isoformat() if m and m.plan_begin else None,
        "plan_end": m.plan_end.isoformat() if m and m.plan_end else None,
        "other_payers": [
            {"name": e.name, "id": e.identifier, "entity": e.entity_code} for e in r.other_payers
        ],
        "rejections": [
            {
                "reason": x.reason,
                "follow_up": x.follow_up,
                "loop": x.loop,
                "description": describe_rejection(x.reason, x.follow_up),
            }
            for x in r.all_rejections
        ],
        "service_types": per_type,
    }


def _norm(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().upper()


def discrepancies_of(
    r: EligibilityResponse, patient: Patient, coverage: Coverage, day: date
) -> list[tuple[str, str, str]]:
    """(field, registered, payer) for each field where the payer's answer differs."""
    out: list[tuple[str, str, str]] = []
    sub = r.subscriber
    if sub is not None and sub.member_id and _norm(sub.member_id) != _norm(coverage.member_id):
        out.append(("member_id", coverage.member_id, sub.member_id))
    m = r.patient
    if m is not None:
        for name, mine, theirs in (
            ("last_name", patient.last_name, m.last_name),
            ("first_name", patient.first_name, m.first_name),
        ):
            if theirs and _norm(mine) != _norm(theirs):
                out.append((name, mine, theirs))
        if m.birth_date is not None and m.birth_date != patient.dob:
            out.append(("birth_date", patient.dob.isoformat(), m.birth_date.isoformat()))
    status = r.coverage_status()
    if status == "inactive":
        if coverage.active_on(day):
            out.append(("coverage_status", "active", "inactive"))
        ends = [d.start for b in r.benefits if b.code in INACTIVE_CODES for d in b.dates
                if d.qualifier in ("347", "357")]  # fmt: skip
        end = (m.plan_end or m.eligibility_end if m else None) or (ends[0] if ends else None)
        if end is not None and end != coverage.termination:
            registered = coverage.termination.isoformat() if coverage.termination else ""
            out.append(("termination", registered, end.isoformat()))
    if coverage.order == "primary":
        for e in r.other_payers:
            named = f"{e.name} ({e.identifier})" if e.identifier else e.name
            out.append(("other_payer", "", named))
    return [(f, a[:120], b[:120]) for f, a, b in out]


def _queue(uow: UnitOfWork, stored: StoredResponse, request: StoredRequest, reason: str) -> None:
    assert stored.id is not None
    uow.work_items.add(
        WorkItem(QUEUE, TARGET_KIND, stored.id, reason[:400], priority=5, due=request.service_date)
    )


def _store_answer(
    ctx: Context,
    uow: UnitOfWork,
    s: EligibilityStore,
    request: StoredRequest,
    answer: EligibilityResponse,
    parsed: Mapping[str, Any],
    raw: str,
    findings: list[dict[str, Any]],
    inbound_file_id: int | None,
) -> tuple[StoredResponse, list[Discrepancy]]:
    """One answer: stored, compared with the registered coverage, queued when it needs eyes."""
    [(stored, found)] = _store_answers(
        ctx, uow, s, [(request, answer, parsed, raw, findings)], inbound_file_id
    )
    return stored, found


_Answer = tuple[StoredRequest, EligibilityResponse, Mapping[str, Any], str, list[dict[str, Any]]]


def _store_answers(
    ctx: Context,
    uow: UnitOfWork,
    s: EligibilityStore,
    answers: Sequence[_Answer],
    inbound_file_id: int | None,
) -> list[tuple[StoredResponse, list[Discrepancy]]]:
    now = ctx.clock.now()
    rows = []
    for request, answer, parsed, raw, findings in answers:
        assert request.id is not None
        all_findings = [*findings, *consistency_findings(answer)]
        usable = not any(f.get("severity") == "error" for f in all_findings)
        status = answer.coverage_status()
        active = (
            None if not usable or answer.rejected or status == "unknown" else status == "active"
        )
        rows.append(
            StoredResponse(
                request_id=request.id,
                raw_271=raw,
                parsed=parsed,
                findings=all_findings,
                summary=summarize(answer, request.service_types),
                usable=usable,
                active=active,
                received_at=now,
                inbound_file_id=inbound_file_id,
            )
        )
    stored = s.add_responses(rows)
    people = _people(uow, [a[0] for a in answers])
    out: list[tuple[StoredResponse, list[Discrepancy]]] = []
    all_found: list[Discrepancy] = []
    items: list[WorkItem] = []
    for row, (request, answer, *_rest) in zip(stored, answers, strict=True):
        assert row.id is not None
        found: list[Discrepancy] = []
        reasons: list[str] = []
        if not row.usable:
            codes = sorted(
                {str(f.get("code")) for f in row.findings if f.get("severity") == "error"}
            )
            reasons.append(f"the 271 cannot be relied on ({', '.join(codes[:5])})")
        elif answer.rejected or answer.all_rejections:
            reasons.append(
                "the payer rejected the inquiry: "
                + "; ".join(
                    describe_rejection(x.reason, x.follow_up) for x in answer.all_rejections
                )
            )
        else:
            patient, coverage = people[row.request_id]
            for name, registered, payer in discrepancies_of(
                answer, patient, coverage, request.service_date
            ):
                found.append(
                    Discrepancy(
                        request.patient_id, request.coverage_id, row.id, name, registered, payer,
                        now,
                    )
                )  # fmt: skip
            if found:
                fields = ", ".join(dict.fromkeys(d.field for d in found))
                reasons.append(f"the payer's answer differs from the registered data: {fields}")
        if reasons:
            items.append(
                WorkItem(QUEUE, TARGET_KIND, row.id, "; ".join(reasons)[:400], priority=5,
                         due=request.service_date)
            )  # fmt: skip
        all_found += found
        out.append((row, found))
    if all_found:
        s.add_discrepancies(all_found)
    if items:
        uow.work_items.add_many(items)
    return out


def _people(
    uow: UnitOfWork, requests: Sequence[StoredRequest]
) -> dict[int, tuple[Patient, Coverage]]:
    """The registered patient and coverage of each request (all read at once for many)."""
    if len(requests) > 20:
        patients = {p.id: p for p in uow.patients.list()}
        coverages = {c.id: c for c in uow.coverages.list()}
    else:
        patients = {r.patient_id: uow.patients.get(r.patient_id) for r in requests}
        coverages = {r.coverage_id: uow.coverages.get(r.coverage_id) for r in requests}
    out = {}
    for r in requests:
        assert r.id is not None
        out[r.id] = (patients[r.patient_id], coverages[r.coverage_id])
    return out


# ---- batch ------------------------------------------------------------------------------------


def batch(
    ctx: Context,
    mailbox: ClearinghouseMailbox,
    day: date,
    store: EligibilityStoreFactory,
    *,
    service_types: Iterable[str] = (),
) -> BatchOutcome:
    """One 270 interchange for the scheduled appointments of ``day`` (one inquiry per patient
    and coverage), stored then put in the mailbox; the 271s come back through the inbox."""
    ctx.require(WRITE_PATIENTS)
    types = _service_types(service_types)
    now = ctx.clock.now()
    skipped: list[tuple[int, str]] = []
    subjects: list[_Subject] = []
    with ctx.uow() as uow:
        assert uow.practice_id is not None
        s = store(uow)
        practice = uow.practices.get(uow.practice_id)
        seen: set[tuple[int, int]] = set()
        plans: dict[int, Any] = {}
        payers: dict[int, Any] = {}
        scheduled = [a for a in s.appointments(day=day) if a.status == "scheduled"]
        people: dict[int, Patient] = {}
        held: dict[int, list[Coverage]] | None = None
        if len(scheduled) > 20:  # read everyone once rather than twice per appointment
            people = {p.id: p for p in uow.patients.list() if p.id is not None}
            held = {}
            for c in uow.coverages.list():
                held.setdefault(c.patient_id, []).append(c)
        for a in scheduled:
            assert a.id is not None
            patient = people.get(a.patient_id) or uow.patients.get(a.patient_id)
            try:
                known = None if held is None else held.get(a.patient_id, [])
                coverage = _coverage_for(uow, patient, None, day, known)
            except DomainValidationError:
                skipped.append((a.id, "no coverage active on the day"))
                continue
            assert coverage.id is not None
            if (a.patient_id, coverage.id) in seen:
                continue
            seen.add((a.patient_id, coverage.id))
            if coverage.plan_id not in plans:
                plans[coverage.plan_id] = uow.plans.get(coverage.plan_id)
            plan = plans[coverage.plan_id]
            if plan.payer_id not in payers:
                payers[plan.payer_id] = uow.payers.get(plan.payer_id)
            payer = payers[plan.payer_id]
            subjects.append(
                _Subject(patient, coverage, payer.payer_id, payer.name, practice, day, types, a.id)
            )
        if not subjects:
            return BatchOutcome(None, (), tuple(skipped))
        block = uow.sequences.next_block(uow.practice_id, "eligibility_trace", len(subjects))
        traces = [_trace(uow.practice_id, n) for n in block]
        uow.commit()
    text, pieces = _build(ctx, subjects, traces, now)
    isa13 = int(text[90:99])
    file_name = f"270-P{practice.id}-{isa13:09d}.x12"
    with ctx.uow() as uow:
        rows = [
            StoredRequest(
                patient_id=sub.patient.id or 0,
                coverage_id=sub.coverage.id or 0,
                channel="batch",
                service_types=types,
                service_date=day,
                trace=trace,
                raw_270=piece.text,
                actor=ctx.actor,
                created_at=now,
                appointment_id=sub.appointment_id,
                file_name=file_name,
            )
            for sub, trace, piece in zip(subjects, traces, pieces, strict=True)
        ]
        stored = store(uow).add_requests(rows)
        ctx.audit(uow, "eligibility_batch", "eligibility_file", file_name)
        uow.commit()
    try:
        mailbox.put(file_name, text.encode("latin-1"))
    except RevcycleError as exc:
        with ctx.uow() as uow:
            failed = [replace(r, state="failed", error=str(exc)[:400]) for r in stored]
            store(uow).update_requests(failed)
            uow.commit()
        raise
    sent_at = ctx.clock.now()
    stored = [replace(r, sent_at=sent_at, attempts=1) for r in stored]
    with ctx.uow() as uow:
        store(uow).update_requests(stored)
        uow.commit()
    return BatchOutcome(file_name, tuple(stored), tuple(skipped))


# ---- the inbox applier ------------------------------------------------------------------------


def _date(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _entity_from(doc: Mapping[str, Any]) -> Entity:
    return Entity(
        name=doc.get("name", ""),
        identifier=doc.get("id", ""),
        id_qualifier=doc.get("id_qualifier", ""),
        first_name=doc.get("first_name", ""),
        entity_code=doc.get("entity_code", ""),
        relationship=doc.get("relationship", ""),
    )


def _dates_from(docs: Iterable[Mapping[str, Any]]) -> tuple[DatePeriod, ...]:
    out = []
    for d in docs:
        start = _date(d.get("start"))
        if start is not None:
            out.append(DatePeriod(d.get("qualifier", ""), start, _date(d.get("end"))))
    return tuple(out)


def _member_from(doc: Mapping[str, Any] | None) -> Member | None:
    if doc is None:
        return None
    return Member(
        last_name=doc.get("last_name", ""),
        first_name=doc.get("first_name", ""),
        middle_name=doc.get("middle_name", ""),
        member_id=doc.get("member_id", ""),
        birth_date=_date(doc.get("birth_date")),
        sex=doc.get("sex", ""),
        relationship=doc.get("relationship", ""),
        references=tuple((r["qualifier"], r["value"]) for r in doc.get("references", [])),
        dates=_dates_from(doc.get("dates", [])),
    )


def _rejection_from(doc: Mapping[str, Any]) -> Rejection:
    return Rejection(doc["reason"], doc["follow_up"], doc["loop"], bool(doc.get("valid_request")))


def response_from_json(doc: Mapping[str, Any], created: datetime) -> EligibilityResponse:
    """An answer rebuilt from its JSON (``x12.mapping.eligibility.response_json``, what the
    inbox stored when it parsed the file): what the benefits, members, rejections and other
    payers say; HSD deliveries, III and addresses are not carried by that JSON."""

    def decimal(value: object) -> Decimal | None:
        return None if value in (None, "") else Decimal(str(value))

    benefits = tuple(
        Benefit(
            code=b["code"],
            coverage_level=b.get("coverage_level", ""),
            service_types=tuple(b.get("service_types", ())),
            insurance_type=b.get("insurance_type", ""),
            plan_description=b.get("plan", ""),
            time_period=b.get("time_period", ""),
            amount=Money(b["amount"]) if b.get("amount") not in (None, "") else None,
            percent=decimal(b.get("percent")),
            quantity_qualifier=b.get("quantity_qualifier", ""),
            quantity=decimal(b.get("quantity")),
            authorization_required=b.get("authorization_required", ""),
            in_network=b.get("in_network", ""),
            procedure=b.get("procedure", ""),
            references=tuple((r["qualifier"], r["value"]) for r in b.get("references", [])),
            dates=_dates_from(b.get("dates", [])),
            rejections=tuple(_rejection_from(r) for r in b.get("rejections", [])),
            messages=tuple(b.get("messages", ())),
            entities=tuple(_entity_from(e) for e in b.get("entities", [])),
        )
        for b in doc.get("benefits", [])
    )
    trace = doc.get("trace")
    return EligibilityResponse(
        payer=_entity_from(doc.get("payer") or {}),
        provider=_entity_from(doc.get("provider") or {}),
        created=created,
        subscriber=_member_from(doc.get("subscriber")),
        dependent=_member_from(doc.get("dependent")),
        trace=Trace(trace["number"], trace["originator"]) if trace else None,
        benefits=benefits,
        rejections=tuple(
            _rejection_from(r)
            for r in doc.get("rejections", [])
            if not str(r.get("loop", "")).startswith("2110")
        ),
    )


def apply_271(
    ctx: Context,
    uow: UnitOfWork,
    s: EligibilityStore,
    inbound_file: InboundFile,
    index: int,
    transaction: Mapping[str, Any],
) -> list[str]:
    """Apply the 271 answers of a stored response file to their requests (by trace).

    The inbox parsed the file once when it stored it (``summary``: the answers as JSON, the
    validator's findings); the answers are rebuilt from there, so the file is not validated
    again unless its findings were cut short. A run of consecutive 271 transactions is applied
    in bulk at its first transaction (a batch of thousands costs a handful of statements), the
    others of the run add nothing. An answer whose trace names no request of the practice is
    noted and skipped; the raw 271 stored for an answer is the file's envelope around its set.
    """
    transactions = inbound_file.summary.get("transactions", [])
    assert isinstance(transactions, list)
    if index > 0 and transactions[index - 1].get("type") == "271":
        return []  # applied with the first 271 of its run
    run = []
    for i in range(index, len(transactions)):
        if transactions[i].get("type") != "271":
            break
        run.append(i)
    text = inbound_file.content.decode("latin-1")
    pieces = split_sets(text)
    if len(pieces) != len(transactions):
        return ["271 answers could not be paired with their transaction sets: not applied"]
    stored = inbound_file.summary.get("findings", [])
    findings: list[Any] = list(stored) if isinstance(stored, list) else []
    if len(findings) >= 50:  # the stored list is cut at 50: read them all again
        from revcycle.x12.reader import Reader
        from revcycle.x12.validator import Validator

        findings = [f.to_json() for f in Validator().run(Reader(text)).findings]
    by_set: dict[int, list[dict[str, Any]]] = {}
    for f in findings:
        number = int(f.get("location", {}).get("segment_number") or 0)
        for i in run:
            if pieces[i].first_segment <= number <= pieces[i].last_segment:
                by_set.setdefault(i, []).append(dict(f))
    received = inbound_file.received_at
    answers = [
        (i, doc, response_from_json(doc, received))
        for i in run
        for doc in transactions[i].get("responses", [])
    ]
    requests = s.by_traces([a.trace.number for _, _, a in answers if a.trace is not None])
    batch_: list[_Answer] = []
    unmatched = 0
    for i, doc, answer in answers:
        request = requests.get(answer.trace.number) if answer.trace is not None else None
        if request is None:
            unmatched += 1
            continue
        batch_.append((request, answer, doc, pieces[i].text, list(by_set.get(i, []))))
    _store_answers(ctx, uow, s, batch_, inbound_file.id)
    now = ctx.clock.now()
    s.update_requests(
        [replace(req, state="answered", answered_at=now, error=None) for req, *_ in batch_]
    )
    notes = [f"{len(batch_)} eligibility answers applied"]
    if unmatched:
        notes.append(f"{unmatched} eligibility answers name no request of this practice")
    return notes


# ---- reading back -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestView:
    request: StoredRequest
    responses: tuple[StoredResponse, ...]
    discrepancies: tuple[Discrepancy, ...]


def list_requests(
    ctx: Context,
    store: EligibilityStoreFactory,
    *,
    pending: bool = False,
    patient: str | int | None = None,
    limit: int = 500,
) -> list[StoredRequest]:
    """Requests, newest first; ``pending``: those without an answer (pending or failed)."""
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        pid = resolve_patient(uow, patient).id if patient not in (None, "") else None
        states = ("pending", "failed") if pending else ()
        items = store(uow).requests(states=states, patient_id=pid, limit=limit)
        ctx.audit(uow, "read", "eligibility_request", f"list:{pid or ''}")
        uow.commit()
    return items


def show_request(ctx: Context, request_id: int, store: EligibilityStoreFactory) -> RequestView:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        s = store(uow)
        request = s.get_request(request_id)
        responses = s.responses_for(request_id)
        found = [d for r in responses for d in s.discrepancies(response_id=r.id)]
        ctx.audit(uow, "read", "eligibility_request", request_id)
        uow.commit()
    return RequestView(request, tuple(responses), tuple(found))


def patient_discrepancies(
    ctx: Context, patient: str | int, store: EligibilityStoreFactory
) -> list[Discrepancy]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        p = resolve_patient(uow, patient)
        found = store(uow).discrepancies(patient_id=p.id)
        ctx.audit(uow, "read", "patient", p.id)
        uow.commit()
    return found


def latest_eligibility(store: EligibilityStore, coverage_id: int) -> LatestEligibility | None:
    """The newest usable answer about ``coverage_id`` (a rejected answer counts: it says the
    payer could not confirm the coverage), re-read from its raw 271; None without one."""
    return _reread(store.latest_for_coverage(coverage_id))


def latest_eligibilities(
    store: EligibilityStore, coverage_ids: Iterable[int]
) -> dict[int, LatestEligibility | None]:
    """``latest_eligibility`` of each coverage, from one read of the stored answers."""
    wanted = sorted(set(coverage_ids))
    found = store.latest_for_coverages(wanted) if wanted else {}
    return {coverage_id: _reread(found.get(coverage_id)) for coverage_id in wanted}


def _reread(found: tuple[StoredResponse, StoredRequest] | None) -> LatestEligibility | None:
    if found is None:
        return None
    stored, request = found
    answers, _ = read_271(stored.raw_271)
    match = [a for a in answers if a.trace is not None and a.trace.number == request.trace]
    chosen = match or answers
    if not chosen:
        return None
    return LatestEligibility(chosen[0], stored, request)


# ---- JSON documents (CLI --json and API) ------------------------------------------------------


def request_doc(r: StoredRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "patient_id": r.patient_id,
        "coverage_id": r.coverage_id,
        "appointment_id": r.appointment_id,
        "channel": r.channel,
        "service_types": list(r.service_types),
        "service_date": r.service_date.isoformat(),
        "trace": r.trace,
        "state": r.state,
        "file_name": r.file_name,
        "attempts": r.attempts,
        "created_at": r.created_at.isoformat(),
        "sent_at": r.sent_at.isoformat() if r.sent_at else None,
        "answered_at": r.answered_at.isoformat() if r.answered_at else None,
        "error": r.error,
    }


def response_doc(r: StoredResponse, *, raw: bool = False) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": r.id,
        "request_id": r.request_id,
        "inbound_file_id": r.inbound_file_id,
        "received_at": r.received_at.isoformat(),
        "usable": r.usable,
        "active": r.active,
        "summary": dict(r.summary),
        "findings": [dict(f) for f in r.findings],
    }
    if raw:
        doc["raw_271"] = r.raw_271
        doc["parsed"] = dict(r.parsed)
    return doc


def discrepancy_doc(d: Discrepancy) -> dict[str, Any]:
    return {
        "id": d.id,
        "patient_id": d.patient_id,
        "coverage_id": d.coverage_id,
        "response_id": d.response_id,
        "field": d.field,
        "registered": d.registered,
        "payer": d.payer,
    }


def outcome_doc(o: CheckOutcome) -> dict[str, Any]:
    return {
        "request": request_doc(o.request),
        "response": response_doc(o.response) if o.response else None,
        "discrepancies": [discrepancy_doc(d) for d in o.discrepancies],
    }


def view_doc(v: RequestView, *, raw: bool = False) -> dict[str, Any]:
    doc = request_doc(v.request)
    if raw:
        doc["raw_270"] = v.request.raw_270
    doc["responses"] = [response_doc(r, raw=raw) for r in v.responses]
    doc["discrepancies"] = [discrepancy_doc(d) for d in v.discrepancies]
    return doc


def appointment_doc(a: Appointment) -> dict[str, Any]:
    return {
        "id": a.id,
        "patient_id": a.patient_id,
        "provider_id": a.provider_id,
        "starts_at": a.starts_at.isoformat(timespec="minutes"),
        "services": [s.to_json() for s in a.services],
        "status": a.status,
        "note": a.note,
    }


def batch_doc(b: BatchOutcome) -> dict[str, Any]:
    return {
        "file_name": b.file_name,
        "requests": [request_doc(r) for r in b.requests],
        "skipped": [{"appointment_id": a, "reason": why} for a, why in b.skipped],
    }
