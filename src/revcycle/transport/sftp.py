"""The SFTP transport: a submitter's clearinghouse mailbox on a remote SFTP server.

Built on asyncssh, driven from a private event loop thread so callers get a synchronous
:class:`~revcycle.transport.mailbox.Mailbox`. One SSH connection is opened on first use and
reused; it is reopened when it drops.

Failure handling:

- Connecting (TCP, SSH handshake, login) is bounded by ``connect_timeout``; refused, reset or
  timed-out connections are retried under the config's :class:`RetryPolicy` with exponential
  backoff, and so is an operation whose connection drops under it. After the last attempt the
  caller gets :class:`TransportUnavailable` (or :class:`TransportTimeout`).
- Each operation is bounded by ``operation_timeout``; a server that stops answering yields
  :class:`TransportTimeout` and the connection is discarded (an operation that may have done its
  work is not blindly repeated).
- A refused login (:class:`TransportAuthFailed`) or an untrusted host key
  (:class:`HostKeyRejected`) is never retried.

Host keys: pin the server's public key (``host_key``), or check it against an OpenSSH
``known_hosts`` file (default ``~/.ssh/known_hosts``). With ``trust_on_first_use`` an unknown
host's key is accepted once and recorded in that file; afterwards a different key is refused,
which is what protects the later connections (the first one is only as safe as the network).

Passwords never appear in ``repr``, messages or logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import posixpath
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import asyncssh

from revcycle.transport._loop import LoopThread
from revcycle.transport.errors import (
    HostKeyRejected,
    MailboxFileExists,
    MailboxFileNotFound,
    TransportAuthFailed,
    TransportConfigError,
    TransportError,
    TransportTimeout,
    TransportUnavailable,
)
from revcycle.transport.mailbox import (
    ARCHIVE,
    INBOUND,
    OUTBOUND,
    MailboxEntry,
    check_file_name,
    is_visible,
)
from revcycle.transport.retry import RetryPolicy

log = logging.getLogger(__name__)

T = TypeVar("T")

# Failures of the network path, worth another attempt: the server may be starting or restarting.
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncssh.ConnectionLost,
    asyncssh.DisconnectError,
    asyncssh.SFTPConnectionLost,
    asyncssh.SFTPNoConnection,
)


@dataclass(frozen=True, slots=True)
class SftpConfig:
    """How to reach one submitter's mailbox over SFTP.

    ``directory`` is where the mailbox folders live on the server; empty means the login
    directory. Give ``password`` or ``key_path`` (an OpenSSH private key file), or both.
    """

    host: str
    username: str
    port: int = 22
    password: str | None = field(default=None, repr=False)
    key_path: Path | None = None
    host_key: str | None = None
    known_hosts: Path | None = None
    trust_on_first_use: bool = False
    directory: str = ""
    archive: bool = False
    connect_timeout: float = 10.0
    operation_timeout: float = 60.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        if not self.host:
            raise TransportConfigError("sftp: a host is required")
        if not self.username:
            raise TransportConfigError("sftp: a username is required")
        if not 0 < self.port < 65536:
            raise TransportConfigError(f"sftp: port {self.port} is out of range")
        if self.password is None and self.key_path is None:
            raise TransportConfigError("sftp: give a password or a key_path")
        if self.host_key is not None and (self.known_hosts is not None or self.trust_on_first_use):
            raise TransportConfigError(
                "sftp: a pinned host_key excludes known_hosts and trust_on_first_use"
            )
        if self.connect_timeout <= 0 or self.operation_timeout <= 0:
            raise TransportConfigError("sftp: timeouts must be positive")

    @property
    def address(self) -> str:
        """``user@host:port``, for messages and logs (no secret in it)."""
        return f"{self.username}@{self.host}:{self.port}"


class _HostKeyCheck:
    """Decides whether a server host key is trusted, per the config's policy."""

    def __init__(self, config: SftpConfig) -> None:
        self._config = config
        self.rejected = False
        self._pinned: asyncssh.SSHKey | None = None
        if config.host_key is not None:
            try:
                self._pinned = asyncssh.import_public_key(config.host_key)
            except (asyncssh.KeyImportError, ValueError) as exc:
                raise TransportConfigError("sftp: host_key is not an OpenSSH public key") from exc

    @property
    def known_hosts(self) -> Path:
        return self._config.known_hosts or Path.home() / ".ssh" / "known_hosts"

    def __call__(self, host: str, addr: str, port: int, key: asyncssh.SSHKey) -> bool:
        if self._pinned is not None:
            trusted = key == self._pinned
        else:
            trusted = self._check_known_hosts(host, addr, port, key)
        self.rejected = not trusted
        return trusted

    def _check_known_hosts(self, host: str, addr: str, port: int, key: asyncssh.SSHKey) -> bool:
        path = self.known_hosts
        recorded: list[asyncssh.SSHKey] = []
        if path.exists():
            try:
                recorded = list(asyncssh.read_known_hosts(str(path)).match(host, addr, port)[0])
            except (OSError, ValueError) as exc:
                log.warning("sftp: cannot read known_hosts %s: %s", path, exc)
                return False
        if recorded:
            return key in recorded
        if not self._config.trust_on_first_use:
            return False
        pattern = host if port == 22 else f"[{host}]:{port}"
        line = f"{pattern} {key.export_public_key('openssh').decode().strip()}\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="ascii") as handle:
            handle.write(line)
        log.warning(
            "sftp: trusting %s on first use; host key recorded in %s (%s)",
            pattern,
            path,
            key.get_fingerprint(),
        )
        return True


