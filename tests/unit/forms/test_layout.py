"""The position tables: every slot inside its box, every box on the page."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import pytest

from revcycle.forms.layout import (
    CMS1500_BOXES,
    CMS1500_LINE_SLOTS,
    CMS1500_ROW_PITCH,
    CMS1500_SERVICE_ROWS,
    CMS1500_SLOTS,
    GRID,
    UB04_BOXES,
    UB04_LINE_SLOTS,
    UB04_ROW_PITCH,
    UB04_SERVICE_ROWS,
    UB04_SLOTS,
    Box,
    Slot,
)


def _slot_fits(slot: Slot, box: Box, line_offset: int = 0) -> bool:
    line = slot.line + line_offset
    return (
        box.col <= slot.col
        and slot.col + slot.width <= box.col + box.cols
        and box.line <= line < box.line + box.lines
    )


def _rows(slots: Mapping[str, Slot], rows: int, pitch: int) -> list[tuple[str, Slot, int]]:
    return [(key, slot, row * pitch) for key, slot in slots.items() for row in range(rows)]


@pytest.mark.parametrize(
    ("boxes", "placed"),
    [
        (CMS1500_BOXES, [(k, s, 0) for k, s in CMS1500_SLOTS.items()]),
        (CMS1500_BOXES, _rows(CMS1500_LINE_SLOTS, CMS1500_SERVICE_ROWS, CMS1500_ROW_PITCH)),
        (UB04_BOXES, [(k, s, 0) for k, s in UB04_SLOTS.items()]),
        (UB04_BOXES, _rows(UB04_LINE_SLOTS, UB04_SERVICE_ROWS, UB04_ROW_PITCH)),
    ],
    ids=["cms1500", "cms1500-lines", "ub04", "ub04-lines"],
)
def test_every_slot_lies_inside_its_box(
    boxes: Mapping[str, Box], placed: list[tuple[str, Slot, int]]
) -> None:
    outside = [
        (key, offset)
        for key, slot, offset in placed
        if slot.box not in boxes or not _slot_fits(slot, boxes[slot.box], offset)
    ]
    assert outside == []


@pytest.mark.parametrize("boxes", [CMS1500_BOXES, UB04_BOXES], ids=["cms1500", "ub04"])
def test_every_box_lies_on_the_page(boxes: Mapping[str, Box]) -> None:
    for box in boxes.values():
        rect = box.rect()
        assert 0 <= rect.x0 < rect.x1 <= GRID.page_width, box.key
        assert 0 <= rect.y0 < rect.y1 <= GRID.page_height, box.key


def test_service_line_columns_of_box_24_do_not_overlap() -> None:
    columns = sorted(
        (CMS1500_BOXES[f"24{letter}"] for letter in "ABCDEFGHIJ"),
        key=lambda b: b.col,
    )
    for left, right in itertools.pairwise(columns):
        assert left.col + left.cols == right.col
