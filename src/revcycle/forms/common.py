"""What both paper forms share: errors, value formatting and a deterministic PDF writer.

Invariants:
- the same calls give the same bytes: reportlab runs in invariant mode (fixed dates and document
  id), pages are compressed with zlib (deterministic), and no clock is read;
- data prints in upper-case ASCII Courier at 10 characters per inch, so one character fills one
  column of the form's grid (:mod:`revcycle.forms.layout`);
- amounts print as dollars, a space, and two cents digits (the forms have a dotted line where the
  decimal point would be); they are never truncated, only names and addresses are.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Literal, TypeVar

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from revcycle.domain.claim import Address, Claim, ClaimKind, Person, Provider
from revcycle.domain.errors import DomainValidationError, FieldError
from revcycle.domain.money import Money
from revcycle.forms.layout import GRID, Box, Grid, Slot

FormMode = Literal["full", "data_only"]
T = TypeVar("T")

DATA_FONT = "Courier"
DATA_SIZE = 12.0  # Courier at 12 pt advances 7.2 pt per character: 10 per inch
LABEL_FONT = "Helvetica"
LABEL_SIZE = 5.0
FORM_RED = Color(0.86, 0.16, 0.16)
SHADE = Color(1.0, 0.91, 0.91)


class WrongFormForClaim(DomainValidationError):
    """A professional claim asked for as a UB-04, or an institutional one as a CMS-1500."""

    code = "wrong_form_for_claim"

    def __init__(self, message: str) -> None:
        super().__init__([FieldError("kind", "wrong_form_for_claim", message)])


class ClaimDoesNotFitForm(DomainValidationError):
    """The claim carries data the paper form has no room for (bill it electronically)."""

    code = "claim_does_not_fit_form"

    def __init__(self, field: str, message: str) -> None:
        super().__init__([FieldError(field, "claim_does_not_fit_form", message)])


def require_kind(claim: Claim, kind: ClaimKind, form: str, other_function: str) -> None:
    if claim.kind is not kind:
        what = "professional" if kind is ClaimKind.PROFESSIONAL else "institutional"
        raise WrongFormForClaim(
            f"the {form} is for {what} claims; this claim is {claim.kind.name.lower()} "
            f"(use {other_function})"
        )


def require_balanced(claim: Claim) -> None:
    if claim.total_charge != claim.line_charge_total():
        raise ClaimDoesNotFitForm(
            "total_charge", "the claim total does not equal the sum of its line charges"
        )


def chunks(items: tuple[T, ...], size: int) -> list[tuple[T, ...]]:
    """``items`` in pages of ``size``; an empty claim still gets one (empty) page."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [()]


# ---------------------------------------------------------------------------- value formatting


def printable(text: str) -> str:
    """Upper-case ASCII with single spaces: what OCR readers of paper claims expect."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(ascii_text.upper().split())


def amount(money: Money) -> str:
    """``Money('1250.05')`` -> ``'1250 05'``: dollars, a space, cents."""
    value = money.amount
    sign = "-" if value < 0 else ""
    cents = int((abs(value) * 100).to_integral_value())
    return f"{sign}{cents // 100} {cents % 100:02d}"


def quantity(value: Decimal) -> str:
    """Units without trailing zeros: ``Decimal('2.000')`` -> ``'2'``, ``Decimal('1.50')`` -> ``'1.5'``."""
    return format(value.normalize(), "f")


def mmddyy(day: date | None) -> str:
    return day.strftime("%m%d%y") if day else ""


def mmddyyyy(day: date | None) -> str:
    return day.strftime("%m%d%Y") if day else ""


def person_name(person: Person) -> str:
    """``LAST SUFFIX, FIRST, M``: the patient / insured name boxes."""
    last = f"{person.last_name} {person.suffix}".strip()
    parts = [last, person.first_name]
    if person.middle_name:
        parts.append(person.middle_name[0])
    return ", ".join(p for p in parts if p)


def provider_name(provider: Provider) -> str:
    """An organization's name, or a person as ``FIRST M LAST``."""
    if not provider.is_person:
        return provider.last_or_org_name
    middle = provider.middle_name[:1]
    return " ".join(p for p in (provider.first_name, middle, provider.last_or_org_name) if p)


def city_line(address: Address | None) -> str:
    if address is None:
        return ""
    return " ".join(p for p in (address.city, address.state, address.postal_code) if p)


def street_line(address: Address | None) -> str:
    if address is None:
        return ""
    return " ".join(p for p in (address.line1, address.line2) if p)


