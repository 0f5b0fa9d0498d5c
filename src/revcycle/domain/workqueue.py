"""Work queues: lists of items a person must look at (held claims, rejections, denials, ...).

An item points at a claim, a claim line or a remittance; it has a reason, an owner, a priority
(higher first), a due date, notes and a status (open, in_progress, done, cancelled). The queues
themselves are data (``QUEUES``): later issues add theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

QUEUES: dict[str, str] = {
    "scrubber_hold": "Claims held by scrubber errors",
    "rejections": "Claims rejected by the clearinghouse or payer (TA1, 999, 277CA)",
    "denials": "Claims and lines an 835 denied (CLP02 = 4, or paid 0 with a denial CARC)",
    "secondary_claims": "Claims whose remaining balance must be billed to the next payer (COB)",
    "unmatched_remittances": "Claim payments of a posted 835 or EOB that matched no claim",
    "no_response": "Claims the payer does not know when asked about their status (277 A4 / D0)",
    "eligibility": "Eligibility answers (271) that differ from the registered coverage or failed",
    "underpayments": "Lines an 835 paid below the payer's contract by more than the tolerance",
}
ITEM_STATUSES = ("open", "in_progress", "done", "cancelled")
TARGET_KINDS = ("claim", "claim_line", "remittance", "eligibility_response")


@dataclass(frozen=True, slots=True)
class WorkItem:
    queue: str
    target_kind: str
    target_id: int
    reason: str
    priority: int = 0
    status: str = "open"
    owner: str | None = None
    due: date | None = None
    id: int | None = None
