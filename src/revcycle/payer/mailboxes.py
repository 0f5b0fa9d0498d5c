"""The clearinghouse side of the submitters' mailboxes: pick up uploads, deliver responses.

One tree serves both transports (the filesystem transport reads it directly, the SFTP server
chroots each login to its folder)::

    <root>/<submitter>/outbound/   written by the submitter (837s); read and removed here
    <root>/<submitter>/inbound/    written here (TA1, 999, 277CA, 835); read and removed
                                   (or moved to archive/) by the submitter
    <root>/<submitter>/archive/    the submitter's acknowledged responses, when it keeps them
    <root>/.received/<submitter>/  uploads this side has taken, kept out of the submitter's reach

Invariants: a file appears under its final name complete or not at all (writers, on both sides,
write a hidden ``.name...`` temporary and rename or link it into place; hidden names are never
listed); :meth:`ClearinghouseMailboxes.take` moves an upload out of ``outbound/`` by rename, so
two workers never both process one upload; :meth:`ClearinghouseMailboxes.deliver` never
replaces a response the submitter has not collected yet.

The layout is the contract with ``revcycle.transport`` (which this package does not import);
``tests/integration/transport`` checks both sides against it.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from revcycle.domain.errors import RevcycleError

OUTBOUND = "outbound"
INBOUND = "inbound"
ARCHIVE = "archive"
RECEIVED = ".received"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
_SUBMITTER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class MailboxError(RevcycleError):
    """The clearinghouse side could not read or write a mailbox."""

    code = "clearinghouse_mailbox_error"


class UploadGone(MailboxError):
    """The upload was taken by another worker (or removed) before this one got it."""

    code = "clearinghouse_upload_gone"


class ResponseWaiting(MailboxError):
    """A response of that name is still waiting in the submitter's inbound folder."""

    code = "clearinghouse_response_waiting"


def _check(pattern: re.Pattern[str], value: str, what: str) -> str:
    if not pattern.fullmatch(value) or ".." in value:
        raise MailboxError(f"not a valid {what}: {value[:80]!r}")
    return value


@dataclass(frozen=True, slots=True)
class Upload:
    """A file a submitter has finished uploading, waiting to be taken."""

    submitter: str
    name: str
    size: int
    uploaded_at: datetime


class ClearinghouseMailboxes:
    """Every submitter's mailbox under ``root``, as the clearinghouse sees them."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def mailbox_dir(self, submitter: str) -> Path:
        """The folder a submitter's login is confined to."""
        return self.root / _check(_SUBMITTER, submitter, "submitter id")

    def register(self, submitter: str) -> Path:
        """Create the submitter's mailbox folders (idempotent); returns the mailbox folder."""
        base = self.mailbox_dir(submitter)
        for folder in (OUTBOUND, INBOUND, ARCHIVE):
            (base / folder).mkdir(parents=True, exist_ok=True)
        return base

    def submitters(self) -> list[str]:
        """Submitters with a mailbox, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if _SUBMITTER.fullmatch(p.name) and (p / OUTBOUND).is_dir()
        )

    def pending_uploads(self, submitter: str | None = None) -> list[Upload]:
        """Finished uploads not taken yet, oldest first (for one submitter, or all)."""
        uploads: list[Upload] = []
        for who in [submitter] if submitter is not None else self.submitters():
            folder = self.mailbox_dir(who) / OUTBOUND
            if not folder.is_dir():
                continue
            with os.scandir(folder) as scan:
                for item in scan:
                    if not _NAME.fullmatch(item.name) or ".." in item.name:
                        continue
                    try:
                        if not item.is_file(follow_symlinks=False):
                            continue
                        stat = item.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue
                    at = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
                    uploads.append(Upload(who, item.name, stat.st_size, at))
        uploads.sort(key=lambda u: (u.uploaded_at, u.submitter, u.name))
        return uploads

    def take(self, upload: Upload) -> bytes:
        """Move the upload out of the submitter's reach and return its bytes.

        The move is one rename, so of two workers taking the same upload one gets
        :class:`UploadGone`. The taken file is kept under ``.received/<submitter>/``.
        """
        source = self.mailbox_dir(upload.submitter) / OUTBOUND / upload.name
        kept = self.root / RECEIVED / upload.submitter
        kept.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%S")
        target = kept / f"{stamp}-{uuid.uuid4().hex[:8]}-{upload.name}"
        try:
            source.rename(target)
        except FileNotFoundError as exc:
            raise UploadGone(f"{upload.submitter}/outbound/{upload.name} is gone") from exc
        return target.read_bytes()

    def deliver(self, submitter: str, name: str, data: bytes) -> None:
        """Place a response in the submitter's ``inbound/``, atomically, never replacing one."""
        _check(_NAME, name, "file name")
        folder = self.register(submitter) / INBOUND
        temp = folder / f".{name}.{uuid.uuid4().hex}.part"
        try:
            with open(temp, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temp, folder / name)
            except FileExistsError as exc:
                raise ResponseWaiting(f"{submitter}/inbound/{name} is still waiting") from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()

    def sweep_partials(self, older_than: timedelta) -> int:
        """Remove hidden temporaries (``.name...``) older than ``older_than`` from every
        ``outbound/`` and ``inbound/``: leftovers of uploads or deliveries cut off midway.
        Returns how many were removed."""
        cutoff = datetime.now(tz=UTC).timestamp() - older_than.total_seconds()
        removed = 0
        for who in self.submitters():
            for folder in (OUTBOUND, INBOUND):
                for path in (self.mailbox_dir(who) / folder).glob(".*"):
                    with contextlib.suppress(FileNotFoundError):
                        if path.is_file() and path.stat().st_mtime < cutoff:
                            path.unlink()
                            removed += 1
        return removed

    def undelivered(self, submitter: str) -> list[str]:
        """Responses the submitter has not collected yet, by name."""
        folder = self.mailbox_dir(submitter) / INBOUND
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if _NAME.fullmatch(p.name))
