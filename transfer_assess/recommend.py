"""
Recommendations: what to do about a finding, best first (design rules.md section 6).

A finding that is not ok always gets at least one recommendation. The rules' own
requests come first (fix the mechanism, document a TIA, have counsel review), then the
tools that fit the flow in the order of section 6: anonymise, DPF certification, BCRs,
an instrument between public bodies, SCCs with the module for the roles, consent, and
with any Art. 46 tool a transfer impact assessment and supplementary measures
(EDPB Recommendations 01/2020).
"""

from __future__ import annotations

from transfer_assess.findings import Action, Basis, Recommendation, Status
from transfer_assess.model import (
    EntityKind,
    Frequency,
    ImporterAccess,
    Measure,
    Mechanism,
    Role,
)
from transfer_assess.refdata import country_name
from transfer_assess.rules import Context, Hint, Outcome, Trace
from transfer_assess.rules.adequacy import scope_failures
from transfer_assess.rules.safeguards import (
    EDPB_REC_01_2020,
    OLD_SCC_SETS,
    SCC_2021_FROM,
    SCC_DECISION,
    SCHREMS_II,
    public_ends,
)

#: The EDPB's European Essential Guarantees, cited once adopted (reference data).
EDPB_REC_02_2020 = "EDPB Recommendations 02/2020"

#: Purposes that anonymous data can serve (policy: words and Fides data-use keys).
ANONYMISABLE_PURPOSES = frozenset(
    {
        "statistics",
        "analytics",
        "reporting",
        "research",
        "product_improvement",
        "market_research",
        "improve",
    }
)
#: Purposes for which the importer matches pseudonymised identifiers against data it
#: holds itself (custom audiences), so pseudonymisation cannot be EDPB use case 2
#: (policy: words and Fides data-use keys).
MATCHING_PURPOSES = frozenset({"advertising", "custom_audiences", "matching"})
_ART46_ACTIONS = frozenset({Action.SCC, Action.BCR, Action.PUBLIC_BODY_INSTRUMENT})
_ART46_BASES = frozenset(
    {
        Basis.SCC,
        Basis.BCR,
        Basis.AD_HOC_CLAUSES,
        Basis.CODE_OF_CONDUCT,
        Basis.CERTIFICATION,
        Basis.PUBLIC_BODY_INSTRUMENT,
    }
)
_OCCASIONAL = frozenset({Frequency.ONE_OFF, Frequency.OCCASIONAL})
#: The order of recommendations, best first (design section 6), for every regime.
ACTION_RANK = {
    action: rank
    for rank, action in enumerate(
        (
            Action.FIX_MECHANISM,
            Action.ANONYMISE,
            Action.PSEUDONYMISE,
            Action.DPF,
            Action.BCR,
            Action.PUBLIC_BODY_INSTRUMENT,
            Action.UK_ADDENDUM,
            Action.IDTA,
            Action.SCC,
            Action.CONSENT,
            Action.TIA,
            Action.SUPPLEMENTARY_MEASURES,
            Action.LEGAL_REVIEW,
            Action.STOP_TRANSFER,
            Action.NONE,
        )
    )
}
#: The older SCC sets by the module that matches them, before 2021-06-27.
_OLD_SETS = {
    1: "({roles}: the 2001 or 2004 set).",
    2: "({roles}: the 2010 set).",
}
_NO_OLD_SET = (
    "({roles}): no Commission set serves processor exporters before 2021-06-27; "
    "the controller can sign the 2010 clauses with the sub-processor, or use ad hoc "
    "clauses."
)
#: Where each SCC module governs onward transfers by the importer.
_ONWARD_CLAUSES = {
    1: "Clause 8.7",
    2: "Clauses 8.8 and 9",
    3: "Clauses 8.8 and 9",
    4: "Clause 8",
}


def _matches(purposes: tuple[str, ...]) -> bool:
    """Whether a purpose has the importer match identifiers it holds itself."""
    return any(
        word in MATCHING_PURPOSES
        for purpose in purposes
        for word in purpose.lower().replace("-", "_").split(".")
    )


