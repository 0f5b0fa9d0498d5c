"""Demo benchmark: ``revcycle demo --encounters N`` on SQLite and on PostgreSQL.

Target (issue 10): 100,000 encounters complete in < 10 minutes and < 2 GB on each database.
The demo runs in a subprocess (as a user runs it); its ``summary.json`` gives each stage's wall
time and peak memory (the process's high-water mark, reset at each stage start), and the
whole run's wall time and peak RSS are measured here. ``python -m bench demo [N] [sqlite|pg]``.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.denials_bench import _with_pg_database

TARGET_SECONDS = 600
TARGET_MB = 2048


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux ``/proc``)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in task.read_text().split()]
    return out


def _sample_tree(proc: subprocess.Popen[str], every: float = 0.2) -> float:
    """Wait for ``proc``; the largest memory its process tree held at once (RSS summed over
    the demo and its children, sampled every ``every`` seconds), in MB."""
    most = 0.0
    while proc.poll() is None:
        most = max(most, sum(_rss_mb(p) for p in _tree(proc.pid)))
        time.sleep(every)
    return most


def run(label: str, n: int, db: str | None) -> None:
    exe = Path(sys.executable).parent / "revcycle"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        args = [str(exe), "demo", "--out", str(out), "--encounters", str(n), "--json"]
        if db:
            args += ["--db", db]
        env = {k: v for k, v in os.environ.items() if k != "REVCYCLE_DATABASE_URL"}
        started = time.perf_counter()
        with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
            proc = subprocess.Popen(args, stdout=stdout, stderr=stderr, text=True, env=env)
            together = _sample_tree(proc)  # the demo and the simulator's process, summed
            wall = time.perf_counter() - started
            stderr.seek(0)
            done = subprocess.CompletedProcess(args, proc.returncode, "", stderr.read())
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if done.returncode != 0:
            print(f"{label}: FAILED after {wall:.0f} s\n{done.stderr[-2000:]}")
            return
        summary = json.loads((out / "summary.json").read_text())
    profile = summary["profile"]
    # two processes: the demo and the payer simulator's; their peaks added are an upper
    # bound of what the two held at once (ru_maxrss of children is only the larger one)
    demo_peak = max([p["peak_rss_mb"] for p in profile.values()] + [0])
    sim_peak = summary.get("simulator_process", {}).get("peak_rss_mb", 0)
    peak = max(peak, together)
    print(f"{label}: {n:,} encounters")
    for stage, p in profile.items():
        print(
            f"  {stage:<42} {p['seconds']:>8.1f} s  {p['peak_rss_mb']:>7.0f} MB"
            f"  (collector {p.get('gc_seconds', 0):.1f} s)"
        )
    print(
        f"  demo process peak {demo_peak:.0f} MB, simulator process peak {sim_peak:.0f} MB "
        f"(their sum {demo_peak + sim_peak:.0f} MB), both at once at most {together:.0f} MB"
    )
    verdict = "met" if wall < TARGET_SECONDS and peak < TARGET_MB else "MISSED"
    print(
        f"  total {wall:.0f} s (target < {TARGET_SECONDS} s), peak RSS {peak:.0f} MB, both "
        f"(target < {TARGET_MB} MB): {verdict}"
    )


def main(n: int = 100_000, which: str = "both") -> None:
    if which in ("both", "sqlite"):
        run("SQLite", n, None)
    if which in ("both", "pg"):
        _with_pg_database(lambda url: run("PostgreSQL", n, url))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, *sys.argv[2:3])
