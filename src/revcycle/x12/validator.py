"""SNIP 1-3 validation of X12 streams, producing ``Finding`` data.

- SNIP 1 (integrity): ISA fields, ISA13 = IEA02, GS06 = GE02, ST02 = SE02, GE01 / IEA01 /
  SE01 counts, control numbers unique, trailers present, ST01 belongs to GS01, characters
  within the X12 extended set.
- SNIP 2 (requirements): the transaction spec decides which segments and loops may appear
  where, how often, and which elements are required, how long, of what type, with which codes;
  the syntax notes of the standard (paired / conditional elements) apply. HL structure
  (sequential unique IDs, parents defined before children, HL04 child codes) is checked for
  every hierarchical transaction.
- SNIP 3 (balancing): ``snip3`` checks 837 (claim, COB) and 835 (line, claim, transaction).

How it stays fast: the loop-matching result is memoized per parser state (``_Node``), segment
ID and qualifier value; a segment whose text matches its rule's compiled regular expression
(``compiled.fast_regex``) needs no element-by-element work. Both are derived from the spec,
never from the data: every segment is still matched and checked. Findings always come from
the detailed checks.

One pass over the segments from ``Reader``; nothing is kept per segment beyond the loop stack,
so memory stays flat. An optional ``sink`` receives every segment with its loop ID (mapping to
domain objects uses it). The validator never raises on content.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from revcycle.x12.compiled import (
    NOT_USED,
    REQUIRED,
    Check,
    CLoop,
    CSeg,
    compiled,
    envelope,
    qualifier_positions,
)
from revcycle.x12.errors import Position
from revcycle.x12.findings import ERROR, WARNING, Finding
from revcycle.x12.reader import Delimiters, Reader
from revcycle.x12.snip3 import Balance835, Balance837, balancer_for
from revcycle.x12.spec import key_for
from revcycle.x12.spec.dictionary import SEGMENTS

MAX_STORED_FINDINGS = 10_000
_REAL = re.compile(r"-?(?:\d+\.?\d*|\.\d+)").fullmatch
_INT = re.compile(r"-?\d+").fullmatch
_BAD_CHARS = re.compile("[^ -~]").search  # outside printable ASCII: the X12 extended set
_ISA_QUALIFIERS = frozenset(["01", "14", "20", "27", "28", "29", "30", "33", "ZZ"])


class Sink(Protocol):
    """Receives the segments of each transaction set with their loop IDs."""

    def start_set(self, key: str | None, st: list[str], delimiters: Delimiters) -> None: ...

    def segment(self, loop_id: str, els: list[str]) -> None: ...

    def end_set(self) -> None: ...


@dataclass
class SetResult:
    st01: str
    control_number: str
    spec_key: str | None
    version: str
    findings: list[Finding] = field(default_factory=list)
    segment_count: int = 0
    errors: int = 0

    @property
    def accepted(self) -> bool:
        return self.errors == 0


@dataclass
class GroupResult:
    functional_id: str
    control_number: str
    version: str
    sets: list[SetResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class InterchangeResult:
    isa: list[str]
    delimiters: Delimiters
    groups: list[GroupResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    ta1: list[list[str]] = field(default_factory=list)  # TA1 segments the interchange carries

    @property
    def control_number(self) -> str:
        return self.isa[13] if len(self.isa) > 13 else ""


@dataclass
class ValidationReport:
    interchanges: list[InterchangeResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    segments: int = 0

    @property
    def valid(self) -> bool:
        return self.errors == 0


class _Node:
    """A static parser state: the loop path with the position group reached in each loop.
    Matching depends only on the node, the segment ID and its qualifier value, so results
    are memoized per node (``trans``); counts live in the frames."""

    __slots__ = (
        "base",
        "children",
        "closing",
        "fresh",
        "group",
        "leave",
        "loop",
        "parent",
        "regroups",
        "trans",
    )

    def __init__(
        self, parent: _Node | None, loop: CLoop, group: int, base: _Node | None = None
    ) -> None:
        self.parent = parent
        self.loop = loop
        self.group = group
        self.base = base or self
        self.trans: dict[object, _Hit | None] = {}
        self.children: dict[int, _Node] = {}
        self.regroups: dict[int, _Node] = {}
        self.fresh = [1] + [0] * (len(loop.items) - 1)  # counts of a new instance
        groups = loop.groups
        # required items of this group that may be missing when the group is left (only a
        # group of several items can be reached without each of its required ones)
        members = [i for i, g in enumerate(groups) if g == group]
        self.leave = tuple(i for i in members if len(members) > 1 and i and _required(loop, i))
        # required items of later groups: missing for certain when the loop instance ends here
        self.closing = tuple(i for i, g in enumerate(groups) if g > group and _required(loop, i))

    def at(self, group: int) -> _Node:
        base = self.base
        node = base.regroups.get(group)
        if node is None:
            node = base if group == 0 else _Node(self.parent, self.loop, group, base)
            base.regroups[group] = node
        return node

    def child(self, loop: CLoop) -> _Node:
        node = self.children.get(id(loop))
        if node is None:
            node = self.children[id(loop)] = _Node(self, loop, 0)
        return node


def _required(loop: CLoop, idx: int) -> bool:
    return loop.items[idx].usage == "R"


# a memoized match: (stack level, item index, node at that level afterwards, required items
# certainly missing between the old and new group, segment rule to check, node to push or
# None, maximum count or 0, loop ID of the segment, whether HL / balancing look at it, the
# rule's fast matcher for these delimiters, the element count from which syntax notes apply)
_Hit = tuple[
    int,
    int,
    "_Node",
    tuple[int, ...],
    CSeg,
    "_Node | None",
    int,
    str,
    bool,
    Callable[[str], object],
    int,
]
# segment IDs each spec's SNIP 3 balancer looks at
_BALANCED: dict[str, frozenset[str]] = {
    "837P": Balance837.wants,
    "837I": Balance837.wants,
    "835": Balance835.wants,
}


class _Frame:
    __slots__ = ("counts", "node")

    def __init__(self, node: _Node) -> None:
        self.node = node
        self.counts = node.fresh.copy()


# parser states per (spec key, delimiters): memoized matches carry delimiter-bound matchers
_ROOTS: dict[tuple[str, tuple[str, str]], _Node] = {}
_NOQ: tuple[int, int] = (0, 0)
_MAX_TRANS = 512
_UNKNOWN: object = object()


def _odd_pieces(batch: list[str], first: int) -> set[int]:
    """Segment numbers of the pieces that hold characters outside the X12 extended set."""
    return {first + i for i, piece in enumerate(batch) if _BAD_CHARS(piece)}


def _value_error(v: str, typ: str, lo: int, hi: int) -> str:
    """The IK403 code for a non-empty value that breaks its type or length, or ""."""
    if typ in ("AN", "ID"):
        n = len(v)
        if not lo <= n <= hi:
            return "4" if n < lo else "5"
        return "6" if _BAD_CHARS(v) else ""
    if typ == "R":
        if not _REAL(v):
            return "6"
        n = len(v) - ("." in v) - (v[0] == "-")
    elif typ in ("N0", "N2"):
        if not _INT(v):
            return "6"
        n = len(v) - (v[0] == "-")
    elif typ == "DT":
        if not v.isdigit() or len(v) not in (6, 8) or len(v) < lo:
            return "8"
        try:
            if len(v) == 8:
                date(int(v[:4]), int(v[4:6]), int(v[6:]))
            else:
                date(2000 + int(v[:2]), int(v[2:4]), int(v[4:]))
        except ValueError:
            return "8"
        return ""
    elif typ == "TM":
        if not v.isdigit() or len(v) not in (4, 6, 7, 8) or int(v[:2]) > 23 or int(v[2:4]) > 59:
            return "9"
        if len(v) >= 6 and int(v[4:6]) > 59:
            return "9"
        return ""
    else:
        n = len(v)
    return "" if lo <= n <= hi else ("4" if n < lo else "5")


class Validator:
    """Validate X12 streams. One instance per stream; ``run`` returns the report."""

    def __init__(self, sink: Sink | None = None, snip3: bool = True) -> None:
        self.sink = sink
        self.snip3 = snip3
        self.report = ValidationReport()
        self._stored = 0
        self._seg_no = 0
        self._ic: InterchangeResult | None = None
        self._group: GroupResult | None = None
        self._set: SetResult | None = None
        self._stack: list[_Frame] = []
        self._set_base = 0  # segment number before the current ST
        self._comp = ":"
        self._rep = "^"
        self._dkey = ("*", ":")
        self._qual: dict[str, tuple[int, int] | None] = {}
        self._hl_ids: dict[str, bool] = {}
        self._hl_expect: dict[str, str] = {}
        self._balancer: Balancer | None = None
        self._sets_in_group = 0
        self._groups_in_ic = 0
        self._group_numbers: set[str] = set()
        self._set_numbers: set[str] = set()

    # -- findings -------------------------------------------------------------------------

    def _add(self, finding: Finding) -> None:
        rep = self.report
        if finding.severity == ERROR:
            rep.errors += 1
            if self._set is not None:
                self._set.errors += 1
        else:
            rep.warnings += 1
        if self._stored < MAX_STORED_FINDINGS:
            self._stored += 1
            rep.findings.append(finding)
            if self._set is not None:
                self._set.findings.append(finding)
            elif self._group is not None:
                self._group.findings.append(finding)
            elif self._ic is not None:
                self._ic.findings.append(finding)

    @property
    def _count(self) -> int:
        """Position of the current segment in its transaction set (ST = 1)."""
        return self._seg_no - self._set_base if self._set is not None else 0

    def _pos(self, seg_id: str, loop: str = "", element: int = 0, component: int = 0) -> Position:
        return Position(self._seg_no, seg_id, loop, element, component, self._count)

    def finding(
        self,
        code: str,
        message: str,
        seg_id: str,
        loop: str = "",
        severity: str = ERROR,
        **ack: str,
    ) -> None:
        self._add(Finding(code, severity, message, self._pos(seg_id, loop), **ack))

    # -- driver ---------------------------------------------------------------------------

    def run(self, reader: Reader) -> ValidationReport:
        text = reader.text
        if text is None or len(text) > _REPLAY_MAX_CHARS or self._seg_no or self.report.segments:
            return self._run(reader)
        key = (text, self.snip3)
        with _REPLAY_LOCK:
            known = _REPLAYS.get(key)
            if known is not None:
                _REPLAYS.move_to_end(key)
        if known is not None:
            return self._replay(reader, known)
        sink = self.sink
        recorder = _Recorder(self, sink)
        self.sink = recorder
        try:
            report = self._run(reader)
        finally:
            self.sink = sink
        _remember(key, _Replay(_copy_report(report), recorder.calls))
        return report

    def _replay(self, reader: Reader, known: _Replay) -> ValidationReport:
        """The result of an earlier run over the same text: the sink gets the same calls in
        the same order (segments re-split from the text), the report is a copy."""
        sink = self.sink
        if sink is not None:
            pieces: list[str] = []
            for batch in reader.batches():
                pieces += batch
            segment = sink.segment
            calls = known.calls
            ele = Delimiters().element  # as in the recorded run; each ISA notes its own
            for i in range(0, len(calls), 2):
                call = calls[i + 1]
                if call.__class__ is str:
                    segment(call, pieces[calls[i] - 1].split(ele))
                elif call[0] == "ele":
                    ele = call[1]
                elif call[0] == "start":
                    sink.start_set(call[1], pieces[calls[i] - 1].split(ele), call[2])
                else:
                    sink.end_set()
        self.report = _copy_report(known.report)
        return self.report

    def _run(self, reader: Reader) -> ValidationReport:
        ele = reader.delimiters.element
        control = _CONTROL
        unknown = _UNKNOWN
        noq = _NOQ
        sink = self.sink
        # a recording run notes the hot path's sink calls itself (no extra call per segment)
        calls: list[Any] | None = None
        if isinstance(sink, _Recorder):
            calls, sink = sink.calls, sink.sink
        # state that only control segments change, kept in locals for the hot loop
        in_set = False
        stack = self._stack
        qual = self._qual
        comp = self._comp
        for batch in reader.batches():
            # pieces with characters outside the X12 set take the detailed element checks
            odd = _odd_pieces(batch, self._seg_no + 1) if reader.odd_characters else None
            for self._seg_no, piece in enumerate(batch, self._seg_no + 1):  # noqa: B020
                els = piece.split(ele)
                sid = els[0]
                if not in_set or sid in control:
                    if piece.startswith("ISA"):
                        ele = reader.delimiters.element
                        if isinstance(self.sink, _Recorder):
                            self.sink.separator(ele)
                        self._isa(piece.split(ele), reader.delimiters)
                    else:
                        self._control(els, sid)
                    in_set = self._set is not None
                    stack, qual, comp = self._stack, self._qual, self._comp
                    continue
                # -- the hot path: one segment inside a transaction set --------------------
                if not stack:
                    if calls is not None:
                        calls += (self._seg_no, "?")
                    if sink is not None:
                        sink.segment("?", els)
                    continue
                q = qual.get(sid, noq)
                key: object
                if q is noq:
                    key = sid
                elif q is None:
                    key = None
                else:
                    try:
                        v = els[q[0]]
                    except IndexError:
                        v = ""
                    if q[1]:
                        parts = v.split(comp)
                        v = parts[q[1] - 1] if q[1] <= len(parts) else ""
                    key = (sid, v)
                top = stack[-1]
                trans = top.node.trans
                hit = trans.get(key, unknown) if key is not None else unknown
                if hit is unknown:
                    hit = self._hit(sid, els)
                    if key is not None and len(trans) < _MAX_TRANS:
                        trans[key] = hit
                if hit is None:
                    self._unexpected(els, sid)
                    continue
                level: int
                idx: int
                new_node: _Node
                between: tuple[int, ...]
                seg: CSeg
                push: _Node | None
                most: int
                loop_id: str
                post: bool
                fast: Callable[[str], object]
                syntax_from: int
                (
                    level,
                    idx,
                    new_node,
                    between,
                    seg,
                    push,
                    most,
                    loop_id,
                    post,
                    fast,
                    syntax_from,
                ) = hit  # type: ignore[misc]
                if level != len(stack) - 1:
                    while len(stack) - 1 > level:
                        self._close_frame(stack.pop())
                    top = stack[level]
                node = top.node
                if new_node is not node:
                    if node.leave:
                        self._leave(top)
                    if between:
                        for i in between:
                            self._report_missing(node.loop, i)
                    top.node = new_node
                counts = top.counts
                n = counts[idx] = counts[idx] + 1
                if most and n > most:
                    self._too_many(seg, sid, loop_id, push is not None, most)
                if push is not None:
                    stack.append(_Frame(push))
                if fast(piece) is None or (odd and self._seg_no in odd):
                    self._elements(seg, els, loop_id)
                if len(els) > syntax_from:
                    self._syntax(seg, els, loop_id)
                if post:
                    if sid == "HL":
                        self._hl(els, loop_id)
                    bal = self._balancer
                    if bal is not None and sid in bal.wants:
                        bal.segment(sid, loop_id, els)
                if calls is not None:
                    calls += (self._seg_no, loop_id)
                if sink is not None:
                    sink.segment(loop_id, els)
        self._end_of_input()
        if reader.trailing_garbage.strip():
            self._seg_no += 1
            self.finding(
                "x12.trailing_data", "data after the last IEA is ignored", "", severity=WARNING
            )
        self.report.segments = self._seg_no
        return self.report

    def _control(self, els: list[str], sid: str) -> None:
        if sid == "ISA":
            self._isa(els, Delimiters())
        elif sid == "IEA":
            self._iea(els)
        elif sid == "GS":
            self._gs(els)
        elif sid == "GE":
            self._ge(els)
        elif sid == "ST":
            self._st(els)
        elif sid == "SE":
            self._se(els)
        elif sid == "TA1":
            if self._ic is None:
                self.finding("x12.envelope.outside", "TA1 outside an interchange", sid)
            else:
                self._ic.ta1.append(els)
            self._elements(envelope("TA1"), els, "")
        else:
            self.finding(
                "x12.envelope.outside",
                f"segment {sid[:3]!r} outside a transaction set",
                sid[:3],
                segment_error="2",
            )

    def _end_of_input(self) -> None:
        if self._set is not None:
            self._missing_trailer("SE")
        if self._group is not None:
            self._missing_trailer("GE")
        if self._ic is not None:
            self._missing_trailer("IEA")

    def _missing_trailer(self, sid: str) -> None:
        if sid == "SE":
            self._close_set()
            self.finding(
                "x12.set.trailer_missing", "transaction set trailer SE missing", "SE", set_error="2"
            )
            if self.sink is not None:
                self.sink.end_set()
            self._set = None
        elif sid == "GE":
            self.finding(
                "x12.group.trailer_missing",
                "functional group trailer GE missing",
                "GE",
                group_error="3",
            )
            self._group = None
        else:
            self.finding(
                "x12.interchange.trailer_missing",
                "interchange trailer IEA missing",
                "IEA",
                interchange_error="023",
            )
            self._ic = None

    # -- envelopes (SNIP 1) -------------------------------------------------------------

    def _isa(self, els: list[str], delimiters: Delimiters) -> None:
        if self._ic is not None:
            self._end_of_input()
        self._ic = InterchangeResult(els, delimiters)
        self.report.interchanges.append(self._ic)
        self._comp = delimiters.component
        self._rep = delimiters.repetition
        self._dkey = (delimiters.element, delimiters.component)
        self._groups_in_ic = 0
        self._group_numbers = set()
        checks = (
            (1, "00 03", "010"),
            (3, "00 01", "012"),
            (5, None, "005"),
            (7, None, "007"),
            (12, "00501", "017"),
            (14, "0 1", "019"),
            (15, "P T", "020"),
        )
        if len(els) != 17:
            self.finding(
                "x12.isa.elements", "ISA must have 16 elements", "ISA", interchange_error="022"
            )
            return
        for pos, allowed, note in checks:
            value = els[pos]
            ok = value in _ISA_QUALIFIERS if allowed is None else value in allowed.split()
            if not ok:
                self.finding(
                    "x12.isa.value",
                    f"ISA{pos:02d} has an invalid value",
                    "ISA",
                    interchange_error=note,
                )
        for pos, width, note in ((2, 10, "011"), (4, 10, "013"), (6, 15, "006"), (8, 15, "008")):
            if len(els[pos]) != width:
                self.finding(
                    "x12.isa.width",
                    f"ISA{pos:02d} must be {width} characters",
                    "ISA",
                    interchange_error=note,
                )
        if _value_error(els[9], "DT", 6, 6):
            self.finding(
                "x12.isa.date", "ISA09 is not a valid date", "ISA", interchange_error="014"
            )
        if _value_error(els[10], "TM", 4, 4):
            self.finding(
                "x12.isa.time", "ISA10 is not a valid time", "ISA", interchange_error="015"
            )
        if not (len(els[13]) == 9 and els[13].isdigit()):
            self.finding(
                "x12.isa.control_number", "ISA13 must be 9 digits", "ISA", interchange_error="018"
            )

    def _iea(self, els: list[str]) -> None:
        if self._set is not None:
            self._missing_trailer("SE")
        if self._group is not None:
            self._missing_trailer("GE")
        ic = self._ic
        if ic is None:
            self.finding("x12.envelope.outside", "IEA without ISA", "IEA", interchange_error="022")
            return
        if len(els) < 3 or els[2] != ic.control_number:
            self.finding(
                "x12.interchange.control_number_mismatch",
                "IEA02 does not match ISA13",
                "IEA",
                interchange_error="001",
            )
        if len(els) < 2 or els[1] != str(self._groups_in_ic):
            self.finding(
                "x12.interchange.group_count",
                f"IEA01 says {els[1] if len(els) > 1 else ''!r} groups, found {self._groups_in_ic}",
                "IEA",
                interchange_error="021",
            )
        self._ic = None

    def _gs(self, els: list[str]) -> None:
        if self._set is not None:
            self._missing_trailer("SE")
        if self._group is not None:
            self._missing_trailer("GE")
        if self._ic is None:
            self.finding(
                "x12.envelope.outside", "GS outside an interchange", "GS", interchange_error="024"
            )
        els += [""] * (9 - len(els))
        self._group = GroupResult(els[1], els[6], els[8])
        if self._ic is not None:
            self._ic.groups.append(self._group)
        self._groups_in_ic += 1
        self._sets_in_group = 0
        self._set_numbers = set()
        self._elements(envelope("GS"), els[:9], "")
        if els[6] in self._group_numbers:
            self.finding(
                "x12.group.duplicate_control_number",
                "GS06 repeats an earlier group's number",
                "GS",
                group_error="19",
            )
        self._group_numbers.add(els[6])

    def _ge(self, els: list[str]) -> None:
        if self._set is not None:
            self._missing_trailer("SE")
        group = self._group
        if group is None:
            self.finding("x12.envelope.outside", "GE without GS", "GE", interchange_error="024")
            return
        self._elements(envelope("GE"), els, "")
        if len(els) < 3 or els[2] != group.control_number:
            self.finding(
                "x12.group.control_number_mismatch",
                "GE02 does not match GS06",
                "GE",
                group_error="4",
            )
        if len(els) < 2 or els[1] != str(self._sets_in_group):
            self.finding(
                "x12.group.set_count",
                f"GE01 does not match the {self._sets_in_group} transaction sets in the group",
                "GE",
                group_error="5",
            )
        self._group = None

    def _st(self, els: list[str]) -> None:
        if self._set is not None:
            self._missing_trailer("SE")
        if self._group is None:
            self.finding(
                "x12.envelope.outside",
                "ST outside a functional group",
                "ST",
                interchange_error="024",
            )
        self._sets_in_group += 1
        st01 = els[1] if len(els) > 1 else ""
        st02 = els[2] if len(els) > 2 else ""
        version = (
            els[3] if len(els) > 3 and els[3] else (self._group.version if self._group else "")
        )
        key = key_for(st01, version)
        self._set = SetResult(st01, st02, key, version)
        if self._group is not None:
            self._group.sets.append(self._set)
        self._set_base = self._seg_no - 1
        self._hl_ids = {}
        self._hl_expect = {}
        self._elements(envelope("ST"), els, "")
        if st02 in self._set_numbers:
            self.finding(
                "x12.set.duplicate_control_number",
                "ST02 repeats an earlier set's number",
                "ST",
                set_error="23",
            )
        self._set_numbers.add(st02)
        expected = _FUNCTIONAL_GROUPS.get(self._group.functional_id if self._group else "")
        if not (len(st01) == 3 and st01.isdigit()) or (expected and st01 not in expected):
            self.finding(
                "x12.set.identifier",
                f"ST01 {st01[:6]!r} is not a transaction set of functional group "
                f"{self._group.functional_id if self._group else ''!r}",
                "ST",
                set_error="6",
            )
        if key is None:
            self._stack = []
            self.finding(
                "x12.set.unsupported",
                f"no specification for transaction set {st01!r} ({version}); only the envelope is checked",
                "ST",
                severity=WARNING,
                set_error="1",
            )
        else:
            root = _ROOTS.get((key, self._dkey))
            if root is None:
                root = _ROOTS[(key, self._dkey)] = _Node(None, compiled(key), 0)
            self._stack = [_Frame(root)]
            self._stack[0].counts[0] = 0
            self._qual = qualifier_positions(key)
            self._balancer = _balancer_for(key, self) if self.snip3 else None
        if self.sink is not None:
            self.sink.start_set(key, els, self._ic.delimiters if self._ic else Delimiters())

    def _se(self, els: list[str]) -> None:
        st = self._set
        if st is None:
            self.finding("x12.envelope.outside", "SE without ST", "SE", group_error="")
            return
        self._close_set()
        self._elements(envelope("SE"), els, "")
        if len(els) < 2 or els[1] != str(self._count):
            self.finding(
                "x12.set.segment_count",
                f"SE01 does not match the {self._count} segments of the set",
                "SE",
                set_error="4",
            )
        if len(els) < 3 or els[2] != st.control_number:
            self.finding(
                "x12.set.control_number_mismatch", "SE02 does not match ST02", "SE", set_error="3"
            )
        st.segment_count = self._count
        if self.sink is not None:
            self.sink.end_set()
        self._set = None

    def _close_set(self) -> None:
        while self._stack:
            self._close_frame(self._stack.pop())
        for hl_id, code in self._hl_expect.items():
            has_children = self._hl_ids.get(hl_id, False)
            if (code == "1") != has_children:
                self.finding(
                    "x12.hl.child_code",
                    f"HL {hl_id} says HL04={code} but it has{'' if has_children else ' no'} children",
                    "HL",
                    severity=WARNING,
                )
        self._hl_expect = {}
        if self._balancer is not None:
            self._balancer.end()
            self._balancer = None

    # -- structure (SNIP 2) -------------------------------------------------------------

    def _close_frame(self, frame: _Frame) -> None:
        node = frame.node
        if node.leave:
            self._leave(frame)
        for idx in node.closing:
            self._report_missing(node.loop, idx)

    def _leave(self, frame: _Frame) -> None:
        counts = frame.counts
        for idx in frame.node.leave:
            if not counts[idx]:
                self._report_missing(frame.node.loop, idx)

    def _report_missing(self, loop: CLoop, idx: int) -> None:
        item = loop.items[idx]
        if isinstance(item, CSeg):
            sid, what = item.seg_id, f"segment {item.seg_id} ({item.name})"
        else:
            sid, what = item.trigger.seg_id, f"loop {item.loop_id} ({item.name})"
        self.finding(
            "x12.segment.required_missing",
            f"required {what} missing in loop {loop.loop_id}",
            sid,
            loop.loop_id,
            segment_error="3",
        )

    def _too_many(self, seg: CSeg, sid: str, loop_id: str, is_loop: bool, most: int) -> None:
        if is_loop:
            self.finding(
                "x12.loop.max_repeat",
                f"loop {loop_id} occurs more than {most} times",
                sid,
                loop_id,
                segment_error="4",
            )
        else:
            self.finding(
                "x12.segment.max_use",
                f"{sid} ({seg.name}) occurs more than {most} times",
                sid,
                loop_id,
                segment_error="5",
            )

    def _hit(self, sid: str, els: list[str]) -> _Hit | None:
        found = self._match(sid, els)
        if found is None:
            return None
        level, idx, grp = found
        node = self._stack[level].node
        loop = node.loop
        between = tuple(
            i for i, g in enumerate(loop.groups) if node.group < g < grp and _required(loop, i)
        )
        new_node = node.at(grp) if grp != node.group else node
        item = loop.items[idx]
        spec_key = self._set.spec_key if self._set is not None else None
        post = sid == "HL" or sid in _BALANCED.get(spec_key or "", ())
        push: _Node | None
        if isinstance(item, CSeg):
            seg, push, most, loop_id = item, None, item.max_use, loop.loop_id
        else:
            seg, push, most = item.trigger, new_node.child(item), item.max_repeat
            loop_id = item.loop_id
        fast = seg.fast_match(self._dkey)
        return (
            level,
            idx,
            new_node,
            between,
            seg,
            push,
            most,
            loop_id,
            post,
            fast,
            seg.syntax_from,
        )

    def _match(self, sid: str, els: list[str]) -> tuple[int, int, int] | None:
        """Where the segment goes: (stack level, item index, position group), or None."""
        stack = self._stack
        for level in range(len(stack) - 1, -1, -1):
            node = stack[level].node
            cands = node.loop.lookup.get(sid)
            if cands is None:
                continue
            for c in cands:
                if c[1] < node.group:
                    continue
                codes = c[4]
                if codes is not None:
                    qp = c[2]
                    v = els[qp] if qp < len(els) else ""
                    if c[3]:
                        parts = v.split(self._comp)
                        v = parts[c[3] - 1] if c[3] <= len(parts) else ""
                    if v not in codes:
                        continue
                return level, c[0], c[1]
        # second pass: by segment ID alone (the qualifier's code is then reported)
        for level in range(len(stack) - 1, -1, -1):
            node = stack[level].node
            for c in node.loop.lookup.get(sid, ()):
                if c[1] >= node.group:
                    return level, c[0], c[1]
        return None

    def _unexpected(self, els: list[str], sid: str) -> None:
        loop_id = self._stack[-1].node.loop.loop_id if self._stack else ""
        if sid not in SEGMENTS or not sid.isalnum() or not 2 <= len(sid) <= 3:
            self.finding(
                "x12.segment.unrecognized",
                f"unrecognized segment ID {sid[:3]!r}",
                sid[:3],
                loop_id,
                segment_error="1",
            )
        else:
            self.finding(
                "x12.segment.unexpected",
                f"segment {sid} is not expected here (after loop {loop_id})",
                sid,
                loop_id,
                segment_error="2",
            )
        if self.sink is not None:
            self.sink.segment("?", els)

    def _hl(self, els: list[str], loop_id: str) -> None:
        hl_id = els[1] if len(els) > 1 else ""
        parent = els[2] if len(els) > 2 else ""
        if hl_id in self._hl_ids:
            self.finding(
                "x12.hl.duplicate",
                f"HL01 {hl_id!r} is not unique",
                "HL",
                loop_id,
                segment_error="8",
            )
        if str(len(self._hl_ids) + 1) != hl_id:
            self.finding(
                "x12.hl.sequence", "HL01 must count up from 1", "HL", loop_id, segment_error="8"
            )
        if parent:
            if parent not in self._hl_ids:
                self.finding(
                    "x12.hl.parent",
                    f"HL02 {parent!r} names no earlier HL",
                    "HL",
                    loop_id,
                    segment_error="8",
                )
            else:
                self._hl_ids[parent] = True
        self._hl_ids[hl_id] = False
        if len(els) > 4 and els[4]:
            self._hl_expect[hl_id] = els[4]

    # -- elements (SNIP 2) --------------------------------------------------------------

    def _elements(self, seg: CSeg, els: list[str], loop_id: str) -> None:
        n = len(els)
        checks = seg.checks
        if n == 1:
            self.finding(
                "x12.segment.empty",
                f"{seg.seg_id} has no data elements",
                seg.seg_id,
                loop_id,
                segment_error="8",
            )
        if n > len(checks) + 1:
            self._element_finding(
                seg, loop_id, len(checks) + 1, 0, "3", "too many data elements", "", ""
            )
        elif n > 1 and not els[-1]:
            self.finding(
                "x12.segment.trailing_separator",
                f"{seg.seg_id} ends with an empty element (trailing separator)",
                seg.seg_id,
                loop_id,
                segment_error="8",
            )
        for chk, v in zip(checks, els[1:], strict=False):
            if not v:
                continue
            if chk[1] == NOT_USED:
                self._element_finding(seg, loop_id, chk[0], 0, "I10", "is not used here", chk[8], v)
                continue
            comps = chk[7]
            if comps is not None:
                self._composite(seg, loop_id, chk, v)
                continue
            if seg.repeats and chk[0] in seg.repeats:
                self._repeated(seg, loop_id, chk, v)
                continue
            code = _value_error(v, chk[2], chk[3], chk[4])
            if not code:
                codes = chk[5]
                if codes is not None and v not in codes:
                    code = "7"
                elif chk[6] is not None and not chk[6].fullmatch(v):
                    code = "I12"
                else:
                    continue
            self._element_finding(seg, loop_id, chk[0], 0, code, _MESSAGES[code], chk[8], v)
        for p in seg.required:
            if p >= n or not els[p]:
                self._element_finding(seg, loop_id, p, 0, "1", "is required", checks[p - 1][8], "")

    def _repeated(self, seg: CSeg, loop_id: str, chk: Check, value: str) -> None:
        """A repeating element: its values split on the repetition separator (ISA11), each
        checked like a simple element; more values than the rule allows is IK403 code 12."""
        parts = value.split(self._rep) if self._rep else [value]
        if len(parts) > seg.repeats[chk[0]]:
            self._element_finding(seg, loop_id, chk[0], 0, "12", _MESSAGES["12"], chk[8], value)
        for v in parts:
            if not v:
                continue
            code = _value_error(v, chk[2], chk[3], chk[4])
            if not code:
                if chk[5] is not None and v not in chk[5]:
                    code = "7"
                elif chk[6] is not None and not chk[6].fullmatch(v):
                    code = "I12"
                else:
                    continue
            self._element_finding(seg, loop_id, chk[0], 0, code, _MESSAGES[code], chk[8], v)

    def _syntax(self, seg: CSeg, els: list[str], loop_id: str) -> None:
        """The relational conditions of the base standard (syntax notes P, R, C, E, L)."""
        n = len(els)
        for kind, positions in seg.syntax:
            if kind in ("C", "L") and (positions[0] >= n or not els[positions[0]]):
                continue
            if kind == "P" and len(positions) == 2:  # the common case, without lists
                a, b = positions
                if (a < n and els[a] != "") == (b < n and els[b] != ""):
                    continue
            present = [p < n and els[p] != "" for p in positions]
            missing: list[int] = []
            code = "2"
            if kind == "P" and any(present) and not all(present):
                missing = [p for p, ok in zip(positions, present, strict=True) if not ok]
            elif kind == "R" and not any(present):
                missing = [positions[0]]
            elif kind == "C" and present[0] and not all(present[1:]):
                missing = [p for p, ok in zip(positions[1:], present[1:], strict=True) if not ok]
            elif kind == "L" and present[0] and not any(present[1:]):
                missing = [positions[1]]
            elif kind == "E" and sum(present) > 1:
                missing = [p for p, ok in zip(positions, present, strict=True) if ok][1:]
                code = "10"
            for p in missing:
                what = (
                    "excludes another element present"
                    if code == "10"
                    else "is required by a syntax note"
                )
                self._element_finding(
                    seg,
                    loop_id,
                    p,
                    0,
                    code,
                    what,
                    seg.checks[p - 1][8],
                    els[p] if code == "10" else "",
                )

    def _composite(self, seg: CSeg, loop_id: str, chk: Check, value: str) -> None:
        comps = chk[7]
        assert comps is not None
        parts = value.split(self._comp)
        if len(parts) > len(comps):
            self._element_finding(
                seg, loop_id, chk[0], len(comps) + 1, "13", "has too many components", chk[8], value
            )
        for sub, v in zip(comps, parts, strict=False):
            if not v:
                continue
            if sub[1] == NOT_USED:
                self._element_finding(
                    seg, loop_id, chk[0], sub[0], "I10", "is not used here", sub[8], v
                )
                continue
            code = _value_error(v, sub[2], sub[3], sub[4])
            if not code:
                if sub[5] is not None and v not in sub[5]:
                    code = "7"
                elif sub[6] is not None and not sub[6].fullmatch(v):
                    code = "I12"
                else:
                    continue
            self._element_finding(seg, loop_id, chk[0], sub[0], code, _MESSAGES[code], sub[8], v)
        for sub in comps:
            if sub[1] == REQUIRED and (sub[0] > len(parts) or not parts[sub[0] - 1]):
                self._element_finding(seg, loop_id, chk[0], sub[0], "1", "is required", sub[8], "")

    def _element_finding(
        self,
        seg: CSeg,
        loop_id: str,
        pos: int,
        comp: int,
        code: str,
        what: str,
        ref: str,
        value: str,
    ) -> None:
        label = f"{seg.seg_id}{pos:02d}" + (f"-{comp}" if comp else "")
        self._add(
            Finding(
                _CODES[code],
                ERROR,
                f"{label} ({seg.name}) {what}",
                self._pos(seg.seg_id, loop_id, pos, comp),
                segment_error="8",
                element_error=code,
                element_ref=ref if ref.isdigit() else "",
                bad_value=value[:99],
            )
        )


_CONTROL = frozenset(("ISA", "IEA", "GS", "GE", "ST", "SE", "TA1"))
# GS01 -> the ST01 values it may hold (HIPAA functional groups)
_FUNCTIONAL_GROUPS = {
    "HC": ("837",),
    "HP": ("835",),
    "FA": ("999", "997"),
    "HN": ("277",),
    "HS": ("270",),
    "HB": ("271",),
    "HR": ("276",),
    "HI": ("278",),
    "BE": ("834",),
    "RA": ("820",),
}
_MESSAGES = {
    "1": "is required",
    "2": "is required by a syntax note",
    "10": "excludes another element present",
    "3": "too many data elements",
    "4": "is too short",
    "5": "is too long",
    "6": "has invalid characters for its type",
    "7": "has a code value not allowed here",
    "8": "is not a valid date",
    "9": "is not a valid time",
    "12": "has too many repetitions",
    "13": "has too many components",
    "I10": "is not used here",
    "I12": "does not match the implementation guide's pattern",
}
_CODES = {
    "1": "x12.element.required_missing",
    "2": "x12.element.conditional_missing",
    "10": "x12.element.exclusion",
    "3": "x12.element.too_many",
    "4": "x12.element.too_short",
    "5": "x12.element.too_long",
    "6": "x12.element.invalid_characters",
    "7": "x12.element.invalid_code",
    "8": "x12.element.invalid_date",
    "9": "x12.element.invalid_time",
    "12": "x12.element.too_many_repetitions",
    "13": "x12.element.too_many_components",
    "I10": "x12.element.not_used",
    "I12": "x12.element.pattern",
}


class Balancer(Protocol):
    wants: frozenset[str]

    def segment(self, sid: str, loop_id: str, els: list[str]) -> None: ...

    def end(self) -> None: ...


# -- replay of earlier runs ------------------------------------------------------------------
# The same interchange text is validated several times on its way (when written, when the
# payer receives it, when the inbox reads the answer). The validator is a pure function of the
# text, so the last few results are kept: the report (copied for each caller) and the sink
# calls, as (segment number, loop ID | ("start", key, delimiters) | ("end",) | ("ele", sep)).
_REPLAY_MAX_CHARS = 16 << 20
_REPLAY_BUDGET = 32 << 20  # characters of text kept alive (with their calls: ~80 MB at most)
_REPLAY_ENTRIES = 256
_REPLAYS: OrderedDict[tuple[str, bool], _Replay] = OrderedDict()
_REPLAY_LOCK = threading.Lock()
_END = ("end",)


@dataclass(frozen=True, slots=True)
class _Replay:
    report: ValidationReport
    calls: list[Any]


class _Recorder:
    """A sink that notes each call with the current segment number and passes it on."""

    __slots__ = ("calls", "sink", "validator")

    def __init__(self, validator: Validator, sink: Sink | None) -> None:
        self.validator = validator
        self.sink = sink
        self.calls: list[Any] = []

    def separator(self, ele: str) -> None:
        self.calls += (self.validator._seg_no, ("ele", ele))

    def start_set(self, key: str | None, st: list[str], delimiters: Delimiters) -> None:
        self.calls += (self.validator._seg_no, ("start", key, delimiters))
        if self.sink is not None:
            self.sink.start_set(key, st, delimiters)

    def segment(self, loop_id: str, els: list[str]) -> None:
        calls = self.calls
        calls.append(self.validator._seg_no)
        calls.append(loop_id)
        if self.sink is not None:
            self.sink.segment(loop_id, els)

    def end_set(self) -> None:
        self.calls += (self.validator._seg_no, _END)
        if self.sink is not None:
            self.sink.end_set()


def _remember(key: tuple[str, bool], replay: _Replay) -> None:
    with _REPLAY_LOCK:
        _REPLAYS[key] = replay
        _REPLAYS.move_to_end(key)
        total = sum(len(k[0]) for k in _REPLAYS)
        while _REPLAYS and (len(_REPLAYS) > _REPLAY_ENTRIES or total > _REPLAY_BUDGET):
            old, _ = _REPLAYS.popitem(last=False)
            total -= len(old[0])


def _copy_report(report: ValidationReport) -> ValidationReport:
    """A copy whose lists and results can be changed without touching ``report`` (findings
    are frozen and shared)."""
    return replace(
        report,
        findings=list(report.findings),
        interchanges=[
            replace(
                ic,
                isa=list(ic.isa),
                findings=list(ic.findings),
                ta1=[list(t) for t in ic.ta1],
                groups=[
                    replace(
                        g,
                        findings=list(g.findings),
                        sets=[replace(s, findings=list(s.findings)) for s in g.sets],
                    )
                    for g in ic.groups
                ],
            )
            for ic in report.interchanges
        ],
    )


def _balancer_for(key: str, validator: Validator) -> Balancer | None:
    return balancer_for(key, validator)


def validate(source: Reader, sink: Sink | None = None) -> ValidationReport:
    """Validate the segments of a ``Reader``."""
    return Validator(sink).run(source)
