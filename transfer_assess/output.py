"""
Writing output files and folders safely: whole or not at all.

Every file the command line writes goes through `write_atomically` or `write_stream`:
the content goes to a temporary file in the same folder, is flushed to disk and
renamed over the target, so that an interrupted run leaves the old file or the new
one, never half. The new file gets the mode of the file it replaces, else the usual
mode for new files (0666 less the umask).

A report folder goes through `write_folder`: written whole beside its place, then
swapped in, under a lock, replacing an earlier report as a whole and refusing a
folder that holds anything else.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from transfer_assess.errors import TransferAssessError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


def _mode(target: Path, *, directory: bool = False) -> int:
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return (0o777 if directory else 0o666) & ~umask


def write_stream(target: Path, writer: Callable[[TextIO], None]) -> None:
    """
    Write `target` atomically by calling ``writer(stream)`` on a temporary file.

    Args:
        target: The file to create or replace.
        writer: Writes the content (UTF-8 text) to the stream it is given.

    Raises:
        OSError: The folder is missing or not writable.
    """
    folder = target.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            writer(stream)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).chmod(_mode(target))
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomically(target: Path, text: str) -> None:
    """
    Write `text` to `target` atomically (UTF-8).

    Raises:
        OSError: The folder is missing or not writable.
    """

    def writer(stream: TextIO) -> None:
        stream.write(text)

    write_stream(target, writer)


class OutputError(TransferAssessError, ValueError):
    """An output folder cannot be written as asked; nothing was changed."""


#: Names a report folder holds: the index and the transfer pages.
_REPORT_NAME = re.compile(
    r"index\.(?:html|md)|report\.docx"
    r"|transfer-[0-9]{4,}-[A-Za-z0-9._-]+\.(?:html|md)"
)


def is_report_folder(folder: Path) -> bool:
    """
    Whether a folder holds nothing but an earlier transfer-assess report.

    That is: an index page, and only regular files with the names a report is
    written with (no subfolders, links or files of anyone else's).
    """
    with os.scandir(folder) as scan:
        entries = list(scan)
    names = {entry.name for entry in entries}
    if not names & {"index.html", "index.md", "report.docx"}:
        return False
    return all(
        entry.is_file(follow_symlinks=False) and _REPORT_NAME.fullmatch(entry.name)
        for entry in entries
    )


#: What a file of a report folder holds: its text, its bytes, or its text in pieces
#: (an iterable of strings, written as they come, so that a large page is never whole
#: in memory).
FileContent = str | bytes | Iterable[str]


def write_folder(
    files: Mapping[str, FileContent] | Iterable[tuple[str, FileContent]],
    folder: Path,
) -> list[Path]:
    """
    Write a folder of files as one piece, replacing an earlier one as a whole.

    The files go to a new folder beside `folder`, one at a time as `files` yields
    them, so that a report of any size is never whole in memory; then all of them
    are flushed to disk in one pass (`_flush`), and only then is the earlier folder
    moved aside and the new one renamed into its place, and the earlier one removed.
    A failure at any point before the swap (a bad name, a full disk, an error raised
    by whatever produces the files) leaves the earlier folder exactly as it was and
    no new folder behind, and a crash between the two renames is repaired by the
    next run (the earlier folder is moved back). A lock on the parent folder keeps
    two writers apart: the second waits, then replaces the first's folder whole, so
    that pages of two runs never mix.

    Args:
        files: File names (plain names, no folders) and their content, as a mapping
            or as an iterable of pairs (read once, lazily).
        folder: The folder to create or replace.

    Returns:
        The paths written, in name order.

    Raises:
        OutputError: `folder` is a link or a file, or a non-empty folder that is not
            an earlier report; or a name would leave the folder, or comes twice.
        OSError: The parent folder is not writable (disk full, read-only, ...).
    """
    if isinstance(files, Mapping):
        # Every name is known at once: refuse a bad one before touching anything.
        for name in files:
            _check_name(name, folder, set())
        items: Iterable[tuple[str, FileContent]] = sorted(files.items())
    else:
        items = files
    folder = Path(os.path.abspath(folder))  # noqa: PTH100 - keep a final link as is
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    names: set[str] = set()
    with _folder_lock(parent):
        _recover(folder)
        _check_target(folder)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=parent))
        try:
            for name, content in items:
                _check_name(name, folder, names)
                names.add(name)
                _write_file(staging / name, content)
            _flush(staging, names)
            staging.chmod(_mode(folder, directory=True))
            _fsync_folder(staging)
            _swap(staging, folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _fsync_folder(parent)
    return [folder / name for name in sorted(names)]


def _check_name(name: str, folder: Path, written: set[str]) -> None:
    """Refuse a file name that is not a plain name inside the folder, or comes twice."""
    if not name or name in {".", ".."} or "/" in name or "\\" in name:
        raise OutputError(f"refusing to write {name!r} outside {folder}")
    if name in written:
        raise OutputError(f"refusing to write {name!r} twice in {folder}")


def _check_target(folder: Path) -> None:
    if folder.is_symlink():
        raise OutputError(f"{folder} is a symbolic link; give the real folder")
    if not folder.exists():
        return
    if not folder.is_dir():
        raise OutputError(f"{folder} exists and is not a folder")
    with os.scandir(folder) as entries:
        empty = next(entries, None) is None
    if not empty and not is_report_folder(folder):
        raise OutputError(
            f"{folder} is not empty and does not hold an earlier transfer-assess "
            "report; choose a new or empty folder (nothing was written)"
        )


def _write_file(target: Path, content: FileContent) -> None:
    """
    Write one new file (never through a link), not yet flushed to disk.

    Text given in pieces is encoded and written piece by piece through the file's
    buffer; `_flush` makes every file of the folder durable before the swap.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(target, flags, 0o666)
    if isinstance(content, bytes | str):
        data = content.encode("utf-8") if isinstance(content, str) else content
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        return
    # Many small pieces: the text layer gathers them into large writes.
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as text:
        text.writelines(content)


def _flush(staging: Path, names: Iterable[str]) -> None:
    """
    Flush every file written to the staging folder to disk, with one call if possible.

    The files were written without waiting for the disk. On Linux one ``syncfs``
    call then flushes the whole file system the folder is on, every file of the
    report with it, and waits for the disk: several times faster than an ``fsync``
    per file, which waits for the disk once per file (measured in
    docs/performance.md, "Report folders"). Where ``syncfs`` is missing or fails,
    each file is opened again and flushed with ``fsync``, one after the other.
    """
    descriptor = os.open(staging, os.O_RDONLY)
    try:
        if _syncfs(descriptor):
            return
    finally:
        os.close(descriptor)
    for name in names:
        descriptor = os.open(staging / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _syncfs(descriptor: int) -> bool:
    """Flush the file system holding an open folder (Linux ``syncfs``); whether done."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # noqa: PLC0415 - only when a report folder is written

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.syncfs(descriptor) == 0)
    except (OSError, AttributeError):  # pragma: no cover - a C library without it
        return False


def _swap(staging: Path, folder: Path) -> None:
    """Put `staging` in the place of `folder`, moving an earlier one aside first."""
    if not folder.exists():
        staging.rename(folder)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
    aside.rmdir()
    folder.rename(aside)
    try:
        staging.rename(folder)
    except BaseException:
        aside.rename(folder)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _recover(folder: Path) -> None:
    """Repair what a run killed mid-swap left: restore the earlier folder, tidy up."""
    parent = folder.parent
    asides = sorted(parent.glob(f".{glob.escape(folder.name)}.old-*"))
    if asides and not folder.exists() and not folder.is_symlink():
        asides.pop().rename(folder)
    for leftover in [*asides, *parent.glob(f".{glob.escape(folder.name)}.new-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


@contextlib.contextmanager
def _folder_lock(parent: Path) -> Iterator[None]:
    """An exclusive lock on a folder (POSIX; elsewhere writers are not locked)."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only
    except ImportError:  # pragma: no cover - not on this platform
        yield
        return
    descriptor = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk, where the platform allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - not on this platform
        return
    try:
        os.fsync(descriptor)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(descriptor)


def write_bytes_atomically(target: Path, data: bytes) -> None:
    """
    Write `data` to `target` atomically (for binary formats such as workbooks).

    Raises:
        OSError: The folder is missing or not writable.
    """

    def writer(stream: TextIO) -> None:
        stream.flush()
        stream.buffer.write(data)

    write_stream(target, writer)
