"""
SCC packs: a worksheet per flow for the standard contractual clauses (2021/914).

`scc_context` gathers, from the map, its assessment and the reference data, everything
the module's template shows: which module fits and why, the clauses whose options must
be chosen (with the choice the map implies, or a visible blank), and Annexes I.A, I.B,
I.C, II and III. `render_scc` renders the template of that module from
``data/scc_templates/`` (or a folder of the user's own) in Jinja2's sandbox, with every
value from the map escaped for Markdown first.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from jinja2 import StrictUndefined, TemplateError

from transfer_assess.errors import InputError
from transfer_assess.graph import FlowGraph, chain_display
from transfer_assess.labels import (
    basis_label,
    category_label,
    mechanism_label,
    status_label,
)
from transfer_assess.model import Frequency, Mechanism, Role
from transfer_assess.profiles import load_supervisory_authorities
from transfer_assess.refdata import country_name, data_dir
from transfer_assess.report.document import escape_markdown_values
from transfer_assess.report.provenance import provenance as make_provenance
from transfer_assess.report.tia import MEASURE_LABELS
from transfer_assess.rules import scc_module_for
from transfer_assess.templating import (
    LimitedEnvironment,
    RegularFileLoader,
    TemplateLimits,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from transfer_assess.findings import Assessment, Finding
    from transfer_assess.model import DataMap, Entity, Flow
    from transfer_assess.profiles import SupervisoryAuthority
    from transfer_assess.refdata import ReferenceData
    from transfer_assess.report.provenance import Provenance

MODULE_NAMES = {
    1: "controller to controller",
    2: "controller to processor",
    3: "processor to processor",
    4: "processor to controller",
}
_FREQUENCY_TEXT = {
    Frequency.ONE_OFF: "one-off",
    Frequency.OCCASIONAL: "occasional",
    Frequency.REGULAR: "regular (recurring)",
    Frequency.CONTINUOUS: "continuous basis",
}
#: What each measure with legal weight means, for Annex II.
MEASURE_DESCRIPTIONS = {
    "encryption_in_transit": "Data are encrypted while they travel between parties.",
    "encryption_at_rest": "Data are encrypted where the importer stores them.",
    "exporter_held_keys": "The keys are held only by the exporter, in the EEA or an "
    "adequate country, so the importer cannot decrypt the data.",
    "pseudonymisation": "Data are pseudonymised; the information that re-identifies "
    "them stays with the exporter.",
    "split_processing": "Processing is split between parties so that no one of them "
    "can identify the data subjects alone.",
    "access_controls": "Only staff who need the data for the purpose can reach it, "
    "after authentication.",
    "data_minimisation": "Only the data needed for the purpose is sent.",
    "transparency_reporting": "The importer reports on requests for access by public "
    "authorities.",
    "challenge_orders_policy": "The importer has a policy to challenge access orders "
    "that are unlawful or disproportionate.",
}


def _party(
    entity: Entity,
    role: Role,
    activities: str | None,
    rows: list[dict[str, Any]],
) -> dict[str, Any]:
    cells = {
        "name": _cell(entity.name, "legal name"),
        "address": _cell(entity.address, "postal address"),
        "contact": _cell(entity.contact, "contact person's name, position, e-mail"),
        "activities": _cell(activities, "activities relevant to this data"),
        "signature": _cell(None, "signature, name of signatory, date"),
        "role": _cell(role.value, "controller or processor"),
    }
    return {
        "id": entity.id,
        "name": entity.name,
        "country": entity.country,
        "country_name": country_name(entity.country) if entity.country else None,
        "organisation": entity.international_organisation,
        "role": role.value,
        "cells": [cells[row["key"]] for row in rows],
    }


@attrs.frozen
class SccStructure:
    """The clauses and annexes of 2021/914, per module, from ``structure.json``."""

    instrument: str
    """The decision's name."""
    url: str
    """Its official text on EUR-Lex."""
    raw: Mapping[str, Any]
    """The parsed file."""

    def clauses(self, module: int) -> list[dict[str, Any]]:
        """The clauses of module `module`, in order, with sub-clauses and options."""
        key = str(module)
        result = []
        for clause in self.raw["clauses"]:
            if module not in clause["modules"]:
                continue
            number = clause["number"]
            subclauses = clause.get("subclauses", {}).get(key, [])
            options = clause.get("options_by_module", {}).get(
                key, clause.get("options", [])
            )
            result.append(
                {
                    "number": number,
                    "title": clause["title"],
                    "optional": clause.get("optional", False),
                    "subclauses": [
                        f"{number}.{index} {title}"
                        for index, title in enumerate(subclauses, start=1)
                    ],
                    "options": list(options),
                    "condition": clause.get("condition", {}).get(key),
                    "summary": clause["summary"],
                }
            )
        return result

    def annexes(self, module: int) -> list[dict[str, Any]]:
        """The annexes module `module` has, each with the rows it has in that module."""
        return [
            {
                "id": annex["id"],
                "title": annex["title"],
                "rows": [
                    {"key": row["key"], "caption": row["caption"]}
                    for row in annex["rows"]
                    if module in row["modules"]
                ],
            }
            for annex in self.raw["annexes"]
            if module in annex["modules"]
        ]


