"""The public 270 / 271 / 276 / 277 samples (tests/fixtures/x12/corpus, see MANIFEST.csv): each
is read by ``revcycle x12 parse`` (exit 0, findings where the file is broken), and what the
271s and 277s say is checked against tables written by hand from the files' content."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pytest

from revcycle.cli.x12 import main
from revcycle.domain.eligibility import EligibilityResponse
from revcycle.x12.mapping.claim_status import read_276, read_277
from revcycle.x12.mapping.eligibility import read_270, read_271
from tests.unit.x12.corpus import manifest, path

FILES = [r["file"] for r in manifest() if r["transaction"] in ("270", "271", "276", "277")]

# the error findings each broken sample must get (every other sample is valid)
BROKEN = {
    "270/badx12__unknown_segment_error.edi": {
        "x12.envelope.outside",
        "x12.segment.unexpected",
        "x12.element.not_used",
        "x12.element.invalid_code",
        "x12.hl.sequence",
        "x12.hl.parent",
        "x12.segment.required_missing",
    },
    "270/kartik__batch_with_one_bad_transaction.x12": {"x12.element.invalid_code"},  # NM102 9
    # these 271s travel in a GS*HS group (the 270's) instead of HB
    "271/kartik__271_active_response.x12": {"x12.set.identifier"},
    "271/kartik__271_multiple_eb_segments.x12": {"x12.set.identifier"},
    "271/kartik__271_rejected_subscriber.x12": {"x12.set.identifier"},
    "271/kartik__gainwell_271_redacted.edi": {"x12.set.identifier"},
    # ... and this one wraps a REF in LS/LE instead of a 2120 NM1, then a DTP after LE
    "271/kartik__271_ls_le_wrapper.x12": {"x12.set.identifier", "x12.segment.unexpected"},
    "271/lfh__subscriber-health-benefit-check-error.271": {"x12.set.control_number_mismatch"},
}
TYPES = {"270": "270", "271": "271", "276": "276", "277": "277"}


def test_the_manifest_lists_the_eligibility_and_claim_status_samples():
    assert Counter(f.split("/")[0] for f in FILES) == {"270": 11, "271": 13, "276": 5, "277": 6}


@pytest.mark.parametrize("name", FILES)
def test_x12_parse_reads_every_sample_with_findings_where_it_is_broken(name, capsys):
    assert main(["parse", str(path(name)), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["readable"] is True
    kinds = {t["type"] for t in data["transactions"]}
    assert kinds == {TYPES[name.split("/")[0]]}
    errors = {f["code"] for f in data["findings"] if f["severity"] == "error"}
    if name in BROKEN:
        assert BROKEN[name] <= errors and errors
    else:
        assert errors == set()


@pytest.mark.parametrize("name", FILES)
def test_x12_validate_exit_status_follows_the_findings(name, capsys):
    expected = 1 if name in BROKEN else 0
    assert main(["validate", str(path(name))]) == expected


# -- 271: what each answer must yield ---------------------------------------------------------

# (status, copay in network, copay out of network, coinsurance, deductible total,
#  deductible remaining, out of pocket total, out of pocket remaining) for a service type
ACTIVE = ("active", None, None, None, None, None, None, None)
COPAY_10_30 = ("active", "10.00", "30.00", None, None, None, None, None)
COPAY_0 = ("active", "0.00", "0.00", None, None, None, None, None)
UNKNOWN = ("unknown", None, None, None, None, None, None, None)
GOLD_PLAN = {
    "30": ACTIVE,
    **{t: COPAY_10_30 for t in ("1", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC")},
}


@dataclass(frozen=True)
class Answer:
    """What one 271 answer (response ``index`` of the file) must yield."""

    file: str
    active: bool
    payer: tuple[str, str]  # name, ID
    member_id: str | None  # the subscriber's; None when rejected above the subscriber
    patient: tuple[str, str] | None = None  # last and first name of the patient
    birth_date: date | None = None
    rejections: tuple[tuple[str, str, str], ...] = ()  # loop, reason, follow-up
    services: dict[str, tuple[str | None, ...]] = field(default_factory=dict)
    entities: tuple[tuple[str, str], ...] = ()  # 2120 entity code and name
    other_payers: tuple[str, ...] = ()
    plan_begin: date | None = None
    trace: str | None = None
    index: int = 0
    count: int = 1  # answers in the file


ANSWERS_271 = [
    Answer(
        "271/badx12__X279-error-response-from-payer-to-clinic-not-eligible-for-inquiries-with-payer.edi",
        active=False,
        payer=("ABC COMPANY", "842610001"),
        member_id=None,
        rejections=(("2100B", "50", "N"),),  # provider ineligible for inquiries
        services={"30": UNKNOWN},
    ),
    Answer(
        "271/badx12__X279-response-to-generic-request-by-clinic-for-patient-_subscriber_-eligibility.edi",
        active=True,
        payer=("ABC COMPANY", "842610001"),
        member_id="123456789",
        patient=("SMITH", "JOHN"),
        birth_date=date(1963, 5, 19),
        services=GOLD_PLAN,
        entities=(("P3", "JONES"),),
        plan_begin=date(2006, 1, 1),
        trace="93175-012547",
    ),
    Answer(
        "271/badx12__X279-response-to-generic-request-by-physician-for-patient-_dependent_-eligibility.edi",
        active=True,
        payer=("ABC COMPANY", "842610001"),
        member_id="123456789",
        patient=("SMITH", "MARY"),
        birth_date=date(1998, 10, 14),
        services=GOLD_PLAN,
        entities=(("P3", "JONES"),),
        plan_begin=date(2006, 1, 1),
        trace="93175-012547",
    ),
    Answer(
        "271/herophilus__271Sample_Eligible_.txt",
        active=True,
        payer=("NYSDOH", "141797357"),
        member_id="XX99999X",
        patient=("Patient Last Name", "Patient First Name"),
        birth_date=date(1001, 1, 1),
        services={
            t: COPAY_0 for t in ("30", "1", "35", "47", "86", "88", "98", "AL", "MH", "UC", "CQ")
        },
        entities=(
            ("P3", "Benefit Related Provider"),
            ("P3", "Benefit Related Provider"),
            ("P4", "MEDICARE ABD"),
        ),
        other_payers=("MEDICARE ABD",),  # EB*R names the other payer as P4
        plan_begin=date(2010, 6, 1),
        trace="110010101000002",
    ),
    Answer(
        "271/kartik__271_active_response.x12",
        active=True,
        payer=("DC MEDICAID", "DCMEDICAID"),
        member_id="000123450",
        patient=("DOE", "PATIENT"),
        birth_date=date(1990, 1, 1),
        services={"30": ACTIVE},
        trace="TRACE0001",
    ),
    Answer(
        "271/kartik__271_ls_le_wrapper.x12",
        active=True,
        payer=("DC MEDICAID", "DCMEDICAID"),
        member_id="000123454",
        patient=("DOE", "WRAPPED"),
        birth_date=date(1992, 3, 3),
        services={"30": ACTIVE},
        trace="TRACE0004",
    ),
    Answer(
        "271/kartik__271_multiple_eb_segments.x12",
        active=True,
        payer=("DC MEDICAID", "DCMEDICAID"),
        member_id="000123453",
        patient=("DOE", "BENEFITS"),
        birth_date=date(1991, 4, 1),
        services={"30": ("active", "5.00", "5.00", None, None, None, None, None)},
        trace="TRACE0003",
    ),
    Answer(
        "271/kartik__271_rejected_subscriber.x12",
        active=False,
        payer=("DC MEDICAID", "DCMEDICAID"),
        member_id="000123452",
        patient=("DOE", "REJECTED"),
        rejections=(("2100C", "72", "C"),),  # invalid / missing subscriber ID
        services={"30": UNKNOWN},
        trace="TRACE0002",
    ),
    Answer(
        "271/kartik__gainwell_271_redacted.edi",
        active=True,
        payer=("GAINWELL TEST PAYER", "GWTEST"),
        member_id="SUB000001",
        patient=("MEMBER001", "TEST001"),
        birth_date=date(1980, 1, 1),
        services={t: ACTIVE for t in ("30", "1", "35", "47", "48", "50", "86", "88", "AL", "MH")},
        entities=(("P5", "PLAN SPONSOR 001"),),
        trace="TRACE000001",
        count=153,
    ),
    Answer(  # EB*R: another payer, no coverage status of its own
        "271/kartik__gainwell_271_redacted.edi",
        active=False,
        payer=("GAINWELL TEST PAYER", "GWTEST"),
        member_id="SUB000137",
        patient=("MEMBER137", "TEST137"),
        birth_date=date(1980, 1, 25),
        services={"30": UNKNOWN},
        entities=(("P5", "SUPPLEMENTAL DESK 137"),),
        other_payers=("SUPPLEMENTAL DESK 137",),
        trace="TRACE000137",
        index=136,
        count=153,
    ),
    Answer(  # EB*B**30^35^47***23*5.00: a $5 copay per calendar year, no network given
        "271/kartik__gainwell_271_redacted.edi",
        active=False,
        payer=("GAINWELL TEST PAYER", "GWTEST"),
        member_id="SUB000140",
        patient=("MEMBER140", "TEST140"),
        birth_date=date(1980, 1, 28),
        services={
            t: ("unknown", "5.00", "5.00", None, None, None, None, None) for t in ("30", "35", "47")
        },
        entities=(("P5", "SUPPLEMENTAL DESK 140"),),
        trace="TRACE000140",
        index=139,
        count=153,
    ),
    Answer(
        "271/kartik__gainwell_271_redacted.edi",
        active=False,
        payer=("GAINWELL TEST PAYER", "GWTEST"),
        member_id="SUB000145",
        patient=("MEMBER145", "TEST145"),
        rejections=(("2100C", "75", "C"),),  # subscriber not found
        services={"30": UNKNOWN},
        trace="TRACE000145",
        index=144,
        count=153,
    ),
    *[
        Answer(
            f"271/lfh__{name}.271",
            active=True,
            payer=("ABC COMPANY", "841610001"),
            member_id="123456789",
            patient=("SMITH", "JOHN"),
            birth_date=date(1963, 5, 19),
            services=GOLD_PLAN,
            entities=(("P3", "JONES"),),
            plan_begin=date(2006, 1, 1),
            trace="93175-012547",
        )
        for name in ("demo", "subscriber-health-benefit-check")
    ],
    Answer(
        "271/lfh__dependent-health-benefit-check.271",
        active=True,
        payer=("ABC COMPANY", "841610001"),
        member_id="123456789",
        patient=("SMITH", "MARY"),
        birth_date=date(1998, 10, 14),
        services=GOLD_PLAN,
        entities=(("P3", "JONES"),),
        plan_begin=date(2006, 1, 1),
        trace="93175-012547",
    ),
    Answer(
        "271/lfh__subscriber-health-benefit-check-error.271",
        active=False,
        payer=("ABC COMPANY", "842610001"),
        member_id=None,
        rejections=(("2100B", "50", "N"),),
        services={"30": UNKNOWN},
    ),
]


def _money(value: object) -> str | None:
    return None if value is None else str(value)


def _service(r: EligibilityResponse, service_type: str) -> tuple[str | None, ...]:
    s = r.summary(service_type)
    inn, out = s.in_network, s.out_of_network
    return (
        s.status,
        _money(inn.copay),
        _money(out.copay),
        None if inn.coinsurance is None else str(inn.coinsurance),
        _money(inn.deductible.total),
        _money(inn.deductible.remaining),
        _money(inn.out_of_pocket.total),
        _money(inn.out_of_pocket.remaining),
    )


def test_every_271_sample_has_a_row_in_the_table():
    assert {a.file for a in ANSWERS_271} == {f for f in FILES if f.startswith("271/")}


@pytest.mark.parametrize("answer", ANSWERS_271, ids=lambda a: f"{a.file}#{a.index}")
def test_what_each_271_sample_yields(answer):
    responses, _ = read_271(path(answer.file))
    assert len(responses) == answer.count
    r = responses[answer.index]
    assert r.is_active() is answer.active
    assert (r.payer.name, r.payer.identifier) == answer.payer
    assert (r.subscriber.member_id if r.subscriber else None) == answer.member_id
    patient = r.patient
    assert ((patient.last_name, patient.first_name) if patient else None) == answer.patient
    assert (patient.birth_date if patient else None) == answer.birth_date
    assert tuple((x.loop, x.reason, x.follow_up) for x in r.all_rejections) == answer.rejections
    assert {t: _service(r, t) for t in answer.services} == answer.services
    entities = tuple((e.entity_code, e.name) for b in r.benefits for e in b.entities)
    assert entities == answer.entities
    assert tuple(e.name for e in r.other_payers) == answer.other_payers
    assert (patient.plan_begin if patient else None) == answer.plan_begin
    assert (r.trace.number if r.trace else None) == answer.trace


def test_the_gainwell_batch_has_136_active_members_and_13_rejections():
    responses, _ = read_271(path("271/kartik__gainwell_271_redacted.edi"))
    statuses = Counter(r.coverage_status() for r in responses)
    assert statuses == {"active": 136, "unknown": 17}
    reasons = [x.reason for r in responses for x in r.rejections]
    assert reasons == ["71", "73", "71", "73", "75", "73", "71", "73", "73", "71", "73", "73", "73"]
    assert all(x.follow_up == "C" and x.loop == "2100C" for r in responses for x in r.rejections)
    first = responses[0]
    (plan,) = first.benefits
    assert (plan.code, plan.insurance_type, plan.plan_description) == (
        "1",
        "MC",
        "TEST PLAN|A001|MEDICAID",
    )
    (sponsor,) = plan.entities
    assert [c.name for c in sponsor.contacts] == ["PROVIDER RELATIONS", "EDI HELPDESK"]
    assert dict(sponsor.contacts[0].numbers) == {
        "TE": "8665550001",
        "EM": "support001@example.test",
    }
    assert plan.dates[0].qualifier == "291" and plan.dates[0].start == date(2026, 4, 22)


def test_the_medicaid_sample_keeps_messages_references_and_member_dates():
    (r,), _ = read_271(path("271/herophilus__271Sample_Eligible_.txt"))
    plan = r.benefits[0]
    assert plan.plan_description == "MA Eligible"
    assert plan.messages == ("35", "46", "49", "95", "RECERT MONTH=12")
    other = r.benefits[-1]
    assert (other.code, other.references) == ("R", (("18", "012345679C1"),))
    assert r.subscriber is not None
    assert [(d.qualifier, d.start) for d in r.subscriber.dates] == [
        ("472", date(2010, 6, 8)),
        ("346", date(2010, 6, 1)),
        ("102", date(1994, 5, 1)),
    ]
    assert r.subscriber.references == (("SY", "123456789"),)
    assert r.trace is not None and r.trace.additional == "274807891"


# -- 277: what each claim status must yield ----------------------------------------------------


@dataclass(frozen=True)
class ClaimRow:
    """One claim of a 277: who, the claim's trace, its current status and amounts."""

    patient: tuple[str, str]  # last, first
    trace: str
    status: tuple[str, str, str]  # category, status code, entity
    effective: date
    charge: str
    paid: str | None
    payer_claim_number: str
    patient_control_number: str
    service: tuple[date | None, date | None]
    lines: tuple[
        tuple[str, str, str | None, tuple[str, str]], ...
    ] = ()  # code, charge, paid, status


