"""Errors raised by the code-set package.

::

    CodeSetError                 code
    ├── MalformedCodeFile        malformed_code_file   (carries the 1-based line number)
    └── UnknownCodeSystem        unknown_code_system

Loaders raise ``MalformedCodeFile`` before returning anything, so a bad file never yields a
half-built table. This package may not import ``revcycle.domain``; callers map these errors
onto the domain tree (both carry a stable ``code``).
"""

from __future__ import annotations


class CodeSetError(Exception):
    """Root of the errors this package raises on purpose."""

    code = "code_set_error"


class MalformedCodeFile(CodeSetError):
    """A code file does not follow its published layout; nothing was loaded."""

    code = "malformed_code_file"

    def __init__(self, line: int, reason: str, source: str = "") -> None:
        self.line = line
        self.reason = reason
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}line {line}: {reason}")


class UnknownCodeSystem(CodeSetError):
    """The caller named a code system this package does not know."""

    code = "unknown_code_system"
