"""The audit log records who created, changed and read what, never the values, and can only grow."""

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from revcycle.db import tables
from revcycle.domain.errors import DomainValidationError
from revcycle.services import patients
from revcycle.services.audit import audit_entries
from tests.conftest import patient_data


def test_create_update_and_reads_are_audited_without_phi(practice_ctx, engine):
    p = patients.register_patient(practice_ctx, patient_data(mrn="Z9"))
    patients.update_patient(practice_ctx, p.id, {"phone": "2175550111"})
    patients.get_patient(practice_ctx, p.id)
    patients.search_patients(practice_ctx, name="Rivera")
    c = patients.add_coverage(
        practice_ctx, p.id, {"payer": "SIMPPO", "member_id": "SECRET1", "effective": "2026-01-01"}
    )
    patients.get_coverage(practice_ctx, c.id)
    entries = audit_entries(practice_ctx, record_type="patient", record_id=str(p.id))
    assert [e.action for e in reversed(entries)] == ["create", "update", "read", "read"]
    assert all(e.actor == "os:tester" and e.channel == "cli" for e in entries)
    cov = audit_entries(practice_ctx, record_type="coverage")
    assert [e.action for e in reversed(cov)] == ["create", "read"]
    with engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(select(tables.audit_log)) for v in row)
    for phi in ("Rivera", "Ana", "1980-04-02", "SECRET1", "Z9", "2175550111"):
        assert phi not in dump


def test_audit_log_is_append_only(practice_ctx, engine):
    patients.register_patient(practice_ctx, patient_data())
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(update(tables.audit_log).values(actor="someone else"))
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(delete(tables.audit_log))
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from audit_log")).scalar_one() >= 1


def test_failed_write_leaves_no_audit_entry(practice_ctx, engine):
    with pytest.raises(DomainValidationError):
        patients.register_patient(practice_ctx, patient_data(dob="2999-01-01"))
    assert audit_entries(practice_ctx, record_type="patient") == []
