"""The validator remembers its runs over in-memory texts: a second run over the same text
returns an equal, independent report and gives its sink the same calls as a fresh run."""

from dataclasses import astuple

import pytest

from revcycle.x12 import validator as validator_module
from revcycle.x12.parse import parse
from revcycle.x12.reader import Delimiters, Reader
from revcycle.x12.validator import ValidationReport, Validator
from tests.unit.x12.corpus import manifest, path

FILES = [r["file"] for r in manifest()][:40]


class ListSink:
    """Notes every call it gets."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def start_set(self, key: str | None, st: list[str], delimiters: Delimiters) -> None:
        self.calls.append(("start", key, list(st), delimiters))

    def segment(self, loop_id: str, els: list[str]) -> None:
        self.calls.append(("segment", loop_id, list(els)))

    def end_set(self) -> None:
        self.calls.append(("end",))


def summary(report: ValidationReport) -> tuple[object, ...]:
    return (
        [astuple(f) for f in report.findings],
        report.errors,
        report.warnings,
        report.segments,
        [
            (ic.isa, ic.delimiters, ic.findings, ic.ta1, g.findings, astuple(s))
            for ic in report.interchanges
            for g in ic.groups
            for s in g.sets
        ],
    )


def fresh(text: str, sink: ListSink | None = None) -> ValidationReport:
    """A run that cannot be a replay: the same text read as a stream."""
    import io

    return Validator(sink).run(Reader(io.StringIO(text)))


@pytest.mark.parametrize("name", FILES)
def test_second_run_over_a_text_equals_a_fresh_run(name):
    text = path(name).read_bytes().decode("latin-1") + " "
    first_sink, second_sink, fresh_sink = ListSink(), ListSink(), ListSink()
    Validator().run(Reader(text))  # recorded without a sink
    first = Validator(first_sink).run(Reader(text))
    assert (text, True) in validator_module._REPLAYS
    second = Validator(second_sink).run(Reader(text))
    expected = fresh(text, fresh_sink)
    assert summary(first) == summary(second) == summary(expected)
    assert first_sink.calls == second_sink.calls == fresh_sink.calls


def test_replayed_reports_are_independent_copies():
    text = path(FILES[0]).read_text(encoding="latin-1") + "  "
    one = Validator().run(Reader(text))
    two = Validator().run(Reader(text))
    assert one is not two and summary(one) == summary(two)
    two.findings.clear()
    two.interchanges.clear()
    three = Validator().run(Reader(text))
    assert summary(three) == summary(one)


def test_findings_of_a_broken_text_are_replayed_with_their_positions():
    good = path(FILES[0]).read_text(encoding="latin-1")
    # an unknown segment, a missing trailer and data after the interchange
    broken = good.replace("~", "~ZZZ*1~", 1).replace("~SE*", "~XX*", 1) + "garbage"
    sink1, sink2 = ListSink(), ListSink()
    first = Validator(sink1).run(Reader(broken))
    second = Validator(sink2).run(Reader(broken))
    assert first.errors > 0
    assert summary(first) == summary(second) == summary(fresh(broken))
    assert sink1.calls == sink2.calls


def test_parse_of_a_validated_text_equals_parse_of_the_file():
    name = next(n for n in FILES if "835" in n)
    text = path(name).read_text(encoding="latin-1")
    Validator().run(Reader(text))
    doc, report = parse(text)
    doc_file, report_file = parse(path(name))
    assert doc == doc_file and summary(report) == summary(report_file)


def test_snip3_off_is_remembered_apart():
    text = path(FILES[0]).read_text(encoding="latin-1") + "   "
    Validator(snip3=False).run(Reader(text))
    assert (text, False) in validator_module._REPLAYS and (text, True) not in (
        validator_module._REPLAYS
    )
