"""Build a :class:`~revcycle.transport.mailbox.Mailbox` from a URL or a config value.

URL forms::

    file:///var/lib/revcycle/mailboxes?submitter=S1[&archive=1]
    sftp://USER:PASSWORD@HOST[:PORT][/DIR][?OPTIONS]

SFTP options (all optional): ``host_key=<OpenSSH public key, URL-encoded>`` pins the server key;
``known_hosts=<path>`` and ``tofu=1`` (trust on first use) check or record it; ``key=<path>`` a
private key for key login; ``archive=1`` keeps acknowledged files in ``archive/``;
``connect_timeout``, ``timeout`` (per operation) in seconds; ``attempts`` for the retry policy.
``/DIR`` is an absolute directory on the server holding the mailbox folders; without it they are
looked up from the login directory. The user and password are percent-decoded. Unknown options
are refused, and error messages never repeat the URL (it may carry a password).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from revcycle.transport.errors import InvalidFileName, TransportConfigError, TransportError
from revcycle.transport.filesystem import FilesystemMailbox
from revcycle.transport.mailbox import Mailbox, check_submitter
from revcycle.transport.retry import RetryPolicy
from revcycle.transport.sftp import SftpConfig, SftpMailbox


@dataclass(frozen=True, slots=True)
class FilesystemConfig:
    """The embedded transport: ``root`` holds every submitter's mailbox folder."""

    root: Path
    submitter: str
    archive: bool = False

    def __post_init__(self) -> None:
        try:
            check_submitter(self.submitter)
        except InvalidFileName as exc:
            raise TransportConfigError(f"file mailbox: {exc}") from None


MailboxConfig = FilesystemConfig | SftpConfig

_TRUE = {"1", "true", "yes", "on"}
_SFTP_OPTIONS = {
    "host_key",
    "known_hosts",
    "tofu",
    "key",
    "archive",
    "connect_timeout",
    "timeout",
    "attempts",
}


def parse_mailbox_url(url: str) -> MailboxConfig:
    """The config a ``file://`` or ``sftp://`` mailbox URL describes."""
    try:
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True, strict_parsing=False)
        port = parts.port
    except ValueError:
        raise TransportConfigError("mailbox URL cannot be parsed") from None
    options = {k: v[-1] for k, v in query.items()}
    if parts.scheme == "file":
        unknown = set(options) - {"submitter", "archive"}
        if unknown:
            raise TransportConfigError(f"file mailbox URL: unknown options {sorted(unknown)}")
        if not options.get("submitter"):
            raise TransportConfigError("file mailbox URL needs ?submitter=<id>")
        if parts.netloc not in ("", "localhost"):
            raise TransportConfigError("file mailbox URL must name a local path (file:///...)")
        root = Path(urllib.parse.unquote(parts.path))
        return FilesystemConfig(root, options["submitter"], options.get("archive") in _TRUE)
    if parts.scheme == "sftp":
        unknown = set(options) - _SFTP_OPTIONS
        if unknown:
            raise TransportConfigError(f"sftp mailbox URL: unknown options {sorted(unknown)}")
        if not parts.hostname or not parts.username:
            raise TransportConfigError("sftp mailbox URL needs user@host")
        password = urllib.parse.unquote(parts.password) if parts.password is not None else None
        path = urllib.parse.unquote(parts.path)
        try:
            retry = RetryPolicy()
            if "attempts" in options:
                retry = replace(retry, attempts=int(options["attempts"]))
            return SftpConfig(
                host=parts.hostname,
                port=port or 22,
                username=urllib.parse.unquote(parts.username),
                password=password,
                key_path=Path(options["key"]) if options.get("key") else None,
                host_key=options.get("host_key") or None,
                known_hosts=Path(options["known_hosts"]) if options.get("known_hosts") else None,
                trust_on_first_use=options.get("tofu", "") in _TRUE,
                directory="" if path in ("", "/") else path,
                archive=options.get("archive", "") in _TRUE,
                connect_timeout=float(options.get("connect_timeout", 10.0)),
                operation_timeout=float(options.get("timeout", 60.0)),
                retry=retry,
            )
        except ValueError as exc:
            raise TransportConfigError(f"sftp mailbox URL: bad option value ({exc})") from None
    raise TransportConfigError(f"unsupported mailbox URL scheme {parts.scheme!r}")


def open_mailbox(
    target: str | MailboxConfig,
    *,
    on_retry: Callable[[int, TransportError], None] | None = None,
) -> Mailbox:
    """Open the mailbox a URL or config describes. Close it (or use ``with``) when done."""
    config = parse_mailbox_url(target) if isinstance(target, str) else target
    if isinstance(config, FilesystemConfig):
        return FilesystemMailbox(config.root, config.submitter, archive=config.archive)
    return SftpMailbox(config, on_retry=on_retry)