@functools.cache
def scc_structure() -> SccStructure:
    """The packaged structure of the 2021 SCCs (``scc_templates/structure.json``)."""
    path = data_dir() / "scc_templates" / "structure.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    return SccStructure(instrument=raw["instrument"], url=raw["url"], raw=raw)


def _why(module: int, flow: Flow, exporter: Entity, importer: Entity) -> str:
    return (
        f"{exporter.name} acts as {flow.exporter_role.value} and {importer.name} as "
        f"{flow.importer_role.value} for this flow: {MODULE_NAMES[module]}, "
        f"module {module}."
    )


class _Pack:
    """Builds the context of one flow's SCC pack."""

    def __init__(
        self,
        datamap: DataMap,
        assessment: Assessment,
        refdata: ReferenceData,
        authorities: Mapping[str, SupervisoryAuthority],
    ) -> None:
        self.datamap = datamap
        self.assessment = assessment
        self.refdata = refdata
        self.authorities = authorities
        self.day = assessment.as_of
        self.protection = FlowGraph(datamap).propagate(self.day, refdata)

    def authority(self, finding: Finding) -> dict[str, Any]:
        """Annex I.C under Clause 13: which authority, by which alternative."""
        exporter = self.datamap.entity(finding.exporter)
        start = self.datamap.entity(finding.chain[0])
        blank: dict[str, Any] = {"name": None, "country": None, "url": None}
        if finding.onward:
            anchor, option = start, 1
            note = (
                f"Onward transfer: {exporter.name} is outside the EEA, so the "
                f"authority shown is the one for {start.name}, the EEA exporter at "
                "the start of the chain; confirm with counsel."
            )
        elif self.refdata.is_eea(exporter.country, self.day, as_importer=False):
            anchor, option, note = exporter, 1, None
            if not self._in_eu(exporter):
                note = (
                    f"{exporter.name} is established in an EEA state outside the EU; "
                    "Clause 13 speaks of an EU Member State, so confirm how the "
                    "alternative reads for it."
                )
        else:
            return {
                **blank,
                "clause13_alternative": None,
                "note": (
                    f"{exporter.name} is subject to the GDPR under Art. 3(2) without "
                    "an establishment in the EU: the second alternative if it has "
                    "appointed a representative (Art. 27(1)), naming the authority "
                    "where the representative is; otherwise the third, an authority "
                    "where the data subjects are."
                ),
            }
        authority = self.authorities.get(anchor.country or "")
        if authority is None:
            return {**blank, "clause13_alternative": option, "note": note}
        notes = " ".join(text for text in (authority.note, note) if text)
        return {
            "clause13_alternative": option,
            "name": authority.name,
            "country": authority.country,
            "url": authority.url,
            "note": notes or None,
        }

    def _in_eu(self, entity: Entity) -> bool:
        """Whether the entity is in an EU Member State on the date (not EEA EFTA)."""
        if entity.country is None:
            return False
        period = self.refdata.membership_on(entity.country, self.day)
        return period is not None and period.status == "eu_member"

    def choices(self, module: int, exporter: Entity) -> dict[str, Any]:
        """
        Clause choices the map implies; ``None`` where it implies none.

        Only the law and courts follow from the map: an exporter in an EU Member State
        suggests its own law and courts (Clause 17 option 2 in modules 2 and 3, where
        the clause offers it). Module 4 names any country, so nothing is suggested.
        """
        choices: dict[str, Any] = {
            "clause7": None,
            "clause9_option": None,
            "clause9_period": None,
            "clause11_option": None,
            "clause17_law": None,
            "clause17_option": None,
            "clause18_courts": None,
        }
        if module != 4 and self._in_eu(exporter) and exporter.country is not None:  # noqa: PLR2004
            name = country_name(exporter.country)
            choices["clause17_law"] = f"the law of {name} (the exporter's Member State)"
            choices["clause17_option"] = 2 if module in {2, 3} else None
            choices["clause18_courts"] = f"the courts of {name}"
        return choices

    def warnings(self, finding: Finding, flow: Flow, module: int) -> list[str]:
        """What the reader must know before using SCCs for this flow."""
        importer = self.datamap.entity(flow.importer)
        result = []
        if finding.basis.value == "adequacy":
            result.append(
                "An adequacy decision covers this flow on the date; SCCs are optional "
                "here, for example as a fallback."
            )
        if finding.status.value != "ok":
            result.append(
                f"The flow's finding is {finding.status.value}: resolve the reasons "
                "above as well as signing."
            )
        if flow.mechanism is Mechanism.SCC and flow.scc_module != module:
            result.append(
                f"The map names module {flow.scc_module}; the roles call for module "
                f"{module}."
            )
        if importer.subject_to_gdpr:
            result.append(
                "The importer is subject to the GDPR under Art. 3(2); the 2021 SCCs "
                "are not designed for such importers."
            )
        if finding.onward:
            inbound = self.protection.inbound(
                flow.exporter, self.protection.carried(flow)
            )
            if inbound is not None:
                via = self.datamap.flow(inbound)
                result.append(
                    f"The data reached the exporter through flow {via.id} "
                    f"({mechanism_label(via.mechanism)}); the onward-transfer terms "
                    "of that tool also apply to this flow."
                )
        return result

    def recipients(
        self, flow: Flow
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The importer's own flows that pass this data on; its sub-processors."""
        carried = set(self.protection.carried(flow))
        onward, subprocessors = [], []
        for candidate in sorted(self.datamap.flows, key=lambda item: item.id):
            if candidate.exporter != flow.importer or not candidate.exists_on(self.day):
                continue
            if not carried or not self.protection.carried(candidate):
                continue
            target = self.datamap.entity(candidate.importer)
            onward.append(
                {
                    "id": target.id,
                    "name": target.name,
                    "country": target.country or target.international_organisation,
                    "role": candidate.importer_role.value,
                    "flow": candidate.id,
                    "mechanism": mechanism_label(candidate.mechanism),
                }
            )
            if (
                candidate.exporter_role is Role.PROCESSOR
                and candidate.importer_role is Role.PROCESSOR
            ):
                processing = ", ".join(candidate.purposes)
                if candidate.nature:
                    processing += f": {candidate.nature}"
                subprocessors.append(
                    {
                        "id": target.id,
                        "name": target.name,
                        "country": target.country or target.international_organisation,
                        "processing": processing,
                        "flow": candidate.id,
                        "cells": {
                            "name": _cell(target.name, "legal name"),
                            "address": _cell(target.address, "postal address"),
                            "contact": _cell(target.contact, "contact person"),
                            "processing": _cell(
                                f"{processing} (flow {candidate.id})",
                                "what the sub-processor does",
                            ),
                        },
                    }
                )
        return onward, subprocessors

    def context(self, flow_id: str) -> dict[str, Any]:
        """The template context of one flow (values not yet escaped)."""
        finding = self.assessment.finding(flow_id)
        if not finding.transfer:
            raise InputError(
                f"flow {flow_id!r} is not a restricted transfer on "
                f"{self.day.isoformat()} (basis {finding.basis.value}); it needs no "
                "SCCs"
            )
        flow = self.datamap.flow(flow_id)
        exporter = self.datamap.entity(flow.exporter)
        importer = self.datamap.entity(flow.importer)
        module = scc_module_for(flow)
        structure = scc_structure()
        onward, subprocessors = self.recipients(flow)
        activities = flow.description or flow.nature
        annexes = structure.annexes(module)
        rows = {annex["id"]: annex["rows"] for annex in annexes}
        values = _annex_values(flow, importer, self.datamap, module)
        values["I.C"] = _authority_cells(self.authority(finding))
        return {
            "as_of": self.day.isoformat(),
            "reference_data": self.assessment.reference_version,
            "disclaimer": (
                "This pack gives information, not legal advice; it rests on the data "
                "map and the reference data named in it."
            ),
            "official": {"instrument": structure.instrument, "raw_url": structure.url},
            "module": module,
            "module_name": MODULE_NAMES[module],
            "why_module": _why(module, flow, exporter, importer),
            "finding": {
                "basis": finding.basis.value,
                "basis_label": basis_label(finding.basis),
                "status": finding.status.value,
                "status_label": status_label(finding.status),
                "reasons": [reason.text for reason in finding.reasons],
                "onward": finding.onward,
                "chain": chain_display(
                    finding.chain,
                    finding.chain_omitted,
                    lambda item: self.datamap.entity(item).name,
                ),
            },
            "warnings": self.warnings(finding, flow, module),
            "exporter": _party(exporter, flow.exporter_role, activities, rows["I.A"]),
            "importer": _party(
                importer, flow.importer_role, flow.nature or activities, rows["I.A"]
            ),
            "flow": {"id": flow.id},
            "clauses": structure.clauses(module),
            "annexes": annexes,
            "annex_values": {
                annex_id: [values[annex_id][row["key"]] for row in annex_rows]
                for annex_id, annex_rows in rows.items()
                if annex_id not in {"I.A", "III"}
            },
            "supervisory_authority": self.authority(finding),
            "choices": self.choices(module, exporter),
            "onward_recipients": onward,
            "subprocessors": [
                {**item, "cells": [item["cells"][row["key"]] for row in rows["III"]]}
                for item in subprocessors
            ]
            if "III" in rows
            else [],
        }


def _cell(value: str | None, blank: str) -> dict[str, str | None]:
    """An annex cell: the value from the map, or what to fill in when it has none."""
    return {"value": value or None, "blank": blank}


def _annex_values(
    flow: Flow, importer: Entity, datamap: DataMap, module: int
) -> dict[str, dict[str, dict[str, str | None]]]:
    """Annex I.B and II, row key by row key, from the map."""
    declared = {category.key: category for category in datamap.categories}
    categories = []
    for key in flow.data_categories:
        described = declared[key].description if key in declared else None
        label = category_label(key)
        categories.append(f"{label} ({described})" if described else label)
    sensitive = None
    if flow.special_categories:
        kinds = ", ".join(
            sorted(item.value.replace("_", " ") for item in flow.special_categories)
        )
        weighted = [
            MEASURE_LABELS[item] for item in flow.measures if item in MEASURE_LABELS
        ]
        safeguards = "; ".join(weighted) if weighted else "no safeguard recorded"
        sensitive = f"{kinds}. Safeguards recorded in the map: {safeguards}."
    else:
        sensitive = "None recorded in the data map."
    if module in {2, 3}:
        duration = (
            f"from {flow.start.isoformat() if flow.start else 'a start not recorded'} "
            f"to {flow.end.isoformat() if flow.end else 'no end recorded'}"
        )
        details = (
            f"Subject matter: {(flow.description or 'not recorded').rstrip('.')}. "
            f"Nature: {(flow.nature or 'not recorded').rstrip('.')}. "
            f"Duration: {duration}."
            if flow.description or flow.nature or flow.start or flow.end
            else None
        )
    else:
        details = "Not applicable: the importer acts as a controller."
    measures = [
        MEASURE_DESCRIPTIONS.get(
            item, f"{item}: declared in the data map; describe it."
        )
        for item in flow.measures
    ]
    if importer.certifications:
        measures.append("Certifications: " + ", ".join(importer.certifications) + ".")
    return {
        "I.B": {
            "data_subjects": _cell("; ".join(flow.data_subjects), "groups of people"),
            "categories": _cell("; ".join(categories), "kinds of personal data"),
            "sensitive": _cell(sensitive, "sensitive data and its safeguards"),
            "frequency": _cell(
                _FREQUENCY_TEXT[flow.frequency], "one-off or continuous"
            ),
            "nature": _cell(flow.nature, "the processing operations"),
            "purposes": _cell("; ".join(flow.purposes), "why the data is sent"),
            "retention": _cell(flow.retention, "how long, or the criteria"),
            "processor_details": _cell(
                details, "subject matter, nature and duration of the processing"
            ),
        },
        "II": {
            "measures": _cell(
                " ".join(measures),
                "the importer's measures, described concretely, and certifications",
            ),
            "assistance": _cell(
                None,
                "how the importer helps the controller (and, in module 3, the "
                "exporter) answer requests, report breaches and return or delete data",
            ),
        },
    }


def _authority_cells(authority: Mapping[str, Any]) -> dict[str, dict[str, str | None]]:
    """Annex I.C's one row: the authority, its country and website."""
    text = None
    if authority["name"] is not None:
        text = ", ".join(item for item in (authority["name"], authority["url"]) if item)
        if authority["note"]:
            text += f". Note: {authority['note']}"
    return {"authority": _cell(text, "the competent supervisory authority")}


def scc_context(
    datamap: DataMap,
    assessment: Assessment,
    refdata: ReferenceData,
    flow_id: str,
    *,
    authorities: Mapping[str, SupervisoryAuthority] | None = None,
    provenance: Provenance | None = None,
) -> dict[str, Any]:
    """
    The context of one flow's SCC pack, every value escaped for Markdown.

    Args:
        datamap: The map.
        assessment: Its assessment on the pack's date.
        refdata: The reference data used.
        flow_id: The flow.
        authorities: Supervisory authorities; the packaged list when omitted.
        provenance: The footer's record; made now (honouring ``SOURCE_DATE_EPOCH``)
            when omitted.

    Raises:
        KeyError: The flow has no finding on the date.
        InputError: The flow is not a restricted transfer, or ``SOURCE_DATE_EPOCH``
            is malformed.
    """
    authorities = load_supervisory_authorities() if authorities is None else authorities
    pack = _Pack(datamap, assessment, refdata, authorities)
    record = provenance or make_provenance(datamap, assessment)
    values = pack.context(flow_id)
    values["provenance"] = attrs.asdict(record)
    context: dict[str, Any] = escape_markdown_values(values)
    return context


def render_scc(context: Mapping[str, Any], templates: Path | None = None) -> str:
    """
    Render an SCC pack from the module's template, in Jinja2's sandbox with limits.

    The output size, the steps and the time are bounded
    (`transfer_assess.templating.TemplateLimits`), since the templates may be the
    user's.

    Args:
        context: From `scc_context`.
        templates: A folder with ``module1.md.j2`` … ``module4.md.j2``; the packaged
            ones when omitted.

    Raises:
        InputError: The template is missing or fails to render.
    """
    folder = templates or data_dir() / "scc_templates"
    environment = LimitedEnvironment(
        loader=RegularFileLoader(folder, TemplateLimits().max_template_bytes),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Markdown output; every value is escaped for it already
        keep_trailing_newline=True,
    )
    name = f"module{context['module']}.md.j2"
    try:
        text = environment.render_limited(environment.get_template(name), context)
    except TemplateError as error:
        raise InputError(f"SCC template {folder / name}: {error}") from None
    return _single_blank_lines(text)


def _single_blank_lines(text: str) -> str:
    """Runs of blank lines left by template logic become one, outside code fences."""
    lines: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and not line.strip() and lines and not lines[-1].strip():
            continue
        lines.append(line)
    return "\n".join(lines)