SMITH = ClaimRow(
    ("SMITH", "FRED"),
    "ABCXYZ1",
    ("P3", "317", ""),  # pending: requested information
    date(2005, 9, 13),
    "8513.88",
    None,
    "05347006051",
    "SM123456",
    (date(2005, 8, 31), date(2005, 9, 6)),
)
JONES = ClaimRow(
    ("JONES", "MARY"),
    "ABCXYZ2",
    ("F0", "3", ""),  # finalized, paid in full
    date(2005, 9, 15),
    "7599.00",
    "7599.00",
    "0529675341",
    "J0234567",
    (date(2005, 7, 31), date(2005, 8, 9)),
)
MANN = ClaimRow(
    ("MANN", "JOSEPH"),  # the dependent of JOHN MANN
    "ABCXYC3",
    ("F2", "88", "QC"),  # finalized, denied; about the patient
    date(2005, 6, 12),
    "150.00",
    "0.00",
    "051681010827",
    "MA345678",
    (None, None),
    (("99203", "150.00", "0.00", ("F2", "88")),),
)
ANSWERS_277: dict[str, tuple[ClaimRow, ...]] = {
    "277/herophilus__277Sample_276Resp-ClaimInfo_.txt": (
        ClaimRow(
            ("Patient Last Name", "Patient First Name"),
            "10060216012300233HSP1156IC002-",
            ("F1", "3", ""),  # finalized, paid
            date(2010, 12, 14),
            "524.49",
            "389.73",
            "1026000000099999",
            "PT12345",
            (date(2010, 7, 29), date(2010, 7, 29)),
            (("10337080301", "524.49", "389.73", ("F1", "3")),),
        ),
    ),
    "277/lfh__claim-level-status-ncpdp.277": (
        ClaimRow(
            ("SMITH", "FRED"),
            "ABCXYZ1",
            ("F2", "80", ""),  # denied with an NCPDP reject code (STC01-4 RX)
            date(2006, 3, 1),
            "85.00",
            "0.00",
            "05347006051",
            "",
            (date(2006, 3, 1), None),
        ),
    ),
    "277/lfh__claim-level-status.277": (SMITH, JONES, MANN),
    "277/lfh__demo.277": (SMITH, JONES, MANN),
    "277/lfh__information-receiver-level-status.277": (),
    "277/lfh__provider-level-status.277": (SMITH,),
}


