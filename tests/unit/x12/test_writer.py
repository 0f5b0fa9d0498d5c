from datetime import date
from decimal import Decimal

import pytest

from revcycle.domain.money import Money
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.errors import ControlNumberError, WriteError
from revcycle.x12.mapping.claim837 import read_837, write_837
from revcycle.x12.reader import Delimiters, Reader
from revcycle.x12.validator import Validator
from revcycle.x12.writer import SegmentWriter, TransactionSet, fmt, write_interchange
from tests.unit.x12.samples import ENVELOPE, NOW, SUBMITTER, professional, variety


def test_values_are_formatted_by_type():
    assert fmt(Money("150.00"), ":") == "150"
    assert fmt(Money("-12.50"), ":") == "-12.5"
    assert fmt(Decimal("2.000"), ":") == "2"
    assert fmt(date(2026, 2, 3), ":") == "20260203"
    assert fmt(["HC", "99213", "25", ""], ":") == "HC:99213:25"
    assert fmt(None, ":") == ""


def test_trailing_empty_elements_are_dropped():
    w = SegmentWriter(Delimiters(suffix=""))
    assert w.segment(["NM1", "85", "2", "NAME", "", "", ""]) == "NM1*85*2*NAME~"


def test_control_numbers_come_from_the_source_and_are_never_reused():
    control = InMemoryControlNumbers()
    first = write_837([professional()], SUBMITTER, ENVELOPE, control, NOW)
    second = write_837([professional()], SUBMITTER, ENVELOPE, control, NOW)
    assert "*000000001*0*T*:~" in first and "*000000002*0*T*:~" in second
    assert "ST*837*0001*" in first and "ST*837*0002*" in second


def test_an_exhausted_sequence_is_an_error():
    control = InMemoryControlNumbers(start=1_000_000_000)
    with pytest.raises(ControlNumberError):
        control.next("ZZ:X", "interchange")


def test_other_delimiters_are_honoured():
    d = Delimiters("|", "!", "^", "\n", "")
    text = write_interchange(
        ENVELOPE,
        "HC",
        [TransactionSet("837", "005010X222A1", [["BHT", "0019"]])],
        InMemoryControlNumbers(),
        NOW,
        d,
        check=False,
    )
    segs = list(Reader(text))
    assert segs[0][16] == "!" and segs[2][0] == "ST"


def test_an_empty_interchange_is_refused():
    with pytest.raises(WriteError):
        write_interchange(ENVELOPE, "HC", [], InMemoryControlNumbers(), NOW)


@pytest.mark.parametrize("name", sorted(variety()))
def test_837_reads_back_into_the_same_claim(name):
    claim = variety()[name]
    (back,), report = read_837(
        write_837([claim], SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW)
    )
    assert report.findings == []
    # 2330A carries no demographics: the other payer's subscriber comes back without them
    expected = claim.__class__(
        **{
            **{f: getattr(claim, f) for f in claim.__dataclass_fields__},
            "other_payers": tuple(
                o.__class__(**{**{f: getattr(o, f) for f in o.__dataclass_fields__},
                               "subscriber": o.subscriber.__class__(o.subscriber.last_name, o.subscriber.first_name,
                                                                    o.subscriber.middle_name, o.subscriber.suffix,
                                                                    None, "U", o.subscriber.address)})
                for o in claim.other_payers
            ),
        }
    )  # fmt: skip
    assert back == expected


def test_written_files_validate_clean_with_revcycle():
    for claim in variety().values():
        text = write_837([claim], SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW, check=False)
        assert Validator().run(Reader(text)).findings == []
