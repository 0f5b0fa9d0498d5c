"""Remittance -> journal entries; balances; COB hand-off to the next payer.

``post_remittance`` is the ERA posting engine (pure: no database); ``claim_charge_entry``
posts a claim's charges; ``validate_remittance`` checks an 835's arithmetic first.
``revcycle.posting.patient`` holds the patient side (tenders, credits, refunds, small
balances). See docs/posting.md for the accounts and the rules.
"""

from revcycle.posting.engine import claim_charge_entry, post_remittance
from revcycle.posting.matching import ClaimIndex, match_lines
from revcycle.posting.model import (
    BilledClaim,
    BilledLine,
    DenialRecord,
    ForwardedClaim,
    PostingConfig,
    PostingHistory,
    PostingResult,
    PostingSummary,
    SecondaryClaimNeeded,
    Treatment,
    UnmatchedClaimPayment,
)
from revcycle.posting.validation import validate_remittance

__all__ = [
    "BilledClaim",
    "BilledLine",
    "ClaimIndex",
    "DenialRecord",
    "ForwardedClaim",
    "PostingConfig",
    "PostingHistory",
    "PostingResult",
    "PostingSummary",
    "SecondaryClaimNeeded",
    "Treatment",
    "UnmatchedClaimPayment",
    "claim_charge_entry",
    "match_lines",
    "post_remittance",
    "validate_remittance",
]
