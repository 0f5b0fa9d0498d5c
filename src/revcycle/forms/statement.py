"""The patient statement, as PDF.

``statement_pdf(doc)`` prints a :class:`StatementDocument` on US letter pages: the practice
(remit-to) and the guarantor's mailing block, the statement number, date and account, the line
detail (date of service, procedure, charge, insurance paid, adjustments, patient paid, patient
owes), the aging buckets, credits, the amount due (or the payment-plan installment due) and the
dunning message.

Invariants (as for the claim forms, :mod:`revcycle.forms.common`):
- the same document gives the same bytes: reportlab's invariant mode, no clock read;
- each value is drawn as its own string, so a PDF reader gets it back whole;
- amounts print as ``$1,234.56`` and are never cut; names and addresses are cut to their room;
- a long statement continues on further pages, the totals printed on the last.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from revcycle.domain.money import Money

LINES_PER_PAGE = 24
LETTER = (612.0, 792.0)  # US letter, in points
_LEFT = 48.0
_RIGHT = LETTER[0] - 48.0
_GREY = Color(0.92, 0.92, 0.92)
_BLACK = Color(0, 0, 0)


@dataclass(frozen=True, slots=True)
class StatementLine:
    service_date: date | None
    procedure: str
    charge: Money
    insurance_paid: Money
    adjustments: Money
    patient_paid: Money
    patient_owes: Money


@dataclass(frozen=True, slots=True)
class StatementDocument:
    number: str
    statement_date: date
    account: str
    practice_name: str
    practice_address: tuple[str, ...]
    practice_phone: str
    guarantor_name: str
    guarantor_address: tuple[str, ...]
    patient_name: str
    lines: tuple[StatementLine, ...]
    aging: tuple[tuple[str, Money], ...]
    balance: Money
    credit: Money
    amount_due: Money
    message: str
    installment_due: Money | None = None
    installment_date: date | None = None


def plain(text: str) -> str:
    """ASCII with single spaces (the standard fonts carry no other glyphs)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(ascii_text.split())


def dollars(money: Money) -> str:
    sign = "-" if money.is_negative() else ""
    return f"{sign}${abs(money.amount):,.2f}"


def _mdy(day: date | None) -> str:
    return day.strftime("%m/%d/%Y") if day else ""


_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("Date", _LEFT, "left"),
    ("Service", _LEFT + 70, "left"),
    ("Charge", _LEFT + 200, "right"),
    ("Insurance paid", _LEFT + 280, "right"),
    ("Adjustments", _LEFT + 355, "right"),
    ("You paid", _LEFT + 425, "right"),
    ("You owe", _RIGHT, "right"),
)


@lru_cache(maxsize=4096)
def _number(value: float) -> str:
    return str(fp_str(value))


@lru_cache(maxsize=4096)
def _literal(text: str) -> str:
    return str(escapePDF(text.encode("ascii")))


@lru_cache(maxsize=4096)
def _width(text: str, font: str, size: float) -> float:
    return float(stringWidth(text, font, size))


def _show(x: float, y: float, text: str) -> str:
    """The operators ``Canvas.drawString(x, y, text)`` writes for ``plain`` (ASCII) text in a
    standard font, built here with reportlab's own number format and escaping: a statement
    draws some seventy strings, and the canvas's text objects cost most of its time."""
    return f"BT 1 0 0 1 {_number(x)} {_number(y)} Tm ({_literal(text)}) Tj T* ET"


