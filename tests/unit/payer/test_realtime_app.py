"""The real-time endpoint's HTTP contract, through an in-process ASGI client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from revcycle.payer.realtime import REALTIME_PATH, X12_MEDIA_TYPE, create_realtime_app


def reverse(x12: str) -> str:
    return x12[::-1]


def failing(x12: str) -> str:
    raise ValueError("handler secret detail")


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_realtime_app(reverse, max_body_bytes=100)) as c:
        yield c


def test_the_body_goes_to_the_handler_and_its_answer_comes_back_as_x12(
    client: TestClient,
) -> None:
    response = client.post(REALTIME_PATH, content=b"ST*270~")
    assert response.status_code == 200
    assert response.text == "~072*TS"
    assert response.headers["content-type"].startswith(X12_MEDIA_TYPE)


@pytest.mark.parametrize(
    ("body", "status"), [(b"", 400), (b"   ", 400), (b"\xff\xfe", 400), (b"x" * 101, 413)]
)
def test_bodies_that_are_not_an_x12_request_are_refused(
    client: TestClient, body: bytes, status: int
) -> None:
    assert client.post(REALTIME_PATH, content=body).status_code == status


def test_a_handler_failure_is_a_500_without_details() -> None:
    with TestClient(create_realtime_app(failing), raise_server_exceptions=False) as c:
        response = c.post(REALTIME_PATH, content=b"ST*270~")
    assert response.status_code == 500
    assert "secret" not in response.text


def test_only_post_is_served(client: TestClient) -> None:
    assert client.get(REALTIME_PATH).status_code == 405
    assert client.get("/health").json() == {"status": "ok"}
