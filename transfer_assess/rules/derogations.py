"""
Derogations for specific situations (GDPR Art. 49), read restrictively.

EDPB Guidelines 2/2018: derogations are a last resort and must not become the rule.
Contract, contract in the data subject's interest and legal claims (Recital 111),
consent and compelling legitimate interests serve only one-off or occasional transfers;
vital interests serve emergencies, so a regular or continuous flow on them is a gap;
public interest and public registers are not limited to occasional transfers by
Recital 111, but a regular use must not become the rule and should move to a durable
tool. Public authorities acting in their public powers cannot use consent,
the contract derogations or compelling legitimate interests (Art. 49(3)).
"""

from __future__ import annotations

from transfer_assess.findings import Action, Basis, Status
from transfer_assess.model import EntityKind, Frequency, Mechanism
from transfer_assess.rules.base import Context, Outcome, Rule, Trace, party
from transfer_assess.rules.safeguards import public_ends

FREQUENCY = Rule(
    id="EU.DEROGATION.FREQUENCY",
    title="Derogations that serve only occasional transfers",
    articles=("GDPR Art. 49(1)", "GDPR Recital 111", "EDPB Guidelines 2/2018"),
    logic=(
        "Contract, contract in the data subject's interest and legal claims "
        "(Art. 49(1)(b), (c), (e): occasional transfers, Recital 111), consent "
        "(EDPB Guidelines 2/2018) and compelling legitimate interests (not "
        "repetitive, Art. 49(1) second subparagraph) are admissible only for "
        "one_off or occasional flows; vital interests (Art. 49(1)(f)) serve "
        "emergencies (EDPB Guidelines 2/2018). A regular or continuous flow "
        "relying on any of them is a gap. Recital 111 is cited only for (b), (c) "
        "and (e)."
    ),
    example="Consent relied on for a continuous feed of user ids to a platform.",
)
PUBLIC_AUTHORITY = Rule(
    id="EU.DEROGATION.PUBLIC_AUTHORITY",
    title="Derogations closed to public authorities",
    articles=("GDPR Art. 49(3)",),
    logic=(
        "A public-authority exporter, assumed to act in the exercise of its public "
        "powers, cannot use consent, the contract derogations or compelling "
        "legitimate interests: gap."
    ),
    example="A tax office relies on taxpayers' consent to send files abroad.",
)
ADMISSIBLE = Rule(
    id="EU.DEROGATION.ADMISSIBLE",
    title="An admissible derogation",
    articles=("GDPR Art. 49(1)", "EDPB Guidelines 2/2018"),
    logic=(
        "The derogation fits the flow: basis derogation, status attention (document "
        "why its conditions are met). A regular or continuous flow on public "
        "interest (d) or a public register (g) stays attention with the warning "
        "that a derogation must not become the rule (EDPB Guidelines 2/2018) and "
        "a durable tool is recommended. Compelling legitimate interests also "
        "require a limited number of data subjects and informing the supervisory "
        "authority and the data subjects (Art. 49(1) second subparagraph)."
    ),
    example="A one-off transfer of a customer's file to a court abroad (legal claims).",
)

RULES = (FREQUENCY, PUBLIC_AUTHORITY, ADMISSIBLE)

_OCCASIONAL_ONLY = frozenset(
    {
        Mechanism.DEROGATION_CONSENT,
        Mechanism.DEROGATION_CONTRACT,
        Mechanism.DEROGATION_CONTRACT_IN_INTEREST,
        Mechanism.DEROGATION_LEGAL_CLAIMS,
        Mechanism.DEROGATION_COMPELLING_LEGITIMATE_INTERESTS,
    }
)
#: Derogations for emergencies: a regular or continuous use is not admissible.
_EMERGENCY_ONLY = frozenset({Mechanism.DEROGATION_VITAL_INTERESTS})
#: Derogations Recital 111 itself limits to occasional transfers.
_RECITAL_111 = frozenset(
    {
        Mechanism.DEROGATION_CONTRACT,
        Mechanism.DEROGATION_CONTRACT_IN_INTEREST,
        Mechanism.DEROGATION_LEGAL_CLAIMS,
    }
)
_NOT_FOR_AUTHORITIES = frozenset(
    {
        Mechanism.DEROGATION_CONSENT,
        Mechanism.DEROGATION_CONTRACT,
        Mechanism.DEROGATION_CONTRACT_IN_INTEREST,
        Mechanism.DEROGATION_COMPELLING_LEGITIMATE_INTERESTS,
    }
)
#: The article of each derogation.
ARTICLES = {
    Mechanism.DEROGATION_CONSENT: "GDPR Art. 49(1)(a)",
    Mechanism.DEROGATION_CONTRACT: "GDPR Art. 49(1)(b)",
    Mechanism.DEROGATION_CONTRACT_IN_INTEREST: "GDPR Art. 49(1)(c)",
    Mechanism.DEROGATION_PUBLIC_INTEREST: "GDPR Art. 49(1)(d)",
    Mechanism.DEROGATION_LEGAL_CLAIMS: "GDPR Art. 49(1)(e)",
    Mechanism.DEROGATION_VITAL_INTERESTS: "GDPR Art. 49(1)(f)",
    Mechanism.DEROGATION_PUBLIC_REGISTER: "GDPR Art. 49(1)(g)",
    Mechanism.DEROGATION_COMPELLING_LEGITIMATE_INTERESTS: (
        "GDPR Art. 49(1), second subparagraph"
    ),
}
_OCCASIONAL = frozenset({Frequency.ONE_OFF, Frequency.OCCASIONAL})