def _purpose_is_anonymisable(purpose: str) -> bool:
    words = purpose.lower().replace("-", "_").split(".")
    return any(word in ANONYMISABLE_PURPOSES for word in words)


def recommend(
    context: Context, outcome: Outcome, trace: Trace
) -> tuple[Recommendation, ...]:
    """
    The recommendations for one finding, best first.

    Args:
        context: The flow and its parties.
        outcome: The verdict.
        trace: The rules' reasons and requests.
    """
    if not outcome.transfer:
        return ()
    if outcome.status is Status.OK:
        return _advisory(context, outcome, trace)
    chosen: dict[Action, Recommendation] = {}
    for hint in trace.hints:
        _add(chosen, _from_hint(hint))
    # A transfer impact assessment with answers has weighed the destination's law:
    # its gap is the law, not the tool, and it needs no generic TIA advice.
    concluded = trace.tia is not None
    if outcome.status is Status.GAP:
        for recommendation in _alternatives(context):
            if not concluded or recommendation.action is Action.ANONYMISE:
                _add(chosen, recommendation)
    if outcome.basis in _ART46_BASES or any(
        action in chosen for action in _ART46_ACTIONS
    ):
        # Where the assessment concluded that no measure is effective, the generic
        # advice to add measures and weigh the transfer would contradict it.
        weighed = (
            _WEIGHED | {Action.SUPPLEMENTARY_MEASURES}
            if trace.asks(Action.STOP_TRANSFER)
            else _WEIGHED
        )
        for recommendation in _measures(context, outcome, trace):
            if not concluded or recommendation.action not in weighed:
                _add(chosen, recommendation)
    # NOTE: section 6 ends a gap with stop_transfer "where nothing above fits". In
    # this model SCCs fit every restricted transfer (with a legal review where the
    # importer is subject to the GDPR), so something always fits; the stop advice
    # waits for destination profiles that can say no measure is effective.
    result = sorted(chosen.values(), key=lambda item: ACTION_RANK[item.action])
    return tuple(result)


#: Advice that a transfer impact assessment with answers has already followed.
_WEIGHED = frozenset({Action.TIA, Action.LEGAL_REVIEW})


def _add(chosen: dict[Action, Recommendation], recommendation: Recommendation) -> None:
    chosen.setdefault(recommendation.action, recommendation)


def _from_hint(hint: Hint) -> Recommendation:
    return Recommendation(hint.action, hint.detail, hint.citations)


def _advisory(
    context: Context, outcome: Outcome, trace: Trace
) -> tuple[Recommendation, ...]:
    """
    Advice on an ok finding.

    A fallback for a watched decision, kept current; and for an Art. 46 tool to a
    destination without adequacy where the importer sees data in clear, the EDPB
    use-case 6/7 advisory that the TIA's conclusion must address.
    """
    if outcome.basis in _ART46_BASES:
        return () if trace.tia is not None else _clear_text_advisory(context)
    if outcome.basis is not Basis.ADEQUACY or not trace.asks(Action.SCC):
        return ()
    flow = context.flow
    if not flow.mechanism.takes_scc_module and flow.mechanism is not Mechanism.BCR:
        hint = next(hint for hint in trace.hints if hint.action is Action.SCC)
        return (_scc(context, detail=hint.detail),)
    limit = context.settings.tia_max_age_days
    if not context.exists(SCHREMS_II) or (
        flow.tia is not None and 0 <= (context.day - flow.tia).days <= limit
    ):
        return ()
    return (
        Recommendation(
            Action.TIA,
            f"The {flow.mechanism.value} kept as a fallback for flow {flow.id} has "
            "no current transfer impact assessment; renew it so the fallback is "
            "ready if the decision falls.",
            ("CJEU C-311/18 (Schrems II)", "EDPB Recommendations 01/2020"),
        ),
    )


