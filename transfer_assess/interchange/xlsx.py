"""
Excel workbooks (.xlsx): a data map read from one, and written as one.

A workbook map has one sheet per table of a CSV folder, named after it
(``entities``, ``flows``, and optionally ``groups``, ``categories`` and ``meta``),
with the same columns; `read_workbook` hands the sheets to the CSV folder's table
reader, so every rule of the CSV form applies. Cells that a spreadsheet typed are
turned into the text the CSV form expects: booleans into ``true``/``false``, whole
numbers into digits, dates into ISO dates. Only this module imports openpyxl.

Workbooks are zip archives of XML: the file size limit applies to the archive and
to the sum of its members' uncompressed sizes, the XML is parsed by openpyxl with
defusedxml (no entity expansion), formulas are never evaluated (their last computed
value is read, as Excel saved it), and `write_workbook` stores every text cell as
text, so that a name starting with ``=`` is never a formula.
"""

from __future__ import annotations

import io
import os
import re
import warnings
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from transfer_assess.load.csv_reader import read_tables
from transfer_assess.load.document import RawDocument, RawProblem

if TYPE_CHECKING:
    from collections.abc import Iterator

    from transfer_assess.load.limits import Limits
    from transfer_assess.model import DataMap

__all__ = ["read_workbook", "workbook_bytes", "write_workbook"]

#: What a damaged or hostile workbook raises while openpyxl reads it: broken XML
#: (``ParseError``), refused entities (defusedxml's errors are ``ValueError``),
#: missing parts (``KeyError``), wrong values and structures, a broken archive.
_BROKEN = (
    ParseError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    EOFError,
    zipfile.BadZipFile,
    InvalidFileException,
)
#: Written in place of characters a workbook cannot hold (XML control characters).
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
#: Characters XML 1.0 cannot hold: C0 controls other than tab and line breaks, and
#: the non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def read_workbook(path: Path, label: str, limits: Limits) -> RawDocument:
    """
    Read a workbook map into the same shape a YAML or JSON map has.

    Args:
        path: The ``.xlsx`` file.
        label: Its name as the user gave it, for messages.
        limits: Size bounds: `Limits.max_bytes` caps the file and its unpacked XML.

    Returns:
        The assembled document; problems are in its problems. Messages name the
        sheet (``map.xlsx:flows``) and the row as the line.
    """
    document = RawDocument(value={}, file=label)
    with warnings.catch_warnings():
        # openpyxl warns about Excel features it does not read (data validation,
        # conditional formatting); they do not matter for a map.
        warnings.simplefilter("ignore")
        try:
            _read_sheets(path, label, limits, document)
        except _BROKEN as error:
            document.problems = [
                RawProblem(label, (), f"not a readable Excel workbook (.xlsx): {error}")
            ]
            document.fatal = True
    document.value.setdefault("organisation", Path(label).stem)
    return document


def _read_sheets(path: Path, label: str, limits: Limits, document: RawDocument) -> None:
    """Fill `document` from the workbook's sheets (may raise a `_BROKEN` error)."""
    workbook = _open(path, label, limits, document)
    if workbook is None:
        document.fatal = True
        return
    try:
        sheets = {sheet.title.strip().lower(): sheet for sheet in workbook.worksheets}

        def open_table(
            name: str, columns: frozenset[str]
        ) -> tuple[str, Iterator[tuple[int, list[str]]]] | None:
            del columns
            sheet = sheets.get(name)
            if sheet is None:
                return None
            return f"{label}:{sheet.title}", _rows(sheet)

        read_tables(
            document,
            open_table,
            lambda name: f"no sheet named {name!r} (a workbook map needs it)",
        )
    finally:
        workbook.close()


def _open(path: Path, label: str, limits: Limits, document: RawDocument) -> Any | None:
    """The workbook, or ``None`` with the reason in the document's problems."""
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            document.problems.append(
                RawProblem(
                    label,
                    (),
                    f"file is {size:,} bytes, over the limit of {limits.max_bytes:,}",
                )
            )
            return None
        data = path.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
        if unpacked > limits.max_bytes:
            document.problems.append(
                RawProblem(
                    label,
                    (),
                    f"workbook unpacks to {unpacked:,} bytes, over the limit of "
                    f"{limits.max_bytes:,}",
                )
            )
            return None
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except FileNotFoundError:
        message = "no such file"
    except IsADirectoryError:
        message = "is a folder, expected a file"
    except OSError as error:
        message = f"cannot read: {error.strerror or error}"
    except zipfile.BadZipFile as error:
        message = f"not an Excel workbook (.xlsx): {error}"
    document.problems.append(RawProblem(label, (), message))
    return None


def _rows(sheet: Any) -> Iterator[tuple[int, list[str]]]:
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, [_text(value) for value in values]


def _text(value: Any) -> str:
    """A typed cell as the text the CSV form expects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def workbook_bytes(datamap: DataMap) -> bytes:
    """
    A data map as an Excel workbook that `read_workbook` reads back into the same map.

    One sheet per table (`transfer_assess.interchange.tables.map_tables`), the header
    row in bold and frozen; integers and booleans as numbers and booleans, every
    other cell as text (never a formula). Characters a workbook cannot hold (XML
    control characters, U+FFFE, U+FFFF) are written as U+FFFD.

    Args:
        datamap: A validated map.

    Returns:
        The ``.xlsx`` file's bytes.
    """
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 - only when writing
    from openpyxl.styles import Font  # noqa: PLC0415

    from transfer_assess.interchange.tables import map_tables  # noqa: PLC0415

    # Write-only mode streams rows: memory and time stay linear in the map's size.
    workbook = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    for name, (columns, rows) in map_tables(datamap).items():
        sheet = workbook.create_sheet(name)
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(WriteOnlyCell, sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(make: Any, sheet: Any, value: Any) -> Any:
    """A cell to write: text always as text, even when it starts with ``=``."""
    if not isinstance(value, str):
        return value
    cell = make(sheet, value=_NOT_XML.sub(REPLACEMENT, value))
    cell.data_type = "s"
    return cell


def write_workbook(datamap: DataMap, target: Path) -> None:
    """
    Write a data map as an Excel workbook (atomically; see `workbook_bytes`).

    Raises:
        OSError: The folder is missing or not writable.
    """
    from transfer_assess.output import write_bytes_atomically  # noqa: PLC0415

    write_bytes_atomically(Path(os.fspath(target)), workbook_bytes(datamap))
