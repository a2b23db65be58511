"""
The rules that turn a transfer impact assessment with answers into a status.

A ``tia`` given as a date only proves that an assessment exists; these rules fire
only for a ``tia`` record that carries the importer's answers (`transfer_assess.tia`
does the weighing). Each regime has the same four rules under its own prefix
(``EU.TIA.…``, ``UK.TIA.…``, ``CH.TIA.…``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from transfer_assess.findings import Action, Status
from transfer_assess.labels import STANDING_LABELS
from transfer_assess.refdata import country_name
from transfer_assess.rules.base import Rule, party
from transfer_assess.tia import Conclusion, TiaResult, assess_tia, percent

if TYPE_CHECKING:
    from collections.abc import Mapping

    from transfer_assess.rules.base import Context, Trace

#: The status each conclusion gives.
STATUS = {
    Conclusion.NOT_REACHED: Status.OK,
    Conclusion.EFFECTIVE: Status.OK,
    Conclusion.RESIDUAL: Status.ATTENTION,
    Conclusion.DO_NOT_TRANSFER: Status.GAP,
}
_CITATIONS = (
    "CJEU C-311/18 (Schrems II)",
    "EDPB Recommendations 01/2020",
    "EDPB Recommendations 02/2020",
)
_USE_CASES_EFFECTIVE = "EDPB Recommendations 01/2020, Annex 2, use cases 1 to 5"
_USE_CASES_CLEAR = "EDPB Recommendations 01/2020, Annex 2, use cases 6 and 7"


def conclusion_rules(
    prefix: str, articles: tuple[str, ...] = ()
) -> dict[Conclusion, Rule]:
    """
    The four conclusion rules of a regime.

    Args:
        prefix: The regime's id (``EU``, ``UK``, ``CH``).
        articles: The regime's own provisions on the assessment, cited first.
    """
    cited = (*articles, *_CITATIONS)
    answered = (
        "Fires only for a tia record with answers (a tia given as a date keeps the "
        "date check alone). Where an adequacy decision covers the flow, the "
        "conclusion about the declared Art. 46 tool kept as a fallback is recorded "
        "for information and changes nothing (EU only). "
    )
    return {
        Conclusion.NOT_REACHED: Rule(
            id=f"{prefix}.TIA.NOT_REACHED",
            title="No problematic destination law reaches the importer",
            articles=cited,
            logic=answered
            + "Every access law of the destination in force on the date (reference "
            "data, access_laws.json) either meets the four European Essential "
            "Guarantees or does not reach the importer (it reaches none of the "
            "importer's classes, by the importer's answer no, or it compels no "
            "importer). Status ok.",
            example="A US importer that answers no for FISA s. 702 and the CLOUD Act.",
        ),
        Conclusion.EFFECTIVE: Rule(
            id=f"{prefix}.TIA.EFFECTIVE",
            title="A problematic law applies but the measures are effective",
            articles=(*cited, _USE_CASES_EFFECTIVE),
            logic=answered
            + "A law that fails or may fail the guarantees may reach the importer, "
            "but what it would obtain is unintelligible: encrypted with keys held "
            "by the exporter, pseudonymised with the key kept in the EEA, encrypted "
            "while it only transits, or split so that no party sees it whole (EDPB "
            "use cases 1 to 5). Status ok.",
            example="Backups stored in China, encrypted with keys held in Germany.",
        ),
        Conclusion.RESIDUAL: Rule(
            id=f"{prefix}.TIA.RESIDUAL",
            title="Residual risk: a decision is needed",
            articles=cited,
            logic=answered
            + "The importer sees the data in clear and a law that may fall short of "
            "the guarantees (a standing partly met or unconfirmed) may reach it, or "
            "a failing law's reach is not established (answer unknown or none), or "
            "the reference data holds no researched law for the destination. The "
            "calculated probability of a lawful-access event over the transfer "
            "period is shown against the policy threshold (a setting) as evidence "
            "for the decision, never as the decision. Status attention, action "
            "supplementary measures.",
            example="A US cloud provider that answers yes for the CLOUD Act and sees "
            "data in clear.",
        ),
        Conclusion.DO_NOT_TRANSFER: Rule(
            id=f"{prefix}.TIA.DO_NOT_TRANSFER",
            title="Do not transfer: the importer sees data in clear under a failing "
            "law",
            articles=(*cited, _USE_CASES_CLEAR),
            logic=answered
            + "A law that fails the guarantees (a standing not met) reaches the "
            "importer (by the law itself or by the importer's answer yes) and the "
            "importer sees the data in clear: no effective supplementary measure is "
            "known (EDPB use cases 6 and 7). Status gap, action stop the transfer "
            "unless the data can be made unintelligible to the importer.",
            example="An Indian support centre that reads EU tickets in clear.",
        ),
    }


#: The EU's conclusion rules.
EU_RULES = conclusion_rules("EU")


def _percent(value: float) -> str:
    """`percent` without a zero fraction, for reasons (``10%``)."""
    return percent(value).replace(".00%", "%")


def _law_phrase(result: TiaResult) -> str:
    concerns = [item for item in result.laws if item.concerns]
    if not result.researched:
        return (
            f"the reference data holds no researched access law of "
            f"{result.country or 'the destination'}"
        )
    if not concerns:
        return "no access law that falls short of the guarantees reaches the importer"
    listed = "; ".join(
        f"{item.law.citation} ({item.law.id}: {STANDING_LABELS[item.law.assessment]}, "
        f"reached: {item.reached})"
        for item in concerns
    )
    return f"laws that may reach the importer: {listed}"


def judge(
    context: Context,
    trace: Trace,
    rules: Mapping[Conclusion, Rule],
    *,
    what: str = "transfer impact assessment",
) -> Status:
    """
    Conclude a flow's transfer impact assessment with answers; record why.

    Returns ok when the flow's ``tia`` has no answers (nothing to conclude).
    """
    flow = context.flow
    record = flow.tia_record
    if record is None or record.answers is None:
        return Status.OK
    importer = context.importer
    result = assess_tia(
        flow,
        record,
        record.answers,
        importer.country,
        context.refdata.access_laws(importer.country, context.day),
        rules={key: rule.id for key, rule in rules.items()},
        default_years=context.settings.tia_default_transfer_years,
        threshold=context.settings.tia_probability_threshold,
    )
    trace.tia = result
    rule = rules[result.conclusion]
    side = "above" if result.above_threshold else "at or below"
    calculation = (
        f"calculated probability of a lawful-access event over {result.years:g} "
        f"years: {_percent(result.probability)}, {side} the policy threshold of "
        f"{_percent(result.threshold)} (evidence, not the decision)"
        if result.researched
        # With no law researched there is nothing to multiply: a 0 % would read
        # as reassurance where nothing can be concluded.
        else "no probability is calculated without a researched law"
    )
    trace.add(
        rule,
        f"The {what} of flow {flow.id} ({record.date.isoformat()}) with the answers "
        f"for {party(importer)}: {_law_phrase(result)}; {calculation}.",
    )
    home = _home(context)
    if result.conclusion is Conclusion.RESIDUAL:
        trace.ask(
            Action.SUPPLEMENTARY_MEASURES,
            f"Decide on the residual risk of flow {flow.id} and document the "
            "decision: make the data unintelligible to the importer (encryption "
            f"with keys held in {home}, pseudonymisation), or confirm with the "
            "importer and counsel that the laws listed do not reach it.",
            *rule.articles,
        )
    elif result.conclusion is Conclusion.DO_NOT_TRANSFER:
        trace.ask(
            Action.STOP_TRANSFER,
            f"Stop flow {flow.id}, or change it so that the importer no longer sees "
            f"the data in clear (encryption with keys held in {home}, "
            f"pseudonymisation with the key kept in {home}).",
            *rule.articles,
        )
    return STATUS[result.conclusion]


def _home(context: Context) -> str:
    """Where the regime's protection holds: the EEA, or the regime's countries."""
    spec = context.law
    if spec is None or spec.territory is None:
        return "the EEA"
    names = (country_name(code) for code in spec.territory)
    # "the United Kingdom", but "Switzerland".
    return " or ".join(
        f"the {name}" if name.startswith("United ") else name for name in names
    )


__all__ = ["EU_RULES", "STATUS", "conclusion_rules", "judge"]
