"""Mutated corpus files never make the X12 engine raise anything but its own errors."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revcycle.x12.acks import build_acks
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.errors import X12Error
from revcycle.x12.parse import parse
from tests.unit.x12.corpus import CORPUS, manifest
from tests.unit.x12.samples import NOW

FILES = sorted(CORPUS / r["file"] for r in manifest())
TEXTS = [f.read_bytes().decode("latin-1") for f in FILES]


def _segments(text: str) -> tuple[list[str], str]:
    term = text[105] if len(text) > 105 and text.startswith("ISA") else "~"
    return text.split(term), term


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    segs, term = _segments(text)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(
            st.sampled_from(["delete", "duplicate", "truncate", "count", "swap", "delims", "bytes"])
        )
        if not segs:
            break
        i = draw(st.integers(0, len(segs) - 1))
        if op == "delete":
            del segs[i]
        elif op == "duplicate":
            segs.insert(i, segs[i])
        elif op == "truncate":
            segs[i] = segs[i][: draw(st.integers(0, len(segs[i])))]
        elif op == "count":
            segs[i] = segs[i].replace("1", "7", 1).replace("0", "", 1)
        elif op == "swap":
            j = draw(st.integers(0, len(segs) - 1))
            segs[i], segs[j] = segs[j], segs[i]
        elif op == "delims":
            old = draw(st.sampled_from(["*", ":", "^", "~"]))
            new = draw(st.sampled_from(["|", "!", "*", ":", "\n", "~", "^"]))
            segs[i] = segs[i].replace(old, new)
        else:
            junk = draw(st.text(max_size=10))
            segs[i] = segs[i][:3] + junk + segs[i][3:]
    out = term.join(segs)
    if draw(st.booleans()):
        out = out[: draw(st.integers(0, len(out)))]
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_never_raise_but_engine_errors(text):
    try:
        data, report = parse(text)
    except X12Error:
        return
    assert isinstance(data["transactions"], list)
    build_acks(report, InMemoryControlNumbers(), NOW)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_but_engine_errors(data):
    with contextlib.suppress(X12Error):
        parse(data)
    with contextlib.suppress(X12Error):
        parse(
            b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*^*00501*000000001*0*T*:~"
            + data
        )


def test_every_corpus_file_is_read_without_an_unhandled_exception():
    for f in FILES:
        data, report = parse(f)
        assert data["transactions"], f
        build_acks(report, InMemoryControlNumbers(), NOW)
