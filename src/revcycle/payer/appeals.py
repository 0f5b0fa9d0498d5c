"""Appeals at the simulated payer: a written request to reconsider a decided claim.

Channel: the submitter uploads a small JSON file named ``*.appeal`` to its mailbox (outbound),
beside its 837s. ``Simulator.process_uploads`` hands it to :func:`receive_appeal`, which
decides it at once and puts the money, if any, on the payer's next payment cycle:

- the claim is found by its ICN (``icn``), for the payer (``payer_id``) and submitter;
- a claim denied for medical necessity (CARC 50, 49, 167 on any line) appealed with medical
  records attached (an attachment of kind ``medical_records``, or PWK report type ``09``,
  ``OB``, ``OZ``, ``M1``) is **overturned**: the claim is adjudicated again without the denial
  and paid under a new ICN (CLP02 = 1, same patient control number) in the 835 of the payer's
  first payment day on or after the appeal's receipt plus its adjudication delay. The denial
  itself is not reversed in the 835 (a denial moved no money; posting keeps its balance open
  until this payment); in the state the original ICN becomes ``reversed``;
- anything else is **upheld**: nothing changes and no 835 comes.

No response file is delivered for the appeal itself (a real payer answers by letter); the
decision is in :class:`~revcycle.payer.simulator.UploadResult.note` and in the state (meta key
``appeal:<icn>:<level>``), so appealing the same claim at the same level twice decides once.

The format (``revcycle-appeal/1``)::

    {"format": "revcycle-appeal/1", "payer_id": "SIMPPO", "icn": "PPO26...",
     "patient_control_number": "P1C0000001", "member_id": "1MN0A00AA05", "level": 1,
     "category": "medical_necessity", "reason": "...",
     "attachments": [{"name": "progress-notes.pdf", "kind": "medical_records",
                      "sha256": "...", "size": 1234}]}
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from revcycle.payer import adjudication as adj
from revcycle.payer.responses import Payee, RemitItem

if TYPE_CHECKING:
    from revcycle.payer.simulator import Simulator, UploadResult

FORMAT = "revcycle-appeal/1"
SUFFIX = ".appeal"
MEDICAL_NECESSITY_CARCS = frozenset({"50", "49", "167"})
RECORD_KINDS = frozenset({"medical_records", "09", "OB", "OZ", "M1"})


def is_appeal(name: str) -> bool:
    return name.endswith(SUFFIX)


def _carcs(payment: Any) -> set[str]:
    found = {a.reason for a in payment.adjustments}
    for line in payment.lines:
        found.update(a.reason for a in line.adjustments)
    return found


def _result(submitter: str, upload: str, note: str) -> UploadResult:
    from revcycle.payer.simulator import UploadResult

    return UploadResult(submitter, upload, (), note=note)


def receive_appeal(
    sim: Simulator, submitter: str, upload: str, data: bytes, at: datetime
) -> UploadResult:
    """Decide one uploaded appeal (inside the caller's state transaction)."""
    try:
        request = json.loads(data.decode("utf-8"))
        if not isinstance(request, dict) or request.get("format") != FORMAT:
            raise ValueError(f"format is not {FORMAT}")
        icn = str(request["icn"])
        payer_id = str(request["payer_id"])
        level = int(request.get("level", 1))
        attachments = list(request.get("attachments") or [])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        return _result(submitter, upload, f"appeal refused: not an appeal ({exc})")
    stored = sim.state.get_claim(icn)
    payer = sim.config.payers.get(payer_id)
    if stored is None or payer is None or stored.payer_id != payer_id:
        return _result(submitter, upload, f"appeal refused: no claim {icn} at {payer_id}")
    if stored.submitter != submitter:
        return _result(submitter, upload, f"appeal refused: claim {icn} is not yours")
    key = f"appeal:{icn}:{level}"
    before = sim.state.get_meta(key)
    if before is not None:
        return _result(submitter, upload, f"appeal of {icn} level {level}: already {before}")
    decided = sim.state.decided_payment(icn)
    if stored.status != "adjudicated" or decided is None:
        return _result(submitter, upload, f"appeal refused: claim {icn} is not decided")
    records = any(
        str(a.get("kind", "")) in RECORD_KINDS for a in attachments if isinstance(a, dict)
    )
    necessity = bool(_carcs(decided) & MEDICAL_NECESSITY_CARCS)
    if not (necessity and records):
        sim.state.set_meta(key, "upheld")
        return _result(submitter, upload, f"appeal of {icn} level {level}: upheld")
    new_icn = _overturn(sim, stored, payer, at)
    sim.state.set_meta(key, f"overturned:{new_icn}")
    return _result(submitter, upload, f"appeal of {icn} level {level}: overturned as {new_icn}")


def _overturn(sim: Simulator, stored: Any, payer: Any, at: datetime) -> str:
    """Pay the claim as if the denial had not applied (a new ICN)."""
    from revcycle.payer.simulator import _next_payment_day

    cfg = sim.config
    claim = stored.claim
    bp = claim.billing_provider
    payee = Payee(bp.npi, bp.last_or_org_name, bp.tax_id)
    new_icn = sim._new_icn(payer, at)
    ctx = adj.Context(icn=new_icn, received=stored.received.date())
    year = claim.lines[0].service_date.year
    if stored.prior is not None or claim.is_secondary:
        prior = stored.prior if stored.prior is not None else adj.prior_lines_from_claim(claim)
        outcome = adj.adjudicate_secondary(
            cfg, payer, payer.plan, claim, prior, ctx, stored.member_for_835
        )
    else:
        acc = sim._accumulators(payer, stored.member_id, year, None)
        outcome = adj.adjudicate_primary(cfg, payer, payer.plan, claim, acc, ctx)
        sim.state.put_accumulators(
            payer.payer_id,
            stored.member_id,
            year,
            adj.Accumulators(
                acc.deductible_met + outcome.deductible, acc.oop_met + outcome.out_of_pocket
            ),
        )
    sim.state.set_status(stored.icn, "reversed")
    sim.state.add_claim(
        icn=new_icn,
        payer_id=payer.payer_id,
        submitter=stored.submitter,
        payee_npi=stored.payee_npi,
        member_id=stored.member_id,
        received=at,
        due=at,
        dup_key=f"appeal:{stored.icn}",
        duplicate=False,
        replaces=stored.icn,
        claim=claim,
        prior=stored.prior,
        member_for_835=stored.member_for_835,
    )
    sim.state.record_decision(new_icn, year, outcome.deductible, outcome.out_of_pocket)
    cycle = _next_payment_day(
        (at + timedelta(days=payer.adjudication_delay_days)).date(), payer.payment_weekdays
    )
    sim.state.add_item(
        payer.payer_id,
        stored.submitter,
        stored.payee_npi,
        cycle,
        RemitItem(payee, outcome.payment),
        new_icn,
        "claim",
    )
    return new_icn
