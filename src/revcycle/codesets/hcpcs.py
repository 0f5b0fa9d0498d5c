"""HCPCS Level II (CMS alpha-numeric file) and CPT (the user's licensed file).

HCPCS record layout (fixed width, 320 characters; 1-based columns)::

    1-5     HCPCS code (procedure) or modifier (left justified)
    6-10    sequence number
    11      record id: 3 procedure, 4 procedure continuation, 7 modifier, 8 modifier continuation
    12-91   long description (continued on records 4/8)
    92-119  short description
    269-276 date added (YYYYMMDD)
    277-284 action effective date
    285-292 termination date (blank when active)
    293     action code

CPT is licensed by the AMA and never shipped: ``load_cpt_csv`` reads a user's file with a header
``code,short_descriptor,effective_date,termination_date``.  Without it, ``cpt_format_ok`` checks
the shape only (five digits, or four digits and F, T or U).

A code is valid on a date of service when ``effective <= dos`` and, if terminated,
``dos <= termination``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from revcycle.codesets._text import (
    Source,
    numbered_csv,
    numbered_lines,
    parse_optional_date,
    source_name,
)
from revcycle.codesets.errors import MalformedCodeFile

HCPCS_RE = re.compile(r"[A-V][0-9]{4}")
CPT_RE = re.compile(r"[0-9]{5}|[0-9]{4}[FTU]")
MODIFIER_RE = re.compile(r"[0-9A-Z]{2}")


def cpt_format_ok(code: str) -> bool:
    """CPT shape: 99213, 0001U, 3008F, 0042T."""
    return CPT_RE.fullmatch(code.strip().upper()) is not None


def hcpcs_format_ok(code: str) -> bool:
    return HCPCS_RE.fullmatch(code.strip().upper()) is not None


@dataclass(frozen=True, slots=True)
class ProcedureCode:
    """A HCPCS or CPT code with its dates; the row shape the database persists."""

    code: str
    short_description: str
    long_description: str
    effective: date | None = None
    termination: date | None = None
    added: date | None = None
    action: str = ""

    def valid_on(self, dos: date) -> bool:
        if self.effective is not None and dos < self.effective:
            return False
        return self.termination is None or dos <= self.termination


@dataclass(frozen=True)
class ProcedureTable:
    """An immutable table of procedure codes (one system: ``hcpcs`` or ``cpt``)."""

    system: str
    codes: Mapping[str, ProcedureCode]

    @classmethod
    def from_rows(cls, system: str, rows: Iterable[ProcedureCode]) -> ProcedureTable:
        return cls(system, MappingProxyType({r.code: r for r in rows}))

    @classmethod
    def empty(cls, system: str) -> ProcedureTable:
        return cls(system, MappingProxyType({}))

    def get(self, code: str) -> ProcedureCode | None:
        return self.codes.get(code.strip().upper())

    def __len__(self) -> int:
        return len(self.codes)

    def rows(self) -> Iterator[ProcedureCode]:
        return iter(self.codes.values())


@dataclass(frozen=True)
class HcpcsFile:
    """What one alpha-numeric HCPCS file holds: procedure codes and Level II modifiers."""

    procedures: ProcedureTable
    modifiers: ProcedureTable


def load_hcpcs_file(source: Source) -> HcpcsFile:
    """Parse a CMS alpha-numeric HCPCS file (``HCPC2026_JAN_ANWEB.txt``).

    Continuation records extend the long description of the code before them.  Raises
    ``MalformedCodeFile`` with the line number of the first bad record.
    """
    src = source_name(source)
    procs: dict[str, dict[str, object]] = {}
    mods: dict[str, dict[str, object]] = {}
    for number, line in numbered_lines(source):
        if not line.strip():
            continue

        def bad(reason: str, number: int = number) -> MalformedCodeFile:
            return MalformedCodeFile(number, reason, src)

        if len(line) < 293:
            raise bad(f"record is {len(line)} characters; the HCPCS layout needs 293 or more")
        code, recid = line[0:5].strip(), line[10]
        if recid not in "3478":
            raise bad(f"record id {recid!r} is not 3, 4, 7 or 8")
        target = procs if recid in "34" else mods
        pattern = HCPCS_RE if recid in "34" else MODIFIER_RE
        if not pattern.fullmatch(code):
            raise bad(f"{code!r} is not a well-formed {'code' if recid in '34' else 'modifier'}")
        long = line[11:91].strip()
        if recid in "48":
            if code not in target:
                raise bad(f"continuation record for {code} before its first record")
            target[code]["long"] = f"{target[code]['long']} {long}".strip()
            continue
        if code in target:
            raise bad(f"{code} appears twice")
        target[code] = {
            "long": long,
            "short": line[91:119].strip(),
            "added": parse_optional_date(line[268:276], number, "date added", src),
            "effective": parse_optional_date(line[276:284], number, "action effective date", src),
            "termination": parse_optional_date(line[284:292], number, "termination date", src),
            "action": line[292].strip(),
        }
        if not target[code]["short"] and not long:
            raise bad(f"{code} has no description")
    if not procs and not mods:
        raise MalformedCodeFile(1, "the file holds no records", src)
    return HcpcsFile(_table("hcpcs", procs), _table("hcpcs_modifier", mods))


def _table(system: str, raw: dict[str, dict[str, object]]) -> ProcedureTable:
    rows = []
    for code, f in raw.items():
        eff, term, added = f["effective"], f["termination"], f["added"]
        assert eff is None or isinstance(eff, date)
        assert term is None or isinstance(term, date)
        assert added is None or isinstance(added, date)
        rows.append(
            ProcedureCode(
                code, str(f["short"]), str(f["long"]), eff or added, term, added, str(f["action"])
            )
        )
    return ProcedureTable.from_rows(system, rows)


def format_hcpcs_record(
    code: str,
    recid: str,
    long: str,
    short: str = "",
    *,
    added: str = "",
    effective: str = "",
    termination: str = "",
    action: str = "",
    seq: int = 10,
) -> str:
    """One 320-character record in the HCPCS layout (fixtures and round-trip tests)."""
    rec = f"{code:<5}{seq:05d}{recid}{long[:80]:<80}{short[:28]:<28}"
    rec = rec.ljust(268) + f"{added:<8}{effective:<8}{termination:<8}{action:<1}"
    return rec.ljust(320)


_CPT_COLUMNS = ("code", "short_descriptor", "effective_date", "termination_date")


def load_cpt_csv(source: Source) -> ProcedureTable:
    """A user's licensed CPT list: ``code,short_descriptor,effective_date,termination_date``.

    Dates are ``YYYY-MM-DD``, ``YYYYMMDD`` or ``MM/DD/YYYY``; the termination date may be blank.
    """
    src = source_name(source)
    header: list[str] | None = None
    rows: list[ProcedureCode] = []
    seen: set[str] = set()
    for number, cells in numbered_csv(source):
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            if tuple(header[:2]) != _CPT_COLUMNS[:2]:
                raise MalformedCodeFile(number, f"header must start {','.join(_CPT_COLUMNS)}", src)
            continue
        if len(cells) < 2 or len(cells) > len(_CPT_COLUMNS):
            raise MalformedCodeFile(number, f"expected 2 to 4 columns, got {len(cells)}", src)
        cells4 = [*cells, "", ""][:4]
        code = cells4[0].strip().upper()
        if not cpt_format_ok(code):
            raise MalformedCodeFile(number, f"{code!r} is not a CPT code", src)
        if code in seen:
            raise MalformedCodeFile(number, f"{code} appears twice", src)
        seen.add(code)
        desc = cells4[1].strip()
        rows.append(
            ProcedureCode(
                code,
                desc,
                desc,
                parse_optional_date(cells4[2], number, "effective_date", src),
                parse_optional_date(cells4[3], number, "termination_date", src),
            )
        )
    if not rows:
        raise MalformedCodeFile(1, "the file holds no codes", src)
    return ProcedureTable.from_rows("cpt", rows)
