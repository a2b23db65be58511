"""
What the report's pages say: counts, findings in words, each transfer impact assessment.

`report_context` turns a map and its assessment into plain values for the templates:
counts that add up (transfers by status, and the flows that are not transfers, apart),
findings with plain labels (the codes stay in the JSON report and `explain`), and for
each restricted transfer the EDPB's six steps (Recommendations 01/2020), a conclusion,
the residual points, the chain of transfers upstream and downstream, every map field
that matters to the assessment, and sources as links, official texts first.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from transfer_assess.engine import REGIMES
from transfer_assess.findings import Action, Status
from transfer_assess.graph import FlowGraph, chain_display
from transfer_assess.interchange.tables import answers_document
from transfer_assess.labels import (
    REGIME_NAMES,
    STANDING_LABELS,
    TIA_ANSWER_LABELS,
    TIA_CONCLUSION_LABELS,
    TIA_FACTOR_LABELS,
    action_label,
    basis_label,
    category_label,
    mechanism_label,
    rule_label,
    status_label,
)
from transfer_assess.model import Measure
from transfer_assess.profiles import load_country_profiles
from transfer_assess.refdata import country_name
from transfer_assess.tia import percent

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from transfer_assess.access_laws import AccessLaw
    from transfer_assess.findings import Assessment, Finding
    from transfer_assess.graph import Protection
    from transfer_assess.model import DataMap, Entity, Flow
    from transfer_assess.profiles import CountryProfile
    from transfer_assess.refdata import ReferenceData
    from transfer_assess.tia import TiaResult

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
_URL = re.compile(r"https?://[^\s,;\]]+")

#: The conclusion of a transfer impact assessment, per status.
CONCLUSIONS = {
    Status.OK: ("proceed", "Proceed: the transfer has a fitting basis on the date."),
    Status.ATTENTION: (
        "proceed-after",
        "Proceed once the actions listed below are done.",
    ),
    Status.GAP: (
        "do-not-proceed",
        "Do not proceed until the gap is closed: the transfer has no valid basis.",
    ),
}


@functools.cache
def _link_rules() -> dict[str, Any]:
    text = resources.files("transfer_assess.report").joinpath("sources.json")
    rules: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return rules


def _url_in(text: str) -> re.Match[str] | None:
    """The first web address in a text, without trailing punctuation it does not own."""
    found = _URL.search(text)
    if found is None:
        return None
    end = found.end()
    while end > found.start() and (
        text[end - 1] in ".:"
        or (
            text[end - 1] == ")"
            and text.count("(", found.start(), end)
            < text.count(")", found.start(), end)
        )
    ):
        end -= 1
    return _URL.match(text[:end], found.start())


@functools.lru_cache(maxsize=4096)
def source_link(text: str) -> dict[str, Any]:
    """
    A citation or source, split into the parts of a link.

    The parts are ``before``, ``label``, ``after``, the address (``raw_url``, or
    ``None``), ``official`` and ``secondary``.

    A citation of an official text is wholly the label of a link to it, by the schemes
    in ``report/sources.json``. A source that carries an address keeps its words, with
    the address shown as a link labelled by its host. Sources marked ``[2nd]`` or cited
    through a copy are secondary; the mark itself is left out of the words. Cached
    (the same sources recur on many pages): callers must not change the result.
    """
    rules = _link_rules()
    secondary = "[2nd]" in text or "copy at" in text or "copy in" in text
    words = " ".join(text.replace("[2nd]", "").split())
    found = _url_in(words)
    if found:
        url = found.group(0)
        host = urlsplit(url).hostname or url
        return {
            "before": words[: found.start()],
            "label": host,
            "after": words[found.end() :],
            "raw_url": url,
            "official": host in rules["official_hosts"] and not secondary,
            "secondary": secondary,
        }
    for rule in rules["citations"]:
        match = re.match(rule["pattern"], words)
        if match:
            return {
                "before": "",
                "label": words,
                "after": "",
                "raw_url": rule["url"].format(None, *match.groups()),
                "official": True,
                "secondary": secondary,
            }
    return {
        "before": words,
        "label": "",
        "after": "",
        "raw_url": None,
        "official": False,
        "secondary": secondary,
    }


def _links(texts: tuple[str, ...] | list[str]) -> list[dict[str, Any]]:
    """Sources as links, official texts first, secondary sources last."""
    links = [source_link(text) for text in texts]
    return sorted(links, key=lambda item: (not item["official"], item["secondary"]))


def _party(entity: Entity, role: str) -> dict[str, Any]:
    return {
        "id": entity.id,
        "name": entity.name,
        "kind": entity.kind.value.replace("_", " "),
        "role": role,
        "country": entity.country,
        "where": (
            f"{country_name(entity.country)} ({entity.country})"
            if entity.country
            else f"international organisation {entity.international_organisation}"
        ),
        "address": entity.address,
        "contact": entity.contact,
        "certifications": list(entity.certifications),
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


class _Chains:
    """Which transfer brought each flow's data to its exporter, and the reverse."""

    def __init__(
        self, datamap: DataMap, assessment: Assessment, protection: Protection
    ) -> None:
        """
        Link the transfers of one regime's assessment.

        Args:
            datamap: The map.
            assessment: The findings of one regime (`Assessment.for_regime`).
            protection: What each entity holds of that regime's origin.
        """
        self.findings = assessment.findings_by_flow()
        self.parent: dict[str, str] = {}
        self.children: dict[str, list[str]] = {}
        for finding in assessment.findings:
            if not finding.transfer:
                continue
            flow = datamap.flow(finding.flow)
            inbound = protection.inbound(flow.exporter, protection.carried(flow))
            if inbound is not None and inbound in self.findings:
                self.parent[finding.flow] = inbound
                self.children.setdefault(inbound, []).append(finding.flow)

    def upstream(self, flow_id: str) -> list[str]:
        """The transfers before this one, from the EEA onwards."""
        route: list[str] = []
        current = self.parent.get(flow_id)
        while current is not None and current not in route and current != flow_id:
            route.append(current)
            current = self.parent.get(current)
        return list(reversed(route))

    def downstream(self, flow_id: str) -> list[tuple[int, str]]:
        """The transfers after this one, depth first, with their depth."""
        result: list[tuple[int, str]] = []
        seen = {flow_id}
        stack = [(1, item) for item in sorted(self.children.get(flow_id, []))][::-1]
        while stack:
            depth, current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            result.append((depth, current))
            stack.extend(
                (depth + 1, item)
                for item in sorted(self.children.get(current, []), reverse=True)
            )
        return result


