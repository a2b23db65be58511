"""
The transfers part of a record of processing activities (GDPR Art. 30(1)(e)) as CSV.

One row per flow that exists on the assessment date, in the map's order: the
controller and its DPO (from the map's header), who sends what about whom to which
recipient, for which purposes and on which Art. 6 basis, whether it is a transfer to
a third country or an international organisation, the transfer tool the map declares
and the basis the assessment found (in separate columns), the documentation of an
Art. 49 derogation, the TIA date, the safeguards, retention, and what the assessment
asks to do. Two layouts order the columns: ``standard`` and ``ico``. Spreadsheets
run cells that start with a formula character, so every such cell is neutralised
with a leading apostrophe, as the OWASP guidance on CSV injection advises.
"""

from __future__ import annotations

import csv
import functools
import io

import pycountry

from transfer_assess.findings import Assessment, Basis, Finding
from transfer_assess.interchange.tables import protect
from transfer_assess.labels import basis_label
from transfer_assess.load.csv_reader import FORMULA_STARTERS
from transfer_assess.model import DataMap, Entity, Flow, Mechanism
from transfer_assess.rules.derogations import ARTICLES, name

__all__ = ["FORMULA_STARTERS", "LAYOUTS", "ROPA_COLUMNS", "neutralise", "ropa_csv"]

#: The columns, by key, with their header in the standard layout.
_STANDARD = (
    ("flow", "Flow"),
    ("controller", "Controller"),
    ("dpo", "Data protection officer"),
    ("exporter", "Exporter"),
    ("importer", "Importer"),
    ("recipient", "Recipient country or international organisation"),
    ("purposes", "Purposes"),
    ("legal_basis", "Legal basis (Art. 6)"),
    ("subjects", "Data subjects"),
    ("categories", "Data categories"),
    ("special", "Special categories"),
    ("transfer", "Transfer to a third country"),
    ("declared", "Declared transfer tool"),
    ("assessed", "Assessed basis"),
    ("derogation", "Art. 49 derogation documentation"),
    ("tia", "TIA date"),
    ("safeguards", "Safeguards"),
    ("retention", "Retention"),
    ("status", "Status"),
    ("recommendation", "First recommendation"),
)
#: The same columns in the order of the ICO's list of what a controller records
#: (name and contact details, purposes, individuals, data, recipients, transfers
#: with their safeguards, retention, security measures), then the assessment.
_ICO = (
    ("controller", "Name and contact details of the controller"),
    ("dpo", "Data protection officer"),
    ("flow", "Flow"),
    ("purposes", "Purposes of the processing"),
    ("legal_basis", "Article 6 lawful basis"),
    ("subjects", "Categories of individuals"),
    ("categories", "Categories of personal data"),
    ("special", "Special category data"),
    ("importer", "Recipient"),
    ("recipient", "Third country or international organisation"),
    ("declared", "Transfer mechanism"),
    ("derogation", "Documentation of the exceptional transfer (Art. 49)"),
    ("retention", "Retention schedule"),
    ("safeguards", "Technical and organisational security measures"),
    ("exporter", "Exporter"),
    ("transfer", "Transfer to a third country"),
    ("assessed", "Assessed basis"),
    ("tia", "TIA date"),
    ("status", "Status"),
    ("recommendation", "First recommendation"),
)
#: The column layouts: ``standard``, and ``ico`` (the ICO's order of what to record).
LAYOUTS = {"standard": _STANDARD, "ico": _ICO}
#: The header row of the standard layout, in column order.
ROPA_COLUMNS = tuple(header for _, header in _STANDARD)

_SEPARATOR = "; "


def neutralise(cell: str) -> str:
    """
    Make a cell inert in spreadsheets.

    A cell whose first character, or first character after leading spaces and line
    breaks, starts a formula gets a leading apostrophe, which spreadsheets take as
    "this is text" and do not show; so does a cell that starts with an apostrophe
    before such a character or another apostrophe, so that what a spreadsheet shows
    is the cell as it was.

    Args:
        cell: The cell's text.

    Returns:
        The text to write.
    """
    return protect(cell)


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


