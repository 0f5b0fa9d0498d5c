"""NCCI procedure-to-procedure (PTP) edits and medically unlikely edits (MUE).

PTP files (CMS quarterly practitioner and hospital files, tab-delimited text or a CSV export)
have a few title lines, then one edit per line::

    column 1 | column 2 | * if in existence before 1996 | effective YYYYMMDD |
    deletion YYYYMMDD or * | modifier indicator 0/1/9 | rationale

An edit applies to dates of service from its effective date up to the day before its deletion
date.  Modifier indicator 0: the pair is never paid together; 1: an NCCI-associated modifier
may bypass it; 9: the edit no longer applies.

MUE files (CSV) have title lines, then ``code, MUE value, adjudication indicator, rationale``;
the indicator cell starts with 1 (line edit), 2 (date-of-service edit, policy) or 3
(date-of-service edit, clinical).

The PTP table holds a million pairs in two sorted ``array('q')`` columns (about 16 MB) so a
lookup is a binary search and the table is immutable once built.
"""

from __future__ import annotations

import csv
import random
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from revcycle.codesets._text import Source, numbered_lines, parse_date, source_name
from revcycle.codesets.errors import MalformedCodeFile

PROC_RE = re.compile(r"[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4}")
"""CPT (99213, 0001U) or HCPCS Level II (J3490) shape."""

NCCI_BYPASS_MODIFIERS = frozenset(
    {
        "59", "XE", "XP", "XS", "XU", "24", "25", "27", "57", "58", "78", "79", "91",
        "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9",
        "LC", "LD", "LM", "RC", "RI", "LT", "RT",
        "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9",
    }
)  # fmt: skip
"""Modifiers CMS lists as NCCI-associated (they may bypass an edit with indicator 1)."""


@dataclass(frozen=True, slots=True)
class PtpEdit:
    """One PTP edit; the row shape the database persists."""

    column1: str
    column2: str
    effective: date
    deletion: date | None
    modifier_indicator: int

    def applies_on(self, dos: date) -> bool:
        if self.modifier_indicator == 9 or dos < self.effective:
            return False
        return self.deletion is None or dos < self.deletion


_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALUE_BITS = 44
_VALUE_MASK = (1 << _VALUE_BITS) - 1


def _encode_code(code: str) -> int:
    return int(code, 36)


def _decode_code(n: int) -> str:
    out = []
    for _ in range(5):
        n, r = divmod(n, 36)
        out.append(_B36[r])
    return "".join(reversed(out))


def _key(c1: str, c2: str) -> int:
    return (_encode_code(c1) << 26) | _encode_code(c2)


def _pack(edit: PtpEdit) -> int:
    deletion = edit.deletion.toordinal() if edit.deletion else 0
    return (edit.effective.toordinal() << 24) | (deletion << 4) | edit.modifier_indicator


def _unpack(c1: str, c2: str, value: int) -> PtpEdit:
    deletion = (value >> 4) & 0xFFFFF
    return PtpEdit(
        c1,
        c2,
        date.fromordinal(value >> 24),
        date.fromordinal(deletion) if deletion else None,
        value & 0xF,
    )


@dataclass(frozen=True)
class PtpTable:
    """Immutable PTP edits keyed by (column 1, column 2); a pair may carry several rows."""

    keys: array[int]
    values: array[int]

    @classmethod
    def from_rows(cls, rows: Iterable[PtpEdit]) -> PtpTable:
        combined = [(_key(r.column1, r.column2) << _VALUE_BITS) | _pack(r) for r in rows]
        combined.sort()
        keys = array("q", (c >> _VALUE_BITS for c in combined))
        values = array("q", (c & _VALUE_MASK for c in combined))
        return cls(keys, values)

    @classmethod
    def empty(cls) -> PtpTable:
        return cls(array("q"), array("q"))

    def __len__(self) -> int:
        return len(self.keys)

    def edits(self, column1: str, column2: str) -> list[PtpEdit]:
        if not (PROC_RE.fullmatch(column1) and PROC_RE.fullmatch(column2)):
            return []
        key = _key(column1, column2)
        i = bisect_left(self.keys, key)
        out = []
        while i < len(self.keys) and self.keys[i] == key:
            out.append(_unpack(column1, column2, self.values[i]))
            i += 1
        return out

    def active_edit(self, column1: str, column2: str, dos: date) -> PtpEdit | None:
        for edit in self.edits(column1, column2):
            if edit.applies_on(dos):
                return edit
        return None

    def rows(self) -> Iterator[PtpEdit]:
        for key, value in zip(self.keys, self.values, strict=True):
            yield _unpack(_decode_code(key >> 26), _decode_code(key & ((1 << 26) - 1)), value)


