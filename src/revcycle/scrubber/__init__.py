"""The claim scrubber: rules that stop bad claims before they leave.

A rule is a small pure function over a ``ScrubInput`` (the claim as an 837 carries it plus the
records it came from) that yields ``Finding``s; it states its business rule and source in its
docstring and is listed in ``registry.RULES``. Severity ``error`` holds the claim; ``warning``
does not. Payer-specific variations (extra required modifiers, authorization lists, timely
filing limits, rules switched off) are data: ``payer_rules.PayerRules`` read from a JSON file
an administrator edits.
"""

from revcycle.scrubber.engine import scrub
from revcycle.scrubber.inputs import EligibilitySnapshot, PriorService, ScrubInput
from revcycle.scrubber.payer_rules import PayerRules, load_payer_rules

__all__ = [
    "EligibilitySnapshot",
    "PayerRules",
    "PriorService",
    "ScrubInput",
    "load_payer_rules",
    "scrub",
]
