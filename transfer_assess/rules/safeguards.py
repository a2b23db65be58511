"""
The mechanism the map declares, when no adequacy decision applies (Art. 46, 47).

SCCs must use the module that fits the roles; BCRs must bind both entities and be
approved by the date; ad hoc clauses, codes and certifications need their approval
checked; instruments between public bodies need public bodies at both ends. Every
Art. 46 tool needs a current transfer impact assessment from Schrems II on. A claimed
adequacy or DPF basis that does not apply is a gap, as is no mechanism at all.
"""

from __future__ import annotations

from datetime import date

from transfer_assess.findings import Action, Basis, Status
from transfer_assess.model import Entity, EntityKind, Mechanism, Role, Sector
from transfer_assess.rules import tia as tia_rules
from transfer_assess.rules.adequacy import absence
from transfer_assess.rules.base import Context, Outcome, Rule, Trace, party

CLAIM = Rule(
    id="EU.MECHANISM.CLAIM",
    title="Adequacy or the DPF is claimed but does not apply",
    articles=("GDPR Art. 45(1)", "GDPR Art. 44"),
    logic=(
        "The map relies on adequacy (or the DPF) but no decision covers the importer "
        "on the date: no decision, one that has ended, or an importer outside its "
        "scope. Status gap, action fix_mechanism."
    ),
    example="DPF declared for a US importer that is not on the DPF List.",
)
NO_MECHANISM = Rule(
    id="EU.MECHANISM.NONE",
    title="No transfer tool",
    articles=("GDPR Art. 44", "GDPR Art. 46"),
    logic="A restricted transfer with mechanism none: basis none, status gap.",
    example="An Indian affiliate's support team reads EU tickets with no SCCs signed.",
)
SCC_MODULE = Rule(
    id="EU.SCC.MODULE",
    title="The SCC module must fit the roles",
    articles=("GDPR Art. 46(2)(c)", "Commission Implementing Decision (EU) 2021/914"),
    logic=(
        "Controller to controller is module 1, controller to processor 2, processor "
        "to processor 3, processor to controller 4. The right module gives basis "
        "scc; a wrong or missing one is a gap naming the right module."
    ),
    example="Module 2 signed for a controller-to-controller exchange: use module 1.",
)
TIA = Rule(
    id="EU.SCC.TIA",
    title="A current transfer impact assessment (every Art. 46 tool)",
    articles=(
        "CJEU C-311/18 (Schrems II)",
        "EDPB Recommendations 01/2020",
        "Commission Implementing Decision (EU) 2021/914, Clause 14",
    ),
    logic=(
        "An Art. 46 tool (SCCs, BCRs, codes, certification, ad hoc clauses, public "
        "body instruments) needs a documented transfer impact assessment; none, one "
        "dated after the assessment date, or one older than 365 days (a policy "
        "setting) gives status attention and action tia. The duty dates from CJEU "
        "C-311/18 (Schrems II, 16 Jul 2020): on earlier dates no TIA is asked for. "
        "No reason or recommendation cites an instrument adopted after the "
        "assessment date (EDPB Recommendations 01/2020 from 10 Nov 2020; the dates "
        "are reference data)."
    ),
    example="SCCs module 2 with a TIA from 2024-05-10, assessed on 2026-11-28.",
)
SCC_IMPORTER_SUBJECT = Rule(
    id="EU.SCC.IMPORTER_SUBJECT",
    title="SCCs with an importer subject to the GDPR",
    articles=("Commission Implementing Decision (EU) 2021/914, recital 7 and Art. 1",),
    logic=(
        "The 2021 SCCs are not designed for importers whose processing is itself "
        "subject to the GDPR under Art. 3(2): status attention, legal review. "
        "Checked from the decision's adoption (2021-06-04); the older sets said "
        "nothing of such importers."
    ),
    example="SCCs with a US platform that targets EU users.",
)
SCC_LEGACY = Rule(
    id="EU.SCC.LEGACY",
    title="SCCs before the 2021 clauses",
    articles=(
        "Commission Decision 2001/497/EC",
        "Commission Decision 2004/915/EC",
        "Commission Decision 2010/87/EU",
    ),
    logic=(
        "Before 2021-06-27 the older SCC sets applied: controller-to-controller "
        "(2001/2004) and controller-to-processor (2010). No Commission set served "
        "processor exporters, so SCCs declared with module 3 or 4 on such a date "
        "cannot be the Commission's clauses: basis none, status attention, legal "
        "review (the usual routes were the controller signing the 2010 clauses with "
        "the sub-processor, or ad hoc clauses, which the map cannot show)."
    ),
    example="A processor-to-processor flow with SCCs, assessed on 2020-01-01.",
)
SCC_OLD_CLAUSES = Rule(
    id="EU.SCC.OLD_CLAUSES",
    title="SCCs on the older sets after their grace period",
    articles=(
        "Commission Implementing Decision (EU) 2021/914, Art. 4",
        "GDPR Art. 46(2)(c)",
    ),
    logic=(
        "Contracts on the 2001, 2004 or 2010 SCCs concluded before 2021-09-27 could "
        "be relied on until 2022-12-27. After that day a flow declared scc that is "
        "on the older clauses (scc_signed before 2021-06-27, or, without "
        "scc_signed, a start before 2021-09-27) is status attention, action scc, "
        "until the map records the 2021 clauses' signature date (scc_signed). SCCs "
        "recorded as signed after the assessment date need a legal review of what "
        "covered the flow on that date. The dates are reference data."
    ),
    example="SCCs since 2019 (start 2019-03-01, no scc_signed), assessed on "
    "2023-01-02.",
)
BCR_GROUP = Rule(
    id="EU.BCR.GROUP",
    title="BCRs must bind both entities",
    articles=("GDPR Art. 46(2)(b)", "GDPR Art. 47"),
    logic=(
        "Both entities belong to one group whose BCRs are approved by the date and "
        "cover the exporter's role (BCR-C for a controller exporter, BCR-P for a "
        "processor exporter), and both had acceded to them by the date "
        "(bcr_accession): basis bcr; otherwise a gap. A group member processing "
        "for another group member is covered by the group's BCR-C where its scope "
        "includes that processing (processor BCRs serve controllers outside the "
        "group): a processor exporter under a BCR-C alone is basis bcr, status "
        "attention, with a legal review of that scope."
    ),
    example="An EU affiliate sends data to the group's Chinese headquarters.",
)
ART46_APPROVAL = Rule(
    id="EU.ART46.APPROVAL",
    title="Ad hoc clauses, codes of conduct and certification",
    articles=("GDPR Art. 46(2)(e)", "GDPR Art. 46(2)(f)", "GDPR Art. 46(3)(a)"),
    logic=(
        "These tools are lawful once approved or authorised and backed by binding "
        "commitments of the importer, which the map cannot show: basis as declared, "
        "status attention."
    ),
    example="Ad hoc clauses authorised by a supervisory authority.",
)
PUBLIC_BODY = Rule(
    id="EU.PUBLIC_BODY.INSTRUMENT",
    title="Instruments between public bodies",
    articles=("GDPR Art. 46(2)(a)", "GDPR Art. 46(3)(b)", "EDPB Guidelines 2/2020"),
    logic=(
        "A legally binding instrument or administrative arrangement serves only "
        "between public authorities or bodies (kind public_authority or sector "
        "public at both ends; an international organisation counts as an "
        "importer, EDPB Guidelines 2/2020): basis public_body_instrument, status "
        "attention; otherwise a gap."
    ),
    example="A national agency shares data with a foreign agency under an MoU.",
)

