"""ICD-10-CM: versions effective by date of service, and the tabular notes the edits need.

Invariants:

* A version is immutable; loading a file returns a new ``Icd10CmVersion`` and a catalog is
  replaced as a whole (``Icd10CmCatalog.with_version``), so a failed load never leaves a table
  half-updated.
* Codes are stored upper case without the dot (``E119``); ``format_code`` adds the dot back.
* A code is valid for a date of service only if the version in effect that day has it.  A date
  no loaded version covers has no answer: ``Icd10CmCatalog.version_for`` returns ``None`` and
  callers report the missing version by name (``missing_version_label``), never guess.
* FY2026 comes from the ``simple_icd_10_cm`` package (April 2026 tabular): billable means a leaf
  code without ``-``; it covers dates of service 2025-10-01 to 2026-09-30.  The tabular notes
  (Excludes1, code first, 7th characters) are taken from that same release and applied to every
  loaded version, since the CMS order file carries none of them.
"""

from __future__ import annotations

import bisect
import os
import pickle
import re
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path
from types import MappingProxyType

from revcycle.codesets._text import Source
from revcycle.codesets.orderfile import parse_order_file

CODE_RE = re.compile(r"[A-Z][0-9][0-9A-Z]{1,5}")
"""A well-formed ICD-10-CM code without its dot: 3 to 7 characters."""

FY2026_START = date(2025, 10, 1)
FY2026_END = date(2026, 9, 30)


def normalize(code: str) -> str:
    """``e11.9 `` -> ``E119``."""
    return code.strip().upper().replace(".", "")


