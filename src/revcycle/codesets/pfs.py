"""Medicare Physician Fee Schedule: RVU and GPCI tables and the pricing formula.

Payment = [(work RVU x work GPCI) + (PE RVU x PE GPCI) + (MP RVU x MP GPCI)] x conversion
factor, rounded to cents half up.  The facility PE RVU applies in facility places of service;
where the non-facility PE carries an ``NA`` indicator the facility PE is used instead.

From 2026 Medicare has two conversion factors: one for qualifying APM participants and one for
everyone else; ``conversion_factor(year, qualifying_apm)`` knows the published national values
and a caller may pass its own.

Amounts are ``Decimal`` (never float); callers wrap them in their Money type.

RVU file (``PPRRVU`` CSV; title lines, then one row per code and modifier; 0-based columns)::

    0 HCPCS  1 MOD  2 DESCRIPTION  3 STATUS CODE  4 NOT USED FOR MEDICARE  5 WORK RVU
    6 NON-FAC PE RVU  7 NON-FAC NA IND  8 FACILITY PE RVU  9 FACILITY NA IND  10 MP RVU
    11 NON-FAC TOTAL  12 FACILITY TOTAL  13 PCTC IND  14 GLOB DAYS  15-17 PRE/INTRA/POST OP
    18 MULT PROC  19 BILAT SURG  20 ASST SURG  21 CO-SURG  22 TEAM SURG  23 ENDO BASE
    24 CONV FACTOR  25 PHYS SUPERVISION  26 CALC FLAG  27 IMAGING FAMILY  28-30 OPPS CAPS

GPCI file (``GPCI2025.csv``; title lines, then)::

    MAC, state, locality number, locality name, PW GPCI, PE GPCI, MP GPCI
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType

from revcycle.codesets._text import Source, numbered_csv, source_name
from revcycle.codesets.errors import MalformedCodeFile

CENT = Decimal("0.01")

NATIONAL_CONVERSION_FACTORS: Mapping[int, tuple[Decimal, Decimal]] = MappingProxyType(
    {
        2024: (Decimal("33.2875"), Decimal("33.2875")),
        2025: (Decimal("32.3465"), Decimal("32.3465")),
        2026: (Decimal("33.4009"), Decimal("33.5675")),
    }
)
"""Year -> (conversion factor for non-qualifying, for qualifying APM participants)."""

PAYABLE_STATUS = frozenset({"A", "R", "T"})


def conversion_factor(year: int, qualifying_apm: bool = False) -> Decimal:
    try:
        regular, qp = NATIONAL_CONVERSION_FACTORS[year]
    except KeyError:
        raise KeyError(f"no national conversion factor known for {year}") from None
    return qp if qualifying_apm else regular


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class RvuRow:
    """One code/modifier row of the RVU file; the row shape the database persists."""

    code: str
    modifier: str
    description: str
    status: str
    work: Decimal
    pe_nonfacility: Decimal
    pe_nonfacility_na: bool
    pe_facility: Decimal
    pe_facility_na: bool
    mp: Decimal
    pctc: str
    global_days: str
    mult_proc: str
    bilateral: str
    conversion_factor: Decimal


@dataclass(frozen=True, slots=True)
class Gpci:
    mac: str
    state: str
    locality: str
    name: str
    work: Decimal
    pe: Decimal
    mp: Decimal


@dataclass(frozen=True)
class RvuTable:
    rows_by_key: Mapping[tuple[str, str], RvuRow]

    @classmethod
    def from_rows(cls, rows: Iterable[RvuRow]) -> RvuTable:
        return cls(MappingProxyType({(r.code, r.modifier): r for r in rows}))

    def get(self, code: str, modifier: str = "") -> RvuRow | None:
        return self.rows_by_key.get((code.upper(), modifier.upper()))

    def __len__(self) -> int:
        return len(self.rows_by_key)

    def rows(self) -> Iterator[RvuRow]:
        return iter(self.rows_by_key.values())


@dataclass(frozen=True)
class GpciTable:
    by_locality: Mapping[tuple[str, str], Gpci]

    @classmethod
    def from_rows(cls, rows: Iterable[Gpci]) -> GpciTable:
        return cls(MappingProxyType({(g.mac, g.locality): g for g in rows}))

    def get(self, mac: str, locality: str) -> Gpci | None:
        return self.by_locality.get((mac.strip(), locality.strip().zfill(2)))

    def __len__(self) -> int:
        return len(self.by_locality)

    def rows(self) -> Iterator[Gpci]:
        return iter(self.by_locality.values())


_CODE = re.compile(r"[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4}")


def _dec(text: str, line: int, field: str, src: str) -> Decimal:
    value = text.strip() or "0"
    try:
        out = Decimal(value)
    except InvalidOperation:
        raise MalformedCodeFile(line, f"{field}: {value!r} is not a number", src) from None
    if not out.is_finite():
        raise MalformedCodeFile(line, f"{field}: {value!r} is not a number", src)
    return out


def load_rvu_file(source: Source) -> RvuTable:
    """Parse a PPRRVU CSV; ``MalformedCodeFile`` names the first bad row."""
    src = source_name(source)
    rows: dict[tuple[str, str], RvuRow] = {}
    started = False
    for number, raw in numbered_csv(source):
        cells = [c.strip() for c in raw]
        if not any(cells):
            continue
        if not started:
            if _CODE.fullmatch(cells[0]) is None:
                continue
            started = True
        if len(cells) < 25:
            raise MalformedCodeFile(number, f"expected at least 25 columns, got {len(cells)}", src)
        code, mod = cells[0].upper(), cells[1].upper()
        if _CODE.fullmatch(code) is None:
            raise MalformedCodeFile(number, f"{code!r} is not a procedure code", src)
        if (code, mod) in rows:
            raise MalformedCodeFile(number, f"{code} {mod} appears twice", src)
        rows[(code, mod)] = RvuRow(
            code=code,
            modifier=mod,
            description=cells[2],
            status=cells[3],
            work=_dec(cells[5], number, "work RVU", src),
            pe_nonfacility=_dec(cells[6], number, "non-facility PE RVU", src),
            pe_nonfacility_na=cells[7].upper() == "NA",
            pe_facility=_dec(cells[8], number, "facility PE RVU", src),
            pe_facility_na=cells[9].upper() == "NA",
            mp=_dec(cells[10], number, "MP RVU", src),
            pctc=cells[13],
            global_days=cells[14],
            mult_proc=cells[18],
            bilateral=cells[19],
            conversion_factor=_dec(cells[24], number, "conversion factor", src),
        )
    if not rows:
        raise MalformedCodeFile(1, "the file holds no RVU rows", src)
    return RvuTable.from_rows(rows.values())


def load_gpci_file(source: Source) -> GpciTable:
    """Parse the GPCI addendum CSV; footnote lines after the table are ignored."""
    src = source_name(source)
    rows: list[Gpci] = []
    for number, raw in numbered_csv(source):
        cells = [c.strip() for c in raw]
        if not cells or not re.fullmatch(r"\d{5}", cells[0]):
            continue
        if len(cells) < 7:
            raise MalformedCodeFile(number, f"expected 7 columns, got {len(cells)}", src)
        if not re.fullmatch(r"\d{1,2}", cells[2]):
            raise MalformedCodeFile(number, f"locality {cells[2]!r} is not a number", src)
        rows.append(
            Gpci(
                cells[0],
                cells[1],
                cells[2].zfill(2),
                cells[3],
                _dec(cells[4], number, "work GPCI", src),
                _dec(cells[5], number, "PE GPCI", src),
                _dec(cells[6], number, "MP GPCI", src),
            )
        )
    if not rows:
        raise MalformedCodeFile(1, "the file holds no localities", src)
    return GpciTable.from_rows(rows)


@dataclass(frozen=True, slots=True)
class Price:
    """A fee-schedule amount, or ``None`` with the reason it cannot be priced."""

    amount: Decimal | None
    reason: str = ""


def price(
    rvu: RvuRow,
    gpci: Gpci,
    *,
    facility: bool,
    conversion_factor: Decimal | None = None,
) -> Price:
    """Medicare allowed amount for one unit of ``rvu`` in ``gpci``'s locality."""
    if rvu.status not in PAYABLE_STATUS:
        return Price(None, f"status {rvu.status!r} is not separately payable by the fee schedule")
    cf = conversion_factor if conversion_factor is not None else rvu.conversion_factor
    if cf <= 0:
        return Price(None, "no conversion factor")
    use_facility = facility or rvu.pe_nonfacility_na
    pe = rvu.pe_facility if use_facility else rvu.pe_nonfacility
    total = rvu.work * gpci.work + pe * gpci.pe + rvu.mp * gpci.mp
    return Price(money(total * cf))


def price_code(
    rvus: RvuTable,
    gpcis: GpciTable,
    code: str,
    *,
    mac: str,
    locality: str,
    facility: bool,
    modifier: str = "",
    conversion_factor: Decimal | None = None,
) -> Price:
    """Price one unit of ``code`` (with ``26``/``TC`` picking the component row) in a locality."""
    mod = modifier.upper() if modifier.upper() in ("26", "TC", "53") else ""
    rvu = rvus.get(code, mod)
    if rvu is None:
        return Price(None, f"{code} {mod}".strip() + " is not in the RVU file")
    gpci = gpcis.get(mac, locality)
    if gpci is None:
        return Price(None, f"locality {mac}/{locality} is not in the GPCI file")
    return price(rvu, gpci, facility=facility, conversion_factor=conversion_factor)
