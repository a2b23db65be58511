"""
A data map as plain values and as tables: what the CSV and workbook exports write.

`map_document` gives the map in the data-map format (the keys of
``docs/datamap.md``, defaults left out), `map_yaml` the same as YAML text, and
`map_tables` the tables of a CSV folder or a workbook: one per section, with the
section's keys as columns, lists joined with ``;``, and the header as the one-row
table ``meta``. `write_csv_folder` writes those tables as CSV files that `load_map`
reads back into the same map.
"""

from __future__ import annotations

import csv
import enum
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from transfer_assess.load.csv_reader import FORMULA_STARTERS, SECTIONS
from transfer_assess.load.validate import (
    ANSWER_KEY_ORDER,
    ENTITY_KEY_ORDER,
    FLOW_KEY_ORDER,
    HEADER_KEYS,
    REGIME_IDS,
)
from transfer_assess.model import (
    Category,
    DataMap,
    Entity,
    Flow,
    Group,
    ImporterAccess,
    Mechanism,
    Role,
    Sector,
    TiaAnswers,
)
from transfer_assess.output import write_atomically

__all__ = [
    "GROUP_ORDER",
    "TABLE_ORDER",
    "dated_certification",
    "entity_record",
    "flow_record",
    "map_document",
    "map_tables",
    "map_yaml",
    "protect",
    "write_csv_folder",
]

#: The tables of a map, in the order they are written (``meta`` holds the header).
TABLE_ORDER = ("meta", *(key for key, _, _ in SECTIONS))
#: Separator of list items in a cell.
LIST_SEPARATOR = ";"

#: The keys of a group, in the format's order (also the Fides meta record's).
GROUP_ORDER = (
    "id",
    "name",
    "bcr",
    "bcr_approved",
    "bcr_approved_uk",
    "bcr_approved_ch",
)
_CATEGORY_ORDER = ("key", "description", "special")