def _clear_text_advisory(context: Context) -> tuple[Recommendation, ...]:
    """The use-case 6/7 advisory on an ok Art. 46 transfer seen in clear."""
    flow = context.flow
    if (
        flow.importer_access is not ImporterAccess.CLEARTEXT
        or not context.exists(SCHREMS_II)
        or context.refdata.decisions_for(
            context.importer.jurisdiction, context.day, regime=context.regime
        )
    ):
        return ()
    if context.exists(EDPB_REC_01_2020):
        cases = " (EDPB use cases 6 and 7)"
        citations: tuple[str, ...] = (
            "EDPB Recommendations 01/2020, Annex 2, use cases 6 and 7",
        )
    else:
        cases = ""
        citations = ("CJEU C-311/18 (Schrems II)",)
    return (
        Recommendation(
            Action.SUPPLEMENTARY_MEASURES,
            f"The importer of flow {flow.id} sees the data in clear in a destination "
            "without an adequacy decision: if its law allows disproportionate access "
            f"by public authorities, no effective technical measure is known{cases}. "
            "The transfer impact assessment's conclusion must address this.",
            citations,
        ),
    )


def anonymise_recommendation(context: Context) -> Recommendation | None:
    """
    Anonymising, when every purpose can be served by anonymous data (section 6).

    ``None`` when a purpose needs identifiable data or special-category data moves.
    """
    flow = context.flow
    if flow.special_categories or not all(
        _purpose_is_anonymisable(purpose) for purpose in flow.purposes
    ):
        return None
    return Recommendation(
        Action.ANONYMISE,
        f"Consider whether the purposes of flow {flow.id} "
        f"({', '.join(flow.purposes)}) can be served by anonymous data, such as "
        "aggregates: then anonymise before sending and test the result against "
        "singling out, linkability and inference. It may not fit: analytics, "
        "research and product improvement often need individual-level data, "
        "which stays personal data even when pseudonymised.",
        ("GDPR Recital 26", "WP29 Opinion 05/2014 on Anonymisation Techniques"),
    )


def _alternatives(context: Context) -> list[Recommendation]:
    """The tools of section 6 that fit a flow with a gap."""
    flow, exporter, importer = context.flow, context.exporter, context.importer
    result: list[Recommendation] = []
    anonymise = anonymise_recommendation(context)
    if anonymise is not None:
        result.append(anonymise)
    for decision in context.refdata.decisions_for(
        importer.jurisdiction, context.day, regime=context.regime
    ):
        certification = decision.scope.certification
        failures = scope_failures(decision, context)
        sector_ok = (
            decision.scope.sectors is None or importer.sector in decision.scope.sectors
        )
        # The dpf action is certification under the EU-US DPF; earlier frameworks'
        # certifications had no action of their own and are not recommended.
        # A public authority cannot certify (the decision's own scope failure says
        # so), so it is never advised to.
        if (
            failures
            and sector_ok
            and certification == "dpf"
            and importer.kind is not EntityKind.PUBLIC_AUTHORITY
        ):
            missing = decision.scope.missing(importer, hr_data=flow.is_hr_data)
            result.append(
                Recommendation(
                    Action.DPF,
                    f"If {importer.id} certifies ({', '.join(missing)}), "
                    f"{decision.reference} would cover flow {flow.id}.",
                    ("GDPR Art. 45(1)", decision.reference),
                )
            )
    if exporter.group is not None and exporter.group == importer.group:
        result.append(_bcr(context))
    if public_ends(exporter, importer):
        result.append(
            Recommendation(
                Action.PUBLIC_BODY_INSTRUMENT,
                f"Both ends of flow {flow.id} are public bodies: a binding instrument "
                "or an authorised administrative arrangement can serve it.",
                ("GDPR Art. 46(2)(a)", "GDPR Art. 46(3)(b)"),
            )
        )
    result.append(_scc(context))
    if (
        flow.frequency in _OCCASIONAL
        and exporter.kind is not EntityKind.PUBLIC_AUTHORITY
    ):
        warning = ""
        subjects = set(flow.data_subjects)
        if "employees" in subjects:
            warning = " Consent is rarely freely given in employment."
        elif "children" in subjects:
            warning = (
                " For children, consent must come from the holder of parental "
                "responsibility."
            )
        result.append(
            Recommendation(
                Action.CONSENT,
                f"For this {flow.frequency.text} flow, explicit, specific and "
                "informed consent of each data subject to the transfer is possible "
                f"as a last resort.{warning}",
                ("GDPR Art. 49(1)(a)", "EDPB Guidelines 2/2018"),
            )
        )
    return result


