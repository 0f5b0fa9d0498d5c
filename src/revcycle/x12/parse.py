"""Parse X12 into the JSON of ``revcycle x12 parse``: one entry per transaction set, in file
order, plus the validator's findings. 835s become remittances, 999s acknowledgment sets,
277CAs claim statuses, 837s claim summaries, 270s / 276s eligibility / claim status requests,
271s / 277s (005010X212) their answers; other sets are listed with their segment count.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from revcycle.x12.reader import Delimiters, Reader
from revcycle.x12.validator import ValidationReport, Validator


class _Generic:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.segments = 0

    def segment(self, loop_id: str, els: list[str]) -> None:
        self.segments += 1

    def to_json(self) -> dict[str, Any]:
        return {"type": self.kind, "segments": self.segments}


class _Claims837:
    def __init__(self, kind: str, comp: str) -> None:
        self.kind = kind
        self.comp = comp
        self.claims: list[dict[str, Any]] = []

    def segment(self, loop_id: str, els: list[str]) -> None:
        sid = els[0]
        if sid == "CLM":
            parts = els[5].split(self.comp) if len(els) > 5 else []
            self.claims.append(
                {
                    "patient_control_number": els[1] if len(els) > 1 else "",
                    "charge": els[2] if len(els) > 2 else "",
                    "frequency": parts[2] if len(parts) > 2 else "",
                    "lines": [],
                }
            )
        elif sid in ("SV1", "SV2") and self.claims:
            proc = els[1 if sid == "SV1" else 2].split(self.comp) if len(els) > 2 else []
            self.claims[-1]["lines"].append(
                {
                    "procedure": proc[1] if len(proc) > 1 else "",
                    "modifiers": [m for m in proc[2:6] if m],
                    "charge": els[2 if sid == "SV1" else 3] if len(els) > 3 else "",
                }
            )
        elif (
            sid == "REF" and loop_id == "2400" and els[1:2] == ["6R"] and self.claims
            and self.claims[-1]["lines"]
        ):  # fmt: skip
            self.claims[-1]["lines"][-1]["line_control_number"] = els[2] if len(els) > 2 else ""

    def to_json(self) -> dict[str, Any]:
        return {"type": self.kind, "claims": self.claims}


class ParseSink:
    """Dispatches each transaction set to the builder for its type."""

    def __init__(self) -> None:
        self.transactions: list[dict[str, Any]] = []
        self._builder: Any = None

    def start_set(self, key: str | None, st: list[str], delimiters: Delimiters) -> None:
        comp = delimiters.component
        if key == "835":
            from revcycle.x12.mapping.remit835 import RemittanceBuilder

            self._builder = RemittanceBuilder(comp)
        elif key == "999":
            from revcycle.x12.acks import AckBuilder

            self._builder = AckBuilder(comp)
        elif key == "277CA":
            from revcycle.x12.mapping.ack277 import StatusBuilder

            self._builder = StatusBuilder(comp)
        elif key in ("837P", "837I"):
            self._builder = _Claims837(key, comp)
        elif key in ("270", "271"):
            from revcycle.x12.mapping.eligibility import EligibilityBuilder

            self._builder = EligibilityBuilder(key, delimiters)
        elif key in ("276", "277"):
            from revcycle.x12.mapping.claim_status import ClaimStatusBuilder

            self._builder = ClaimStatusBuilder(key, delimiters)
        else:
            self._builder = _Generic(st[1] if len(st) > 1 else "")
        self._control = st[2] if len(st) > 2 else ""

    def segment(self, loop_id: str, els: list[str]) -> None:
        if self._builder is not None:
            self._builder.segment(loop_id, els)

    def end_set(self) -> None:
        builder = self._builder
        if builder is None:
            return
        from revcycle.x12.mapping.remit835 import RemittanceBuilder, remittance_json

        if isinstance(builder, RemittanceBuilder):
            out = remittance_json(builder.build())
        else:
            out = builder.to_json()
        out["control_number"] = self._control
        self.transactions.append(out)
        self._builder = None


def parse(
    source: str | bytes | Path | IO[str] | IO[bytes],
) -> tuple[dict[str, Any], ValidationReport]:
    """Read ``source`` (raises ``NotX12`` only when it is not X12 at all)."""
    sink = ParseSink()
    reader = Reader(source)
    report = Validator(sink).run(reader)
    from revcycle.x12.acks import ta1_json

    return (
        {
            "transactions": sink.transactions,
            "interchange_acknowledgments": ta1_json(
                t for ic in report.interchanges for t in ic.ta1
            ),
            "valid": report.valid,
            "findings": [f.to_json() for f in report.findings],
        },
        report,
    )