def _day(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def dated_certification(
    name: str, period: tuple[date | None, date | None] | None
) -> str:
    """A certification in the map's text form, ``type@FROM..UNTIL`` when dated."""
    if period is None:
        return name
    start, until = (day.isoformat() if day else "" for day in period)
    return f"{name}@{start}..{until}"


def _regimes(regimes: frozenset[str]) -> list[str] | None:
    """Regime ids in the engine's order (``EU``, ``UK``, ``CH``), or ``None``."""
    return [regime for regime in REGIME_IDS if regime in regimes] or None


def _group(group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "bcr": [role.value for role in Role if role in group.bcr] or None,
        "bcr_approved": _day(group.bcr_approved),
        "bcr_approved_uk": _day(group.bcr_approved_uk),
        "bcr_approved_ch": _day(group.bcr_approved_ch),
        **group.extensions,
    }


def _category(category: Category) -> dict[str, Any]:
    return {
        "key": category.key,
        "description": category.description,
        "special": None if category.special is None else category.special.value,
        **category.extensions,
    }


def entity_record(entity: Entity) -> dict[str, Any]:
    """Every key of an entity in the format (``None`` where absent or default)."""
    return {
        "id": entity.id,
        "name": entity.name,
        "kind": entity.kind.value,
        "country": entity.country,
        "international_organisation": entity.international_organisation,
        "sector": None if entity.sector is Sector.PRIVATE else entity.sector.value,
        "group": entity.group,
        "certifications": [
            dated_certification(name, entity.certification_periods.get(name))
            for name in entity.certifications
        ]
        or None,
        "subject_to_gdpr": entity.subject_to_gdpr,
        "subject_to": _regimes(entity.subject_to),
        "bcr_accession": _day(entity.bcr_accession),
        "address": entity.address,
        "contact": entity.contact,
        **entity.extensions,
    }


def flow_record(flow: Flow) -> dict[str, Any]:
    """Every key of a flow in the format (``None`` where absent or default)."""
    return {
        "id": flow.id,
        "from": flow.exporter,
        "to": flow.importer,
        "exporter_role": flow.exporter_role.value,
        "importer_role": flow.importer_role.value,
        "data_subjects": list(flow.data_subjects),
        "data_categories": list(flow.data_categories),
        "special_categories": sorted(item.value for item in flow.special_categories)
        or None,
        "purposes": list(flow.purposes),
        "frequency": flow.frequency.value,
        "volume": flow.volume,
        "mechanism": None if flow.mechanism is Mechanism.NONE else flow.mechanism.value,
        "scc_module": flow.scc_module,
        "scc_adaptations": _regimes(flow.scc_adaptations),
        "scc_signed": _day(flow.scc_signed),
        "tia": tia_record(flow),
        "measures": list(flow.measures) or None,
        "importer_access": None
        if flow.importer_access is ImporterAccess.CLEARTEXT
        else flow.importer_access.value,
        "anonymised": flow.anonymised or None,
        "origin": None if flow.origin is None else list(flow.origin),
        "start": _day(flow.start),
        "end": _day(flow.end),
        "legal_basis": None if flow.legal_basis is None else flow.legal_basis.value,
        "nature": flow.nature,
        "retention": flow.retention,
        "description": flow.description,
        **flow.extensions,
    }


def tia_record(flow: Flow) -> Any:
    """A flow's ``tia``: the date alone, or the record with its answers written out."""
    record = flow.tia_record
    if record is None:
        return _day(flow.tia)
    result: dict[str, Any] = {"date": record.date.isoformat()}
    if record.assessor is not None:
        result["assessor"] = record.assessor
    if record.answers is not None:
        result["answers"] = answers_document(record.answers)
    return result


def answers_document(answers: TiaAnswers) -> dict[str, Any]:
    """The importer's answers as plain values, in the documented order."""
    values: dict[str, Any] = {
        "classes": {key: value.value for key, value in answers.classes} or None,
        "reached": {key: value.value for key, value in answers.reached} or None,
        "requests_received": answers.requests_received,
        "requests_years": answers.requests_years,
        "data_form": _value(answers.data_form),
        "keys_held_by": _value(answers.keys_held_by),
        "pseudonymisation_key_in_eea": answers.pseudonymisation_key_in_eea,
        "transit_only": answers.transit_only,
        "remote_access_only": answers.remote_access_only,
        "transfer_years": answers.transfer_years,
        "measures": list(answers.measures) or None,
    }
    return {key: values[key] for key in ANSWER_KEY_ORDER if values[key] is not None}


def _value(member: enum.Enum | None) -> Any:
    return None if member is None else member.value


def _present(record: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """The keys with a value, in the format's order, then the ``x-`` keys."""
    ordered = {key: record[key] for key in order if record.get(key) is not None}
    ordered.update({key: value for key, value in record.items() if key not in order})
    return ordered


def map_document(datamap: DataMap) -> dict[str, Any]:
    """
    A data map as plain values in the data-map format, defaults left out.

    Args:
        datamap: A validated map.

    Returns:
        A mapping that `transfer_assess.parse_map` (as YAML or JSON) reads back into
        an equal map, ``x-`` keys included. Special categories are written out in
        full, those inferred from category keys too.
    """
    header = {
        "version": datamap.version,
        "organisation": datamap.organisation,
        "as_of": _day(datamap.as_of),
        "controller": datamap.controller,
        "dpo": datamap.dpo,
        **datamap.extensions,
    }
    document = _present(header, HEADER_KEYS)
    if datamap.groups:
        document["groups"] = [
            _present(_group(item), GROUP_ORDER) for item in datamap.groups
        ]
    if datamap.categories:
        document["categories"] = [
            _present(_category(item), _CATEGORY_ORDER) for item in datamap.categories
        ]
    document["entities"] = [
        _present(entity_record(item), ENTITY_KEY_ORDER) for item in datamap.entities
    ]
    document["flows"] = [
        _present(flow_record(item), FLOW_KEY_ORDER) for item in datamap.flows
    ]
    return document


def map_yaml(datamap: DataMap) -> str:
    """
    A data map as YAML text in the data-map format (see `map_document`).

    Strings a YAML 1.2 reader would take for numbers, booleans or nulls are quoted.
    """
    from transfer_assess.interchange.fides import dump_yaml  # noqa: PLC0415 - cycle

    return dump_yaml(map_document(datamap))


#: A table: its column names and its rows of cells (text, int, bool or ``None``).
Table = tuple[list[str], list[list[Any]]]


def _table(records: list[dict[str, Any]], order: tuple[str, ...]) -> Table:
    used = {key for record in records for key in record} if records else set(order)
    columns = [key for key in order if key in used]
    columns += [
        key for key in dict.fromkeys(k for r in records for k in r) if key not in order
    ]
    rows = [[_cell(record.get(key)) for key in columns] for record in records]
    return columns, rows


def _cell(value: Any) -> Any:
    """A value as a cell: lists joined, mappings (in ``x-`` keys) as JSON text."""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(
            item if isinstance(item, str) else json.dumps(item) for item in value
        )
    if value is None or isinstance(value, bool | int | str):
        return value
    return json.dumps(value, ensure_ascii=False)


def map_tables(datamap: DataMap) -> dict[str, Table]:
    """
    A data map as the tables of a CSV folder or a workbook.

    Args:
        datamap: A validated map.

    Returns:
        For each table in `TABLE_ORDER` that has rows, its columns and rows. Cells
        hold text, integers, booleans or ``None`` (absent); lists are joined with
        ``;``. ``meta`` holds the header in one row; ``groups`` and ``categories``
        appear only when the map has some.
    """
    document = map_document(datamap)
    header = {key: value for key, value in document.items() if not _is_section(key)}
    orders = {
        "entities": ENTITY_KEY_ORDER,
        "flows": FLOW_KEY_ORDER,
        "groups": GROUP_ORDER,
        "categories": _CATEGORY_ORDER,
    }
    tables = {"meta": _table([header], HEADER_KEYS)}
    for row, flow in zip(document["flows"], datamap.flows, strict=True):
        # A table holds a TIA as its date, with the answer sheet's name.
        if isinstance(row.get("tia"), dict):
            row["tia"] = row["tia"]["date"]
            record = flow.tia_record
            if record is not None:
                row["tia_assessor"] = record.assessor
                row["tia_answers_file"] = record.answers_file
    for key in TABLE_ORDER[1:]:
        if key in document:
            tables[key] = _table(document[key], orders[key])
    return tables


def _is_section(key: str) -> bool:
    return key in {"entities", "flows", "groups", "categories"}


def protect(text: str) -> str:
    """
    A CSV cell made inert in spreadsheets, in a form the CSV reader undoes.

    A cell that a spreadsheet would run as a formula (see `FORMULA_STARTERS`) gets
    a leading apostrophe, as does a cell that already starts with an apostrophe
    before such a character or another apostrophe; the reader removes exactly one.
    """
    if _runs(text) or (text[:1] == "'" and (_runs(text[1:]) or text[1:2] == "'")):
        return f"'{text}"
    return text


def _runs(text: str) -> bool:
    return text[:1] in FORMULA_STARTERS or text.lstrip(" \n")[:1] in FORMULA_STARTERS


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return protect(str(value))


def table_csv(table: Table) -> str:
    """One table as CSV text (comma-separated, CRLF, quoted where needed)."""
    columns, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_text(value) for value in row] for row in rows)
    return buffer.getvalue()


def write_csv_folder(datamap: DataMap, folder: Path) -> list[Path]:
    """
    Write a data map as a CSV folder that `load_map` reads back into the same map.

    Each file is written atomically; the folder is created when missing. Files of
    the folder that the map has no table for (``groups.csv``, ``categories.csv``)
    are removed, so that the folder holds this map alone.

    Args:
        datamap: A validated map.
        folder: The target folder.

    Returns:
        The files written.

    Raises:
        OSError: The folder cannot be created or written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    tables = map_tables(datamap)
    written = []
    for name in TABLE_ORDER:
        path = folder / f"{name}.csv"
        if name in tables:
            write_atomically(path, table_csv(tables[name]))
            written.append(path)
        else:
            path.unlink(missing_ok=True)
    return written
