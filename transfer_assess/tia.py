"""
The conclusion of a transfer impact assessment, from destination law and answers.

For a flow whose ``tia`` record carries the importer's answers, `assess_tia` takes
the destination's access laws in force on the date (``access_laws.json``) and finds,
law by law, whether the law reaches this importer and whether the importer can hand
over intelligible data. It concludes (EDPB Recommendations 01/2020, steps 3 and 4):

- ``not_reached``: no law that falls short of the European Essential Guarantees
  reaches the importer;
- ``effective``: such a law applies, but what the importer holds is unintelligible
  to it (encryption with keys held by the exporter, pseudonymisation with the key in
  the EEA, encrypted transit, split processing: EDPB use cases 1 to 5);
- ``residual``: such a law may apply to data the importer sees in clear, but it is
  not established that it fails the guarantees or reaches the importer: a decision
  is needed;
- ``do_not_transfer``: a law that fails the guarantees reaches the importer and the
  importer sees the data in clear (EDPB use cases 6 and 7).

Beside the conclusion it computes, as evidence and never as the decision, the
probability of a lawful-access event over the transfer period, in the style of the
published quantitative methods: per law, a yearly probability that is the product of
three factors (a request comes, the law reaches the importer, the data obtained is
intelligible), each with its value and where it comes from (an answer, the map, the
reference data or a documented default), combined over the laws (`_combined`: one
shared request rate when the importer's answer counts the requests) and the years. The
defaults are the constants below and ``docs/tia.md``; the threshold the result is
compared with is a policy setting (`transfer_assess.rules.Settings`).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import attrs

from transfer_assess.model import (
    DataForm,
    ImporterAccess,
    KeyHolder,
    Measure,
    Reach,
    TiaAnswers,
    to_tuple,
)

if TYPE_CHECKING:
    from datetime import date

    from transfer_assess.access_laws import AccessLaw
    from transfer_assess.model import Flow, TiaRecord

#: Yearly probability of a request when neither the answers nor the data give one:
#: a request every year (the cautious assumption).
DEFAULT_REQUEST = 1.0
#: Years the importer's count of requests covers when it gives no period.
DEFAULT_REQUEST_YEARS = 5
#: Chance that data encrypted with keys the importer does not hold (or encrypted in
#: transit) is intelligible to an authority that obtains it.
ENCRYPTED = 0.01
#: Chance that pseudonymised data whose key stays in the EEA is re-identified.
PSEUDONYMISED = 0.1
#: Chance that data split over parties none of which sees it whole is intelligible.
SPLIT = 0.01


class Conclusion(enum.Enum):
    """What a transfer impact assessment with answers concludes."""

    NOT_REACHED = "not_reached"
    EFFECTIVE = "effective"
    RESIDUAL = "residual"
    DO_NOT_TRANSFER = "do_not_transfer"


@attrs.frozen
class Factor:
    """One factor of the calculation: its value and where the value comes from."""

    name: str
    """``request``, ``reach`` or ``intelligible``."""
    value: float
    """A probability from 0 to 1."""
    source: str
    """Where it comes from: the answer, the map, the law's data or a default."""


@attrs.frozen
class LawResult:
    """One access law weighed for one transfer."""

    law: AccessLaw = attrs.field(eq=False)
    """The law."""
    reached: str
    """``yes``, ``no`` or ``unknown``: whether the law reaches the importer."""
    definite: bool
    """Whether the reach is established (by the law or by a yes), not assumed."""
    factors: tuple[Factor, ...] = attrs.field(converter=to_tuple)
    """Request, reach and intelligibility, in that order."""

    @property
    def yearly(self) -> float:
        """The product of the factors: the yearly probability for this law."""
        result = 1.0
        for factor in self.factors:
            result *= factor.value
        return result

    @property
    def protected(self) -> bool:
        """Whether a technical measure makes what this law reaches unintelligible."""
        return self.factors[-1].value < 1.0

    @property
    def concerns(self) -> bool:
        """Whether the law falls short of the guarantees and may reach the data."""
        return self.law.problematic and self.reached != "no"


@attrs.frozen
class TiaResult:
    """The conclusion of a transfer impact assessment, with its calculation."""

    conclusion: Conclusion
    """What the assessment concludes."""
    rule: str
    """The id of the rule that reached it (``EU.TIA.RESIDUAL``)."""
    date: date
    """The assessment's date."""
    assessor: str | None
    """Who made it."""
    answers: TiaAnswers
    """The importer's answers."""
    answers_file: str | None
    """The sheet the answers came from, if any."""
    country: str | None
    """The destination."""
    researched: bool
    """Whether the reference data holds researched law for the destination."""
    laws: tuple[LawResult, ...] = attrs.field(converter=to_tuple)
    """Every access law of the destination in force on the date."""
    years: float
    """The transfer period of the calculation."""
    years_source: str
    """Where the period comes from."""
    yearly: float
    """The yearly probability of a lawful-access event, all laws together."""
    combination: str
    """How the laws were combined into `yearly`, in words."""
    probability: float
    """The probability of at least one lawful-access event over the period."""
    threshold: float
    """The policy threshold the probability is compared with."""

    @property
    def above_threshold(self) -> bool:
        """Whether the probability is above the policy threshold."""
        return self.probability > self.threshold