def test_every_277_sample_has_a_row_in_the_table():
    assert set(ANSWERS_277) == {f for f in FILES if f.startswith("277/")}


@pytest.mark.parametrize("name", sorted(ANSWERS_277))
def test_what_each_277_sample_yields(name):
    responses, _ = read_277(path(name))
    rows = []
    for r in responses:
        patient = r.patient
        for c in r.claims:
            assert patient is not None
            rows.append(
                ClaimRow(
                    (patient.last_name, patient.first_name),
                    c.trace,
                    (c.category, c.status_code, c.entity),
                    c.effective_date,
                    str(c.charge),
                    None if c.paid is None else str(c.paid),
                    c.payer_claim_control_number,
                    c.patient_control_number,
                    (c.service_from, c.service_to),
                    tuple(
                        (
                            line.procedure,
                            str(line.charge),
                            None if line.paid is None else str(line.paid),
                            (line.statuses[0].primary.category, line.statuses[0].primary.code),
                        )
                        for line in c.lines
                    ),
                )
            )
    assert tuple(rows) == ANSWERS_277[name]


def test_a_request_answered_at_the_receiver_level_has_no_claims_but_a_status():
    (r,), _ = read_277(path("277/lfh__information-receiver-level-status.277"))
    assert r.subscriber is None and r.provider is None and r.claims == ()
    (status,) = r.receiver_statuses
    assert (status.primary.category, status.primary.code, status.effective_date) == (
        "E0",
        "0",
        date(2005, 9, 16),
    )
    assert r.receiver_trace == "ABC276XXX"


