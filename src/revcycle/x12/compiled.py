"""Specs compiled once into lookup tables for the validator's hot loop.

``compiled(key)`` turns a spec's rule tree into ``CLoop``/``CSeg`` objects: each segment gets
a tuple of per-position element checks (usage, type, lengths, codes, pattern, components) and
the syntax notes its usage leaves open, each loop a dict from segment ID to its candidate items
(position group, qualifier). ``fast_regex`` compiles a segment rule into one regular expression
accepting exactly the values the element checks accept (or fewer). Everything is cached per
spec key and built from the spec alone, never from the data being read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from revcycle.x12.errors import SpecError
from revcycle.x12.spec import ENVELOPE, load
from revcycle.x12.spec.codes import CODE_LISTS
from revcycle.x12.spec.dictionary import COMPOSITES, ELEMENTS, SEGMENTS, SYNTAX
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
        "fast",
        "fast_key",
        "max_use",
        "name",
        "qcodes",
        "qcomp",
        "qpos",
        "repeats",
        "required",
        "rule",
        "seg_id",
        "syntax",
        "syntax_from",
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
        for rule_el in rule.elements:
            if rule_el.component:
                by_comp.setdefault(rule_el.position, {})[rule_el.component] = rule_el
            else:
                by_pos[rule_el.position] = rule_el
        checks: list[Check] = []
        for pos, ref in enumerate(SEGMENTS[rule.seg_id][1].split(), start=1):
            el: ElementRule | None = by_pos.get(pos)
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
        self.syntax = _syntax_rules(rule.seg_id, self.checks)
        # a segment with no more elements than this cannot break any of its syntax notes
        self.syntax_from = min((_trigger(kind, ps) for kind, ps in self.syntax), default=99)
        self.required = tuple(c[0] for c in checks if c[1] == REQUIRED)
        # repeating simple elements (EB03, EQ01): position -> maximum number of values
        self.repeats: dict[int, int] = {
            e.position: e.repeat for e in rule.elements if e.repeat > 1 and not e.component
        }
        q = rule.qualifier
        self.qpos = q.position if q else 0
        self.qcomp = q.component if q else 0
        self.qcodes = q.codes if q else None
        self.fast: Callable[[str], object] | None = None
        self.fast_key: tuple[str, str] = ("", "")

    def fast_match(self, key: tuple[str, str]) -> Callable[[str], object]:
        """``fullmatch`` of this rule's fast regex for the delimiters ``key``."""
        if self.fast is None or self.fast_key != key:
            self.fast = fast_regex(self, key[0], key[1]).fullmatch
            self.fast_key = key
        return self.fast


def _syntax_rules(
    seg_id: str, checks: tuple[Check, ...]
) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """The segment's syntax notes that its usage here does not already settle."""
    out = []
    for note in SYNTAX.get(seg_id, "").split():
        kind = note[0]
        positions = tuple(int(note[i : i + 2]) for i in range(1, len(note), 2))
        if any(p > len(checks) for p in positions):
            raise SpecError(f"syntax note {note} is beyond segment {seg_id}")
        usage = [checks[p - 1][1] for p in positions]
        if SITUATIONAL not in usage:
            continue  # settled by the usage checks alone
        if kind in ("C", "L") and usage[0] == NOT_USED:
            continue
        if kind == "R" and REQUIRED in usage:
            continue
        if kind == "L" and REQUIRED in usage[1:]:
            continue
        if kind == "C" and all(u == REQUIRED for u in usage[1:]):
            continue
        if kind == "E" and sum(u != NOT_USED for u in usage) <= 1:
            continue
        out.append((kind, positions))
    return tuple(out)


def _trigger(kind: str, positions: tuple[int, ...]) -> int:
    """A segment of at most this many elements (with its ID) cannot break the note: element
    ``p`` exists only when ``len(els) > p``."""
    if kind == "R":
        return 0
    if kind in ("C", "L"):
        return positions[0]
    if kind == "E":
        return sorted(positions)[1]
    return min(positions)


# candidate: (item index, group, qualifier position, qualifier component, qualifier codes)
Candidate = tuple[int, int, int, int, frozenset[str] | None]