def _bcr(context: Context) -> Recommendation:
    """
    BCRs for an intra-group flow.

    A group member processing for another group member is covered by the
    group's BCR-C once its scope includes that processing; processor BCRs serve
    controllers outside the group, so they are not the fix for such a flow.
    """
    flow, exporter, importer = context.flow, context.exporter, context.importer
    group = context.group_of(exporter)
    held = group.bcr if group is not None else frozenset()
    if flow.exporter_role is Role.CONTROLLER:
        text = (
            "the group's approved BCR-C can cover this flow once it is listed in "
            "their scope."
            if Role.CONTROLLER in held
            else "BCR-C (binding corporate rules for controllers), approved by the "
            "lead supervisory authority, can cover intra-group transfers."
        )
    elif Role.PROCESSOR in held:
        text = (
            "the group's approved BCR-P can cover this flow once it is listed in "
            "their scope."
        )
    else:
        text = (
            f"where {exporter.id} processes for another group member, the group's "
            "controller BCRs (BCR-C) can cover this flow once their scope includes "
            "that processing; processor BCRs serve controllers outside the group. "
            f"Otherwise SCC module {context.expected_module}."
        )
    return Recommendation(
        Action.BCR,
        f"{exporter.id} and {importer.id} are in the group {exporter.group}: {text}",
        ("GDPR Art. 46(2)(b)", "GDPR Art. 47"),
    )


def _scc(context: Context, *, detail: str | None = None) -> Recommendation:
    """SCCs with the module for the roles, with onward and Art. 3(2) advice."""
    flow, exporter, importer = context.flow, context.exporter, context.importer
    module = context.expected_module
    roles = f"{flow.exporter_role.value} to {flow.importer_role.value}"
    if detail is not None:
        text = detail
    elif context.day < SCC_2021_FROM:
        text = f"Sign the Commission's standard contractual clauses for flow {flow.id} "
        text += _OLD_SETS.get(module, _NO_OLD_SET).format(roles=roles)
    else:
        text = f"Sign the 2021 SCCs, module {module} ({roles}), for flow {flow.id}."
    citations = ["GDPR Art. 46(2)(c)", SCC_DECISION]
    if context.day < SCC_2021_FROM and module in OLD_SCC_SETS:
        citations.extend(OLD_SCC_SETS[module])
    framework = _framework(context) if not context.exporter_subject else None
    if framework is not None:
        reference, decision = framework
        text = (
            f"Flow {flow.id} is an onward transfer of data that reached "
            f"{exporter.id} under {decision}, which relies on the destination's own "
            f"onward-transfer rules ({reference}): put in place what those rules "
            f"accept, for example a contract giving equivalent protection such as "
            f"SCC module {module} ({roles})."
        )
        citations = [reference, decision]
    elif not context.exporter_subject:
        onward, source = _onward_terms(context)
        text += (
            f" As an onward transfer, it must also meet {onward}, under which the data "
            f"reached {exporter.id}."
        )
        citations.append(source)
    if importer.subject_to_gdpr and context.exists(SCC_DECISION):
        clauses = "the 2021 SCCs are" if context.day >= SCC_2021_FROM else "SCCs are"
        text += (
            f" {importer.id} is subject to the GDPR under Art. 3(2), and {clauses} "
            "not designed for such importers: have counsel choose the instrument."
        )
        citations.append(f"{SCC_DECISION}, recital 7")
    return Recommendation(Action.SCC, text, tuple(citations))