FOREIGN_TOOL = Rule(
    id="EU.MECHANISM.FOREIGN_TOOL",
    title="A tool of another regime",
    articles=("GDPR Art. 46",),
    logic=(
        "The UK's International Data Transfer Agreement is not a GDPR Art. 46 tool: "
        "relied on for EEA data it is a gap. The UK Addendum is read as the EU SCCs "
        "it is attached to (their module must fit)."
    ),
    example="A German affiliate sends data to India under the IDTA.",
)

RULES = (
    CLAIM,
    NO_MECHANISM,
    FOREIGN_TOOL,
    SCC_MODULE,
    TIA,
    *tia_rules.EU_RULES.values(),
    SCC_IMPORTER_SUBJECT,
    SCC_LEGACY,
    SCC_OLD_CLAUSES,
    BCR_GROUP,
    ART46_APPROVAL,
    PUBLIC_BODY,
)

#: The day the 2021 SCCs could first be used (20 days after publication).
SCC_2021_FROM = date(2021, 6, 27)
#: The citations whose adoption dates (reference data) the rules depend on.
SCHREMS_II = "CJEU C-311/18"
SCC_DECISION = "Commission Implementing Decision (EU) 2021/914"
EDPB_REC_01_2020 = "EDPB Recommendations 01/2020"

