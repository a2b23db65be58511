"""
The transfer procedure of a regime modelled on GDPR Chapter V: the UK GDPR, the FADP.

A regime here is reference data (`transfer_assess.refdata.RegimeSpec`: its territory,
the day its law applies, its articles, its transfer tools with their dates, and its
adequacy list in ``adequacy.json``) plus one rules package that builds a `Book` with
this module's `book` and adds what is the regime's own (the UK's IDTA and Addendum,
the Swiss adaptations of the EU SCCs). The procedure follows the EU one: scope, then
adequacy with its scope, then the declared tool, then the derogations. Rule ids start
with the regime's id (``UK.…``, ``CH.…``) and are documented like the EU's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from transfer_assess.findings import Action, Basis, Recommendation, Status
from transfer_assess.model import Entity, EntityKind, Frequency, Mechanism
from transfer_assess.refdata import scope_admits
from transfer_assess.rules import adequacy as eu_adequacy
from transfer_assess.rules import derogations as eu_derogations
from transfer_assess.rules.base import Context, Outcome, Rule, Trace, party
from transfer_assess.rules.safeguards import public_ends
from transfer_assess.rules.tia import conclusion_rules, judge
from transfer_assess.tia import Conclusion

if TYPE_CHECKING:
    from collections.abc import Callable

    from transfer_assess.refdata import Decision, RegimeSpec

_ART46_BASIS = {
    Mechanism.AD_HOC_CLAUSES: Basis.AD_HOC_CLAUSES,
    Mechanism.CODE_OF_CONDUCT: Basis.CODE_OF_CONDUCT,
    Mechanism.CERTIFICATION: Basis.CERTIFICATION,
}
_OCCASIONAL = frozenset({Frequency.ONE_OFF, Frequency.OCCASIONAL})


@attrs.frozen
class Book:
    """The rules of one regime, with the checks that are its own."""

    regime: str
    """The regime's id (``UK``, ``CH``)."""
    name: str
    """Its name in reasons (``UK GDPR``)."""
    anonymised: Rule
    """Anonymous data: not personal data."""
    domestic: Rule
    """Both ends inside the territory: no restricted transfer."""
    inbound: Rule
    """Data coming into the territory: not a restricted transfer."""
    transfer: Rule
    """A restricted transfer by an exporter the regime applies to."""
    onward: Rule
    """An onward transfer of the regime's data from outside its territory."""
    former_law: Rule | None
    """Dates before the modelled law applies (the former FADP), if assessed."""
    covered: Rule
    """An adequacy finding of the regime covers the importer."""
    out_of_scope: Rule
    """The destination is on the list, but the importer is outside its scope."""
    no_decision: Rule
    """The destination is not on the regime's list."""
    condition: Rule
    """A scope condition the map cannot express."""
    hr_data: Rule
    """HR data under a finding that covers it only in part."""
    watch: Rule
    """A watch note on the adequacy finding."""
    claim: Rule
    """Adequacy or the DPF claimed where it does not apply."""
    no_mechanism: Rule
    """No transfer tool."""
    tool: Rule
    """The regime's own tools (`own_tools`)."""
    module: Rule
    """The module of the EU SCCs must fit the roles."""
    risk: Rule
    """A current risk assessment for the safeguards."""
    tia_not_reached: Rule
    """An assessment with answers: no problematic law reaches the importer."""
    tia_effective: Rule
    """An assessment with answers: a problematic law applies, measures effective."""
    tia_residual: Rule
    """An assessment with answers: residual risk, a decision is needed."""
    tia_do_not_transfer: Rule
    """An assessment with answers: the importer sees data in clear under a failing
    law."""
    bcr: Rule
    """BCRs approved under the regime."""
    approval: Rule
    """Ad hoc clauses, codes and certification to verify."""
    public_body: Rule
    """Instruments between public bodies."""
    derogation: Rule
    """The regime's exceptions for specific situations."""
    foreign_tool: Rule
    """A tool of another regime."""
    own_tools: Callable[[Book, Context, Trace, bool], Outcome | None]
    """The regime's own tool checks (IDTA, Addendum, adapted SCCs)."""
    recommend_tool: Callable[[Context], Recommendation]
    """The regime's contractual tool to recommend for a gap."""

    @property
    def conclusions(self) -> dict[Conclusion, Rule]:
        """The rules that conclude an assessment with answers, by conclusion."""
        return {
            Conclusion.NOT_REACHED: self.tia_not_reached,
            Conclusion.EFFECTIVE: self.tia_effective,
            Conclusion.RESIDUAL: self.tia_residual,
            Conclusion.DO_NOT_TRANSFER: self.tia_do_not_transfer,
        }

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule, in the order the procedure applies them."""
        return tuple(
            value
            for field in attrs.fields(Book)
            if isinstance(value := getattr(self, field.name), Rule)
        )


def book(
    *,
    regime: str,
    name: str,
    articles: dict[str, str],
    own_tools: Callable[[Book, Context, Trace, bool], Outcome | None],
    recommend_tool: Callable[[Context], Recommendation],
    tool: Rule,
    former_law: Rule | None = None,
) -> Book:
    """
    Build the rules of a regime from its name and its articles.

    Args:
        regime: The id (``UK``).
        name: The law's short name (``UK GDPR``).
        articles: Citations by topic (transfers, adequacy, safeguards, scc, bcr,
            ad_hoc, public_body, derogations, risk).
        own_tools: The regime's own tool checks.
        recommend_tool: The contractual tool recommended for a gap.
        tool: The rule of the regime's own tools.
        former_law: The rule for dates before the modelled law applies, for a
            regime assessed on such dates (the FADP before its revision).
    """

    def rule(
        suffix: str, title: str, cites: tuple[str, ...], logic: str, ex: str
    ) -> Rule:
        return Rule(
            id=f"{regime}.{suffix}",
            title=title,
            articles=cites,
            logic=logic,
            example=ex,
        )

    transfers, adequacy = articles["transfers"], articles["adequacy"]
    concluding = conclusion_rules(regime, (articles["risk"],))
    return Book(
        regime=regime,
        name=name,
        anonymised=rule(
            "SCOPE.ANONYMISED",
            "Anonymous data is not personal data",
            (transfers,),
            f"A flow marked anonymised carries no personal data: the {name} "
            "transfer rules do not apply (basis not_personal_data, status ok).",
            "Monthly statistics sent to the group's headquarters.",
        ),
        domestic=rule(
            "SCOPE.DOMESTIC",
            f"Both ends inside the {name}'s territory",
            (transfers,),
            "Exporter and importer are both established in the regime's territory: "
            "no restricted transfer, basis domestic, status ok.",
            "A UK affiliate sends orders to a UK logistics provider.",
        ),
        inbound=rule(
            "SCOPE.INBOUND",
            "Data coming into the territory",
            (transfers,),
            "The importer is inside the territory and the exporter is not: data "
            "coming in is not a restricted transfer under this regime, basis "
            "not_in_scope.",
            "A US processor returns UK customers' data to the UK affiliate.",
        ),
        transfer=rule(
            "SCOPE.TRANSFER",
            "A restricted transfer",
            (transfers,),
            "An exporter established in the territory (or declared subject to the "
            "regime) discloses personal data to an importer outside it, the EEA "
            "included: the regime's transfer rules apply.",
            "A UK affiliate sends customer data to an Indian support centre.",
        ),
        onward=rule(
            "SCOPE.ONWARD",
            "An onward transfer",
            (transfers,),
            "The exporter is outside the territory but holds data of the regime's "
            "origin that reached it through an earlier transfer: the regime still "
            "protects it. The finding shows the chain back.",
            "A US cloud provider passes UK customers' data to an Indian sub-processor.",
        ),
        former_law=former_law,
        covered=rule(
            "ADEQUACY.SCOPE",
            "An adequacy finding covers the importer",
            (adequacy,),
            "The regime's own adequacy list covers the importer's country on the "
            "date, and the importer is inside its scope (sector, certification, HR "
            "data): basis adequacy, status ok.",
            "A UK controller sends data to a US processor certified under the DPF "
            "and its UK Extension in 2026.",
        ),
        out_of_scope=rule(
            "ADEQUACY.OUT_OF_SCOPE",
            "An adequacy finding exists, but the importer is outside its scope",
            (adequacy,),
            "The destination is on the regime's list, but the importer does not meet "
            "its scope (not certified, HR data without the HR certification, a "
            "public body where only the private sector is covered).",
            "A US importer certified under the EU-US DPF but not its UK Extension.",
        ),
        no_decision=rule(
            "ADEQUACY.NONE",
            "The destination is not on the regime's adequacy list",
            (adequacy, articles["safeguards"]),
            "No adequacy finding of this regime covers the destination on the date: "
            "the flow needs one of the regime's safeguards or an exception.",
            "Customer data sent from the UK to India.",
        ),
        condition=rule(
            "ADEQUACY.CONDITION",
            "A scope condition the map cannot express",
            (adequacy,),
            "The adequacy finding has a condition the data map cannot express: it is "
            "applied and the condition is stated for the user to confirm.",
            "Data sent to Israel: confirm the transfer is automated.",
        ),
        hr_data=rule(
            "ADEQUACY.HR_DATA",
            "HR data under a finding that covers it only in part",
            (adequacy,),
            "The finding covers employee data only in part (Canada): status "
            "attention, legal review.",
            "Employee records sent to a Canadian HR provider.",
        ),
        watch=rule(
            "ADEQUACY.WATCH",
            "A watch note on the adequacy finding",
            (adequacy,),
            "The reference data attaches a watch note (a pending challenge): it is "
            "repeated as a reason and a fallback is recommended; the status does not "
            "change.",
            "The UK Extension while the EU-US DPF it builds on is challenged.",
        ),
        claim=rule(
            "MECHANISM.CLAIM",
            "Adequacy or the DPF is claimed but does not apply",
            (adequacy,),
            "The map relies on adequacy (or the DPF) but the regime's list does not "
            "cover the importer on the date: gap, fix_mechanism.",
            "DPF declared for a US importer without the UK Extension.",
        ),
        no_mechanism=rule(
            "MECHANISM.NONE",
            "No transfer tool",
            (transfers, articles["safeguards"]),
            "A restricted transfer with mechanism none: basis none, status gap.",
            "A UK affiliate's data read in India with nothing signed.",
        ),
        tool=tool,
        module=rule(
            "SCC.MODULE",
            "The module of the EU SCCs must fit the roles",
            (articles["standard_clauses"],),
            "Controller to controller is module 1, controller to processor 2, "
            "processor to processor 3, processor to controller 4; a wrong or missing "
            "module is a gap naming the right one.",
            "Module 2 signed for a controller-to-controller exchange.",
        ),
        risk=rule(
            "TRA",
            "A current assessment of the transfer's risks",
            (articles["risk"],),
            "The regime's safeguards need a documented risk assessment (the UK's "
            "transfer risk assessment, the Swiss transfer impact assessment; read "
            "from the flow's tia date); none, one dated after the date, or one older "
            "than 365 days (a policy setting) gives status attention.",
            "An IDTA with a risk assessment from 2024-05-10, assessed on 2026-11-28.",
        ),
        tia_not_reached=concluding[Conclusion.NOT_REACHED],
        tia_effective=concluding[Conclusion.EFFECTIVE],
        tia_residual=concluding[Conclusion.RESIDUAL],
        tia_do_not_transfer=concluding[Conclusion.DO_NOT_TRANSFER],
        bcr=rule(
            "BCR.GROUP",
            "BCRs approved under the regime must bind both entities",
            (articles["bcr"],),
            "Both entities belong to one group whose BCRs cover the exporter's role "
            "and were approved under this regime by the date (the group's "
            f"bcr_approved_{regime.lower()}, or its bcr_approved where the regime "
            "accepts an adequate state's authority): basis bcr; otherwise a gap.",
            "A UK affiliate sends data to the group's Indian headquarters.",
        ),
        approval=rule(
            "ART46.APPROVAL",
            "Ad hoc clauses, codes of conduct and certification",
            (
                articles["ad_hoc"],
                articles.get("codes_certification", articles["safeguards"]),
            ),
            "Lawful once approved, authorised or notified as the regime requires and "
            "backed by the importer's binding commitments, which the map cannot "
            "show: basis as declared, status attention.",
            "Ad hoc clauses authorised by the supervisory authority.",
        ),
        public_body=rule(
            "PUBLIC_BODY.INSTRUMENT",
            "Instruments between public bodies",
            (articles["public_body"],),
            "An instrument between public bodies serves only when both ends are "
            "public: basis public_body_instrument, status attention; otherwise a gap.",
            "A national agency shares data with a foreign agency under a treaty.",
        ),
        derogation=rule(
            "DEROGATION",
            "Exceptions for specific situations",
            (articles["derogations"],),
            "The regime's exceptions follow the EU reading: consent, the contract "
            "exceptions, legal claims and compelling legitimate interests only for "
            "one-off or occasional flows, none of the first three for public "
            "authorities; an exception the law does not have is a gap. Admissible: "
            "basis derogation, status attention.",
            "A one-off transfer of a file to a court abroad (legal claims).",
        ),
        foreign_tool=rule(
            "MECHANISM.FOREIGN_TOOL",
            "A tool of another regime",
            (articles["safeguards"],),
            "The declared tool belongs to another regime (the UK IDTA for Swiss "
            "data, say) and is not one of this regime's safeguards: gap.",
            "Swiss-origin data sent under an IDTA.",
        ),
        own_tools=own_tools,
        recommend_tool=recommend_tool,
    )


# --- the procedure -----------------------------------------------------------------

#: The citation topic of each rule, by the part of its id after the regime.
_TOPICS = {
    "SCOPE.ANONYMISED": "transfers",
    "SCOPE.DOMESTIC": "transfers",
    "SCOPE.INBOUND": "transfers",
    "SCOPE.TRANSFER": "transfers",
    "SCOPE.ONWARD": "transfers",
    "ADEQUACY.NONE": "adequacy",
    "MECHANISM.CLAIM": "adequacy",
    "MECHANISM.NONE": "safeguards",
    "MECHANISM.FOREIGN_TOOL": "safeguards",
    "SCC.MODULE": "standard_clauses",
    "TRA": "risk",
    "BCR.GROUP": "bcr",
    "ART46.APPROVAL": "ad_hoc",
    "PUBLIC_BODY.INSTRUMENT": "public_body",
}


def _add(
    context: Context, trace: Trace, rule: Rule, text: str, *citations: str
) -> None:
    """Record a reason, citing the article in force on the date for the rule's topic."""
    if not citations:
        topic = _TOPICS.get(rule.id.split(".", 1)[1])
        if topic is not None:
            citations = (spec_of(context).article(topic),)
    trace.add(rule, text, *citations)


