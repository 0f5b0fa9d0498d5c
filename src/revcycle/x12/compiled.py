"""Specs compiled once into lookup tables for the validator's hot loop.

``compile_spec(spec)`` turns the rule tree into ``CLoop``/``CSeg`` objects: each segment gets a
tuple of per-position element checks (usage, type, lengths, codes, pattern, components), each
loop a dict from segment ID to its candidate items (position group, qualifier). Compiled specs
are cached per spec key; nothing depends on the data being read.
"""

from __future__ import annotations

import re
from functools import cache

from revcycle.x12.errors import SpecError
from revcycle.x12.spec import ENVELOPE, load
from revcycle.x12.spec.codes import CODE_LISTS
from revcycle.x12.spec.dictionary import COMPOSITES, ELEMENTS, SEGMENTS
from revcycle.x12.spec.model import ElementRule, LoopRule, SegmentRule

NOT_USED, SITUATIONAL, REQUIRED = 0, 1, 2

# (position, usage, type, min, max, codes, pattern, components, element number, name)
Check = tuple[
    int,
    int,
    str,
    int,
    int,
    frozenset[str] | None,
    "re.Pattern[str] | None",
    "tuple[Check, ...] | None",
    str,
    str,
]


def _codes_of(rule: ElementRule) -> frozenset[str] | None:
    if rule.codes is not None:
        return rule.codes
    if rule.code_list is not None:
        return CODE_LISTS[rule.code_list]
    return None


def _simple_check(
    position: int, number: str, rule: ElementRule | None, default_usage: int
) -> Check:
    name, typ, lo, hi = ELEMENTS[number]
    if rule is None:
        return (position, default_usage, typ, lo, hi, None, None, None, number, name)
    usage = REQUIRED if rule.required else SITUATIONAL
    pattern = re.compile(rule.pattern) if rule.pattern else None
    return (position, usage, typ, lo, hi, _codes_of(rule), pattern, None, number, name)


class CSeg:
    __slots__ = (
        "checks",
        "max_use",
        "name",
        "qcodes",
        "qcomp",
        "qpos",
        "required",
        "rule",
        "seg_id",
        "usage",
    )

    def __init__(self, rule: SegmentRule) -> None:
        if rule.seg_id not in SEGMENTS:
            raise SpecError(f"unknown segment {rule.seg_id}")
        self.rule = rule
        self.seg_id = rule.seg_id
        self.name = rule.name
        self.usage = rule.usage
        self.max_use = rule.max_use
        by_pos: dict[int, ElementRule] = {}
        by_comp: dict[int, dict[int, ElementRule]] = {}
        for el in rule.elements:
            if el.component:
                by_comp.setdefault(el.position, {})[el.component] = el
            else:
                by_pos[el.position] = el
        checks: list[Check] = []
        for pos, ref in enumerate(SEGMENTS[rule.seg_id][1].split(), start=1):
            el = by_pos.get(pos)
            if ref.startswith("C"):
                comp_rules = by_comp.get(pos, {})
                named = el is not None or bool(comp_rules)
                comps = tuple(
                    _simple_check(
                        k,
                        num,
                        comp_rules.get(k),
                        SITUATIONAL if named and not comp_rules else NOT_USED,
                    )
                    for k, num in enumerate(COMPOSITES[ref][1].split(), start=1)
                )
                usage = NOT_USED
                if named:
                    usage = REQUIRED if el is not None and el.required else SITUATIONAL
                checks.append((pos, usage, "C", 0, 0, None, None, comps, ref, COMPOSITES[ref][0]))
            else:
                checks.append(_simple_check(pos, ref, el, NOT_USED))
        self.checks = tuple(checks)
        self.required = tuple(c[0] for c in checks if c[1] == REQUIRED)
        q = rule.qualifier
        self.qpos = q.position if q else 0
        self.qcomp = q.component if q else 0
        self.qcodes = q.codes if q else None


# candidate: (item index, group, qualifier position, qualifier component, qualifier codes)
Candidate = tuple[int, int, int, int, frozenset[str] | None]


class CLoop:
    __slots__ = (
        "groups",
        "items",
        "loop_id",
        "lookup",
        "max_repeat",
        "name",
        "req",
        "trigger",
        "usage",
    )

    def __init__(self, rule: LoopRule, root: bool = False) -> None:
        self.loop_id = rule.loop_id
        self.name = rule.name
        self.usage = rule.usage
        self.max_repeat = rule.max_repeat
        self.items: list[CSeg | CLoop] = [
            CLoop(item) if isinstance(item, LoopRule) else CSeg(item) for item in rule.items
        ]
        first = self.items[0]
        assert isinstance(first, CSeg)
        self.trigger: CSeg = first
        groups: list[int] = []
        prev = ""
        for i, item in enumerate(self.items):
            sid = item.seg_id if isinstance(item, CSeg) else item.trigger.seg_id
            groups.append(groups[-1] if i and sid == prev else i)
            prev = sid
        self.groups = groups
        lookup: dict[str, list[Candidate]] = {}
        for i, item in enumerate(self.items):
            if i == 0 and not root:
                continue  # a second trigger starts a new instance, found via the parent
            seg = item if isinstance(item, CSeg) else item.trigger
            lookup.setdefault(seg.seg_id, []).append(
                (i, groups[i], seg.qpos, seg.qcomp, seg.qcodes)
            )
        self.lookup = {k: tuple(v) for k, v in lookup.items()}
        self.req = tuple(
            (i, groups[i]) for i, item in enumerate(self.items) if i and item.usage == "R"
        )


@cache
def compiled(key: str) -> CLoop:
    return CLoop(load(key).body, root=True)


@cache
def envelope(seg_id: str) -> CSeg:
    return CSeg(ENVELOPE[seg_id])
