"""The public sample corpus copied into tests/fixtures/x12/corpus (licenses in MANIFEST.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "x12" / "corpus"


def manifest() -> list[dict[str, str]]:
    with (CORPUS / "MANIFEST.csv").open(newline="") as fh:
        return list(csv.DictReader(fh))


def path(name: str) -> Path:
    return CORPUS / name
