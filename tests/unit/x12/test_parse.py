"""``parse(remember=True)`` / ``recall``: what the inbox's read of a file built is handed to the
jobs after it exactly as ``read_835`` and ``read_277`` build it, once, for the same bytes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from revcycle.x12 import parse as parse_module
from revcycle.x12.mapping.claim_status import read_277
from revcycle.x12.mapping.remit835 import read_835
from revcycle.x12.parse import parse, recall
from tests.unit.x12.corpus import path

FIXTURES_835 = sorted((path("835")).glob("*"))
FIXTURES_277 = sorted((path("277")).glob("*.277"))


@pytest.fixture(autouse=True)
def _nothing_kept() -> Iterator[None]:
    parse_module._KEPT.clear()
    yield
    parse_module._KEPT.clear()


@pytest.mark.parametrize("source", FIXTURES_835, ids=lambda p: p.name)
def test_a_remembered_835_is_recalled_as_read_835_reads_it(source: Path) -> None:
    content = source.read_bytes()
    doc, report = parse(content, remember=True)
    remittances, expected = read_835(content)
    built = recall(content)
    if not remittances:
        assert built is None
        return
    assert built is not None
    assert list(built.remittances) == remittances
    assert built.report.valid == expected.valid == report.valid
    assert [f.to_json() for f in built.report.findings] == [f.to_json() for f in expected.findings]
    assert recall(content) is None  # handed over once
    assert parse(content)[0] == doc  # remembering changes nothing parse answers


@pytest.mark.parametrize("source", FIXTURES_277, ids=lambda p: p.name)
def test_a_remembered_277_is_recalled_as_read_277_reads_it(source: Path) -> None:
    content = source.read_bytes()
    doc, _ = parse(content, remember=True)
    responses, _ = read_277(content)
    built = recall(content)
    assert built is not None and list(built.status_responses) == responses
    assert not built.remittances
    assert parse(content)[0] == doc


def test_only_the_same_bytes_are_recalled_and_only_when_asked_to_remember() -> None:
    content = FIXTURES_835[0].read_bytes()
    parse(content)
    assert recall(content) is None
    parse(content, remember=True)
    assert recall(content + b"\n") is None
    assert recall(content) is not None


def test_what_is_kept_is_bounded_the_oldest_files_going_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = [p.read_bytes() for p in FIXTURES_835[:3]]
    monkeypatch.setattr(parse_module, "REMEMBER_BYTES", len(files[1]) + len(files[2]))
    for content in files:
        parse(content, remember=True)
    assert recall(files[0]) is None
    assert recall(files[1]) is not None and recall(files[2]) is not None
    monkeypatch.setattr(parse_module, "REMEMBER_BYTES", len(files[0]) - 1)
    parse(files[0], remember=True)  # larger than everything kept may be: not kept
    assert recall(files[0]) is None


def test_forget_drops_what_no_one_recalled() -> None:
    content = FIXTURES_835[0].read_bytes()
    parse(content, remember=True)
    parse_module.forget()
    assert recall(content) is None
