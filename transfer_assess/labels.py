"""
Plain-language labels for the report's codes, for the formats people read.

The JSON report, SARIF and `explain` keep the stable codes (`fix_mechanism`,
`EU.ADEQUACY.WATCH`, `user.contact.email`); the terminal table, the HTML, Markdown and
Word documents show these labels instead, so that a reader who does not know the
vocabulary still understands the finding. Every label is defined here once.
"""

from __future__ import annotations

from transfer_assess.findings import Action, Basis, Status
from transfer_assess.model import Mechanism

#: What each recommendation asks, as a short imperative.
ACTION_LABELS: dict[Action, str] = {
    Action.NONE: "Nothing to do",
    Action.ANONYMISE: "Consider anonymising",
    Action.PSEUDONYMISE: "Pseudonymise",
    Action.CONSENT: "Ask for explicit consent",
    Action.SCC: "Sign standard contractual clauses",
    Action.BCR: "Use binding corporate rules",
    Action.DPF: "Have the importer certify under the Data Privacy Framework",
    Action.PUBLIC_BODY_INSTRUMENT: "Agree a binding instrument between public bodies",
    Action.IDTA: "Sign the UK International Data Transfer Agreement",
    Action.UK_ADDENDUM: "Add the UK Addendum to the EU SCCs",
    Action.TIA: "Document a transfer impact assessment",
    Action.SUPPLEMENTARY_MEASURES: "Add supplementary measures",
    Action.FIX_MECHANISM: "Fix the declared transfer tool",
    Action.STOP_TRANSFER: "Stop the transfer",
    Action.LEGAL_REVIEW: "Have counsel review",
}

#: What each basis means, as a noun phrase ("what is in place").
BASIS_LABELS: dict[Basis, str] = {
    Basis.NOT_PERSONAL_DATA: "Anonymous data (not personal data)",
    Basis.NOT_IN_SCOPE: "Not a restricted transfer",
    Basis.EEA: "Inside the EEA",
    Basis.DOMESTIC: "Inside the regime's own territory",
    Basis.ADEQUACY: "Adequacy decision",
    Basis.BCR: "Binding corporate rules",
    Basis.SCC: "Standard contractual clauses",
    Basis.AD_HOC_CLAUSES: "Ad hoc contractual clauses",
    Basis.CODE_OF_CONDUCT: "Approved code of conduct",
    Basis.CERTIFICATION: "Approved certification",
    Basis.PUBLIC_BODY_INSTRUMENT: "Instrument between public bodies",
    Basis.IDTA: "UK International Data Transfer Agreement",
    Basis.UK_ADDENDUM: "EU SCCs with the UK Addendum",
    Basis.DEROGATION: "Derogation for a specific situation",
    Basis.NONE: "No valid basis in place",
}

#: Status words, with a symbol so that status never rests on colour alone.
STATUS_LABELS: dict[Status, str] = {
    Status.OK: "✓ ok",
    Status.ATTENTION: "! attention",
    Status.GAP: "✗ gap",
}


#: What the map declares as the transfer tool, in words.
MECHANISM_LABELS: dict[Mechanism, str] = {
    Mechanism.NONE: "none declared",
    Mechanism.ADEQUACY: "adequacy decision",
    Mechanism.SCC: "standard contractual clauses",
    Mechanism.BCR: "binding corporate rules",
    Mechanism.DPF: "EU-US Data Privacy Framework",
    Mechanism.DEROGATION_CONSENT: "derogation: explicit consent (Art. 49(1)(a))",
    Mechanism.DEROGATION_CONTRACT: "derogation: contract with the data subject "
    "(Art. 49(1)(b))",
    Mechanism.DEROGATION_CONTRACT_IN_INTEREST: "derogation: contract in the data "
    "subject's interest (Art. 49(1)(c))",
    Mechanism.DEROGATION_PUBLIC_INTEREST: "derogation: important reasons of public "
    "interest (Art. 49(1)(d))",
    Mechanism.DEROGATION_LEGAL_CLAIMS: "derogation: legal claims (Art. 49(1)(e))",
    Mechanism.DEROGATION_VITAL_INTERESTS: "derogation: vital interests (Art. 49(1)(f))",
    Mechanism.DEROGATION_PUBLIC_REGISTER: "derogation: public register (Art. 49(1)(g))",
    Mechanism.DEROGATION_COMPELLING_LEGITIMATE_INTERESTS: "derogation: compelling "
    "legitimate interests (Art. 49(1), second subparagraph)",
    Mechanism.AD_HOC_CLAUSES: "ad hoc contractual clauses",
    Mechanism.CODE_OF_CONDUCT: "approved code of conduct",
    Mechanism.CERTIFICATION: "approved certification",
    Mechanism.PUBLIC_BODY_INSTRUMENT: "instrument between public bodies",
    Mechanism.IDTA: "UK International Data Transfer Agreement",
    Mechanism.UK_ADDENDUM: "EU standard contractual clauses with the UK Addendum",
}


