"""The rule registry: every rule the scrubber runs, in order, with its stable code.

Rule codes follow the numbering of the scrubber reference (R01 .. R37) plus R38 for payer-
required modifiers and R39 for another payer primary per the latest 271; a code never changes
meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from revcycle.codesets import Finding
from revcycle.codesets.findings import Severity
from revcycle.scrubber.inputs import ScrubInput

Check = Callable[[ScrubInput], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    check: Check

    @property
    def doc(self) -> str:
        return (self.check.__doc__ or "").strip()


def finding(
    code: str, message: str, location: str = "claim", severity: Severity = "error"
) -> Finding:
    return Finding(code, severity, message, location)


def all_rules() -> tuple[Rule, ...]:
    from revcycle.scrubber.rules import coding, patient, payer, providers, structure

    rules = (*structure.RULES, *providers.RULES, *patient.RULES, *coding.RULES, *payer.RULES)
    return tuple(sorted(rules, key=lambda r: r.code))
