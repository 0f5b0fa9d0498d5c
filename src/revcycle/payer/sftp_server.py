"""The simulator's SFTP server: one login per submitter, confined to that submitter's mailbox.

Each :class:`SftpUser` logs in with a password or an authorized public key and sees only its
own mailbox folder (a chroot onto ``<root>/<submitter>``, see :mod:`revcycle.payer.mailboxes`),
with the folder roles enforced:

- ``outbound/``: the submitter may create, write, rename (its temporary uploads) and remove;
- ``inbound/``: read and remove only, or rename into ``archive/``;
- ``archive/``: read, remove; filled only by renames from ``inbound/``;
- no new folders, no links, nothing writable at the mailbox root.

Unknown users and wrong passwords get the same refusal (no user enumeration). Passwords are
held in memory only and never logged. The host key (Ed25519) is generated on first start into
``state_dir`` (mode 0600) and reused afterwards, so clients can pin it or trust it on first use.

Start it from tests with ``port=0`` and read :attr:`SftpServer.port`; :class:`SftpServerThread`
runs it beside synchronous code; :func:`serve_sftp` is the blocking entry point for the CLI.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import asyncssh

from revcycle.payer.mailboxes import ARCHIVE, INBOUND, OUTBOUND, ClearinghouseMailboxes

log = logging.getLogger(__name__)

HOST_KEY_FILE = "ssh_host_ed25519_key"
STATE_DIR = ".sftp-server"

_WRITE_V3 = asyncssh.FXF_WRITE | asyncssh.FXF_APPEND | asyncssh.FXF_CREAT | asyncssh.FXF_TRUNC
_WRITE_V5 = asyncssh.ACE4_WRITE_DATA | asyncssh.ACE4_APPEND_DATA


@dataclass(frozen=True, slots=True)
class SftpUser:
    """A submitter's login: its id (the mailbox folder name) and its credentials."""

    name: str
    password: str | None = field(default=None, repr=False)
    authorized_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.password is None and not self.authorized_keys:
            raise ValueError(f"sftp user {self.name!r} needs a password or an authorized key")

    @classmethod
    def parse(cls, spec: str) -> SftpUser:
        """``"S1:secret"`` (password login) or ``"S1=/path/key.pub"`` (authorized key file)."""
        if "=" in spec:
            name, _, key_file = spec.partition("=")
            lines = Path(key_file).read_text(encoding="ascii").splitlines()
            keys = tuple(line.strip() for line in lines if line.strip())
            return cls(name, authorized_keys=keys)
        name, sep, password = spec.partition(":")
        if not sep:
            raise ValueError("expected SUBMITTER:PASSWORD or SUBMITTER=KEYFILE.pub")
        return cls(name, password=password)


def load_host_key(state_dir: Path) -> asyncssh.SSHKey:
    """The server's host key from ``state_dir``, generated (and kept, mode 0600) on first use."""
    path = state_dir / HOST_KEY_FILE
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        key = asyncssh.generate_private_key("ssh-ed25519")
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.export_private_key())
        os.replace(temp, path)
        path.with_name(f"{path.name}.pub").write_bytes(key.export_public_key())
        log.info("sftp server: generated host key %s", path)
    return asyncssh.read_private_key(str(path))


class _Account:
    def __init__(self, user: SftpUser) -> None:
        self.password = user.password.encode() if user.password is not None else None
        self.keys = [asyncssh.import_public_key(k) for k in user.authorized_keys]


class _Authenticator(asyncssh.SSHServer):
    """Checks logins against the configured users; one instance per connection."""

    def __init__(
        self, accounts: dict[str, _Account], live: set[asyncssh.SSHServerConnection]
    ) -> None:
        self._accounts = accounts
        self._live = live
        self._conn: asyncssh.SSHServerConnection | None = None
        self._peer: Any = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._live.add(conn)
        self._peer = conn.get_extra_info("peername")

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._live.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True  # every user must authenticate, known or not

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        account = self._accounts.get(username)
        ok = (
            account is not None
            and account.password is not None
            and hmac.compare_digest(account.password, password.encode())
        )
        if not ok:
            log.info("sftp server: password refused for %r from %s", username, self._peer)
        return ok

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        account = self._accounts.get(username)
        return account is not None and key in account.keys