def _framework(context: Context) -> tuple[str, str] | None:
    """
    The adequate country's own onward rules, when the data came by adequacy.

    Returns the rules' reference (``onward_rules`` in ``adequacy.json``, or the
    country's law in general) and the decision's; ``None`` where the data did not
    come by adequacy or the decision rests on a certification (the DPF).
    """
    protection = context.protection
    inbound_id = protection.inbound(
        context.exporter.id, protection.carried(context.flow)
    )
    if inbound_id is None:
        return None
    if context.datamap.flow(inbound_id).mechanism is not Mechanism.ADEQUACY:
        return None
    for decision in context.refdata.decisions_for(
        context.exporter.jurisdiction, context.day, regime=context.regime
    ):
        if decision.onward_rules is not None:
            return decision.onward_rules.reference, decision.reference
        if decision.scope.certification is None:
            # A framework's own principles (the DPF's) are named elsewhere.
            country = country_name(context.exporter.jurisdiction)
            law = f"the onward-transfer rules of the law of {country}"
            return law, decision.reference
    return None


def _onward_terms(context: Context) -> tuple[str, str]:
    """The onward-transfer terms of the tool that brought the exporter its data."""
    protection = context.protection
    inbound_id = protection.inbound(
        context.exporter.id, protection.carried(context.flow)
    )
    if inbound_id is None:  # pragma: no cover - an onward exporter has an inbound hop
        return "the terms under which the data arrived", "GDPR Art. 44"
    inbound = context.datamap.flow(inbound_id)
    mechanism = inbound.mechanism
    if mechanism.takes_scc_module and inbound.scc_module in _ONWARD_CLAUSES:
        clause = _ONWARD_CLAUSES[inbound.scc_module]
        return (
            f"{clause} of the SCCs (module {inbound.scc_module}) of flow {inbound.id}",
            f"{SCC_DECISION}, {clause}",
        )
    group = context.group_of(context.exporter)
    if (
        mechanism is Mechanism.BCR
        and group is not None
        and group.bcr_approved is not None
        and group.bcr_approved <= context.day
    ):
        return (
            f"the onward-transfer rules of the group's BCRs (flow {inbound.id})",
            "GDPR Art. 47(2)",
        )
    if mechanism in {Mechanism.DPF, Mechanism.ADEQUACY} and (
        context.exporter.has_certification("dpf")
    ):
        return (
            (
                "the DPF Accountability for Onward Transfer Principle "
                f"(flow {inbound.id} relies on the DPF)"
            ),
            "EU-US DPF Principles, Accountability for Onward Transfer",
        )
    return (
        f"the terms of flow {inbound.id} ({mechanism.value})",
        "GDPR Art. 44",
    )