def evaluate(rules: Book, context: Context, trace: Trace) -> Outcome:
    """Run the regime's procedure on one flow the regime applies to."""
    outcome = _scope(rules, context, trace)
    if not outcome.transfer:
        return outcome
    former = _former_law(rules, context, trace, onward=outcome.onward)
    if former is not None:
        return former
    decided = _adequacy(rules, context, trace, onward=outcome.onward)
    if decided is not None:
        return decided
    return _mechanism(rules, context, trace, onward=outcome.onward)


def spec_of(context: Context) -> RegimeSpec:
    """
    The regime's reference data, with the citations in force on the date.

    The context of a regime other than the EU's always carries it.
    """
    assert context.law is not None  # noqa: S101 - set by the engine for every regime
    return context.law.on(context.day)


def _scope(rules: Book, context: Context, trace: Trace) -> Outcome:
    flow, exporter, importer, day = (
        context.flow,
        context.exporter,
        context.importer,
        context.day,
    )
    spec = spec_of(context)
    if flow.anonymised:
        _add(
            context,
            trace,
            rules.anonymised,
            f"Flow {flow.id} from {party(exporter)} to {party(importer)} is marked "
            f"anonymised: no personal data moves, so the {rules.name} transfer rules "
            "do not apply.",
        )
        return Outcome(transfer=False, basis=Basis.NOT_PERSONAL_DATA, status=Status.OK)
    territory = spec.territory or ()
    if importer.country in territory:
        if exporter.country in territory:
            _add(
                context,
                trace,
                rules.domestic,
                f"{party(exporter)} and {party(importer)} are both in "
                f"{importer.country}: not a restricted transfer under the "
                f"{rules.name}.",
            )
            return Outcome(transfer=False, basis=Basis.DOMESTIC, status=Status.OK)
        _add(
            context,
            trace,
            rules.inbound,
            f"{party(importer)} is in {importer.country}: data coming in from "
            f"{party(exporter)} is not a restricted transfer under the {rules.name}.",
        )
        return Outcome(transfer=False, basis=Basis.NOT_IN_SCOPE, status=Status.OK)
    destination = (
        f"the international organisation {importer.international_organisation}"
        if importer.country is None
        else importer.country
    )
    if context.exporter_subject:
        why = (
            f"is declared subject to the {rules.name}"
            if exporter.declared_subject(rules.regime)
            and exporter.country not in territory
            else f"is established in {exporter.country}"
        )
        _add(
            context,
            trace,
            rules.transfer,
            f"{party(exporter)} {why} and discloses personal data to "
            f"{party(importer)} in {destination} on {day.isoformat()}: a restricted "
            f"transfer under the {rules.name}.",
        )
        return Outcome(transfer=True, basis=Basis.NONE, status=Status.GAP)
    carried = context.protection.carried(flow)
    chain = context.protection.best_chain(exporter.id, carried)
    _add(
        context,
        trace,
        rules.onward,
        f"{party(exporter)} is not subject to the {rules.name} but holds data of "
        f"{spec.origin_code} origin that flow {flow.id} carries "
        f"({', '.join(carried)}); it arrived along {' → '.join(chain)}. Passing it "
        f"to {party(importer)} in {destination} is an onward transfer.",
    )
    return Outcome(transfer=True, basis=Basis.NONE, status=Status.GAP, onward=True)


