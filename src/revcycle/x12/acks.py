"""Acknowledgments: the 999 and TA1 a clearinghouse sends for an inbound file, built from the
validator's report, and the reading of inbound 999 / TA1 into accepted and rejected sets.

- TA1 (interchange): "R" with the first TA105 note code when the ISA/IEA envelope is broken;
  "A"/"000" when the sender asked for one (ISA14 = 1) and the envelope is sound.
- 999: per functional group an AK1, per transaction set an AK2 with IK3 (segment) and IK4
  (element) errors and an IK5 (A accepted, R rejected), then AK9 (A, P partially, R).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from revcycle.x12.control import ControlNumberSource, checked
from revcycle.x12.findings import Finding
from revcycle.x12.reader import Delimiters
from revcycle.x12.validator import GroupResult, InterchangeResult, SetResult, ValidationReport
from revcycle.x12.writer import Elements, Segment, SegmentWriter, TransactionSet

VERSION_999 = "005010X231A1"
MAX_IK3 = 200


def _clean(value: str, d: Delimiters) -> str:
    for ch in (d.element, d.component, d.segment, d.repetition):
        if ch:
            value = value.replace(ch, " ")
    return value.strip()[:99] or "?"


def set_response(s: SetResult, d: Delimiters) -> list[Segment]:
    """AK2 .. IK5 for one transaction set."""
    segs: list[Segment] = [["AK2", s.st01 or "000", s.control_number or "0000", s.version]]
    by_segment: dict[int, list[Finding]] = {}
    set_codes: list[str] = []
    for f in s.findings:
        if f.set_error and f.set_error not in set_codes:
            set_codes.append(f.set_error)
        if f.is_error and f.segment_error and f.location.set_segment_number:
            by_segment.setdefault(f.location.set_segment_number, []).append(f)
    for pos, found in list(by_segment.items())[:MAX_IK3]:
        first = found[0]
        loop = first.location.loop
        loop = "" if loop in ("", "ST", "?") else loop[:4]
        seg_code = next((f.segment_error for f in found if f.segment_error != "8"), "8")
        sid = first.location.segment_id or "UNK"
        if not sid.isalnum() or not 2 <= len(sid) <= 3:
            sid = "UNK"
        segs.append(["IK3", sid, str(pos), loop, seg_code])
        if seg_code != "8":
            continue
        for f in found[:99]:
            if not f.element_error:
                continue
            loc = f.location
            ik4: Elements = [
                "IK4",
                [str(loc.element), str(loc.component)] if loc.component else [str(loc.element)],
                f.element_ref,
                f.element_error,
            ]
            if f.element_error not in ("1", "I9") and f.bad_value:
                ik4.append(_clean(f.bad_value, d))
            segs.append(ik4)
    rejected = not s.accepted or any(c for c in set_codes if c != "1") or "1" in set_codes
    if rejected:
        codes = set_codes or ["5"]
        if not s.accepted and "5" not in codes and by_segment:
            codes.append("5")
        segs.append(["IK5", "R", *codes[:5]])
    else:
        segs.append(["IK5", "A"])
    return segs


def group_response(g: GroupResult, d: Delimiters) -> tuple[list[Segment], bool]:
    segs: list[Segment] = [["AK1", g.functional_id or "ZZ", g.control_number or "0", g.version]]
    accepted = 0
    for s in g.sets:
        body = set_response(s, d)
        segs += body
        if body[-1][1] == "A":
            accepted += 1
    group_codes = [f.group_error for f in g.findings if f.group_error][:5]
    n = len(g.sets)
    if group_codes and accepted == n:
        code = "E" if accepted else "R"
    else:
        code = "A" if accepted == n and n else ("R" if accepted == 0 else "P")
    segs.append(["AK9", code, str(n), str(n), str(accepted), *group_codes])
    return segs, code != "R"


@dataclass(frozen=True, slots=True)
class AckFile:
    text: str
    kind: str  # "999" or "TA1"
    accepted: bool


def ta1_note(ic: InterchangeResult) -> str:
    for f in ic.findings:
        if f.interchange_error:
            return f.interchange_error
    return ""


def build_acks(
    report: ValidationReport, control: ControlNumberSource, now: datetime
) -> list[AckFile]:
    """One acknowledgment interchange per inbound interchange: a TA1 when its envelope is
    rejected, else a 999 for its groups (with a TA1 first when ISA14 asked for one)."""
    out: list[AckFile] = []
    for ic in report.interchanges:
        isa = ic.isa + [""] * (17 - len(ic.isa))
        d = Delimiters(
            ic.delimiters.element, ic.delimiters.component, ic.delimiters.repetition or "^",
            ic.delimiters.segment,
        )  # fmt: skip
        w = SegmentWriter(d)
        partner = f"{isa[5]}:{isa[6].strip()}"
        isa13 = checked(control.next(partner, "interchange"), "interchange")
        head: Segment = [
            "ISA", "00", " " * 10, "00", " " * 10, isa[7] or "ZZ", isa[8].strip().ljust(15)[:15],
            isa[5] or "ZZ", isa[6].strip().ljust(15)[:15], now.strftime("%y%m%d"),
            now.strftime("%H%M"), d.repetition, "00501", f"{isa13:09d}", "0", isa[15] or "P",
            d.component,
        ]  # fmt: skip
        note = ta1_note(ic)
        ta1: Segment = ["TA1", isa[13] or "000000000", isa[9] or "000101", isa[10] or "0000"]
        parts = [w.segment(head)]
        if note:
            parts.append(w.segment([*ta1, "R", note]))
            parts.append(w.segment(["IEA", "0", f"{isa13:09d}"]))
            out.append(AckFile("".join(parts), "TA1", False))
            continue
        if isa[14] == "1":  # its own interchange: many translators reject TA1 next to GS
            isa_ta1 = checked(control.next(partner, "interchange"), "interchange")
            ta1_head: Segment = [*head[:13], f"{isa_ta1:09d}", *head[14:]]
            out.append(
                AckFile(
                    w.segment(ta1_head)
                    + w.segment([*ta1, "A", "000"])
                    + w.segment(["IEA", "0", f"{isa_ta1:09d}"]),
                    "TA1",
                    True,
                )
            )
        accepted = True
        n_groups = 0
        for g in ic.groups:
            if g.functional_id == "FA":
                continue  # acknowledgments are never acknowledged
            gs06 = checked(control.next(partner, "group"), "group")
            body, ok = group_response(g, d)
            accepted &= ok
            st02 = f"{checked(control.next(partner, 'set'), 'set'):04d}"
            ts = TransactionSet("999", VERSION_999, body)
            parts.append(
                w.segment(
                    ["GS", "FA", _gs_code(ic, 3), _gs_code(ic, 2), now.strftime("%Y%m%d"),
                     now.strftime("%H%M"), str(gs06), "X", VERSION_999]
                )
            )  # fmt: skip
            parts.append(w.segment(["ST", "999", st02, VERSION_999]))
            parts.extend(w.segment(s) for s in ts.segments)
            parts.append(w.segment(["SE", str(len(ts.segments) + 2), st02]))
            parts.append(w.segment(["GE", "1", str(gs06)]))
            n_groups += 1
        parts.append(w.segment(["IEA", str(n_groups), f"{isa13:09d}"]))
        out.append(AckFile("".join(parts), "999" if n_groups else "TA1", accepted))
    return out


def _gs_code(ic: InterchangeResult, index: int) -> str:
    """The response's GS02/GS03: the inbound ISA receiver / sender IDs."""
    isa = ic.isa
    value = (isa[6] if index == 2 else isa[8]) if len(isa) > 8 else ""
    value = value.strip() or "UNKNOWN"
    return value if len(value) >= 2 else value + "0"


