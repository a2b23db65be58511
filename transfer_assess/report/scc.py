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

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import StrictUndefined, TemplateError

from transfer_assess.errors import InputError
from transfer_assess.graph import FlowGraph, chain_display
from transfer_assess.model import Frequency, Mechanism, Role
from transfer_assess.profiles import load_supervisory_authorities
from transfer_assess.refdata import country_name, data_dir
from transfer_assess.report.document import MEASURE_LABELS, escape_markdown_values
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


def _party(entity: Entity, role: Role, activities: str | None) -> dict[str, Any]:
    return {
        "id": entity.id,
        "name": entity.name,
        "address": entity.address,
        "contact": entity.contact,
        "country": entity.country,
        "country_name": country_name(entity.country) if entity.country else None,
        "organisation": entity.international_organisation,
        "role": role.value,
        "kind": entity.kind.value,
        "activities": activities,
    }


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
            anchor, option = start, "a"
            note = (
                f"Onward transfer: {exporter.name} is outside the EEA, so the "
                f"authority shown is the one for {start.name}, the EEA exporter at "
                "the start of the chain; confirm with counsel."
            )
        elif self.refdata.is_eea(exporter.country, self.day, as_importer=False):
            anchor, option, note = exporter, "a", None
        else:
            return {
                **blank,
                "clause13_option": "b",
                "note": (
                    f"{exporter.name} is subject to the GDPR under Art. 3(2) without "
                    "an EEA establishment: alternative (b) if it has appointed a "
                    "representative (Art. 27), naming the authority where the "
                    "representative is; otherwise alternative (c), an authority "
                    "where the data subjects are."
                ),
            }
        authority = self.authorities.get(anchor.country or "")
        if authority is None:
            return {**blank, "clause13_option": option, "note": note}
        notes = " ".join(text for text in (authority.note, note) if text)
        return {
            "clause13_option": option,
            "name": authority.name,
            "country": authority.country,
            "url": authority.url,
            "note": notes or None,
        }

    def choices(self, module: int, exporter: Entity) -> dict[str, Any]:
        """Clause choices the map implies; ``None`` where it implies none."""
        choices: dict[str, Any] = {
            "clause7": None,
            "clause9_option": None,
            "clause9_notice": None,
            "clause11_option": None,
            "clause17_law": None,
            "clause17_option": None,
            "clause18_courts": None,
        }
        in_eea = self.refdata.is_eea(exporter.country, self.day, as_importer=False)
        if module != 4 and in_eea and exporter.country is not None:  # noqa: PLR2004
            name = country_name(exporter.country)
            choices["clause17_law"] = f"the law of {name} (the exporter's country)"
            choices["clause17_option"] = 2 if module in {2, 3} else 1
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
                    f"({via.mechanism.value}); the onward-transfer terms of that tool "
                    "also apply to this flow."
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
                    "mechanism": candidate.mechanism.value,
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
        declared = {category.key: category for category in self.datamap.categories}
        onward, subprocessors = self.recipients(flow)
        activities = flow.description or flow.nature
        weighted = [item for item in flow.measures if item in MEASURE_LABELS]
        return {
            "as_of": self.day.isoformat(),
            "reference_data": self.assessment.reference_version,
            "disclaimer": (
                "This pack gives information, not legal advice; it rests on the data "
                "map and the reference data named in it."
            ),
            "module": module,
            "module_name": MODULE_NAMES[module],
            "why_module": _why(module, flow, exporter, importer),
            "finding": {
                "basis": finding.basis.value,
                "status": finding.status.value,
                "reasons": [reason.text for reason in finding.reasons],
                "onward": finding.onward,
                "chain": chain_display(
                    finding.chain,
                    finding.chain_omitted,
                    lambda item: self.datamap.entity(item).name,
                ),
            },
            "warnings": self.warnings(finding, flow, module),
            "exporter": _party(exporter, flow.exporter_role, activities),
            "importer": _party(importer, flow.importer_role, flow.nature or activities),
            "flow": {
                "id": flow.id,
                "data_subjects": list(flow.data_subjects),
                "categories": [
                    {
                        "key": key,
                        "description": (
                            declared[key].description if key in declared else None
                        ),
                    }
                    for key in flow.data_categories
                ],
                "special_categories": sorted(
                    item.value.replace("_", " ") for item in flow.special_categories
                ),
                "special_safeguards": (
                    [MEASURE_LABELS[item] for item in weighted]
                    if flow.special_categories
                    else []
                ),
                "frequency": flow.frequency.value,
                "frequency_text": _FREQUENCY_TEXT[flow.frequency],
                "nature": flow.nature,
                "purposes": list(flow.purposes),
                "retention": flow.retention,
                "volume": flow.volume,
                "start": flow.start.isoformat() if flow.start else None,
                "end": flow.end.isoformat() if flow.end else None,
                "description": flow.description,
            },
            "supervisory_authority": self.authority(finding),
            "choices": self.choices(module, exporter),
            "measures": [
                {
                    "key": item,
                    "label": MEASURE_LABELS.get(item, item),
                    "legal_weight": item in MEASURE_LABELS,
                    "description": MEASURE_DESCRIPTIONS.get(
                        item, "Declared in the data map; describe it here."
                    ),
                }
                for item in flow.measures
            ],
            "onward_recipients": onward,
            "subprocessors": subprocessors if module in {2, 3} else [],
        }


def scc_context(
    datamap: DataMap,
    assessment: Assessment,
    refdata: ReferenceData,
    flow_id: str,
    *,
    authorities: Mapping[str, SupervisoryAuthority] | None = None,
) -> dict[str, Any]:
    """
    The context of one flow's SCC pack, every value escaped for Markdown.

    Args:
        datamap: The map.
        assessment: Its assessment on the pack's date.
        refdata: The reference data used.
        flow_id: The flow.
        authorities: Supervisory authorities; the packaged list when omitted.

    Raises:
        KeyError: The flow has no finding on the date.
        InputError: The flow is not a restricted transfer.
    """
    authorities = load_supervisory_authorities() if authorities is None else authorities
    pack = _Pack(datamap, assessment, refdata, authorities)
    context: dict[str, Any] = escape_markdown_values(pack.context(flow_id))
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
        return environment.render_limited(environment.get_template(name), context)
    except TemplateError as error:
        raise InputError(f"SCC template {folder / name}: {error}") from None
