"""``CodeSets``: every code table in one immutable value, and the lookup/search entry points.

The bundled value (``default_codesets``) holds ICD-10-CM FY2026, revcycle's own small lists
(modifiers, POS, CARC, ...) and the age/sex table; HCPCS, CPT, ICD-10-PCS, NCCI and the fee
schedule are empty until loaded.  Loading returns a new ``CodeSets`` (``with_*``): the caller
swaps its reference, so readers never see a half-replaced table.  The database layer persists
the rows of each table (``rows()``) and rebuilds the value with the ``from_rows`` classmethods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from types import MappingProxyType

from revcycle.codesets import icd10cm as cm
from revcycle.codesets.agesex import AgeSexTable, bundled_age_sex
from revcycle.codesets.errors import UnknownCodeSystem
from revcycle.codesets.hcpcs import (
    HcpcsFile,
    ProcedureTable,
    cpt_format_ok,
    hcpcs_format_ok,
)
from revcycle.codesets.icd10pcs import pcs_format_ok
from revcycle.codesets.ncci import MueTable, PtpTable
from revcycle.codesets.pfs import GpciTable, RvuTable
from revcycle.codesets.reference import CodeEntry, CodeList, bundled_lists
from revcycle.codesets.search import Hit, Suggestion, icd10cm_index, procedure_index, suggest_codes

LOOKUP_SYSTEMS: tuple[str, ...] = (
    "icd10cm",
    "icd10pcs",
    "hcpcs",
    "cpt",
    "modifier",
    "pos",
    "carc",
    "rarc",
)
SEARCH_SYSTEMS: tuple[str, ...] = ("icd10cm", "hcpcs", "cpt")

NO_CPT_NOTICE = "No CPT file is loaded: CPT codes are checked for format only."


@dataclass(frozen=True, eq=False)
class CodeSets:
    """All code tables; replace parts with ``with_*`` (each returns a new value)."""

    icd10cm: cm.Icd10CmCatalog
    icd10cm_notes: cm.Icd10CmNotes
    icd10pcs: cm.Icd10CmCatalog = field(default_factory=cm.Icd10CmCatalog)
    hcpcs: ProcedureTable = field(default_factory=lambda: ProcedureTable.empty("hcpcs"))
    cpt: ProcedureTable | None = None
    lists: Mapping[str, CodeList] = field(default_factory=bundled_lists)
    ptp: PtpTable = field(default_factory=PtpTable.empty)
    mue: MueTable = field(default_factory=MueTable.empty)
    rvu: RvuTable | None = None
    gpci: GpciTable | None = None
    age_sex: AgeSexTable = field(default_factory=bundled_age_sex)

    def with_icd10cm_version(self, version: cm.Icd10CmVersion) -> CodeSets:
        return replace(self, icd10cm=self.icd10cm.with_version(version))

    def with_icd10pcs_version(self, version: cm.Icd10CmVersion) -> CodeSets:
        return replace(self, icd10pcs=self.icd10pcs.with_version(version))

    def with_hcpcs(self, loaded: HcpcsFile) -> CodeSets:
        """HCPCS procedures replace the table; Level II modifiers join the modifier list
        (revcycle's own entries keep their grouping)."""
        mods = dict(self.lists["modifier"].entries)
        for m in loaded.modifiers.rows():
            if m.code not in mods:
                mods[m.code] = CodeEntry(
                    m.code,
                    m.short_description or m.long_description,
                    m.effective,
                    m.termination,
                    attrs=(("kind", "hcpcs"), ("group", "")),
                )
        lists = dict(self.lists)
        lists["modifier"] = CodeList.from_rows("modifier", mods.values())
        return replace(self, hcpcs=loaded.procedures, lists=MappingProxyType(lists))

    def with_cpt(self, table: ProcedureTable) -> CodeSets:
        return replace(self, cpt=table)

    def with_list(self, code_list: CodeList) -> CodeSets:
        lists = dict(self.lists)
        lists[code_list.name] = code_list
        return replace(self, lists=MappingProxyType(lists))

    def with_ncci(self, ptp: PtpTable | None = None, mue: MueTable | None = None) -> CodeSets:
        return replace(self, ptp=ptp if ptp is not None else self.ptp, mue=mue or self.mue)

    def with_fee_schedule(self, rvu: RvuTable | None, gpci: GpciTable | None) -> CodeSets:
        return replace(self, rvu=rvu or self.rvu, gpci=gpci or self.gpci)

    @property
    def cpt_loaded(self) -> bool:
        return self.cpt is not None


@cache
def default_codesets() -> CodeSets:
    """The bundled code sets, built once per process (ICD-10-CM takes a few seconds)."""
    bundled = cm.bundled()
    return CodeSets(cm.Icd10CmCatalog((bundled.version,)), bundled.notes)


# --- lookup ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LookupResult:
    """What ``revcycle codes lookup --json`` prints.

    ``valid_on_dos`` and ``billable`` are ``None`` when they cannot be known (no date given,
    no loaded version covers the date, format-only checks, systems without the notion).
    """

    code: str
    system: str
    found: bool
    valid_on_dos: bool | None
    billable: bool | None
    description: str
    note: str = ""
    version: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "system": self.system,
            "found": self.found,
            "valid_on_dos": self.valid_on_dos,
            "billable": self.billable,
            "description": self.description,
            "note": self.note,
            "version": self.version,
        }


