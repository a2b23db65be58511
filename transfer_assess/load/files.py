"""
Reading untrusted files: regular files only, never past a size limit.

A path given by someone else may name a named pipe (opening it would wait forever
for a writer), a device such as ``/dev/zero`` (endless), or a link to one. The file is
opened without waiting, checked with `fstat` on the open descriptor (so that nothing
can be swapped in between a check and the read), and read no further than one byte
past the limit, so that a file growing while it is read cannot pass it either.
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

_CHUNK = 1024 * 1024


class UnreadableFileError(ValueError):
    """A file that cannot or must not be read; the message says why, in plain words."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """
    The bytes of a regular file of at most `limit` bytes.

    Raises:
        UnreadableFileError: The file is missing, a folder, not a regular file,
            over the limit, or cannot be read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise UnreadableFileError("no such file") from None
    except IsADirectoryError:
        raise UnreadableFileError("is a folder, expected a file") from None
    except OSError as error:
        raise UnreadableFileError(f"cannot read: {error.strerror or error}") from None
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise UnreadableFileError("is a folder, expected a file")
        if not stat.S_ISREG(status.st_mode):
            raise UnreadableFileError(
                f"is not a regular file (a {_kind(status.st_mode)}); only regular "
                "files are read"
            )
        if status.st_size > limit:
            raise UnreadableFileError(
                f"file is {status.st_size:,} bytes, over the limit of {limit:,}"
            )
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(descriptor, min(_CHUNK, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise UnreadableFileError(
                    f"file grew past the limit of {limit:,} bytes while it was read"
                )
        return b"".join(chunks)
    except OSError as error:
        raise UnreadableFileError(f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def _kind(mode: int) -> str:
    """Name the kind of a file that is not a regular file."""
    kinds = (
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISFIFO, "named pipe"),
        (stat.S_ISSOCK, "socket"),
    )
    return next((name for test, name in kinds if test(mode)), "special file")
