"""Loaded code sets persist: one transaction per load, visible to a new engine, never partial."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from revcycle.codesets import ServiceLine
from revcycle.codesets.hcpcs import load_cpt_csv, load_hcpcs_file
from revcycle.codesets.ncci import load_mue_file, load_ptp_file
from revcycle.codesets.pfs import load_gpci_file, load_rvu_file
from revcycle.db import codeset_tables
from revcycle.db.codeset_store import SqlCodeSetStore
from revcycle.db.engine import make_engine
from revcycle.db.tables import audit_log
from revcycle.domain.errors import DomainValidationError, PermissionDenied
from revcycle.domain.user import User
from revcycle.services.codes import place_of_service_exists
from revcycle.services.codesets_service import CodeFileRejected, CodeSetService
from revcycle.services.context import Context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "codesets"
ORDER_2027 = FIXTURES / "icd10cm_order_2027.txt"
FY2027 = date(2026, 10, 1)


@pytest.fixture
def service(engine):
    return CodeSetService(SqlCodeSetStore(engine))


def _broken_copy(tmp_path: Path, source: Path, line: int, replacement: str) -> Path:
    lines = source.read_text("utf-8").splitlines()
    lines[line - 1] = replacement
    out = tmp_path / source.name
    out.write_text("\n".join(lines) + "\n", "utf-8")
    return out


def _row_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (codeset_tables.codeset_versions, *codeset_tables.ROW_TABLES)
        }


def test_loaded_icd10cm_version_is_seen_through_a_new_engine(database_url, operator, service):
    saved = service.load(operator, "icd10cm", ORDER_2027, effective=FY2027)
    assert (saved.name, saved.row_count, saved.active) == ("FY2027", 9, True)
    assert saved.source_file == "icd10cm_order_2027.txt"

    fresh_engine = make_engine(database_url)
    try:
        fresh = CodeSetService(SqlCodeSetStore(fresh_engine))
        result = fresh.lookup("E11.A1", "icd10cm", date(2026, 11, 2))
        assert (result.found, result.valid_on_dos, result.version) == (True, True, "FY2027")
        assert [v.name for v in fresh.versions("icd10cm")] == ["FY2027"]
    finally:
        fresh_engine.dispose()


def test_every_loaded_table_comes_back_row_for_row(database_url, operator, service, tmp_path):
    carc = tmp_path / "carc.csv"
    carc.write_text(
        "Code,Description,Start,Stop\n"
        "45,Charge exceeds the fee schedule (published wording),1995-01-01,\n"
        "999,A code revcycle does not know,2026-01-01,\n",
        "utf-8",
    )
    loads = [
        ("hcpcs", "HCPC2026_JAN_ANWEB.txt"),
        ("cpt", "cpt_user.csv"),
        ("ptp", "ptp_practitioner.txt"),
        ("mue", "mue_practitioner.csv"),
        ("rvu", "PPRRVU_synthetic.csv"),
        ("gpci", "GPCI2025.csv"),
    ]
    for system, name in loads:
        service.load(operator, system, FIXTURES / name)
    service.load(operator, "carc", carc)

    fresh_engine = make_engine(database_url)
    try:
        cs = CodeSetService(SqlCodeSetStore(fresh_engine)).codesets(with_icd10cm=False)
    finally:
        fresh_engine.dispose()
    hcpcs = load_hcpcs_file(FIXTURES / "HCPC2026_JAN_ANWEB.txt")
    assert set(cs.hcpcs.rows()) == set(hcpcs.procedures.rows())
    assert cs.lists["modifier"].get("ZX") is not None
    assert cs.cpt is not None
    assert set(cs.cpt.rows()) == set(load_cpt_csv(FIXTURES / "cpt_user.csv").rows())
    assert list(cs.ptp.rows()) == list(load_ptp_file(FIXTURES / "ptp_practitioner.txt").rows())
    assert set(cs.mue.rows()) == set(load_mue_file(FIXTURES / "mue_practitioner.csv").rows())
    assert cs.rvu is not None and cs.gpci is not None
    assert set(cs.rvu.rows()) == set(load_rvu_file(FIXTURES / "PPRRVU_synthetic.csv").rows())
    assert set(cs.gpci.rows()) == set(load_gpci_file(FIXTURES / "GPCI2025.csv").rows())
    co45 = cs.lists["carc"].get("45")
    assert co45 is not None
    assert co45.description.endswith("(published wording)")
    assert co45.attr("category") == "contractual"  # revcycle's own attributes survive


def test_claim_problems_each_produce_their_finding(operator, service):
    service.load(operator, "ptp", FIXTURES / "ptp_practitioner.txt")
    service.load(operator, "mue", FIXTURES / "mue_practitioner.csv")
    service.load(operator, "icd10cm", ORDER_2027, effective=FY2027)

    findings = service.validate(
        dos=date(2026, 3, 2),
        diagnoses=["E11", "E11.A1"],
        lines=[
            ServiceLine("93000", (), 1, (1,)),
            ServiceLine("93005", (), 1, (1,)),
            ServiceLine("97110", (), 9, (1,)),
        ],
    )
    by_code = {f.code: f for f in findings}
    assert by_code["icd10cm.not_billable"].location == "diagnoses[0]"
    assert by_code["icd10cm.not_valid_on_dos"].location == "diagnoses[1]"
    assert "not yet valid" in by_code["icd10cm.not_valid_on_dos"].message
    assert by_code["ncci.ptp"].location == "lines[1]"
    assert by_code["ncci.mue"].location == "lines[2].units"


def test_malformed_file_names_the_line_and_loads_nothing(engine, operator, service, tmp_path):
    service.load(operator, "icd10cm", ORDER_2027, effective=FY2027)
    before = _row_counts(engine)
    bad = _broken_copy(tmp_path, ORDER_2027, 4, "00004 E11A1   1 truncated")

    with pytest.raises(CodeFileRejected) as caught:
        service.load(operator, "icd10cm", bad, effective=FY2027)

    assert caught.value.line == 4
    assert "icd10cm_order_2027.txt: line 4" in str(caught.value)
    assert _row_counts(engine) == before
    result = service.lookup("E11.A1", "icd10cm", date(2026, 11, 2))
    assert (result.found, result.version) == (True, "FY2027")


def test_a_load_that_fails_while_storing_keeps_the_previous_version(engine, operator, service):
    first = service.load(operator, "ptp", FIXTURES / "ptp_practitioner.txt")
    before = _row_counts(engine)

    def broken_connection(done: int, total: int) -> None:
        raise ConnectionError("lost the database half-way")

    with pytest.raises(ConnectionError):
        service.load(operator, "ptp", FIXTURES / "ptp_practitioner.txt", progress=broken_connection)

    assert _row_counts(engine) == before
    assert [(v.id, v.active) for v in service.versions("ptp")] == [(first.id, True)]
    assert len(service.codesets(with_icd10cm=False).ptp) == 5


def test_a_new_load_replaces_the_active_version_and_keeps_its_record(engine, operator, service):
    first = service.load(operator, "mue", FIXTURES / "mue_practitioner.csv")
    second = service.load(operator, "mue", FIXTURES / "mue_practitioner.csv", name="2026Q2")

    versions = {v.id: v for v in service.versions("mue")}
    assert versions[first.id].active is False
    assert versions[second.id].active is True
    assert _row_counts(engine)["codeset_records"] == second.row_count == 4


def test_icd10cm_versions_of_different_years_stay_active_side_by_side(operator, service):
    service.load(operator, "icd10cm", ORDER_2027, effective=FY2027)
    service.load(operator, "icd10cm", ORDER_2027, effective=date(2027, 4, 1))

    assert [(v.name, v.active) for v in service.versions("icd10cm")] == [
        ("FY2027", True),
        ("FY2027-04", True),
    ]
    assert service.lookup("I10", "icd10cm", date(2027, 5, 1)).version == "FY2027-04"
    assert service.lookup("I10", "icd10cm", date(2026, 12, 1)).version == "FY2027"
    assert service.lookup("I10", "icd10cm", date(2026, 3, 1)).version == "FY2026"


def test_a_load_by_another_process_is_noticed_after_the_refresh_interval(engine, operator):
    now = [0.0]
    reader = CodeSetService(SqlCodeSetStore(engine), refresh_seconds=5, monotonic=lambda: now[0])
    assert reader.lookup("J3490", "hcpcs").note.startswith("format only")

    CodeSetService(SqlCodeSetStore(engine)).load(
        operator, "hcpcs", FIXTURES / "HCPC2026_JAN_ANWEB.txt"
    )
    assert reader.lookup("J3490", "hcpcs").description == ""  # still cached
    now[0] = 6.0
    assert reader.lookup("J3490", "hcpcs").description == "Unclassified drugs"


def test_only_admins_may_load_code_sets(operator, practice_ctx, service):
    assert practice_ctx.practice_id is not None
    coder = Context.for_user(
        User(practice_ctx.practice_id, "cody", "coder", id=1), operator.clock, operator.uow_factory
    )
    with pytest.raises(PermissionDenied):
        service.load(coder, "mue", FIXTURES / "mue_practitioner.csv")
    assert service.versions() == []


def test_a_load_is_audited(engine, operator, service):
    saved = service.load(operator, "gpci", FIXTURES / "GPCI2025.csv")
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.action == "codeset_load")).all()
    assert [(r.actor, r.record_type, r.record_id) for r in rows] == [
        ("os:tester", "codeset:gpci", str(saved.id))
    ]


def test_icd_versions_need_an_effective_date(operator, service):
    with pytest.raises(DomainValidationError, match="effective date"):
        service.load(operator, "icd10cm", ORDER_2027)


def test_place_of_service_comes_from_the_code_set_list():
    assert place_of_service_exists("11")
    assert place_of_service_exists("02")
    assert not place_of_service_exists("28")
    assert not place_of_service_exists(" 11")
