"""The spec model: how a transaction is described as data.

A ``TransactionSpec`` is a tree of ``LoopRule`` and ``SegmentRule`` items in transmission order.
A segment rule narrows the dictionary segment (``dictionary.SEGMENTS``) for one place in the
implementation guide with a compact rule text, one token per element or component used::

    NM101=85          required element, only code 85
    NM104?            situational element (no ``?``: required)
    N402?@STATE       situational, values from the named code list ``codes.CODE_LISTS["STATE"]``
    SV101-1=HC,ER     component 1 of the composite SV101
    N403~[0-9]{9}     required, value must match the pattern (an IG rule beyond the dictionary)
    EB03?^99@SERVICE_TYPE  situational repeating element: up to 99 values joined by the
                      repetition separator (ISA11), each checked against the code list

Elements not named are "not used" in that place (a present value is a finding), except that a
composite named without any of its components keeps only dictionary checks for them. Inline codes on
element 01 (on HL: HL03) make the segment's *qualifier*: it tells apart segments with the same
ID (``NM1*85`` vs ``NM1*87``) and identifies loops by their first segment. Adjacent items with
the same segment ID share one position, so they may come in any order (as X12 positions do).

Invariants (checked by ``check.py`` and the test suite): every element, composite, component
and code list referenced exists; rule tokens name elements of their own segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from revcycle.x12.errors import SpecError

UNBOUNDED = 0  # max_use / max_repeat of ">1"

_TOKEN = re.compile(
    r"^(?P<seg>[A-Z][A-Z0-9]{1,2}?)(?P<pos>\d{2})(?:-(?P<comp>\d{1,2}))?(?P<opt>\?)?"
    r"(?:\^(?P<rep>\d+))?"
    r"(?:=(?P<codes>[^@~\s]+)|@(?P<list>[A-Z0-9_]+)|~(?P<pattern>\S+))?$"
)


@dataclass(frozen=True, slots=True)
class ElementRule:
    """Usage and values of one element (``component == 0``) or component of a segment."""

    position: int
    component: int
    required: bool
    codes: frozenset[str] | None = None
    code_list: str | None = None
    pattern: str | None = None
    repeat: int = 1  # maximum number of repetitions (``^N`` in the rule text)

    @property
    def ref(self) -> str:
        return f"{self.position:02d}" + (f"-{self.component}" if self.component else "")


@dataclass(frozen=True)
class SegmentRule:
    """One segment at one place of an implementation guide."""

    seg_id: str
    usage: str  # "R" required, "S" situational
    max_use: int
    name: str
    rules: str = ""
    elements: tuple[ElementRule, ...] = field(default=(), compare=False)

    @property
    def qualifier(self) -> ElementRule | None:
        """The element that tells this segment apart: inline codes on element 01 (HL: 03)."""
        wanted = 3 if self.seg_id == "HL" else 1
        for rule in self.elements:
            if rule.codes is not None and rule.position == wanted:
                return rule
        return None


@dataclass(frozen=True)
class LoopRule:
    """A loop: its first item is its trigger segment."""

    loop_id: str
    name: str
    usage: str
    max_repeat: int
    items: tuple[SegmentRule | LoopRule, ...]

    @property
    def trigger(self) -> SegmentRule:
        first = self.items[0]
        while isinstance(first, LoopRule):
            first = first.items[0]
        return first


@dataclass(frozen=True)
class TransactionSpec:
    """A transaction set as one implementation guide describes it."""

    key: str  # "837P", "835", ...
    st01: str
    functional_id: str  # GS01
    versions: tuple[str, ...]  # GS08 / ST03 values this spec validates
    name: str
    body: LoopRule  # the items between ST and SE (loop id "ST")


def parse_rules(seg_id: str, rules: str) -> tuple[ElementRule, ...]:
    out: list[ElementRule] = []
    for token in rules.split():
        m = _TOKEN.match(token)
        if m is None or m["seg"] != seg_id:
            raise SpecError(f"bad rule token {token!r} for segment {seg_id}")
        codes = frozenset(m["codes"].split(",")) if m["codes"] else None
        out.append(
            ElementRule(
                position=int(m["pos"]),
                component=int(m["comp"] or 0),
                required=m["opt"] is None,
                codes=codes,
                code_list=m["list"],
                pattern=m["pattern"],
                repeat=int(m["rep"] or 1),
            )
        )
    return tuple(out)


def seg(seg_id: str, usage: str, max_use: int, name: str, rules: str = "") -> SegmentRule:
    return SegmentRule(seg_id, usage, max_use, name, rules, parse_rules(seg_id, rules))


def loop(
    loop_id: str, name: str, usage: str, max_repeat: int, *items: SegmentRule | LoopRule
) -> LoopRule:
    if not items or not isinstance(items[0], SegmentRule):
        raise SpecError(f"loop {loop_id} must start with a segment")
    return LoopRule(loop_id, name, usage, max_repeat, tuple(items))


def cas(max_use: int = 5) -> SegmentRule:
    """CAS: a group code and up to six reason / amount / quantity triplets."""
    rules = "CAS01@CAS_GROUP CAS02 CAS03 CAS04?"
    for k in range(1, 6):
        base = 2 + 3 * k
        rules += f" CAS{base:02d}? CAS{base + 1:02d}? CAS{base + 2:02d}?"
    return seg("CAS", "S", max_use, "Claims Adjustment", rules)
