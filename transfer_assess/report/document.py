"""
Documents people read: the report folder with one transfer impact summary per transfer.

`write_report` renders, from a map and its assessment, an ``index`` page (organisation,
date, reference data, summary, a picture of the flow graph, the findings) and one page
per restricted transfer following the EDPB's six steps (Recommendations 01/2020): the
transfer, the tool, the destination's law and practice, supplementary measures,
procedural steps, re-evaluation. HTML pages are self-contained (inline CSS and SVG,
nothing fetched) and escape every value; Markdown pages escape every value and draw
the graph as a Mermaid block. Every file is written atomically.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from transfer_assess.findings import Action, Status
from transfer_assess.graph import chain_display
from transfer_assess.model import Measure
from transfer_assess.output import write_folder
from transfer_assess.profiles import load_country_profiles
from transfer_assess.refdata import country_name
from transfer_assess.report.graph import graph_view, to_mermaid, to_svg
from transfer_assess.report.json import DISCLAIMER

if TYPE_CHECKING:
    from collections.abc import Mapping

    from transfer_assess.findings import Assessment, Finding
    from transfer_assess.model import DataMap, Entity, Flow
    from transfer_assess.profiles import CountryProfile
    from transfer_assess.refdata import ReferenceData

#: Labels of the measures that carry legal weight.
MEASURE_LABELS = {
    Measure.ENCRYPTION_IN_TRANSIT.value: "Encryption in transit",
    Measure.ENCRYPTION_AT_REST.value: "Encryption at rest",
    Measure.EXPORTER_HELD_KEYS.value: "Keys held only by the exporter",
    Measure.PSEUDONYMISATION.value: "Pseudonymisation, key kept by the exporter",
    Measure.SPLIT_PROCESSING.value: "Split or multi-party processing",
    Measure.ACCESS_CONTROLS.value: "Access controls",
    Measure.DATA_MINIMISATION.value: "Data minimisation",
    Measure.TRANSPARENCY_REPORTING.value: "Transparency reporting on access requests",
    Measure.CHALLENGE_ORDERS_POLICY.value: "Policy to challenge access orders",
}
_MEASURE_ACTIONS = frozenset(
    {Action.SUPPLEMENTARY_MEASURES, Action.PSEUDONYMISE, Action.ANONYMISE}
)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def markdown_text(text: str) -> str:
    """
    Escape a value for Markdown: inline syntax, table pipes, HTML, line breaks.

    Control characters become U+FFFD, so that no escape sequence survives.
    """
    text = _CONTROL.sub("\ufffd", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


def escape_markdown_values(value: Any) -> Any:
    """Escape every string of a context for Markdown (pre-rendered blocks aside)."""
    if isinstance(value, str):
        return markdown_text(value)
    if isinstance(value, dict):
        return {
            key: item if key.startswith("raw_") else escape_markdown_values(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [escape_markdown_values(item) for item in value]
    return value


def page_name(index: int, flow_id: str, suffix: str, regime: str = "EU") -> str:
    """
    A safe file name for a transfer page: numbered, and only safe characters.

    The number keeps names unique even on case-insensitive file systems; a finding
    under the UK or Swiss regime has the regime at the end (``-uk``, ``-ch``).
    """
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", flow_id).strip("._") or "flow"
    tail = "" if regime == "EU" else f"-{regime.lower()}"
    return f"transfer-{index:04d}-{safe[:80]}{tail}.{suffix}"


#: The regimes' names in documents.
REGIME_NAMES = {"EU": "EU GDPR", "UK": "UK GDPR", "CH": "Swiss FADP"}


def _party(entity: Entity, role: str) -> dict[str, Any]:
    return {
        "id": entity.id,
        "name": entity.name,
        "kind": entity.kind.value.replace("_", " "),
        "role": role,
        "country": entity.country,
        "country_name": country_name(entity.country) if entity.country else None,
        "organisation": entity.international_organisation,
        "where": entity.country or entity.international_organisation or "",
    }


def _reevaluation(
    finding: Finding, flow: Flow, refdata: ReferenceData, day: date, importer: Entity
) -> tuple[date, str]:
    """When to re-evaluate the transfer, and why (step 6)."""
    candidates = []
    if flow.tia is not None and flow.tia <= day:
        candidates.append(
            (flow.tia + timedelta(days=365), f"a year after the TIA of {flow.tia}")
        )
    else:
        candidates.append((day, "now: no current transfer impact assessment"))
    if finding.basis.value == "adequacy":
        for decision in refdata.decisions_for(importer.jurisdiction, day):
            until = decision.known_until(day)
            if until is not None:
                candidates.append((until, f"when {decision.reference} ends"))
            if decision.active_watch(day):
                candidates.append(
                    (day + timedelta(days=90), f"watch notes on {decision.reference}")
                )
    candidates.append((day + timedelta(days=365), "the yearly review"))
    return min(candidates, key=lambda item: item[0])


def transfer_context(
    finding: Finding,
    datamap: DataMap,
    refdata: ReferenceData,
    day: date,
    profiles: Mapping[str, CountryProfile],
) -> dict[str, Any]:
    """The six steps of one transfer impact summary, as plain values."""
    flow = datamap.flow(finding.flow)
    exporter = datamap.entity(flow.exporter)
    importer = datamap.entity(flow.importer)
    declared = {category.key: category for category in datamap.categories}
    profile = profiles.get(importer.country or "")
    decisions = refdata.decisions_for(importer.jurisdiction, day)
    when, why = _reevaluation(finding, flow, refdata, day, importer)
    return {
        "flow": flow.id,
        "regime": finding.regime,
        "law": REGIME_NAMES.get(finding.regime, finding.regime),
        "status": finding.status.value,
        "basis": finding.basis.value,
        "onward": finding.onward,
        "exporter": _party(exporter, flow.exporter_role.value),
        "importer": _party(importer, flow.importer_role.value),
        "chain": chain_display(
            finding.chain,
            finding.chain_omitted,
            lambda item: datamap.entity(item).name + f" ({item})",
        ),
        "data_subjects": list(flow.data_subjects),
        "categories": [
            {
                "key": key,
                "description": declared[key].description if key in declared else None,
            }
            for key in flow.data_categories
        ],
        "special_categories": sorted(item.value for item in flow.special_categories),
        "purposes": list(flow.purposes),
        "frequency": flow.frequency.value.replace("_", " "),
        "volume": flow.volume,
        "description": flow.description,
        "mechanism": flow.mechanism.value,
        "scc_module": finding.scc_module,
        "tia": flow.tia.isoformat() if flow.tia else None,
        "reasons": [
            {"rule": item.rule, "text": item.text, "citations": list(item.citations)}
            for item in finding.reasons
        ],
        "decisions": [
            {
                "reference": decision.reference,
                "summary": decision.scope.summary,
                "watch": [note.text for note in decision.active_watch(day)],
            }
            for decision in decisions
        ],
        "profile": _profile(profile),
        "importer_access": flow.importer_access.value,
        "measures": [
            {
                "key": item,
                "label": MEASURE_LABELS.get(item, item),
                "weight": item in MEASURE_LABELS,
            }
            for item in flow.measures
        ],
        "recommended_measures": [
            {"action": item.action.value, "detail": item.detail}
            for item in finding.recommendations
            if item.action in _MEASURE_ACTIONS
        ],
        "steps": [
            {
                "action": item.action.value,
                "detail": item.detail,
                "citations": list(item.citations),
            }
            for item in finding.recommendations
        ],
        "reevaluate": when.isoformat(),
        "reevaluate_why": why,
    }


def _profile(profile: CountryProfile | None) -> dict[str, Any] | None:
    if profile is None:
        return None

    def items(values: Any) -> list[dict[str, Any]]:
        return [
            {
                "title": item.title,
                "summary": item.summary,
                "sources": list(item.sources),
                "date": item.day.isoformat() if item.day else None,
                "by": item.by,
            }
            for item in values
        ]

    return {
        "name": profile.name,
        "reviewed": profile.reviewed.isoformat(),
        "law": items(profile.data_protection_law),
        "authority": items([profile.authority] if profile.authority else []),
        "access": items(profile.public_authority_access),
        "oversight": items(profile.oversight),
        "redress": items(profile.redress),
        "assessments": items(profile.eu_assessments),
        "concerns": profile.access_concerns.replace("_", " "),
        "concerns_basis": profile.access_concerns_basis,
        "unconfirmed": list(profile.unconfirmed),
    }


def report_context(
    datamap: DataMap,
    assessment: Assessment,
    refdata: ReferenceData,
    *,
    suffix: str,
    profiles: Mapping[str, CountryProfile] | None = None,
) -> dict[str, Any]:
    """Everything the index page and the transfer pages show, as plain values."""
    profiles = load_country_profiles() if profiles is None else profiles
    summary = assessment.summary
    transfers: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    index = 0
    for finding in assessment.findings:
        page = None
        if finding.transfer:
            index += 1
            page = page_name(index, finding.flow, suffix, finding.regime)
            transfers.append(
                {
                    "page": page,
                    **transfer_context(
                        finding, datamap, refdata, assessment.as_of, profiles
                    ),
                }
            )
        findings.append(
            {
                "flow": finding.flow,
                "regime": finding.regime,
                "law": REGIME_NAMES.get(finding.regime, finding.regime),
                "page": page,
                "exporter": finding.exporter,
                "importer": finding.importer,
                "route": (
                    f"{finding.exporter} ({finding.exporter_country or '?'}) → "
                    f"{finding.importer} "
                    f"({finding.importer_country or finding.importer_organisation})"
                ),
                "transfer": finding.transfer,
                "onward": finding.onward,
                "basis": finding.basis.value,
                "status": finding.status.value,
                "scc_module": finding.scc_module,
                "first": finding.recommendations[0].detail
                if finding.recommendations
                else "",
                "chain": " → ".join(
                    chain_display(finding.chain, finding.chain_omitted)
                ),
            }
        )
    findings.sort(key=lambda item: (-Status(item["status"]).rank, item["flow"]))
    return {
        "organisation": datamap.organisation,
        "as_of": assessment.as_of.isoformat(),
        "reference_version": assessment.reference_version,
        "reference_sha256": assessment.reference_sha256,
        "summary": attrs.asdict(summary),
        "inactive": list(assessment.inactive),
        "findings": findings,
        "transfers": transfers,
        "disclaimer": DISCLAIMER,
    }


def _environment() -> SandboxedEnvironment:
    folder = Path(str(resources.files("transfer_assess").joinpath("templates")))
    return SandboxedEnvironment(
        loader=FileSystemLoader(folder),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_report(
    datamap: DataMap,
    assessment: Assessment,
    refdata: ReferenceData,
    *,
    format: str = "html",  # noqa: A002 - the natural name, as on the command line
    profiles: Mapping[str, CountryProfile] | None = None,
) -> dict[str, str]:
    """
    Render the report folder's files in memory.

    Args:
        datamap: The map.
        assessment: Its assessment.
        refdata: The reference data used.
        format: ``html`` or ``markdown``.
        profiles: Country profiles; the packaged ones when omitted.

    Returns:
        File names (relative to the folder) and their text.

    Raises:
        ValueError: `format` is neither ``html`` nor ``markdown``.
    """
    if format not in {"html", "markdown"}:
        raise ValueError(f"unknown report format {format!r}")
    suffix = "html" if format == "html" else "md"
    context = report_context(
        datamap, assessment, refdata, suffix=suffix, profiles=profiles
    )
    view = graph_view(datamap, assessment, refdata)
    environment = _environment()
    files: dict[str, str] = {}
    if format == "html":
        style = environment.loader.get_source(environment, "report.css")[0]  # type: ignore[union-attr]
        shared = {"style": Markup(style), "svg": Markup(to_svg(view))}  # noqa: S704 - our own escaped SVG and CSS
        index = environment.get_template("index.html.j2")
        files["index.html"] = index.render(**context, **shared)
        page = environment.get_template("transfer.html.j2")
        for transfer in context["transfers"]:
            files[transfer["page"]] = page.render(
                report=context, transfer=transfer, style=shared["style"]
            )
    else:
        escaped = escape_markdown_values(context)
        index = environment.get_template("index.md.j2")
        files["index.md"] = index.render(**escaped, raw_mermaid=to_mermaid(view))
        page = environment.get_template("transfer.md.j2")
        for transfer in escaped["transfers"]:
            files[transfer["page"]] = page.render(report=escaped, transfer=transfer)
    return files


def write_report(files: Mapping[str, str], folder: Path) -> list[Path]:
    """
    Write rendered files as one folder, replacing an earlier report whole.

    See `transfer_assess.output.write_folder`: written beside, swapped in, locked.

    Returns:
        The paths written, in name order.

    Raises:
        OutputError: A name would leave the folder, or the folder holds something
            other than an earlier report (it is a ``ValueError`` too).
        OSError: The folder cannot be written.
    """
    return write_folder(files, folder)