class _MailboxSftp(asyncssh.SFTPServer):
    """SFTP confined to one mailbox, with each folder's role enforced (see module docstring)."""

    def __init__(self, chan: Any, chroot: Path) -> None:
        super().__init__(chan, chroot=os.fsencode(chroot))

    @staticmethod
    def _folder(path: bytes) -> bytes:
        norm = posixpath.normpath(posixpath.join(b"/", path)).lstrip(b"/")
        folder, sep, _ = norm.partition(b"/")
        return folder if sep else b""  # b"" = the mailbox root itself or a folder name

    def _require(self, path: bytes, *folders: str) -> None:
        if self._folder(path) not in {f.encode() for f in folders}:
            raise asyncssh.SFTPPermissionDenied("not allowed in this folder")

    def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> Any:
        if pflags & _WRITE_V3:
            self._require(path, OUTBOUND)
        return super().open(path, pflags, attrs)

    def open56(
        self, path: bytes, desired_access: int, flags: int, attrs: asyncssh.SFTPAttrs
    ) -> Any:
        disposition = flags & asyncssh.FXF_ACCESS_DISPOSITION
        if desired_access & _WRITE_V5 or disposition != asyncssh.FXF_OPEN_EXISTING:
            self._require(path, OUTBOUND)
        return super().open56(path, desired_access, flags, attrs)

    def _check_rename(self, oldpath: bytes, newpath: bytes) -> None:
        pair = (self._folder(oldpath), self._folder(newpath))
        allowed = {(b"outbound", b"outbound"), (b"inbound", b"archive")}
        if pair not in allowed:
            raise asyncssh.SFTPPermissionDenied("rename not allowed between these folders")

    def rename(self, oldpath: bytes, newpath: bytes) -> Any:
        self._check_rename(oldpath, newpath)
        return super().rename(oldpath, newpath)

    def posix_rename(self, oldpath: bytes, newpath: bytes) -> Any:
        self._check_rename(oldpath, newpath)
        return super().posix_rename(oldpath, newpath)

    def remove(self, path: bytes) -> Any:
        self._require(path, OUTBOUND, INBOUND, ARCHIVE)
        return super().remove(path)

    def mkdir(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> Any:
        raise asyncssh.SFTPPermissionDenied("the mailbox folders are fixed")

    def rmdir(self, path: bytes) -> Any:
        raise asyncssh.SFTPPermissionDenied("the mailbox folders are fixed")

    def symlink(self, oldpath: bytes, newpath: bytes) -> Any:
        raise asyncssh.SFTPPermissionDenied("links are not allowed")

    def link(self, oldpath: bytes, newpath: bytes) -> Any:
        raise asyncssh.SFTPPermissionDenied("links are not allowed")


class SftpServer:
    """An asyncssh SFTP server over the mailboxes under ``root``; ``await start()``/``stop()``.

    ``port=0`` binds an ephemeral port; read :attr:`port` after :meth:`start`. ``state_dir``
    (default ``<root>/.sftp-server``) keeps the host key between runs.
    """

    def __init__(
        self,
        root: Path,
        users: Iterable[SftpUser],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_dir: Path | None = None,
        login_timeout: float = 30.0,
    ) -> None:
        self.mailboxes = ClearinghouseMailboxes(root)
        self.host = host
        self._requested_port = port
        self.state_dir = Path(state_dir) if state_dir is not None else Path(root) / STATE_DIR
        self._login_timeout = login_timeout
        self._users = {u.name: u for u in users}
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._host_key: asyncssh.SSHKey | None = None
        self._live: set[asyncssh.SSHServerConnection] = set()
        self.port: int = port

    @property
    def host_key(self) -> str:
        """The server's public host key, one OpenSSH line (``ssh-ed25519 AAAA...``)."""
        if self._host_key is None:
            self._host_key = load_host_key(self.state_dir)
        return self._host_key.export_public_key().decode().strip()

    @property
    def host_key_fingerprint(self) -> str:
        self.host_key  # noqa: B018 - loads the key
        assert self._host_key is not None
        return str(self._host_key.get_fingerprint())

    async def start(self) -> None:
        if self._acceptor is not None:
            raise RuntimeError("the SFTP server is already running")
        if self._host_key is None:
            self._host_key = load_host_key(self.state_dir)
        accounts: dict[str, _Account] = {}
        for user in self._users.values():
            self.mailboxes.register(user.name)
            accounts[user.name] = _Account(user)
        self._acceptor = await asyncssh.listen(
            self.host,
            self._requested_port,
            server_host_keys=[self._host_key],
            server_factory=lambda: _Authenticator(accounts, self._live),
            sftp_factory=self._sftp_session,
            allow_scp=False,
            login_timeout=self._login_timeout,
            config=None,
            reuse_address=True,
        )
        self.port = self._acceptor.get_port()
        log.info("sftp server listening on %s:%d (%s)", self.host, self.port, self.root)

    @property
    def root(self) -> Path:
        return self.mailboxes.root

    def _sftp_session(self, chan: Any) -> asyncssh.SFTPServer:
        username = chan.get_extra_info("username")
        return _MailboxSftp(chan, self.mailboxes.mailbox_dir(username))

    async def stop(self) -> None:
        """Stop listening and close every open session. Idempotent."""
        acceptor, self._acceptor = self._acceptor, None
        if acceptor is not None:
            acceptor.close()
            await acceptor.wait_closed()
        # the listener's close leaves sessions open; end them so nothing outlives the server
        live = list(self._live)
        for conn in live:
            conn.close()
        for conn in live:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.wait_closed(), 5)
        self._live.clear()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


class SftpServerThread:
    """An :class:`SftpServer` on its own event loop thread, for synchronous code and tests.

    ``with SftpServerThread(root, users) as server: ... server.port ...``
    """

    def __init__(
        self,
        root: Path,
        users: Iterable[SftpUser],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_dir: Path | None = None,
    ) -> None:
        self.server = SftpServer(root, users, host=host, port=port, state_dir=state_dir)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: Any = None

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def host_key(self) -> str:
        return self.server.host_key

    @property
    def mailboxes(self) -> ClearinghouseMailboxes:
        return self.server.mailboxes

    def start(self) -> Self:
        import threading

        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="revcycle-sftp-server", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        try:
            asyncio.run_coroutine_threadsafe(self.server.start(), loop).result()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self.server.stop(), loop).result()
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_sftp(
    root: Path,
    host: str,
    port: int,
    users: Iterable[SftpUser],
    *,
    state_dir: Path | None = None,
    on_ready: Callable[[SftpServer], None] | None = None,
) -> None:
    """Run the SFTP server until interrupted (Ctrl-C); the entry point for ``revcycle sim``.

    ``on_ready(server)`` is called once listening, with ``server.port`` (the bound port when
    ``port`` is 0) and ``server.host_key`` to show the operator.
    """
    server = SftpServer(root, users, host=host, port=port, state_dir=state_dir)

    async def main() -> None:
        await server.start()
        try:
            if on_ready is not None:
                on_ready(server)
            await asyncio.Event().wait()
        finally:
            await server.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
