"""One test body, both transports: the Mailbox contract against the simulator's side of it."""

from __future__ import annotations

import threading
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revcycle.payer import mailboxes as clearinghouse_layout
from revcycle.payer.mailboxes import ClearinghouseMailboxes, Upload
from revcycle.payer.sftp_server import SftpServerThread
from revcycle.transport import (
    InvalidFileName,
    Mailbox,
    MailboxFileExists,
    MailboxFileNotFound,
)
from revcycle.transport import mailbox as submitter_layout

LARGE = 20 * 1024 * 1024


def unique(stem: str = "batch") -> str:
    return f"{stem}-{uuid.uuid4().hex[:12]}.x12"


def upload_named(clearinghouse: ClearinghouseMailboxes, name: str) -> Upload:
    matches = [u for u in clearinghouse.pending_uploads("S1") if u.name == name]
    assert len(matches) == 1, f"{name} is not pending"
    return matches[0]


@pytest.fixture
def clearinghouse(sftp_server: SftpServerThread) -> ClearinghouseMailboxes:
    return sftp_server.mailboxes


def test_both_sides_agree_on_the_folder_layout() -> None:
    assert submitter_layout.OUTBOUND == clearinghouse_layout.OUTBOUND == "outbound"
    assert submitter_layout.INBOUND == clearinghouse_layout.INBOUND == "inbound"
    assert submitter_layout.ARCHIVE == clearinghouse_layout.ARCHIVE == "archive"


def test_a_batch_goes_out_and_its_response_comes_back(
    mailbox: Mailbox, clearinghouse: ClearinghouseMailboxes
) -> None:
    name, response = unique(), unique("999")
    mailbox.put(name, b"ISA*00*...~")
    assert name in [e.name for e in mailbox.list_outbound()]

    upload = upload_named(clearinghouse, name)
    assert (upload.submitter, upload.size) == ("S1", len(b"ISA*00*...~"))
    assert clearinghouse.take(upload) == b"ISA*00*...~"
    assert name not in [e.name for e in mailbox.list_outbound()]

    clearinghouse.deliver("S1", response, b"999 accepted")
    entries = {e.name: e for e in mailbox.list_inbound()}
    assert entries[response].size == len(b"999 accepted")
    assert mailbox.fetch(response) == b"999 accepted"
    assert mailbox.fetch(response) == b"999 accepted"  # fetching does not consume

    mailbox.acknowledge(response)
    assert response not in [e.name for e in mailbox.list_inbound()]
    assert response not in clearinghouse.undelivered("S1")


def test_a_put_never_replaces_a_waiting_file(
    mailbox: Mailbox, clearinghouse: ClearinghouseMailboxes
) -> None:
    name = unique()
    mailbox.put(name, b"first")
    with pytest.raises(MailboxFileExists):
        mailbox.put(name, b"second")
    assert clearinghouse.take(upload_named(clearinghouse, name)) == b"first"
    assert not any(u.name.startswith(f".{name}") for u in clearinghouse.pending_uploads("S1"))


def test_missing_inbound_files_are_reported_as_not_found(mailbox: Mailbox) -> None:
    with pytest.raises(MailboxFileNotFound):
        mailbox.fetch(unique("nothing"))
    with pytest.raises(MailboxFileNotFound):
        mailbox.acknowledge(unique("nothing"))


@pytest.mark.parametrize("name", ["../S2/inbound/x", "a/b", ".hidden", "", "x" * 201, "a..b"])
def test_names_that_are_not_plain_file_names_are_refused(mailbox: Mailbox, name: str) -> None:
    with pytest.raises(InvalidFileName):
        mailbox.put(name, b"x")
    with pytest.raises(InvalidFileName):
        mailbox.fetch(name)


def test_a_reader_never_sees_a_partially_written_upload(
    mailbox: Mailbox, clearinghouse: ClearinghouseMailboxes
) -> None:
    name, data = unique("large"), bytes(range(256)) * (LARGE // 256)
    errors: list[BaseException] = []

    def upload() -> None:
        try:
            mailbox.put(name, data)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    writer = threading.Thread(target=upload)
    writer.start()
    sightings = []
    while writer.is_alive():
        sightings += [u for u in clearinghouse.pending_uploads("S1") if u.name == name]
        writer.join(0.002)
    assert errors == []
    assert all(u.size == len(data) for u in sightings)
    assert clearinghouse.take(upload_named(clearinghouse, name)) == data


def test_twenty_megabytes_go_out_and_come_back_intact(
    mailbox: Mailbox, clearinghouse: ClearinghouseMailboxes
) -> None:
    out, back = unique("large"), unique("large-835")
    data = uuid.uuid4().bytes * (LARGE // 16)
    mailbox.put(out, data)
    assert clearinghouse.take(upload_named(clearinghouse, out)) == data
    clearinghouse.deliver("S1", back, data[::-1])
    assert mailbox.fetch(back) == data[::-1]
    mailbox.acknowledge(back)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.binary(max_size=64 * 1024))
def test_any_bytes_put_are_fetched_identical(
    mailbox: Mailbox, clearinghouse: ClearinghouseMailboxes, data: bytes
) -> None:
    name = unique("prop")
    mailbox.put(name, data)
    assert clearinghouse.take(upload_named(clearinghouse, name)) == data
    clearinghouse.deliver("S1", name, data)
    assert mailbox.fetch(name) == data
    mailbox.acknowledge(name)


@pytest.mark.parametrize("transport", ["filesystem", "sftp"])
def test_an_archiving_mailbox_moves_acknowledged_files_to_archive(
    sftp_server: SftpServerThread, clearinghouse: ClearinghouseMailboxes, transport: str
) -> None:
    from revcycle.transport import open_mailbox

    from .conftest import sftp_config

    if transport == "filesystem":
        box = open_mailbox(f"file://{clearinghouse.root}?submitter=S1&archive=1")
    else:
        box = open_mailbox(sftp_config(sftp_server, archive=True))
    name = unique("277ca")
    archive = clearinghouse.mailbox_dir("S1") / "archive"
    with box:
        for content in (b"first", b"second"):  # the same name twice: both are kept
            clearinghouse.deliver("S1", name, content)
            box.acknowledge(name)
        assert name not in [e.name for e in box.list_inbound()]
    kept = sorted(p.read_bytes() for p in archive.iterdir() if p.name.startswith(name))
    assert kept == [b"first", b"second"]


def test_put_many_places_every_file_and_reports_the_first_failure(
    mailbox: Mailbox, clearinghouse: ClearinghouseMailboxes
) -> None:
    names = [unique("many") for _ in range(40)]
    mailbox.put(names[7], b"already waiting")
    with pytest.raises(MailboxFileExists):
        mailbox.put_many(((name, name.encode()) for name in names), concurrency=8)
    pending = {u.name: u for u in clearinghouse.pending_uploads("S1")}
    assert set(names) <= set(pending)
    for name in names:
        expected = b"already waiting" if name == names[7] else name.encode()
        assert clearinghouse.take(pending[name]) == expected
