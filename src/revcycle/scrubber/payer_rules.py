"""Payer-specific scrubber rules (SNIP 7, companion guides) as data.

The file is JSON keyed by payer ID; ``"*"`` holds defaults for every payer. Keys of an entry:

- ``timely_filing_days``: overrides the payer's registered limit;
- ``prior_auth_codes``: procedures that need a prior authorization (REF*G1);
- ``requires_referral``: the plan needs a referral number (REF*9F) on every claim;
- ``abn_codes``: Medicare services with a coverage (LCD) risk that need GA/GZ/GY when billed;
- ``required_modifiers``: ``[{"procedure": "97110", "modifiers": ["GP"]}]``;
- ``taxonomy_required``: the rendering provider's taxonomy must be on the claim;
- ``disabled_rules``: rule codes not run for this payer (e.g. ``["R24"]``).

The bundled file describes the simulator's payers; a practice's administrator points
``REVCYCLE_PAYER_RULES`` (or ``--payer-rules``) at their own file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from revcycle.domain.errors import DomainValidationError, FieldError

_KEYS = {
    "timely_filing_days",
    "prior_auth_codes",
    "requires_referral",
    "abn_codes",
    "required_modifiers",
    "taxonomy_required",
    "disabled_rules",
    "note",
}


@dataclass(frozen=True)
class PayerRule:
    timely_filing_days: int | None = None
    prior_auth_codes: frozenset[str] = frozenset()
    requires_referral: bool = False
    abn_codes: frozenset[str] = frozenset()
    required_modifiers: tuple[tuple[str, frozenset[str]], ...] = ()
    taxonomy_required: bool = False
    disabled_rules: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PayerRules:
    by_payer: Mapping[str, PayerRule] = field(default_factory=dict)
    default: PayerRule = field(default_factory=PayerRule)

    def for_payer(self, payer_id: str) -> PayerRule:
        return self.by_payer.get(payer_id.upper(), self.default)


def _rule(payer: str, raw: Any, base: PayerRule) -> PayerRule:
    if not isinstance(raw, dict):
        raise DomainValidationError.single(
            payer, "payer_rules_format", "each payer's rules are a JSON object"
        )
    unknown = set(raw) - _KEYS
    if unknown:
        raise DomainValidationError.single(
            f"{payer}.{sorted(unknown)[0]}",
            "payer_rules_key",
            f"unknown key; allowed: {', '.join(sorted(_KEYS))}",
        )
    errors: list[FieldError] = []
    mods: list[tuple[str, frozenset[str]]] = list(base.required_modifiers)
    for i, item in enumerate(raw.get("required_modifiers") or [], start=1):
        if not isinstance(item, dict) or "procedure" not in item or not item.get("modifiers"):
            errors.append(
                FieldError(
                    f"{payer}.required_modifiers.{i}",
                    "format",
                    'use {"procedure": ..., "modifiers": [...]}',
                )
            )
            continue
        mods.append(
            (str(item["procedure"]).upper(), frozenset(str(m).upper() for m in item["modifiers"]))
        )
    tfd = raw.get("timely_filing_days", base.timely_filing_days)
    if tfd is not None and (not isinstance(tfd, int) or not 1 <= tfd <= 3650):
        errors.append(
            FieldError(f"{payer}.timely_filing_days", "range", "a whole number of days, 1 to 3650")
        )
    if errors:
        raise DomainValidationError(errors)

    def codes(key: str, current: frozenset[str]) -> frozenset[str]:
        return frozenset(str(c).upper() for c in raw[key]) if key in raw else current

    return PayerRule(
        timely_filing_days=tfd,
        prior_auth_codes=codes("prior_auth_codes", base.prior_auth_codes),
        requires_referral=bool(raw.get("requires_referral", base.requires_referral)),
        abn_codes=codes("abn_codes", base.abn_codes),
        required_modifiers=tuple(mods),
        taxonomy_required=bool(raw.get("taxonomy_required", base.taxonomy_required)),
        disabled_rules=codes("disabled_rules", base.disabled_rules),
    )


def parse_payer_rules(doc: Any) -> PayerRules:
    if not isinstance(doc, dict):
        raise DomainValidationError.single(
            "payer_rules", "payer_rules_format", "the file holds one JSON object"
        )
    default = _rule("*", doc.get("*", {}), PayerRule())
    by_payer = {k.upper(): _rule(k, v, default) for k, v in doc.items() if k != "*"}
    return PayerRules(by_payer, default)


def load_payer_rules(path: Path | None = None) -> PayerRules:
    """The administrator's file, or the bundled one describing the simulator's payers."""
    if path is None:
        text = resources.files("revcycle.scrubber").joinpath("data/payer_rules.json").read_text()
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise DomainValidationError.single(
                "payer_rules", "unreadable", f"cannot read {path}: {exc.strerror}"
            ) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DomainValidationError.single(
            "payer_rules", "json", f"not JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    return parse_payer_rules(doc)
