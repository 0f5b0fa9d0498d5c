"""Reading a form PDF back: every piece of text with its page, position and font."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader

from revcycle.forms.layout import Box, Rect


@dataclass(frozen=True)
class Text:
    page: int
    text: str
    x: float
    y: float
    font: str


def read_text(pdf: bytes) -> list[Text]:
    """Each drawn string as one item, at the start of its baseline (PDF points)."""
    reader = PdfReader(io.BytesIO(pdf))
    items: list[Text] = []
    for number, page in enumerate(reader.pages):

        def visit(
            text: str, cm: list[float], tm: list[float], font: Any, size: float, n: int = number
        ) -> None:
            value = text.strip()
            if not value:
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            name = str(font.get("/BaseFont", "")) if font else ""
            items.append(Text(n, value, x, y, name.lstrip("/")))

        page.extract_text(visitor_text=visit)
    return items


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def data(items: list[Text]) -> list[Text]:
    """The claim's data: printed in Courier, unlike the form's own labels."""
    return [item for item in items if item.font == "Courier"]


def where(items: list[Text], text: str, page: int = 0) -> list[Text]:
    return [item for item in items if item.text == text and item.page == page]


def assert_in_box(items: list[Text], text: str, box: Box, page: int = 0) -> None:
    rect: Rect = box.rect()
    found = where(items, text, page)
    assert found, (
        f"{text!r} not on page {page + 1}; saw {sorted({i.text for i in items if i.page == page})}"
    )
    assert any(rect.contains(i.x, i.y) for i in found), (
        f"{text!r} at {[(round(i.x, 1), round(i.y, 1)) for i in found]} is outside box {box.key} {rect}"
    )