_ART46_BASIS = {
    Mechanism.AD_HOC_CLAUSES: Basis.AD_HOC_CLAUSES,
    Mechanism.CODE_OF_CONDUCT: Basis.CODE_OF_CONDUCT,
    Mechanism.CERTIFICATION: Basis.CERTIFICATION,
}


def is_public(entity_kind: EntityKind, sector: Sector) -> bool:
    """Whether an entity is a public authority or body."""
    return entity_kind is EntityKind.PUBLIC_AUTHORITY or sector is Sector.PUBLIC


def public_ends(exporter: Entity, importer: Entity) -> bool:
    """
    Whether both ends may use an instrument between public bodies (Art. 46(2)(a)).

    The exporter is a public authority or body; the importer is one too, or an
    international organisation (EDPB Guidelines 2/2020).
    """
    return is_public(exporter.kind, exporter.sector) and (
        is_public(importer.kind, importer.sector)
        or importer.international_organisation is not None
    )


def old_clauses_dates(context: Context) -> tuple[date, date] | None:
    """
    The older SCC sets' last day for new contracts and last day of reliance.

    From the EU entry's ``tools`` in ``regimes.json`` (the set with an end);
    ``None`` when the reference data has none.
    """
    spec = context.refdata.regimes.get("EU")
    for tool in spec.tools if spec is not None else ():
        if (
            tool.mechanism == "scc"
            and tool.until is not None
            and tool.new_contracts_until is not None
        ):
            return tool.new_contracts_until, tool.until
    return None


def evaluate(context: Context, trace: Trace, *, onward: bool) -> Outcome:
    """Judge the declared mechanism (not a derogation) of a transfer."""
    mechanism = context.flow.mechanism
    if mechanism in {Mechanism.ADEQUACY, Mechanism.DPF}:
        return _claim(context, trace, onward=onward)
    if mechanism.takes_scc_module:
        return _scc(context, trace, onward=onward)
    if mechanism is Mechanism.IDTA:
        trace.add(
            FOREIGN_TOOL,
            f"Flow {context.flow.id} relies on the UK's International Data Transfer "
            "Agreement, which is not a safeguard under GDPR Art. 46 for data protected "
            "by the GDPR.",
        )
        trace.ask(
            Action.FIX_MECHANISM,
            f"Sign the EU SCCs for flow {context.flow.id} (the UK Addendum can attach "
            "to them for the UK's part).",
            "GDPR Art. 46(2)(c)",
        )
        return Outcome(
            transfer=True, basis=Basis.NONE, status=Status.GAP, onward=onward
        )
    if mechanism is Mechanism.BCR:
        return _bcr(context, trace, onward=onward)
    if mechanism in _ART46_BASIS:
        return _approved(context, trace, onward=onward)
    if mechanism is Mechanism.PUBLIC_BODY_INSTRUMENT:
        return _public_body(context, trace, onward=onward)
    flow, importer = context.flow, context.importer
    trace.add(
        NO_MECHANISM,
        f"Flow {flow.id} to {party(importer)} is a restricted transfer and the map "
        "names no transfer tool for it.",
    )
    return Outcome(transfer=True, basis=Basis.NONE, status=Status.GAP, onward=onward)


def _claim(context: Context, trace: Trace, *, onward: bool) -> Outcome:
    flow = context.flow
    why = absence(context)
    trace.add(
        CLAIM,
        f"Flow {flow.id} relies on {flow.mechanism.value}, which does not apply: {why}",
        "GDPR Art. 45(1)",
    )
    trace.ask(
        Action.FIX_MECHANISM,
        f"Replace the {flow.mechanism.value} basis of flow {flow.id}, which does not "
        f"apply on {context.day.isoformat()}, with a tool that does.",
        "GDPR Art. 44",
    )
    return Outcome(transfer=True, basis=Basis.NONE, status=Status.GAP, onward=onward)


