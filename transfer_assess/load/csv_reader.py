"""
CSV input: a folder holding ``entities.csv`` and ``flows.csv`` (an inventory export).

Column headers are the keys of the data-map format; list cells are separated by ``;``;
an empty cell means the key is absent. Optional files complete what two flat tables
cannot hold: ``groups.csv`` and ``categories.csv`` (same keys as in YAML) and
``meta.csv`` (the header: ``version``, ``organisation``, ``as_of``, ``controller``,
``dpo``; one row). Without ``meta.csv`` the organisation is the folder's name and the
version is 1. The delimiter of each file is detected from its header; Excel workbooks
(`transfer_assess.interchange.xlsx`) go through the same table reader, `read_tables`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transfer_assess.load.document import (
    REFUSED,
    DocPath,
    Locator,
    RawDocument,
    RawProblem,
)
from transfer_assess.load.limits import MAX_NUMBER_CHARS
from transfer_assess.load.validate import (
    CATEGORY_KEYS,
    ENTITY_KEYS,
    FLOW_KEYS,
    GROUP_KEYS,
    HEADER_KEYS,
)

if TYPE_CHECKING:
    from transfer_assess.load.limits import Limits

#: The columns of a flows table that hold a TIA record's assessor and answer sheet.
TIA_COLUMNS = frozenset({"tia_assessor", "tia_answers_file"})
#: Tables of a map (CSV files, workbook sheets): top-level key, whether required,
#: allowed columns. The header is the table ``meta``.
SECTIONS: tuple[tuple[str, bool, frozenset[str]], ...] = (
    ("entities", True, ENTITY_KEYS),
    ("flows", True, FLOW_KEYS | TIA_COLUMNS),
    ("groups", False, GROUP_KEYS),
    ("categories", False, CATEGORY_KEYS),
)
_META = frozenset(HEADER_KEYS)
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
# What spreadsheets make of numbers: 2.0 for a whole number (its meaning is certain),
# 1.2E+06 when the column is too narrow, 1,200,000 with thousands separators.
_WHOLE_FLOAT = re.compile(r"([-+]?[0-9]+)\.0+")
_SCIENTIFIC = re.compile(r"[-+]?[0-9]+(?:[.,][0-9]+)?[eE][-+]?[0-9]+")
_GROUPED = re.compile(r"[-+]?[0-9]{1,3}(?:([,.' ])[0-9]{3})+")
_DELIMITERS = (",", ";", "\t")
#: First characters that make a spreadsheet read a cell as a formula (OWASP: ``=``,
#: ``+``, ``-``, ``@``, tab, carriage return; also their full-width forms, which some
#: spreadsheets fold to the ASCII ones).
FORMULA_STARTERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def _unprotected(text: str) -> str:
    """
    A cell without the apostrophe that protects it in spreadsheets.

    Exports put an apostrophe before a cell a spreadsheet would run as a formula (and
    before an apostrophe that precedes one); exactly one is removed here.
    """
    if text[:1] != "'":
        return text
    rest = text[1:]
    if (
        rest[:1] in FORMULA_STARTERS
        or rest.lstrip(" \n")[:1] in FORMULA_STARTERS
        or rest[:1] == "'"
    ):
        return rest
    return text


def _cell(column: str, text: str) -> Any:
    """
    Convert a non-empty cell to the type its column holds, where it parses.

    Spreadsheets' forms are accepted where their meaning is certain: ``TRUE`` and
    ``FALSE`` in any case, and whole numbers written ``2.0``.
    """
    if column in _LISTS:
        return [item.strip() for item in text.split(";") if item.strip()]
    if column in _INTS and len(text) <= MAX_NUMBER_CHARS:
        if _INT.fullmatch(text):
            return int(text)
        if whole := _WHOLE_FLOAT.fullmatch(text):
            return int(whole.group(1))
    if column in _BOOLS and text.lower() in {"true", "false"}:
        return text.lower() == "true"
    return text


def _spreadsheet_problem(column: str, value: Any) -> str | None:
    """A message for a number a spreadsheet garbled, where the meaning is uncertain."""
    if column not in _INTS or not isinstance(value, str):
        return None
    if _SCIENTIFIC.fullmatch(value):
        return (
            f"expected an integer, got {value!r} in scientific notation, which a "
            "spreadsheet may have rounded; format the column as a number without "
            "decimals (or as text) and save again"
        )
    if _GROUPED.fullmatch(value):
        digits = re.sub(r"[,.' ]", "", value)
        return (
            f"expected an integer, got {value!r} with digit grouping; write digits "
            f"only, such as {digits}"
        )
    return None


#: Opens one table of a map by section name (``entities``, ..., ``meta``): ``None``
#: when the map has no such table; else the name shown in messages and its rows as
#: ``(line, cells)``, or ``None`` for the rows when the table could not be read (the
#: opener reported why).
TableOpener = Callable[
    [str, frozenset[str]], tuple[str, Iterable[tuple[int, list[str]]] | None] | None
]


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

    def open_table(
        name: str, columns: frozenset[str]
    ) -> tuple[str, Iterable[tuple[int, list[str]]] | None] | None:
        path = folder / f"{name}.csv"
        # lexists: a link or a special file is refused by read_text with its
        # reason, not taken for a missing table.
        if not os.path.lexists(path):
            return None
        shown = str(Path(label) / f"{name}.csv")
        text = read_text(path, shown)
        if text is None:
            return shown, None
        return shown, _csv_rows(text, shown, columns, document)

    read_tables(
        document, open_table, lambda name: f"missing {name}.csv (a CSV map needs it)"
    )
    document.value.setdefault("organisation", folder.resolve().name)
    return document


def read_tables(
    document: RawDocument, open_table: TableOpener, missing: Callable[[str], str]
) -> None:
    """
    Fill `document` from the tables of a map (CSV files or workbook sheets).

    Args:
        document: The document to fill; its value is a mapping.
        open_table: Opens a table by section name.
        missing: The message for a required table that is absent.
    """
    value: dict[str, Any] = document.value
    for key, required, columns in SECTIONS:
        opened = open_table(key, columns)
        if opened is None:
            document.section_files[key] = document.file
            if required:
                document.problems.append(RawProblem(document.file, (), missing(key)))
                document.fatal = True
            continue
        shown, cells = opened
        document.section_files[key] = shown
        if cells is None:
            document.fatal = True
            continue
        rows, lines = read_table(cells, shown, key, columns, document)
        if key == "flows":
            _tia_records(rows)
        value[key] = rows
        document.locators[shown] = Locator(shown, _row_lines(key, rows, lines))
    opened = open_table("meta", _META)
    if opened is not None:
        shown, cells = opened
        if cells is None:
            document.fatal = True
        else:
            rows, _ = read_table(cells, shown, "meta", _META, document)
            if len(rows) != 1:
                document.problems.append(
                    RawProblem(shown, (), "must hold exactly one row (the header)", 1)
                )
            elif rows:
                value.update(rows[0])
            for key in _META:
                document.section_files[key] = shown
    value.setdefault("version", 1)


def _tia_records(rows: list[dict[str, Any]]) -> None:
    """
    Turn a row's ``tia``, ``tia_assessor`` and ``tia_answers_file`` into a record.

    A table holds a TIA as a date, or as a date with its assessor and answer
    sheet: the record form's answers cannot be cells.
    """
    for row in rows:
        name = row.pop("tia_answers_file", None)
        assessor = row.pop("tia_assessor", None)
        if name is not None or assessor is not None:
            record = {"date": row.get("tia"), "assessor": assessor}
            if name is not None:
                record["answers_file"] = name
            row["tia"] = record


def _csv_rows(
    text: str, shown: str, columns: frozenset[str], document: RawDocument
) -> Iterator[tuple[int, list[str]]]:
    """The rows of a CSV text with the line each starts on, in its delimiter."""
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=_delimiter(text, columns),
        strict=True,
    )
    line = 1
    try:
        for cells in reader:
            yield line, [_unprotected(cell.strip()) for cell in cells]
            line = reader.line_num + 1
    except csv.Error as error:
        document.problems.append(
            RawProblem(shown, (), f"CSV syntax error: {error}", reader.line_num)
        )
        document.fatal = True


def _delimiter(text: str, columns: frozenset[str]) -> str:
    """
    The delimiter whose split of the first line names the most known columns.

    Spreadsheets save CSV with ``;`` where the decimal separator is a comma (much
    of Europe) and with tabs as "text" files; a comma wins a tie.
    """
    first = text.split("\n", 1)[0]

    def known(delimiter: str) -> int:
        try:
            header = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:
            return 0
        names = [name.strip() for name in header]
        return sum(1 for name in names if name in columns or name.startswith("x-"))

    return max(_DELIMITERS, key=known)


def read_table(
    cells: Iterable[tuple[int, list[str]]],
    shown: str,
    section: str,
    columns: frozenset[str],
    document: RawDocument,
) -> tuple[list[dict[str, Any]], list[int]]:
    """
    Read the rows of one table (header first) into mappings, reporting problems.

    Args:
        cells: The rows as ``(line, cells)``.
        shown: The table's name in messages.
        section: The top-level key the rows belong to.
        columns: The allowed column names.
        document: Where problems go.

    Returns:
        The rows as mappings (keys absent for empty cells) and the line of each.
    """
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    iterator = iter(cells)
    first = next(iterator, None)
    if first is None:
        document.problems.append(RawProblem(shown, (), "empty file: no header", 1))
        return rows, lines
    # Spreadsheets leave empty cells at the end of rows (and of the header).
    header = _trimmed([name.strip() for name in first[1]])
    keep = _columns(header, shown, section, columns, document)
    if keep is None:
        return rows, lines
    for line, row_cells in iterator:
        if not any(cell.strip() for cell in row_cells):
            continue
        row: dict[str, Any] = {}
        for index, name in keep:
            if index < len(row_cells) and row_cells[index].strip():
                value = _cell(name, row_cells[index].strip())
                hint = _spreadsheet_problem(name, value)
                if hint is not None:
                    document.problems.append(
                        RawProblem(shown, (section, len(rows), name), hint, line)
                    )
                    value = REFUSED
                row[name] = value
        if (count := len(_trimmed(row_cells))) > len(header):
            document.problems.append(
                RawProblem(
                    shown,
                    (section, len(rows)),
                    f"{count} cells but only {len(header)} columns",
                    line,
                )
            )
        rows.append(row)
        lines.append(line)
    return rows, lines


def _trimmed(cells: list[str]) -> list[str]:
    """The cells without the empty ones at the end."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _columns(
    header: list[str],
    shown: str,
    section: str,
    columns: frozenset[str],
    document: RawDocument,
) -> list[tuple[int, str]] | None:
    """The known columns of a header by index; ``None`` when it names none at all."""
    keep: list[tuple[int, str]] = []
    kept: set[str] = set()
    unknown: list[str] = []
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
            unknown.append(name)
    expected = "expected some of " + ", ".join(sorted(columns))
    if not keep and any(name for name in header):
        # One line for a header that is all wrong (another delimiter, another
        # table), instead of one per column and per row.
        document.problems.append(
            RawProblem(
                shown,
                (section,),
                f"the header names no known column (read with ',', ';' and tab as "
                f"delimiters; first cell {header[0][:60]!r}); {expected}",
                1,
            )
        )
        document.fatal = True
        return None
    document.problems.extend(
        RawProblem(shown, (section,), f"unknown column {name!r}; {expected}", 1)
        for name in unknown
    )
    return keep


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
