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

Nothing on disk is trusted: a set is re-hashed against its recorded index before it is
switched to (also one kept from an earlier download, or the previous one on rollback),
and a ``current.json`` that cannot be read, or that names a set that is gone, is an
error saying how to recover, never a silent return to the packaged data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import platformdirs

from transfer_assess.errors import TransferAssessError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

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


_RECOVER = (
    "run 'transfer-assess data update --force' to download a fresh set, or remove "
    "{path} to use the packaged data"
)


def read_pointer(home: Path | None = None) -> Pointer | None:
    """
    The pointer, or ``None`` when nothing was downloaded.

    Raises:
        StoreError: ``current.json`` exists but cannot be read or is not a pointer;
            the message says how to recover.
    """
    path = (home or data_home()) / _POINTER
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise StoreError(
            f"{path} cannot be read ({reason}), so the reference data in use is "
            "unknown; " + _RECOVER.format(path=path)
        ) from None
    try:
        raw: Any = json.loads(text)
    except ValueError:
        raw = None
    current = raw.get("current") if isinstance(raw, dict) else None
    previous = raw.get("previous") if isinstance(raw, dict) else None
    if not isinstance(current, str) or not _is_name(current):
        raise StoreError(
            f"{path} does not name the reference data in use; "
            + _RECOVER.format(path=path)
        )
    return Pointer(
        current, previous if isinstance(previous, str) and _is_name(previous) else None
    )


def _is_name(name: str) -> bool:
    return (
        bool(name) and "/" not in name and "\\" not in name and name not in {".", ".."}
    )


def current_folder(home: Path | None = None) -> Path | None:
    """
    The downloaded set in use, or ``None`` to use the packaged data.

    Raises:
        StoreError: ``current.json`` is unreadable, or the set it names is gone.
    """
    home = home or data_home()
    pointer = read_pointer(home)
    if pointer is None:
        return None
    folder = versions_dir(home) / pointer.current
    if not (folder / "adequacy.json").is_file():
        back = (
            f"run 'transfer-assess data rollback' to go back to {pointer.previous}, or "
            if pointer.previous is not None
            else "run "
        )
        raise StoreError(
            f"the reference data in use, {pointer.current}, is missing from "
            f"{versions_dir(home)}; {back}'transfer-assess data update --force' to "
            "download a fresh set"
        )
    return folder


def check_set(folder: Path) -> list[str]:
    """
    Re-hash the files of a set against the index recorded with it.

    Returns:
        One line per problem; empty when every file matches.
    """
    from transfer_assess.refdata import REFERENCE_FILES  # noqa: PLC0415 - no cycle

    try:
        recorded = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        files = recorded["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return [f"{folder / 'index.json'}: missing or unreadable"]
    problems = []
    for name in REFERENCE_FILES:
        entry = files.get(name) if isinstance(files, dict) else None
        path = folder / name
        if not isinstance(entry, dict):
            problems.append(f"{name}: not in {folder / 'index.json'}")
            continue
        try:
            data = path.read_bytes()
        except OSError:
            problems.append(f"{path}: missing")
            continue
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            problems.append(f"{path}: sha256 differs from the recorded one")
        elif len(data) != entry.get("size"):
            problems.append(f"{path}: size differs from the recorded one")
    return problems


def _checked(home: Path, name: str) -> None:
    """Refuse to switch to a set that is missing or does not match its index."""
    folder = versions_dir(home) / name
    if not (folder / "adequacy.json").is_file():
        raise StoreError(f"no complete reference-data set {name!r} in {home}")
    problems = check_set(folder)
    if problems:
        raise StoreError(
            f"refusing to use the reference-data set {name!r}: it no longer matches "
            "its recorded index (" + "; ".join(problems) + "); run 'transfer-assess "
            "data update --force' to download it again"
        )


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
        StoreError: There is no such complete set, or it does not match its index.
    """
    _checked(home, name)
    try:
        old = read_pointer(home)
    except StoreError:
        old = None
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
    _checked(home, pointer.previous)
    new = Pointer(pointer.previous, pointer.current)
    with filesystem_errors(home):
        _write_pointer(home, new)
    return new


_SET_NAME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:\.([0-9]+))?-[0-9a-f]{12}")


def prune(home: Path, keep: int) -> list[str]:
    """
    Remove downloaded sets but the `keep` newest, the current and the previous one.

    Args:
        home: The data folder.
        keep: How many of the newest sets to keep (at least 1).

    Returns:
        The names of the sets removed, oldest first.

    Raises:
        StoreError: `keep` is below 1, or the folder cannot be changed.
    """
    if keep < 1:
        raise StoreError(f"--keep must be at least 1, got {keep}")
    pointer = read_pointer(home)
    protected = set() if pointer is None else {pointer.current, pointer.previous}
    with filesystem_errors(home):
        folder = versions_dir(home)
        names = sorted(
            (
                (match.group(1), int(match.group(2) or 0), path.name)
                for path in (folder.iterdir() if folder.is_dir() else ())
                if (match := _SET_NAME.fullmatch(path.name)) and path.is_dir()
            ),
        )
        newest = {name for *_, name in names[-keep:]}
        removed = [
            name for *_, name in names if name not in newest and name not in protected
        ]
        for name in removed:
            shutil.rmtree(folder / name)
    return removed


@contextlib.contextmanager
def filesystem_errors(home: Path) -> Iterator[None]:
    """Turn a file-system failure in the data folder into a `StoreError`."""
    try:
        yield
    except OSError as error:
        where = error.filename or home
        raise StoreError(
            f"cannot change the data folder {home}: {where}: "
            f"{error.strerror or error}; the data in use is unchanged"
        ) from None


@contextlib.contextmanager
def staging(home: Path) -> Iterator[Path]:
    """A fresh staging folder inside the data folder, removed unless kept."""
    folder = Path(tempfile.mkdtemp(prefix=".staging-", dir=home))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def keep(home: Path, staged: Path, name: str) -> Path:
    """
    Move a validated staging folder into ``versions/<name>`` (atomic rename).

    A set of that name kept from an earlier download is reused only when it still
    matches its recorded index; otherwise it is replaced by the staged one.
    """
    target = versions_dir(home) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        if not check_set(target):
            shutil.rmtree(staged, ignore_errors=True)
            return target
        spoiled = target.with_name(f".spoiled-{name}")
        shutil.rmtree(spoiled, ignore_errors=True)
        target.rename(spoiled)
        shutil.rmtree(spoiled, ignore_errors=True)
    staged.rename(target)
    return target


def clean_stale(home: Path) -> None:
    """Remove staging folders left by interrupted updates."""
    for folder in home.glob(".staging-*"):
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def locked(home: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """
    Hold the data folder's lock (other updates wait for it).

    Args:
        home: The data folder.
        waiting: Called once when another process holds the lock, before waiting
            for it (so that a waiting update can say so).

    Raises:
        StoreError: The data folder cannot be created or locked.
    """
    with filesystem_errors(home):
        home.mkdir(parents=True, exist_ok=True)
        handle = (home / ".lock").open("a+")
    with handle:
        try:
            import fcntl  # noqa: PLC0415 - POSIX only; elsewhere updates are not locked
        except ImportError:  # pragma: no cover - not on this platform
            yield
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