def _measures(context: Context, outcome: Outcome, trace: Trace) -> list[Recommendation]:
    """
    TIA and supplementary measures for an Art. 46 tool (EDPB Rec. 01/2020).

    None before Schrems II (no duty to assess the destination's law yet); before
    the EDPB Recommendations, no use case is named.
    """
    flow = context.flow
    del outcome, trace
    if not context.exists(SCHREMS_II):
        return []
    guided = context.exists(EDPB_REC_01_2020)
    result = [
        Recommendation(
            Action.TIA,
            f"Assess the destination's law and practice for flow {flow.id} in a "
            "transfer impact assessment"
            + (" (EDPB Recommendations 01/2020, six steps)." if guided else "."),
            ("CJEU C-311/18 (Schrems II)", "EDPB Recommendations 01/2020"),
        )
    ]

    def case(label: str) -> tuple[str, tuple[str, ...]]:
        """The use case's mention and citation (none before the EDPB's text)."""
        if not guided:
            return "", ("CJEU C-311/18 (Schrems II)",)
        return (
            f" (EDPB {label})",
            (f"EDPB Recommendations 01/2020, Annex 2, {label}",),
        )

    access = flow.importer_access
    if access is ImporterAccess.NONE:
        words, cited = case("use case 3")
        result.append(
            Recommendation(
                Action.SUPPLEMENTARY_MEASURES,
                f"For data in transit through the importer of flow {flow.id}, "
                "encrypt it end to end with state-of-the-art encryption and keys held "
                f"only by the exporter and the final recipient{words}. An importer "
                "that routes the traffic sees at least IP addresses and other "
                "metadata, which are personal data: check that importer_access "
                "'none' is right.",
                cited,
            )
        )
    elif access is ImporterAccess.ENCRYPTED:
        held = flow.has_measure(Measure.EXPORTER_HELD_KEYS)
        words, cited = case("use case 1")
        result.append(
            Recommendation(
                Action.SUPPLEMENTARY_MEASURES,
                (
                    "Keep the data encrypted with keys held only in the EEA or an "
                    "adequate country (in place: exporter-held keys)."
                    if held
                    else "Encrypt the data with state-of-the-art encryption and keys "
                    "held only by the exporter in the EEA or an adequate country"
                    f"{words}."
                ),
                cited,
            )
        )
    elif access is ImporterAccess.PSEUDONYMISED and _matches(flow.purposes):
        words, cited = case("use case 6")
        result.append(
            Recommendation(
                Action.SUPPLEMENTARY_MEASURES,
                f"The importer of flow {flow.id} matches the pseudonymised "
                "identifiers against data it holds itself, so it can attribute them: "
                "pseudonymisation is no supplementary measure here (EDPB use case 2 "
                "needs an importer that cannot re-identify); treat the data as seen "
                f"in clear{words}."
                if guided
                else f"The importer of flow {flow.id} matches the pseudonymised "
                "identifiers against data it holds itself, so pseudonymisation does "
                "not keep them from it; treat the data as seen in clear.",
                cited,
            )
        )
    elif access is ImporterAccess.PSEUDONYMISED:
        words, cited = case("use case 2")
        result.append(
            Recommendation(
                Action.SUPPLEMENTARY_MEASURES,
                "Keep the additional information that re-identifies the data only "
                "with the exporter in the EEA or an adequate country, so the importer "
                f"and its authorities cannot attribute it{words}.",
                cited,
            )
        )
    elif context.refdata.decisions_for(
        context.importer.jurisdiction, context.day, regime=context.regime
    ):
        decision = context.refdata.decisions_for(
            context.importer.jurisdiction, context.day, regime=context.regime
        )[0]
        result.append(
            Recommendation(
                Action.SUPPLEMENTARY_MEASURES,
                f"The importer of flow {flow.id} sees the data in clear; "
                f"{decision.reference} found the destination's rules on public "
                "authorities' access adequate, which the TIA can rely on while it "
                "applies.",
                ("EDPB Recommendations 01/2020", decision.reference),
            )
        )
    else:
        words, cited = case("use cases 6 and 7")
        result.append(
            Recommendation(
                Action.SUPPLEMENTARY_MEASURES,
                f"The importer of flow {flow.id} sees the data in clear: if the "
                "destination's law allows disproportionate access by public "
                "authorities, no effective technical measure is known"
                f"{words}; add contractual and organisational measures and "
                "weigh the transfer.",
                cited,
            )
        )
        # Before the EDPB's European Essential Guarantees, the review applies the
        # judgment itself, which measured US surveillance law against the Charter.
        guarantees = (
            ("EDPB Recommendations 02/2020 (European Essential Guarantees)",)
            if context.exists(EDPB_REC_02_2020)
            else ("CJEU C-311/18 (Schrems II)",)
        )
        result.append(
            Recommendation(
                Action.LEGAL_REVIEW,
                f"Have counsel assess the destination's law and practice on public "
                f"authorities' access for flow {flow.id}, since the data is in clear.",
                guarantees,
            )
        )
    return result
