"""Errors of the clearinghouse transports, each with a stable code.

::

    RevcycleError (revcycle.domain.errors)
    └── TransportError                 transport_error
        ├── TransportConfigError       transport_config_invalid   bad URL, config or key file
        ├── InvalidFileName            invalid_file_name          a name a mailbox cannot hold
        ├── MailboxFileNotFound        mailbox_file_not_found     fetch/acknowledge of a missing file
        ├── MailboxFileExists          mailbox_file_exists        put would replace a waiting file
        ├── TransportAuthFailed        transport_auth_failed      the mailbox refused our login
        ├── HostKeyRejected            host_key_rejected          the server's key is not the trusted one
        ├── TransportUnavailable       transport_unavailable      unreachable after every retry
        │   └── TransportTimeout       transport_timeout          no answer within the timeout
        └── RealtimeRequestFailed      realtime_request_failed    the real-time endpoint said no (HTTP)

Messages name the host, port and user; they never carry a password, and callers may log them
as they are. ``retryable`` says whether trying again later may help (the client has already
retried as its policy allows).
"""

from __future__ import annotations

from revcycle.domain.errors import RevcycleError


class TransportError(RevcycleError):
    """Root of every transport failure."""

    code = "transport_error"
    retryable = False


class TransportConfigError(TransportError):
    """A mailbox URL or configuration that cannot be used as given."""

    code = "transport_config_invalid"


class InvalidFileName(TransportError):
    """A file name that is not a plain mailbox name (path separators, leading dot, too long)."""

    code = "invalid_file_name"


class MailboxFileNotFound(TransportError):
    """The named file is not in the mailbox folder (already fetched, acknowledged or never there)."""

    code = "mailbox_file_not_found"


class MailboxFileExists(TransportError):
    """An outbound file of that name is still waiting; a put never replaces it."""

    code = "mailbox_file_exists"


class TransportAuthFailed(TransportError):
    """The server refused the credentials (wrong password or key, unknown user)."""

    code = "transport_auth_failed"


class HostKeyRejected(TransportError):
    """The server presented a host key that is not the pinned or recorded one."""

    code = "host_key_rejected"


class TransportUnavailable(TransportError):
    """The server could not be reached or dropped the connection, after every retry."""

    code = "transport_unavailable"
    retryable = True


class TransportTimeout(TransportUnavailable):
    """The server did not answer within the configured timeout."""

    code = "transport_timeout"


class RealtimeRequestFailed(TransportError):
    """The real-time endpoint answered with an HTTP error status."""

    code = "realtime_request_failed"

    def __init__(self, message: str, status: int) -> None:
        self.status = status
        super().__init__(message)