def _former_law(
    rules: Book, context: Context, trace: Trace, *, onward: bool
) -> Outcome | None:
    spec, flow, day = spec_of(context), context.flow, context.day
    if day >= spec.applies_from or rules.former_law is None:
        return None
    status = Status.GAP if flow.mechanism is Mechanism.NONE else Status.ATTENTION
    _add(
        context,
        trace,
        rules.former_law,
        f"On {day.isoformat()} {spec.former_law or 'an earlier law'} applied (the "
        f"{rules.name} as modelled applies from {spec.applies_from.isoformat()}); "
        "its transfer rules are not modelled, so flow "
        f"{flow.id} cannot be judged here"
        + (" and names no transfer tool." if status is Status.GAP else "."),
    )
    trace.ask(
        Action.LEGAL_REVIEW,
        f"Have counsel assess flow {flow.id} under {spec.former_law or 'the law'} "
        f"as it stood on {day.isoformat()}.",
        *rules.former_law.articles,
    )
    return Outcome(transfer=True, basis=Basis.NONE, status=status, onward=onward)


def _adequacy(
    rules: Book, context: Context, trace: Trace, *, onward: bool
) -> Outcome | None:
    importer, day, refdata = context.importer, context.day, context.refdata
    spec = spec_of(context)
    article = spec.article("adequacy")
    decisions = refdata.decisions_for(importer.jurisdiction, day, regime=context.regime)
    for decision in decisions:
        failures = eu_adequacy.scope_failures(decision, context)
        if failures:
            _add(
                context,
                trace,
                rules.out_of_scope,
                f"{decision.reference} ({decision.id}) covers {importer.jurisdiction} "
                f"on {day.isoformat()}, but {party(importer)} is outside its scope: "
                f"{'; '.join(failures)}.",
                article,
                decision.reference,
            )
            continue
        return _covered(rules, decision, context, trace, onward=onward)
    if not decisions:
        _add(
            context,
            trace,
            rules.no_decision,
            f"No adequacy finding of the {rules.name} covers "
            f"{importer.jurisdiction or 'the destination'} on {day.isoformat()}, so "
            f"flow {context.flow.id} needs one of its safeguards or an exception.",
        )
    return None