def _hop(
    flow_id: str,
    datamap: DataMap,
    findings: Mapping[str, Finding],
    pages: Mapping[tuple[str, str], str],
) -> dict[str, Any]:
    flow = datamap.flow(flow_id)
    finding = findings[flow_id]
    return {
        "flow": flow_id,
        "page": pages.get((flow_id, finding.regime)),
        "exporter": datamap.entity(flow.exporter).name,
        "importer": datamap.entity(flow.importer).name,
        "where": finding.importer_country or finding.importer_organisation or "",
        "status": finding.status.value,
        "status_label": status_label(finding.status),
    }


def _residual(
    finding: Finding,
    profile: CountryProfile | None,
    decisions: list[dict[str, Any]],
    downstream: list[dict[str, Any]],
) -> list[str]:
    """Points that remain open after the actions: what a reviewer must still weigh."""
    points = [f"Watch: {note}" for decision in decisions for note in decision["watch"]]
    if profile is not None and profile.access_concerns != "none_found":
        points.append(
            f"Public-authority access in {profile.name} has not been assessed by EU "
            f"bodies ({profile.access_concerns_basis})."
        )
    if profile is None and finding.basis.value != "adequacy":
        points.append(
            "No country profile: the destination's law and practice need counsel's "
            "assessment."
        )
    points.extend(
        f"Downstream, flow {item['flow']} to {item['importer']} "
        f"({item['where']}) is {item['status_label']}."
        for item in downstream
        if item["status"] != "ok"
    )
    if profile is not None and profile.unconfirmed:
        points.append(
            f"The profile of {profile.name} lists {len(profile.unconfirmed)} points "
            "its sources could not confirm (Step 3)."
        )
    return points


