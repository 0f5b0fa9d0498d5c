"""Runs the registered rules over one claim and returns every finding, in rule order.

A rule that raises does not stop the others: it becomes an error finding naming the rule, so
the claim is held for a person to look at instead of being sent unchecked.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from revcycle.codesets import Finding
from revcycle.scrubber.inputs import ScrubInput
from revcycle.scrubber.registry import Rule, all_rules


@cache
def _rules() -> tuple[Rule, ...]:
    return all_rules()


def scrub(inp: ScrubInput, rules: Sequence[Rule] | None = None) -> list[Finding]:
    disabled = inp.payer_rule.disabled_rules
    out: list[Finding] = []
    for rule in rules if rules is not None else _rules():
        if rule.code in disabled:
            continue
        try:
            out.extend(rule.check(inp))
        except Exception as exc:
            out.append(
                Finding(
                    rule.code,
                    "error",
                    f"rule {rule.code} could not run: {type(exc).__name__}",
                    "claim",
                )
            )
    return out


def is_clean(findings: Sequence[Finding]) -> bool:
    return not any(f.severity == "error" for f in findings)