#: What a transfer impact assessment with answers concludes, in words (by code).
TIA_CONCLUSION_LABELS: dict[str, str] = {
    "not_reached": "No problematic law reaches the importer",
    "effective": "A problematic law applies, but the measures are effective",
    "residual": "Residual risk: a decision is needed",
    "do_not_transfer": "Do not transfer: the importer sees the data in clear under "
    "a law that fails the guarantees",
}

#: The importer's answers (``tia`` record), as questions a reader understands.
TIA_ANSWER_LABELS: dict[str, str] = {
    "classes": "In these classes of importer",
    "reached": "In a class of importer the law reaches",
    "requests_received": "Requests from public authorities received",
    "requests_years": "Over how many years",
    "data_form": "What the importer sees",
    "keys_held_by": "Who holds the encryption keys",
    "pseudonymisation_key_in_eea": "Pseudonymisation key kept in the EEA",
    "transit_only": "The data only passes through the country",
    "remote_access_only": "The data stays in the EEA; remote access only",
    "transfer_years": "Transfer period (years)",
    "measures": "Measures the importer confirms",
}

#: The factors of the calculation, in words.
TIA_FACTOR_LABELS: dict[str, str] = {
    "request": "A request comes in a year",
    "reach": "The law reaches the importer",
    "intelligible": "What is obtained is intelligible",
}

#: A law's standing against the European Essential Guarantees, in words.
STANDING_LABELS: dict[str, str] = {
    "met": "met",
    "partly": "partly met",
    "not_met": "not met",
    "unconfirmed": "unconfirmed",
    "meets": "meets the guarantees",
    "unclear": "may fall short of the guarantees",
    "fails": "fails the guarantees",
}


def mechanism_label(mechanism: Mechanism) -> str:
    """The plain label of a declared transfer tool."""
    return MECHANISM_LABELS[mechanism]


#: The regimes' names in text (``EU`` → ``EU GDPR``).
REGIME_NAMES: dict[str, str] = {"EU": "EU GDPR", "UK": "UK GDPR", "CH": "Swiss FADP"}


def action_label(action: Action) -> str:
    """The plain label of a recommendation's action."""
    return ACTION_LABELS[action]


def basis_label(basis: Basis) -> str:
    """The plain label of a basis: what is in place."""
    return BASIS_LABELS[basis]


def status_label(status: Status) -> str:
    """The status word with its symbol."""
    return STATUS_LABELS[status]


def rule_label(rule_id: str) -> str:
    """
    The title of a rule, for readers; the id itself for an unknown rule.

    Rule ids stay stable across versions while titles may be reworded, so documents
    show the title and keep the id where a user needs it (explain, JSON, SARIF).
    """
    from transfer_assess.rules import rule  # noqa: PLC0415 - the rules import labels' users

    try:
        return rule(rule_id).title
    except KeyError:
        return rule_id


def category_label(key: str) -> str:
    """
    A data category key in words: ``user.contact.email`` → ``contact: email``.

    The leading ``user`` / ``system`` segment says whose data it is, which every
    reader of a personal-data report already knows, so it is dropped; underscores
    become spaces and the remaining segments read from general to specific.
    """
    parts = [part.replace("_", " ") for part in key.split(".") if part]
    if len(parts) > 1 and parts[0] in {"user", "system"}:
        parts = parts[1:]
    if not parts:
        return key
    if len(parts) == 1:
        return parts[0]
    return f"{' '.join(parts[:-1])}: {parts[-1]}"


__all__ = [
    "ACTION_LABELS",
    "BASIS_LABELS",
    "MECHANISM_LABELS",
    "REGIME_NAMES",
    "STATUS_LABELS",
    "action_label",
    "basis_label",
    "category_label",
    "mechanism_label",
    "rule_label",
    "status_label",
]