def _covered(
    rules: Book, decision: Decision, context: Context, trace: Trace, *, onward: bool
) -> Outcome:
    flow, importer, day = context.flow, context.importer, context.day
    article = spec_of(context).article("adequacy")
    _add(
        context,
        trace,
        rules.covered,
        f"{decision.reference} ({decision.id}) covers {party(importer)} on "
        f"{day.isoformat()}: {decision.scope.summary}",
        article,
        decision.reference,
    )
    status = Status.OK
    for condition in decision.scope.conditions:
        _add(
            context,
            trace,
            rules.condition,
            f"{decision.reference} applies to flow {flow.id} only if this holds, "
            f"which the map cannot express; confirm it: {condition}",
            article,
            decision.reference,
        )
    if (
        flow.is_hr_data
        and decision.scope.hr_data == "legal_review"
        and not eu_adequacy.hr_coverage(context)
    ):
        status = Status.ATTENTION
        _add(
            context,
            trace,
            rules.hr_data,
            f"Flow {flow.id} carries HR data to {party(importer)}; "
            f"{decision.reference} covers employee data only in part.",
            article,
            decision.reference,
        )
        trace.ask(
            Action.LEGAL_REVIEW,
            f"Have counsel confirm that {decision.reference} covers the HR data of "
            f"flow {flow.id}; if in doubt, use the regime's contractual tool.",
            decision.reference,
        )
    for note in decision.active_watch(day):
        _add(
            context,
            trace,
            rules.watch,
            f"Watch {decision.reference}: {note.text}",
            note.reference or decision.reference,
        )
        fallback = rules.recommend_tool(context)
        trace.ask(
            fallback.action,
            f"Keep a fallback ready for flow {flow.id} in case {decision.reference} "
            f"falls. {fallback.detail}",
            *fallback.citations,
        )
    return Outcome(transfer=True, basis=Basis.ADEQUACY, status=status, onward=onward)


