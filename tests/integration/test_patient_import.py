"""CSV import of patients with coverages: per-row errors, good rows imported, nothing half-written."""

import io
from pathlib import Path

import pytest

from revcycle.domain.errors import DomainValidationError
from revcycle.services import patients
from revcycle.services.patient_import import import_patients_csv

FIXTURE = Path(__file__).parent.parent / "fixtures" / "patients.csv"


def test_import_reports_bad_rows_and_imports_good_ones(practice_ctx):
    with FIXTURE.open(newline="") as f:
        result = import_patients_csv(practice_ctx, f)
    assert (result.patients_created, result.coverages_created) == (3, 3)
    assert {(e.row, e.field) for e in result.errors} == {(5, "dob"), (6, "payer")}
    # the patient of row 6 had a bad coverage: the patient is not half-imported either
    assert patients.search_patients(practice_ctx, mrn="C4") == []
    emma = patients.search_patients(practice_ctx, mrn="C1")[0]
    orders = sorted(c.order for c in patients.list_coverages(practice_ctx, emma.id))
    assert orders == ["primary", "secondary"]  # secondary row came first in the file
    liam = patients.search_patients(practice_ctx, mrn="C2")[0]
    [cov] = patients.list_coverages(practice_ctx, liam.id)
    assert cov.relationship == "19" and cov.subscriber.first_name == "Noah"


def test_importing_the_same_file_twice_changes_nothing(practice_ctx):
    with FIXTURE.open(newline="") as f:
        import_patients_csv(practice_ctx, f)
    before = len(patients.search_patients(practice_ctx, name="Stone"))
    with FIXTURE.open(newline="") as f:
        second = import_patients_csv(practice_ctx, f)
    assert second.patients_created == 0
    assert all(e.field in ("mrn", "dob", "payer") for e in second.errors)
    assert len(patients.search_patients(practice_ctx, name="Stone")) == before


def test_wrong_layout_is_refused_before_any_row(practice_ctx):
    with pytest.raises(DomainValidationError) as info:
        import_patients_csv(practice_ctx, io.StringIO("name,birthday\nx,y\n"))
    assert info.value.errors[0].field == "header"
    assert "missing columns" in info.value.errors[0].message
