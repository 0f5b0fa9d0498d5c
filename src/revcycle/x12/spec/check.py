"""Consistency check of the specs (the pyx12 ``check_maps`` idea): every segment, element,
composite, component and code list that a spec references is defined, and every loop is
well formed. Run by the test suite; returns a list of problems instead of raising."""

from __future__ import annotations

from revcycle.x12.spec.codes import CODE_LISTS
from revcycle.x12.spec.dictionary import COMPOSITES, ELEMENTS, SEGMENTS, SYNTAX
from revcycle.x12.spec.model import LoopRule, SegmentRule, TransactionSpec


def check_segment(rule: SegmentRule, where: str) -> list[str]:
    problems: list[str] = []
    if rule.seg_id not in SEGMENTS:
        return [f"{where}: segment {rule.seg_id} is not in the dictionary"]
    refs = SEGMENTS[rule.seg_id][1].split()
    if rule.usage not in ("R", "S"):
        problems.append(f"{where}: {rule.seg_id} has usage {rule.usage!r}")
    seen: set[tuple[int, int]] = set()
    for el in rule.elements:
        label = f"{where}: {rule.seg_id}{el.ref}"
        if (el.position, el.component) in seen:
            problems.append(f"{label} is listed twice")
        seen.add((el.position, el.component))
        if not 1 <= el.position <= len(refs):
            problems.append(f"{label} is beyond the segment's {len(refs)} elements")
            continue
        ref = refs[el.position - 1]
        if ref.startswith("C"):
            if ref not in COMPOSITES:
                problems.append(f"{label} references undefined composite {ref}")
                continue
            comps = COMPOSITES[ref][1].split()
            if el.component:
                if el.component > len(comps):
                    problems.append(f"{label} is beyond composite {ref}")
                    continue
                ref = comps[el.component - 1]
            elif el.codes or el.code_list:
                problems.append(f"{label} puts codes on a whole composite")
        elif el.component:
            problems.append(f"{label} names a component of simple element {ref}")
        if el.repeat != 1 and (el.component or ref.startswith("C") or el.repeat < 1):
            problems.append(f"{label} repeats, which only a simple element may")
        if not ref.startswith("C") and ref not in ELEMENTS:
            problems.append(f"{label} references undefined element {ref}")
        if el.code_list is not None and el.code_list not in CODE_LISTS:
            problems.append(f"{label} references undefined code list @{el.code_list}")
        if (el.codes or el.code_list) and ref in ELEMENTS and ELEMENTS[ref][1] not in ("ID", "AN"):
            problems.append(f"{label} has codes on a {ELEMENTS[ref][1]} element")
    return problems


def check_loop(loop: LoopRule, where: str) -> list[str]:
    problems: list[str] = []
    path = f"{where}/{loop.loop_id}"
    if not isinstance(loop.items[0], SegmentRule):
        problems.append(f"{path}: does not start with a segment")
    if loop.usage not in ("R", "S"):
        problems.append(f"{path}: usage {loop.usage!r}")
    for item in loop.items:
        if isinstance(item, LoopRule):
            problems += check_loop(item, path)
        else:
            problems += check_segment(item, path)
    return problems


def check_spec(spec: TransactionSpec) -> list[str]:
    return check_loop(spec.body, spec.key)


def check_dictionary() -> list[str]:
    problems = []
    for seg_id, (_, refs) in SEGMENTS.items():
        for ref in refs.split():
            if ref not in ELEMENTS and ref not in COMPOSITES:
                problems.append(f"segment {seg_id} references undefined {ref}")
    for comp, (_, refs) in COMPOSITES.items():
        for ref in refs.split():
            if ref not in ELEMENTS:
                problems.append(f"composite {comp} references undefined {ref}")
    for seg_id, notes in SYNTAX.items():
        if seg_id not in SEGMENTS:
            problems.append(f"syntax notes for undefined segment {seg_id}")
            continue
        width = len(SEGMENTS[seg_id][1].split())
        for note in notes.split():
            if note[0] not in "PRCEL" or len(note) % 2 == 0 or len(note) < 5:
                problems.append(f"{seg_id}: bad syntax note {note}")
            elif any(int(note[i : i + 2]) > width for i in range(1, len(note), 2)):
                problems.append(f"{seg_id}: syntax note {note} is beyond the segment")
    for num, (_, typ, lo, hi) in ELEMENTS.items():
        if typ not in ("ID", "AN", "N0", "N2", "R", "DT", "TM") or not 0 < lo <= hi:
            problems.append(f"element {num} has a bad definition")
    return problems
