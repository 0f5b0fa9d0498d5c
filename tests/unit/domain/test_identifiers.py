import pytest
from hypothesis import given
from hypothesis import strategies as st

from revcycle.domain.errors import DomainValidationError
from revcycle.domain.identifiers import (
    npi_check_digit,
    parse_mbi,
    parse_npi,
    parse_phone,
    parse_state,
    parse_taxonomy,
    parse_tin,
    parse_zip,
)


def reason(fn, value):
    with pytest.raises(DomainValidationError) as info:
        fn(value)
    return info.value.errors[0].reason


def test_valid_npi_passes_luhn_with_80840_prefix():
    assert parse_npi("1234567893") == "1234567893"


def test_npi_with_bad_check_digit_is_refused():
    assert reason(parse_npi, "1234567890") == "npi_check_digit"


@pytest.mark.parametrize("bad", ["123456789", "12345678901", "12345A7893", ""])
def test_npi_must_have_ten_digits(bad):
    assert reason(parse_npi, bad) == "npi_format"


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_nine_digits_complete_to_a_valid_npi(nine):
    npi = nine + str(npi_check_digit(nine))
    assert parse_npi(npi) == npi
    wrong = nine + str((int(npi[-1]) + 1) % 10)
    assert reason(parse_npi, wrong) == "npi_check_digit"


def test_mbi_format_is_checked():
    assert parse_mbi("1EG4-TE5-MK73") == "1EG4TE5MK73"
    assert reason(parse_mbi, "1SG4TE5MK73") == "mbi_format"  # S is never used
    assert reason(parse_mbi, "0EG4TE5MK73") == "mbi_format"  # first digit 1-9
    assert reason(parse_mbi, "123456789A") == "mbi_format"  # an old HICN


def test_zip_has_five_or_nine_digits():
    assert parse_zip("62701-1234") == "627011234"
    assert parse_zip("62701") == "62701"
    for bad in ("6270", "627011", "ABCDE"):
        assert reason(parse_zip, bad) == "zip_format"


def test_state_code_must_be_known():
    assert parse_state("il") == "IL"
    assert parse_state("PR") == "PR"
    assert reason(parse_state, "XX") == "state_unknown"


def test_tin_phone_taxonomy():
    assert parse_tin("12-3456789") == "123456789"
    assert reason(parse_tin, "000000000") == "tin_format"
    assert parse_phone("(217) 555-0100") == "2175550100"
    assert reason(parse_phone, "555-0100") == "phone_format"
    assert parse_taxonomy("207q00000x") == "207Q00000X"
    assert reason(parse_taxonomy, "207Q0000") == "taxonomy_format"
