"""
The transfers part of a record of processing activities (GDPR Art. 30(1)(e)) as CSV.

One row per flow that exists on the assessment date, in the map's order: who sends
what about whom to which recipient, for which purposes, whether it is a transfer to a
third country or an international organisation, the transfer tool it rests on, the
safeguards in place and what the assessment asks to do. Spreadsheets run cells that
start with a formula character, so every such cell is neutralised with a leading
apostrophe, as the OWASP guidance on CSV injection advises.
"""

from __future__ import annotations

import csv
import functools
import io

import pycountry

from transfer_assess.findings import Assessment, Basis, Finding
from transfer_assess.model import DataMap, Entity, Flow

__all__ = ["FORMULA_STARTERS", "ROPA_COLUMNS", "neutralise", "ropa_csv"]

#: The header row, in column order.
ROPA_COLUMNS = (
    "Flow",
    "Exporter",
    "Importer",
    "Recipient country or international organisation",
    "Purposes",
    "Data subjects",
    "Data categories",
    "Transfer to a third country",
    "Transfer tool",
    "Safeguards",
    "Status",
    "First recommendation",
)

#: First characters that make a spreadsheet read a cell as a formula (OWASP: ``=``,
#: ``+``, ``-``, ``@``, tab, carriage return; also their full-width forms, which some
#: spreadsheets fold to the ASCII ones).
FORMULA_STARTERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")

_SEPARATOR = "; "


def neutralise(cell: str) -> str:
    """
    Make a cell inert in spreadsheets.

    A cell whose first character, or first character after leading spaces and line
    breaks, starts a formula gets a leading apostrophe, which spreadsheets take as
    "this is text" and do not show.

    Args:
        cell: The cell's text.

    Returns:
        The text to write.
    """
    stripped = cell.lstrip(" \n")
    if cell[:1] in FORMULA_STARTERS or stripped[:1] in FORMULA_STARTERS:
        return f"'{cell}"
    return cell


@functools.cache
def _country(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    name = getattr(country, "common_name", None) or getattr(country, "name", None)
    return f"{name} ({code})" if isinstance(name, str) else code


def _party(entity: Entity) -> str:
    return f"{entity.name} ({entity.id})"


def _recipient(entity: Entity) -> str:
    if entity.country is not None:
        return _country(entity.country)
    return f"international organisation: {entity.international_organisation or ''}"


def _tool(flow: Flow, finding: Finding) -> str:
    if finding.basis is Basis.DEROGATION:
        return flow.mechanism.value
    if finding.basis is Basis.SCC and finding.scc_module is not None:
        return f"scc (module {finding.scc_module})"
    return str(finding.basis.value)


def _row(datamap: DataMap, flow: Flow, finding: Finding) -> list[str]:
    recommendation = (
        finding.recommendations[0].detail if finding.recommendations else ""
    )
    return [
        flow.id,
        _party(datamap.entity(flow.exporter)),
        _party(datamap.entity(flow.importer)),
        _recipient(datamap.entity(flow.importer)),
        _SEPARATOR.join(flow.purposes),
        _SEPARATOR.join(flow.data_subjects),
        _SEPARATOR.join(flow.data_categories),
        "yes" if finding.transfer else "no",
        _tool(flow, finding),
        _SEPARATOR.join(flow.measures),
        finding.status.value,
        recommendation,
    ]


def ropa_csv(datamap: DataMap, assessment: Assessment) -> str:
    """
    The transfers of a map as record-of-processing rows (GDPR Art. 30(1)(e)), as CSV.

    Args:
        datamap: The map that was assessed.
        assessment: Its assessment (`transfer_assess.assess`); flows without a finding
            (not existing on the assessment date) are left out.

    Returns:
        CSV text (RFC 4180: comma-separated, CRLF line ends, quoted where
        needed) with the header `ROPA_COLUMNS` and one row per flow that exists on
        the date, in the map's order. Lists are joined with ``"; "``; every cell
        that a spreadsheet would run as a formula starts with an apostrophe.
    """
    findings = assessment.findings_by_flow()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ROPA_COLUMNS)
    for flow in datamap.flows:
        finding = findings.get(flow.id)
        if finding is not None:
            writer.writerow(neutralise(cell) for cell in _row(datamap, flow, finding))
    return buffer.getvalue()
