"""Code-set use cases: the effective code sets (bundled plus loaded), lookup, search, suggest,
coding validation, and loading CMS / user files into the database.

The effective ``CodeSets`` is ``default_codesets()`` (ICD-10-CM FY2026 and revcycle's lists)
with every active version the store holds applied on top (``CodeSets.with_*``).  It is built
per process, per group of systems a question needs (a CPT lookup never waits for ICD-10-CM),
and dropped when a load happens: at once for a load through this service, and within
``refresh_seconds`` for a load by another process (a cheap token query notices it).

Loading is all or nothing: the file is parsed completely before anything is written (a
malformed file raises ``CodeFileRejected`` naming the line), and the store writes the version,
its rows and the retirement of the version it replaces in one transaction.

Versions replace one another by system: an ICD-10-CM or ICD-10-PCS version replaces the active
version with the same name or the same effective date (several fiscal years stay active side by
side); any other system keeps one active version, the latest load.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from revcycle.codesets import (
    LOOKUP_SYSTEMS,
    SEARCH_SYSTEMS,
    CodeSets,
    Finding,
    Hit,
    LookupResult,
    MalformedCodeFile,
    ServiceLine,
    Suggestion,
    default_codesets,
    hcpcs,
    icd10cm,
    icd10pcs,
    lookup,
    ncci,
    pfs,
    reference,
    search,
    suggest,
    validate_coding,
)
from revcycle.codesets.hcpcs import HcpcsFile, ProcedureTable
from revcycle.codesets.icd10cm import Icd10CmCatalog, Icd10CmNotes, Icd10CmVersion
from revcycle.codesets.ncci import MueTable, PtpTable
from revcycle.codesets.pfs import GpciTable, RvuTable
from revcycle.codesets.reference import CodeList
from revcycle.codesets.search import display
from revcycle.domain.errors import DomainValidationError, FieldError
from revcycle.domain.user import LOAD_CODESETS

if TYPE_CHECKING:
    from revcycle.services.context import Context

LoadedTable = (
    Icd10CmVersion
    | HcpcsFile
    | ProcedureTable
    | PtpTable
    | MueTable
    | RvuTable
    | GpciTable
    | CodeList
)
"""Any table a load produces and the store persists."""

LOAD_SYSTEMS: tuple[str, ...] = (
    "icd10cm",
    "icd10pcs",
    "hcpcs",
    "cpt",
    "carc",
    "rarc",
    "ptp",
    "mue",
    "rvu",
    "gpci",
)
"""Systems a file can be loaded for (``revcycle codes load SYSTEM ...``)."""

VERSIONED_SYSTEMS = frozenset({"icd10cm", "icd10pcs"})
"""Systems whose versions are chosen by date of service and stay active side by side."""

_NEEDS: Mapping[str, frozenset[str]] = {
    "icd10cm": frozenset({"icd10cm"}),
    "icd10pcs": frozenset({"icd10pcs"}),
    "hcpcs": frozenset({"hcpcs"}),
    "cpt": frozenset({"cpt"}),
    "modifier": frozenset({"hcpcs"}),  # Level II modifiers come with the HCPCS file
    "pos": frozenset(),
    "carc": frozenset({"carc"}),
    "rarc": frozenset({"rarc"}),
}
ALL_SYSTEMS = frozenset(LOAD_SYSTEMS)

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class CodeSetVersion:
    """One load of one system, as recorded in the database."""

    id: int
    system: str
    name: str
    effective_from: date | None
    effective_to: date | None
    loaded_at: datetime
    loaded_by: str
    source_file: str
    row_count: int
    active: bool


@dataclass(frozen=True, slots=True)
class NewVersion:
    """What the service tells the store about a version it is about to save."""

    system: str
    name: str
    effective_from: date | None
    effective_to: date | None
    loaded_at: datetime
    loaded_by: str
    source_file: str


class CodeSetStore(Protocol):
    """Where loaded code-set versions live (``revcycle.db.codeset_store.SqlCodeSetStore``)."""

    def versions(self, system: str | None = None) -> list[CodeSetVersion]: ...

    def token(self) -> tuple[int, int]: ...

    def active(self, system: str) -> list[tuple[CodeSetVersion, LoadedTable]]: ...

    def save(
        self,
        new: NewVersion,
        table: LoadedTable,
        *,
        supersedes: Callable[[CodeSetVersion], bool],
        progress: Progress | None = None,
    ) -> CodeSetVersion: ...


class CodeFileRejected(DomainValidationError):
    """A code file that does not follow its layout; nothing was loaded (carries the line)."""

    code = "malformed_code_file"

    def __init__(self, line: int, reason: str, source: str = "") -> None:
        self.line = line
        self.reason = reason
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(
            [FieldError("file", "malformed_code_file", f"{where}line {line}: {reason}")]
        )


def unknown_system(system: str, known: Iterable[str]) -> DomainValidationError:
    return DomainValidationError.single(
        "system", "unknown_code_system", f"{system!r} is not one of {', '.join(known)}"
    )


@cache
def _light_base() -> CodeSets:
    """Code sets without ICD-10-CM, for questions that do not need it (no 3-second build)."""
    return CodeSets(Icd10CmCatalog(), Icd10CmNotes.empty())


class CodeSetService:
    """The code sets of one database, cached in this process."""

    def __init__(
        self,
        store: CodeSetStore,
        *,
        refresh_seconds: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._token: tuple[int, int] | None = None
        self._checked = float("-inf")
        self._tables: dict[str, list[tuple[CodeSetVersion, LoadedTable]]] = {}
        self._built: dict[tuple[bool, frozenset[str]], CodeSets] = {}

    # --- the effective code sets --------------------------------------------------------------

    def invalidate(self) -> None:
        with self._lock:
            self._tables.clear()
            self._built.clear()
            self._token = None
            self._checked = float("-inf")

    def _fresh(self) -> None:
        now = self._monotonic()
        if now - self._checked < self.refresh_seconds:
            return
        token = self.store.token()
        with self._lock:
            if token != self._token:
                self._tables.clear()
                self._built.clear()
                self._token = token
            self._checked = now

    def codesets(
        self, systems: Iterable[str] = ALL_SYSTEMS, *, with_icd10cm: bool = True
    ) -> CodeSets:
        """The bundled sets plus the active loaded versions of ``systems``.

        ``with_icd10cm=False`` skips the bundled ICD-10-CM release (a few seconds to build) for
        questions that do not need it.
        """
        self._fresh()
        wanted = frozenset(systems) | ({"icd10cm"} if with_icd10cm else set())
        key = (with_icd10cm, wanted)
        built = self._built.get(key)
        if built is not None:
            return built
        with self._lock:
            built = self._built.get(key)
            if built is None:
                built = self._compose(wanted, with_icd10cm)
                self._built[key] = built
            return built

    def _stored(self, system: str) -> list[tuple[CodeSetVersion, LoadedTable]]:
        if system not in self._tables:
            self._tables[system] = self.store.active(system)
        return self._tables[system]

    def _compose(self, systems: frozenset[str], with_icd: bool) -> CodeSets:
        cs = default_codesets() if with_icd else _light_base()
        for system in sorted(systems & ALL_SYSTEMS):
            for _, table in self._stored(system):
                if isinstance(table, Icd10CmVersion):
                    cs = (
                        cs.with_icd10cm_version(table)
                        if system == "icd10cm"
                        else cs.with_icd10pcs_version(table)
                    )
                elif isinstance(table, HcpcsFile):
                    cs = cs.with_hcpcs(table)
                elif isinstance(table, ProcedureTable):
                    cs = cs.with_cpt(table)
                elif isinstance(table, PtpTable):
                    cs = cs.with_ncci(ptp=table)
                elif isinstance(table, MueTable):
                    cs = cs.with_ncci(mue=table)
                elif isinstance(table, RvuTable):
                    cs = cs.with_fee_schedule(table, None)
                elif isinstance(table, GpciTable):
                    cs = cs.with_fee_schedule(None, table)
                elif isinstance(table, CodeList):
                    cs = cs.with_list(table)
        return cs

    # --- questions ----------------------------------------------------------------------------

    def lookup(self, code: str, system: str = "icd10cm", dos: date | None = None) -> LookupResult:
        """One code of one system; ``found``/``valid_on_dos`` follow ``codesets.lookup``."""
        if system not in LOOKUP_SYSTEMS:
            raise unknown_system(system, LOOKUP_SYSTEMS)
        cs = self.codesets(_NEEDS[system], with_icd10cm=system == "icd10cm")
        return lookup(code, system, dos, cs)

    def search(
        self, text: str, system: str = "icd10cm", *, limit: int = 10, dos: date | None = None
    ) -> list[Hit]:
        if system not in SEARCH_SYSTEMS:
            raise unknown_system(system, SEARCH_SYSTEMS)
        cs = self.codesets(_NEEDS[system], with_icd10cm=system == "icd10cm")
        return search(text, system, limit=limit, dos=dos, codesets=cs)

    def suggest(self, note: str, *, limit: int = 10, dos: date | None = None) -> list[Suggestion]:
        return suggest(note, limit=limit, dos=dos, codesets=self.codesets({"icd10cm"}))

    def validate(
        self,
        *,
        dos: date,
        diagnoses: Sequence[str],
        lines: Sequence[ServiceLine] = (),
        age: int | None = None,
        sex: str | None = None,
    ) -> list[Finding]:
        """Coding findings of one encounter against every loaded table."""
        return validate_coding(
            dos=dos,
            diagnoses=diagnoses,
            lines=lines,
            age=age,
            sex=sex,
            codesets=self.codesets(),
        )

    def cpt_loaded(self) -> bool:
        return self.codesets({"cpt"}, with_icd10cm=False).cpt_loaded

    def versions(self, system: str | None = None) -> list[CodeSetVersion]:
        return self.store.versions(system)

    # --- loading ------------------------------------------------------------------------------

    def load(
        self,
        ctx: Context,
        system: str,
        source: str | Path | Iterable[str],
        *,
        effective: date | None = None,
        effective_to: date | None = None,
        name: str | None = None,
        source_name: str = "",
        progress: Progress | None = None,
    ) -> CodeSetVersion:
        """Parse ``source`` for ``system`` and store it as the active version (admin only)."""
        ctx.require(LOAD_CODESETS)
        if system not in LOAD_SYSTEMS:
            raise unknown_system(system, LOAD_SYSTEMS)
        file_name = source_name or (
            Path(source).name if isinstance(source, str | Path) else "upload"
        )
        table, version_name, start = _parse(
            system, source, effective, effective_to, name, file_name
        )
        label = version_name or Path(file_name).stem or system
        new = NewVersion(
            system=system,
            name=label[:60],
            effective_from=start,
            effective_to=getattr(table, "effective_to", effective_to),
            loaded_at=ctx.clock.now(),
            loaded_by=ctx.actor,
            source_file=file_name,
        )

        def supersedes(v: CodeSetVersion) -> bool:
            if system in VERSIONED_SYSTEMS:
                return v.name == new.name or v.effective_from == new.effective_from
            return True

        try:
            saved = self.store.save(new, table, supersedes=supersedes, progress=progress)
        finally:
            self.invalidate()
        with ctx.uow() as uow:
            ctx.audit(uow, "codeset_load", f"codeset:{system}", saved.id)
            uow.commit()
        return saved


def _parse(
    system: str,
    source: str | Path | Iterable[str],
    effective: date | None,
    effective_to: date | None,
    name: str | None,
    file_name: str,
) -> tuple[LoadedTable, str | None, date | None]:
    """The parsed table, its version name (None: named after the file) and start date."""
    if system in VERSIONED_SYSTEMS and effective is None:
        raise DomainValidationError.single(
            "effective", "required", f"{system} versions need an effective date (YYYY-MM-DD)"
        )
    try:
        if system == "icd10cm":
            assert effective is not None
            v = icd10cm.load_order_file(
                source, effective_from=effective, name=name, effective_to=effective_to
            )
            return v, v.name, v.effective_from
        if system == "icd10pcs":
            assert effective is not None
            label = name or icd10cm.version_name(effective)
            v = icd10pcs.load_pcs_order_file(
                source, name=label, effective_from=effective, effective_to=effective_to
            )
            return v, v.name, v.effective_from
        loaded: LoadedTable
        if system == "hcpcs":
            loaded = hcpcs.load_hcpcs_file(source)
        elif system == "cpt":
            loaded = hcpcs.load_cpt_csv(source)
        elif system in ("carc", "rarc"):
            base = reference.bundled_lists()[system]
            loaded = reference.load_code_list_csv(source, system, base)
        elif system == "ptp":
            loaded = ncci.load_ptp_file(source)
        elif system == "mue":
            loaded = ncci.load_mue_file(source)
        elif system == "rvu":
            loaded = pfs.load_rvu_file(source)
        else:
            loaded = pfs.load_gpci_file(source)
        return loaded, name, effective
    except MalformedCodeFile as exc:
        raise CodeFileRejected(exc.line, exc.reason, exc.source or file_name) from exc
    except ValueError as exc:  # an end date before the start date
        raise DomainValidationError.single("effective_to", "date_order", str(exc)) from exc


# --- output shapes shared by the CLI and the API ---------------------------------------------


def hit_dict(hit: Hit, system: str) -> dict[str, object]:
    return {
        "code": display(hit.code, system),
        "system": system,
        "description": hit.description,
        "billable": hit.billable,
        "score": round(hit.score, 4),
    }


def suggestion_dict(s: Suggestion) -> dict[str, object]:
    return {
        "code": display(s.code, "icd10cm"),
        "description": s.description,
        "billable": s.billable,
        "score": round(s.score, 4),
        "phrase": s.phrase,
        "children": [display(c, "icd10cm") for c in s.children],
    }


def version_dict(v: CodeSetVersion) -> dict[str, object]:
    return {
        "id": v.id,
        "system": v.system,
        "name": v.name,
        "effective_from": v.effective_from.isoformat() if v.effective_from else None,
        "effective_to": v.effective_to.isoformat() if v.effective_to else None,
        "loaded_at": v.loaded_at.isoformat(),
        "loaded_by": v.loaded_by,
        "source_file": v.source_file,
        "row_count": v.row_count,
        "active": v.active,
    }
