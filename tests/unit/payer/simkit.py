"""Helpers for the simulator tests: claims for the simulator's payers, a simulator over a temp
mailbox tree, uploading 837s, and reading back what landed in the submitter's inbound."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from revcycle.domain.claim import Claim, Payer, Person, ServiceLine, Subscriber
from revcycle.domain.money import Money
from revcycle.domain.remittance import ClaimPayment, Remittance
from revcycle.payer.config import load_config
from revcycle.payer.mailboxes import ClearinghouseMailboxes
from revcycle.payer.simulator import Simulator
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.claim837 import Submitter, write_837
from revcycle.x12.mapping.remit835 import read_835
from revcycle.x12.parse import parse
from revcycle.x12.writer import Envelope
from tests.unit.x12.samples import BILLING, JANE, professional

NOW = datetime(2026, 3, 2, 14, 30)  # noqa: DTZ001 - a fixed wall-clock time
LATER = NOW + timedelta(days=30)
SUBMITTER_ID = "RC123456789"
SUBMITTER = Submitter("HAPPY VALLEY CLINIC", SUBMITTER_ID, "JANE BILLER", "5555551234",
                      "SIM CLEARINGHOUSE", "SIMCLEARHOUSE")  # fmt: skip
ENVELOPE = Envelope(sender_id=SUBMITTER_ID, receiver_id="SIMCLEARHOUSE")
PAYERS = {
    "SIMPPO": Payer("SIM COMMERCIAL PPO", "SIMPPO"),
    "SIMHMO": Payer("SIM HMO", "SIMHMO"),
    "SIMMCR": Payer("SIM MEDICARE PART B", "SIMMCR"),
    "SIMMCD": Payer("SIM STATE MEDICAID", "SIMMCD"),
    "SIMMGP": Payer("SIM MEDIGAP", "SIMMGP"),
}
NORMAL_MBI = "1AA0AA0AA00"


def ln(n: int, code: str = "99213", charge: str = "150.00", **kw: Any) -> ServiceLine:
    values: dict[str, Any] = {
        "procedure_code": code,
        "charge": Money(charge),
        "units": Decimal(1),
        "service_date": date(2026, 2, 20),
        "line_control_number": f"LCN{n:04d}",
    }
    values.update(kw)
    return ServiceLine(**values)


def claim(
    pcn: str,
    member: str = "MEM123456",
    payer: str = "SIMPPO",
    lines: tuple[ServiceLine, ...] | None = None,
    **kw: Any,
) -> Claim:
    lines = lines or (ln(1), ln(2, "71046", "80.00"))
    base = professional(
        patient_control_number=pcn,
        payer=PAYERS[payer],
        subscriber=Subscriber(JANE, member, group_number="GRP1"),
        lines=lines,
        total_charge=Money.sum(x.charge for x in lines),
        billing_provider=BILLING,
    )
    return replace(base, **kw)


def person() -> Person:
    return JANE


@dataclass
class Rig:
    """A simulator over a temp tree, with helpers to upload and read responses."""

    root: Path
    state: Path
    sim: Simulator
    delay_days: int | None = None

    @property
    def mailboxes(self) -> ClearinghouseMailboxes:
        return self.sim.mailboxes

    def upload_claims(self, claims: list[Claim], name: str = "batch.837", **kw: Any) -> str:
        text = write_837(claims, SUBMITTER, kw.pop("envelope", ENVELOPE),
                         InMemoryControlNumbers(kw.pop("start", 1)), NOW, **kw)  # fmt: skip
        self.upload_text(text, name)
        return text

    def upload_text(self, text: str, name: str = "batch.837") -> None:
        folder = self.root / SUBMITTER_ID / "outbound"
        (folder / name).write_text(text, encoding="latin-1")

    def inbound(self, kind: str = "") -> list[tuple[str, str]]:
        folder = self.root / SUBMITTER_ID / "inbound"
        return [
            (p.name, p.read_text("latin-1"))
            for p in sorted(folder.iterdir())
            if not p.name.startswith(".") and kind in p.name
        ]

    def remittances(self, payer: str = "") -> list[Remittance]:
        out: list[Remittance] = []
        for _, text in self.inbound(f"835-{payer}" if payer else "835"):
            remits, report = read_835(text)
            assert report.valid, [f.message for f in report.findings if f.is_error]
            out += remits
        return out

    def paid_claims(self, payer: str = "") -> dict[str, list[ClaimPayment]]:
        out: dict[str, list[ClaimPayment]] = {}
        for r in self.remittances(payer):
            for c in r.claims:
                out.setdefault(c.patient_control_number, []).append(c)
        return out

    def statuses(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for _, text in self.inbound("277CA"):
            doc, report = parse(text)
            assert report.valid
            for t in doc["transactions"]:
                for c in t["claims"]:
                    out[c["patient_control_number"]] = c
        return out


def make_rig(tmp_path: Path, seed: int = 0, delay_days: int | None = None) -> Rig:
    root = tmp_path / "root"
    mailboxes = ClearinghouseMailboxes(root)
    mailboxes.register(SUBMITTER_ID)
    config = load_config()
    if delay_days is not None:
        config = config.with_delays(delay_days)
    sim = Simulator(tmp_path / "state", mailboxes, lambda: NOW, seed, config=config)
    return Rig(root, tmp_path / "state", sim, delay_days)


def run_claims(rig: Rig, claims: list[Claim]) -> dict[str, list[ClaimPayment]]:
    rig.upload_claims(claims)
    rig.sim.step(NOW)
    rig.sim.step(LATER)
    return rig.paid_claims()


def balances(c: ClaimPayment) -> bool:
    line_cas = Money(0)
    for s in c.lines:
        cas = Money.sum(a.amount for a in s.adjustments)
        if s.charge - cas != s.paid:
            return False
        line_cas += cas
    total = c.charge - Money.sum(a.amount for a in c.adjustments) - line_cas
    pr = Money.sum(a.amount for s in c.lines for a in s.adjustments if a.group == "PR")
    return total == c.paid and (c.patient_responsibility or Money(0)) == pr


def remit_balances(r: Remittance) -> bool:
    return r.claims_paid_total() - r.provider_adjustment_total() == r.payment.amount


def reasons(c: ClaimPayment) -> list[tuple[str, str]]:
    return [(a.group, a.reason) for s in c.lines for a in s.adjustments] + [
        (a.group, a.reason) for a in c.adjustments
    ]


def remarks(c: ClaimPayment) -> set[str]:
    return set(c.remarks) | {r for s in c.lines for r in s.remarks}