def _mechanism(rules: Book, context: Context, trace: Trace, *, onward: bool) -> Outcome:
    flow, importer = context.flow, context.importer
    mechanism = flow.mechanism
    own = rules.own_tools(rules, context, trace, onward)
    if own is not None:
        return own
    if mechanism in {Mechanism.ADEQUACY, Mechanism.DPF}:
        _add(
            context,
            trace,
            rules.claim,
            f"Flow {flow.id} relies on {mechanism.value}, but no adequacy finding of "
            f"the {rules.name} covers {party(importer)} on {context.day.isoformat()}.",
        )
        trace.ask(
            Action.FIX_MECHANISM,
            f"Replace the {mechanism.value} basis of flow {flow.id} with one of the "
            f"{rules.name}'s tools.",
            spec_of(context).article("transfers"),
        )
        return gap(onward)
    if mechanism is Mechanism.BCR:
        return _bcr(rules, context, trace, onward=onward)
    if mechanism in _ART46_BASIS:
        spec = spec_of(context)
        article = _approved_tool_article(spec, mechanism)
        _add(
            context,
            trace,
            rules.approval,
            f"Flow {flow.id} relies on {mechanism.value.replace('_', ' ')}; its "
            "approval and the importer's binding commitments must be verified.",
            article,
        )
        trace.ask(
            Action.LEGAL_REVIEW,
            f"Verify the approval of the {mechanism.value.replace('_', ' ')} for "
            f"flow {flow.id} by the {spec.authority}.",
            article,
        )
        check_risk(rules, context, trace)
        return Outcome(
            transfer=True,
            basis=_ART46_BASIS[mechanism],
            status=Status.ATTENTION,
            onward=onward,
        )
    if mechanism is Mechanism.PUBLIC_BODY_INSTRUMENT:
        return _public_body(rules, context, trace, onward=onward)
    if mechanism.is_derogation:
        return _derogation(rules, context, trace, onward=onward)
    if mechanism is Mechanism.NONE:
        _add(
            context,
            trace,
            rules.no_mechanism,
            f"Flow {flow.id} to {party(importer)} is a restricted transfer under the "
            f"{rules.name} and the map names no transfer tool for it.",
        )
        return gap(onward)
    _add(
        context,
        trace,
        rules.foreign_tool,
        f"Flow {flow.id} relies on {mechanism.value}, which is not a safeguard "
        f"under the {rules.name}.",
    )
    trace.ask(
        Action.FIX_MECHANISM,
        f"Put one of the {rules.name}'s tools in place for flow {flow.id}.",
        spec_of(context).article("safeguards"),
    )
    return gap(onward)


