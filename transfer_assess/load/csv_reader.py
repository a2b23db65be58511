"""
CSV input: a folder holding ``entities.csv`` and ``flows.csv`` (an inventory export).

Column headers are the keys of the data-map format; list cells are separated by ``;``;
an empty cell means the key is absent. Optional files complete what two flat tables
cannot hold: ``groups.csv`` and ``categories.csv`` (same keys as in YAML) and
``meta.csv`` (columns ``version``, ``organisation``, ``as_of``; one row). Without
``meta.csv`` the organisation is the folder's name and the version is 1.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transfer_assess.load.document import DocPath, Locator, RawDocument, RawProblem
from transfer_assess.load.limits import MAX_NUMBER_CHARS
from transfer_assess.load.validate import (
    CATEGORY_KEYS,
    ENTITY_KEYS,
    FLOW_KEYS,
    GROUP_KEYS,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from transfer_assess.load.limits import Limits

#: Files of a CSV map: top-level key, file name, whether required, allowed columns.
SECTIONS: tuple[tuple[str, str, bool, frozenset[str]], ...] = (
    ("entities", "entities.csv", True, ENTITY_KEYS),
    ("flows", "flows.csv", True, FLOW_KEYS),
    ("groups", "groups.csv", False, GROUP_KEYS),
    ("categories", "categories.csv", False, CATEGORY_KEYS),
)
_META = frozenset({"version", "organisation", "as_of"})
_LISTS = frozenset(
    {
        "certifications",
        "data_subjects",
        "data_categories",
        "special_categories",
        "purposes",
        "measures",
        "origin",
        "bcr",
        "subject_to",
        "scc_adaptations",
    }
)
_INTS = frozenset({"volume", "scc_module", "version"})
_BOOLS = frozenset({"anonymised", "subject_to_gdpr"})
_INT = re.compile(r"[-+]?[0-9]+")


def _cell(column: str, text: str) -> Any:
    """Convert a non-empty cell to the type its column holds, where it parses."""
    if column in _LISTS:
        return [item.strip() for item in text.split(";") if item.strip()]
    if column in _INTS and len(text) <= MAX_NUMBER_CHARS and _INT.fullmatch(text):
        return int(text)
    if column in _BOOLS and text in {"true", "false"}:
        return text == "true"
    return text


def read_csv_folder(
    folder: Path,
    label: str,
    limits: Limits,
    read_text: Callable[[Path, str], str | None],
) -> RawDocument:
    """
    Read a CSV folder into the same shape a YAML or JSON map has.

    Args:
        folder: The folder holding the CSV files.
        label: The folder's name as the user gave it, for messages.
        limits: Size bounds (applied by `read_text`).
        read_text: Reads and decodes one file, reporting problems itself; returns
            ``None`` when the file could not be read.

    Returns:
        The assembled document; problems in any file are in its problems.
    """
    del limits
    document = RawDocument(value={}, file=label)
    value: dict[str, Any] = document.value
    for key, name, required, columns in SECTIONS:
        path = folder / name
        shown = str(Path(label) / name)
        document.section_files[key] = shown
        if not os.path.lexists(path):
            if required:
                document.problems.append(
                    RawProblem(label, (), f"missing {name} (a CSV map needs it)")
                )
                document.fatal = True
            continue
        text = read_text(path, shown)
        if text is None:
            document.fatal = True
            continue
        rows, lines = _read_rows(text, shown, key, columns, document)
        value[key] = rows
        document.locators[shown] = Locator(shown, _row_lines(key, rows, lines))
    meta = folder / "meta.csv"
    if os.path.lexists(meta):
        shown = str(Path(label) / "meta.csv")
        text = read_text(meta, shown)
        if text is None:
            document.fatal = True
        else:
            rows, _ = _read_rows(text, shown, "meta", _META, document)
            if len(rows) != 1:
                document.problems.append(
                    RawProblem(shown, (), "meta.csv must hold exactly one row", 1)
                )
            elif rows:
                value.update(rows[0])
            for key in _META:
                document.section_files[key] = shown
    value.setdefault("version", 1)
    value.setdefault("organisation", folder.resolve().name)
    return document


def _read_rows(
    text: str,
    shown: str,
    section: str,
    columns: frozenset[str],
    document: RawDocument,
) -> tuple[list[dict[str, Any]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    try:
        header = next(reader, None)
        if header is None:
            document.problems.append(RawProblem(shown, (), "empty file: no header", 1))
            return rows, lines
        header = [name.strip() for name in header]
        keep: list[tuple[int, str]] = []
        kept: set[str] = set()
        for index, name in enumerate(header):
            if name in columns or name.startswith("x-"):
                if name in kept:
                    document.problems.append(
                        RawProblem(shown, (section,), f"duplicate column {name!r}", 1)
                    )
                    continue
                kept.add(name)
                keep.append((index, name))
            else:
                document.problems.append(
                    RawProblem(
                        shown,
                        (section,),
                        f"unknown column {name!r}; expected some of "
                        + ", ".join(sorted(columns)),
                        1,
                    )
                )
        line = reader.line_num + 1
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                line = reader.line_num + 1
                continue
            row: dict[str, Any] = {}
            for index, name in keep:
                if index < len(cells) and cells[index].strip():
                    row[name] = _cell(name, cells[index].strip())
            if len(cells) > len(header):
                document.problems.append(
                    RawProblem(
                        shown,
                        (section, len(rows)),
                        f"{len(cells)} cells but only {len(header)} columns",
                        line,
                    )
                )
            rows.append(row)
            lines.append(line)
            line = reader.line_num + 1
    except csv.Error as error:
        document.problems.append(
            RawProblem(shown, (), f"CSV syntax error: {error}", reader.line_num)
        )
        document.fatal = True
    return rows, lines


def _row_lines(
    section: str, rows: list[dict[str, Any]], lines: list[int]
) -> Callable[[], Iterator[tuple[DocPath, int]]]:
    def walk() -> Iterator[tuple[DocPath, int]]:
        yield (section,), 1
        for index, (row, line) in enumerate(zip(rows, lines, strict=True)):
            yield (section, index), line
            for column in row:
                yield (section, index, column), line

    return walk