_SHARED = (
    "one request rate for all laws, as the answer counts requests from every "
    "authority, times the chance that at least one law yields intelligible data"
)


def percent(value: float) -> str:
    """A probability as a percentage with two decimals (``14.29%``)."""
    return f"{value * 100:.2f}%"


def _combined(results: tuple[LawResult, ...], *, shared: bool) -> tuple[float, str]:
    """
    The yearly probability of a lawful-access event, all laws together, and how.

    When the importer's answer gives the requests it received, that count covers
    every authority of the destination: it is one observation, so the laws share
    one request rate, which is multiplied by the chance that at least one law yields
    intelligible data. Counting it once per law would multiply the same evidence.
    Otherwise each law's request rate is its own (reference data or default) and
    the laws are combined as independent sources of requests.
    """
    if not results:
        return 0.0, "no access law of the destination"
    if shared:
        request = results[0].factors[0].value
        nothing = 1.0
        for item in results:
            nothing *= 1.0 - item.factors[1].value * item.factors[2].value
        return request * (1.0 - nothing), _SHARED
    nothing = 1.0
    for item in results:
        nothing *= 1.0 - item.yearly
    return 1.0 - nothing, "the laws as independent sources of requests"


def _measures(flow: Flow, answers: TiaAnswers) -> frozenset[str]:
    return frozenset(flow.measures) | frozenset(answers.measures)


def _request(answers: TiaAnswers, law: AccessLaw) -> Factor:
    """The yearly probability that an authority asks for the data."""
    if answers.requests_received is not None:
        years = answers.requests_years or DEFAULT_REQUEST_YEARS
        hits = min(answers.requests_received, years)
        value = (hits + 1) / (years + 2)
        period = (
            f"{years} years" if answers.requests_years else f"{years} years (default)"
        )
        return Factor(
            "request",
            value,
            f"answer: {answers.requests_received} requests in {period}; "
            f"rule of succession ({hits} + 1) / ({years} + 2)",
        )
    if law.requests_per_year is not None:
        return Factor(
            "request",
            law.requests_per_year,
            f"reference data: yearly probability given for {law.id}",
        )
    return Factor(
        "request",
        DEFAULT_REQUEST,
        "default: not answered, a request every year is assumed",
    )


def _reach(answers: TiaAnswers, law: AccessLaw) -> tuple[str, bool, Factor]:
    """Whether the law reaches the importer: reached, established, and the factor."""
    if law.reaches_everyone:
        return "yes", True, Factor("reach", 1.0, "law: reaches every organisation")
    if law.access_in_transit:
        return (
            "yes",
            True,
            Factor(
                "reach", 1.0, "law: reaches the data in transit, without the importer"
            ),
        )
    if not law.reaches:
        return "no", True, Factor("reach", 0.0, "law: compels no importer")
    answer = answers.reach(law.id)
    where = "answer"
    if answer is None:
        by_class = {key: answers.in_class(key) for key in law.reaches}
        named = ", ".join(sorted(by_class))
        if any(value is Reach.YES for value in by_class.values()):
            answer, where = Reach.YES, f"answer for the classes {named}"
        elif all(value is Reach.NO for value in by_class.values()):
            answer, where = Reach.NO, f"answer for the classes {named}"
        elif any(value is Reach.UNKNOWN for value in by_class.values()):
            answer, where = Reach.UNKNOWN, f"answer for the classes {named}"
    if answer is Reach.YES:
        return "yes", True, Factor("reach", 1.0, f"{where}: yes")
    if answer is Reach.NO:
        return "no", True, Factor("reach", 0.0, f"{where}: no")
    if answer is Reach.UNKNOWN:
        return (
            "unknown",
            False,
            Factor("reach", 1.0, f"{where}: unknown; counted as reached"),
        )
    return (
        "unknown",
        False,
        Factor("reach", 1.0, "default: not answered; counted as reached"),
    )


