"""Reading helpers shared by the loaders: numbered lines and strict date parsing.

Every loader accepts either a path or an iterable of text lines (so the database layer can feed
rows it stored), and reports problems with 1-based line numbers.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from revcycle.codesets.errors import MalformedCodeFile

Source = str | os.PathLike[str] | Iterable[str]


def source_name(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return ""


def numbered_lines(source: Source) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` without the line terminator.

    A path is read as UTF-8 (with a BOM tolerated) falling back to Latin-1, the encoding of
    several CMS text files.
    """
    if isinstance(source, str | os.PathLike):
        raw = Path(source).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        lines: Iterable[str] = text.splitlines()
    else:
        lines = source
    for number, line in enumerate(lines, start=1):
        yield number, line.rstrip("\r\n")


def numbered_csv(source: Source, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, cells)``; a quoted cell spanning lines is not allowed."""
    for number, line in numbered_lines(source):
        try:
            cells = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error as exc:
            raise MalformedCodeFile(number, f"unreadable CSV: {exc}", source_name(source)) from exc
        yield number, cells


def parse_date(text: str, line: int, field: str, source: str = "") -> date:
    """Parse ``YYYYMMDD``, ``YYYY-MM-DD`` or ``MM/DD/YYYY``; anything else is malformed."""
    value = text.strip()
    try:
        if len(value) == 8 and value.isdigit():
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        if len(value) == 10 and value[4] == "-":
            return date.fromisoformat(value)
        parts = value.split("/")
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            return date(int(parts[2]), int(parts[0]), int(parts[1]))
    except ValueError:
        pass
    raise MalformedCodeFile(line, f"{field}: {value!r} is not a date", source)


def parse_optional_date(text: str, line: int, field: str, source: str = "") -> date | None:
    value = text.strip()
    if value in {"", "*", "0", "00000000"}:
        return None
    return parse_date(value, line, field, source)