def _approved_tool_article(spec: RegimeSpec, mechanism: Mechanism) -> str:
    """
    The provision of an approved tool: ad hoc clauses, a code or a certification.

    Codes of conduct and certifications cite the regime's own provision for them
    (``codes_certification``) where the reference data has one, else the
    regime's safeguards in general, never the ad hoc clauses' provision.
    """
    if mechanism is Mechanism.AD_HOC_CLAUSES:
        return spec.article("ad_hoc")
    if "codes_certification" in spec.articles:
        return spec.article("codes_certification")
    return spec.article("safeguards")


def gap(onward: bool, module: int | None = None) -> Outcome:
    """A restricted transfer with no valid basis (the module that fits, if any)."""
    return Outcome(
        transfer=True,
        basis=Basis.NONE,
        status=Status.GAP,
        onward=onward,
        scc_module=module,
    )


def check_module(rules: Book, context: Context, trace: Trace, what: str) -> bool:
    """Whether the EU SCC module named fits the roles; records a gap if not."""
    flow, expected = context.flow, context.expected_module
    roles = f"{flow.exporter_role.value} to {flow.importer_role.value}"
    if flow.scc_module == expected:
        _add(
            context,
            trace,
            rules.module,
            f"Flow {flow.id} is {roles}, and the module of {what} is {expected}, "
            "which fits.",
        )
        return True
    # The loader requires a module for every tool built on the EU SCCs.
    signed = f"module {flow.scc_module}"
    _add(
        context,
        trace,
        rules.module,
        f"Flow {flow.id} is {roles}, which needs module {expected}; the map names "
        f"{signed} for {what}.",
    )
    trace.ask(
        Action.FIX_MECHANISM,
        f"Sign module {expected} ({roles}) for flow {flow.id} instead of {signed}.",
        spec_of(context).article("standard_clauses"),
    )
    return False


def check_risk(rules: Book, context: Context, trace: Trace) -> Status:
    """Judge the transfer risk assessment of one of the regime's safeguards."""
    flow, day = context.flow, context.day
    spec = spec_of(context)
    limit = context.settings.tia_max_age_days
    tia = flow.tia
    problem = None
    if tia is None:
        problem = f"has no documented {spec.risk_assessment}"
    elif tia > day:
        problem = f"has a {spec.risk_assessment} dated after {day.isoformat()}"
    elif (day - tia).days > limit:
        problem = (
            f"has a {spec.risk_assessment} from {tia.isoformat()}, "
            f"{(day - tia).days} days before {day.isoformat()} (more than {limit})"
        )
    concluded = Status.OK
    if tia is not None and tia <= day:
        concluded = judge(context, trace, rules.conclusions, what=spec.risk_assessment)
    if problem is None:
        return concluded
    trace.add(rules.risk, f"Flow {flow.id} {problem}.")
    trace.ask(
        Action.TIA,
        f"Document a {spec.risk_assessment} for flow {flow.id} and review it at least "
        "yearly.",
        spec.article("risk"),
    )
    return concluded.worst(Status.ATTENTION)


