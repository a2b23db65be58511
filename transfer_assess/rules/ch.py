"""
The Swiss FADP's transfer rules (Art. 16-17), for Swiss-origin data.

The procedure is `transfer_assess.rules.national`'s; what is Switzerland's own is here:
the EU SCCs serve only with the adaptations the FDPIC set when it recognised them
(2021-08-27), declared in the map as ``scc_adaptations: [CH]``. The revised FADP applies
from 2023-09-01; before that the former FADP applied, which the rules do not model: a
transfer then is never ``ok`` (attention, or a gap where no tool is declared).
"""

from __future__ import annotations

from transfer_assess.findings import Action, Basis, Recommendation, Status
from transfer_assess.model import Mechanism
from transfer_assess.rules import national
from transfer_assess.rules.base import Context, Outcome, Rule, Trace

REGIME = "CH"

TOOL = Rule(
    id="CH.SCC.ADAPTATIONS",
    title="EU SCCs need the Swiss adaptations",
    articles=("FADP Art. 16(2)(d)", "FDPIC recognition of the EU SCCs, 27 Aug 2021"),
    logic=(
        "The EU 2021 SCCs serve a transfer from Switzerland when they carry the "
        "adaptations the FDPIC required (the FDPIC as supervisory authority, "
        "Switzerland as a place of suit, the FADP read for the GDPR): with the "
        "module that fits the roles, basis scc; without the adaptations, attention."
    ),
    example="A Swiss affiliate's EU SCCs with an Indian processor, no adaptations.",
)
FORMER_LAW = Rule(
    id="CH.FORMER_FADP",
    title="Before the revised FADP: the former law is not modelled",
    articles=("FADP of 19 June 1992 Art. 6",),
    logic=(
        "Before 2023-09-01 the former FADP applied, whose transfer rules are not "
        "modelled: a transfer is never ok, but attention with a legal review (a gap "
        "where the map names no transfer tool)."
    ),
    example="A Swiss affiliate sends data to India under SCCs on 2023-08-31.",
)


def _own_tools(
    rules: national.Book, context: Context, trace: Trace, onward: bool
) -> Outcome | None:
    flow = context.flow
    if flow.mechanism is not Mechanism.SCC:
        return None
    spec = national.spec_of(context)
    tool = spec.tool(Mechanism.SCC.value)
    module = context.expected_module
    if not national.check_module(rules, context, trace, "the SCCs"):
        return national.gap(onward, module)
    status = Status.OK
    adaptation = tool.adaptation if tool is not None else REGIME
    if adaptation in flow.scc_adaptations:
        trace.add(
            TOOL,
            f"The EU SCCs of flow {flow.id} carry the Swiss adaptations the FDPIC "
            "required when it recognised them.",
            *((tool.reference,) if tool else ()),
        )
    else:
        status = Status.ATTENTION
        trace.add(
            TOOL,
            f"The map does not say that the EU SCCs of flow {flow.id} carry the "
            "Swiss adaptations (scc_adaptations: [CH]); without them they do not "
            "meet the FDPIC's recognition.",
            *((tool.reference,) if tool else ()),
        )
        trace.ask(
            Action.FIX_MECHANISM,
            f"Add the Swiss adaptations to the EU SCCs of flow {flow.id} (FDPIC as "
            "supervisory authority, Switzerland as a place of suit, the FADP read for "
            "the GDPR), then declare scc_adaptations: [CH].",
            spec.article("standard_clauses"),
        )
    status = status.worst(national.check_risk(rules, context, trace))
    return Outcome(
        transfer=True, basis=Basis.SCC, status=status, onward=onward, scc_module=module
    )


def _recommend_tool(context: Context) -> Recommendation:
    flow = context.flow
    spec = national.spec_of(context)
    roles = f"{flow.exporter_role.value} to {flow.importer_role.value}"
    if not context.exists("Commission Implementing Decision (EU) 2021/914"):
        # No instrument is named before it existed (issue 12).
        return Recommendation(
            Action.SCC,
            f"Sign standard contractual clauses the FDPIC recognises for flow "
            f"{flow.id} ({roles}).",
            (spec.article("standard_clauses"),),
        )
    return Recommendation(
        Action.SCC,
        f"Sign the EU 2021 SCCs, module {context.expected_module} ({roles}), with the "
        f"Swiss adaptations for flow {flow.id}.",
        (
            spec.article("standard_clauses"),
            "Commission Implementing Decision (EU) 2021/914",
        ),
    )


BOOK = national.book(
    regime=REGIME,
    name="FADP",
    articles={
        "transfers": "FADP Art. 16",
        "adequacy": "FADP Art. 16(1); DPO Art. 8 and Annex 1",
        "safeguards": "FADP Art. 16(2)",
        "standard_clauses": "FADP Art. 16(2)(d)",
        "bcr": "FADP Art. 16(2)(e)",
        "ad_hoc": "FADP Art. 16(2)(b)",
        "codes_certification": "FADP Art. 16(3); DPO Art. 12",
        "public_body": "FADP Art. 16(2)(a)",
        "derogations": "FADP Art. 17",
        "risk": "FDPIC guidance on transfers abroad",
    },
    own_tools=_own_tools,
    recommend_tool=_recommend_tool,
    tool=TOOL,
    former_law=FORMER_LAW,
)

#: Every Swiss rule, in the order the procedure applies them.
RULES: tuple[Rule, ...] = BOOK.rules

__all__ = ["BOOK", "REGIME", "RULES"]
