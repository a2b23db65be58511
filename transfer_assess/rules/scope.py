"""
Whether a flow is a restricted transfer at all (GDPR Art. 44, Recital 26, Art. 3(2)).

The first rule that applies decides: anonymous data is not personal data; data going
to an importer inside the EEA is not a transfer; a flow that carries no data of EEA
origin is out of scope; anything else is a transfer, onward when the exporter is not
itself subject to the GDPR.
"""

from __future__ import annotations

from transfer_assess.findings import Basis, Status
from transfer_assess.model import Mechanism
from transfer_assess.rules.base import Context, Outcome, Rule, Trace, party

ANONYMISED = Rule(
    id="EU.SCOPE.ANONYMISED",
    title="Anonymous data is not personal data",
    articles=("GDPR Recital 26", "WP29 Opinion 05/2014 on Anonymisation Techniques"),
    logic=(
        "A flow marked anonymised carries data that is anonymous in the importer's "
        "hands, so Chapter V does not apply: basis not_personal_data, status ok. "
        "Producing anonymous data is itself processing, and pseudonymised data is "
        "still personal data."
    ),
    example="A monthly statistics extract sent to the group's headquarters.",
)
EEA_INTERNAL = Rule(
    id="EU.SCOPE.EEA",
    title="Both ends inside the EEA",
    articles=("GDPR Art. 44", "EEA Agreement"),
    logic=(
        "Exporter and importer are both inside the EEA on the date (the United "
        "Kingdom as an exporter until 2020-12-31): no transfer, basis eea. For a "
        "UK importer from 2021-01-01 to 2021-06-27 the basis is also eea, but the "
        "reason names the EU-UK Trade and Cooperation Agreement's bridge (Art. "
        "FINPROV.10A), under which transfers to the UK were not treated as "
        "transfers to a third country: the UK was not in the EEA."
    ),
    example="A German affiliate sends orders to a Dutch logistics provider.",
)
INBOUND = Rule(
    id="EU.SCOPE.INBOUND",
    title="Data coming into the EEA",
    articles=("GDPR Art. 44", "EDPB Guidelines 05/2021"),
    logic=(
        "The importer is inside the EEA on the date but the exporter is not: data "
        "coming in is not a Chapter V transfer, basis not_in_scope. As an importer "
        "the United Kingdom counts as inside until 2021-06-27 (membership, then "
        "the withdrawal transition, then the trade agreement's bridge)."
    ),
    example="The Chinese headquarters sends a report back to the German affiliate.",
)
NO_PROTECTED_DATA = Rule(
    id="EU.SCOPE.NO_PROTECTED_DATA",
    title="No data of EEA origin moves",
    articles=("GDPR Art. 44", "GDPR Art. 3"),
    logic=(
        "The exporter is not subject to the GDPR and holds nothing of EEA origin in "
        "the categories the flow carries (or the flow's origin list excludes the "
        "EEA): basis not_in_scope."
    ),
    example="A Japanese affiliate sends Japanese customers' data to Singapore.",
)
TRANSFER = Rule(
    id="EU.SCOPE.TRANSFER",
    title="A transfer to a third country or international organisation",
    articles=("GDPR Art. 44", "EDPB Guidelines 05/2021"),
    logic=(
        "An exporter subject to the GDPR discloses personal data to another entity "
        "outside the EEA: Chapter V applies, whether or not the importer is itself "
        "subject to the GDPR under Art. 3(2)."
    ),
    example="A French affiliate sends customer data to an Indian support centre.",
)
ONWARD = Rule(
    id="EU.SCOPE.ONWARD",
    title="An onward transfer",
    articles=("GDPR Art. 44",),
    logic=(
        "The exporter is outside the EEA and not subject to the GDPR, but holds data "
        "of EEA origin received through an earlier transfer, and passes it on: "
        "Chapter V still protects it (an onward transfer). The finding shows the chain "
        "back to the EEA."
    ),
    example="A US cloud provider passes EU customer data to its Indian sub-processor.",
)

ONWARD_REGIME = Rule(
    id="EU.ONWARD.REGIME",
    title="An onward transfer governed by the UK's or Switzerland's own rules",
    articles=("GDPR Art. 44", "GDPR Art. 45(2)(a)"),
    logic=(
        "EEA data reached an exporter in the United Kingdom or Switzerland over a "
        "flow resting on an EU adequacy decision, which relies on that country's own "
        "rules for onward transfers: the EU finding names the UK (or CH) finding and "
        "takes its basis, status and recommendations. Data that arrived under SCCs "
        "or another Art. 46 tool, even one signed besides the decision, keeps the "
        "EU onward rules (the SCCs' onward clauses)."
    ),
    example="EEA data sent to a UK affiliate under the UK decision, then on to India.",
)

RULES = (
    ANONYMISED,
    EEA_INTERNAL,
    INBOUND,
    NO_PROTECTED_DATA,
    TRANSFER,
    ONWARD,
    ONWARD_REGIME,
)