def check_tia(context: Context, trace: Trace) -> Status:
    """Judge the transfer impact assessment of an Art. 46 tool."""
    flow, day = context.flow, context.day
    if not context.exists(SCHREMS_II):
        # No duty to assess the destination's law before Schrems II.
        return Status.OK
    limit = context.settings.tia_max_age_days
    tia = flow.tia
    problem = None
    if tia is None:
        problem = "has no documented transfer impact assessment"
    elif tia > day:
        problem = (
            f"has a transfer impact assessment dated {tia.isoformat()}, after "
            f"{day.isoformat()}"
        )
    elif (day - tia).days > limit:
        problem = (
            f"has a transfer impact assessment from {tia.isoformat()}, "
            f"{(day - tia).days} days before {day.isoformat()} (more than {limit})"
        )
    if tia is not None and tia <= day:
        concluded = tia_rules.judge(context, trace, tia_rules.EU_RULES)
    else:
        concluded = Status.OK
    if problem is None:
        return concluded
    trace.add(TIA, f"Flow {flow.id} {problem}.")
    how = (
        "EDPB Recommendations 01/2020, six steps"
        if context.exists(EDPB_REC_01_2020)
        else "as CJEU C-311/18 requires"
    )
    trace.ask(
        Action.TIA,
        f"Document a transfer impact assessment for flow {flow.id} ({how}) and "
        "review it at least yearly.",
        "CJEU C-311/18 (Schrems II)",
        "EDPB Recommendations 01/2020",
    )
    return concluded.worst(Status.ATTENTION)


#: The Commission's sets before the 2021 SCCs, by the module that took their place
#: (the controller exporters' roles; no set served processor exporters).
OLD_SCC_SETS = {
    1: ("Commission Decision 2001/497/EC", "Commission Decision 2004/915/EC"),
    2: ("Commission Decision 2010/87/EU",),
}


def _ask_legacy_review(trace: Trace, flow_id: str, day: date) -> None:
    """The review a processor exporter's SCCs need before the 2021 clauses."""
    trace.ask(
        Action.LEGAL_REVIEW,
        f"Check which contract covered flow {flow_id} on {day.isoformat()}: "
        "no Commission SCC set served processor exporters before 2021-06-27; "
        "the usual routes were the controller signing the 2010 clauses with "
        "the sub-processor, or ad hoc clauses (Art. 46(3)(a)).",
        "Commission Decision 2010/87/EU",
        "GDPR Art. 46(3)(a)",
    )


def _scc(context: Context, trace: Trace, *, onward: bool) -> Outcome:
    flow, importer, day = context.flow, context.importer, context.day
    expected = context.expected_module
    roles = f"{flow.exporter_role.value} to {flow.importer_role.value}"
    if flow.scc_module != expected:
        # The loader requires a module for every tool built on the EU SCCs.
        signed = f"module {flow.scc_module}"
        trace.add(
            SCC_MODULE,
            f"Flow {flow.id} is {roles}, which needs SCC module {expected}; the map "
            f"names {signed}.",
        )
        if day < SCC_2021_FROM and expected not in OLD_SCC_SETS:
            _ask_legacy_review(trace, flow.id, day)
        else:
            # Before the 2021 SCCs, the set of the time that served these roles.
            cited = (
                (SCC_DECISION,)
                if day >= SCC_2021_FROM
                else ("GDPR Art. 46(2)(c)", *OLD_SCC_SETS[expected])
            )
            trace.ask(
                Action.FIX_MECHANISM,
                f"Sign SCC module {expected} ({roles}) for flow {flow.id} instead of "
                f"{signed}.",
                *cited,
            )
        return Outcome(
            transfer=True,
            basis=Basis.NONE,
            status=Status.GAP,
            onward=onward,
            scc_module=expected,
        )
    status = Status.OK
    addendum = (
        " (the EU SCCs to which the UK Addendum is attached)"
        if flow.mechanism is Mechanism.UK_ADDENDUM
        else ""
    )
    trace.add(
        SCC_MODULE,
        f"Flow {flow.id} to {party(importer)} is {roles} and uses SCC module "
        f"{expected}{addendum}, which fits.",
    )
    if day < SCC_2021_FROM:
        if expected in {3, 4}:
            trace.add(
                SCC_LEGACY,
                f"On {day.isoformat()} no Commission set of standard contractual "
                f"clauses served {roles} transfers: what flow {flow.id} signed "
                "cannot be the Commission's clauses.",
                "GDPR Art. 46(2)(c)",
                "Commission Decision 2010/87/EU",
            )
            _ask_legacy_review(trace, flow.id, day)
            return Outcome(
                transfer=True,
                basis=Basis.NONE,
                status=Status.ATTENTION,
                onward=onward,
            )
        trace.add(
            SCC_LEGACY,
            f"On {day.isoformat()} the older SCC sets applied; module {expected} "
            f"is read as the {'2001/2004' if expected == 1 else '2010'} set.",
        )
    if flow.mechanism is Mechanism.SCC:
        status = status.worst(_old_clauses(context, trace))
    if importer.subject_to_gdpr and context.exists(SCC_DECISION):
        status = Status.ATTENTION
        trace.add(
            SCC_IMPORTER_SUBJECT,
            f"{party(importer)} is subject to the GDPR under Art. 3(2); the 2021 SCCs "
            "are not designed for such importers.",
        )
        trace.ask(
            Action.LEGAL_REVIEW,
            f"Have counsel document why SCCs fit flow {flow.id} although the "
            "importer is subject to the GDPR under Art. 3(2).",
            "Commission Implementing Decision (EU) 2021/914, recital 7",
        )
    status = status.worst(check_tia(context, trace))
    return Outcome(
        transfer=True,
        basis=Basis.SCC,
        status=status,
        onward=onward,
        scc_module=expected,
    )