# -- reading inbound acknowledgments ------------------------------------------------------


@dataclass
class SetAck:
    transaction_type: str
    control_number: str
    status: str = ""
    errors: list[dict[str, str]] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.status in ("A", "E")


@dataclass
class GroupAck:
    functional_id: str
    control_number: str
    version: str
    status: str = ""
    sets: list[SetAck] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


class AckBuilder:
    """Collects one 999's segments into group / set acknowledgments."""

    def __init__(self, component: str = ":") -> None:
        self.comp = component
        self.groups: list[GroupAck] = []
        self._segment_ctx: dict[str, str] = {}

    def segment(self, loop_id: str, els: list[str]) -> None:
        sid = els[0]
        get = els.__getitem__
        n = len(els)

        def e(i: int) -> str:
            return get(i) if i < n else ""

        if sid == "AK1":
            self.groups.append(GroupAck(e(1), e(2), e(3)))
        elif not self.groups:
            return
        elif sid == "AK2":
            self.groups[-1].sets.append(SetAck(e(1), e(2)))
        elif sid == "IK3" and self.groups[-1].sets:
            self._segment_ctx = {
                "segment": e(1),
                "position": e(2),
                "loop": e(3),
                "segment_error": e(4),
            }
            self.groups[-1].sets[-1].errors.append(dict(self._segment_ctx))
        elif sid == "IK4" and self.groups[-1].sets:
            error = dict(self._segment_ctx)
            error.update(
                element=e(1).replace(self.comp, "."),
                element_ref=e(2),
                element_error=e(3),
                value=e(4),
            )
            self.groups[-1].sets[-1].errors.append(error)
        elif sid == "IK5" and self.groups[-1].sets:
            s = self.groups[-1].sets[-1]
            s.status = e(1)
            s.codes = [x for x in els[2:] if x]
        elif sid == "AK9":
            self.groups[-1].status = e(1)
            self.groups[-1].codes = [x for x in els[5:] if x]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "999",
            "groups": [
                {
                    "functional_id": g.functional_id,
                    "control_number": g.control_number,
                    "version": g.version,
                    "status": g.status,
                    "codes": g.codes,
                    "accepted": [s.control_number for s in g.sets if s.accepted],
                    "rejected": [s.control_number for s in g.sets if not s.accepted],
                    "sets": [
                        {
                            "type": s.transaction_type,
                            "control_number": s.control_number,
                            "status": s.status,
                            "codes": s.codes,
                            "errors": s.errors,
                        }
                        for s in g.sets
                    ],
                }
                for g in self.groups
            ],
        }


def ta1_json(segments: Iterable[list[str]]) -> list[dict[str, str]]:
    return [
        {
            "interchange_control_number": s[1] if len(s) > 1 else "",
            "status": s[4] if len(s) > 4 else "",
            "note": s[5] if len(s) > 5 else "",
        }
        for s in segments
    ]
