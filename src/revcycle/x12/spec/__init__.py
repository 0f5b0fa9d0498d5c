"""Transaction specs as data, and the registry that finds the spec for an ST/GS pair.

Specs are imported lazily so a command pays only for the transactions it meets. Adding a
transaction means adding a ``t*.py`` module and one registry row (270/271 eligibility of
005010X279A1 and 276/277 claim status of 005010X212 came that way; a 277 without a known
version is not guessed: X212 and X214 differ).
"""

from __future__ import annotations

import importlib
from functools import cache

from revcycle.x12.spec.model import SegmentRule, TransactionSpec, seg

# key: (module, attribute, ST01, version prefix of GS08 / ST03)
REGISTRY: dict[str, tuple[str, str, str, str]] = {
    "837P": ("revcycle.x12.spec.t837", "PROFESSIONAL", "837", "005010X222"),
    "837I": ("revcycle.x12.spec.t837", "INSTITUTIONAL", "837", "005010X223"),
    "835": ("revcycle.x12.spec.t835", "REMITTANCE", "835", "005010X221"),
    "999": ("revcycle.x12.spec.t999", "ACK_999", "999", "005010X231"),
    "277CA": ("revcycle.x12.spec.t277ca", "CLAIM_ACK", "277", "005010X214"),
    "270": ("revcycle.x12.spec.t270", "INQUIRY", "270", "005010X279"),
    "271": ("revcycle.x12.spec.t271", "RESPONSE", "271", "005010X279"),
    "276": ("revcycle.x12.spec.t276", "REQUEST", "276", "005010X212"),
    "277": ("revcycle.x12.spec.t277", "RESPONSE", "277", "005010X212"),
}

ENVELOPE: dict[str, SegmentRule] = {
    "GS": seg("GS", "R", 1, "Functional Group Header", "GS01 GS02 GS03 GS04 GS05 GS06 GS07=X GS08"),
    "GE": seg("GE", "R", 1, "Functional Group Trailer", "GE01 GE02"),
    "ST": seg("ST", "R", 1, "Transaction Set Header", "ST01 ST02 ST03?"),
    "SE": seg("SE", "R", 1, "Transaction Set Trailer", "SE01 SE02"),
    "IEA": seg("IEA", "R", 1, "Interchange Control Trailer", "IEA01 IEA02"),
    "TA1": seg("TA1", "R", 1, "Interchange Acknowledgment", "TA101 TA102 TA103 TA104 TA105"),
}


def key_for(st01: str, version: str) -> str | None:
    """The spec key for a transaction set, or None when revcycle has no spec for it."""
    for key, (_, _, st, prefix) in REGISTRY.items():
        if st == st01 and version.startswith(prefix):
            return key
    if st01 == "837":  # version missing or unknown: the claim type decides in the validator
        return "837P"
    for key, (_, _, st, _) in REGISTRY.items():
        if st == st01 and st01 != "277":
            return key
    return None


@cache
def load(key: str) -> TransactionSpec:
    module, attr, _, _ = REGISTRY[key]
    spec = getattr(importlib.import_module(module), attr)
    assert isinstance(spec, TransactionSpec)
    return spec
