"""Coding validation of one encounter: diagnoses in order and service lines.

``validate_coding`` returns every ``Finding`` it can see and never stops at the first.  Finding
codes are stable identifiers; locations point into the input (``diagnoses[0]``,
``lines[2].modifiers[0]``, ``lines[1]``).

Rules and their sources:

* ICD-10-CM validity by date of service: the version in effect on the date must list the code
  (HIPAA code-set rule; CMS ICD-10-CM files, effective October 1 / April 1).  A date no loaded
  version covers gives ``icd10cm.version_missing`` naming the release; codes are then not
  judged valid or invalid.
* Only codes flagged billable (valid for HIPAA transactions) may be reported.
* Codes needing a 7th character must carry one, with placeholder X where the code is short
  (ICD-10-CM guidelines I.A.4-5).
* Excludes1 pairs may not be reported together (guideline I.A.12.a): a warning, since the
  guideline allows unrelated conditions.
* "In diseases classified elsewhere" manifestation codes are never first-listed; codes with a
  "code first" note follow their underlying condition (guideline I.A.13); external cause codes
  V00-Y99 are never first-listed (guideline I.C.20).
* Age and sex edits from revcycle's table (``agesex``).
* NCCI PTP: a column 2 code billed with its column 1 code on the same date is not paid unless
  the indicator is 1 and an NCCI-associated modifier is present.  MUE: units per line
  (indicator 1) or per day (2, 3) above the MUE value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from revcycle.codesets import icd10cm as cm
from revcycle.codesets.catalog import NO_CPT_NOTICE, CodeSets, default_codesets
from revcycle.codesets.findings import Finding
from revcycle.codesets.hcpcs import CPT_RE, HCPCS_RE, MODIFIER_RE
from revcycle.codesets.ncci import NCCI_BYPASS_MODIFIERS


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """One billed procedure: code, modifiers, units and 1-based diagnosis pointers."""

    code: str
    modifiers: tuple[str, ...] = ()
    units: int = 1
    pointers: tuple[int, ...] = ()


def validate_coding(
    *,
    dos: date,
    diagnoses: Sequence[str],
    lines: Sequence[ServiceLine] = (),
    age: int | None = None,
    sex: str | None = None,
    codesets: CodeSets | None = None,
) -> list[Finding]:
    """Findings for an encounter's diagnoses (in claim order) and service lines."""
    cs = codesets or default_codesets()
    out: list[Finding] = []
    codes = _check_diagnoses(cs, dos, diagnoses, age, sex, out)
    _check_sequencing(cs, codes, out)
    _check_excludes1(cs, codes, out)
    _check_lines(cs, dos, lines, len(diagnoses), out)
    _check_ncci(cs, dos, lines, out)
    return out


def _check_diagnoses(
    cs: CodeSets,
    dos: date,
    diagnoses: Sequence[str],
    age: int | None,
    sex: str | None,
    out: list[Finding],
) -> list[str | None]:
    """Validity per diagnosis; returns the normalized codes (None where malformed)."""
    if not diagnoses:
        out.append(Finding("claim.no_diagnosis", "error", "no diagnosis is listed", "diagnoses"))
    version = cs.icd10cm.version_for(dos)
    if version is None and diagnoses:
        out.append(
            Finding(
                "icd10cm.version_missing",
                "error",
                f"no loaded ICD-10-CM version covers the date of service {dos.isoformat()}: "
                f"load {cm.missing_version_label(dos)}",
                "dos",
            )
        )
    notes = cs.icd10cm_notes
    seen: dict[str, int] = {}
    codes: list[str | None] = []
    for i, raw in enumerate(diagnoses):
        where = f"diagnoses[{i}]"
        code = cm.normalize(raw)
        if not cm.CODE_RE.fullmatch(code):
            out.append(
                Finding("icd10cm.malformed", "error", f"{raw!r} is not an ICD-10-CM code", where)
            )
            codes.append(None)
            continue
        codes.append(code)
        shown = cm.format_code(code)
        if code in seen:
            out.append(
                Finding(
                    "icd10cm.duplicate",
                    "warning",
                    f"{shown} is listed twice (also diagnoses[{seen[code]}])",
                    where,
                )
            )
        seen.setdefault(code, i)
        for conflict in cs.age_sex.check(code, age, sex):
            kind = "sex" if conflict.edit in ("female", "male") else "age"
            out.append(Finding(f"icd10cm.{kind}", conflict.severity, conflict.message, where))
        if version is None:
            continue
        row = version.get(code)
        if row is None:
            out.append(_not_in_version(cs, version, code, dos, where))
        elif not row.billable:
            kids = version.billable_children(code, 6)
            sample = ", ".join(cm.format_code(k.code) for k in kids[:5])
            missing7 = notes.seventh_missing(code)
            if missing7:
                msg = (
                    f"{shown} needs a 7th character ({', '.join(sorted(missing7))})"
                    f"{'; placeholder X fills empty positions' if len(code) < 6 else ''}"
                )
                out.append(Finding("icd10cm.seventh_character_missing", "error", msg, where))
            else:
                more = f"; billable codes under it include {sample}" if sample else ""
                out.append(
                    Finding(
                        "icd10cm.not_billable",
                        "error",
                        f"{shown} is a header code, not billable{more}",
                        where,
                    )
                )
    return codes


