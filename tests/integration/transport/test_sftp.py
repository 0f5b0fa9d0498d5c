"""SFTP specifics against a real asyncssh server on 127.0.0.1: logins and isolation, folder
roles, host keys, retries and timeouts."""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from revcycle.payer import sftp_server as server_module
from revcycle.payer.sftp_server import SftpServer, SftpServerThread, SftpUser
from revcycle.transport import (
    HostKeyRejected,
    RetryPolicy,
    SftpMailbox,
    TransportAuthFailed,
    TransportError,
    TransportTimeout,
    TransportUnavailable,
)

from .conftest import PASSWORDS, free_port, sftp_config, users


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def raw_session(server: SftpServerThread, user: str, operation: Any) -> Any:
    """Run ``operation(sftp)`` on a plain asyncssh client, bypassing revcycle's checks."""
    async with (
        asyncssh.connect(
            "127.0.0.1",
            server.port,
            username=user,
            password=PASSWORDS[user],
            known_hosts=None,
            config=None,
            agent_path=None,
            client_keys=None,
        ) as conn,
        conn.start_sftp_client() as sftp,
    ):
        return await operation(sftp)


# -- logins and isolation ---------------------------------------------------------------------


def test_a_submitter_cannot_list_or_read_another_submitters_mailbox(
    sftp_server: SftpServerThread,
) -> None:
    secret = f"835-{uuid.uuid4().hex[:8]}.x12"
    sftp_server.mailboxes.deliver("S2", secret, b"S2's remittance")

    with SftpMailbox(sftp_config(sftp_server, "S1")) as s1:
        assert secret not in [e.name for e in s1.list_inbound()]
    with SftpMailbox(sftp_config(sftp_server, "S2")) as s2:
        assert s2.fetch(secret) == b"S2's remittance"

    async def escape(sftp: asyncssh.SFTPClient) -> list[str]:
        for path in (f"/../S2/inbound/{secret}", f"../../S2/inbound/{secret}"):
            with pytest.raises(asyncssh.SFTPNoSuchFile):
                await sftp.getsize(path)
        return sorted(str(n) for n in await sftp.listdir("/..") if n not in (".", ".."))

    assert run(raw_session(sftp_server, "S1", escape)) == ["archive", "inbound", "outbound"]


