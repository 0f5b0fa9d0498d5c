"""The embedded default transport: a submitter's mailbox as folders under a local root.

``<root>/<submitter>/{outbound,inbound,archive}`` (see :mod:`revcycle.transport.mailbox`); the
simulator serves the same tree over SFTP, so both transports reach the same files.

A put writes a hidden temporary file, flushes it to disk, then links it into place: the link
fails if the name is taken (no replacing a waiting file), and a reader sees the whole file or
nothing. Acknowledging either removes the file or moves it to ``archive/`` (a suffix keeps an
earlier archived file of the same name).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from revcycle.transport.errors import (
    MailboxFileExists,
    MailboxFileNotFound,
    TransportError,
)
from revcycle.transport.mailbox import (
    ARCHIVE,
    INBOUND,
    OUTBOUND,
    MailboxEntry,
    check_file_name,
    check_submitter,
    is_visible,
)


class FilesystemMailbox:
    """The mailbox of ``submitter`` under ``root``; creates its folders when missing."""

    def __init__(self, root: Path, submitter: str, *, archive: bool = False) -> None:
        self.root = Path(root)
        self.submitter = check_submitter(submitter)
        self.archive = archive
        self._base = self.root / self.submitter
        self._closed = False
        try:
            for folder in (OUTBOUND, INBOUND, ARCHIVE):
                (self._base / folder).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TransportError(f"cannot create mailbox folders under {self._base}") from exc

    def __repr__(self) -> str:
        return f"FilesystemMailbox({str(self.root)!r}, {self.submitter!r})"

    def put(self, name: str, data: bytes) -> None:
        folder = self._folder(OUTBOUND)
        final = folder / check_file_name(name)
        _write_new(folder, final, data)

    def put_many(self, files: Iterable[tuple[str, bytes]], *, concurrency: int = 1) -> None:
        """Put each file in turn; every file is attempted, the first failure raised after."""
        failures: list[TransportError] = []
        for name, data in files:
            try:
                self.put(name, data)
            except TransportError as exc:
                failures.append(exc)
        if failures:
            raise failures[0]

    def list_outbound(self) -> list[MailboxEntry]:
        return _entries(self._folder(OUTBOUND))

    def list_inbound(self) -> list[MailboxEntry]:
        return _entries(self._folder(INBOUND))

    def fetch(self, name: str) -> bytes:
        path = self._folder(INBOUND) / check_file_name(name)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise MailboxFileNotFound(f"inbound/{name} is not in the mailbox") from exc
        except OSError as exc:
            raise TransportError(f"cannot read inbound/{name}") from exc

    def acknowledge(self, name: str) -> None:
        path = self._folder(INBOUND) / check_file_name(name)
        try:
            if not self.archive:
                path.unlink()
                return
            target = self._folder(ARCHIVE) / name
            try:
                os.link(path, target)
            except FileExistsError:
                os.link(path, target.with_name(f"{name}.{uuid.uuid4().hex[:12]}"))
            path.unlink()
        except FileNotFoundError as exc:
            raise MailboxFileNotFound(f"inbound/{name} is not in the mailbox") from exc
        except OSError as exc:
            raise TransportError(f"cannot acknowledge inbound/{name}") from exc

    def close(self) -> None:
        self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _folder(self, name: str) -> Path:
        if self._closed:
            raise TransportError("the mailbox is closed")
        return self._base / name


def _write_new(folder: Path, final: Path, data: bytes) -> None:
    """Write ``data`` to ``final`` all at once or not at all; refuse to replace a file."""
    temp = folder / f".{final.name}.{uuid.uuid4().hex}.part"
    try:
        with open(temp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            # link, unlike rename, fails when the name is taken: a waiting file is never replaced
            os.link(temp, final)
        except FileExistsError as exc:
            raise MailboxFileExists(f"{folder.name}/{final.name} is already waiting") from exc
        _fsync_dir(folder)
    except OSError as exc:
        raise TransportError(f"cannot write {folder.name}/{final.name}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _entries(folder: Path) -> list[MailboxEntry]:
    entries: list[MailboxEntry] = []
    try:
        with os.scandir(folder) as scan:
            for item in scan:
                if not is_visible(item.name) or not item.is_file(follow_symlinks=False):
                    continue
                try:
                    stat = item.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # taken by the other side while we listed
                modified = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
                entries.append(MailboxEntry(item.name, stat.st_size, modified))
    except OSError as exc:
        raise TransportError(f"cannot list {folder.name}/") from exc
    entries.sort(key=lambda e: (e.modified, e.name))
    return entries