def phone_parts(phone: str) -> tuple[str, str]:
    """``'(555) 123-4567'`` -> ``('555', '1234567')``; anything else goes whole in the number."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 10:
        return digits[:3], digits[3:]
    return "", digits


# ---------------------------------------------------------------------------- the PDF writer


class FormWriter:
    """Pages of one form: puts text at slots and, in full mode, draws the boxes."""

    def __init__(self, title: str, grid: Grid = GRID) -> None:
        self.grid = grid
        self._buffer = io.BytesIO()
        self._canvas = Canvas(
            self._buffer,
            pagesize=(grid.page_width, grid.page_height),
            invariant=1,
            pageCompression=1,
        )
        self._canvas.setTitle(title)
        self._canvas.setCreator("revcycle")
        self._canvas.setAuthor("revcycle")
        self._started = False

    def new_page(self) -> None:
        if self._started:
            self._canvas.showPage()
        self._started = True

    def put(self, slot: Slot, text: str, *, line_offset: int = 0) -> None:
        """Print ``text`` at ``slot``; names are cut to the slot width, amounts never are."""
        value = printable(text)
        if not value:
            return
        if slot.align == "right":
            col = slot.col + slot.width - len(value)
        else:
            value = value[: slot.width]
            col = slot.col
        canvas = self._canvas
        canvas.setFillColor(Color(0, 0, 0))
        canvas.setFont(DATA_FONT, DATA_SIZE)
        canvas.drawString(self.grid.x(col), self.grid.baseline(slot.line + line_offset), value)

    # ------------------------------------------------------------------ full-mode drawing

    def shade_lines(self, lines: list[int], first_col: float, cols: float) -> None:
        canvas = self._canvas
        canvas.setFillColor(SHADE)
        for line in lines:
            top = self.grid.line_top(line)
            canvas.rect(
                self.grid.x(first_col),
                top - self.grid.line_pitch,
                cols * self.grid.col_pitch,
                self.grid.line_pitch,
                stroke=0,
                fill=1,
            )

    def rule(self, line: float, first_col: float, cols: float) -> None:
        """A horizontal line along the top edge of ``line``."""
        y = self.grid.line_top(line)
        self._canvas.setStrokeColor(FORM_RED)
        self._canvas.setLineWidth(0.4)
        x0 = self.grid.x(first_col)
        self._canvas.line(x0, y, x0 + cols * self.grid.col_pitch, y)

    def box(self, box: Box) -> None:
        rect = box.rect(self.grid)
        canvas = self._canvas
        canvas.setStrokeColor(FORM_RED)
        canvas.setLineWidth(0.6)
        canvas.rect(rect.x0, rect.y0, rect.x1 - rect.x0, rect.y1 - rect.y0, stroke=1, fill=0)
        self.label(box.caption, rect.x0 + 1.5, rect.y1 - LABEL_SIZE - 0.5)

    def check_box(self, slot: Slot) -> None:
        """The little square a check-box slot's ``X`` prints into, captioned above."""
        x = self.grid.x(slot.col)
        base = self.grid.baseline(slot.line)
        canvas = self._canvas
        canvas.setStrokeColor(FORM_RED)
        canvas.setLineWidth(0.5)
        canvas.rect(x - 0.5, base - 2.0, self.grid.col_pitch + 1.0, 9.5, stroke=1, fill=0)
        self.label(slot.caption, x - 0.5, base + 8.5)

    def caption_above(self, slot: Slot) -> None:
        self.label(slot.caption, self.grid.x(slot.col), self.grid.baseline(slot.line) + 8.5)

    def caption_before(self, slot: Slot) -> None:
        x = self.grid.x(slot.col) - 1.0
        self._canvas.setFillColor(FORM_RED)
        self._canvas.setFont(LABEL_FONT, LABEL_SIZE + 1)
        self._canvas.drawRightString(x, self.grid.baseline(slot.line), f"{slot.caption}.")

    def label(self, text: str, x: float, y: float, size: float = LABEL_SIZE) -> None:
        if not text:
            return
        self._canvas.setFillColor(FORM_RED)
        self._canvas.setFont(LABEL_FONT, size)
        self._canvas.drawString(x, y, text)

    def title(self, text: str, line: float, col: float, size: float = 11.0) -> None:
        self._canvas.setFillColor(FORM_RED)
        self._canvas.setFont("Helvetica-Bold", size)
        self._canvas.drawString(self.grid.x(col), self.grid.baseline(line), text)

    def finish(self) -> bytes:
        if not self._started:
            self.new_page()
        self._canvas.showPage()
        self._canvas.save()
        return self._buffer.getvalue()