def format_code(code: str) -> str:
    """``E119`` -> ``E11.9``; three-character categories stay as they are."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def fiscal_year(dos: date) -> int:
    """The federal fiscal year (October 1 to September 30) a date falls in."""
    return dos.year + 1 if dos.month >= 10 else dos.year


def version_name(effective_from: date) -> str:
    """``FY2027`` for an October 1 release, ``FY2027-04`` for the April 1 update."""
    fy = f"FY{fiscal_year(effective_from)}"
    return fy if effective_from.month == 10 else f"{fy}-{effective_from.month:02d}"


def default_end(effective_from: date) -> date:
    """A version runs until the end of its fiscal year unless told otherwise."""
    return date(fiscal_year(effective_from), 9, 30)


@dataclass(frozen=True, slots=True)
class Icd10CmCode:
    """One row of a version: the row shape the database persists."""

    code: str
    billable: bool
    short_description: str
    long_description: str


@dataclass(frozen=True)
class Icd10CmVersion:
    """The codes of one release, in effect from ``effective_from`` to ``effective_to``."""

    name: str
    effective_from: date
    effective_to: date
    codes: Mapping[str, Icd10CmCode]
    _sorted: tuple[str, ...] = field(repr=False, compare=False)

    @classmethod
    def from_rows(
        cls,
        name: str,
        effective_from: date,
        rows: Iterable[Icd10CmCode],
        effective_to: date | None = None,
    ) -> Icd10CmVersion:
        table = {r.code: r for r in rows}
        end = effective_to or default_end(effective_from)
        if end < effective_from:
            raise ValueError(f"{name}: effective_to {end} is before effective_from")
        return cls(name, effective_from, end, MappingProxyType(table), tuple(sorted(table)))

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, code: str) -> Icd10CmCode | None:
        return self.codes.get(normalize(code))

    def covers(self, dos: date) -> bool:
        return self.effective_from <= dos <= self.effective_to

    def rows(self) -> Iterator[Icd10CmCode]:
        return (self.codes[c] for c in self._sorted)

    def descendants(self, prefix: str) -> list[Icd10CmCode]:
        """Codes that start with ``prefix`` (the prefix itself excluded), in code order."""
        prefix = normalize(prefix)
        start = bisect.bisect_right(self._sorted, prefix)
        out: list[Icd10CmCode] = []
        for code in self._sorted[start:]:
            if not code.startswith(prefix):
                break
            out.append(self.codes[code])
        return out

    def billable_children(self, prefix: str, limit: int = 50) -> list[Icd10CmCode]:
        return [c for c in self.descendants(prefix) if c.billable][:limit]


def missing_version_label(dos: date) -> str:
    """Name the release that would cover ``dos`` (``FY2027``, effective 2026-10-01)."""
    fy = fiscal_year(dos)
    return f"ICD-10-CM FY{fy} (effective {fy - 1}-10-01)"


@dataclass(frozen=True)
class Icd10CmCatalog:
    """All loaded versions, latest effective date winning where they overlap."""

    versions: tuple[Icd10CmVersion, ...] = ()

    def version_for(self, dos: date) -> Icd10CmVersion | None:
        best: Icd10CmVersion | None = None
        for v in self.versions:
            if v.covers(dos) and (best is None or v.effective_from >= best.effective_from):
                best = v
        return best

    def with_version(self, version: Icd10CmVersion) -> Icd10CmCatalog:
        """A new catalog where ``version`` replaces one of the same name or start date."""
        kept = tuple(
            v
            for v in self.versions
            if v.name != version.name and v.effective_from != version.effective_from
        )
        return Icd10CmCatalog(tuple(sorted((*kept, version), key=lambda v: v.effective_from)))

    def latest(self) -> Icd10CmVersion | None:
        return self.versions[-1] if self.versions else None


def load_order_file(
    source: Source,
    *,
    effective_from: date,
    name: str | None = None,
    effective_to: date | None = None,
) -> Icd10CmVersion:
    """Build a version from a CMS ICD-10-CM order file (``icd10cm_order_2027.txt``).

    ``name`` defaults to ``version_name(effective_from)`` (``FY2027``, ``FY2027-04`` for an
    April update).  Raises ``MalformedCodeFile`` with the line number of the first bad line;
    nothing is built.
    """
    rows = parse_order_file(source, CODE_RE)
    return Icd10CmVersion.from_rows(
        name or version_name(effective_from),
        effective_from,
        (Icd10CmCode(r.code, r.billable, r.short_description, r.long_description) for r in rows),
        effective_to,
    )


# --- tabular notes ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CodeRange:
    """Codes from ``low`` to ``high`` compared on their leading characters.

    ``E08-E13`` covers every code whose first three characters are between E08 and E13;
    ``O24.4-`` covers every code starting with ``O244``.
    """

    low: str
    high: str

    def contains(self, code: str) -> bool:
        return code[: len(self.low)] >= self.low and code[: len(self.high)] <= self.high

    def label(self) -> str:
        low, high = format_code(self.low), format_code(self.high)
        return low if low == high else f"{low}-{high}"


_REF = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?-?"
_REF_RE = re.compile(rf"({_REF})(?:\s*-\s*({_REF}))?")


def parse_code_refs(note: str) -> tuple[CodeRange, ...]:
    """Code references in the parentheses of a tabular note.

    Only clean references are kept: ``(E08-E13 with .42)`` names a combination, not a range,
    and is skipped rather than over-applied.
    """
    out: list[CodeRange] = []
    for group in re.findall(r"\(([^()]*)\)", note):
        for token in group.split(","):
            m = _REF_RE.fullmatch(token.strip())
            if not m:
                continue
            low = _clean_ref(m.group(1))
            high = _clean_ref(m.group(2)) if m.group(2) else low
            if low and high:
                out.append(CodeRange(low, high))
    return tuple(out)


def _clean_ref(ref: str) -> str:
    return ref.replace(".", "").rstrip("-")


@dataclass(frozen=True)
class Icd10CmNotes:
    """What the edits need from the tabular list, keyed by code prefix without the dot.

    * ``excludes1``: node -> ranges that may not be reported with any code under the node.
    * ``manifestation``: nodes titled "in diseases classified elsewhere" (never first-listed).
    * ``code_first``: nodes carrying a "code first" note, with the ranges it names.
    * ``seventh``: leaf node of the tree that needs a 7th character -> allowed characters.
    * ``inclusion_terms``: extra wording per node, used by search.
    """

    excludes1: Mapping[str, tuple[CodeRange, ...]]
    manifestation: frozenset[str]
    code_first: Mapping[str, tuple[CodeRange, ...]]
    seventh: Mapping[str, frozenset[str]]
    inclusion_terms: Mapping[str, tuple[str, ...]]

    @staticmethod
    def empty() -> Icd10CmNotes:
        return Icd10CmNotes({}, frozenset(), {}, {}, {})

    @staticmethod
    def prefixes(code: str) -> Iterator[str]:
        for n in range(3, len(code) + 1):
            yield code[:n]

    def excludes1_of(self, code: str) -> tuple[CodeRange, ...]:
        out: tuple[CodeRange, ...] = ()
        for p in self.prefixes(code):
            out += self.excludes1.get(p, ())
        return out

    def is_manifestation(self, code: str) -> bool:
        return any(p in self.manifestation for p in self.prefixes(code))

    def code_first_of(self, code: str) -> tuple[CodeRange, ...] | None:
        found: tuple[CodeRange, ...] | None = None
        for p in self.prefixes(code):
            if p in self.code_first:
                found = (found or ()) + self.code_first[p]
        return found

    def seventh_missing(self, code: str) -> frozenset[str] | None:
        """The allowed 7th characters when ``code`` stops where a 7th character is required."""
        if len(code) >= 7:
            return None
        return self.seventh.get(code) or self.seventh.get(code.rstrip("X"))

    def placeholder_fix(self, code: str) -> str | None:
        """``T148A`` -> ``T148XXA``: the code with placeholder X inserted, if that is the slip."""
        if 4 <= len(code) < 7:
            base, last = code[:-1], code[-1]
            allowed = self.seventh.get(base)
            if allowed and last in allowed:
                return base.ljust(6, "X") + last
        return None


@dataclass(frozen=True)
class Bundled:
    version: Icd10CmVersion
    notes: Icd10CmNotes


def _cache_file() -> Path | None:
    """Where the built FY2026 tables are kept between processes (None: caching is off).

    The name carries both package versions, so an upgrade of either builds afresh.
    """
    if os.environ.get("REVCYCLE_NO_CACHE"):
        return None
    try:
        versions = f"{metadata.version('simple-icd-10-cm')}-{metadata.version('revcycle')}"
    except metadata.PackageNotFoundError:
        return None
    root = Path(
        os.environ.get("REVCYCLE_CACHE_DIR")
        or os.environ.get("XDG_CACHE_HOME")
        or Path.home() / ".cache"
    )
    return root / "revcycle" / f"icd10cm-fy2026-{versions}-{_CACHE_FORMAT}.pickle"


_CACHE_FORMAT = "v1"


@cache
def bundled() -> Bundled:
    """FY2026 from ``simple_icd_10_cm`` and its tabular notes, built once per machine: the
    built tables are kept in the user's cache directory (``REVCYCLE_CACHE_DIR``; set
    ``REVCYCLE_NO_CACHE=1`` to always build), which turns seconds of start-up into a fraction."""
    path = _cache_file()
    if path is not None and path.is_file():
        try:
            with path.open("rb") as f:
                parts = pickle.load(f)  # noqa: S301  (our own file, in the user's cache)
            return _assemble(*parts)
        except (
            OSError,
            pickle.UnpicklingError,
            EOFError,
            AttributeError,
            ImportError,
            TypeError,
            ValueError,
        ):
            pass  # rebuild below
    parts = _extract()
    if path is not None:
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".icd10cm-")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(parts, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:  # a read-only home only costs the rebuild next time
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
    return _assemble(*parts)


_Parts = tuple[
    list["Icd10CmCode"],
    dict[str, tuple["CodeRange", ...]],
    set[str],
    dict[str, tuple["CodeRange", ...]],
    dict[str, frozenset[str]],
    dict[str, tuple[str, ...]],
]


def _assemble(
    rows: list[Icd10CmCode],
    excludes1: dict[str, tuple[CodeRange, ...]],
    manifestation: set[str],
    code_first: dict[str, tuple[CodeRange, ...]],
    seventh: dict[str, frozenset[str]],
    inclusion: dict[str, tuple[str, ...]],
) -> Bundled:
    version = Icd10CmVersion.from_rows("FY2026", FY2026_START, rows, FY2026_END)
    notes = Icd10CmNotes(
        MappingProxyType(excludes1),
        frozenset(manifestation),
        MappingProxyType(code_first),
        MappingProxyType(seventh),
        MappingProxyType(inclusion),
    )
    return Bundled(version, notes)


def _extract() -> _Parts:
    """The FY2026 rows and tabular notes as plain data, read from ``simple_icd_10_cm``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm

    rows: dict[str, Icd10CmCode] = {}
    excludes1: dict[str, tuple[CodeRange, ...]] = {}
    manifestation: set[str] = set()
    code_first: dict[str, tuple[CodeRange, ...]] = {}
    seventh: dict[str, frozenset[str]] = {}
    inclusion: dict[str, tuple[str, ...]] = {}
    blocks: list[tuple[str, tuple[CodeRange, ...]]] = []
    for dotted in dict.fromkeys(cm.get_all_codes(True)):
        if len(dotted) < 3:  # chapters
            continue
        desc = cm.get_description(dotted)
        ex1 = tuple(r for note in cm.get_excludes1(dotted) for r in parse_code_refs(note))
        if "-" in dotted:
            if ex1:
                blocks.append((dotted, ex1))
            continue
        code = normalize(dotted)
        leaf = cm.is_leaf(dotted)
        rows[code] = Icd10CmCode(code, leaf, desc, desc)
        if ex1:
            excludes1[code] = ex1
        if "in diseases classified elsewhere" in desc.lower():
            manifestation.add(code)
        first = cm.get_code_first(dotted)
        if first:
            code_first[code] = parse_code_refs(first)
        terms = cm.get_inclusion_term(dotted)
        if terms:
            inclusion[code] = tuple(terms)
        if not leaf:
            ext = cm.get_seven_chr_def(dotted, search_in_ancestors=True)
            children = cm.get_children(dotted)
            if ext and children and all(len(normalize(c)) == 7 for c in children):
                seventh[code] = frozenset(normalize(c)[6] for c in children)
    # Block-level Excludes1 notes apply to every category of the block.
    for block, ranges in blocks:
        low, _, high = block.partition("-")
        span = CodeRange(normalize(low), normalize(high))
        for code in rows:
            if len(code) == 3 and span.contains(code):
                excludes1[code] = excludes1.get(code, ()) + ranges
    return list(rows.values()), excludes1, manifestation, code_first, seventh, inclusion


def bundled_catalog() -> Icd10CmCatalog:
    return Icd10CmCatalog((bundled().version,))
