"""Writing X12: elements formatted by type, segments joined with the interchange's delimiters,
transaction sets wrapped in ST/SE with counted segments, groups and interchanges in GS/GE and
ISA/IEA with control numbers from a ``ControlNumberSource``.

Mappings (``mapping/*``) turn domain objects into lists of segments (lists of element values);
this module only serializes. ``write_interchange(..., check=True)`` validates the result with
the same specs the validator uses and raises ``WriteError`` on any error finding, so nothing
revcycle writes can break its own specs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from revcycle.domain.money import Money
from revcycle.x12.control import ControlNumberSource, checked
from revcycle.x12.errors import WriteError
from revcycle.x12.reader import Delimiters

Value = str | int | Decimal | Money | date | None | Sequence[str]
# a segment: its element values, or text already serialized (without terminator) by ``raw``
Elements = list[Value]
Segment = Elements | str


def fmt_decimal(value: Decimal) -> str:
    """X12 R type: no exponent, no trailing zeros after the point."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class Repeated(tuple[str, ...]):
    """The values of a repeating element (EB03, EQ01): joined with the repetition separator
    (ISA11), not the component separator."""

    __slots__ = ()


def fmt(value: Value, component: str, repetition: str = "^") -> str:
    if value is None:
        return ""
    if isinstance(value, Repeated):
        values = [v for v in value if v]
        if len(values) > 1 and not repetition:
            raise WriteError("a repeating element needs a repetition separator (ISA11)")
        return repetition.join(values)
    if isinstance(value, str):
        return value
    if isinstance(value, Money):
        text = str(value.amount)
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return fmt_decimal(value)
    if isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    if isinstance(value, date):
        return f"{value.year:04d}{value.month:02d}{value.day:02d}"
    parts = list(value)
    while parts and not parts[-1]:
        parts.pop()
    return component.join(parts)


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who sends to whom: ISA05-08 and GS02-03, test or production."""

    sender_id: str
    receiver_id: str
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    sender_code: str = ""  # GS02 (defaults to sender_id)
    receiver_code: str = ""  # GS03
    usage: str = "T"  # ISA15: T test, P production
    ack_requested: str = "0"

    @property
    def partner(self) -> str:
        return f"{self.receiver_qualifier}:{self.receiver_id}"


DEFAULT_DELIMITERS = Delimiters()


class SegmentWriter:
    def __init__(self, delimiters: Delimiters = DEFAULT_DELIMITERS) -> None:
        self.d = delimiters
        self._end = delimiters.segment + delimiters.suffix

    def segment(self, els: Segment) -> str:
        return self.raw(els) + self._end

    def raw(self, els: Segment) -> str:
        """The segment's text without terminator (trailing empty elements dropped)."""
        if isinstance(els, str):
            return els
        ele = self.d.element
        try:
            return ele.join(els).rstrip(ele)  # type: ignore[arg-type]  # all text: the fast way
        except TypeError:
            comp, rep = self.d.component, self.d.repetition
            values = [v if v.__class__ is str else fmt(v, comp, rep) for v in els]
            return ele.join(values).rstrip(ele)

    def body(self, segments: list[Segment]) -> str:
        """Many segments at once (the same as joining ``segment`` of each, faster)."""
        raw = self.raw
        end = self._end
        out = [raw(els) for els in segments]
        return end.join(out) + end if out else ""


@dataclass(frozen=True, slots=True)
class TransactionSet:
    st01: str
    version: str  # ST03 / GS08
    segments: list[Segment]  # between ST and SE
    st03: bool = True  # some guides (835) do not use ST03


def write_interchange(
    envelope: Envelope,
    functional_id: str,
    sets: Sequence[TransactionSet],
    control: ControlNumberSource,
    now: datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    check: bool = True,
) -> str:
    """One ISA/IEA with one GS/GE holding ``sets``; control numbers from ``control``."""
    if not sets:
        raise WriteError("an interchange needs at least one transaction set")
    w = SegmentWriter(delimiters)
    partner = envelope.partner
    isa13 = checked(control.next(partner, "interchange"), "interchange")
    gs06 = checked(control.next(partner, "group"), "group")
    version = sets[0].version
    out: list[str] = [
        w.segment(
            [
                "ISA", "00", " " * 10, "00", " " * 10,
                envelope.sender_qualifier, envelope.sender_id.ljust(15)[:15],
                envelope.receiver_qualifier, envelope.receiver_id.ljust(15)[:15],
                now.strftime("%y%m%d"), now.strftime("%H%M"), delimiters.repetition or "U",
                "00501", f"{isa13:09d}", envelope.ack_requested, envelope.usage,
                delimiters.component,
            ]
        ),
        w.segment(
            [
                "GS", functional_id, envelope.sender_code or envelope.sender_id,
                envelope.receiver_code or envelope.receiver_id, now.strftime("%Y%m%d"),
                now.strftime("%H%M"), str(gs06), "X", version,
            ]
        ),
    ]  # fmt: skip
    seg = w.segment
    for ts in sets:
        st02 = f"{checked(control.next(partner, 'set'), 'set'):04d}"
        out.append(seg(["ST", ts.st01, st02, ts.version] if ts.st03 else ["ST", ts.st01, st02]))
        out.append(w.body(ts.segments))
        out.append(seg(["SE", str(len(ts.segments) + 2), st02]))
    out.append(seg(["GE", str(len(sets)), str(gs06)]))
    out.append(seg(["IEA", "1", f"{isa13:09d}"]))
    text = "".join(out)
    if check:
        ensure_valid(text)
    return text


def ensure_valid(text: str) -> None:
    """Raise ``WriteError`` when revcycle's own validator finds an error in ``text``."""
    from revcycle.x12.reader import Reader
    from revcycle.x12.validator import Validator

    report = Validator().run(Reader(text))
    errors = [f for f in report.findings if f.is_error]
    if errors:
        first = errors[0]
        raise WriteError(f"written X12 breaks its spec: {first.message} at {first.location}")