def _bcr(rules: Book, context: Context, trace: Trace, *, onward: bool) -> Outcome:
    flow, exporter, importer, day = (
        context.flow,
        context.exporter,
        context.importer,
        context.day,
    )
    spec = spec_of(context)
    group = context.group_of(exporter)
    approved = None
    if group is not None:
        dates = [group.bcr_approval(rules.regime)]
        if spec.bcr_foreign_approval:
            # An EEA authority's approval counts (FADP Art. 16(2)(e)).
            dates.append(group.bcr_approved)
        known = [item for item in dates if item is not None]
        approved = min(known) if known else None
    failure = None
    if group is None:
        failure = f"{party(exporter)} belongs to no group"
    elif importer.group != group.id:
        failure = f"{party(importer)} is not in the group {group.id}"
    elif late := [
        entity
        for entity in (exporter, importer)
        if entity.bcr_accession is not None and entity.bcr_accession > day
    ]:
        failure = "; ".join(
            f"{party(entity)} acceded to the group's BCRs only on "
            f"{entity.bcr_accession}"
            for entity in late
        )
    elif flow.exporter_role not in group.bcr:
        failure = (
            f"the group {group.id}'s BCRs do not serve a "
            f"{flow.exporter_role.value} exporter"
        )
    elif approved is None or approved > day:
        when = approved.isoformat() if approved else "no recorded date"
        failure = (
            f"the group's BCRs were not approved under the {rules.name} by "
            f"{day.isoformat()} ({when}; the map's "
            f"bcr_approved_{rules.regime.lower()})"
        )
    if failure is not None:
        trace.add(rules.bcr, f"Flow {flow.id} relies on BCRs, but {failure}.")
        trace.ask(
            Action.FIX_MECHANISM,
            f"Do not rely on BCRs for flow {flow.id} under the {rules.name}: "
            f"{failure}.",
            spec.article("bcr"),
        )
        return gap(onward)
    _add(
        context,
        trace,
        rules.bcr,
        f"{party(exporter)} and {party(importer)} are bound by the BCRs of "
        f"{group.id if group else ''}, approved under the {rules.name} on {approved}.",
    )
    status = check_risk(rules, context, trace)
    return Outcome(transfer=True, basis=Basis.BCR, status=status, onward=onward)


def _public_body(
    rules: Book, context: Context, trace: Trace, *, onward: bool
) -> Outcome:
    flow, exporter, importer = context.flow, context.exporter, context.importer
    if public_ends(exporter, importer):
        _add(
            context,
            trace,
            rules.public_body,
            f"Flow {flow.id} runs between two public bodies under a binding "
            "instrument, whose terms must be verified.",
        )
        trace.ask(
            Action.LEGAL_REVIEW,
            f"Verify the instrument between the public bodies of flow {flow.id}.",
            spec_of(context).article("public_body"),
        )
        check_risk(rules, context, trace)
        return Outcome(
            transfer=True,
            basis=Basis.PUBLIC_BODY_INSTRUMENT,
            status=Status.ATTENTION,
            onward=onward,
        )
    _add(
        context,
        trace,
        rules.public_body,
        f"Flow {flow.id} relies on an instrument between public bodies, but not both "
        "ends are public bodies.",
    )
    trace.ask(
        Action.FIX_MECHANISM,
        f"An instrument between public bodies cannot serve flow {flow.id}.",
        spec_of(context).article("public_body"),
    )
    return gap(onward)


def _derogation(
    rules: Book, context: Context, trace: Trace, *, onward: bool
) -> Outcome:
    flow, exporter = context.flow, context.exporter
    spec = spec_of(context)
    mechanism = flow.mechanism
    words = eu_derogations.name(mechanism)
    article = spec.derogations.get(mechanism.value)
    if article is None:
        _add(
            context,
            trace,
            rules.derogation,
            f"Flow {flow.id} relies on the {words} exception, which the {rules.name} "
            "does not have.",
            spec.article("derogations"),
        )
        trace.ask(
            Action.FIX_MECHANISM,
            f"Put one of the {rules.name}'s tools in place for flow {flow.id}.",
            spec.article("safeguards"),
        )
        return gap(onward)
    if not eu_derogations.admissible(mechanism, flow.frequency, exporter.kind):
        why = (
            "a public authority cannot rely on it in the exercise of its powers"
            if exporter.kind is EntityKind.PUBLIC_AUTHORITY
            and flow.frequency in _OCCASIONAL
            else f"it {eu_derogations.limited(mechanism)} and the flow is "
            f"{flow.frequency.text}"
        )
        _add(
            context,
            trace,
            rules.derogation,
            f"Flow {flow.id} relies on the {words} exception ({article}), but {why}.",
            article,
        )
        trace.ask(
            Action.FIX_MECHANISM,
            f"The {words} exception cannot carry flow {flow.id}; put a transfer tool "
            "in place.",
            article,
        )
        return gap(onward)
    _add(
        context,
        trace,
        rules.derogation,
        f"Flow {flow.id} relies on the {words} exception ({article}), which can "
        f"serve this {flow.frequency.text} flow; exceptions are a last resort and "
        "must be documented.",
        article,
    )
    trace.ask(
        Action.LEGAL_REVIEW,
        f"Document why the {words} exception's conditions are met for flow {flow.id}.",
        article,
    )
    return Outcome(
        transfer=True, basis=Basis.DEROGATION, status=Status.ATTENTION, onward=onward
    )


