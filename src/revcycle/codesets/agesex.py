"""Age and sex edits for ICD-10-CM diagnoses.

The table (``data/icd10cm_age_sex.tsv``) is revcycle's own, modelled on the Medicare Code
Editor's edit families: newborn (age 0), pediatric (0-17), maternity (12-55), adult (15-124)
and sex-specific ranges.  Each row covers a range of codes compared on leading characters.
A patient of unknown sex (``U``) is not checked against sex edits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Literal

from revcycle.codesets.icd10cm import format_code

Sex = Literal["F", "M", "U"]


@dataclass(frozen=True, slots=True)
class AgeSexEdit:
    low: str
    high: str
    edit: str
    min_age: int
    max_age: int
    severity: Literal["error", "warning"]
    note: str

    def covers(self, code: str) -> bool:
        return code[: len(self.low)] >= self.low and code[: len(self.high)] <= self.high


@dataclass(frozen=True, slots=True)
class AgeSexConflict:
    edit: str
    severity: Literal["error", "warning"]
    message: str


@dataclass(frozen=True)
class AgeSexTable:
    edits: tuple[AgeSexEdit, ...]
    _by_letter: Mapping[str, tuple[AgeSexEdit, ...]] = field(repr=False, compare=False)

    @classmethod
    def from_rows(cls, rows: Iterable[AgeSexEdit]) -> AgeSexTable:
        edits = tuple(rows)
        letters: dict[str, list[AgeSexEdit]] = {}
        for e in edits:
            for n in range(ord(e.low[0]), ord(e.high[0]) + 1):
                letters.setdefault(chr(n), []).append(e)
        return cls(edits, MappingProxyType({k: tuple(v) for k, v in letters.items()}))

    def rows(self) -> Iterator[AgeSexEdit]:
        return iter(self.edits)

    def check(self, code: str, age: int | None, sex: str | None) -> list[AgeSexConflict]:
        out: list[AgeSexConflict] = []
        for e in self._by_letter.get(code[:1], ()):
            if not e.covers(code):
                continue
            shown = format_code(code)
            if e.edit in ("female", "male"):
                want = "F" if e.edit == "female" else "M"
                if sex in ("F", "M") and sex != want:
                    out.append(
                        AgeSexConflict(
                            e.edit, e.severity, f"{shown} is for {e.edit} patients ({e.note})"
                        )
                    )
            elif age is not None and not e.min_age <= age <= e.max_age:
                out.append(
                    AgeSexConflict(
                        e.edit,
                        e.severity,
                        f"{shown} is a {e.edit} code for ages {e.min_age}-{e.max_age}; "
                        f"patient is {age} ({e.note})",
                    )
                )
        return out


@cache
def bundled_age_sex() -> AgeSexTable:
    text = resources.files("revcycle.codesets.data").joinpath("icd10cm_age_sex.tsv")
    rows = []
    for line in text.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        low, high, edit, lo, hi, severity, note = line.split("\t")
        level: Literal["error", "warning"] = "error" if severity == "error" else "warning"
        rows.append(AgeSexEdit(low, high, edit, int(lo), int(hi), level, note))
    return AgeSexTable.from_rows(rows)
