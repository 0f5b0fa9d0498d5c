"""The BAI2 reader and the bank CSV reader: deposits out of bank files, and bad files refused
with the record or line named. A tiny BAI2 writer (tests only) proves the round trip."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revcycle.domain.money import Money
from revcycle.posting.bai2 import (
    Bai2Account,
    Bai2File,
    Bai2Group,
    Bai2Summary,
    Bai2Transaction,
    bai2_deposits,
    parse_bai2,
)
from revcycle.posting.bank import BankFileRejected, read_bank_csv, trace_from_text


def _cents(m: Money) -> str:
    return str(int(m.amount * 100))


def _yymmdd(d: date | None) -> str:
    return d.strftime("%y%m%d") if d else ""


def write_bai2(f: Bai2File) -> str:
    """Records with their counts and control totals computed (the reader checks them)."""
    lines: list[str] = []

    def rec(*fields: str) -> None:
        lines.append(",".join(fields) + "/")

    rec("01", f.sender, f.receiver, _yymmdd(f.creation_date), f.creation_time, f.file_id,
        f.record_length, f.block_size, f.version)  # fmt: skip
    file_total = 0
    for g in f.groups:
        g_start, g_total = len(lines), 0
        rec("02", g.ultimate_receiver, g.originator, g.status, _yymmdd(g.as_of_date),
            g.as_of_time, g.currency, g.as_of_modifier)  # fmt: skip
        for a in g.accounts:
            a_start, a_total = len(lines), 0
            fields: list[str] = []
            for s in a.summaries:
                amount = "" if s.amount is None else _cents(s.amount)
                fields += [s.type_code, amount, s.item_count, s.funds_type, *s.funds_detail]
                a_total += int(amount or 0)
            rec("03", a.number, a.currency, *fields)
            for t in a.transactions:
                rec("16", t.type_code, _cents(t.amount), t.funds_type, *t.funds_detail,
                    t.bank_reference, t.customer_reference, t.text)  # fmt: skip
                a_total += int(_cents(t.amount))
            rec("49", str(a_total), str(len(lines) - a_start + 1))
            g_total += a_total
        rec("98", str(g_total), str(len(g.accounts)), str(len(lines) - g_start + 1))
        file_total += g_total
    rec("99", str(file_total), str(len(f.groups)), str(len(lines) + 1))
    return "\n".join(lines) + "\n"


SAMPLE = """\
01,021000021,PRAIRIEFM,260616,0800,1,80,,2/
02,PRAIRIEFM,021000021,1,260615,2400,USD,2/
03,000123456789,USD,010,1500000,,,015,1543500,,/
16,165,8000,0,BR0001,EFT1,ACME HEALTH CCD TRN*1*EFT1*1234567890\\/
16,169,7900,0,BR0002,,MEDICARE B HCCLAIMPMT/
88,TRN*1*EFT2*1234567890\\
16,475,2500,0,BR0003,1001,CHECK PAID/
16,301,5500,0,BR0004,DEP77,BRANCH DEPOSIT/
49,3067400,7/
98,3067400,1,9/
99,3067400,1,11/
"""


def test_bai2_credits_become_deposits_with_their_trace_numbers():
    result = parse_bai2(SAMPLE)
    assert result.valid, result.findings
    bank = bai2_deposits(SAMPLE)
    assert [(d.amount, d.method, d.trace_number) for d in bank.deposits] == [
        (Money("80.00"), "ACH", "EFT1"),
        (Money("79.00"), "ACH", "EFT2"),  # the trace came on the 88 continuation
        (Money("55.00"), "CHK", ""),
    ]
    assert bank.debits_skipped == 1  # type 475 is a check paid, not a deposit
    first = bank.deposits[0]
    assert (first.deposit_date, first.reference, first.account) == (
        date(2026, 6, 15),
        "BR0001",
        "000123456789",
    )
    assert first.payer_identifier == "1234567890" and first.location == "record 4"


def test_a_wrong_account_control_total_is_rejected_naming_the_record():
    bad = SAMPLE.replace("49,3067400,7/", "49,3067300,7/")
    result = parse_bai2(bad)
    assert [(f.code, f.record) for f in result.findings] == [("bai2.account_total", 9)]
    assert "3067300" in result.findings[0].message
    with pytest.raises(BankFileRejected) as err:
        bai2_deposits(bad)
    assert [(e.field, e.reason) for e in err.value.errors] == [("record 9", "bai2.account_total")]


def test_wrong_record_counts_and_a_missing_trailer_are_findings():
    miscounted = SAMPLE.replace("99,3067400,1,11/", "99,3067400,1,12/")
    assert [(f.code, f.record) for f in parse_bai2(miscounted).findings] == [
        ("bai2.file_records", 11)
    ]
    cut = "".join(SAMPLE.splitlines(keepends=True)[:-1])
    assert [f.code for f in parse_bai2(cut).findings] == ["bai2.structure"]
    not_bai2 = "date,amount\n2026-06-15,10.00\n"
    assert parse_bai2(not_bai2).findings[0].record == 1


def test_an_unreadable_amount_names_its_record():
    bad = SAMPLE.replace("16,301,5500,", "16,301,55.00,")
    codes = {(f.code, f.record) for f in parse_bai2(bad).findings}
    assert ("bai2.amount", 8) in codes


_alnum = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=10)
_day = st.dates(date(2000, 1, 1), date(2069, 12, 31))
_cents_st = st.integers(0, 10**9).map(lambda c: Money(f"{c // 100}.{c % 100:02d}"))
_funds = st.one_of(
    st.tuples(st.sampled_from(["", "0", "1", "2", "Z"]), st.just(())),
    st.tuples(st.just("S"), st.tuples(*[st.integers(0, 9999).map(str)] * 3)),
    st.tuples(st.just("V"), st.tuples(_day.map(_yymmdd), st.just("1200"))),
    st.tuples(st.just("D"), st.tuples(st.just("1"), st.just("0"), st.integers(0, 999).map(str))),
)
_text = st.text("ABCXYZ0123456789 *,\\-.", max_size=40).map(str.rstrip)


@st.composite
def _transaction(draw: st.DrawFn) -> Bai2Transaction:
    funds, detail = draw(_funds)
    return Bai2Transaction(
        type_code=draw(st.sampled_from(["165", "169", "195", "301", "475", "699"])),
        amount=draw(_cents_st),
        funds_type=funds,
        funds_detail=detail,
        bank_reference=draw(_alnum),
        customer_reference=draw(st.one_of(st.just(""), _alnum)),
        text=draw(_text),
    )


@st.composite
def _summary(draw: st.DrawFn) -> Bai2Summary:
    funds, detail = draw(_funds)
    amount = draw(st.one_of(st.none(), _cents_st, _cents_st.map(lambda m: -m)))
    return Bai2Summary(
        type_code=draw(st.sampled_from(["010", "015", "040", "100", "400"])),
        amount=amount,
        item_count=draw(st.one_of(st.just(""), st.integers(0, 99).map(str))),
        funds_type=funds,
        funds_detail=detail,
    )


_account = st.builds(
    Bai2Account,
    number=_alnum,
    currency=st.sampled_from(["", "USD"]),
    summaries=st.lists(_summary(), max_size=3).map(tuple),
    transactions=st.lists(_transaction(), max_size=4).map(tuple),
)
_group = st.builds(
    Bai2Group,
    ultimate_receiver=_alnum,
    originator=_alnum,
    status=st.just("1"),
    as_of_date=_day,
    as_of_time=st.sampled_from(["", "0800", "2400"]),
    currency=st.sampled_from(["", "USD"]),
    as_of_modifier=st.sampled_from(["", "2"]),
    accounts=st.lists(_account, max_size=3).map(tuple),
)
_file = st.builds(
    Bai2File,
    sender=_alnum,
    receiver=_alnum,
    creation_date=_day,
    creation_time=st.sampled_from(["0000", "1230"]),
    file_id=_alnum,
    record_length=st.sampled_from(["", "80"]),
    block_size=st.sampled_from(["", "0"]),
    version=st.just("2"),
    groups=st.lists(_group, min_size=1, max_size=3).map(tuple),
)


@settings(max_examples=150, deadline=None)
@given(_file)
def test_a_written_bai2_file_reads_back_the_same(f: Bai2File):
    result = parse_bai2(write_bai2(f))
    assert result.findings == ()
    assert result.file == f


def test_a_bank_csv_with_common_header_names_imports_its_credits():
    text = (
        "Posting Date,Description,Credit,Reference Number,Type\n"
        '06/15/2026,"ACME HEALTH HCCLAIMPMT TRN*1*EFT1*1234567890\\","$1,080.00",BR1,ACH CREDIT\n'
        "2026-06-16,BANK FEE,(12.00),BR2,FEE\n"
        "06/17/26,LOCKBOX DEPOSIT CHECK 1001,55.00,BR3,DEPOSIT\n"
    )
    bank = read_bank_csv(text)
    assert [(d.deposit_date, d.amount, d.reference, d.trace_number, d.method)
            for d in bank.deposits] == [
        (date(2026, 6, 15), Money("1080.00"), "BR1", "EFT1", "ACH"),
        (date(2026, 6, 17), Money("55.00"), "BR3", "", "CHK"),
    ]  # fmt: skip
    assert bank.debits_skipped == 1


def test_a_csv_without_an_amount_column_says_which_column_is_missing():
    with pytest.raises(BankFileRejected) as err:
        read_bank_csv("Date,Description,Balance\n2026-06-15,ACH,10.00\n")
    [error] = err.value.errors
    assert error.field == "header.amount" and error.reason == "column_missing"
    assert "'Balance'" in error.message


def test_a_csv_with_a_bad_row_names_the_line_and_imports_nothing():
    text = "date,amount,reference\n2026-06-15,10.00,A\n2026-06-XX,11.00,B\n2026-06-16,ten,C\n"
    with pytest.raises(BankFileRejected) as err:
        read_bank_csv(text)
    assert [(e.field, e.reason) for e in err.value.errors] == [
        ("line 3.date", "invalid_date"),
        ("line 4.amount", "invalid_amount"),
    ]


def test_the_trace_comes_from_the_ccd_plus_addenda():
    assert trace_from_text("PMT TRN*1*1234567*1512345678\\ X") == ("1234567", "1512345678")
    assert trace_from_text("no addenda here") == ("", "")
