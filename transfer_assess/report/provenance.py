"""
How a document was made: tool version, map digest, reference data, generation time.

Every page of the report and every SCC pack carries this record in its footer, so that a
reader can tell which map and which reference data a document rests on. The generation
time honours ``SOURCE_DATE_EPOCH`` (reproducible-builds.org), so that two runs on the
same inputs produce the same bytes and can be compared.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from transfer_assess.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from transfer_assess.findings import Assessment
    from transfer_assess.model import DataMap


@attrs.frozen
class Provenance:
    """The record printed in every document's footer."""

    tool_version: str
    """Version of transfer-assess."""
    map_sha256: str | None
    """SHA-256 of the map's file (or of a CSV folder's files); ``None`` when the map
    was not read from files."""
    reference_version: str
    """Version of the reference data."""
    reference_sha256: str
    """Digest of the reference data."""
    generated: str
    """Generation time, ISO 8601 in UTC, e.g. ``2026-11-28T09:30:00Z``."""


def generation_time(environ: Mapping[str, str] | None = None) -> datetime:
    """
    Now in UTC, or the time ``SOURCE_DATE_EPOCH`` gives (seconds since 1970, UTC).

    Raises:
        InputError: ``SOURCE_DATE_EPOCH`` is set but not a whole number of seconds.
    """
    environ = os.environ if environ is None else environ
    value = environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return datetime.now(UTC).replace(microsecond=0)
    if not value.isdigit():
        raise InputError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds, got {value!r}"
        )
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, OSError, ValueError):
        raise InputError(f"SOURCE_DATE_EPOCH {value!r} is out of range") from None


def map_sha256(datamap: DataMap) -> str | None:
    """
    SHA-256 of the file the map was read from; for a CSV folder, of its files.

    A folder's digest covers each file's name and bytes, in name order. ``None`` when
    the map has no source on disk (built in memory, or the file is gone).
    """
    if datamap.source is None:
        return None
    path = Path(datamap.source)
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    if path.is_dir():
        digest = hashlib.sha256()
        for item in sorted(path.iterdir()):
            if item.is_file():
                digest.update(item.name.encode("utf-8") + b"\0")
                digest.update(hashlib.sha256(item.read_bytes()).digest())
        return digest.hexdigest()
    return None


def provenance(
    datamap: DataMap,
    assessment: Assessment,
    *,
    environ: Mapping[str, str] | None = None,
) -> Provenance:
    """
    The provenance record of documents made from this map and assessment now.

    Raises:
        InputError: ``SOURCE_DATE_EPOCH`` is malformed.
    """
    from transfer_assess import __version__  # noqa: PLC0415 - resolved lazily there

    moment = generation_time(environ)
    return Provenance(
        tool_version=str(__version__),
        map_sha256=map_sha256(datamap),
        reference_version=assessment.reference_version,
        reference_sha256=assessment.reference_sha256,
        generated=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
