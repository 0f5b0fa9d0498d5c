"""Fixtures for the transport tests: a real asyncssh SFTP server on 127.0.0.1 (ephemeral port),
the two mailbox implementations over the same tree, and a uvicorn runner for real-time apps."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from revcycle.payer.sftp_server import SftpServerThread, SftpUser
from revcycle.transport import Mailbox, RetryPolicy, SftpConfig, open_mailbox

PASSWORDS = {"S1": "s1-Secret-pw", "S2": "s2-Other-pw"}
FAST_RETRY = RetryPolicy(attempts=3, initial_delay=0.01, max_delay=0.05)


def free_port() -> int:
    """A port nothing listens on right now (the OS may hand it out again later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def users() -> list[SftpUser]:
    return [SftpUser(name, password=pw) for name, pw in PASSWORDS.items()]


def sftp_config(server: SftpServerThread, user: str = "S1", **overrides: Any) -> SftpConfig:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": user,
        "password": PASSWORDS.get(user),
        "host_key": server.host_key,
        "connect_timeout": 10.0,
        "operation_timeout": 60.0,
        "retry": FAST_RETRY,
    }
    values.update(overrides)
    return SftpConfig(**values)


@pytest.fixture(scope="module")
def sftp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SftpServerThread]:
    root = tmp_path_factory.mktemp("mailboxes")
    with SftpServerThread(root, users()) as server:
        yield server


@pytest.fixture(scope="module", params=["filesystem", "sftp"])
def mailbox(request: pytest.FixtureRequest, sftp_server: SftpServerThread) -> Iterator[Mailbox]:
    """S1's mailbox, by either transport, over the tree the SFTP server serves."""
    if request.param == "filesystem":
        box = open_mailbox(f"file://{sftp_server.mailboxes.root}?submitter=S1")
    else:
        box = open_mailbox(sftp_config(sftp_server))
    with box:
        yield box


@contextmanager
def serving(app: Any, port: int = 0) -> Iterator[int]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 in a thread; yields the bound port."""
    server = start_uvicorn(app, port)
    try:
        yield bound_port(server)
    finally:
        stop_uvicorn(server)


def start_uvicorn(app: Any, port: int = 0) -> uvicorn.Server:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", ws="none", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    server.thread = thread  # type: ignore[attr-defined]
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        thread.join(0.01)
    return server


def bound_port(server: uvicorn.Server) -> int:
    port: int = server.servers[0].sockets[0].getsockname()[1]
    return port


def stop_uvicorn(server: uvicorn.Server) -> None:
    server.should_exit = True
    server.thread.join()  # type: ignore[attr-defined]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "mailboxes"
