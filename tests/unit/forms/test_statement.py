"""The statement PDF: deterministic, every value printed whole, long statements paginated."""

from __future__ import annotations

from datetime import date

import pytest

from revcycle.domain.money import Money
from revcycle.forms import statement as statement_form
from revcycle.forms.statement import (
    StatementDocument,
    StatementLine,
    dollars,
    plain,
    statement_pdf,
)
from tests.unit.forms.pdftext import page_count, read_text


def doc(lines: int = 2, **overrides) -> StatementDocument:
    data = dict(
        number="S0000007",
        statement_date=date(2026, 6, 30),
        account="S1",
        practice_name="Test Family Practice",
        practice_address=("PO Box 9", "Springfield, IL 62708-0009"),
        practice_phone="(217) 555-0100",
        guarantor_name="José Rivera",
        guarantor_address=("12 Oak St", "Springfield, IL 62704"),
        patient_name="Leo Rivera",
        lines=tuple(
            StatementLine(
                date(2026, 6, 1),
                "99213",
                Money("120.00"),
                Money("80.00"),
                Money("20.00"),
                Money("0.00"),
                Money("20.00"),
            )
            for _ in range(lines)
        ),
        aging=(("current", Money("40.00")), ("31-60", Money.zero())),
        balance=Money("40.00"),
        credit=Money("5.00"),
        amount_due=Money("35.00"),
        message="This is your statement.",
    )
    data.update(overrides)
    return StatementDocument(**data)


def texts(pdf: bytes) -> set[str]:
    return {t.text for t in read_text(pdf)}


def test_the_same_statement_gives_the_same_bytes():
    assert statement_pdf(doc()) == statement_pdf(doc())


def test_the_statement_prints_amounts_aging_credit_and_message():
    seen = texts(statement_pdf(doc()))
    for expected in ("S0000007", "06/30/2026", "Jose Rivera", "06/01/2026", "99213", "$120.00",
                     "$35.00", "-$5.00", "current", "$40.00", "This is your statement."):  # fmt: skip
        assert expected in seen, expected


def test_a_plan_installment_is_printed_when_given():
    seen = texts(
        statement_pdf(doc(installment_due=Money("15.00"), installment_date=date(2026, 7, 1)))
    )
    assert "Payment plan installment due by 07/01/2026" in seen and "$15.00" in seen


def test_a_long_statement_continues_on_more_pages_with_totals_on_the_last():
    pdf = statement_pdf(doc(lines=30))
    assert page_count(pdf) == 2
    items = read_text(pdf)
    assert any(t.text == "Amount due" and t.page == 1 for t in items)
    assert not any(t.text == "Amount due" and t.page == 0 for t in items)


def test_dollars_group_thousands_and_sign():
    assert dollars(Money("1234.5")) == "$1,234.50" and dollars(Money("-3")) == "-$3.00"


class _CanvasWriter(statement_form._Writer):
    """The writer drawing every string through the canvas's own calls (setFillColor, setFont,
    drawString, drawRightString): the reference the statement's faster writer must match."""

    def text(self, x, y, value, *, size=9, bold=False, width=60):
        clean = plain(value)[:width] if width else plain(value)
        if not clean:
            return
        self.canvas.setFillColor(statement_form._BLACK)
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.canvas.drawString(x, y, clean)

    def right(self, x, y, value, *, size=9, bold=False):
        self.canvas.setFillColor(statement_form._BLACK)
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.canvas.drawRightString(x, y, plain(value))


@pytest.mark.parametrize(
    "document",
    [
        doc(),
        doc(lines=0, credit=Money.zero()),
        doc(lines=60, guarantor_name="Zoë (O'Brien) \\ Ñuñez", message="Past due (60+ days)"),
        doc(installment_due=Money("25.00"), installment_date=date(2026, 7, 15)),
        doc(amount_due=Money("-1234567.89"), practice_phone=""),
    ],
)
def test_the_statement_is_byte_for_byte_what_the_canvas_calls_draw(document, monkeypatch):
    fast = statement_pdf(document)
    monkeypatch.setattr(statement_form, "_Writer", _CanvasWriter)
    assert fast == statement_pdf(document)