@pytest.mark.parametrize(
    ("user", "password"),
    [("S1", "wrong-password"), ("S1", PASSWORDS["S2"]), ("S9", "unknown-User-pw")],
)
def test_a_wrong_password_or_unknown_user_is_refused_without_echoing_it(
    sftp_server: SftpServerThread,
    caplog: pytest.LogCaptureFixture,
    user: str,
    password: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    config = sftp_config(sftp_server, user, password=password)
    with SftpMailbox(config) as box, pytest.raises(TransportAuthFailed) as refused:
        box.list_inbound()
    assert refused.value.code == "transport_auth_failed"
    assert password not in str(refused.value)
    assert password not in repr(config)
    assert password not in caplog.text


def test_a_submitter_can_log_in_with_an_authorized_key(tmp_path: Path) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    for path, k in ((tmp_path / "id_s3", key), (tmp_path / "id_other", stranger)):
        k.write_private_key(str(path))
    public = key.export_public_key().decode()
    user = SftpUser("S3", authorized_keys=(public,))
    with SftpServerThread(tmp_path / "root", [user]) as server:
        good = sftp_config(server, "S3", password=None, key_path=tmp_path / "id_s3")
        with SftpMailbox(good) as box:
            box.put("claims.x12", b"ISA")
        assert [u.name for u in server.mailboxes.pending_uploads("S3")] == ["claims.x12"]

        bad = sftp_config(server, "S3", password=None, key_path=tmp_path / "id_other")
        with SftpMailbox(bad) as box, pytest.raises(TransportAuthFailed):
            box.list_inbound()


def test_each_folder_keeps_its_role(sftp_server: SftpServerThread) -> None:
    sftp_server.mailboxes.deliver("S1", "role-check.999", b"999")

    async def misuse(sftp: asyncssh.SFTPClient) -> None:
        refused = (asyncssh.SFTPPermissionDenied, asyncssh.SFTPFailure)
        with pytest.raises(refused):
            async with sftp.open("inbound/forged.835", "wb") as handle:
                await handle.write(b"forged")
        with pytest.raises(refused):
            async with sftp.open("stray.x12", "wb") as handle:
                await handle.write(b"x")
        with pytest.raises(refused):
            await sftp.mkdir("outbound/sub")
        with pytest.raises(refused):
            await sftp.symlink("/inbound/role-check.999", "outbound/link")
        with pytest.raises(refused):
            await sftp.rename("inbound/role-check.999", "outbound/role-check.999")
        await sftp.rename("inbound/role-check.999", "archive/role-check.999")

    run(raw_session(sftp_server, "S1", misuse))
    assert "forged.835" not in sftp_server.mailboxes.undelivered("S1")
    assert (sftp_server.mailboxes.mailbox_dir("S1") / "archive" / "role-check.999").exists()


# -- host keys ---------------------------------------------------------------------------------


def test_the_host_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with SftpServerThread(tmp_path / "root", users(), state_dir=state) as first:
        key = first.host_key
    with SftpServerThread(tmp_path / "root", users(), state_dir=state) as second:
        assert second.host_key == key
    assert (state / server_module.HOST_KEY_FILE).stat().st_mode & 0o077 == 0


def test_a_server_presenting_another_key_than_the_pinned_one_is_rejected(
    sftp_server: SftpServerThread,
) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    config = sftp_config(sftp_server, host_key=other)
    with SftpMailbox(config) as box, pytest.raises(HostKeyRejected) as rejected:
        box.list_inbound()
    assert rejected.value.code == "host_key_rejected"


def test_trust_on_first_use_records_the_key_then_holds_the_server_to_it(
    sftp_server: SftpServerThread, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"
    config = sftp_config(
        sftp_server, host_key=None, known_hosts=known_hosts, trust_on_first_use=True
    )
    with SftpMailbox(config) as box:
        box.list_inbound()
    recorded = known_hosts.read_text()
    assert f"[127.0.0.1]:{sftp_server.port} {sftp_server.host_key}" in recorded

    with SftpMailbox(config) as box:  # the recorded key matches: accepted again
        box.list_inbound()
    assert known_hosts.read_text() == recorded

    impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    known_hosts.write_text(f"[127.0.0.1]:{sftp_server.port} {impostor}")
    with SftpMailbox(config) as box, pytest.raises(HostKeyRejected):
        box.list_inbound()


def test_an_unknown_host_is_refused_without_trust_on_first_use(
    sftp_server: SftpServerThread, tmp_path: Path
) -> None:
    config = sftp_config(sftp_server, host_key=None, known_hosts=tmp_path / "empty")
    with SftpMailbox(config) as box, pytest.raises(HostKeyRejected):
        box.list_inbound()


# -- retries, restarts and timeouts ------------------------------------------------------------


def test_the_client_retries_until_a_late_server_is_up(tmp_path: Path) -> None:
    port = free_port()
    late = SftpServerThread(tmp_path / "root", users(), port=port, state_dir=tmp_path / "state")
    failures: list[TransportError] = []

    def start_server_after_first_failure(attempt: int, error: TransportError) -> None:
        failures.append(error)
        if attempt == 1:
            late.start()

    config = sftp_config(late, port=port, retry=RetryPolicy(attempts=5, initial_delay=0.01))
    try:
        with SftpMailbox(config, on_retry=start_server_after_first_failure) as box:
            box.put("late.x12", b"ISA")
    finally:
        late.stop()
    assert failures and isinstance(failures[0], TransportUnavailable)
    assert [p.name for p in (tmp_path / "root" / "S1" / "outbound").iterdir()] == ["late.x12"]


def test_an_unreachable_server_gives_transport_unavailable_after_the_retries(
    sftp_server: SftpServerThread,
) -> None:
    retries: list[int] = []
    config = sftp_config(
        sftp_server, port=free_port(), retry=RetryPolicy(attempts=3, initial_delay=0.01)
    )
    box = SftpMailbox(config, on_retry=lambda n, e: retries.append(n))
    with box, pytest.raises(TransportUnavailable) as unavailable:
        box.list_inbound()
    assert retries == [1, 2]
    assert unavailable.value.code == "transport_unavailable"
    assert unavailable.value.retryable


def test_the_mailbox_reconnects_after_the_server_restarts(tmp_path: Path) -> None:
    state, root = tmp_path / "state", tmp_path / "root"
    first = SftpServerThread(root, users(), state_dir=state).start()
    port = first.port
    with SftpMailbox(sftp_config(first)) as box:
        try:
            box.put("before.x12", b"1")
        finally:
            first.stop()  # drops the client's connection
        with SftpServerThread(root, users(), port=port, state_dir=state):
            box.put("after.x12", b"2")
    assert sorted(p.name for p in (root / "S1" / "outbound").iterdir()) == [
        "after.x12",
        "before.x12",
    ]


@contextmanager
def silent_listener() -> Iterator[int]:
    """A TCP port that accepts connections (kernel backlog) but never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def test_a_server_that_never_answers_times_out_instead_of_hanging(
    sftp_server: SftpServerThread,
) -> None:
    with silent_listener() as port:
        config = sftp_config(
            sftp_server,
            port=port,
            connect_timeout=0.3,
            retry=RetryPolicy(attempts=2, initial_delay=0.01),
        )
        with SftpMailbox(config) as box, pytest.raises(TransportTimeout) as timed_out:
            box.list_inbound()
    assert timed_out.value.code == "transport_timeout"


class _HangingSftp(server_module._MailboxSftp):
    async def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> Any:
        await asyncio.Event().wait()  # never answers


class _HangingServer(SftpServer):
    def _sftp_session(self, chan: Any) -> asyncssh.SFTPServer:
        return _HangingSftp(chan, self.mailboxes.mailbox_dir(chan.get_extra_info("username")))


def test_an_operation_the_server_never_answers_times_out(tmp_path: Path) -> None:
    hanging = SftpServerThread(tmp_path / "root", users())
    hanging.server = _HangingServer(tmp_path / "root", users())
    with hanging:
        config = sftp_config(hanging, operation_timeout=0.5)
        with SftpMailbox(config) as box:
            assert box.list_inbound() == []  # listing still works
            with pytest.raises(TransportTimeout):
                box.put("stuck.x12", b"ISA")
            assert box.list_inbound() == []  # a fresh connection after the timeout