class _Client(asyncssh.SSHClient):
    def __init__(self, check: _HostKeyCheck) -> None:
        self._check = check

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        return self._check(host, addr, port, key)


class SftpMailbox:
    """A :class:`~revcycle.transport.mailbox.Mailbox` over SFTP. Thread-safe; close it.

    ``on_retry(attempt, error)`` is called (on the transport's loop thread) before each retry,
    for logging or metrics; ``attempt`` is the 1-based try that failed.
    """

    def __init__(
        self,
        config: SftpConfig,
        *,
        on_retry: Callable[[int, TransportError], None] | None = None,
    ) -> None:
        self.config = config
        self._on_retry = on_retry
        self._check = _HostKeyCheck(config)
        self._client_key = _load_client_key(config.key_path)
        self._conn: asyncssh.SSHClientConnection | None = None
        self._sftp: asyncssh.SFTPClient | None = None
        self._lock: asyncio.Lock | None = None
        self._closed = False
        self._loop = LoopThread(f"revcycle-sftp-{config.host}:{config.port}")

    def __repr__(self) -> str:
        return f"SftpMailbox({self.config.address})"

    # -- the Mailbox operations ---------------------------------------------------------------

    def connect(self) -> None:
        """Open the connection now (it otherwise opens on first use), to check the login early."""
        self._call("connect", _noop)

    def put(self, name: str, data: bytes) -> None:
        check_file_name(name)
        self._call(f"put outbound/{name}", self._put_op(name, data))

    def put_many(self, files: Iterable[tuple[str, bytes]], *, concurrency: int = 16) -> None:
        """Put several files with up to ``concurrency`` transfers in flight on the connection.

        Every file is attempted; if any failed, the first failure is raised afterwards (the
        others are logged) and the files that made it stay put: ``list_outbound`` shows them.
        """
        items = [(check_file_name(name), data) for name, data in files]
        if self._closed:
            raise TransportError("the mailbox is closed")

        async def all_puts() -> None:
            gate = asyncio.Semaphore(max(1, concurrency))

            async def one(name: str, data: bytes) -> None:
                async with gate:
                    await self._attempts(f"put outbound/{name}", self._put_op(name, data))

            results = await asyncio.gather(
                *(one(name, data) for name, data in items), return_exceptions=True
            )
            failures = [r for r in results if isinstance(r, BaseException)]
            for failure in failures[1:]:
                log.warning("sftp %s: %s", self.config.address, failure)
            if failures:
                raise failures[0]

        self._loop.run(all_puts())

    def _put_op(
        self, name: str, data: bytes
    ) -> Callable[[asyncssh.SFTPClient, int], Awaitable[None]]:
        final = self._path(OUTBOUND, name)

        async def op(sftp: asyncssh.SFTPClient, attempt: int) -> None:
            temp = self._path(OUTBOUND, f".{name}.{uuid.uuid4().hex}.part")
            async with sftp.open(temp, "wb") as handle:
                await handle.write(data)
            try:
                await sftp.rename(temp, final)  # SFTP rename never replaces: no clobbering
            except asyncssh.SFTPError as exc:
                with contextlib.suppress(asyncssh.SFTPError):
                    await sftp.remove(temp)
                if not await sftp.exists(final):
                    raise
                # A retried put whose earlier rename landed (its reply lost) finds its own file.
                if attempt > 1 and await _read(sftp, final) == data:
                    return
                raise MailboxFileExists(f"outbound/{name} is already waiting") from exc

        return op

    def list_outbound(self) -> list[MailboxEntry]:
        return self._list(OUTBOUND)

    def list_inbound(self) -> list[MailboxEntry]:
        return self._list(INBOUND)

    def fetch(self, name: str) -> bytes:
        path = self._path(INBOUND, check_file_name(name))

        async def op(sftp: asyncssh.SFTPClient, attempt: int) -> bytes:
            return await _read(sftp, path)

        return self._call(f"fetch inbound/{name}", op)

    def acknowledge(self, name: str) -> None:
        source = self._path(INBOUND, check_file_name(name))

        async def op(sftp: asyncssh.SFTPClient, attempt: int) -> None:
            if not self.config.archive:
                await sftp.remove(source)
                return
            try:
                await sftp.rename(source, self._path(ARCHIVE, name))
            except asyncssh.SFTPNoSuchFile:
                raise
            except asyncssh.SFTPError:
                if not await sftp.exists(source):
                    raise asyncssh.SFTPNoSuchFile(f"{source} not found") from None
                unique = f"{name}.{uuid.uuid4().hex[:12]}"
                await sftp.rename(source, self._path(ARCHIVE, unique))

        self._call(f"acknowledge inbound/{name}", op)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self._loop.running:
                self._loop.run(self._disconnect())
        finally:
            self._loop.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- machinery ----------------------------------------------------------------------------

    def _path(self, folder: str, name: str) -> str:
        return posixpath.join(self.config.directory, folder, name)

    def _list(self, folder: str) -> list[MailboxEntry]:
        path = posixpath.join(self.config.directory, folder)

        async def op(sftp: asyncssh.SFTPClient, attempt: int) -> list[MailboxEntry]:
            entries = []
            for item in await sftp.readdir(path):
                name = str(item.filename)
                attrs = item.attrs
                if not is_visible(name) or attrs.type != asyncssh.FILEXFER_TYPE_REGULAR:
                    continue
                modified = datetime.fromtimestamp(attrs.mtime or 0, tz=UTC)
                entries.append(MailboxEntry(name, attrs.size or 0, modified))
            entries.sort(key=lambda e: (e.modified, e.name))
            return entries

        return self._call(f"list {folder}/", op)

    def _call(
        self,
        what: str,
        op: Callable[[asyncssh.SFTPClient, int], Awaitable[T]],
    ) -> T:
        if self._closed:
            raise TransportError("the mailbox is closed")
        return self._loop.run(self._attempts(what, op))

    async def _attempts(
        self,
        what: str,
        op: Callable[[asyncssh.SFTPClient, int], Awaitable[T]],
    ) -> T:
        policy = self.config.retry
        attempt = 0
        while True:
            attempt += 1
            failure: BaseException
            try:
                sftp = await self._ensure_connected()
                try:
                    return await asyncio.wait_for(op(sftp, attempt), self.config.operation_timeout)
                except TimeoutError:
                    await self._disconnect()
                    raise TransportTimeout(
                        f"sftp {self.config.address}: no answer to {what} within "
                        f"{self.config.operation_timeout:g}s"
                    ) from None
            except TransportError:
                raise
            except asyncssh.SFTPNoSuchFile as exc:
                raise MailboxFileNotFound(
                    f"sftp {self.config.address}: {what}: no such file"
                ) from exc
            except asyncssh.PermissionDenied as exc:
                raise TransportAuthFailed(
                    f"sftp {self.config.address}: login refused (wrong password or key?)"
                ) from exc
            except asyncssh.HostKeyNotVerifiable as exc:
                raise self._host_key_error() from exc
            except asyncssh.SFTPError as exc:
                if isinstance(exc, asyncssh.SFTPConnectionLost | asyncssh.SFTPNoConnection):
                    failure = exc
                else:
                    raise TransportError(
                        f"sftp {self.config.address}: {what} failed: {exc.reason}"
                    ) from exc
            except _CONNECTION_ERRORS as exc:
                failure = exc
            await self._disconnect()
            error = self._unavailable(what, failure)
            if self._check.rejected:
                raise self._host_key_error() from failure
            if attempt >= policy.attempts:
                raise error from failure
            delay = policy.delay(attempt)
            log.warning("%s; retry %d of %d in %.2fs", error, attempt, policy.attempts - 1, delay)
            if self._on_retry is not None:
                self._on_retry(attempt, error)
            await asyncio.sleep(delay)

    def _unavailable(self, what: str, failure: BaseException) -> TransportUnavailable:
        if isinstance(failure, TimeoutError):
            return TransportTimeout(
                f"sftp {self.config.address}: no connection within "
                f"{self.config.connect_timeout:g}s ({what})"
            )
        reason = type(failure).__name__
        if isinstance(failure, OSError) and failure.strerror:
            reason = failure.strerror
        return TransportUnavailable(f"sftp {self.config.address}: {what} failed: {reason}")

    def _host_key_error(self) -> HostKeyRejected:
        return HostKeyRejected(
            f"sftp {self.config.host}:{self.config.port}: the server's host key is not trusted "
            "(pinned key or known_hosts entry differs, or host unknown)"
        )

    async def _ensure_connected(self) -> asyncssh.SFTPClient:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._sftp is not None:
                return self._sftp
            self._check.rejected = False
            options: dict[str, Any] = {
                "port": self.config.port,
                "username": self.config.username,
                "connect_timeout": self.config.connect_timeout,
                "known_hosts": ([], [], []),  # every key goes through _HostKeyCheck
                "client_factory": lambda: _Client(self._check),
                "config": None,
                "agent_path": None,
                "client_keys": [self._client_key] if self._client_key is not None else None,
                "password": self.config.password,
            }
            conn = await asyncssh.connect(self.config.host, **options)
            try:
                self._sftp = await asyncio.wait_for(
                    conn.start_sftp_client(), self.config.connect_timeout
                )
            except BaseException:
                conn.close()
                await conn.wait_closed()
                raise
            self._conn = conn
            return self._sftp

    async def _disconnect(self) -> None:
        conn, self._conn, self._sftp = self._conn, None, None
        if conn is not None:
            conn.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.wait_closed(), 5)


async def _noop(sftp: asyncssh.SFTPClient, attempt: int) -> None:
    return None


async def _read(sftp: asyncssh.SFTPClient, path: str) -> bytes:
    async with sftp.open(path, "rb") as handle:
        data = await handle.read()
    if isinstance(data, str):  # only for text mode, which is never used here
        return data.encode()
    return data


def _load_client_key(path: Path | None) -> asyncssh.SSHKey | None:
    if path is None:
        return None
    try:
        return asyncssh.read_private_key(str(path))
    except (OSError, asyncssh.KeyImportError, ValueError) as exc:
        raise TransportConfigError(f"sftp: cannot read the private key {path}") from exc
