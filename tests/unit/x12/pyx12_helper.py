"""Validate text with pyx12 4.0.0 through its Python API (its CLI exit status is meaningless)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pyx12.errors
import pyx12.params
import pyx12.x12n_document


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().splitlines()[0])


def pyx12_errors(text: str, tmp_path: Path) -> list[str]:
    """pyx12's error messages for ``text``; [] means pyx12 found it valid."""
    src = tmp_path / "doc.x12"
    src.write_text(text, encoding="latin-1")
    logger = logging.getLogger("pyx12")
    logger.setLevel(logging.ERROR)
    logger.propagate = False
    saved = list(logger.handlers)
    for h in saved:
        logger.removeHandler(h)
    collect = _Collect()
    logger.addHandler(collect)
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=str(src),
            fd_997=io.StringIO(),
            fd_html=None,
            fd_xmldoc=None,
        )
    except pyx12.errors.EngineError as exc:
        return [f"engine error: {exc}"]
    finally:
        logger.removeHandler(collect)
        for h in saved:
            logger.addHandler(h)
    errors = [m for m in collect.messages if not m.startswith("Failed to create 999")]
    if not ok and not errors:
        errors = ["pyx12 verdict FAIL"]
    return errors
