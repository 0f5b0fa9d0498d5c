"""Coding rules: ICD-10-CM and CPT/HCPCS validity on the date of service, pointers and
sequencing, age and sex, NCCI procedure-to-procedure and MUE edits, modifiers, laterality,
place of service and global surgery. The code sets do the lookups (``ScrubInput.coding``);
these rules sort their findings under the scrubber's codes and add the claim-level edits.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from revcycle.codesets import Finding
from revcycle.scrubber.inputs import ScrubInput
from revcycle.scrubber.registry import Rule, finding

# Which code-set finding belongs to which scrubber rule.
_CODING_RULE = {
    "icd10cm.malformed": "R14",
    "icd10cm.unknown": "R14",
    "icd10cm.not_billable": "R14",
    "icd10cm.not_valid_on_dos": "R15",
    "icd10cm.version_missing": "R15",
    "icd10cm.seventh_character_missing": "R16",
    "icd10cm.placeholder_missing": "R16",
    "icd10cm.duplicate": "R17",
    "line.no_pointer": "R17",
    "line.pointer_invalid": "R17",
    "icd10cm.external_cause_first": "R18",
    "icd10cm.manifestation_first": "R18",
    "icd10cm.manifestation_without_etiology": "R18",
    "icd10cm.code_first": "R18",
    "icd10cm.excludes1": "R18",
    "icd10cm.age": "R19",
    "icd10cm.sex": "R19",
    "procedure.malformed": "R20",
    "cpt.unknown": "R20",
    "cpt.not_valid_on_dos": "R20",
    "hcpcs.unknown": "R20",
    "hcpcs.not_valid_on_dos": "R20",
    "modifier.malformed": "R20",
    "modifier.not_valid_on_dos": "R20",
    "modifier.unknown": "R20",
    "ncci.ptp": "R21",
    "ncci.mue": "R22",
}


def _from_codesets(rule: str) -> Rule:
    def check(inp: ScrubInput) -> Iterator[Finding]:
        if not inp.coding:
            return
        for f in inp.coding:
            if _CODING_RULE.get(f.code) == rule:
                yield Finding(rule, f.severity, f.message, f.location)

    check.__doc__ = f"{rule}: the code sets' findings of this family (see codesets.validation)."
    return Rule(rule, f"code set edits ({rule})", check)


def diagnosis_count(inp: ScrubInput) -> Iterator[Finding]:
    """R17: at most 12 diagnoses on a professional claim (25 institutional), none repeated; each
    line points at 1 to 4 diagnoses, all of them present (the code sets check the pointers)."""
    for f in inp.coding:
        if _CODING_RULE.get(f.code) == "R17":
            yield Finding("R17", f.severity, f.message, f.location)
    limit = 25 if inp.claim.institutional is not None else 12
    n_dx = len(inp.claim.diagnoses)
    if n_dx > limit:
        yield finding("R17", f"{n_dx} diagnoses; at most {limit} fit on this claim", "diagnoses")
    if inp.claim.institutional is None:
        for n, line in enumerate(inp.claim.lines, start=1):
            if len(line.diagnosis_pointers) > 4:
                yield finding(
                    "R17", "a line points at no more than 4 diagnoses", f"lines[{n}].pointers"
                )


def _is_em(code: str) -> bool:
    return code.isdigit() and "99202" <= code <= "99499"


def _is_test(code: str) -> bool:
    """Labs, ECGs and other diagnostic tests, which need no modifier 25 beside an E/M."""
    return code.isdigit() and (
        "80047" <= code <= "89398" or "93000" <= code <= "93010" or "70010" <= code <= "79999"
    )


def _global_days(inp: ScrubInput, code: str) -> str | None:
    rvu = inp.codesets.rvu
    row = rvu.get(code) if rvu is not None else None
    return row.global_days.strip() if row is not None else None


def modifier_25(inp: ScrubInput) -> Iterator[Finding]:
    """R23: modifier 25 only on an E/M code; an E/M billed the same day as a procedure with a
    global period (000, 010, 090) or an NCCI pair needs modifier 25 (tests such as labs and ECGs
    do not). Source: NCCI policy manual ch. I and XI."""
    lines = inp.claim.lines
    for n, line in enumerate(lines, start=1):
        if "25" in line.modifiers and not _is_em(line.procedure_code):
            yield finding(
                "R23",
                f"modifier 25 applies to E/M codes, not {line.procedure_code}",
                f"lines[{n}].modifiers",
            )
    for n, line in enumerate(lines, start=1):
        if not _is_em(line.procedure_code) or "25" in line.modifiers:
            continue
        for other in lines:
            code = other.procedure_code
            if (
                other is line
                or other.service_date != line.service_date
                or _is_em(code)
                or _is_test(code)
            ):
                continue
            paired = (
                inp.codesets.ptp.active_edit(code, line.procedure_code, line.service_date)
                is not None
                or inp.codesets.ptp.active_edit(line.procedure_code, code, line.service_date)
                is not None
            )
            if _global_days(inp, code) in ("000", "010", "090") or paired:
                yield finding(
                    "R23",
                    f"E/M {line.procedure_code} on the day of procedure {code} needs modifier 25",
                    f"lines[{n}].modifiers",
                )
                break


_X_MODIFIERS = {"XE", "XS", "XP", "XU"}


def distinct_service_modifiers(inp: ScrubInput) -> Iterator[Finding]:
    """R24: modifier 59 or X{EPSU} only where an NCCI pair on the claim needs bypassing (error
    otherwise); 59 where a more specific X modifier fits gives a warning (Medicare accepts 59).
    Without NCCI PTP edits loaded there is no pair to judge by, so the rule says nothing (as the
    coding validation's NCCI check)."""
    if not len(inp.codesets.ptp):
        return
    lines = inp.claim.lines
    for n, line in enumerate(lines, start=1):
        used = ({"59"} | _X_MODIFIERS) & set(line.modifiers)
        if not used:
            continue
        paired = any(
            inp.codesets.ptp.active_edit(
                other.procedure_code, line.procedure_code, line.service_date
            )
            is not None
            for other in lines
            if other is not line
        )
        if not paired:
            yield finding(
                "R24",
                f"modifier {sorted(used)[0]} with no NCCI pair to bypass on this claim",
                f"lines[{n}].modifiers",
            )
        elif "59" in used:
            yield finding(
                "R24",
                "an X modifier (XE, XS, XP, XU) is more specific than 59",
                f"lines[{n}].modifiers",
                "warning",
            )


def professional_technical(inp: ScrubInput) -> Iterator[Finding]:
    """R25: modifiers 26 and TC never on one line, nor on a code without a professional /
    technical split (PC/TC indicator 1 in the physician fee schedule; E/M codes never split)."""
    for n, line in enumerate(inp.claim.lines, start=1):
        mods = set(line.modifiers)
        if {"26", "TC"} <= mods:
            yield finding("R25", "modifiers 26 and TC on the same line", f"lines[{n}].modifiers")
            continue
        if not mods & {"26", "TC"}:
            continue
        rvu = inp.codesets.rvu
        row = rvu.get(line.procedure_code) if rvu is not None else None
        if _is_em(line.procedure_code) or (row is not None and row.pctc.strip() not in ("1", "6")):
            yield finding(
                "R25",
                f"{line.procedure_code} has no professional/technical split",
                f"lines[{n}].modifiers",
            )


def _laterality(inp: ScrubInput, code: str) -> str | None:
    version = inp.codesets.icd10cm.version_for(inp.dos)
    entry = version.get(code) if version is not None else None
    if entry is None:
        return None
    text = f" {entry.long_description.lower()} "
    if " bilateral" in text:
        return "both"
    right, left = " right " in text, " left " in text
    if right and not left:
        return "right"
    if left and not right:
        return "left"
    return None


def laterality(inp: ScrubInput) -> Iterator[Finding]:
    """R26: LT, RT or 50 on a line agree with the laterality of the diagnoses it points at
    (ICD-10-CM codes name the right, left or both sides)."""
    wanted = {"RT": "right", "LT": "left", "50": "both"}
    dx = inp.claim.diagnoses
    for n, line in enumerate(inp.claim.lines, start=1):
        sides = {wanted[m] for m in line.modifiers if m in wanted}
        if not sides:
            continue
        dx_sides = {
            _laterality(inp, dx[p - 1].code) for p in line.diagnosis_pointers if 1 <= p <= len(dx)
        } - {None}
        if dx_sides and not (sides & dx_sides):
            yield finding(
                "R26",
                f"modifier side {', '.join(sorted(sides))} conflicts with the diagnosis ({', '.join(sorted(dx_sides))})",  # type: ignore[arg-type]
                f"lines[{n}].modifiers",
            )


_FACILITY_POS = {
    "19",
    "21",
    "22",
    "23",
    "24",
    "26",
    "31",
    "34",
    "41",
    "42",
    "51",
    "52",
    "53",
    "56",
    "61",
}


def place_of_service(inp: ScrubInput) -> Iterator[Finding]:
    """R27: the place of service is an assigned CMS code; a visit at a hospital outpatient
    department (the facility's own POS 19/22) is not billed as office (11)."""
    pos = inp.claim.place_of_service
    if inp.claim.institutional is None:
        if inp.codesets.lists["pos"].get(pos) is None:
            yield finding("R27", f"{pos} is not a place-of-service code", "place_of_service")
        fac = inp.facility
        if fac is not None and pos == "11" and fac.place_of_service in ("19", "22"):
            yield finding(
                "R27",
                "a hospital outpatient visit is billed as office (POS 11)",
                "place_of_service",
            )


_GLOBAL_BYPASS = {"24", "25", "57", "58", "78", "79"}


def global_surgery(inp: ScrubInput) -> Iterator[Finding]:
    """R37: a procedure or visit by the same provider inside another procedure's global period
    (10 or 90 days after it, per the physician fee schedule) needs 24, 25, 57, 58, 78 or 79."""
    provider = inp.rendering.id
    for n, line in enumerate(inp.claim.lines, start=1):
        if _GLOBAL_BYPASS & set(line.modifiers):
            continue
        for prior in inp.prior_services:
            if prior.provider_id != provider or prior.dos >= line.service_date:
                continue
            days = _global_days(inp, prior.procedure)
            if days not in ("010", "090"):
                continue
            if line.service_date <= prior.dos + timedelta(days=int(days)):
                yield finding(
                    "R37",
                    f"{line.procedure_code} falls in the {int(days)}-day global period of {prior.procedure} "
                    f"({prior.dos}); add 24, 25, 57, 58, 78 or 79 if it is separate",
                    f"lines[{n}]",
                )
                break


RULES = (
    *(_from_codesets(r) for r in ("R14", "R15", "R16", "R18", "R19", "R20", "R21", "R22")),
    Rule("R17", "diagnosis count and pointers", diagnosis_count),
    Rule("R23", "modifier 25", modifier_25),
    Rule("R24", "59 and X modifiers", distinct_service_modifiers),
    Rule("R25", "26 and TC", professional_technical),
    Rule("R26", "laterality", laterality),
    Rule("R27", "place of service", place_of_service),
    Rule("R37", "global surgery period", global_surgery),
)
