"""Benchmark of the SFTP transport on loopback; run by ``make bench``, never by the test suite.

Starts the simulator's SFTP server in a child process (as in deployment: client and server do
not share an interpreter) on 127.0.0.1 with an ephemeral port and a temporary root, uploads N
files through one :class:`SftpMailbox`, both one at a time (``put``: temporary write, rename
into place) and pipelined on the one connection (``put_many``), then has the clearinghouse side
take them all. Prints files/s and MB/s for each. Defaults: 10,000 files of 4 KiB (a small 837
batch), the first 2,000 of them one at a time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

PASSWORD = "bench-password"


def _serve(root: str, ready: Connection) -> None:
    from revcycle.payer.sftp_server import SftpUser, serve_sftp

    serve_sftp(
        Path(root),
        "127.0.0.1",
        0,
        [SftpUser("BENCH", password=PASSWORD)],
        on_ready=lambda server: ready.send((server.port, server.host_key)),
    )


def main(argv: list[str] | None = None) -> None:
    from revcycle.payer.mailboxes import ClearinghouseMailboxes
    from revcycle.transport import SftpConfig, SftpMailbox

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=4096, help="bytes per file")
    parser.add_argument("--sequential", type=int, default=2000, help="files put one at a time")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)

    payload = (b"ISA*00*" + os.urandom(args.size))[: args.size]
    names = [f"batch-{i:06d}.x12" for i in range(args.files)]
    one_by_one = names[: args.sequential]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        server = context.Process(target=_serve, args=(str(root), send), daemon=True)
        server.start()
        try:
            port, host_key = receive.recv()
            config = SftpConfig(
                host="127.0.0.1",
                port=port,
                username="BENCH",
                password=PASSWORD,
                host_key=host_key,
            )
            with SftpMailbox(config) as box:
                box.connect()
                started = time.perf_counter()
                for name in one_by_one:
                    box.put(name, payload)
                sequential = time.perf_counter() - started
                started = time.perf_counter()
                box.put_many(
                    ((name, payload) for name in names[args.sequential :]),
                    concurrency=args.concurrency,
                )
                pipelined = time.perf_counter() - started
        finally:
            if server.pid is not None and server.is_alive():
                os.kill(server.pid, signal.SIGINT)
            server.join(10)
            receive.close()
            send.close()

        clearinghouse = ClearinghouseMailboxes(root)
        started = time.perf_counter()
        uploads = clearinghouse.pending_uploads()
        for item in uploads:
            clearinghouse.take(item)
        take = time.perf_counter() - started
        assert len(uploads) == args.files

    def line(label: str, count: int, seconds: float) -> None:
        if count == 0:
            return
        rate, mb = count / seconds, count * args.size / 1e6 / seconds
        print(f"{label:<34} {count:>7} files {seconds:8.2f} s {rate:9.1f} files/s {mb:7.2f} MB/s")

    print(f"SFTP on loopback, {args.size} B per file, server in its own process")
    line("put, one at a time", len(one_by_one), sequential)
    line(f"put_many, {args.concurrency} in flight", args.files - len(one_by_one), pipelined)
    line("clearinghouse take (local disk)", len(uploads), take)


if __name__ == "__main__":
    main()