class _Writer:
    def __init__(self, title: str) -> None:
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=LETTER, invariant=1, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setCreator("revcycle")
        self.canvas.setAuthor("revcycle")
        self._ops: dict[object, str] = {}

    def text(
        self,
        x: float,
        y: float,
        value: str,
        *,
        size: float = 9,
        bold: bool = False,
        width: int = 60,
    ) -> None:
        clean = plain(value)[:width] if width else plain(value)
        if not clean:
            return
        self._black("Helvetica-Bold" if bold else "Helvetica", size)
        self.canvas.addLiteral(_show(x, y, clean))

    def right(self, x: float, y: float, value: str, *, size: float = 9, bold: bool = False) -> None:
        font = "Helvetica-Bold" if bold else "Helvetica"
        clean = plain(value)
        self._black(font, size)
        self.canvas.addLiteral(_show(x - _width(clean, font, size), y, clean))

    def _black(self, font: str, size: float) -> None:
        """``setFillColor(black)`` and ``setFont(font, size)``, as the canvas writes them."""
        self._once(_BLACK, lambda: self.canvas.setFillColor(_BLACK))
        self._once((font, size), lambda: self.canvas.setFont(font, size))

    def _once(self, key: object, call: Callable[[], None]) -> None:
        """``call`` through the canvas the first time in the document (the font is registered,
        the fill's transparency state set); afterwards the one operator it wrote then, which
        is what the canvas writes for the same call again."""
        op = self._ops.get(key)
        if op is not None:
            self.canvas.addLiteral(op)
            return
        code = self.canvas._code
        before = len(code)
        call()
        if len(code) == before + 1:
            self._ops[key] = code[-1]

    def band(self, y: float, height: float = 14) -> None:
        self.canvas.setFillColor(_GREY)
        self.canvas.rect(_LEFT - 4, y - 4, _RIGHT - _LEFT + 8, height, stroke=0, fill=1)

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def _header(w: _Writer, doc: StatementDocument, page: int, pages: int) -> float:
    top = LETTER[1] - 54
    w.text(_LEFT, top, doc.practice_name, size=13, bold=True)
    y = top - 14
    for line in (*doc.practice_address, doc.practice_phone):
        w.text(_LEFT, y, line)
        y -= 11
    w.right(_RIGHT, top, "PATIENT STATEMENT", size=13, bold=True)
    for i, (label, value) in enumerate(
        (
            ("Statement", doc.number),
            ("Statement date", _mdy(doc.statement_date)),
            ("Account", doc.account),
            ("Page", f"{page} of {pages}"),
        )
    ):
        w.right(_RIGHT - 90, top - 16 - 11 * i, label)
        w.right(_RIGHT, top - 16 - 11 * i, value, bold=True)
    y = top - 90
    w.text(_LEFT, y, doc.guarantor_name, size=10, bold=True, width=40)
    for line in doc.guarantor_address:
        y -= 12
        w.text(_LEFT, y, line, size=10, width=40)
    w.text(_LEFT + 300, top - 90, "Patient")
    w.text(_LEFT + 350, top - 90, doc.patient_name, bold=True, width=32)
    return top - 170


def _table_head(w: _Writer, y: float) -> float:
    w.band(y)
    for title, x, align in _COLUMNS:
        if align == "left":
            w.text(x, y, title, bold=True)
        else:
            w.right(x, y, title, bold=True)
    return y - 16


def _line(w: _Writer, y: float, ln: StatementLine) -> None:
    values = (
        _mdy(ln.service_date),
        ln.procedure,
        dollars(ln.charge),
        dollars(ln.insurance_paid),
        dollars(ln.adjustments),
        dollars(ln.patient_paid),
        dollars(ln.patient_owes),
    )
    for (_title, x, align), value in zip(_COLUMNS, values, strict=True):
        if align == "left":
            w.text(x, y, value, width=18)
        else:
            w.right(x, y, value)


def _totals(w: _Writer, doc: StatementDocument, y: float) -> None:
    y -= 8
    w.band(y)
    labels = [label for label, _ in doc.aging]
    width = (_RIGHT - _LEFT) / max(len(labels), 1)
    for i, (label, amount) in enumerate(doc.aging):
        x = _LEFT + width * (i + 1) - 6
        w.right(x, y, label, bold=True)
        w.right(x, y - 14, dollars(amount))
    y -= 44
    rows: list[tuple[str, str]] = [("Balance", dollars(doc.balance))]
    if doc.credit:
        rows.append(("Credits on account", dollars(-doc.credit)))
    rows.append(("Amount due", dollars(doc.amount_due)))
    if doc.installment_due is not None:
        when = f" by {_mdy(doc.installment_date)}" if doc.installment_date else ""
        rows.append((f"Payment plan installment due{when}", dollars(doc.installment_due)))
    for label, value in rows:
        bold = label.startswith(("Amount due", "Payment plan"))
        w.right(_RIGHT - 90, y, label, bold=bold, size=10)
        w.right(_RIGHT, y, value, bold=bold, size=10)
        y -= 14
    y -= 10
    w.text(_LEFT, y, doc.message, size=10, bold=True, width=110)
    y -= 24
    w.text(
        _LEFT,
        y,
        f"Please make checks payable to {doc.practice_name} and write account {doc.account} "
        "on your check.",
        size=8,
        width=130,
    )


def statement_pdf(doc: StatementDocument) -> bytes:
    """The statement as PDF bytes (deterministic)."""
    pages: Sequence[tuple[StatementLine, ...]] = [
        doc.lines[i : i + LINES_PER_PAGE] for i in range(0, len(doc.lines), LINES_PER_PAGE)
    ] or [()]
    w = _Writer(f"Statement {doc.number}")
    for number, chunk in enumerate(pages, start=1):
        if number > 1:
            w.canvas.showPage()
        y = _table_head(w, _header(w, doc, number, len(pages)))
        for ln in chunk:
            _line(w, y, ln)
            y -= 13
        if number == len(pages):
            _totals(w, doc, y)
        else:
            w.text(_LEFT, y - 8, "continued on the next page")
    return w.finish()