def _old_clauses(context: Context, trace: Trace) -> Status:
    """The older SCC sets after their grace period, or SCCs signed later."""
    flow, day = context.flow, context.day
    dates = old_clauses_dates(context)
    signed = flow.scc_signed
    if signed is not None and signed > day:
        trace.add(
            SCC_OLD_CLAUSES,
            f"The map records the SCCs of flow {flow.id} as signed on "
            f"{signed.isoformat()}, after {day.isoformat()}; what covered the flow "
            "on that date is not in the map.",
        )
        trace.ask(
            Action.LEGAL_REVIEW,
            f"Check which contract covered flow {flow.id} on {day.isoformat()}, "
            f"before its SCCs of {signed.isoformat()}.",
            "GDPR Art. 46(2)(c)",
        )
        return Status.ATTENTION
    if dates is None or day < SCC_2021_FROM:
        return Status.OK
    last_new, until = dates
    if signed is not None:
        old = signed < SCC_2021_FROM
        since = f"signed on {signed.isoformat()}"
    else:
        old = flow.start is not None and flow.start <= last_new
        since = (
            f"running since {flow.start.isoformat()} with no scc_signed date"
            if flow.start is not None
            else ""
        )
    if not old or day <= until:
        return Status.OK
    trace.add(
        SCC_OLD_CLAUSES,
        f"The SCCs of flow {flow.id} ({since}) are taken to be an older set: "
        f"contracts on those could be relied on until {until.isoformat()}, and the "
        "map does not record that the 2021 clauses replaced them.",
    )
    trace.ask(
        Action.SCC,
        f"Replace the older SCCs of flow {flow.id} with the 2021 SCCs, module "
        f"{context.expected_module}, and record their signature date (scc_signed); "
        "if that is done, record the date.",
        "Commission Implementing Decision (EU) 2021/914, Art. 4",
    )
    return Status.ATTENTION


