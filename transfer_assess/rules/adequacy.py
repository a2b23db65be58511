"""
Adequacy decisions (GDPR Art. 45): is the importer covered on the date?

A decision counts when it is in force on the date (adopted, or applying, on or before
it, and not yet ended) and the importer is inside its scope: sector, certification and
HR-data conditions come from the reference data, never from code. Conditions the map
cannot express are stated for the user to confirm.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from transfer_assess.findings import Action, Basis, Status
from transfer_assess.model import HR_DATA_SUBJECTS, EntityKind, Mechanism, Role
from transfer_assess.refdata import scope_admits
from transfer_assess.rules.base import Context, Outcome, Rule, Trace, party

if TYPE_CHECKING:
    from transfer_assess.refdata import Decision

COVERED = Rule(
    id="EU.ADEQUACY.SCOPE",
    title="An adequacy decision covers the importer",
    articles=("GDPR Art. 45(1)",),
    logic=(
        "A decision in force on the date covers the importer's country or "
        "international organisation, and the importer is inside its scope (sector, "
        "certification, HR data): basis adequacy, status ok. A mechanism declared "
        "besides (SCCs kept as a fallback) is mentioned, not flagged."
    ),
    example="A German controller sends data to a DPF-certified US processor in 2026.",
)
OUT_OF_SCOPE = Rule(
    id="EU.ADEQUACY.OUT_OF_SCOPE",
    title="A decision exists, but the importer is outside its scope",
    articles=("GDPR Art. 45(1)",),
    logic=(
        "A decision is in force for the destination, but the importer does not meet "
        "its scope: not certified where certification is required, HR data without "
        "the HR certification, or a public body where only the private sector is "
        "covered. The flow needs another tool."
    ),
    example="A Japanese public university receives data: the Japan decision covers "
    "only business operators.",
)
NO_DECISION = Rule(
    id="EU.ADEQUACY.NONE",
    title="No adequacy decision in force for the destination",
    articles=("GDPR Art. 45", "GDPR Art. 46"),
    logic=(
        "No decision covers the destination on the date (none ever, not yet, or no "
        "longer: the reason names an ended decision and why it ended). The flow "
        "needs an Art. 46 tool or an Art. 49 derogation."
    ),
    example="Customer data sent to India, or to a US importer on 2020-08-01.",
)
LAPSE = Rule(
    id="EU.ADEQUACY.LAPSE",
    title="The decision lapses soon",
    articles=("GDPR Art. 45(3)", "GDPR Art. 45(5)"),
    logic=(
        "The decision, as known from acts adopted on or before the date, ends within "
        "the warning period (180 days by default) and no successor has been "
        "adopted: status attention, prepare a fallback tool."
    ),
    example="The 2021 UK decision assessed on 2025-03-01 (sunset 2025-06-27).",
)
WATCH = Rule(
    id="EU.ADEQUACY.WATCH",
    title="A watch note on the decision",
    articles=("GDPR Art. 45(5)",),
    logic=(
        "The reference data attaches a watch note to the decision (for example a "
        "pending court challenge): it is repeated as a reason and a fallback tool is "
        "recommended; the status does not change."
    ),
    example="The DPF decision while the Latombe appeal is pending.",
)
CONDITION = Rule(
    id="EU.ADEQUACY.CONDITION",
    title="A scope condition the map cannot express",
    articles=("GDPR Art. 45(1)",),
    logic=(
        "The decision's scope has a condition the data map cannot express (Israel's "
        "automated transfers, Korea's exclusions, the 2021 UK decision's immigration "
        "exclusion): the decision is applied and the condition is stated for the "
        "user to confirm."
    ),
    example="Employee data sent to Korea: confirm the importer is not excluded.",
)
EEA_EFTA = Rule(
    id="EU.ADEQUACY.EEA_EFTA",
    title="An EEA EFTA exporter awaiting the EEA's incorporation (Liechtenstein)",
    articles=(
        "EEA Joint Committee Decision No 154/2018 (GDPR Art. 45(1a) as adapted)",
        "GDPR Art. 45",
    ),
    logic=(
        "Norway and Iceland apply each Commission decision from its EU date. An "
        "EEA EFTA state without that practice (Liechtenstein) relies on a decision "
        "once the EEA Agreement takes it in; where the reference data does not know "
        "that it has, the decision is applied with status attention and a legal "
        "review."
    ),
    example="A Liechtenstein affiliate sends data to Brazil in 2026.",
)
HR_DATA = Rule(
    id="EU.ADEQUACY.HR_DATA",
    title="HR data under a decision that covers it only in part",
    articles=("GDPR Art. 45(1)", "Commission Decision 2002/2/EC"),
    logic=(
        "The decision covers employee data only in part (Canada: recital 5 of "
        "Decision 2002/2/EC leaves out employee data used for non-commercial "
        "purposes, while a commercial provider handling a client's staff data is "
        "within PIPEDA). Decided by the importer's role and kind: a service "
        "provider acting as processor is covered (status ok); a group affiliate "
        "receiving only staff data as controller (employment, a non-commercial "
        "purpose) is outside the decision, so the flow needs another tool; any "
        "other case is status attention with a legal review."
    ),
    example="A German affiliate sends employee records to its Canadian sister "
    "company (outside) or to a Canadian payroll provider (covered).",
)

FALLBACK = Rule(
    id="EU.ADEQUACY.FALLBACK",
    title="A declared tool settles what the decision leaves open",
    articles=("GDPR Art. 46", "GDPR Art. 45(1)"),
    logic=(
        "Where the adequacy decision needs attention (it lapses soon, covers HR data "
        "only in part, or may not yet apply to an EEA EFTA exporter) and the map "
        "declares an Art. 46/47 tool that fits with nothing to do, that tool carries "
        "the flow: its basis, status ok."
    ),
    example="Employee data to Canada under SCCs module 1 with a current TIA.",
)

RULES = (
    COVERED,
    OUT_OF_SCOPE,
    NO_DECISION,
    LAPSE,
    WATCH,
    CONDITION,
    EEA_EFTA,
    HR_DATA,
    FALLBACK,
)


def hr_coverage(context: Context) -> bool | None:
    """
    Whether a decision covering HR data only in part covers this flow's HR data.

    ``True`` for a service provider acting as processor (a commercial activity),
    ``False`` for a group affiliate receiving only staff data as controller (the
    employer's own, non-commercial use), ``None`` when the map cannot tell.
    """
    flow, importer = context.flow, context.importer
    if (
        flow.importer_role is Role.PROCESSOR
        and importer.kind is EntityKind.SERVICE_PROVIDER
    ):
        return True
    if (
        flow.importer_role is Role.CONTROLLER
        and importer.kind is EntityKind.AFFILIATE
        and set(flow.data_subjects) <= HR_DATA_SUBJECTS
    ):
        return False
    return None


def scope_failures(decision: Decision, context: Context) -> list[str]:
    """Why the importer is outside a decision's scope; empty when it is inside."""
    importer, flow = context.importer, context.flow
    scope = decision.scope
    failures = []
    if scope.sectors is not None and importer.sector not in scope.sectors:
        covered = " or ".join(sorted(sector.value for sector in scope.sectors))
        failures.append(
            f"the decision covers only {covered}-sector importers and "
            f"{importer.id} is in the {importer.sector.value} sector"
        )
    missing = scope.missing(importer, hr_data=False)
    missing_hr = [
        name
        for name in scope.missing(importer, hr_data=flow.is_hr_data)
        if name not in missing
    ]
    if missing:
        names = " and ".join(repr(name) for name in missing)
        plural = "s" if len(missing) > 1 else ""
        if importer.kind is EntityKind.PUBLIC_AUTHORITY:
            failures.append(
                f"the decision covers only organisations holding the {names} "
                f"certification{plural}, which a public authority such as "
                f"{importer.id} cannot hold"
            )
        else:
            failures.append(
                f"{importer.id} does not hold the {names} certification{plural} the "
                "decision requires"
            )
    elif (
        flow.is_hr_data
        and scope.hr_data == "legal_review"
        and hr_coverage(context) is False
    ):
        failures.append(
            f"the decision leaves out employee data used for non-commercial purposes "
            f"and {importer.id}, a group affiliate, receives only staff data as "
            "controller (employment)"
        )
    elif missing_hr:
        subjects = ", ".join(sorted(set(flow.data_subjects)))
        names = " and ".join(repr(name) for name in missing_hr)
        verb = "are" if len(missing_hr) > 1 else "is"
        failures.append(
            f"the flow carries HR data ({subjects}) and {importer.id}'s certification "
            f"does not cover HR data ({names} {verb} missing)"
        )
    return failures


def absence(context: Context) -> str:
    """
    A sentence on why no decision covers the importer on the date.

    Names ended decisions (with the date and reason) and decisions whose scope the
    importer misses.
    """
    importer, day, refdata = context.importer, context.day, context.refdata
    jurisdiction = importer.jurisdiction
    in_force = refdata.decisions_for(jurisdiction, day, regime=context.regime)
    parts = [
        f"{decision.reference} is in force but {'; '.join(failures)}"
        for decision in in_force
        if (failures := scope_failures(decision, context))
    ]
    if parts:
        return "; ".join(parts) + "."
    ended = [
        decision
        for decision in refdata.decisions
        if decision.regime == context.regime
        and decision.jurisdiction == jurisdiction
        and decision.ended is not None
        and decision.ended <= day
    ]
    if ended:
        last = max(ended, key=lambda decision: decision.ended or day)
        reason = last.end_reason.text if last.end_reason else "it ended"
        return (
            f"no adequacy decision covers {jurisdiction} on {day.isoformat()}; "
            f"{last.reference} stopped applying on {last.ended} ({reason})."
        )
    later = [
        decision
        for decision in refdata.decisions
        if decision.regime == context.regime
        and decision.jurisdiction == jurisdiction
        and decision.starts > day
    ]
    if later:
        first = min(later, key=lambda decision: decision.starts)
        return (
            f"no adequacy decision covers {jurisdiction} on {day.isoformat()}; "
            f"{first.reference} applies only from {first.starts.isoformat()}."
        )
    return f"no adequacy decision covers {jurisdiction} on {day.isoformat()}."


def evaluate(context: Context, trace: Trace, *, onward: bool) -> Outcome | None:
    """Apply the first decision in force that covers the importer, if any."""
    importer, day, refdata = context.importer, context.day, context.refdata
    decisions = refdata.decisions_for(importer.jurisdiction, day, regime=context.regime)
    applicable = None
    for decision in decisions:
        failures = scope_failures(decision, context)
        if failures:
            trace.add(
                OUT_OF_SCOPE,
                f"{decision.reference} ({decision.id}) is in force for "
                f"{importer.jurisdiction} on {day.isoformat()}, but {party(importer)} "
                f"is outside its scope: {'; '.join(failures)}.",
                "GDPR Art. 45(1)",
                decision.reference,
            )
            continue
        applicable = decision
        break
    if applicable is None:
        if not decisions:
            why = absence(context)
            trace.add(
                NO_DECISION,
                f"{why[0].upper()}{why[1:-1]}, so flow {context.flow.id} to "
                f"{party(importer)} needs an Art. 46 tool or an Art. 49 derogation.",
            )
        return None
    return _apply(applicable, context, trace, onward=onward)


def _apply(
    decision: Decision, context: Context, trace: Trace, *, onward: bool
) -> Outcome:
    flow, importer, day = context.flow, context.importer, context.day
    status = Status.OK
    declared = flow.mechanism
    besides = ""
    if declared not in {Mechanism.ADEQUACY, Mechanism.DPF, Mechanism.NONE}:
        besides = (
            f" The map also declares {declared.value}; it is not needed while the "
            "decision applies and can stay as a fallback."
        )
    trace.add(
        COVERED,
        f"{decision.reference} ({decision.id}) covers {party(importer)} on "
        f"{day.isoformat()}: {decision.scope.summary}{besides}",
        "GDPR Art. 45(1)",
        decision.reference,
    )
    for condition in decision.scope.conditions:
        trace.add(
            CONDITION,
            f"{decision.reference} applies to flow {flow.id} only if this holds, "
            f"which the map cannot express; confirm it: {condition}",
            "GDPR Art. 45(1)",
            decision.reference,
        )
    covered = hr_coverage(context)
    if flow.is_hr_data and decision.scope.hr_data == "legal_review" and covered:
        trace.add(
            HR_DATA,
            f"Flow {flow.id} carries HR data to {party(importer)}, a service "
            f"provider acting as processor: it handles the data in a commercial "
            f"activity, which {decision.reference} covers.",
            "GDPR Art. 45(1)",
            decision.reference,
        )
    elif flow.is_hr_data and decision.scope.hr_data == "legal_review":
        status = Status.ATTENTION
        trace.add(
            HR_DATA,
            f"Flow {flow.id} carries HR data to {party(importer)}; "
            f"{decision.reference} covers employee data only in part, so whether it "
            "covers this flow needs a legal check.",
            "GDPR Art. 45(1)",
            decision.reference,
        )
        trace.ask(
            Action.LEGAL_REVIEW,
            f"Have counsel confirm that {decision.reference} covers the HR data of "
            f"flow {flow.id}: the map does not show whether {importer.id} uses it "
            "in a commercial activity (for Canada, recital 5 of Decision 2002/2/EC "
            "leaves out employee data used for non-commercial purposes); if in "
            "doubt, use SCCs.",
            decision.reference,
        )
    status = status.worst(_eea_efta(decision, context, trace))
    status = status.worst(_lapse(decision, context, trace))
    for note in decision.active_watch(day):
        trace.add(
            WATCH,
            f"Watch {decision.reference}: {note.text}",
            *(note.reference or decision.reference,),
        )
        trace.ask(
            Action.SCC,
            f"Keep a fallback ready for flow {flow.id} in case {decision.reference} "
            "falls: SCCs with a documented transfer impact assessment.",
            "GDPR Art. 46(2)(c)",
            "Commission Implementing Decision (EU) 2021/914",
        )
    return Outcome(transfer=True, basis=Basis.ADEQUACY, status=status, onward=onward)


def _eea_efta(decision: Decision, context: Context, trace: Trace) -> Status:
    """
    An exporter in an EEA EFTA state relies on the decision as its state does.

    Norway and Iceland apply each Commission decision from its EU date; Liechtenstein
    only once the EEA Agreement takes it in (``eea.json``'s ``adequacy_practice``;
    EEA Joint Committee Decision 154/2018, GDPR Art. 45(1a) as adapted for the EEA).
    """
    exporter, day = context.exporter, context.day
    if exporter.country is None or context.flow.exporter != exporter.id:
        return Status.OK
    period = context.refdata.membership_on(exporter.country, day)
    if period is None or period.status != "eea_efta":
        return Status.OK
    if context.refdata.practices.get(exporter.country) == "follows_eu":
        return Status.OK
    known = decision.eea_efta_status == "incorporated" and (
        decision.eea_efta_from is None or decision.eea_efta_from <= day
    )
    if known:
        return Status.OK
    trace.add(
        EEA_EFTA,
        f"{party(exporter)} is in an EEA EFTA state that relies on a decision only "
        f"once the EEA Agreement takes it in; that it had taken in "
        f"{decision.reference} by {day.isoformat()} is not known from the reference "
        "data.",
        _EEA_EFTA_CITATION,
        decision.reference,
    )
    trace.ask(
        Action.LEGAL_REVIEW,
        f"Confirm that {decision.reference} applies to exporters in "
        f"{exporter.country} on {day.isoformat()} (EEA Joint Committee decision); "
        "until then, rely on SCCs.",
        _EEA_EFTA_CITATION,
    )
    return Status.ATTENTION


_EEA_EFTA_CITATION = (
    "EEA Joint Committee Decision No 154/2018 (GDPR Art. 45(1a) as adapted)"
)


def _lapse(decision: Decision, context: Context, trace: Trace) -> Status:
    day = context.day
    until = decision.known_until(day)
    if until is None:
        return Status.OK
    remaining = (until - day).days
    if remaining > context.settings.lapse_warning_days:
        return Status.OK
    if decision.successor is not None:
        successor = context.refdata.decision(decision.successor)
        if successor.adopted <= day and scope_admits(
            successor.scope, context.importer, hr_data=context.flow.is_hr_data
        ):
            return Status.OK
    trace.add(
        LAPSE,
        f"{decision.reference} ends after {until.isoformat()}, {remaining} days after "
        f"{day.isoformat()}, as known from acts adopted by then; no successor "
        "decision had been adopted.",
        "GDPR Art. 45(3)",
        decision.reference,
    )
    trace.ask(
        Action.SCC,
        f"Prepare a fallback for flow {context.flow.id} before "
        f"{decision.reference} lapses: SCCs with a transfer impact assessment.",
        "GDPR Art. 46(2)(c)",
        "Commission Implementing Decision (EU) 2021/914",
    )
    return Status.ATTENTION


__all__ = ["RULES", "absence", "evaluate", "scope_failures"]
