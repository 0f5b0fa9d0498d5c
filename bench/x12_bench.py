"""X12 benchmark: revcycle vs pyx12 4.0.0 and openx12 0.2.1, side by side in one run.

Files: a 20,000-claim 835 and a 10,000-claim 837P built by ../shared/tools/make_big_x12.py
from the sample templates copied into bench/x12/ (public samples; see
tests/fixtures/x12/corpus/MANIFEST.csv). They are written to bench/out/ (gitignored).

Each tool runs as its own process and the whole process is timed, start-up included:
- revcycle: ``revcycle x12 validate FILE`` (parse + SNIP 1-3 validation);
- pyx12: ``x12n_document`` validation through its Python API (its CLI status is meaningless);
- openx12: ``parse`` of the file content (no validation at all).
Peak memory is each child's maximum resident set (``os.wait4``). Writing is measured in this
process: 20,000 varied 837P claims (amounts and identifiers differ per claim).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TOOLS = Path(os.environ.get("REVCYCLE_X12_TOOLS", HERE.parent.parent / "shared" / "tools"))
FILES = {
    "835": (OUT / "big_835.x12", 20_000, ["835", str(HERE / "x12" / "template_835.txt"), "20000"]),
    "837P": (
        OUT / "big_837p.x12",
        10_000,
        ["837p", str(HERE / "x12" / "template_837p.edi"), "10000"],
    ),
}
TARGETS = {"pyx12": 30.0, "openx12": 1.5}

PYX12 = """
import io, logging, sys
import pyx12.params, pyx12.x12n_document
logging.getLogger("pyx12").setLevel(logging.CRITICAL)
pyx12.x12n_document.x12n_document(param=pyx12.params.params(), src_file=sys.argv[1],
                                  fd_997=io.StringIO(), fd_html=None, fd_xmldoc=None)
"""
OPENX12 = """
import sys
from openx12 import x835, x837p
text = open(sys.argv[1], encoding="latin-1").read()
(x835 if sys.argv[2] == "835" else x837p).parse(text)
"""


def ensure_files() -> None:
    OUT.mkdir(exist_ok=True)
    for path, _, args in FILES.values():
        if not path.exists():
            script = TOOLS / "make_big_x12.py"
            subprocess.run([sys.executable, str(script), *args, str(path)], check=True)


def _child_env() -> dict[str, str]:
    """Children run as installed software does: with bytecode caching (an editable install
    under PYTHONDONTWRITEBYTECODE would recompile revcycle on every start, while pyx12 and
    openx12 come with the .pyc files pip wrote)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit status of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_child_env()
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def revcycle_cmd(path: Path) -> list[str]:
    script = Path(sys.executable).parent / "revcycle"
    if script.exists():
        return [str(script), "x12", "validate", str(path)]
    return [sys.executable, "-m", "revcycle.cli.x12", "validate", str(path)]


def best_of(cmd: list[str], times: int) -> tuple[float, float, int]:
    results = [run(cmd) for _ in range(times)]
    return min(results, key=lambda r: r[0])


def warm_up() -> None:
    """One short run of each tool so bytecode caches exist before anything is timed."""
    sample = HERE / "x12" / "template_835.txt"
    run(revcycle_cmd(sample))
    run([sys.executable, "-c", OPENX12, str(sample), "835"])
    run([sys.executable, "-c", PYX12, str(sample)])


def write_rate(n: int = 20_000) -> tuple[float, float]:
    """837P claims written per second, without and with the self-check against the spec."""
    sys.path.insert(0, str(HERE.parent))
    from tests.unit.x12.samples import ENVELOPE, NOW, SUBMITTER, line, professional

    from revcycle.domain.money import Money
    from revcycle.x12.control import InMemoryControlNumbers
    from revcycle.x12.mapping.claim837 import write_837

    base = professional()
    claims = []
    for i in range(n):
        a, b = Decimal(100 + i % 997) + Decimal(i % 100) / 100, Decimal(10 + i % 53)
        claims.append(
            replace(
                base,
                patient_control_number=f"PCN{i:08d}",
                total_charge=Money(a + b),
                subscriber=replace(base.subscriber, member_id=f"M{i * 7919 % 10**9:09d}"),
                lines=(
                    replace(
                        line(1, charge=str(a)),
                        line_control_number=f"L{i}A",
                        service_date=date(2026, 1, 1 + i % 28),
                    ),
                    replace(line(2, "81002", str(b)), line_control_number=f"L{i}B"),
                ),
            )
        )
    rates = []
    for check in (False, True):
        start = time.perf_counter()
        text = write_837(
            claims, SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW, per_set=5000, check=check
        )
        rates.append(n / (time.perf_counter() - start))
        del text
    return rates[0], rates[1]


def main() -> None:
    ensure_files()
    warm_up()
    print(
        "X12 benchmark (whole processes, start-up included; best of 5 runs for revcycle,"
        " 3 for openx12, 1 for pyx12)"
    )
    header = f"{'file':6} {'tool':9} {'seconds':>8} {'claims/s':>10} {'peak MB':>8}  ratio"
    print(header)
    print("-" * len(header) + "-" * 30)
    notes = []
    for kind, (path, claims, _) in FILES.items():
        rows = {
            "revcycle": best_of(revcycle_cmd(path), 5),
            "openx12": best_of([sys.executable, "-c", OPENX12, str(path), kind], 3),
            "pyx12": best_of([sys.executable, "-c", PYX12, str(path)], 1),
        }
        ours = rows["revcycle"][0]
        for tool, (secs, mb, status) in rows.items():
            ratio = "" if tool == "revcycle" else f"revcycle is {secs / ours:5.1f}x faster"
            flag = "" if status in (0, 1) else f" (exit {status})"
            print(f"{kind:6} {tool:9} {secs:8.2f} {claims / secs:10,.0f} {mb:8.1f}  {ratio}{flag}")
        for peer, target in TARGETS.items():
            ratio = rows[peer][0] / ours
            notes.append(
                f"{kind} vs {peer}: {ratio:.1f}x (target >= {target}x) {'OK' if ratio >= target else 'MISSED'}"
            )
        if kind == "835":
            mb = rows["revcycle"][1]
            notes.append(
                f"835 peak memory: {mb:.1f} MB (target < 100 MB) {'OK' if mb < 100 else 'MISSED'}"
            )
    plain, checked = write_rate()
    notes.append(
        f"837P writing: {plain:,.0f} claims/s, {checked:,.0f} with the spec self-check (target >= 20,000)"
    )
    print()
    for n in notes:
        print(n)


if __name__ == "__main__":
    main()