def test_an_unknown_provider_is_answered_at_the_provider_level():
    _, unknown = read_277(path("277/lfh__provider-level-status.277"))[0]
    assert unknown.provider is not None and unknown.provider.name == "HOME HOSPITAL PHYSICIANS"
    (status,) = unknown.provider_statuses
    assert (status.primary.category, status.primary.code, status.primary.entity) == (
        "E0",
        "24",
        "85",
    )
    assert unknown.subscriber is None and unknown.claims == ()


def test_the_ncpdp_status_keeps_its_code_list_and_prescription_number():
    (r,), _ = read_277(path("277/lfh__claim-level-status-ncpdp.277"))
    (claim,) = r.claims
    assert claim.status.primary.code_list == "RX" and claim.prescription_number == "7654321"


# -- 270 and 276: what the requests say ---------------------------------------------------------

REQUESTS_270 = {
    # file: (requests, subscriber member ID, dependent first name, trace, service types, date)
    "270/badx12__X279-generic-request-by-clinic-for-patient-_subscriber_-eligibility.edi": (
        1, "11122333301", None, "93175-012547", ("30",), date(2006, 5, 1),
    ),
    "270/badx12__X279-generic-request-by-physician-for-patient-_dependent_-eligibility.edi": (
        1, "11122333301", "MARY", "93175-012547", ("30",), date(2006, 5, 1),
    ),
    "270/kartik__270_batch_multi.x12": (2, "000123450", None, "TRACE0001", ("30",), date(2026, 4, 12)),
    "270/kartik__270_custom_delimiters.x12": (
        1, "000123453", None, "TRACE0003", ("30",), date(2026, 4, 12),
    ),
    "270/kartik__270_realtime_single.x12": (
        1, "000123450", None, "TRACE0001", ("30",), date(2026, 4, 12),
    ),
    "270/kartik__batch_with_one_bad_transaction.x12": (
        3, "000123454", None, "TRACE0004", ("30",), date(2026, 4, 12),
    ),
    "270/lfh__demo-single-line.270": (1, "11122333301", None, "93175-012547", ("30",), date(2006, 5, 1)),
    "270/lfh__demo.270": (1, "11122333301", None, "93175-012547", ("30",), date(2006, 5, 1)),
    "270/lfh__dependent-health-benefit-check.270": (
        1, "11122333301", "MARY", "93175-012547", ("30",), date(2006, 5, 1),
    ),
    "270/lfh__subscriber-health-benefit-check.270": (
        1, "11122333301", None, "93175-012547", ("30",), date(2006, 5, 1),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(REQUESTS_270))
def test_what_each_270_sample_asks(name):
    requests, _ = read_270(path(name))
    count, member_id, dependent, trace, types, day = REQUESTS_270[name]
    assert len(requests) == count
    first = requests[0]
    assert first.subscriber.member_id == member_id
    assert (first.dependent.first_name if first.dependent else None) == dependent
    assert (first.trace.number, first.service_types, first.service_date) == (trace, types, day)


def test_the_270_with_the_broken_envelope_yields_no_request():
    requests, report = read_270(path("270/badx12__unknown_segment_error.edi"))
    assert requests == [] and report.errors


REQUESTS_276 = {
    # file: (trace, patient last name, patient control number, charge, service from) per claim
    "276/lfh__claim-level-status-ncpdp.276": (("ABCXYZ1", "SMITH", "", "85.00", date(2006, 3, 1)),),
    "276/lfh__claim-level-status.276": (
        ("ABCXYZ1", "SMITH", "SM123456", "8513.88", date(2005, 8, 31)),
        ("ABCXYZ2", "JONES", "J0234567", "7599.00", date(2005, 7, 31)),
        ("ABCXYZ3", "MANN", "MA345678", None, None),
    ),
    "276/lfh__demo.276": (
        ("ABCXYZ1", "SMITH", "SM123456", "8513.88", date(2005, 8, 31)),
        ("ABCXYZ2", "JONES", "J0234567", "7599.00", date(2005, 7, 31)),
        ("ABCXYZ3", "MANN", "MA345678", None, None),
    ),
    "276/lfh__information-receiver-level-status.276": (
        ("ABCXYZ1", "SMITH", "SM123456", "8513.88", date(2005, 8, 31)),
    ),
    "276/lfh__provider-level-status.276": (
        ("ABCXYZ1", "SMITH", "SM123456", "8513.88", date(2005, 8, 31)),
        ("ABCXYZ3", "MANN", "MA345678", None, None),
    ),
}


@pytest.mark.parametrize("name", sorted(REQUESTS_276))
def test_what_each_276_sample_asks(name):
    requests, _ = read_276(path(name))
    rows = tuple(
        (
            r.trace,
            r.patient.last_name,
            r.patient_control_number,
            None if r.charge is None else str(r.charge),
            r.service_from,
        )
        for r in requests
    )
    assert rows == REQUESTS_276[name]


def test_the_dependent_claim_of_the_276_carries_its_service_line():
    requests, _ = read_276(path("276/lfh__claim-level-status.276"))
    mann = requests[2]
    assert mann.subscriber.last_name == "MANN" and mann.dependent is not None
    assert (mann.dependent.first_name, mann.dependent.birth_date) == ("JOSEPH", date(1995, 11, 1))
    (line,) = mann.lines
    assert (line.procedure, str(line.charge), line.service_from) == (
        "99203",
        "150.00",
        date(2005, 5, 1),
    )