def transfer_context(
    finding: Finding,
    datamap: DataMap,
    refdata: ReferenceData,
    day: date,
    profiles: Mapping[str, CountryProfile],
    *,
    chains: _Chains,
    pages: Mapping[tuple[str, str], str],
) -> dict[str, Any]:
    """The six steps, conclusion and chain of one transfer impact assessment."""
    flow = datamap.flow(finding.flow)
    exporter = datamap.entity(flow.exporter)
    importer = datamap.entity(flow.importer)
    declared = {category.key: category for category in datamap.categories}
    profile = profiles.get(importer.country or "")
    when, why = _reevaluation(finding, flow, refdata, day, importer)
    decisions = [
        {
            "reference": decision.reference,
            "summary": decision.scope.summary,
            "watch": [note.text for note in decision.active_watch(day)],
            "link": source_link(decision.reference),
        }
        for decision in refdata.decisions_for(
            importer.jurisdiction, day, regime=REGIMES[finding.regime]
        )
    ]
    upstream = [
        _hop(item, datamap, chains.findings, pages)
        for item in chains.upstream(finding.flow)
    ]
    downstream = [
        {**_hop(item, datamap, chains.findings, pages), "depth": depth}
        for depth, item in chains.downstream(finding.flow)
    ]
    verdict, conclusion = CONCLUSIONS[finding.status]
    actions = [
        item for item in finding.recommendations if item.action is not Action.NONE
    ]
    return {
        "flow": flow.id,
        "regime": finding.regime,
        "law": REGIME_NAMES[finding.regime],
        "status": finding.status.value,
        "status_label": status_label(finding.status),
        "basis": finding.basis.value,
        "basis_label": basis_label(finding.basis),
        "scc_module": finding.scc_module,
        "basis_is_scc": finding.basis.value == "scc",
        "onward": finding.onward,
        "conclusion": {"verdict": verdict, "text": conclusion},
        "residual": _residual(finding, profile, decisions, downstream),
        "exporter": _party(exporter, flow.exporter_role.value),
        "importer": _party(importer, flow.importer_role.value),
        "chain": list(
            chain_display(
                finding.chain,
                finding.chain_omitted,
                lambda item: datamap.entity(item).name,
            )
        ),
        "upstream": upstream,
        "downstream": downstream,
        "data_subjects": list(flow.data_subjects),
        "categories": [
            {
                "label": category_label(key),
                "description": declared[key].description if key in declared else None,
            }
            for key in flow.data_categories
        ],
        "special_categories": sorted(
            item.value.replace("_", " ") for item in flow.special_categories
        ),
        "purposes": list(flow.purposes),
        "legal_basis": (
            flow.legal_basis.value.replace("_", " ") if flow.legal_basis else None
        ),
        "nature": flow.nature,
        "retention": flow.retention,
        "frequency": flow.frequency.value.replace("_", " "),
        "volume": flow.volume,
        "description": flow.description,
        "mechanism": mechanism_label(flow.mechanism),
        "tia": flow.tia.isoformat() if flow.tia else None,
        "reasons": [
            {
                "title": rule_label(item.rule),
                "text": item.text,
                "sources": _links(item.citations),
            }
            for item in finding.reasons
        ],
        "decisions": decisions,
        "assessment": assessment_context(finding.tia, refdata),
        "profile": _profile(profile),
        "importer_access": flow.importer_access.value,
        "measures": [
            {"label": MEASURE_LABELS.get(item, item), "weight": item in MEASURE_LABELS}
            for item in flow.measures
        ],
        "recommended_measures": [
            {"action": action_label(item.action), "detail": item.detail}
            for item in finding.recommendations
            if item.action in _MEASURE_ACTIONS
        ],
        "steps": [
            {
                "action": action_label(item.action),
                "detail": item.detail,
                "sources": _links(item.citations),
            }
            for item in actions
        ],
        "reevaluate": when.isoformat(),
        "reevaluate_why": why,
    }