def _framework_rules(context: Context, carried: tuple[str, ...]) -> str:
    """
    The adequate country's own onward rules, when the data arrived by adequacy.

    An adequacy decision relies on the destination's rules for onward transfers
    (GDPR Art. 45(2)(a)); ``onward_rules`` in ``adequacy.json`` names them.
    """
    protection, exporter = context.protection, context.exporter
    inbound_id = protection.inbound(exporter.id, carried)
    if inbound_id is None:  # pragma: no cover - an onward exporter has an inbound hop
        return ""
    inbound = context.datamap.flow(inbound_id)
    if inbound.mechanism is not Mechanism.ADEQUACY:
        return ""
    for decision in context.refdata.decisions_for(
        exporter.jurisdiction, context.day, regime=context.regime
    ):
        if decision.onward_rules is not None:
            rules = decision.onward_rules.reference
        elif decision.scope.certification is None:
            rules = f"the law of {exporter.jurisdiction}"
        else:
            continue
        return (
            f" The data arrived by flow {inbound.id} under {decision.reference}, "
            f"which relies on the destination's own rules for onward transfers: "
            f"{rules}."
        )
    return ""


_STATUS_WORDS = {
    "eu_member": "an EU member state",
    "eea_efta": "an EEA EFTA state",
    "withdrawal_transition": "in the withdrawal transition period, still treated "
    "as an EU member state",
    "tca_bridge": "under the EU-UK Trade and Cooperation Agreement's bridge, which "
    "treated transfers to it as not going to a third country",
}


def evaluate(context: Context, trace: Trace) -> Outcome:
    """Decide whether the flow is a transfer, and whether onward."""
    flow, exporter, importer = context.flow, context.exporter, context.importer
    if flow.anonymised:
        trace.add(
            ANONYMISED,
            f"Flow {flow.id} from {party(exporter)} to {party(importer)} is marked "
            "anonymised: the importer receives no personal data, so Chapter V does "
            "not apply. Producing the anonymous data is itself processing under the "
            "GDPR, and pseudonymised data is not anonymous.",
        )
        return Outcome(transfer=False, basis=Basis.NOT_PERSONAL_DATA, status=Status.OK)
    refdata, day = context.refdata, context.day
    importer_period = (
        refdata.membership_on(importer.country, day) if importer.country else None
    )
    if importer_period is not None and importer_period.inside_as_importer:
        where = _STATUS_WORDS.get(importer_period.status, importer_period.status)
        if refdata.is_eea(exporter.country, day, as_importer=False):
            if importer_period.status == "tca_bridge":
                trace.add(
                    EEA_INTERNAL,
                    f"{party(importer)} is not in the EEA, but on {day.isoformat()} "
                    f"{importer.country} is {where}: flow {flow.id} from "
                    f"{party(exporter)} is not a transfer to a third country.",
                    "GDPR Art. 44",
                    importer_period.citation,
                )
                return Outcome(transfer=False, basis=Basis.EEA, status=Status.OK)
            trace.add(
                EEA_INTERNAL,
                f"{party(exporter)} and {party(importer)} both count as inside the EEA "
                f"on {day.isoformat()} ({importer.country} is {where}): no transfer.",
                "GDPR Art. 44",
                importer_period.citation,
            )
            return Outcome(transfer=False, basis=Basis.EEA, status=Status.OK)
        trace.add(
            INBOUND,
            f"{party(importer)} counts as inside the EEA for importers on "
            f"{day.isoformat()} ({importer.country} is {where}) and {party(exporter)} "
            "does not count as an exporter inside it: data coming in is not a "
            "Chapter V transfer.",
            "GDPR Art. 44",
            importer_period.citation,
        )
        return Outcome(transfer=False, basis=Basis.NOT_IN_SCOPE, status=Status.OK)
    carried = context.protection.carried(flow)
    if not context.exporter_subject and not carried:
        trace.add(
            NO_PROTECTED_DATA,
            f"{party(exporter)} is not subject to the GDPR on {day.isoformat()} and "
            f"holds no data of EEA origin among what flow {flow.id} carries to "
            f"{party(importer)}: not in scope of Chapter V.",
        )
        return Outcome(transfer=False, basis=Basis.NOT_IN_SCOPE, status=Status.OK)
    destination = (
        f"the international organisation {importer.international_organisation}"
        if importer.country is None
        else f"the third country {importer.country}"
    )
    if context.exporter_subject:
        why = (
            "is subject to the GDPR under Art. 3(2)"
            if exporter.subject_to_gdpr
            and not refdata.is_eea(exporter.country, day, as_importer=False)
            else "is established in the EEA"
        )
        trace.add(
            TRANSFER,
            f"{party(exporter)} {why} and discloses personal data to "
            f"{party(importer)} in {destination}: a transfer under Chapter V"
            + (
                "; the importer being subject to the GDPR under Art. 3(2) does not "
                "change that."
                if importer.subject_to_gdpr
                else "."
            ),
        )
        return Outcome(transfer=True, basis=Basis.NONE, status=Status.GAP, onward=False)
    chains = context.protection.chains(exporter.id, carried)
    if len(chains) == 1:
        route = f"it reached {exporter.id} along {chains[0][0].text()}"
    else:
        route = f"it reached {exporter.id} " + "; ".join(
            f"along {chain.text()} ({', '.join(keys)})" for chain, keys in chains
        )
    trace.add(
        ONWARD,
        f"{party(exporter)} is not subject to the GDPR but holds data of EEA origin "
        f"that flow {flow.id} carries ({', '.join(carried)}); {route}"
        + ("" if len(chains) == 1 else ", each chain along flows that carried them")
        + f". Passing it to "
        f"{party(importer)} in {destination} is an onward transfer."
        + _framework_rules(context, carried),
    )
    return Outcome(transfer=True, basis=Basis.NONE, status=Status.GAP, onward=True)