def name(mechanism: Mechanism) -> str:
    """The derogation's name in words (``contract in interest``)."""
    return mechanism.value.removeprefix("derogation:").replace("_", " ")


def limited(mechanism: Mechanism) -> str | None:
    """Why a regular or continuous flow cannot rely on a derogation, if it cannot."""
    if mechanism in _EMERGENCY_ONLY:
        return "serves emergencies, not a regular or continuous flow"
    if mechanism in _OCCASIONAL_ONLY:
        return "serves only occasional, non-repetitive transfers"
    return None


def too_frequent(mechanism: Mechanism, frequency: Frequency) -> bool:
    """Whether a flow of this frequency is too frequent for the derogation."""
    return limited(mechanism) is not None and frequency not in _OCCASIONAL


def closed_to(mechanism: Mechanism, kind: EntityKind) -> bool:
    """Whether Art. 49(3) closes the derogation to an exporter of this kind."""
    return mechanism in _NOT_FOR_AUTHORITIES and kind is EntityKind.PUBLIC_AUTHORITY


def admissible(mechanism: Mechanism, frequency: Frequency, kind: EntityKind) -> bool:
    """
    Whether a derogation may serve a flow of this frequency from this exporter.

    The one decision `evaluate` (EU) and the UK and Swiss rules take.
    """
    return not too_frequent(mechanism, frequency) and not closed_to(mechanism, kind)


def evaluate(context: Context, trace: Trace, *, onward: bool) -> Outcome:
    """Judge the Art. 49 derogation a transfer relies on."""
    flow, exporter, importer = context.flow, context.exporter, context.importer
    mechanism = flow.mechanism
    article = ARTICLES[mechanism]
    if too_frequent(mechanism, flow.frequency):
        trace.add(
            FREQUENCY,
            f"Flow {flow.id} to {party(importer)} is "
            f"{flow.frequency.text}; the {name(mechanism)} derogation "
            f"{limited(mechanism)}.",
            article,
            *(("GDPR Recital 111",) if mechanism in _RECITAL_111 else ()),
            "EDPB Guidelines 2/2018",
        )
    if closed_to(mechanism, exporter.kind):
        trace.add(
            PUBLIC_AUTHORITY,
            f"{party(exporter)} is a public authority; assuming it acts in the "
            f"exercise of its public powers, it cannot rely on the {name(mechanism)} "
            "derogation.",
            "GDPR Art. 49(3)",
        )
    if not admissible(mechanism, flow.frequency, exporter.kind):
        trace.ask(
            Action.FIX_MECHANISM,
            f"The {name(mechanism)} derogation cannot carry flow {flow.id}; put a "
            "transfer tool in place.",
            article,
            "EDPB Guidelines 2/2018",
        )
        return Outcome(
            transfer=True, basis=Basis.NONE, status=Status.GAP, onward=onward
        )
    warning = (
        f" Recital 111 does not limit it to occasional transfers, but a "
        f"{flow.frequency.text} use must not become the rule."
        if flow.frequency not in _OCCASIONAL
        else ""
    )
    trace.add(
        ADMISSIBLE,
        f"Flow {flow.id} to {party(importer)} relies on the {name(mechanism)} "
        f"derogation ({article}), which can serve this "
        f"{flow.frequency.text} flow; derogations are a last resort and "
        f"must be documented.{warning}",
        article,
        "EDPB Guidelines 2/2018",
    )
    if mechanism is Mechanism.DEROGATION_CONSENT:
        trace.ask(
            Action.CONSENT,
            f"Keep proof that each data subject of flow {flow.id} gave explicit "
            "consent to this transfer after being told it has no adequacy decision "
            "or safeguards and what the risks are.",
            article,
            "EDPB Guidelines 2/2018",
        )
    else:
        extra = "."
        citations = [article]
        if mechanism is Mechanism.DEROGATION_COMPELLING_LEGITIMATE_INTERESTS:
            extra = (
                ": the transfer is not repetitive and concerns only a limited number "
                "of data subjects; inform the supervisory authority of the transfer, "
                "and the data subjects of it and of the compelling legitimate "
                "interests pursued; record the assessment and the safeguards (Art. "
                "49(1) second subparagraph, Art. 49(6))."
            )
            citations.append("GDPR Art. 49(6)")
        elif mechanism is Mechanism.DEROGATION_PUBLIC_INTEREST:
            extra = (
                ", naming the Union or member-state law that recognises the public "
                "interest (Art. 49(4))"
                + (
                    "; a request from a foreign authority is recognised or enforceable "
                    "only under an international agreement such as a mutual legal "
                    "assistance treaty, whose requests the requested state's own "
                    "authority executes (Art. 48)."
                    if importer.kind is EntityKind.PUBLIC_AUTHORITY
                    else "."
                )
            )
            citations.append("GDPR Art. 49(4)")
            if importer.kind is EntityKind.PUBLIC_AUTHORITY:
                citations.append("GDPR Art. 48")
        trace.ask(
            Action.LEGAL_REVIEW,
            f"Document why the {name(mechanism)} derogation's conditions are met for "
            f"flow {flow.id}{extra}",
            *citations,
        )
    if flow.frequency not in _OCCASIONAL:
        both_public = public_ends(exporter, importer)
        action = Action.PUBLIC_BODY_INSTRUMENT if both_public else Action.SCC
        trace.ask(
            action,
            f"Flow {flow.id} is {flow.frequency.text}: a derogation should not "
            "become the rule; move it to a durable transfer tool.",
            "EDPB Guidelines 2/2018",
        )
    return Outcome(
        transfer=True, basis=Basis.DEROGATION, status=Status.ATTENTION, onward=onward
    )
