"""Parse X12 into the JSON of ``revcycle x12 parse``: one entry per transaction set, in file
order, plus the validator's findings. 835s become remittances, 999s acknowledgment sets,
277CAs claim statuses, 837s claim summaries, 270s / 276s eligibility / claim status requests,
271s / 277s (005010X212) their answers; other sets are listed with their segment count.

``parse(content, remember=True)`` also keeps, for a while, what it built on the way for the
readers that come after it: the 835s as ``Remittance`` values and the 277 (005010X212)
answers, with the validation report. ``recall(content)`` hands them over once, for exactly
the same bytes (by SHA-256), so the inbox's post and apply jobs do not read a file the inbox
has just read; a file not (or no longer) kept is read again. They are the values
``read_835`` and ``read_277`` build: the same builders on the same validator, over the same
segments. Kept: at most ``REMEMBER_BYTES`` of files (the oldest go first), as what they
build is several times their size, and only until ``forget`` (the end of the inbox's poll).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from revcycle.x12.reader import Delimiters, Reader
from revcycle.x12.validator import ValidationReport, Validator

if TYPE_CHECKING:
    from revcycle.domain.claim_status_inquiry import ClaimStatusResponse
    from revcycle.domain.remittance import Remittance

REMEMBER_BYTES = 8_000_000  # of X12 content; what is built from it is about ten times larger


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
        self.remittances: list[Remittance] = []  # the 835s, as read_835 builds them
        self.status_responses: list[ClaimStatusResponse] = []  # the 277s', as read_277's
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
        from revcycle.x12.mapping.claim_status import ClaimStatusBuilder, response_json
        from revcycle.x12.mapping.remit835 import RemittanceBuilder, remittance_json

        if isinstance(builder, RemittanceBuilder):
            remittance = builder.build()
            self.remittances.append(remittance)
            out = remittance_json(remittance)
        elif isinstance(builder, ClaimStatusBuilder) and builder.kind == "277":
            responses = builder.responses()  # built once: for the JSON and for read_277
            self.status_responses += responses
            out = {"type": "277", "responses": [response_json(r) for r in responses]}
        else:
            out = builder.to_json()
        out["control_number"] = self._control
        self.transactions.append(out)
        self._builder = None


@dataclass(frozen=True)
class Built:
    """What ``read_835`` and ``read_277`` would build from one file, and its report."""

    remittances: tuple[Remittance, ...]
    status_responses: tuple[ClaimStatusResponse, ...]
    report: ValidationReport


_KEPT: dict[str, tuple[int, Built]] = {}  # SHA-256 -> (size of the file, what it built)
_KEPT_LOCK = threading.Lock()


def _keep(content: bytes, built: Built) -> None:
    size = len(content)
    if size > REMEMBER_BYTES:
        return
    key = hashlib.sha256(content).hexdigest()
    with _KEPT_LOCK:
        _KEPT.pop(key, None)
        _KEPT[key] = (size, built)
        total = sum(n for n, _ in _KEPT.values())
        while total > REMEMBER_BYTES:
            total -= _KEPT.pop(next(iter(_KEPT)))[0]


def recall(content: bytes) -> Built | None:
    """What ``parse(content, remember=True)`` built from these very bytes, handed over once
    (None when it was not kept, or was handed over already)."""
    if not _KEPT:
        return None
    key = hashlib.sha256(content).hexdigest()
    with _KEPT_LOCK:
        found = _KEPT.pop(key, None)
    return None if found is None else found[1]


def forget() -> None:
    """Drop everything kept (what no job recalled: the inbox polls again, or a file was not
    applied)."""
    with _KEPT_LOCK:
        _KEPT.clear()


def parse(
    source: str | bytes | Path | IO[str] | IO[bytes],
    *,
    remember: bool = False,
) -> tuple[dict[str, Any], ValidationReport]:
    """Read ``source`` (raises ``NotX12`` only when it is not X12 at all). With ``remember``,
    the 835s and 277s of bytes ``source`` are kept for ``recall``."""
    sink = ParseSink()
    reader = Reader(source)
    report = Validator(sink).run(reader)
    if remember and isinstance(source, bytes) and (sink.remittances or sink.status_responses):
        _keep(source, Built(tuple(sink.remittances), tuple(sink.status_responses), report))
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