def _intelligible(flow: Flow, answers: TiaAnswers, law: AccessLaw) -> Factor:
    """The chance that what the law reaches is intelligible to the authority."""
    measures = _measures(flow, answers)
    transit = Measure.ENCRYPTION_IN_TRANSIT.value in measures
    if law.access_in_transit or answers.transit_only:
        if transit:
            return Factor(
                "intelligible",
                ENCRYPTED,
                "default: encrypted in transit (measure encryption_in_transit)",
            )
        if law.access_in_transit:
            return Factor("intelligible", 1.0, "map: not encrypted in transit")
    if Measure.SPLIT_PROCESSING.value in measures:
        return Factor(
            "intelligible",
            SPLIT,
            "default: split processing (measure split_processing)",
        )
    form = answers.data_form
    source = "answer"
    if form is None:
        form = {
            ImporterAccess.CLEARTEXT: DataForm.CLEAR,
            ImporterAccess.PSEUDONYMISED: DataForm.PSEUDONYMISED,
            ImporterAccess.ENCRYPTED: DataForm.ENCRYPTED,
            ImporterAccess.NONE: DataForm.ENCRYPTED,
        }[flow.importer_access]
        source = "map (importer_access)"
    if form is DataForm.ENCRYPTED:
        keys = answers.keys_held_by
        if keys is None and Measure.EXPORTER_HELD_KEYS.value in measures:
            keys = KeyHolder.EXPORTER
        if keys is KeyHolder.EXPORTER:
            return Factor(
                "intelligible",
                ENCRYPTED,
                f"default: {source} encrypted, keys held by the exporter",
            )
        held = (
            "by the importer" if keys is KeyHolder.IMPORTER else "by an unknown party"
        )
        return Factor("intelligible", 1.0, f"{source}: encrypted, keys held {held}")
    if form is DataForm.PSEUDONYMISED:
        in_eea = answers.pseudonymisation_key_in_eea
        if in_eea is None and Measure.PSEUDONYMISATION.value in measures:
            in_eea = True
        if in_eea:
            return Factor(
                "intelligible",
                PSEUDONYMISED,
                f"default: {source} pseudonymised, key kept in the EEA",
            )
        return Factor(
            "intelligible", 1.0, f"{source}: pseudonymised, key not kept in the EEA"
        )
    return Factor("intelligible", 1.0, f"{source}: the importer sees the data in clear")


def _researched(laws: tuple[AccessLaw, ...]) -> bool:
    """Whether any law of the destination was researched (not all unconfirmed)."""
    return any(
        law.reaches
        or law.access_in_transit
        or any(item.standing != "unconfirmed" for item in law.guarantees.values())
        for law in laws
    )


def conclusion_of(laws: tuple[LawResult, ...], *, researched: bool) -> Conclusion:
    """
    The conclusion from the laws weighed (see the module's description).

    Args:
        laws: The destination's laws, weighed for the transfer.
        researched: Whether the destination's law was researched at all.
    """
    if not researched:
        return Conclusion.RESIDUAL
    concerns = [item for item in laws if item.concerns]
    if not concerns:
        return Conclusion.NOT_REACHED
    exposed = [item for item in concerns if not item.protected]
    if not exposed:
        return Conclusion.EFFECTIVE
    if any(item.law.assessment == "fails" and item.definite for item in exposed):
        return Conclusion.DO_NOT_TRANSFER
    return Conclusion.RESIDUAL


def assess_tia(
    flow: Flow,
    record: TiaRecord,
    answers: TiaAnswers,
    country: str | None,
    laws: tuple[AccessLaw, ...],
    *,
    rules: dict[Conclusion, str],
    default_years: float,
    threshold: float,
) -> TiaResult:
    """
    Weigh the destination's laws for one transfer and conclude.

    Args:
        flow: The flow.
        record: Its ``tia`` record.
        answers: The record's answers.
        country: The importer's country.
        laws: The destination's access laws in force on the date.
        rules: The rule id of each conclusion (the regime's).
        default_years: The transfer period when the answers give none.
        threshold: The policy threshold for the probability over the period.
    """
    results = []
    for law in laws:
        reached, definite, reach = _reach(answers, law)
        results.append(
            LawResult(
                law=law,
                reached=reached,
                definite=definite,
                factors=(
                    _request(answers, law),
                    reach,
                    _intelligible(flow, answers, law),
                ),
            )
        )
    if answers.transfer_years is not None:
        years, years_source = answers.transfer_years, "answer"
    else:
        years, years_source = default_years, "default (policy setting)"
    yearly, combination = _combined(
        tuple(results), shared=answers.requests_received is not None
    )
    remaining = (1.0 - yearly) ** years
    researched = _researched(laws)
    conclusion = conclusion_of(tuple(results), researched=researched)
    return TiaResult(
        conclusion=conclusion,
        rule=rules[conclusion],
        date=record.date,
        assessor=record.assessor,
        answers=answers,
        answers_file=record.answers_file,
        country=country,
        researched=researched,
        laws=results,
        years=years,
        years_source=years_source,
        yearly=yearly,
        combination=combination,
        probability=min(1.0, max(0.0, 1.0 - remaining)),
        threshold=threshold,
    )


__all__ = [
    "DEFAULT_REQUEST",
    "DEFAULT_REQUEST_YEARS",
    "ENCRYPTED",
    "PSEUDONYMISED",
    "SPLIT",
    "Conclusion",
    "Factor",
    "LawResult",
    "TiaResult",
    "assess_tia",
    "conclusion_of",
]
