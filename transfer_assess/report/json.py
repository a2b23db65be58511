"""
The JSON report (``transfer-assess/report@1``): the stable contract for tooling.

The dictionary is written by hand, key by key, so that the format is designed rather
than derived from the classes; the text is byte-stable (sorted findings, fixed key
order, two-space indent, trailing newline). Its JSON Schema ships with the package
(`schema_text`) and in ``docs/report.schema.json``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transfer_assess.findings import Assessment, Finding

SCHEMA_ID = "transfer-assess/report@1"
DISCLAIMER = (
    "This report gives information, not legal advice; it rests on the reference data "
    "named in it."
)


def report_dict(assessment: Assessment) -> dict[str, Any]:
    """The report as plain values, keys in their documented order."""
    summary = assessment.summary
    return {
        "schema": SCHEMA_ID,
        "organisation": assessment.organisation,
        "as_of": assessment.as_of.isoformat(),
        "regime": assessment.regime,
        "reference_data": {
            "version": assessment.reference_version,
            "sha256": assessment.reference_sha256,
        },
        "summary": {
            "flows": summary.flows,
            "transfers": summary.transfers,
            "ok": summary.ok,
            "attention": summary.attention,
            "gap": summary.gap,
            "inactive": summary.inactive,
        },
        "findings": [_finding(finding) for finding in assessment.findings],
        "inactive": list(assessment.inactive),
        "disclaimer": DISCLAIMER,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "flow": finding.flow,
        "exporter": finding.exporter,
        "importer": finding.importer,
        "exporter_country": finding.exporter_country,
        "importer_country": finding.importer_country,
        "importer_organisation": finding.importer_organisation,
        "transfer": finding.transfer,
        "onward": finding.onward,
        "basis": finding.basis.value,
        "status": finding.status.value,
        "scc_module": finding.scc_module,
        "chain": list(finding.chain),
        "recommendations": [
            {
                "action": item.action.value,
                "detail": item.detail,
                "citations": list(item.citations),
            }
            for item in finding.recommendations
        ],
        "reasons": [
            {"rule": item.rule, "text": item.text, "citations": list(item.citations)}
            for item in finding.reasons
        ],
    }


def render_json(assessment: Assessment) -> str:
    """The report as JSON text, byte-identical for the same input."""
    return json.dumps(report_dict(assessment), indent=2, ensure_ascii=False) + "\n"


def schema_text() -> str:
    """The JSON Schema of the report, as shipped in the package."""
    return (
        resources.files("transfer_assess")
        .joinpath("schemas", "report-1.schema.json")
        .read_text(encoding="utf-8")
    )
