"""
The per-user data folder: downloaded reference-data versions and which one is in use.

Layout of the folder (``TRANSFER_ASSESS_DATA_DIR``, else the platform's user data
folder)::

    versions/<version>-<sha12>/   one complete, validated set per folder
    current.json                  {"current": "<folder>", "previous": "<folder>"}
    .lock                         held while an update or rollback runs

A new set is downloaded into a staging folder, validated, renamed into ``versions/``,
and only then made current by replacing ``current.json`` atomically (a temporary file
and a rename). A crash at any moment therefore leaves either the old set or the new
set in use, never a mix. While nothing has been downloaded, the packaged data is used.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import platformdirs

from transfer_assess.errors import TransferAssessError

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Environment variable that overrides the data folder.
DATA_DIR_VARIABLE = "TRANSFER_ASSESS_DATA_DIR"
_POINTER = "current.json"
_VERSIONS = "versions"


class StoreError(TransferAssessError):
    """The data folder cannot be used as asked (nothing to roll back to, …)."""


@attrs.frozen
class Pointer:
    """Which downloaded set is in use, and which one was before it."""

    current: str
    """Folder name under ``versions/``."""
    previous: str | None
    """The set in use before, kept for rollback."""


def data_home() -> Path:
    """The data folder: ``$TRANSFER_ASSESS_DATA_DIR``, else the user data folder."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir("transfer-assess", appauthor=False))


def versions_dir(home: Path) -> Path:
    """Where downloaded sets live."""
    return home / _VERSIONS


def read_pointer(home: Path | None = None) -> Pointer | None:
    """The pointer, or ``None`` when nothing was downloaded (or it is unreadable)."""
    path = (home or data_home()) / _POINTER
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    current = raw.get("current") if isinstance(raw, dict) else None
    previous = raw.get("previous") if isinstance(raw, dict) else None
    if not isinstance(current, str) or not _is_name(current):
        return None
    return Pointer(
        current, previous if isinstance(previous, str) and _is_name(previous) else None
    )


def _is_name(name: str) -> bool:
    return (
        bool(name) and "/" not in name and "\\" not in name and name not in {".", ".."}
    )


def current_folder(home: Path | None = None) -> Path | None:
    """The downloaded set in use, or ``None`` to use the packaged data."""
    home = home or data_home()
    pointer = read_pointer(home)
    if pointer is None:
        return None
    folder = versions_dir(home) / pointer.current
    return folder if (folder / "adequacy.json").is_file() else None


def _write_pointer(home: Path, pointer: Pointer) -> None:
    text = json.dumps(
        {"current": pointer.current, "previous": pointer.previous}, indent=2
    )
    handle, temporary = tempfile.mkstemp(prefix=".current.", dir=home)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(home / _POINTER)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def switch(home: Path, name: str) -> Pointer:
    """
    Make the set ``versions/<name>`` current, keeping the current one as previous.

    Raises:
        StoreError: There is no such complete set.
    """
    if not (versions_dir(home) / name / "adequacy.json").is_file():
        raise StoreError(f"no complete reference-data set {name!r} in {home}")
    old = read_pointer(home)
    previous = old.current if old is not None and old.current != name else None
    if previous is None and old is not None:
        previous = old.previous
    pointer = Pointer(name, previous)
    _write_pointer(home, pointer)
    return pointer


def rollback(home: Path) -> Pointer:
    """
    Go back to the previous set (the current one becomes the previous).

    Raises:
        StoreError: There is no previous set to go back to.
    """
    pointer = read_pointer(home)
    if pointer is None or pointer.previous is None:
        raise StoreError(
            "nothing to roll back to: no previous downloaded reference data is kept"
        )
    if not (versions_dir(home) / pointer.previous / "adequacy.json").is_file():
        raise StoreError(
            f"the previous set {pointer.previous!r} is missing from {home}"
        )
    new = Pointer(pointer.previous, pointer.current)
    _write_pointer(home, new)
    return new


def reset(home: Path) -> None:
    """Stop using downloaded data: the packaged data is used again."""
    (home / _POINTER).unlink(missing_ok=True)


@contextlib.contextmanager
def staging(home: Path) -> Iterator[Path]:
    """A fresh staging folder inside the data folder, removed unless kept."""
    folder = Path(tempfile.mkdtemp(prefix=".staging-", dir=home))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def keep(home: Path, staged: Path, name: str) -> Path:
    """Move a validated staging folder into ``versions/<name>`` (atomic rename)."""
    target = versions_dir(home) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        shutil.rmtree(staged, ignore_errors=True)
        return target
    staged.rename(target)
    return target


def clean_stale(home: Path) -> None:
    """Remove staging folders left by interrupted updates."""
    for folder in home.glob(".staging-*"):
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def locked(home: Path) -> Iterator[None]:
    """Hold the data folder's lock (other updates wait for it)."""
    home.mkdir(parents=True, exist_ok=True)
    with (home / ".lock").open("a+") as handle:
        try:
            import fcntl  # noqa: PLC0415 - POSIX only; elsewhere updates are not locked
        except ImportError:  # pragma: no cover - not on this platform
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