# --- recommendations ---------------------------------------------------------------


def recommend(
    rules: Book, context: Context, outcome: Outcome, trace: Trace
) -> tuple[Recommendation, ...]:
    """The recommendations for one finding of the regime, best first."""
    from transfer_assess.recommend import ACTION_RANK  # noqa: PLC0415 - see _alternatives

    if not outcome.transfer:
        return ()
    chosen: dict[Action, Recommendation] = {}
    for hint in trace.hints:
        chosen.setdefault(
            hint.action, Recommendation(hint.action, hint.detail, hint.citations)
        )
    if outcome.status is Status.OK:
        return tuple(sorted(chosen.values(), key=lambda item: ACTION_RANK[item.action]))
    if outcome.status is Status.GAP:
        # A gap the risk assessment concluded on is the destination's law, not the
        # tool: another tool would not close it (only anonymising would).
        concluded = trace.tia is not None
        for item in _alternatives(rules, context):
            if not concluded or item.action is Action.ANONYMISE:
                chosen.setdefault(item.action, item)
    return tuple(sorted(chosen.values(), key=lambda item: ACTION_RANK[item.action]))


def _alternatives(rules: Book, context: Context) -> list[Recommendation]:
    from transfer_assess.recommend import anonymise_recommendation  # noqa: PLC0415

    flow, exporter, importer, day = (
        context.flow,
        context.exporter,
        context.importer,
        context.day,
    )
    spec = spec_of(context)
    result: list[Recommendation] = []
    anonymise = anonymise_recommendation(context)
    if anonymise is not None:
        result.append(anonymise)
    for decision in context.refdata.decisions_for(
        importer.jurisdiction, day, regime=context.regime
    ):
        scope = decision.scope
        missing = scope.missing(importer, hr_data=flow.is_hr_data)
        if (
            missing
            and importer.kind is not EntityKind.PUBLIC_AUTHORITY
            and (scope.sectors is None or importer.sector in scope.sectors)
            and scope_admits(
                scope,
                _certified(importer, missing),
                hr_data=flow.is_hr_data,
            )
        ):
            result.append(
                Recommendation(
                    Action.DPF,
                    f"If {importer.id} certifies ({', '.join(missing)}), "
                    f"{decision.reference} would cover flow {flow.id} under the "
                    f"{rules.name}.",
                    (spec.article("adequacy"), decision.reference),
                )
            )
    if exporter.group is not None and exporter.group == importer.group:
        result.append(
            Recommendation(
                Action.BCR,
                f"{exporter.id} and {importer.id} are in the group {exporter.group}: "
                f"binding corporate rules approved under the {rules.name} (by the "
                f"{spec.authority}) can cover intra-group transfers.",
                (spec.article("bcr"),),
            )
        )
    if public_ends(exporter, importer):
        result.append(
            Recommendation(
                Action.PUBLIC_BODY_INSTRUMENT,
                f"Both ends of flow {flow.id} are public bodies: a binding instrument "
                "between them can serve it.",
                (spec.article("public_body"),),
            )
        )
    result.append(rules.recommend_tool(context))
    consent = spec.derogations.get(Mechanism.DEROGATION_CONSENT.value)
    if (
        consent is not None
        and flow.frequency in _OCCASIONAL
        and exporter.kind is not EntityKind.PUBLIC_AUTHORITY
    ):
        result.append(
            Recommendation(
                Action.CONSENT,
                f"For this {flow.frequency.text} flow, the data subjects' explicit "
                "consent to the transfer, informed of its risks, is possible as a "
                "last resort.",
                (consent,),
            )
        )
    limit = context.settings.tia_max_age_days
    if flow.tia is None or not 0 <= (day - flow.tia).days <= limit:
        result.append(
            Recommendation(
                Action.TIA,
                f"Document a {spec.risk_assessment} for flow {flow.id} with the tool "
                "chosen.",
                (spec.article("risk"),),
            )
        )
    return result


def _certified(importer: Entity, names: tuple[str, ...]) -> Entity:
    """The importer as if it held `names` too (to test that certifying suffices)."""
    return attrs.evolve(importer, certifications=(*importer.certifications, *names))


__all__ = [
    "Book",
    "book",
    "check_module",
    "check_risk",
    "evaluate",
    "gap",
    "recommend",
    "spec_of",
]
