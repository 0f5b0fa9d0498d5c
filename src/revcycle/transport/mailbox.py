"""The clearinghouse mailbox as one submitter sees it, and the folder layout both sides share.

A mailbox holds three folders, named from the submitter's side::

    outbound/   the submitter writes here (837 batches for the clearinghouse);
                the clearinghouse picks files up and removes them
    inbound/    the clearinghouse writes here (TA1, 999, 277CA, 835 for the submitter);
                the submitter fetches them and acknowledges (removes or archives) each
    archive/    acknowledged inbound files, when the mailbox keeps them

Invariants every implementation keeps:

- ``put`` is atomic: the bytes go to a hidden temporary name (leading dot) in ``outbound/`` and
  are renamed into place, so a reader never sees half a file; names starting with a dot are never
  listed.
- ``put`` never replaces a file still waiting under the same name (:class:`MailboxFileExists`).
- File names are plain names (:func:`check_file_name`); no path ever reaches the other side.

The simulator (``revcycle.payer.mailboxes``) reads the same layout from the clearinghouse side;
an integration test holds the two to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from revcycle.transport.errors import InvalidFileName

OUTBOUND = "outbound"
INBOUND = "inbound"
ARCHIVE = "archive"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
_SUBMITTER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def check_file_name(name: str) -> str:
    """Return ``name`` if it is a plain mailbox file name, else raise :class:`InvalidFileName`.

    Letters, digits, ``.``, ``_`` and ``-``; starting with a letter or digit (a leading dot marks
    a file still being written); at most 200 characters.
    """
    if not _NAME.fullmatch(name) or ".." in name:
        raise InvalidFileName(f"not a plain mailbox file name: {name[:80]!r}")
    return name


def check_submitter(submitter: str) -> str:
    """Return ``submitter`` if it can name a mailbox folder (letters, digits, ``_``, ``-``)."""
    if not _SUBMITTER.fullmatch(submitter):
        raise InvalidFileName(f"not a valid submitter id: {submitter[:80]!r}")
    return submitter


def is_visible(name: str) -> bool:
    """Whether a directory entry is a finished mailbox file (not a temporary or foreign name)."""
    return bool(_NAME.fullmatch(name)) and ".." not in name


@dataclass(frozen=True, slots=True)
class MailboxEntry:
    """One file waiting in a mailbox folder. ``modified`` is UTC, to the second at least."""

    name: str
    size: int
    modified: datetime


@runtime_checkable
class Mailbox(Protocol):
    """A clearinghouse mailbox seen by one submitter. Synchronous; close it when done."""

    def put(self, name: str, data: bytes) -> None:
        """Place ``data`` in ``outbound/`` under ``name``, atomically; never replaces a file."""
        ...

    def put_many(self, files: Iterable[tuple[str, bytes]], *, concurrency: int = 16) -> None:
        """``put`` for several files, pipelined where the transport can; files that made it
        stay put when one fails (the first failure is raised)."""
        ...

    def list_outbound(self) -> list[MailboxEntry]:
        """Outbound files the clearinghouse has not picked up yet, oldest first."""
        ...

    def list_inbound(self) -> list[MailboxEntry]:
        """Response files waiting in ``inbound/``, oldest first (then by name)."""
        ...

    def fetch(self, name: str) -> bytes:
        """The bytes of one inbound file; it stays in place until acknowledged."""
        ...

    def acknowledge(self, name: str) -> None:
        """Take one inbound file out of ``inbound/``: removed, or moved to ``archive/``."""
        ...

    def close(self) -> None:
        """Release connections and threads; the mailbox cannot be used afterwards."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