def _answer_text(value: Any, names: Mapping[str, str]) -> str:
    """
    An answer as a reader reads it.

    Booleans as "yes"/"no", measures by their labels, and the per-class answers as
    "label: yes; label: no".
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(
            f"{names.get(key, key)}: {_answer_text(item, names)}"
            for key, item in value.items()
        )
    if isinstance(value, list):
        return ", ".join(str(MEASURE_LABELS.get(item, item)) for item in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _standing_rows(
    law: AccessLaw, guarantees: Mapping[str, tuple[str, str]]
) -> list[dict[str, Any]]:
    """
    A law's standings, one row per guarantee.

    Guarantees in a row that share standing, note and sources share one row
    (``A, B, C, D``), so that a note given for all four is read once.
    """
    rows: list[dict[str, Any]] = []
    last: tuple[object, ...] | None = None
    for key, standing in law.guarantees.items():
        title = guarantees.get(key, (key, ""))[0]
        same = (standing.standing, standing.note, tuple(standing.sources))
        if rows and same == last:
            rows[-1]["key"] += f", {key}"
            rows[-1]["title"] += f"; {title}"
            continue
        last = same
        rows.append(
            {
                "key": key,
                "title": title,
                "standing": STANDING_LABELS[standing.standing],
                "note": standing.note,
                "sources": _links(standing.sources),
            }
        )
    return rows


def assessment_context(
    result: TiaResult | None, refdata: ReferenceData
) -> dict[str, Any] | None:
    """
    Step 3 of a transfer with answers: the laws, the answers, the calculation.

    ``None`` when the flow's TIA has no answers (the page then shows the country
    profile alone, as before).
    """
    if result is None:
        return None
    answers = answers_document(result.answers)
    reached = answers.pop("reached", {})
    guarantees = refdata.laws.guarantees
    names = {key: item.label for key, item in refdata.laws.classes.items()}
    laws = []
    for item in result.laws:
        law = item.law
        laws.append(
            {
                "id": law.id,
                "name": law.name,
                "citation": law.citation,
                "raw_url": law.url,
                "assessment": STANDING_LABELS[law.assessment],
                "concerns": item.concerns,
                "reaches": law.reaches_summary,
                "data": law.data_summary,
                "reached": item.reached,
                "answer": reached.get(law.id, "not answered"),
                "standings": _standing_rows(law, guarantees),
                "sources": _links(law.sources),
                "unconfirmed": list(law.unconfirmed),
                "factors": [
                    {
                        "label": TIA_FACTOR_LABELS[factor.name],
                        "value": percent(factor.value),
                        "source": factor.source,
                    }
                    for factor in item.factors
                ],
                "yearly": percent(item.yearly),
            }
        )
    return {
        "conclusion": result.conclusion.value,
        "conclusion_label": TIA_CONCLUSION_LABELS[result.conclusion.value],
        "rule": result.rule,
        "rule_title": rule_label(result.rule),
        "date": result.date.isoformat(),
        "assessor": result.assessor,
        "answers_file": result.answers_file,
        "researched": result.researched,
        "country": result.country,
        "answers": [
            {"question": TIA_ANSWER_LABELS[key], "answer": _answer_text(value, names)}
            for key, value in answers.items()
        ],
        "laws": laws,
        "years": f"{result.years:g}",
        "years_source": result.years_source,
        "yearly_all": percent(result.yearly),
        "combination": result.combination,
        "probability": percent(result.probability),
        "threshold": percent(result.threshold),
        "above": result.above_threshold,
    }


@functools.lru_cache(maxsize=256)
def _profile(profile: CountryProfile | None) -> dict[str, Any] | None:
    """A country profile as plain values (cached: many transfers share one)."""
    if profile is None:
        return None

    def items(values: Any) -> list[dict[str, Any]]:
        return [
            {
                "title": item.title,
                "summary": item.summary,
                "sources": _links(item.sources),
                "date": item.day.isoformat() if item.day else None,
                "by": item.by,
            }
            for item in values
        ]

    return {
        "name": profile.name,
        "reviewed": profile.reviewed.isoformat(),
        "sections": [
            {
                "heading": "Data protection law",
                "entries": items(profile.data_protection_law),
            },
            {
                "heading": "Data protection authority",
                "entries": items([profile.authority] if profile.authority else []),
            },
            {
                "heading": "Public-authority access",
                "entries": items(profile.public_authority_access),
            },
            {"heading": "Oversight", "entries": items(profile.oversight)},
            {"heading": "Redress", "entries": items(profile.redress)},
            {
                "heading": "Assessments by EU bodies",
                "entries": items(profile.eu_assessments),
            },
        ],
        "concerns": profile.access_concerns.replace("_", " "),
        "concerns_basis": profile.access_concerns_basis,
        "unconfirmed": list(profile.unconfirmed),
    }


def _laws(assessment: Assessment) -> str:
    """What the report applies: ``GDPR Chapter V``, with the UK and Swiss laws."""
    names = ["GDPR Chapter V"] + [
        REGIME_NAMES[regime] for regime in assessment.regimes if regime != "EU"
    ]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _counts(assessment: Assessment) -> dict[str, Any]:
    """
    Transfers by status and the findings that are not transfers, counted apart.

    With one regime a finding is a flow; with the UK or Swiss regime too, a flow has
    one finding per regime that applies, and the counts are over findings (`unit`).
    """
    transfers = [finding for finding in assessment.findings if finding.transfer]
    counts: dict[str, Any] = {
        "unit": "flows" if len(assessment.regimes) <= 1 else "findings",
        "findings": len(assessment.findings),
        "flows": len({finding.flow for finding in assessment.findings}),
        "transfers": len(transfers),
        "not_transfers": len(assessment.findings) - len(transfers),
        "inactive": len(assessment.inactive),
    }
    for status in Status:
        counts[status.value] = sum(finding.status is status for finding in transfers)
    counts["not_transfers_attention"] = sum(
        finding.status is not Status.OK
        for finding in assessment.findings
        if not finding.transfer
    )
    return counts


class Rows:
    """
    Rows of a report made when they are read, anew each time: never all in memory.

    A report of a million flows has millions of rows of findings and transfer pages;
    templates loop over a `Rows` like a list, and the report folder is written one
    page at a time while the rows are made.

    Args:
        make: Returns an iterator over the rows.
    """

    def __init__(self, make: Callable[[], Iterator[Any]]) -> None:
        """Keep the function that makes the rows."""
        self._make = make

    def __iter__(self) -> Iterator[Any]:
        """Make the rows, one at a time."""
        return self._make()

    def map(self, function: Callable[[Any], Any]) -> Rows:
        """The same rows, each passed through `function` when it is read."""
        return Rows(lambda: map(function, self._make()))


def report_context(
    datamap: DataMap,
    assessment: Assessment,
    refdata: ReferenceData,
    *,
    page_names: Mapping[tuple[str, str], str],
    profiles: Mapping[str, CountryProfile] | None = None,
) -> dict[str, Any]:
    """
    Everything the index page and the transfer pages show, as plain values.

    The findings that are restricted transfers and those that are not (each in the
    index's order, worst first) and the transfers (one per transfer page) are
    `Rows`: each row is made when a template reads it.

    Args:
        datamap: The map.
        assessment: Its assessment.
        refdata: The reference data used.
        page_names: The page of each restricted transfer, by flow id and regime.
        profiles: Country profiles; the packaged ones when omitted.
    """
    profiles = load_country_profiles() if profiles is None else profiles
    graph = FlowGraph(datamap)
    chains = {
        regime: _Chains(
            datamap,
            assessment.for_regime(regime),
            graph.propagate(assessment.as_of, refdata, regime=regime),
        )
        for regime in assessment.regimes
    }
    pages = dict(page_names)

    def transfers() -> Iterator[dict[str, Any]]:
        for finding in assessment.findings:
            page = pages.get((finding.flow, finding.regime))
            if finding.transfer and page is not None:
                yield {
                    "page": page,
                    **transfer_context(
                        finding,
                        datamap,
                        refdata,
                        assessment.as_of,
                        profiles,
                        chains=chains[finding.regime],
                        pages=pages,
                    ),
                }

    order = list(REGIMES)
    ranked = sorted(
        assessment.findings,
        key=lambda item: (
            not item.transfer,
            -item.status.rank,
            item.flow,
            order.index(item.regime),
        ),
    )

    def findings(transfer: bool) -> Rows:
        """The index's rows of the findings that are (or are not) transfers."""

        def make() -> Iterator[dict[str, Any]]:
            for finding in ranked:
                if bool(finding.transfer) is transfer:
                    page = pages.get((finding.flow, finding.regime))
                    yield _finding_row(finding, datamap, page)

        return Rows(make)

    return {
        "organisation": datamap.organisation,
        "as_of": assessment.as_of.isoformat(),
        "reference_version": assessment.reference_version,
        "reference_sha256": assessment.reference_sha256,
        "counts": _counts(assessment),
        "laws": _laws(assessment),
        "inactive": list(assessment.inactive),
        "transfer_findings": findings(transfer=True),
        "other_findings": findings(transfer=False),
        "transfers": Rows(transfers),
    }


def _finding_row(
    finding: Finding, datamap: DataMap, page: str | None
) -> dict[str, Any]:
    """One row of the index's tables of findings."""
    first = next(
        (item for item in finding.recommendations if item.action is not Action.NONE),
        None,
    )
    return {
        "flow": finding.flow,
        "regime": finding.regime,
        "law": REGIME_NAMES[finding.regime],
        "page": page,
        "route": (
            f"{datamap.entity(finding.exporter).name} "
            f"({finding.exporter_country or '?'}) → "
            f"{datamap.entity(finding.importer).name} "
            f"({finding.importer_country or finding.importer_organisation})"
        ),
        "transfer": finding.transfer,
        "onward": finding.onward,
        "status": finding.status.value,
        "status_label": status_label(finding.status),
        "basis_label": basis_label(finding.basis),
        "basis_is_scc": finding.basis.value == "scc",
        "scc_module": finding.scc_module,
        "first": f"{action_label(first.action)}: {first.detail}" if first else "",
        "chain": " → ".join(
            chain_display(
                finding.chain,
                finding.chain_omitted,
                lambda item: datamap.entity(item).name,
            )
        ),
    }
