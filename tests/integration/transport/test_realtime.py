"""The real-time client against the simulator's endpoint, served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import threading

import pytest

from revcycle.payer.realtime import REALTIME_PATH, create_realtime_app
from revcycle.transport import (
    RealtimeClient,
    RealtimeRequestFailed,
    RetryPolicy,
    TransportError,
    TransportTimeout,
    TransportUnavailable,
)

from .conftest import free_port, serving, start_uvicorn, stop_uvicorn

INQUIRY = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*SIMPPO         *~ST*270*0001~"
QUICK = RetryPolicy(attempts=3, initial_delay=0.01, max_delay=0.05)


def echo(x12: str) -> str:
    return x12.replace("ST*270", "ST*271")


def test_an_inquiry_gets_the_handlers_answer() -> None:
    with serving(create_realtime_app(echo)) as port:
        client = RealtimeClient(f"http://127.0.0.1:{port}{REALTIME_PATH}", retry=QUICK)
        assert client.send(INQUIRY) == echo(INQUIRY)
        assert client.send("ST*270*ÄÖ~") == "ST*271*ÄÖ~"  # UTF-8 both ways


def test_the_client_retries_until_a_late_endpoint_is_up() -> None:
    port = free_port()
    started = []

    def start_endpoint(attempt: int, error: TransportError) -> None:
        if attempt == 1:
            started.append(start_uvicorn(create_realtime_app(echo), port))

    client = RealtimeClient(
        f"http://127.0.0.1:{port}{REALTIME_PATH}", retry=QUICK, on_retry=start_endpoint
    )
    try:
        assert client.send(INQUIRY) == echo(INQUIRY)
    finally:
        for server in started:
            stop_uvicorn(server)
    assert len(started) == 1


def test_an_unreachable_endpoint_is_unavailable_after_the_retries() -> None:
    attempts: list[int] = []
    client = RealtimeClient(
        f"http://127.0.0.1:{free_port()}{REALTIME_PATH}",
        retry=QUICK,
        on_retry=lambda n, e: attempts.append(n),
    )
    with pytest.raises(TransportUnavailable):
        client.send(INQUIRY)
    assert attempts == [1, 2]


def test_a_failing_handler_is_an_http_error_and_is_not_retried() -> None:
    calls = []

    def broken(x12: str) -> str:
        calls.append(x12)
        raise RuntimeError("boom")

    with serving(create_realtime_app(broken)) as port:
        client = RealtimeClient(f"http://127.0.0.1:{port}{REALTIME_PATH}", retry=QUICK)
        with pytest.raises(RealtimeRequestFailed) as failed:
            client.send(INQUIRY)
    assert failed.value.status == 500
    assert failed.value.code == "realtime_request_failed"
    assert len(calls) == 1


def test_a_handler_slower_than_the_timeout_gives_a_transport_timeout() -> None:
    release = threading.Event()

    def slow(x12: str) -> str:
        release.wait(30)
        return x12

    with serving(create_realtime_app(slow)) as port:
        client = RealtimeClient(
            f"http://127.0.0.1:{port}{REALTIME_PATH}",
            timeout=0.3,
            retry=RetryPolicy(attempts=1),
        )
        try:
            with pytest.raises(TransportTimeout):
                client.send(INQUIRY)
        finally:
            release.set()
