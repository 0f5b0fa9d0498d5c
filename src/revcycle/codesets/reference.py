"""Small code lists: modifiers, place of service, claim frequency, CAS groups, CARC, RARC,
277 status categories and 271 service types.

Each list is an immutable ``CodeList`` built from ``CodeEntry`` rows (the shape the database
persists).  The bundled lists live in ``codesets/data`` with descriptions written for revcycle;
official wording is loaded from the published lists with ``load_code_list_csv``, which returns a
new list and keeps revcycle's own attributes (a CARC's root cause and action) for known codes.

CARC attributes: ``category`` is one of ``ROOT_CAUSES`` and ``action`` one of ``ACTIONS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from importlib import resources
from types import MappingProxyType

from revcycle.codesets._text import Source, numbered_csv, parse_optional_date, source_name
from revcycle.codesets.errors import MalformedCodeFile

ROOT_CAUSES: tuple[str, ...] = (
    "registration",
    "eligibility",
    "authorization",
    "coding",
    "medical_necessity",
    "timely_filing",
    "duplicate",
    "cob",
    "missing_information",
    "contractual",
    "patient_responsibility",
    "non_covered",
    "bundling",
    "provider_enrollment",
    "other",
)
ACTIONS: tuple[str, ...] = ("correct", "appeal", "reroute", "bill_patient", "write_off", "none")

LIST_NAMES: tuple[str, ...] = (
    "modifier",
    "pos",
    "claim_frequency",
    "cas_group",
    "carc",
    "rarc",
    "status_category_277",
    "service_type_271",
)


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """One code of a list; ``attrs`` holds list-specific facts as name/value pairs."""

    code: str
    description: str
    start: date | None = None
    stop: date | None = None
    active: bool = True
    attrs: tuple[tuple[str, str], ...] = ()

    def attr(self, name: str, default: str = "") -> str:
        for key, value in self.attrs:
            if key == name:
                return value
        return default

    def valid_on(self, dos: date | None) -> bool:
        if dos is None:
            return self.active
        if self.start is not None and dos < self.start:
            return False
        if self.stop is not None:
            return dos <= self.stop
        return self.active


@dataclass(frozen=True)
class CodeList:
    """An immutable code list keyed by code."""

    name: str
    entries: Mapping[str, CodeEntry]

    @classmethod
    def from_rows(cls, name: str, rows: Iterable[CodeEntry]) -> CodeList:
        return cls(name, MappingProxyType({r.code: r for r in rows}))

    def get(self, code: str) -> CodeEntry | None:
        return self.entries.get(code.strip().upper())

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code.strip().upper() in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def rows(self) -> Iterator[CodeEntry]:
        return iter(self.entries.values())


def _data_lines(filename: str) -> list[list[str]]:
    text = resources.files("revcycle.codesets.data").joinpath(filename).read_text("utf-8")
    return [
        line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]


def _d(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


@cache
def bundled_lists() -> Mapping[str, CodeList]:
    """Every bundled list by name (see ``LIST_NAMES``), built once per process."""
    lists: dict[str, list[CodeEntry]] = {name: [] for name in LIST_NAMES}
    for code, kind, group, desc in _data_lines("modifiers.tsv"):
        lists["modifier"].append(CodeEntry(code, desc, attrs=(("kind", kind), ("group", group))))
    for code, facility, start, stop, desc in _data_lines("pos.tsv"):
        lists["pos"].append(
            CodeEntry(code, desc, _d(start), _d(stop), attrs=(("facility", facility),))
        )
    for list_name, code, desc in _data_lines("simple_lists.tsv"):
        lists[list_name].append(CodeEntry(code, desc))
    for code, category, action, status, start, stop, desc in _data_lines("carc.tsv"):
        if category not in ROOT_CAUSES or action not in ACTIONS:
            raise ValueError(f"carc.tsv: bad category or action for {code}")
        lists["carc"].append(
            CodeEntry(
                code,
                desc,
                _d(start),
                _d(stop),
                status == "active",
                (("category", category), ("action", action)),
            )
        )
    for (code,) in _data_lines("rarc_codes.txt"):
        lists["rarc"].append(CodeEntry(code.strip(), ""))
    for code, desc in _data_lines("service_types_271.tsv"):
        lists["service_type_271"].append(CodeEntry(code, desc))
    return MappingProxyType({name: CodeList.from_rows(name, rows) for name, rows in lists.items()})


def carc_root_cause(code: str) -> tuple[str, str]:
    """``(category, action)`` for a CARC; unknown codes are ``("other", "none")``."""
    entry = bundled_lists()["carc"].get(code)
    if entry is None:
        return "other", "none"
    return entry.attr("category", "other"), entry.attr("action", "none")


_HEADER_NAMES = {
    "code": ("code", "carc", "rarc", "reason code", "remark code"),
    "description": ("description", "desc", "text", "short description"),
    "start": ("start", "start date", "start_date", "effective date"),
    "stop": ("stop", "stop date", "stop_date", "deactivation date", "end date"),
}


def load_code_list_csv(source: Source, name: str, base: CodeList | None = None) -> CodeList:
    """A list from a published CSV (header row naming code, description, start, stop).

    Attributes of codes already in ``base`` (a CARC's category and action) are kept; a code
    with a past stop date is inactive.  Raises ``MalformedCodeFile`` naming the line.
    """
    src = source_name(source)
    header: dict[str, int] | None = None
    rows: list[CodeEntry] = []
    for number, cells in numbered_csv(source):
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            lowered = [c.strip().lower() for c in cells]
            header = {}
            for key, names in _HEADER_NAMES.items():
                for i, cell in enumerate(lowered):
                    if cell in names:
                        header[key] = i
                        break
            if "code" not in header or "description" not in header:
                raise MalformedCodeFile(number, "header must name code and description", src)
            continue
        if len(cells) <= max(header.values()):
            raise MalformedCodeFile(number, f"expected {len(header)} columns", src)
        code = cells[header["code"]].strip().upper()
        if not code or len(code) > 5 or not code.isalnum():
            raise MalformedCodeFile(number, f"{code!r} is not a code", src)
        start = (
            parse_optional_date(cells[header["start"]], number, "start", src)
            if ("start" in header)
            else None
        )
        stop = (
            parse_optional_date(cells[header["stop"]], number, "stop", src)
            if ("stop" in header)
            else None
        )
        prior = base.get(code) if base else None
        entry = CodeEntry(code, cells[header["description"]].strip(), start, stop, stop is None)
        if prior is not None:
            entry = replace(entry, attrs=prior.attrs)
        elif name == "carc":
            entry = replace(entry, attrs=(("category", "other"), ("action", "none")))
        rows.append(entry)
    if not rows:
        raise MalformedCodeFile(1, "the file holds no codes", src)
    return CodeList.from_rows(name, rows)
