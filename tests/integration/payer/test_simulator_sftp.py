"""A full loop over the real SFTP server: revcycle's SFTP client puts an 837 batch, the
simulator answers, and the 999, 277CA and 835 come back through the same login; then the same
loop through ``run_simulator`` with its own SFTP server."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

from revcycle.payer.config import load_config
from revcycle.payer.mailboxes import ClearinghouseMailboxes
from revcycle.payer.sftp_server import SftpServerThread, SftpUser
from revcycle.payer.simulator import Simulator, run_simulator
from revcycle.transport import RetryPolicy, SftpConfig, SftpMailbox
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.claim837 import write_837
from revcycle.x12.parse import parse
from tests.unit.payer.simkit import ENVELOPE, NOW, SUBMITTER, SUBMITTER_ID, claim

PASSWORD = "rc-Secret-pw"


def config(port: int, host_key: str) -> SftpConfig:
    return SftpConfig(
        host="127.0.0.1",
        port=port,
        username=SUBMITTER_ID,
        password=PASSWORD,
        host_key=host_key,
        connect_timeout=10.0,
        operation_timeout=60.0,
        retry=RetryPolicy(attempts=3, initial_delay=0.01, max_delay=0.05),
    )


def batch() -> bytes:
    claims = [claim("SFTP1"), claim("SFTP2", "1TE0A00AA01"), claim("SFTP3", "1UN0A00AA02")]
    text = write_837(claims, SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW)
    return text.encode("latin-1")


def collect(box: SftpMailbox) -> dict[str, str]:
    out = {}
    for entry in box.list_inbound():
        out[entry.name] = box.fetch(entry.name).decode("latin-1")
        box.acknowledge(entry.name)
    return out


def test_a_batch_goes_out_over_sftp_and_acks_and_remittances_come_back(tmp_path: Path) -> None:
    root = tmp_path / "root"
    users = [SftpUser(SUBMITTER_ID, password=PASSWORD)]
    with SftpServerThread(root, users) as server:
        sim = Simulator(tmp_path / "state", ClearinghouseMailboxes(root), lambda: NOW,
                        config=load_config().with_delays(2))  # fmt: skip
        with SftpMailbox(config(server.port, server.host_key)) as box:
            box.put("claims-0001.837", batch())
            sim.step(NOW)
            acks = collect(box)
            sim.step(NOW + timedelta(days=3))
            remits = collect(box)
        sim.close()
    assert [n.split("-")[1] for n in sorted(acks)] == ["999.x12", "277CA.x12"]
    statuses = {
        c["patient_control_number"]: c["category"]
        for name, text in acks.items()
        if "277CA" in name
        for t in parse(text)[0]["transactions"]
        for c in t["claims"]
    }
    assert statuses == {"SFTP1": "A2", "SFTP2": "A2", "SFTP3": "A3"}
    [text] = remits.values()
    doc, report = parse(text)
    assert report.valid
    [remit] = doc["transactions"]
    assert {c["patient_control_number"]: c["status"] for c in remit["claims"]} == {
        "SFTP1": "1",
        "SFTP2": "4",
    }


def test_run_simulator_serves_sftp_and_answers_uploads(tmp_path: Path) -> None:
    from revcycle.payer.sftp_server import load_host_key

    stop = threading.Event()
    state = tmp_path / "state"
    host_key = load_host_key(state / "sftp").export_public_key().decode().strip()
    port_holder: list[int] = []

    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port_holder.append(sock.getsockname()[1])
    thread = threading.Thread(
        target=run_simulator,
        args=(tmp_path / "root", state),
        kwargs={
            "sftp_port": port_holder[0],
            "interval": 0.1,
            "users": [SftpUser(SUBMITTER_ID, password=PASSWORD)],
            "stop": stop,
        },
        daemon=True,
    )
    thread.start()
    try:
        with SftpMailbox(config(port_holder[0], host_key)) as box:
            box.put("claims-0001.837", batch())
            deadline = time.monotonic() + 20
            names: list[str] = []
            while time.monotonic() < deadline and len(names) < 2:
                names = [e.name for e in box.list_inbound()]
                time.sleep(0.1)
        assert any("999" in n for n in names) and any("277CA" in n for n in names)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
