"""
The UK GDPR's transfer rules (Chapter V, DPA 2018), for UK-origin data from 2021-01-01.

The procedure is `transfer_assess.rules.national`'s; what is the UK's own is here: the
ICO's International Data Transfer Agreement (IDTA) and its Addendum to the EU SCCs,
both from 2022-03-21, and the old EU clauses that UK law kept (new contracts until
2022-09-21, relied on until 2024-03-21). The dates come from ``regimes.json``.
"""

from __future__ import annotations

from transfer_assess.findings import Action, Basis, Recommendation, Status
from transfer_assess.model import Mechanism
from transfer_assess.rules import national
from transfer_assess.rules.base import Context, Outcome, Rule, Trace, party
from transfer_assess.rules.safeguards import SCC_2021_FROM

REGIME = "UK"

TOOL = Rule(
    id="UK.TOOL",
    title="The IDTA, the Addendum, and the EU SCCs under UK law",
    articles=("UK GDPR Art. 46(2)(d)", "DPA 2018 s.119A"),
    logic=(
        "The IDTA and the Addendum serve from 2022-03-21 (the Addendum with the EU "
        "SCC module that fits the roles). The EU SCCs alone mean, before "
        "2021-06-27, the old clauses UK law kept (basis scc); from then to "
        "2022-09-21 they are valid only if they are those old clauses (attention; "
        "before 2022-03-21, when the Addendum did not apply yet, a legal review "
        "confirms it); "
        "until 2024-03-21 only for contracts made by 2022-09-21 (attention; a flow "
        "that started later is a gap); after that a gap."
    ),
    example="A UK exporter relying on the 2021 EU SCCs alone in 2025: gap.",
)


def _own_tools(
    rules: national.Book, context: Context, trace: Trace, onward: bool
) -> Outcome | None:
    flow, day = context.flow, context.day
    spec = national.spec_of(context)
    mechanism = flow.mechanism
    if mechanism in {Mechanism.IDTA, Mechanism.UK_ADDENDUM}:
        tool = spec.tool(mechanism.value)
        if tool is not None and tool.start is not None and day < tool.start:
            trace.add(
                TOOL,
                f"Flow {flow.id} relies on the {tool.reference}, which applies only "
                f"from {tool.start.isoformat()}.",
                tool.reference,
            )
            trace.ask(
                Action.FIX_MECHANISM,
                f"On {day.isoformat()} flow {flow.id} needed another tool: the "
                "standard contractual clauses as UK law kept them.",
                spec.article("standard_clauses"),
            )
            return national.gap(onward)
        if mechanism is Mechanism.UK_ADDENDUM and not national.check_module(
            rules, context, trace, "the Addendum's SCCs"
        ):
            return national.gap(onward, context.expected_module)
        trace.add(
            TOOL,
            f"Flow {flow.id} to {party(context.importer)} relies on the "
            f"{tool.reference if tool else mechanism.value}, in force on "
            f"{day.isoformat()}.",
        )
        status = national.check_risk(rules, context, trace)
        basis = Basis.IDTA if mechanism is Mechanism.IDTA else Basis.UK_ADDENDUM
        module = context.expected_module if basis is Basis.UK_ADDENDUM else None
        return Outcome(
            transfer=True, basis=basis, status=status, onward=onward, scc_module=module
        )
    if mechanism is Mechanism.SCC:
        return _eu_clauses(rules, context, trace, onward=onward)
    return None