def _bcr(context: Context, trace: Trace, *, onward: bool) -> Outcome:
    flow, exporter, importer, day = (
        context.flow,
        context.exporter,
        context.importer,
        context.day,
    )
    group = context.group_of(exporter)
    failure = None
    late = [
        (entity, entity.bcr_accession)
        for entity in (exporter, importer)
        if entity.bcr_accession is not None and entity.bcr_accession > day
    ]
    internal_processor = (
        group is not None
        and flow.exporter_role is Role.PROCESSOR
        and Role.PROCESSOR not in group.bcr
        and Role.CONTROLLER in group.bcr
    )
    if group is None:
        failure = f"{party(exporter)} belongs to no group"
    elif importer.group != group.id:
        failure = f"{party(importer)} is not in the group {group.id}"
    elif late:
        failure = "; ".join(
            f"{party(entity)} acceded to the group's BCRs only on "
            f"{accession.isoformat()}"
            for entity, accession in late
        )
    elif flow.exporter_role not in group.bcr and not internal_processor:
        kind = "BCR-C" if flow.exporter_role is Role.CONTROLLER else "BCR-P"
        failure = (
            f"the group {group.id} holds no {kind} for a "
            f"{flow.exporter_role.value} exporter"
        )
    elif group.bcr_approved is None or group.bcr_approved > day:
        approved = (
            group.bcr_approved.isoformat() if group.bcr_approved else "no recorded date"
        )
        failure = (
            f"the group's BCRs were not approved by {day.isoformat()} ({approved})"
        )
    if failure is not None:
        trace.add(BCR_GROUP, f"Flow {flow.id} relies on BCRs, but {failure}.")
        trace.ask(
            Action.FIX_MECHANISM,
            f"Do not rely on BCRs for flow {flow.id}: {failure}.",
            "GDPR Art. 47",
        )
        return Outcome(
            transfer=True, basis=Basis.NONE, status=Status.GAP, onward=onward
        )
    assert group is not None  # noqa: S101 - failure is None only with a group
    status = Status.OK
    if internal_processor:
        status = Status.ATTENTION
        trace.add(
            BCR_GROUP,
            f"{party(exporter)} processes for another member of {group.id}, whose "
            f"controller BCRs (BCR-C, approved on {group.bcr_approved}) cover flow "
            f"{flow.id} where their scope includes that processing.",
        )
        trace.ask(
            Action.LEGAL_REVIEW,
            f"Confirm that the scope of {group.id}'s BCR-C includes the processing "
            f"of flow {flow.id} for the group member; if not, extend it or sign SCC "
            f"module {context.expected_module} (processor BCRs serve controllers "
            "outside the group).",
            "GDPR Art. 47(2)",
        )
    else:
        trace.add(
            BCR_GROUP,
            f"{party(exporter)} and {party(importer)} are both bound by the BCRs of "
            f"{group.id}, approved on {group.bcr_approved}.",
        )
    status = status.worst(check_tia(context, trace))
    return Outcome(transfer=True, basis=Basis.BCR, status=status, onward=onward)


def _approved(context: Context, trace: Trace, *, onward: bool) -> Outcome:
    flow = context.flow
    trace.add(
        ART46_APPROVAL,
        f"Flow {flow.id} relies on {flow.mechanism.value.replace('_', ' ')}; the "
        "approval or authorisation and the importer's binding commitments must be "
        "verified.",
    )
    trace.ask(
        Action.LEGAL_REVIEW,
        f"Verify the approval of the {flow.mechanism.value.replace('_', ' ')} for flow "
        f"{flow.id} and the importer's binding, enforceable commitments.",
        "GDPR Art. 46",
    )
    check_tia(context, trace)
    return Outcome(
        transfer=True,
        basis=_ART46_BASIS[flow.mechanism],
        status=Status.ATTENTION,
        onward=onward,
    )


def _public_body(context: Context, trace: Trace, *, onward: bool) -> Outcome:
    flow, exporter, importer = context.flow, context.exporter, context.importer
    if public_ends(exporter, importer):
        other = (
            "an international organisation"
            if importer.international_organisation is not None
            else "another public body"
        )
        trace.add(
            PUBLIC_BODY,
            f"Flow {flow.id} runs from the public body {party(exporter)} to {other}, "
            f"{party(importer)}, under a binding instrument or arrangement, whose "
            "terms (and, for an arrangement, authorisation) must be verified.",
        )
        trace.ask(
            Action.LEGAL_REVIEW,
            f"Verify the instrument between the public bodies of flow {flow.id} and, "
            "for an administrative arrangement, the supervisory authority's "
            "authorisation.",
            "GDPR Art. 46(2)(a)",
            "GDPR Art. 46(3)(b)",
        )
        check_tia(context, trace)
        return Outcome(
            transfer=True,
            basis=Basis.PUBLIC_BODY_INSTRUMENT,
            status=Status.ATTENTION,
            onward=onward,
        )
    private = exporter if not is_public(exporter.kind, exporter.sector) else importer
    trace.add(
        PUBLIC_BODY,
        f"Flow {flow.id} relies on an instrument between public bodies, but "
        f"{party(private)} is not a public authority or body.",
    )
    trace.ask(
        Action.FIX_MECHANISM,
        f"An instrument between public bodies cannot serve flow {flow.id}; use "
        "another tool.",
        "GDPR Art. 46(2)(a)",
    )
    return Outcome(transfer=True, basis=Basis.NONE, status=Status.GAP, onward=onward)
