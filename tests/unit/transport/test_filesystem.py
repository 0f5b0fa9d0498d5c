"""The filesystem mailbox on its own: hidden temporaries, no clobbering, listing order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from revcycle.transport import (
    FilesystemMailbox,
    InvalidFileName,
    Mailbox,
    MailboxFileExists,
    RetryPolicy,
    TransportError,
)


def test_it_implements_the_mailbox_protocol(tmp_path: Path) -> None:
    assert isinstance(FilesystemMailbox(tmp_path, "S1"), Mailbox)


def test_unfinished_and_foreign_files_are_not_listed(tmp_path: Path) -> None:
    box = FilesystemMailbox(tmp_path, "S1")
    inbound = tmp_path / "S1" / "inbound"
    (inbound / ".835.x12.abc.part").write_bytes(b"half")
    (inbound / "weird name.txt").write_bytes(b"?")
    (inbound / "folder").mkdir()
    (inbound / "r1.999").write_bytes(b"999")
    assert [e.name for e in box.list_inbound()] == ["r1.999"]


def test_inbound_files_are_listed_oldest_first(tmp_path: Path) -> None:
    box = FilesystemMailbox(tmp_path, "S1")
    inbound = tmp_path / "S1" / "inbound"
    for name, mtime in (("b.277", 3_000), ("a.835", 2_000), ("c.999", 1_000)):
        (inbound / name).write_bytes(b"x")
        os.utime(inbound / name, (mtime, mtime))
    assert [e.name for e in box.list_inbound()] == ["c.999", "a.835", "b.277"]


def test_a_refused_put_leaves_no_temporary_behind(tmp_path: Path) -> None:
    box = FilesystemMailbox(tmp_path, "S1")
    box.put("batch.x12", b"one")
    with pytest.raises(MailboxFileExists):
        box.put("batch.x12", b"two")
    assert os.listdir(tmp_path / "S1" / "outbound") == ["batch.x12"]
    assert (tmp_path / "S1" / "outbound" / "batch.x12").read_bytes() == b"one"


def test_submitter_ids_cannot_escape_the_root(tmp_path: Path) -> None:
    for bad in ("..", "../x", "a/b", ""):
        with pytest.raises(InvalidFileName):
            FilesystemMailbox(tmp_path, bad)


def test_a_closed_mailbox_refuses_work(tmp_path: Path) -> None:
    with FilesystemMailbox(tmp_path, "S1") as box:
        pass
    with pytest.raises(TransportError):
        box.list_inbound()


def test_the_retry_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(attempts=6, initial_delay=0.5, multiplier=2, max_delay=3)
    assert [policy.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3, 3]
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)
