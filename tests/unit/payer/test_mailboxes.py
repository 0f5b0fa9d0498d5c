"""The clearinghouse side of the mailboxes: taking uploads, delivering responses, logins."""

from __future__ import annotations

from pathlib import Path

import asyncssh
import pytest

from revcycle.payer.mailboxes import (
    ClearinghouseMailboxes,
    MailboxError,
    ResponseWaiting,
    UploadGone,
)
from revcycle.payer.sftp_server import HOST_KEY_FILE, SftpUser, load_host_key


def test_an_upload_is_taken_once_and_kept_out_of_the_submitters_reach(tmp_path: Path) -> None:
    boxes = ClearinghouseMailboxes(tmp_path)
    outbound = boxes.register("S1") / "outbound"
    (outbound / "batch1.x12").write_bytes(b"ISA")
    (outbound / ".batch2.x12.1234.part").write_bytes(b"IS")  # still being written
    [upload] = boxes.pending_uploads()
    assert (upload.submitter, upload.name, upload.size) == ("S1", "batch1.x12", 3)

    assert boxes.take(upload) == b"ISA"
    with pytest.raises(UploadGone):
        boxes.take(upload)
    assert boxes.pending_uploads() == []
    kept = list((tmp_path / ".received" / "S1").iterdir())
    assert [p.read_bytes() for p in kept] == [b"ISA"]


def test_a_response_is_delivered_whole_and_never_replaces_a_waiting_one(tmp_path: Path) -> None:
    boxes = ClearinghouseMailboxes(tmp_path)
    boxes.deliver("S2", "r1.999", b"first")
    with pytest.raises(ResponseWaiting):
        boxes.deliver("S2", "r1.999", b"second")
    assert boxes.undelivered("S2") == ["r1.999"]
    assert (tmp_path / "S2" / "inbound" / "r1.999").read_bytes() == b"first"
    assert boxes.submitters() == ["S2"]


@pytest.mark.parametrize("name", ["../S1/inbound/x", ".hidden", "a/b"])
def test_response_names_must_be_plain(tmp_path: Path, name: str) -> None:
    with pytest.raises(MailboxError):
        ClearinghouseMailboxes(tmp_path).deliver("S1", name, b"x")


def test_logins_are_parsed_from_cli_specs(tmp_path: Path) -> None:
    assert SftpUser.parse("S1:pa:ss").password == "pa:ss"
    key = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    (tmp_path / "s2.pub").write_text(key)
    assert SftpUser.parse(f"S2={tmp_path / 's2.pub'}").authorized_keys == (key.strip(),)
    assert "pa:ss" not in repr(SftpUser.parse("S1:pa:ss"))
    with pytest.raises(ValueError):
        SftpUser.parse("S1")


def test_the_host_key_is_created_private_and_reused(tmp_path: Path) -> None:
    first = load_host_key(tmp_path)
    assert load_host_key(tmp_path).public_data == first.public_data
    assert (tmp_path / HOST_KEY_FILE).stat().st_mode & 0o777 == 0o600


def test_stale_partial_files_are_swept_and_fresh_ones_kept(tmp_path: Path) -> None:
    import os
    from datetime import timedelta

    boxes = ClearinghouseMailboxes(tmp_path)
    outbound = boxes.register("S1") / "outbound"
    stale, fresh, done = (outbound / n for n in (".a.x12.1.part", ".b.x12.2.part", "c.x12"))
    for path in (stale, fresh, done):
        path.write_bytes(b"x")
    os.utime(stale, (1_000_000, 1_000_000))
    os.utime(done, (1_000_000, 1_000_000))
    assert boxes.sweep_partials(timedelta(hours=1)) == 1
    assert sorted(p.name for p in outbound.iterdir()) == [".b.x12.2.part", "c.x12"]
