"""Client of a real-time X12 endpoint (CAQH CORE style): POST one interchange, get one back.

Used for 270/271 eligibility and 276/277 claim status, which are inquiries and so safe to
repeat: the client retries, under its :class:`RetryPolicy`, when the server cannot be reached,
does not answer within ``timeout`` seconds, or answers 429/502/503/504. Any other HTTP error
status is final (:class:`RealtimeRequestFailed`). Built on ``urllib.request`` (no extra
dependency); messages carry the endpoint without credentials or query string.
"""

from __future__ import annotations

import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping

from revcycle.transport.errors import (
    RealtimeRequestFailed,
    TransportConfigError,
    TransportError,
    TransportTimeout,
    TransportUnavailable,
)
from revcycle.transport.retry import RetryPolicy

log = logging.getLogger(__name__)

X12_MEDIA_TYPE = "application/edi-x12"
_RETRY_STATUSES = frozenset({429, 502, 503, 504})


class RealtimeClient:
    """Sends X12 text to one endpoint URL (``http://host:port/x12/realtime``)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        on_retry: Callable[[int, TransportError], None] | None = None,
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransportConfigError("real-time endpoint must be an http(s) URL with a host")
        if parts.username or parts.password:
            raise TransportConfigError("real-time endpoint URL must not carry credentials")
        if timeout <= 0:
            raise TransportConfigError("real-time timeout must be positive")
        self.url = url
        self.endpoint = f"{parts.scheme}://{parts.netloc}{parts.path}"
        self.timeout = timeout
        self.retry = retry if retry is not None else RetryPolicy(attempts=3)
        self._headers = dict(headers or {})
        self._on_retry = on_retry

    def __repr__(self) -> str:
        return f"RealtimeClient({self.endpoint!r})"

    def send(self, x12: str) -> str:
        """POST ``x12`` and return the X12 the endpoint answered with."""
        body = x12.encode("utf-8")
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._post(body)
            except TransportUnavailable as error:
                if attempt >= self.retry.attempts:
                    raise
                delay = self.retry.delay(attempt)
                log.warning(
                    "%s; retry %d of %d in %.2fs", error, attempt, self.retry.attempts - 1, delay
                )
                if self._on_retry is not None:
                    self._on_retry(attempt, error)
                time.sleep(delay)

    def _post(self, body: bytes) -> str:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http(s)
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": X12_MEDIA_TYPE, "Accept": X12_MEDIA_TYPE, **self._headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw: bytes = response.read()
        except urllib.error.HTTPError as exc:
            exc.close()
            message = f"real-time {self.endpoint}: HTTP {exc.code}"
            if exc.code in _RETRY_STATUSES:
                raise TransportUnavailable(message) from None
            raise RealtimeRequestFailed(message, exc.code) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise self._timeout() from None
            reason = getattr(exc.reason, "strerror", None) or type(exc.reason).__name__
            raise TransportUnavailable(f"real-time {self.endpoint}: {reason}") from None
        except TimeoutError:
            raise self._timeout() from None
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise TransportUnavailable(f"real-time {self.endpoint}: {reason}") from None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise TransportError(f"real-time {self.endpoint}: the answer is not text") from None

    def _timeout(self) -> TransportTimeout:
        return TransportTimeout(f"real-time {self.endpoint}: no answer within {self.timeout:g}s")