def _eu_clauses(
    rules: national.Book, context: Context, trace: Trace, *, onward: bool
) -> Outcome:
    flow, day = context.flow, context.day
    spec = national.spec_of(context)
    tool = spec.tool(Mechanism.SCC.value)
    module = context.expected_module
    if not national.check_module(rules, context, trace, "the SCCs"):
        return national.gap(onward, module)
    new_until = tool.new_contracts_until if tool else None
    until = tool.until if tool else None
    status = Status.OK
    if until is not None and day > until:
        trace.add(
            TOOL,
            f"Flow {flow.id} relies on EU SCCs alone; the old clauses kept by UK law "
            f"could be relied on only until {until.isoformat()}, and the EU 2021 "
            "clauses are valid for UK transfers only with the Addendum.",
            *((tool.reference,) if tool else ()),
        )
        _ask_for_the_addendum(trace, context)
        return national.gap(onward, module)
    if day < SCC_2021_FROM:
        trace.add(
            TOOL,
            f"On {day.isoformat()} EU SCCs could only be the old clauses, which UK law "
            "kept for UK transfers.",
        )
        if module in {3, 4}:
            status = Status.ATTENTION
            trace.ask(
                Action.LEGAL_REVIEW,
                f"Check which contract covered flow {flow.id}: the old clauses had no "
                "set for processor exporters.",
                spec.article("standard_clauses"),
            )
    elif new_until is not None and day <= new_until:
        status = Status.ATTENTION
        trace.add(
            TOOL,
            f"On {day.isoformat()} EU SCCs served a UK transfer only if they were the "
            f"old clauses kept by UK law (new contracts on them until "
            f"{new_until.isoformat()}); the EU 2021 clauses alone did not.",
        )
        addendum = spec.tool(Mechanism.UK_ADDENDUM.value)
        if addendum is not None and addendum.start is not None and day < addendum.start:
            # The Addendum is not in force yet: it cannot be advised on this date.
            trace.ask(
                Action.LEGAL_REVIEW,
                f"Confirm that flow {flow.id} rests on the old clauses kept by UK "
                "law; the EU 2021 clauses alone do not serve a UK transfer, and the "
                f"ICO's Addendum applies only from {addendum.start.isoformat()}.",
                spec.article("standard_clauses"),
            )
        else:
            trace.ask(
                Action.UK_ADDENDUM,
                f"Confirm that flow {flow.id} rests on the old clauses kept by UK "
                "law; from 2022-03-21 the ICO's Addendum makes the EU 2021 clauses "
                "valid.",
                spec.article("standard_clauses"),
            )
    elif flow.start is not None and new_until is not None and flow.start > new_until:
        trace.add(
            TOOL,
            f"Flow {flow.id} started on {flow.start.isoformat()}, after "
            f"{new_until.isoformat()}, the last day a contract on the old clauses "
            "could be made; EU SCCs alone cannot serve it.",
        )
        _ask_for_the_addendum(trace, context)
        return national.gap(onward, module)
    else:
        status = Status.ATTENTION
        trace.add(
            TOOL,
            f"EU SCCs alone serve flow {flow.id} on {day.isoformat()} only if they "
            "are the old clauses kept by UK law, signed on or before "
            f"{new_until.isoformat() if new_until else 'the cut-off'}; they can be "
            f"relied on until {until.isoformat() if until else 'their end'}.",
        )
        trace.ask(
            Action.UK_ADDENDUM,
            f"Move flow {flow.id} to the IDTA or the EU 2021 SCCs with the UK "
            "Addendum before the old clauses end.",
            spec.article("standard_clauses"),
        )
    status = status.worst(national.check_risk(rules, context, trace))
    return Outcome(
        transfer=True, basis=Basis.SCC, status=status, onward=onward, scc_module=module
    )


def _ask_for_the_addendum(trace: Trace, context: Context) -> None:
    """Ask to replace EU SCCs used alone with the Addendum or the IDTA."""
    trace.ask(
        Action.FIX_MECHANISM,
        f"Add the UK Addendum to the EU SCCs of flow {context.flow.id}, or sign the "
        "IDTA.",
        national.spec_of(context).article("standard_clauses"),
    )


def _recommend_tool(context: Context) -> Recommendation:
    flow, importer, day = context.flow, context.importer, context.day
    spec = national.spec_of(context)
    module = context.expected_module
    roles = f"{flow.exporter_role.value} to {flow.importer_role.value}"
    idta = spec.tool(Mechanism.IDTA.value)
    if idta is not None and idta.start is not None and day < idta.start:
        return Recommendation(
            Action.SCC,
            f"Sign the standard contractual clauses as UK law kept them for flow "
            f"{flow.id} ({roles}).",
            (spec.article("standard_clauses"),),
        )
    partner = _eu_scc_partner(context)
    if partner is not None:
        return Recommendation(
            Action.UK_ADDENDUM,
            f"{importer.id} already has EU SCCs with {partner}: add the "
            f"ICO's UK Addendum to them for flow {flow.id} (module {module}, {roles}).",
            (
                spec.article("standard_clauses"),
                "ICO International Data Transfer Addendum",
            ),
        )
    return Recommendation(
        Action.IDTA,
        f"Sign the ICO's International Data Transfer Agreement for flow {flow.id} "
        f"({roles}), or the EU 2021 SCCs (module {module}) with the UK Addendum.",
        (spec.article("standard_clauses"), "ICO International Data Transfer Agreement"),
    )


def _eu_scc_partner(context: Context) -> str | None:
    """
    With whom the importer already has EU SCCs: the exporter, or its group.

    ``None`` when the importer receives no flow under a tool built on the EU SCCs
    from the exporter or from another member of the exporter's group.
    """
    exporter = context.exporter
    senders, groups = context.datamap.scc_senders(context.importer.id)
    if exporter.id in senders:
        return exporter.id
    if exporter.group is not None and exporter.group in groups:
        return f"{exporter.id}'s group ({exporter.group})"
    return None


BOOK = national.book(
    regime=REGIME,
    name="UK GDPR",
    articles={
        "transfers": "UK GDPR Art. 44 (Art. 44A from 2026-02-05)",
        "adequacy": "UK GDPR Art. 45 (Art. 45A from 2026-02-05); DPA 2018 s.17A",
        "safeguards": "UK GDPR Art. 46",
        "standard_clauses": "UK GDPR Art. 46(2)(d); DPA 2018 s.119A",
        "bcr": "UK GDPR Art. 47",
        "ad_hoc": "UK GDPR Art. 46(3)(a)",
        "public_body": "UK GDPR Art. 46(2)(a)",
        "derogations": "UK GDPR Art. 49",
        "risk": "ICO guidance on transfer risk assessments",
    },
    own_tools=_own_tools,
    recommend_tool=_recommend_tool,
    tool=TOOL,
)

#: Every UK rule, in the order the procedure applies them.
RULES: tuple[Rule, ...] = BOOK.rules

__all__ = ["BOOK", "REGIME", "RULES"]