def _not_in_version(
    cs: CodeSets, version: cm.Icd10CmVersion, code: str, dos: date, where: str
) -> Finding:
    shown = cm.format_code(code)
    fix = cs.icd10cm_notes.placeholder_fix(code)
    if fix and version.get(fix):
        return Finding(
            "icd10cm.placeholder_missing",
            "error",
            f"{shown} lacks placeholder X before its 7th character: use {cm.format_code(fix)}",
            where,
        )
    others = [v for v in cs.icd10cm.versions if v is not version and v.get(code)]
    if others:
        names = ", ".join(f"{v.name} ({v.effective_from.isoformat()})" for v in others)
        when = "not yet valid" if others[0].effective_from > dos else "no longer valid"
        return Finding(
            "icd10cm.not_valid_on_dos",
            "error",
            f"{shown} is {when} on {dos.isoformat()}: {version.name} does not list it; "
            f"it is in {names}",
            where,
        )
    return Finding(
        "icd10cm.unknown",
        "error",
        f"{shown} is not an ICD-10-CM code in {version.name}",
        where,
    )


def _check_sequencing(cs: CodeSets, codes: list[str | None], out: list[Finding]) -> None:
    notes = cs.icd10cm_notes
    if not codes or codes[0] is None:
        return
    first = codes[0]
    shown = cm.format_code(first)
    if "V00" <= first[:3] <= "Y99":
        out.append(
            Finding(
                "icd10cm.external_cause_first",
                "error",
                f"{shown} is an external cause code (V00-Y99) and cannot be first-listed",
                "diagnoses[0]",
            )
        )
    if notes.is_manifestation(first):
        out.append(
            Finding(
                "icd10cm.manifestation_first",
                "error",
                f"{shown} is a manifestation code (in diseases classified elsewhere): list "
                "the underlying condition first",
                "diagnoses[0]",
            )
        )
    for i, code in enumerate(codes):
        if code is None:
            continue
        ranges = notes.code_first_of(code)
        if not ranges:
            continue
        shown = cm.format_code(code)
        later = [(j, c) for j, c in enumerate(codes) if j > i and c is not None]
        misplaced = next(((j, c) for j, c in later if any(r.contains(c) for r in ranges)), None)
        if misplaced is not None:
            out.append(
                Finding(
                    "icd10cm.code_first",
                    "warning",
                    f"{shown} has a 'code first' note: list {cm.format_code(misplaced[1])} "
                    f"(diagnoses[{misplaced[0]}]) before it",
                    f"diagnoses[{i}]",
                )
            )
        elif notes.is_manifestation(code) and not any(
            r.contains(c) for r in ranges for c in codes[:i] if c is not None
        ):
            labels = ", ".join(r.label() for r in ranges[:6])
            out.append(
                Finding(
                    "icd10cm.manifestation_without_etiology",
                    "warning",
                    f"{shown} is a manifestation code: report its underlying condition "
                    f"(such as {labels}) before it",
                    f"diagnoses[{i}]",
                )
            )


def _check_excludes1(cs: CodeSets, codes: list[str | None], out: list[Finding]) -> None:
    notes = cs.icd10cm_notes
    reported: set[frozenset[int]] = set()
    letters = {c[0] for c in codes if c is not None}
    for i, a in enumerate(codes):
        if a is None:
            continue
        ranges = tuple(
            r
            for r in notes.excludes1_of(a)
            if any(r.low[0] <= letter <= r.high[0] for letter in letters)
        )
        if not ranges:
            continue
        for j, b in enumerate(codes):
            if j == i or b is None or b == a or frozenset((i, j)) in reported:
                continue
            hit = next((r for r in ranges if r.contains(b)), None)
            if hit is not None:
                reported.add(frozenset((i, j)))
                out.append(
                    Finding(
                        "icd10cm.excludes1",
                        "warning",
                        f"{cm.format_code(a)} has an Excludes1 note for {hit.label()}: it is "
                        f"not reported with {cm.format_code(b)} unless the conditions are "
                        "unrelated",
                        f"diagnoses[{j}]",
                    )
                )


