"""The bounded retry policy shared by the network transports (SFTP and real-time HTTP).

A policy is a value: how many attempts in all, and the exponential backoff between them, capped.
It does not decide *what* is retryable; each client does (connection errors yes, a refused login
or an HTTP 400 never).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` tries in all; before try n+1 wait ``initial_delay * multiplier**(n-1)``,
    capped at ``max_delay`` seconds."""

    attempts: int = 4
    initial_delay: float = 0.25
    multiplier: float = 2.0
    max_delay: float = 5.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.initial_delay < 0 or self.max_delay < 0 or self.multiplier < 1:
            raise ValueError("delays must be non-negative and the multiplier at least 1")

    def delay(self, failed_attempt: int) -> float:
        """Seconds to wait after the ``failed_attempt``-th try (1-based) failed."""
        return min(self.max_delay, self.initial_delay * self.multiplier ** (failed_attempt - 1))


NO_RETRY = RetryPolicy(attempts=1)
