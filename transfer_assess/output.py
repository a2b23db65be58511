"""
Writing output files safely: whole or not at all.

Every file the command line writes goes through `write_atomically` or `write_stream`:
the content goes to a temporary file in the same folder, is flushed to disk and
renamed over the target, so that an interrupted run leaves the old file or the new
one, never half. The new file gets the mode of the file it replaces, else the usual
mode for new files (0666 less the umask).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from collections.abc import Callable


def _mode(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


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