def _declared(flow: Flow) -> str:
    """The transfer tool the map declares, as the organisation wrote it."""
    if flow.mechanism is Mechanism.SCC and flow.scc_module is not None:
        return f"scc (module {flow.scc_module})"
    return flow.mechanism.value


def _assessed(flow: Flow, finding: Finding) -> str:
    """The basis the assessment found for the flow."""
    if finding.basis is Basis.DEROGATION:
        return f"{basis_label(finding.basis)} ({flow.mechanism.value})"
    if finding.basis is Basis.SCC and finding.scc_module is not None:
        return f"{basis_label(finding.basis)} (module {finding.scc_module})"
    return basis_label(finding.basis)


def _derogation(flow: Flow, finding: Finding) -> str:
    """
    What the record holds about an Art. 49 derogation: which one, and the checks.

    Empty unless the flow declares a derogation.
    """
    if not flow.mechanism.is_derogation:
        return ""
    parts = [
        f"{ARTICLES[flow.mechanism]} ({name(flow.mechanism)})",
        f"frequency: {flow.frequency.text}",
    ]
    parts.extend(
        reason.text for reason in finding.reasons if ".DEROGATION." in reason.rule
    )
    return _SEPARATOR.join(parts)


def _cells(datamap: DataMap, flow: Flow, finding: Finding) -> dict[str, str]:
    recommendation = (
        finding.recommendations[0].detail if finding.recommendations else ""
    )
    return {
        "flow": flow.id,
        "controller": datamap.controller or datamap.organisation,
        "dpo": datamap.dpo or "",
        "exporter": _party(datamap.entity(flow.exporter)),
        "importer": _party(datamap.entity(flow.importer)),
        "recipient": _recipient(datamap.entity(flow.importer)),
        "purposes": _SEPARATOR.join(flow.purposes),
        "legal_basis": "" if flow.legal_basis is None else flow.legal_basis.value,
        "subjects": _SEPARATOR.join(flow.data_subjects),
        "categories": _SEPARATOR.join(flow.data_categories),
        "special": _SEPARATOR.join(
            sorted(item.value for item in flow.special_categories)
        ),
        "transfer": "yes" if finding.transfer else "no",
        "declared": _declared(flow),
        "assessed": _assessed(flow, finding),
        "derogation": _derogation(flow, finding),
        "tia": "" if flow.tia is None else flow.tia.isoformat(),
        "safeguards": _SEPARATOR.join(flow.measures),
        "retention": flow.retention or "",
        "status": finding.status.value,
        "recommendation": recommendation,
    }


def ropa_csv(
    datamap: DataMap, assessment: Assessment, *, layout: str = "standard"
) -> str:
    """
    The transfers of a map as record-of-processing rows (GDPR Art. 30(1)(e)), as CSV.

    Args:
        datamap: The map that was assessed.
        assessment: Its assessment (`transfer_assess.assess`); flows without a finding
            (not existing on the assessment date) are left out.
        layout: The column order and headers: ``standard`` (`ROPA_COLUMNS`) or
            ``ico`` (the order of the ICO's list of what a controller records).

    Returns:
        CSV text (RFC 4180: comma-separated, CRLF line ends, quoted where
        needed) with the layout's header and one row per flow that exists on the
        date, in the map's order. Lists are joined with ``"; "``; every cell
        that a spreadsheet would run as a formula starts with an apostrophe.
    """
    columns = LAYOUTS[layout]
    findings = assessment.findings_by_flow()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header for _, header in columns)
    for flow in datamap.flows:
        finding = findings.get(flow.id)
        if finding is not None:
            cells = _cells(datamap, flow, finding)
            writer.writerow(neutralise(cells[key]) for key, _ in columns)
    return buffer.getvalue()
