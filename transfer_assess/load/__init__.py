"""
Loading data maps from YAML, JSON or a CSV folder into a validated `DataMap`.

`load_map` is the public entry point. It reads the file (within the size limit),
decodes it as strict UTF-8, parses it with the reader for its format and validates
every rule of the data-map format, raising one `DataMapError` that lists every located
problem when anything is wrong.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from transfer_assess.errors import DataMapError, Problem
from transfer_assess.load.answers import AnswerFiles
from transfer_assess.load.csv_reader import read_csv_folder
from transfer_assess.load.document import RawDocument, RawProblem
from transfer_assess.load.fast import convert, decode_json
from transfer_assess.load.files import UnreadableFileError, read_regular_file
from transfer_assess.load.json_reader import read_json
from transfer_assess.load.limits import Limits
from transfer_assess.load.validate import build_datamap
from transfer_assess.load.yaml_reader import read_yaml

if TYPE_CHECKING:
    from transfer_assess.model import DataMap
    from transfer_assess.refdata import Taxonomy

__all__ = ["Limits", "flow_locations", "load_map", "parse_map"]

_YAML_SUFFIXES = frozenset({".yaml", ".yml"})
_JSON_SUFFIXES = frozenset({".json"})
_WORKBOOK_SUFFIXES = frozenset({".xlsx"})


def _read_workbook(location: Path, label: str, limits: Limits) -> RawDocument:
    """A workbook map, read by the interchange module that holds openpyxl."""
    from transfer_assess.interchange.xlsx import read_workbook  # noqa: PLC0415

    return read_workbook(location, label, limits)


def load_map(
    path: str | os.PathLike[str],
    *,
    limits: Limits | None = None,
    taxonomy: Taxonomy | None = None,
) -> DataMap:
    """
    Load and validate a data map.

    Args:
        path: A ``.yaml``/``.yml`` or ``.json`` file, an Excel workbook
            (``.xlsx``) with a sheet per table, or a folder holding
            ``entities.csv`` and ``flows.csv``.
        limits: Bounds on size, depth, aliases and counts; defaults apply when omitted.
        taxonomy: The built-in category taxonomy; the packaged one when omitted.

    Returns:
        The validated data map.

    Raises:
        DataMapError: The file cannot be read or the map is invalid; its
            ``problems`` list every problem with file, line and path.
    """
    return _load_map(path, limits=limits, taxonomy=taxonomy)


def _load_map(
    path: str | os.PathLike[str],
    *,
    limits: Limits | None = None,
    taxonomy: Taxonomy | None = None,
    fast: bool = True,
) -> DataMap:
    """`load_map`; with `fast` false, every map takes the locating validator."""
    limits = limits or Limits()
    taxonomy = _taxonomy() if taxonomy is None else taxonomy
    label = os.fspath(path)
    location = Path(path)
    if fast and location.suffix.lower() in _JSON_SUFFIXES and not location.is_dir():
        text = _read_text_or_raise(location, label, limits)
        datamap = decode_json(text, taxonomy, limits, label)
        if datamap is not None:
            return datamap
        document = read_json(text, label, limits)
    else:
        document = _read_document(location, label, limits)
        if fast and (datamap := _converted(document, taxonomy, limits, label)):
            return datamap
    folder, shown = (
        (location, label)
        if location.is_dir()
        else (location.parent, str(Path(label).parent))
    )
    answer_files = AnswerFiles(
        folder,
        shown,
        limits,
        document,
        lambda file, name, problems: read_text(file, name, limits, problems),
    )
    return build_datamap(document, taxonomy, limits, label, answer_files)


def _converted(
    document: RawDocument, taxonomy: Taxonomy, limits: Limits, label: str
) -> DataMap | None:
    """A document read without problems, on the fast path (``None``: not there)."""
    if document.fatal or document.problems:
        return None
    return convert(document.value, taxonomy, limits, label)


def _read_document(location: Path, label: str, limits: Limits) -> RawDocument:
    """Read and parse a map file or CSV folder, without validating it."""
    if location.is_dir():
        return read_csv_folder(
            location, label, limits, lambda file, shown: read_text(file, shown, limits)
        )
    suffix = location.suffix.lower()
    if suffix in _WORKBOOK_SUFFIXES:
        return _read_workbook(location, label, limits)
    if suffix not in _YAML_SUFFIXES | _JSON_SUFFIXES:
        raise DataMapError(
            [
                Problem(
                    label,
                    None,
                    "",
                    f"unsupported file type {suffix or '(none)'!r}: expected .yaml, "
                    ".yml, .json, .xlsx or a folder with entities.csv and flows.csv",
                )
            ]
        )
    text = _read_text_or_raise(location, label, limits)
    if suffix in _JSON_SUFFIXES:
        return read_json(text, label, limits)
    return read_yaml(text, label, limits)


def flow_locations(
    path: str | os.PathLike[str], datamap: DataMap, *, limits: Limits | None = None
) -> dict[str, tuple[str, int | None]]:
    """
    Where each flow of a map stands in its file: the file name and the line.

    Args:
        path: The map's file or CSV folder, as given to `load_map`.
        datamap: The map loaded from it (flows in file order).
        limits: The limits it was loaded with.

    Returns:
        For each flow id, the file (for a CSV folder, ``flows.csv``) and the line
        where the flow starts: its first key in YAML, its opening brace in JSON, its
        row in CSV (``None`` where unknown). A workbook is not text: its flows are
        located in the file alone (its messages name the sheet and row instead).
    """
    label = os.fspath(path)
    if Path(path).suffix.lower() in _WORKBOOK_SUFFIXES:
        return {flow.id: (label, None) for flow in datamap.flows}
    document = _read_document(Path(path), label, limits or Limits())
    paths = [("flows", index) for index in range(len(datamap.flows))]
    file = document.file_for(("flows",))
    locator = document.locators.get(file)
    lines = locator.lines(paths) if locator is not None else {}
    return {
        flow.id: (file, lines.get(("flows", index)))
        for index, flow in enumerate(datamap.flows)
    }


def parse_map(
    text: str,
    *,
    file: str = "<string>",
    format: str = "yaml",  # noqa: A002 - the natural name in the public API
    limits: Limits | None = None,
    taxonomy: Taxonomy | None = None,
) -> DataMap:
    """
    Parse and validate a data map held in a string.

    Args:
        text: The document.
        file: The name used in messages.
        format: ``"yaml"`` or ``"json"``.
        limits: Bounds on depth, aliases and counts.
        taxonomy: The built-in category taxonomy; the packaged one when omitted.

    Returns:
        The validated data map.

    Raises:
        DataMapError: The map is invalid.
        ValueError: `format` is neither ``"yaml"`` nor ``"json"``.
    """
    return _parse_map(text, file=file, format=format, limits=limits, taxonomy=taxonomy)


def _parse_map(
    text: str,
    *,
    file: str,
    format: str,  # noqa: A002 - as in parse_map
    limits: Limits | None,
    taxonomy: Taxonomy | None,
    fast: bool = True,
) -> DataMap:
    """`parse_map`; with `fast` false, every map takes the locating validator."""
    limits = limits or Limits()
    taxonomy = _taxonomy() if taxonomy is None else taxonomy
    if format == "yaml":
        document = read_yaml(text, file, limits)
    elif format == "json":
        if fast and (datamap := decode_json(text, taxonomy, limits, file)):
            return datamap
        document = read_json(text, file, limits)
    else:
        raise ValueError(f"unknown format {format!r}; expected 'yaml' or 'json'")
    if fast and format == "yaml":
        datamap = _converted(document, taxonomy, limits, file)
        if datamap is not None:
            return datamap
    return build_datamap(document, taxonomy, limits, file)


def _taxonomy() -> Taxonomy:
    """The packaged taxonomy (imported when first needed)."""
    from transfer_assess.refdata import load_taxonomy  # noqa: PLC0415

    return load_taxonomy()


def _read_text_or_raise(path: Path, label: str, limits: Limits) -> str:
    problems: list[RawProblem] = []
    text = read_text(path, label, limits, problems)
    if text is None:
        raise DataMapError(
            [Problem(item.file, item.line, "", item.message) for item in problems]
        )
    return text


def read_text(
    path: Path, label: str, limits: Limits, problems: list[RawProblem] | None = None
) -> str | None:
    """
    Read a regular file as strict UTF-8 within the size limit.

    See `transfer_assess.load.files.read_regular_file`: a named pipe, a device or a
    link to one is refused without waiting, and the limit holds while reading.

    Problems go to `problems` when given, otherwise they are raised.
    """
    sink: list[RawProblem] = [] if problems is None else problems
    try:
        data = read_regular_file(path, limits.max_bytes)
    except UnreadableFileError as error:
        sink.append(RawProblem(label, (), str(error)))
        return _maybe_raise(sink, problems)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        sink.append(
            RawProblem(
                label,
                (),
                f"invalid UTF-8 (byte 0x{data[error.start]:02x} at offset "
                f"{error.start}); save the file as UTF-8",
                line,
            )
        )
        return _maybe_raise(sink, problems)


def _maybe_raise(
    sink: list[RawProblem], problems: list[RawProblem] | None
) -> str | None:
    if problems is None:
        raise DataMapError(
            [Problem(item.file, item.line, "", item.message) for item in sink]
        )
    return None
