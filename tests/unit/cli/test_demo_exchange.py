"""The demo's simulator process answers like the simulator in process, file for file, reports
each delivery as it happens, answers uploads while serving, and fails loudly, never hangs."""

from __future__ import annotations

from pathlib import Path

import pytest

from revcycle.cli.demo_exchange import (
    AnnouncingMailbox,
    ReleasedMailbox,
    SimulatorProcess,
    SimulatorProcessError,
)
from revcycle.payer.mailboxes import ClearinghouseMailboxes
from revcycle.transport.filesystem import FilesystemMailbox
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.claim837 import write_837
from tests.unit.payer.simkit import ENVELOPE, NOW, SUBMITTER, SUBMITTER_ID, claim, make_rig


def _batch(start: int, *pcns: str) -> bytes:
    claims = [claim(p) for p in pcns]
    text = write_837(claims, SUBMITTER, ENVELOPE, InMemoryControlNumbers(start), NOW)
    return text.encode("latin-1")


def _inbound(root: Path) -> list[tuple[str, bytes]]:
    folder = root / SUBMITTER_ID / "inbound"
    return [(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.name[0] != "."]


def _in_process(tmp_path: Path, uploads: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """What the simulator in this process answers to ``uploads``."""
    rig = make_rig(tmp_path / "here")
    box = FilesystemMailbox(rig.root, SUBMITTER_ID)
    for name, data in uploads:
        box.put(name, data)
    rig.sim.step(NOW)
    rig.sim.close()
    return _inbound(rig.root)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "child" / "root"
    ClearinghouseMailboxes(root).register(SUBMITTER_ID)
    return root


def test_the_child_answers_uploads_as_the_simulator_in_process_does(
    tmp_path: Path, root: Path
) -> None:
    uploads = [("837P-P1-000000001.x12", _batch(1, "P1", "P2"))]
    box = FilesystemMailbox(root, SUBMITTER_ID)
    for name, data in uploads:
        box.put(name, data)
    seen: list[set[str]] = []
    sim = SimulatorProcess(root, tmp_path / "child" / "state", 0)
    try:
        answered = sim.step(NOW, lambda released: seen.append(set(released)))
    finally:
        sim.close()
    got = _inbound(root)
    assert answered == (1, 0)
    assert [n for n, _ in got] and got == _in_process(tmp_path, uploads)  # 999, then 277CA
    assert all(s <= {n for n, _ in got} for s in seen)  # only files the child delivered


def test_while_serving_the_child_answers_each_upload_in_order(tmp_path: Path, root: Path) -> None:
    uploads = [
        ("837P-P1-000000001.x12", _batch(1, "P1")),
        ("837P-P1-000000002.x12", _batch(2, "P2")),
        ("837P-P1-000000003.x12", _batch(3, "P3")),
    ]
    box = AnnouncingMailbox(FilesystemMailbox(root, SUBMITTER_ID))
    sim = SimulatorProcess(root, tmp_path / "child" / "state", 0)
    try:
        with sim.serving(NOW, box):
            for name, data in uploads:
                box.put(name, data)
        assert box.announce is None
        answered, _ = sim.step(NOW)
    finally:
        sim.close()
    assert answered <= len(uploads)  # the rest were answered while serving
    assert _inbound(root) == _in_process(tmp_path, uploads)


def test_a_released_view_lists_only_the_files_delivered_so_far(root: Path) -> None:
    box = ClearinghouseMailboxes(root)
    box.deliver(SUBMITTER_ID, "00000001-999.x12", b"one")
    box.deliver(SUBMITTER_ID, "00000002-277CA.x12", b"two")
    released = {"00000001-999.x12"}
    view = ReleasedMailbox(FilesystemMailbox(root, SUBMITTER_ID), released)
    assert [e.name for e in view.list_inbound()] == ["00000001-999.x12"]
    view.acknowledge("00000001-999.x12")
    assert released == set() and view.list_inbound() == []


def test_a_failure_in_the_child_raises_in_the_parent_with_its_traceback(
    tmp_path: Path, root: Path
) -> None:
    FilesystemMailbox(root, SUBMITTER_ID).put("837P-P1-000000001.x12", _batch(1, "P1"))
    sim = SimulatorProcess(root, tmp_path / "child" / "state", 0)
    try:
        with pytest.raises(SimulatorProcessError, match=r"(?s)in 'step'.*Traceback"):
            sim.step("not a time")  # type: ignore[arg-type]
    finally:
        sim.close()


def test_a_child_that_cannot_start_raises_in_the_parent(tmp_path: Path, root: Path) -> None:
    state = tmp_path / "state-is-a-file"
    state.write_text("not a folder")
    sim = SimulatorProcess(root, state, 0)
    try:
        with pytest.raises(SimulatorProcessError, match=r"(?s)in 'start'.*Traceback"):
            sim.step(NOW)
    finally:
        sim.close()


def test_a_child_that_dies_raises_instead_of_hanging_and_close_ends_it(
    tmp_path: Path, root: Path
) -> None:
    sim = SimulatorProcess(root, tmp_path / "child" / "state", 0)
    try:
        sim.step(NOW)
        sim._process.kill()
        with pytest.raises(SimulatorProcessError, match="ended"):
            sim.step(NOW)
    finally:
        sim.close()
    sim.close()  # again: nothing left to stop
    assert not sim._process.is_alive()
    with pytest.raises(SimulatorProcessError, match="closed"):
        sim.step(NOW)
