"""Clearinghouse mailboxes: filesystem and SFTP behind one interface.

:class:`Mailbox` is the port (put outbound, list/fetch/acknowledge inbound);
:class:`FilesystemMailbox` and :class:`SftpMailbox` implement it, :func:`open_mailbox` builds one
from a ``file://`` or ``sftp://`` URL. :class:`RealtimeClient` posts X12 to a real-time (CAQH
CORE style) endpoint. Every failure is a :class:`TransportError` with a stable ``code``.
"""

from revcycle.transport.errors import (
    HostKeyRejected,
    InvalidFileName,
    MailboxFileExists,
    MailboxFileNotFound,
    RealtimeRequestFailed,
    TransportAuthFailed,
    TransportConfigError,
    TransportError,
    TransportTimeout,
    TransportUnavailable,
)
from revcycle.transport.factory import (
    FilesystemConfig,
    MailboxConfig,
    open_mailbox,
    parse_mailbox_url,
)
from revcycle.transport.filesystem import FilesystemMailbox
from revcycle.transport.mailbox import Mailbox, MailboxEntry, check_file_name
from revcycle.transport.realtime import RealtimeClient
from revcycle.transport.retry import RetryPolicy
from revcycle.transport.sftp import SftpConfig, SftpMailbox

__all__ = [
    "FilesystemConfig",
    "FilesystemMailbox",
    "HostKeyRejected",
    "InvalidFileName",
    "Mailbox",
    "MailboxConfig",
    "MailboxEntry",
    "MailboxFileExists",
    "MailboxFileNotFound",
    "RealtimeClient",
    "RealtimeRequestFailed",
    "RetryPolicy",
    "SftpConfig",
    "SftpMailbox",
    "TransportAuthFailed",
    "TransportConfigError",
    "TransportError",
    "TransportTimeout",
    "TransportUnavailable",
    "check_file_name",
    "open_mailbox",
    "parse_mailbox_url",
]
