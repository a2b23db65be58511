"""
Writing output files safely: whole or not at all.

Every file the command line writes goes through `write_atomically`: the text is
written to a temporary file in the same folder, flushed to disk and renamed over the
target, so that an interrupted run leaves the old file or the new one, never half.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(target: Path, text: str) -> None:
    """
    Write `text` to `target` atomically (UTF-8).

    Args:
        target: The file to create or replace.
        text: Its new content.

    Raises:
        OSError: The folder is missing or not writable.
    """
    folder = target.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
