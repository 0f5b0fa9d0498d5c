"""Streaming X12 tokenizer.

Delimiters come from each ISA header: the element separator is the character after "ISA",
the component separator is ISA16, the segment terminator the character after ISA16, and the
repetition separator ISA11 (5010). Input is read in chunks and split with ``str.split`` on the
terminator, then on the element separator, so memory stays flat however big the file is.
Line breaks after terminators are dropped. Several interchanges, each with its own
delimiters, may follow each other.

The reader yields ``list[str]`` segments (element 0 is the segment ID) and never raises on
content: only ``NotX12`` when the input has no usable ISA header at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from revcycle.x12.errors import NotX12

CHUNK = 1 << 20
_BAD_SEPARATORS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ")


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"
    suffix: str = "\n"  # written after each terminator; ignored when reading


def detect(head: str) -> Delimiters:
    """Delimiters from the start of an interchange (``head`` begins with ``ISA``)."""
    if len(head) < 4 or not head.startswith("ISA"):
        raise NotX12("the input does not start with an ISA interchange header")
    ele = head[3]
    if ele in _BAD_SEPARATORS or ele in "\r\n":
        raise NotX12("the ISA element separator is a letter, digit or space")
    parts = head[:400].split(ele, 16)
    if len(parts) < 17 or len(parts[16]) < 2:
        raise NotX12("the ISA header is incomplete")
    comp, term = parts[16][0], parts[16][1]
    if term == "\r" and parts[16][2:3] == "\n":
        term = "\n"  # CR LF terminator: the CR is dropped with line breaks
    if comp == ele or term in (ele, comp) or term in _BAD_SEPARATORS:
        raise NotX12("the ISA separators are not distinct or not usable")
    rep = parts[11]
    if len(rep) != 1 or rep in _BAD_SEPARATORS or rep in (ele, comp, term):
        rep = ""
    return Delimiters(ele, comp, rep, term)


def odd_characters(d: Delimiters) -> Callable[[str], object]:
    """``search`` for a character outside the X12 extended character set (printable ASCII)
    that is not one of the interchange's delimiters."""
    allowed = {d.element, d.component, d.repetition, d.segment, "\r", "\n"}
    ranges = "".join(
        re.escape(chr(c))
        for c in [*range(0x00, 0x20), *range(0x7F, 0x100)]
        if chr(c) not in allowed
    )
    return re.compile(f"[{ranges}]").search


def _chunks(source: str | bytes | Path | IO[str] | IO[bytes]) -> Iterator[str]:
    if isinstance(source, str):
        yield source
        return
    if isinstance(source, bytes):
        yield source.decode("latin-1")
        return
    if isinstance(source, Path):
        with source.open("rb") as fh:
            yield from _chunks(fh)
        return
    while True:
        data = source.read(CHUNK)
        if not data:
            return
        yield data.decode("latin-1") if isinstance(data, bytes) else data


class Reader:
    """Iterate the segments of one X12 stream (a string, bytes, a path or a file object).

    ``delimiters`` is the set in force for the segment last yielded; ``segment_number`` counts
    segments from 1 across the whole stream.
    """

    def __init__(self, source: str | bytes | Path | IO[str] | IO[bytes]) -> None:
        if isinstance(source, bytes):
            source = source.decode("latin-1")
        # the whole text when it was given in memory (the validator recognizes texts it has
        # seen by it); None for files and streams
        self.text: str | None = source if isinstance(source, str) else None
        self._chunks = _chunks(source)
        self.delimiters = Delimiters()
        self.segment_number = 0
        self.trailing_garbage = ""
        # whether the batch last yielded holds characters outside the X12 extended set
        self.odd_characters = False

    def __iter__(self) -> Iterator[list[str]]:
        for batch in self.batches():
            ele = self.delimiters.element
            for piece in batch:
                yield piece.split(ele)

    def raw(self) -> Iterator[str]:
        """The segments as unsplit strings (``delimiters`` tells how to split them)."""
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[str]]:
        """The segments as lists of unsplit strings, one list per chunk read (the fast way:
        no Python-level step per segment). ``delimiters`` holds for the whole batch."""
        chunks = self._chunks
        buf = ""
        for chunk in chunks:
            buf += chunk
            start = buf.lstrip("\ufeff \t\r\n")
            if len(start) >= 200 or not start.startswith("ISA"[: len(start)]):
                buf = start
                break
        else:
            buf = buf.lstrip("\ufeff \t\r\n")
        if not buf.startswith("ISA"):
            raise NotX12("the input does not start with an ISA interchange header")
        while True:
            while len(buf) < 400:
                nxt = next(chunks, None)
                if nxt is None:
                    break
                buf += nxt
            buf = buf.lstrip(" \t\r\n")
            if not buf:
                return
            if not buf.startswith("ISA"):
                idx = buf.find("ISA")
                if idx < 0:
                    self.trailing_garbage += buf[:200]
                    buf = ""
                    continue
                self.trailing_garbage += buf[:idx][:200]
                buf = buf[idx:]
            try:
                buf = yield from self._interchange(buf, chunks)
            except NotX12:
                if self.segment_number == 0:
                    raise
                self.trailing_garbage += buf[:200]
                buf = buf[3:]

    def _interchange(self, buf: str, chunks: Iterator[str]) -> Generator[list[str], None, str]:
        """Yield batches of segments with the delimiters of the ISA at the start of ``buf``;
        return the unread text after the IEA (or ``""`` at the end of input)."""
        d = self.delimiters = detect(buf)
        ele, term = d.element, d.segment
        bad = odd_characters(d)
        strip_breaks = term not in "\r\n"
        iea = term + "IEA" + ele
        while True:
            if strip_breaks and ("\n" in buf or "\r" in buf):
                buf = buf.replace("\r", "").replace("\n", "")
            at = -len(term) if buf.startswith(iea[len(term) :]) else buf.find(iea)
            end = buf.find(term, at + len(iea)) if at >= 0 else -1
            if end >= 0:
                rest = buf[end + len(term) :]
                buf = buf[:end]
            pieces = buf.split(term)
            carry = pieces.pop() if end < 0 else ""
            if not strip_breaks:
                pieces = [p.strip("\r\n") for p in pieces]
            if "" in pieces:
                pieces = [p for p in pieces if p]
            self.segment_number += len(pieces)
            if pieces:
                self.odd_characters = bad(buf) is not None
                yield pieces
            if end >= 0:
                return rest
            nxt = next(chunks, None)
            if nxt is None:
                carry = carry.strip("\r\n \t")
                if carry:
                    self.segment_number += 1
                    yield [carry]
                return ""
            buf = carry + nxt


def read_segments(source: str | bytes | Path | IO[str] | IO[bytes]) -> Iterable[list[str]]:
    """All segments of ``source`` in order (a convenience over ``Reader``)."""
    return Reader(source)
