"""``revcycle sim``: the payer and clearinghouse simulator (docs/simulator.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from revcycle.cli.common import err_console, handled, out_console

sim = typer.Typer(
    help="The payer and clearinghouse simulator: serve it, or step it once.", no_args_is_help=True
)

RootOpt = Annotated[Path, typer.Option("--root", help="Mailbox root (one folder per submitter)")]
StateOpt = Annotated[Path, typer.Option("--state", help="Simulator state directory")]


@sim.command("serve")
def sim_serve(
    root: RootOpt = Path("clearinghouse"),
    state_dir: StateOpt = Path("simulator-state"),
    sftp_port: Annotated[
        int | None, typer.Option("--sftp-port", help="Serve the mailboxes over SFTP (0: any port)")
    ] = None,
    realtime_port: Annotated[
        int | None, typer.Option("--realtime-port", help="Real-time X12 over HTTP (0: any)")
    ] = None,
    user: Annotated[
        list[str] | None,
        typer.Option("--user", help="SFTP login SUBMITTER:PASSWORD or SUBMITTER=KEYFILE"),
    ] = None,
    interval: Annotated[float, typer.Option("--interval", help="Seconds between rounds")] = 1.0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Run the simulator until Ctrl-C: answer uploads (TA1, 999, 277CA) and send 835s."""
    from revcycle.payer.sftp_server import SftpUser
    from revcycle.payer.simulator import run_simulator

    users = [SftpUser.parse(u) for u in user or []]
    err_console.print(f"simulator on {root} (state {state_dir}); Ctrl-C to stop")
    with handled():
        run_simulator(
            root,
            state_dir,
            sftp_port=sftp_port,
            realtime_port=realtime_port,
            interval=interval,
            users=users,
            seed=seed,
        )


@sim.command("step")
def sim_step(
    root: RootOpt = Path("clearinghouse"),
    state_dir: StateOpt = Path("simulator-state"),
    seed: Annotated[int, typer.Option("--seed")] = 0,
    now: Annotated[
        str | None, typer.Option("--now", help="Simulated time, ISO (default: now)")
    ] = None,
) -> None:
    """Answer pending uploads and adjudicate what is due, once."""
    from datetime import UTC, datetime

    from revcycle.payer.mailboxes import ClearinghouseMailboxes
    from revcycle.payer.simulator import Simulator
    from revcycle.services.clock import FixedClock, SystemClock

    at = datetime.fromisoformat(now) if now else None
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    clock = FixedClock(at) if at else SystemClock()
    with handled():
        simulator = Simulator(state_dir, ClearinghouseMailboxes(root), clock.now, seed)
        try:
            uploads, remittances = simulator.step(clock.now())
        finally:
            simulator.close()
    out_console.print(f"answered {len(uploads)} uploads; wrote {len(remittances)} remittance files")