def _check_lines(
    cs: CodeSets, dos: date, lines: Sequence[ServiceLine], n_dx: int, out: list[Finding]
) -> None:
    cpt_notice_given = False
    modifiers = cs.lists["modifier"]
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        code = line.code.strip().upper()
        if HCPCS_RE.fullmatch(code):
            table = cs.hcpcs
            if len(table):
                row = table.get(code)
                if row is None:
                    out.append(
                        Finding("hcpcs.unknown", "error", f"{code} is not in the HCPCS file", where)
                    )
                elif not row.valid_on(dos):
                    out.append(
                        Finding(
                            "hcpcs.not_valid_on_dos",
                            "error",
                            f"{code} is not valid on {dos.isoformat()} "
                            f"(effective {row.effective}, terminated {row.termination})",
                            where,
                        )
                    )
        elif CPT_RE.fullmatch(code):
            if cs.cpt is None:
                if not cpt_notice_given:
                    out.append(Finding("cpt.format_only", "info", NO_CPT_NOTICE, where))
                    cpt_notice_given = True
            else:
                row = cs.cpt.get(code)
                if row is None:
                    out.append(
                        Finding("cpt.unknown", "error", f"{code} is not in the CPT file", where)
                    )
                elif not row.valid_on(dos):
                    out.append(
                        Finding(
                            "cpt.not_valid_on_dos",
                            "error",
                            f"{code} is not valid on {dos.isoformat()}",
                            where,
                        )
                    )
        else:
            out.append(
                Finding(
                    "procedure.malformed",
                    "error",
                    f"{line.code!r} is neither a CPT nor a HCPCS code",
                    where,
                )
            )
        for k, mod in enumerate(line.modifiers):
            m = mod.strip().upper()
            mwhere = f"{where}.modifiers[{k}]"
            if not MODIFIER_RE.fullmatch(m):
                out.append(
                    Finding("modifier.malformed", "error", f"{mod!r} is not a modifier", mwhere)
                )
            elif m not in modifiers:
                out.append(
                    Finding("modifier.unknown", "warning", f"{m} is not a known modifier", mwhere)
                )
            elif not (entry := modifiers.get(m)) or not entry.valid_on(dos):
                out.append(
                    Finding(
                        "modifier.not_valid_on_dos",
                        "error",
                        f"{m} is not valid on {dos.isoformat()}",
                        mwhere,
                    )
                )
        if line.units < 1:
            out.append(Finding("line.units", "error", "units must be at least 1", where))
        if not line.pointers:
            out.append(
                Finding("line.no_pointer", "warning", "no diagnosis pointer on the line", where)
            )
        for k, p in enumerate(line.pointers):
            if not 1 <= p <= n_dx:
                out.append(
                    Finding(
                        "line.pointer_invalid",
                        "error",
                        f"pointer {p} does not name one of the {n_dx} diagnoses",
                        f"{where}.pointers[{k}]",
                    )
                )


def _check_ncci(cs: CodeSets, dos: date, lines: Sequence[ServiceLine], out: list[Finding]) -> None:
    codes = [ln.code.strip().upper() for ln in lines]
    mods = [{m.strip().upper() for m in ln.modifiers} for ln in lines]
    if len(cs.ptp):
        for i, c1 in enumerate(codes):
            for j, c2 in enumerate(codes):
                if i == j or c1 == c2:
                    continue
                edit = cs.ptp.active_edit(c1, c2, dos)
                if edit is None:
                    continue
                bypass = (mods[i] | mods[j]) & NCCI_BYPASS_MODIFIERS
                if edit.modifier_indicator == 1 and bypass:
                    out.append(
                        Finding(
                            "ncci.ptp_bypassed",
                            "info",
                            f"NCCI pair {c1}/{c2} bypassed by modifier {', '.join(sorted(bypass))}:"
                            " the record must show a distinct service",
                            f"lines[{j}]",
                        )
                    )
                    continue
                why = (
                    "no modifier is allowed (indicator 0)"
                    if edit.modifier_indicator == 0
                    else "no NCCI-associated modifier (59, XE, XS, XP, XU, ...) is present"
                )
                out.append(
                    Finding(
                        "ncci.ptp",
                        "error",
                        f"{c2} is bundled into {c1} on {dos.isoformat()} (NCCI PTP edit): {why}",
                        f"lines[{j}]",
                    )
                )
    if len(cs.mue):
        totals: dict[str, int] = {}
        first_line: dict[str, int] = {}
        for i, (code, line) in enumerate(zip(codes, lines, strict=True)):
            mue = cs.mue.get(code)
            if mue is None:
                continue
            if not mue.per_day and line.units > mue.max_units:
                out.append(
                    Finding(
                        "ncci.mue",
                        "error",
                        f"{code}: {line.units} units on one line exceed the MUE of "
                        f"{mue.max_units} (line edit)",
                        f"lines[{i}].units",
                    )
                )
            totals[code] = totals.get(code, 0) + line.units
            first_line.setdefault(code, i)
        for code, total in totals.items():
            mue = cs.mue.get(code)
            if mue is not None and mue.per_day and total > mue.max_units:
                kind = "policy, not appealable" if mue.adjudication_indicator == 2 else "clinical"
                out.append(
                    Finding(
                        "ncci.mue",
                        "error",
                        f"{code}: {total} units on the date of service exceed the MUE of "
                        f"{mue.max_units} (date-of-service edit, {kind})",
                        f"lines[{first_line[code]}].units",
                    )
                )
