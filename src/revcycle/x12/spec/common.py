"""Segment rules shared by several implementation guides (names, addresses, contacts)."""

from __future__ import annotations

from revcycle.x12.spec.model import SegmentRule, seg

PERSON_OR_ORG = "NM102=1,2 NM103 NM104? NM105? NM107?"
NPI_OPTIONAL = "NM108?=XX NM109?"
CONTACT = (
    "PER01=IC PER02? PER03=EM,EX,FX,TE,UR PER04 PER05?=EM,EX,FX,TE,UR PER06?"
    " PER07?=EM,EX,FX,TE,UR PER08?"
)


def n3(usage: str = "R") -> SegmentRule:
    return seg("N3", usage, 1, "Address", "N301 N302?")


def n4(usage: str = "R", zip_rule: str = "N403?") -> SegmentRule:
    return seg("N4", usage, 1, "City, State, ZIP Code", f"N401 N402?@STATE {zip_rule} N404? N407?")


def per(usage: str = "S", max_use: int = 2) -> SegmentRule:
    return seg("PER", usage, max_use, "Contact Information", CONTACT)


def provider_name(
    entity: str, name: str, kinds: str = "1,2", npi: str = NPI_OPTIONAL
) -> SegmentRule:
    rules = f"NM101={entity} NM102={kinds} NM103 NM104? NM105? NM107? {npi}"
    return seg("NM1", "R", 1, name, rules)


def secondary_ids(codes: str, max_use: int = 3, usage: str = "S") -> SegmentRule:
    return seg("REF", usage, max_use, "Secondary Identification", f"REF01={codes} REF02")
