"""
SARIF 2.1.0 for code scanning: one result per finding that is not ok.

Each result points at the flow's line in the map (YAML, JSON or ``flows.csv``), so
that a pull request that adds an unlawful transfer is annotated where the flow is
written. Rules and their help come from the rules' metadata; the result's rule is the
last rule that fired for the flow (the one that decided it).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transfer_assess.rules import ALL_RULES

if TYPE_CHECKING:
    from collections.abc import Mapping

    from transfer_assess.findings import Assessment

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The name under which the base folder of the map's path is given.
BASE_ID = "SRCROOT"
_LEVELS = {"gap": "error", "attention": "warning"}


def _name(rule_id: str) -> str:
    """A rule id as a PascalCase name (``EU.SCC.MODULE`` → ``EuSccModule``)."""
    return "".join(part.capitalize() for part in re.split(r"[._]", rule_id))


def repository_root(start: Path) -> Path:
    """
    The folder a map's path is given relative to in SARIF: its repository's root.

    The nearest folder at or above `start` that holds ``.git``; the current folder
    when there is none.

    Args:
        start: The map (file or folder).
    """
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return Path.cwd().resolve()


def _artifact(file: str, base: Path | None) -> dict[str, str]:
    """The artifact location of a file: relative to `base` when it lies under it."""
    if base is None or not file:
        return {"uri": file}
    path = Path(file).resolve()
    try:
        relative = path.relative_to(base)
    except ValueError:
        return {"uri": path.as_uri()}
    return {"uri": relative.as_posix(), "uriBaseId": BASE_ID}


def sarif_dict(
    assessment: Assessment,
    locations: Mapping[str, tuple[str, int | None]],
    *,
    version: str,
    base: Path | None = None,
) -> dict[str, Any]:
    """
    The SARIF log as plain values.

    Args:
        assessment: The assessment.
        locations: Flow id → (file, line), from `transfer_assess.load.flow_locations`.
        version: The tool's version.
        base: The folder paths are given relative to (``originalUriBaseIds``,
            e.g. the repository root), so that code scanning places annotations
            whatever folder the command ran in; the paths as given when omitted.
    """
    base = base.resolve() if base is not None else None
    index = {rule.id: number for number, rule in enumerate(ALL_RULES)}
    rules = [
        {
            "id": rule.id,
            "name": _name(rule.id),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.logic},
            "help": {
                "text": f"{rule.logic} Sources: {'; '.join(rule.articles)}. "
                f"Example: {rule.example}",
                "markdown": f"{rule.logic}\n\n**Sources:** "
                f"{'; '.join(rule.articles)}\n\n**Example:** {rule.example}",
            },
            "properties": {
                "tags": ["gdpr", "chapter-v", rule.id.split(".")[1].lower()]
            },
        }
        for rule in ALL_RULES
    ]
    results = []
    for finding in assessment.findings:
        level = _LEVELS.get(finding.status.value)
        if level is None:
            continue
        rule_id = finding.reasons[-1].rule
        file, line = locations.get(finding.flow, ("", None))
        first = finding.recommendations[0].detail if finding.recommendations else ""
        region = {"startLine": line} if line else {}
        results.append(
            {
                "ruleId": rule_id,
                "ruleIndex": index[rule_id],
                "level": level,
                "message": {
                    "text": f"Flow {finding.flow} ({finding.exporter} → "
                    f"{finding.importer}){_under(finding.regime)}: "
                    f"{finding.status.value}, basis "
                    f"{finding.basis.value}. {finding.reasons[-1].text} {first}".strip()
                },
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": _artifact(file, base),
                            **({"region": region} if region else {}),
                        },
                        "logicalLocations": [{"name": finding.flow, "kind": "member"}],
                    }
                ],
                "partialFingerprints": {
                    "transferAssessFlow/v1": finding.flow,
                    "transferAssessRegime/v1": finding.regime,
                },
                "properties": {
                    "regime": finding.regime,
                    "status": finding.status.value,
                    "basis": finding.basis.value,
                    "onward": finding.onward,
                    "rules": list(finding.rules),
                    "recommendations": [
                        item.action.value for item in finding.recommendations
                    ],
                },
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "transfer-assess",
                        "version": version,
                        "rules": rules,
                    }
                },
                "results": results,
                **(
                    {
                        "originalUriBaseIds": {
                            BASE_ID: {"uri": base.as_uri().rstrip("/") + "/"}
                        }
                    }
                    if base is not None
                    else {}
                ),
                "properties": {
                    "asOf": assessment.as_of.isoformat(),
                    "referenceData": {
                        "version": assessment.reference_version,
                        "sha256": assessment.reference_sha256,
                    },
                },
            }
        ],
    }


def render_sarif(
    assessment: Assessment,
    locations: Mapping[str, tuple[str, int | None]],
    *,
    version: str,
    base: Path | None = None,
) -> str:
    """The SARIF log as JSON text (deterministic); `base` as for `sarif_dict`."""
    log = sarif_dict(assessment, locations, version=version, base=base)
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _under(regime: str) -> str:
    """`` under the UK GDPR`` for a finding of a regime other than the EU's."""
    from transfer_assess.labels import REGIME_NAMES  # noqa: PLC0415 - lazy, like the rest

    return "" if regime == "EU" else f" under the {REGIME_NAMES[regime]}"