class CLoop:
    __slots__ = (
        "groups",
        "items",
        "lookup",
        "loop_id",
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


# -- fast path: one regular expression per segment rule -----------------------------------
#
# The expression accepts a segment only if the element-by-element checks would find nothing
# (it may reject more: rare valid values, e.g. 29 February, take the detailed path). So a
# segment that matches needs no further element work, and findings always come from the
# detailed checks.

_NEVER = "(?!)"
_DATE = (
    r"\d{4}(?:(?:0[1-9]|1[0-2])(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])(?:29|30)"
    r"|(?:0[13578]|1[02])31)"
)
_TIME = r"(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d(?:\d\d?)?)?"


def _value_regex(chk: Check, stop: str) -> str:
    """A regex for a non-empty value of a simple element; ``stop``: characters it cannot hold."""
    _, _, typ, lo, hi, codes, pattern, _, _, _ = chk
    if codes is not None:
        ok = [c for c in codes if _plain_ok(c, typ, lo, hi) and not (set(c) & set(stop))]
        if pattern is not None:
            ok = [c for c in ok if pattern.fullmatch(c)]
        return (
            "(?:" + "|".join(re.escape(c) for c in sorted(ok, key=len, reverse=True)) + ")"
            if ok
            else _NEVER
        )
    if typ in ("AN", "ID"):
        chars = f"[^{re.escape(stop)}]"  # characters outside the X12 set: see Reader
        if pattern is not None:
            return f"(?={chars}{{{lo},{hi}}}(?!{chars}))(?:{pattern.pattern})"
        return f"{chars}{{{lo},{hi}}}"
    if pattern is not None:
        return _NEVER
    if typ == "R":
        return (
            rf"-?(?:\d{{1,{hi}}}|(?=[\d.]{{2,{hi + 1}}}(?![\d.]))\d*\.\d*)" if lo == 1 else _NEVER
        )
    if typ in ("N0", "N2"):
        return rf"-?\d{{{lo},{hi}}}"
    if typ == "DT":
        return _DATE if (lo, hi) == (8, 8) else _NEVER
    if typ == "TM":
        return _TIME if (lo, hi) == (4, 8) else _NEVER
    return _NEVER


def _plain_ok(code: str, typ: str, lo: int, hi: int) -> bool:
    return typ in ("AN", "ID") and lo <= len(code) <= hi


def _sequence(parts: list[tuple[int, str]], sep: str) -> str:
    """Elements (usage, regex for a non-empty value) joined by ``sep``, trailing ones optional
    after the last required one."""
    last_req = max((i for i, (u, _) in enumerate(parts) if u == REQUIRED), default=-1)
    out = ""
    tail = ""
    for i, (usage, value) in enumerate(parts):
        if usage == NOT_USED:
            v = ""
        elif usage == REQUIRED:
            v = value
        else:
            v = f"(?:{value})?"
        if i <= last_req:
            out += sep + v
        else:
            out += f"(?:{sep}{v}"
            tail += ")?"
    return out + tail


def fast_regex(seg: CSeg, ele: str, comp: str) -> re.Pattern[str]:
    e, c = re.escape(ele), re.escape(comp)
    parts: list[tuple[int, str]] = []
    for chk in seg.checks:
        comps = chk[7]
        if chk[0] in seg.repeats:
            # the repetition separator is not part of the key: repeated values take the
            # detailed path, which splits them
            parts.append((chk[1], _NEVER))
            continue
        if comps is None:
            parts.append((chk[1], _value_regex(chk, ele)))
            continue
        inner = _sequence([(sub[1], _value_regex(sub, ele + comp)) for sub in comps], c)
        # the first component has no leading separator: strip the one _sequence put there
        if inner.startswith(c):
            inner = inner[len(c) :]
        elif inner.startswith(f"(?:{c}"):
            inner = "(?:" + inner[len(f"(?:{c}") :]
        parts.append((chk[1], f"(?=[^{e}])(?:{inner})"))
    # drop trailing not-used positions: absent elements are fine
    while parts and parts[-1][0] == NOT_USED:
        parts.pop()
    # at least one element: a segment of its ID alone is a syntax error
    return re.compile(re.escape(seg.seg_id) + rf"(?={e})" + _sequence(parts, e) + rf"(?<!{e})")


@cache
def qualifier_positions(key: str) -> dict[str, tuple[int, int] | None]:
    """Per segment ID of a spec: where its qualifier sits, when all its rules agree (None when
    they do not; IDs without any qualifier are absent)."""
    found: dict[str, set[tuple[int, int]]] = {}

    def walk(loop: CLoop) -> None:
        for item in loop.items:
            if isinstance(item, CLoop):
                walk(item)
            elif item.qcodes is not None:
                found.setdefault(item.seg_id, set()).add((item.qpos, item.qcomp))

    walk(compiled(key))
    return {sid: (next(iter(p)) if len(p) == 1 else None) for sid, p in found.items()}
