"""A compact JSON form of the domain values the simulator keeps in its state: claims, 835
claim payments, prior-payer lines and 835 items.

Only registered dataclasses (see :data:`_CLASSES`), enums, ``Money``, ``Decimal``, ``date``,
tuples and JSON scalars are encoded, so decoding never builds anything else (unlike pickle).
A value becomes a list whose first element is its tag: ``["M", "1.50"]`` money, ``["D", "2"]``
decimal, ``["d", "2026-02-20"]`` date, ``["T", ...]`` tuple, ``["L", ...]`` list,
``["E<n>", value]`` enum and ``["C<n>", field, ...]`` dataclass (fields in declaration order).
Money travels as a string, never a float.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from revcycle.domain import claim as c
from revcycle.domain import remittance as r
from revcycle.domain.money import Money
from revcycle.payer import adjudication as a
from revcycle.payer import responses as resp

_CLASSES: tuple[type, ...] = (
    c.Address, c.Provider, c.Person, c.Subscriber, c.Patient, c.Payer, c.ClaimAdjustment,
    c.LineAdjudication, c.OtherPayer, c.Drug, c.ServiceLine, c.Diagnosis, c.InstitutionalInfo,
    c.Claim, r.Adjustment, r.ServicePayment, r.ClaimPayment, r.ProviderAdjustment,
    a.PriorLine, resp.Payee, resp.RemitItem,
)  # fmt: skip
_ENUMS: tuple[type[Enum], ...] = (c.ClaimKind, c.Frequency)
_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _CLASSES}
_TAG = {cls: f"C{i}" for i, cls in enumerate(_CLASSES)}
_ENUM_TAG = {cls: f"E{i}" for i, cls in enumerate(_ENUMS)}
_BY_TAG: dict[str, type] = {
    **{t: k for k, t in _TAG.items()},
    **{t: k for k, t in _ENUM_TAG.items()},
}


class CodecError(ValueError):
    """A value the codec does not know how to write or read."""


def _enc(v: Any) -> Any:
    cls = v.__class__
    if cls is str or cls is int or cls is bool or v is None:
        return v
    if cls is Money:
        return ["M", str(v.amount)]
    tag = _TAG.get(cls)
    if tag is not None:
        return [tag, *[_enc(getattr(v, n)) for n in _FIELDS[cls]]]
    if cls is tuple:
        return ["T", *[_enc(x) for x in v]]
    if cls is list:
        return ["L", *[_enc(x) for x in v]]
    if cls is Decimal:
        return ["D", str(v)]
    if cls is date:
        return ["d", v.isoformat()]
    etag = _ENUM_TAG.get(cls)
    if etag is not None:
        return [etag, v.value]
    raise CodecError(f"cannot encode {cls.__name__}")


def _dec(v: Any) -> Any:
    if v.__class__ is not list:
        return v
    tag = v[0]
    if tag == "M":
        return Money(v[1])
    if tag == "T":
        return tuple(_dec(x) for x in v[1:])
    if tag == "L":
        return [_dec(x) for x in v[1:]]
    if tag == "D":
        return Decimal(v[1])
    if tag == "d":
        return date.fromisoformat(v[1])
    cls = _BY_TAG.get(tag)
    if cls is None:
        raise CodecError(f"unknown tag {tag!r}")
    if tag[0] == "E":
        return cls(v[1])
    return cls(*[_dec(x) for x in v[1:]])


def dumps(value: Any) -> str:
    """``value`` as compact JSON text."""
    return json.dumps(_enc(value), separators=(",", ":"))


def loads(text: str | bytes | None) -> Any:
    """The value :func:`dumps` wrote (``None`` stays ``None``)."""
    return None if text is None else _dec(json.loads(text))
