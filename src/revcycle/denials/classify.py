"""Classification of a denial: codes in, root cause and recommended action out.

``classify`` is pure. For an 835 it takes the adjustments as ``"GROUP-CODE"`` (``"CO-16"``)
and the remark codes; it picks the deciding CARC (the first that is neither contractual,
patient responsibility nor informational, else the first), reads its root cause and action
from ``revcycle.codesets.reference.carc_root_cause`` and applies the rules of
``shared/reference/denials.md`` that depend on more than the code:

- CARC 29 (timely filing) on Medicare is not an initial determination: not appealable, write
  off; elsewhere a reconsideration with proof of timely filing (appeal);
- CARC 96 / 204 (non-covered) with group PR: bill the patient;
- CARC 16 (claim lacks information): correct per the RARC, which the reason names;
- CARC 18 (duplicate): check the status with a 276, never rebill (action ``none``).

A 277CA rejection is classified by its STC status code and entity (``"A7:164:IL"``); a 999
rejection is a format error of the 837 (``other`` / ``correct``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from revcycle.codesets.reference import bundled_lists, carc_root_cause

#: Categories that are not a denial on their own (the claim was paid or priced).
_NOT_DECIDING = frozenset({"contractual", "patient_responsibility"})
#: Informational CARCs (the impact of a prior payer).
_INFORMATIONAL = frozenset({"23"})
_PAYER_CLASS_NO_TF_APPEAL = frozenset({"medicare"})

#: 277CA status codes (STC01-2) -> (category, action). Entity codes refine them below.
STATUS_277CA: Mapping[str, tuple[str, str]] = {
    "116": ("cob", "reroute"),  # claim submitted to the incorrect payer
    "33": ("registration", "correct"),  # subscriber and subscriber ID not found
    "164": ("registration", "correct"),  # entity's contract / member number
    "535": ("coding", "correct"),  # claim frequency code (Medicare: reopening instead)
    "187": ("coding", "correct"),  # date(s) of service
    "21": ("missing_information", "correct"),  # missing or invalid information
    "562": ("provider_enrollment", "correct"),  # entity's national provider identifier
}
#: 277CA entity codes (STC01-3) -> category, when the status code alone does not say.
ENTITY_277CA: Mapping[str, str] = {
    "IL": "registration",  # subscriber
    "QC": "registration",  # patient
    "85": "provider_enrollment",  # billing provider
    "82": "provider_enrollment",  # rendering provider
    "77": "provider_enrollment",  # service location
    "PR": "cob",  # payer
}


@dataclass(frozen=True, slots=True)
class Classification:
    """Root cause (``ROOT_CAUSES``), recommended action (``ACTIONS``) and why."""

    category: str
    action: str
    code: str | None
    reason: str
    appealable: bool = True


def carc_description(code: str) -> str:
    """The bundled description of a CARC (bare code), or an empty string."""
    entry = bundled_lists()["carc"].get(code)
    return entry.description if entry is not None else ""


def _split(carc: str) -> tuple[str, str]:
    group, sep, code = carc.partition("-")
    return (group.strip().upper(), code.strip().upper()) if sep else ("", group.strip().upper())


def deciding_carc(carcs: Sequence[str]) -> str | None:
    """The CARC that decides the category: the first that is a denial on its own."""
    for carc in carcs:
        _, code = _split(carc)
        if code in _INFORMATIONAL:
            continue
        if carc_root_cause(code)[0] not in _NOT_DECIDING:
            return carc
    for carc in carcs:
        if _split(carc)[1] not in _INFORMATIONAL:
            return carc
    return carcs[0] if carcs else None


def classify_835(
    carcs: Sequence[str], rarcs: Sequence[str] = (), payer_class: str = "commercial"
) -> Classification:
    """Category and action of an 835 denial (claim or line) from its CAS and remark codes."""
    carc = deciding_carc(carcs)
    if carc is None:
        return Classification("other", "none", None, "denied without a reason code")
    group, code = _split(carc)
    category, action = carc_root_cause(code)
    meaning = carc_description(code) or f"CARC {code}"
    reason = f"{carc}: {meaning}"
    if code == "29":
        if payer_class in _PAYER_CLASS_NO_TF_APPEAL:
            return Classification(
                "timely_filing",
                "write_off",
                carc,
                f"{reason}; Medicare: not an initial determination, cannot be appealed",
                appealable=False,
            )
        return Classification(
            "timely_filing", "appeal", carc, f"{reason}; reconsideration with proof of filing"
        )
    if code in ("96", "204") and group == "PR":
        return Classification(category, "bill_patient", carc, f"{reason}; patient responsibility")
    if code == "16":
        what = ", ".join(rarcs) if rarcs else "no remark code"
        return Classification(category, "correct", carc, f"{reason}; correct per {what}")
    if code == "18":
        return Classification(
            category, "none", carc, f"{reason}; check the claim status (276), do not rebill"
        )
    if code in _INFORMATIONAL:
        return Classification(category, "none", carc, f"{reason}; informational")
    if rarcs:
        reason = f"{reason} ({', '.join(rarcs)})"
    return Classification(category, action, carc, reason)


def classify_277ca(statuses: Sequence[str]) -> Classification:
    """A 277CA rejection from its STC codes ``"CATEGORY:STATUS[:ENTITY]"``."""
    for stc in statuses:
        parts = stc.split(":")
        status = parts[1] if len(parts) > 1 else ""
        entity = parts[2] if len(parts) > 2 else ""
        if status in STATUS_277CA:
            category, action = STATUS_277CA[status]
            return Classification(category, action, stc, f"277CA {stc}: rejected, {category}")
        if entity in ENTITY_277CA:
            category = ENTITY_277CA[entity]
            action = "reroute" if category == "cob" else "correct"
            return Classification(category, action, stc, f"277CA {stc}: rejected, {category}")
    first = statuses[0] if statuses else None
    return Classification(
        "missing_information", "correct", first, f"277CA {first or '?'}: rejected, correct"
    )


def classify_999(errors: str = "") -> Classification:
    """A 999 rejection: the 837 broke the X12 syntax or the implementation guide."""
    return Classification("other", "correct", None, f"999 rejected: {errors}".strip()[:400])


def classify(
    source: str,
    carcs: Sequence[str] = (),
    rarcs: Sequence[str] = (),
    *,
    payer_class: str = "commercial",
    statuses: Sequence[str] = (),
    errors: str = "",
) -> Classification:
    """Dispatch on the source (``"835"``, ``"277CA"``, ``"999"``)."""
    if source == "835":
        return classify_835(carcs, rarcs, payer_class)
    if source == "277CA":
        return classify_277ca(statuses)
    if source == "999":
        return classify_999(errors)
    raise ValueError(f"unknown denial source {source!r}")
