"""Run the benchmarks: ``python -m bench`` runs them all, ``python -m bench claims x12`` some."""

from __future__ import annotations

import importlib
import sys
import time

BENCHES = (
    "x12",
    "codesets",
    "claims",
    "posting",
    "era_db",
    "sim",
    "submit",
    "transport",
    "status",
    "eligibility",
    "denials",
    "reports",
    "demo",
    "queue",
)


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}",
            file=sys.stderr,
        )
        return 2
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"bench.{name}_bench")
        module.main() if name != "transport" else module.main([])
        print(f"--- {name}: {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
