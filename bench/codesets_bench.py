"""Benchmarks of the code-set core; run by ``make bench``, never by the test suite.

Prints: load time of the bundled sets, lookup p50, search p95, validation time of a
12-diagnosis / 6-line claim against a 1,000,000-pair synthetic PTP table, and top-1 / top-5
accuracy of ``suggest`` on tests/fixtures/codesets/notes.jsonl.
"""

from __future__ import annotations

import json
import random
import time
from datetime import date
from pathlib import Path

NOTES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "codesets" / "notes.jsonl"

QUERIES = [
    "DM2 w hyperglycemia",
    "htn",
    "chest pain",
    "CHF",
    "COPD exacerbation",
    "UTI",
    "acute sinusitis",
    "low back pain",
    "type 2 diabetes with diabetic chronic kidney disease",
    "fracture of neck of right femur initial encounter",
    "major depressive disorder recurrent moderate",
    "atrial fibrillation",
    "otitis media right ear",
    "pneumonia",
    "obesity",
    "headache",
    "anemia",
    "history of falling",
    "encounter for immunization",
    "sprain of left ankle",
]


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    t0 = time.perf_counter()
    from revcycle.codesets import ServiceLine, default_codesets, lookup, search, suggest
    from revcycle.codesets.ncci import MueEdit, MueTable, PtpEdit, PtpTable, synthetic_ptp_rows
    from revcycle.codesets.validation import validate_coding

    cs = default_codesets()
    load_s = time.perf_counter() - t0
    print(f"load bundled code sets (ICD-10-CM FY2026 + lists): {load_s:.2f} s")

    t0 = time.perf_counter()
    search("warm up")
    print(f"build ICD-10-CM search index (first search):   {time.perf_counter() - t0:.2f} s")

    version = cs.icd10cm.latest()
    assert version is not None
    codes = [c.code for c in version.rows()]
    rng = random.Random(1)
    dos = date(2026, 3, 1)
    samples = []
    for _ in range(20000):
        code = rng.choice(codes)
        t = time.perf_counter()
        lookup(code, "icd10cm", dos, cs)
        samples.append(time.perf_counter() - t)
    print(
        f"lookup p50 / p99:  {_pct(samples, 0.5) * 1e6:.1f} us / {_pct(samples, 0.99) * 1e6:.1f} us"
    )

    samples = []
    for _ in range(10):
        for q in QUERIES:
            t = time.perf_counter()
            search(q, "icd10cm", codesets=cs)
            samples.append(time.perf_counter() - t)
    print(
        f"search p50 / p95:  {_pct(samples, 0.5) * 1e3:.2f} ms / {_pct(samples, 0.95) * 1e3:.2f} ms"
        f"  ({len(samples)} queries)"
    )

    claim_lines = [
        ServiceLine("99214", ("25",), 1, (1, 2)),
        ServiceLine("93000", (), 1, (3,)),
        ServiceLine("36415", (), 3, (1,)),
        ServiceLine("97110", ("GP",), 4, (4,)),
        ServiceLine("97530", ("GP",), 2, (4,)),
        ServiceLine("J3490", (), 1, (5,)),
    ]
    t0 = time.perf_counter()
    real = [
        PtpEdit("99214", "36415", date(2010, 1, 1), None, 1),
        PtpEdit("97110", "97530", date(2020, 1, 1), None, 1),
        PtpEdit("93000", "93005", date(1996, 1, 1), None, 0),
    ]
    rows = list(synthetic_ptp_rows(1_000_000 - len(real), seed=3))
    ptp = PtpTable.from_rows([*rows, *real])
    del rows
    build_s = time.perf_counter() - t0
    mue = MueTable.from_rows(
        [MueEdit("36415", 2, 3), MueEdit("97110", 8, 3), MueEdit("J3490", 1, 1)]
    )
    big = cs.with_ncci(ptp, mue)
    diagnoses = [
        "E11.65", "I10", "R07.9", "M54.50", "E78.5", "J44.9",
        "N18.31", "E66.9", "Z79.4", "F17.210", "K21.9", "G47.33",
    ]  # fmt: skip
    samples = []
    for _ in range(2000):
        t = time.perf_counter()
        findings = validate_coding(
            dos=dos, diagnoses=diagnoses, lines=claim_lines, age=64, sex="M", codesets=big
        )
        samples.append(time.perf_counter() - t)
    print(
        f"validate 12 dx / 6 lines with {len(ptp):,} PTP pairs: p50 "
        f"{_pct(samples, 0.5) * 1e3:.3f} ms, p95 {_pct(samples, 0.95) * 1e3:.3f} ms "
        f"({len(findings)} findings; table built in {build_s:.1f} s)"
    )

    cases = [json.loads(line) for line in NOTES.read_text().splitlines() if line.strip()]
    for split in ("dev", "holdout", None):
        chosen = [c for c in cases if split is None or c.get("split") == split]
        top1 = top5 = 0
        for case in chosen:
            got = [s.code for s in suggest(case["note"], limit=5, codesets=cs)]
            top1 += bool(got) and got[0] in case["expected"]
            top5 += any(g in case["expected"] for g in got)
        n = len(chosen)
        print(
            f"suggest accuracy ({split or 'all'}, n={n}): top-1 {top1 / n:.0%}, top-5 {top5 / n:.0%}"
        )


if __name__ == "__main__":
    main()
