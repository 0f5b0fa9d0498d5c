"""Table definitions (SQLAlchemy Core). The schema itself is made by Alembic migrations only;
these objects describe it for queries, and a test proves they match the migrated schema.

Every business table carries ``practice_id``: the tenant key, first column of its indexes, and
the distribution column should the database ever be sharded by practice.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

# SQLite only auto-increments INTEGER PRIMARY KEY; BigInteger elsewhere.
Id = BigInteger().with_variant(Integer(), "sqlite")


def _practice_fk() -> Column[int]:
    return Column("practice_id", Id, ForeignKey("practices.id"), nullable=False)


def _stamps() -> list[Column[object]]:
    return [
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    ]


practices = Table(
    "practices",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("legal_name", String(60), nullable=False),
    Column("tin", String(9), nullable=False),
    Column("group_npi", String(10), nullable=False),
    Column("taxonomy", String(10), nullable=False),
    Column("billing_address", JSON, nullable=False),
    Column("pay_to_address", JSON, nullable=True),
    Column("phone", String(10), nullable=False),
    *_stamps(),
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(20), nullable=False),
    Column("active", Boolean, nullable=False),
    *_stamps(),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Boolean, nullable=False),
)

providers = Table(
    "providers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("kind", String(12), nullable=False),
    Column("npi", String(10), nullable=False),
    Column("roles", String(60), nullable=False),
    Column("last_name", String(60), nullable=False),
    Column("first_name", String(35), nullable=True),
    Column("middle_name", String(25), nullable=True),
    Column("credential", String(20), nullable=True),
    Column("taxonomy", String(10), nullable=True),
    Column("active_from", Date, nullable=True),
    Column("active_to", Date, nullable=True),
    *_stamps(),
    UniqueConstraint("practice_id", "npi", name="uq_providers_practice_npi"),
)

facilities = Table(
    "facilities",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("name", String(60), nullable=False),
    Column("address", JSON, nullable=False),
    Column("place_of_service", String(2), nullable=False),
    Column("npi", String(10), nullable=True),
    *_stamps(),
)

payers = Table(
    "payers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("name", String(60), nullable=False),
    Column("payer_id", String(80), nullable=False),
    Column("payer_class", String(30), nullable=False),
    Column("timely_filing_days", Integer, nullable=False),
    Column("route", String(40), nullable=False),
    Column("address", JSON, nullable=True),
    *_stamps(),
    UniqueConstraint("practice_id", "payer_id", name="uq_payers_practice_payer_id"),
)

plans = Table(
    "plans",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("payer_ref", Id, ForeignKey("payers.id"), nullable=False),
    Column("name", String(60), nullable=False),
    Column("plan_type", String(30), nullable=False),
    Column("claim_filing_indicator", String(2), nullable=False),
    *_stamps(),
    UniqueConstraint("practice_id", "payer_ref", "name", name="uq_plans_practice_payer_name"),
)

enrollments = Table(
    "enrollments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("payer_ref", Id, ForeignKey("payers.id"), nullable=False),
    Column("provider_ref", Id, ForeignKey("providers.id"), nullable=True),
    Column("edi", Boolean, nullable=False),
    Column("era", Boolean, nullable=False),
    Column("eft", Boolean, nullable=False),
    Column("participation", String(20), nullable=False),
    Column("effective", Date, nullable=False),
    Column("termination", Date, nullable=True),
    *_stamps(),
)

patients = Table(
    "patients",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("mrn", String(30), nullable=False),
    Column("account_number", String(20), nullable=False),
    Column("last_name", String(60), nullable=False),
    Column("first_name", String(35), nullable=False),
    Column("middle_name", String(25), nullable=True),
    Column("suffix", String(10), nullable=True),
    Column("dob", Date, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("address", JSON, nullable=False),
    Column("phone", String(10), nullable=True),
    Column("email", String(254), nullable=True),
    Column("date_of_death", Date, nullable=True),
    Column("guarantor_relationship", String(12), nullable=False),
    Column("guarantor", JSON, nullable=True),
    *_stamps(),
    UniqueConstraint("practice_id", "mrn", name="uq_patients_practice_mrn"),
    UniqueConstraint("practice_id", "account_number", name="uq_patients_practice_account"),
    Index("ix_patients_practice_name_dob", "practice_id", "last_name", "dob"),
)

coverages = Table(
    "coverages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("patient_id", Id, ForeignKey("patients.id"), nullable=False),
    Column("plan_id", Id, ForeignKey("plans.id"), nullable=False),
    Column("coverage_order", String(10), nullable=False),
    Column("member_id", String(80), nullable=False),
    Column("group_number", String(50), nullable=True),
    Column("relationship", String(2), nullable=False),
    Column("subscriber", JSON, nullable=True),
    Column("effective", Date, nullable=False),
    Column("termination", Date, nullable=True),
    Column("insurance_type_code", String(2), nullable=True),
    *_stamps(),
    Index("ix_coverages_practice_patient", "practice_id", "patient_id"),
    Index("ix_coverages_practice_member", "practice_id", "member_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_id", Id, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("action", String(20), nullable=False),
    Column("record_type", String(40), nullable=False),
    Column("record_id", String(40), nullable=True),
    Index("ix_audit_log_practice_at", "practice_id", "at"),
)

sequences = Table(
    "sequences",
    metadata,
    Column("practice_id", Id, primary_key=True),
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# ---- charge entry and claims (migration 0002) -------------------------------------------------

Amount = Numeric(12, 2)
Quantity = Numeric(12, 3)

fee_schedule = Table(
    "fee_schedule",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("procedure", String(5), nullable=False),
    Column("modifier", String(2), nullable=False),
    Column("amount", Amount, nullable=False),
    Column("effective", Date, nullable=False),
    Column("termination", Date, nullable=True),
    *_stamps(),
    Index("ix_fee_schedule_practice_code", "practice_id", "procedure", "modifier"),
)

contracts = Table(
    "contracts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("payer_ref", Id, ForeignKey("payers.id"), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("percent", Numeric(7, 3), nullable=True),
    Column("locality", String(7), nullable=True),
    Column("rates", JSON, nullable=False),
    Column("effective", Date, nullable=False),
    Column("termination", Date, nullable=True),
    *_stamps(),
)

authorizations = Table(
    "authorizations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("patient_id", Id, ForeignKey("patients.id"), nullable=False),
    Column("payer_ref", Id, ForeignKey("payers.id"), nullable=False),
    Column("provider_ref", Id, ForeignKey("providers.id"), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("number", String(50), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("service_codes", String(400), nullable=False),
    Column("units_approved", Integer, nullable=True),
    Column("units_used", Integer, nullable=False),
    *_stamps(),
    Index("ix_authorizations_practice_patient", "practice_id", "patient_id"),
)

encounters = Table(
    "encounters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("patient_id", Id, ForeignKey("patients.id"), nullable=False),
    Column("kind", String(1), nullable=False),
    Column("dos_from", Date, nullable=False),
    Column("dos_to", Date, nullable=False),
    Column("rendering_ref", Id, ForeignKey("providers.id"), nullable=False),
    Column("referring_ref", Id, ForeignKey("providers.id"), nullable=True),
    Column("supervising_ref", Id, ForeignKey("providers.id"), nullable=True),
    Column("facility_ref", Id, ForeignKey("facilities.id"), nullable=True),
    Column("place_of_service", String(2), nullable=False),
    Column("coverage_ids", JSON, nullable=False),
    Column("prior_authorization", String(50), nullable=True),
    Column("referral_number", String(50), nullable=True),
    Column("external_ref", String(50), nullable=True),
    Column("diagnoses", JSON, nullable=False),
    Column("institutional", JSON, nullable=True),
    *_stamps(),
    UniqueConstraint("practice_id", "external_ref", name="uq_encounters_practice_external_ref"),
    Index("ix_encounters_practice_patient_dos", "practice_id", "patient_id", "dos_from"),
    Index("ix_encounters_practice_dos", "practice_id", "dos_from"),  # reports by date of service
)

encounter_lines = Table(
    "encounter_lines",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("encounter_id", Id, ForeignKey("encounters.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("procedure", String(5), nullable=False),
    Column("modifiers", String(11), nullable=False),
    Column("units", Quantity, nullable=False),
    Column("charge", Amount, nullable=False),
    Column("charge_source", String(12), nullable=False),
    Column("pointers", String(11), nullable=False),
    Column("dos_from", Date, nullable=False),
    Column("dos_to", Date, nullable=False),
    Column("ndc", String(11), nullable=True),
    Column("ndc_unit", String(2), nullable=True),
    Column("ndc_quantity", Quantity, nullable=True),
    Column("anesthesia_minutes", Integer, nullable=True),
    Column("revenue_code", String(4), nullable=True),
    Column("note", String(80), nullable=True),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("encounter_id", "line_no", name="uq_encounter_lines_encounter_line"),
    Index("ix_encounter_lines_encounter_entered", "encounter_id", "entered_at"),  # charge lag
)

claims = Table(
    "claims",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("encounter_id", Id, ForeignKey("encounters.id"), nullable=False),
    Column("coverage_id", Id, ForeignKey("coverages.id"), nullable=False),
    Column("payer_ref", Id, ForeignKey("payers.id"), nullable=False),
    Column("kind", String(1), nullable=False),
    Column("patient_control_number", String(20), nullable=False),
    Column("frequency", String(1), nullable=False),
    Column("original_claim_id", Id, ForeignKey("claims.id"), nullable=True),
    Column("payer_claim_number", String(50), nullable=True),
    Column("status", String(20), nullable=False),
    Column("total_charge", Amount, nullable=False),
    Column("first_pass_clean", Boolean, nullable=True),
    Column("scrub_runs", Integer, nullable=False),
    *_stamps(),
    UniqueConstraint("practice_id", "patient_control_number", name="uq_claims_practice_pcn"),
    Index("ix_claims_practice_status", "practice_id", "status"),
    Index("ix_claims_practice_encounter", "practice_id", "encounter_id"),
)

claim_lines = Table(
    "claim_lines",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("encounter_line_id", Id, ForeignKey("encounter_lines.id"), nullable=False),
    Column("line_control_number", String(30), nullable=False),
    Column("charge", Amount, nullable=False),
    UniqueConstraint("practice_id", "line_control_number", name="uq_claim_lines_practice_lcn"),
    Index("ix_claim_lines_claim", "claim_id"),
)

claim_history = Table(
    "claim_history",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("from_status", String(20), nullable=True),
    Column("to_status", String(20), nullable=False),
    Column("reason", String(300), nullable=False),
    Index("ix_claim_history_claim", "claim_id"),
)

claim_findings = Table(
    "claim_findings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("claim_id", Id, ForeignKey("claims.id"), nullable=False),
    Column("scrub_run", Integer, nullable=False),
    Column("code", String(40), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("message", String(400), nullable=False),
    Column("location", String(100), nullable=False),
    Index("ix_claim_findings_claim_run", "claim_id", "scrub_run"),
)

work_items = Table(
    "work_items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("queue", String(30), nullable=False),
    Column("target_kind", String(20), nullable=False),
    Column("target_id", Id, nullable=False),
    Column("reason", String(400), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("status", String(12), nullable=False),
    Column("owner", String(64), nullable=True),
    Column("due", Date, nullable=True),
    *_stamps(),
    Index("ix_work_items_practice_queue_status", "practice_id", "queue", "status"),
)

work_item_events = Table(
    "work_item_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _practice_fk(),
    Column("item_id", Id, ForeignKey("work_items.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(20), nullable=False),
    Column("note", String(1000), nullable=True),
)