def lookup(
    code: str, system: str = "icd10cm", dos: date | None = None, codesets: CodeSets | None = None
) -> LookupResult:
    """Look one code up in one system (see ``LOOKUP_SYSTEMS``)."""
    cs = codesets or default_codesets()
    raw = code.strip().upper()
    if system == "icd10cm":
        return _lookup_icd(raw, "icd10cm", dos, cs.icd10cm)
    if system == "icd10pcs":
        if not cs.icd10pcs.versions:
            ok = pcs_format_ok(raw)
            return LookupResult(
                raw, system, ok, None, None, "", "format only: no ICD-10-PCS version is loaded"
            )
        return _lookup_icd(raw, "icd10pcs", dos, cs.icd10pcs)
    if system in ("hcpcs", "cpt"):
        table = cs.hcpcs if system == "hcpcs" else cs.cpt
        shape_ok = hcpcs_format_ok(raw) if system == "hcpcs" else cpt_format_ok(raw)
        if table is None or len(table) == 0:
            note = NO_CPT_NOTICE if system == "cpt" else "format only: no HCPCS file is loaded"
            return LookupResult(raw, system, shape_ok, None, None, "", note)
        row = table.get(raw)
        if row is None:
            why = "not in the loaded file" if shape_ok else "not a well-formed code"
            return LookupResult(raw, system, False, None, None, "", why)
        valid = row.valid_on(dos) if dos else None
        return LookupResult(raw, system, True, valid, True, row.long_description)
    if system in ("modifier", "pos", "carc", "rarc"):
        entry = cs.lists[system].get(raw)
        if entry is None and system == "pos" and raw.isdigit() and len(raw) == 1:
            raw = raw.zfill(2)
            entry = cs.lists[system].get(raw)
        if entry is None:
            return LookupResult(raw, system, False, None, None, "", "not in the code list")
        valid = entry.valid_on(dos) if dos else entry.active
        note = "" if entry.description else "wording not bundled; load the published list"
        if system == "carc":
            note = f"root cause {entry.attr('category')}, usual action {entry.attr('action')}"
        return LookupResult(raw, system, True, valid, None, entry.description, note)
    raise UnknownCodeSystem(f"unknown code system {system!r}; use one of {LOOKUP_SYSTEMS}")


def _lookup_icd(
    raw: str, system: str, dos: date | None, catalog: cm.Icd10CmCatalog
) -> LookupResult:
    code = cm.normalize(raw)
    shown = cm.format_code(code) if system == "icd10cm" else code
    if dos is None:
        version = catalog.latest()
        row = version.get(code) if version else None
        if row is None:
            return LookupResult(shown, system, False, None, None, "", "not in the latest version")
        assert version is not None
        return LookupResult(
            shown, system, True, None, row.billable, row.long_description, "", version.name
        )
    version = catalog.version_for(dos)
    if version is None:
        known = next((v.get(code) for v in reversed(catalog.versions) if v.get(code)), None)
        label = cm.missing_version_label(dos) if system == "icd10cm" else "ICD-10-PCS"
        return LookupResult(
            shown,
            system,
            known is not None,
            None,
            known.billable if known else None,
            known.long_description if known else "",
            f"no loaded version covers {dos.isoformat()}: load {label}",
        )
    row = version.get(code)
    if row is None:
        other = next((v for v in catalog.versions if v.get(code)), None)
        if other is not None:
            r = other.get(code)
            assert r is not None
            return LookupResult(
                shown,
                system,
                True,
                False,
                r.billable,
                r.long_description,
                f"in {other.name} but not in {version.name}, in effect on {dos.isoformat()}",
                version.name,
            )
        return LookupResult(shown, system, False, False, None, "", "", version.name)
    return LookupResult(
        shown, system, True, True, row.billable, row.long_description, "", version.name
    )


# --- search ----------------------------------------------------------------------------------


def search(
    text: str,
    system: str = "icd10cm",
    *,
    limit: int = 10,
    dos: date | None = None,
    codesets: CodeSets | None = None,
) -> list[Hit]:
    """Rank codes of ``system`` (icd10cm, hcpcs, cpt) by relevance to ``text``."""
    cs = codesets or default_codesets()
    if system == "icd10cm":
        version = cs.icd10cm.version_for(dos) if dos else cs.icd10cm.latest()
        if version is None:
            return []
        return icd10cm_index(version, cs.icd10cm_notes).search(text, limit)
    if system in ("hcpcs", "cpt"):
        table = cs.hcpcs if system == "hcpcs" else cs.cpt
        if table is None or len(table) == 0:
            return []
        rows = ((r.code, r.long_description or r.short_description) for r in table.rows())
        return procedure_index(system, table, rows).search(text, limit)
    raise UnknownCodeSystem(f"search covers {SEARCH_SYSTEMS}, not {system!r}")


def suggest(
    note_text: str,
    *,
    limit: int = 10,
    dos: date | None = None,
    codesets: CodeSets | None = None,
) -> list[Suggestion]:
    """Candidate ICD-10-CM codes for a clinical note, each with its supporting phrase."""
    cs = codesets or default_codesets()
    version = cs.icd10cm.version_for(dos) if dos else cs.icd10cm.latest()
    if version is None:
        return []
    return suggest_codes(note_text, version, cs.icd10cm_notes, limit)