def load_ptp_file(source: Source) -> PtpTable:
    """Parse a CMS PTP edit file; ``MalformedCodeFile`` names the first bad line."""
    src = source_name(source)
    rows: list[PtpEdit] = []
    started = False
    for number, line in numbered_lines(source):
        if not line.strip():
            continue
        cells = [c.strip().strip('"') for c in line.split("\t" if "\t" in line else ",")]
        if not started:
            if PROC_RE.fullmatch(cells[0]) is None:
                continue  # title and header lines before the first edit
            started = True
        if len(cells) < 6:
            raise MalformedCodeFile(number, f"expected at least 6 fields, got {len(cells)}", src)
        c1, c2, _, eff, dele, mi = cells[:6]
        for code in (c1, c2):
            if PROC_RE.fullmatch(code) is None:
                raise MalformedCodeFile(number, f"{code!r} is not a procedure code", src)
        if mi not in {"0", "1", "9"}:
            raise MalformedCodeFile(number, f"modifier indicator {mi!r} is not 0, 1 or 9", src)
        effective = parse_date(eff, number, "effective date", src)
        deletion = None if dele in {"", "*"} else parse_date(dele, number, "deletion date", src)
        rows.append(PtpEdit(c1, c2, effective, deletion, int(mi)))
    if not rows:
        raise MalformedCodeFile(1, "the file holds no edits", src)
    return PtpTable.from_rows(rows)


def format_ptp_line(edit: PtpEdit, rationale: str = "Misuse of column two code") -> str:
    deletion = edit.deletion.strftime("%Y%m%d") if edit.deletion else "*"
    return "\t".join(
        (
            edit.column1,
            edit.column2,
            "",
            edit.effective.strftime("%Y%m%d"),
            deletion,
            str(edit.modifier_indicator),
            rationale,
        )
    )


# --- MUE ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MueEdit:
    """Maximum units of a code per line (indicator 1) or per day (2 policy, 3 clinical)."""

    code: str
    max_units: int
    adjudication_indicator: int
    rationale: str = ""

    @property
    def per_day(self) -> bool:
        return self.adjudication_indicator in (2, 3)


@dataclass(frozen=True)
class MueTable:
    edits: Mapping[str, MueEdit]

    @classmethod
    def from_rows(cls, rows: Iterable[MueEdit]) -> MueTable:
        return cls(MappingProxyType({r.code: r for r in rows}))

    @classmethod
    def empty(cls) -> MueTable:
        return cls(MappingProxyType({}))

    def get(self, code: str) -> MueEdit | None:
        return self.edits.get(code)

    def __len__(self) -> int:
        return len(self.edits)

    def rows(self) -> Iterator[MueEdit]:
        return iter(self.edits.values())


def load_mue_file(source: Source) -> MueTable:
    """Parse a CMS MUE file (practitioner, outpatient hospital or DME)."""
    src = source_name(source)
    rows: dict[str, MueEdit] = {}
    started = False
    for number, line in numbered_lines(source):
        if not line.strip():
            continue
        cells = [c.strip() for c in next(csv.reader([line]))]
        if not started:
            if not cells or PROC_RE.fullmatch(cells[0]) is None:
                continue
            started = True
        if len(cells) < 3:
            raise MalformedCodeFile(number, f"expected at least 3 fields, got {len(cells)}", src)
        code, value, mai = cells[0], cells[1], cells[2]
        if PROC_RE.fullmatch(code) is None:
            raise MalformedCodeFile(number, f"{code!r} is not a procedure code", src)
        if not value.isdigit():
            raise MalformedCodeFile(number, f"MUE value {value!r} is not a whole number", src)
        if not mai or mai[0] not in "123":
            raise MalformedCodeFile(number, f"adjudication indicator {mai!r} is not 1, 2 or 3", src)
        if code in rows:
            raise MalformedCodeFile(number, f"{code} appears twice", src)
        rationale = cells[3] if len(cells) > 3 else ""
        rows[code] = MueEdit(code, int(value), int(mai[0]), rationale)
    if not rows:
        raise MalformedCodeFile(1, "the file holds no edits", src)
    return MueTable.from_rows(rows.values())


# --- synthetic tables for benchmarks -----------------------------------------------------------


def synthetic_procedure_codes(count: int, seed: int = 7) -> list[str]:
    """Plausible CPT-shaped and Level II codes (10021-99499, G/J codes)."""
    rng = random.Random(seed)
    codes: set[str] = set()
    while len(codes) < count:
        if rng.random() < 0.85:
            codes.add(f"{rng.randint(10021, 99499):05d}")
        else:
            codes.add(f"{rng.choice('GJ')}{rng.randint(0, 9999):04d}")
    return sorted(codes)


def synthetic_ptp_rows(pairs: int, seed: int = 7) -> Iterator[PtpEdit]:
    """``pairs`` distinct edits with realistic shape: most codes bundle a few dozen others,
    about 85 % with indicator 1, 10 % with 0 and 5 % deleted (9)."""
    rng = random.Random(seed)
    codes = synthetic_procedure_codes(max(2000, pairs // 60), seed)
    seen: set[tuple[str, str]] = set()
    starts = [date(1996, 1, 1), date(2005, 1, 1), date(2015, 4, 1), date(2022, 10, 1)]
    while len(seen) < pairs:
        c1 = rng.choice(codes)
        c2 = rng.choice(codes)
        if c1 == c2 or (c1, c2) in seen:
            continue
        seen.add((c1, c2))
        roll = rng.random()
        mi = 1 if roll < 0.85 else 0 if roll < 0.95 else 9
        yield PtpEdit(c1, c2, rng.choice(starts), None, mi)
