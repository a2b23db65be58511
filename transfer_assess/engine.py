"""
Assessing a data map on one date: the library's main entry point.

`assess` is pure and deterministic: it reads no clock and no file besides the
reference data (packaged, or passed in), and the same map, date and reference data
always give the same `Assessment`, byte for byte in JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from transfer_assess.findings import Assessment, Basis, Finding, Status
from transfer_assess.graph import FlowGraph, Route
from transfer_assess.recommend import recommend
from transfer_assess.refdata import check_as_of, load_reference_data
from transfer_assess.rules import Context, Settings, Trace, evaluate

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from transfer_assess.model import DataMap, Flow
    from transfer_assess.refdata import ReferenceData
    from transfer_assess.rules import Outcome

#: Regimes that can be assessed, with the reference-data regime of their decisions.
REGIMES = {"EU": "EU-GDPR"}


def assess(
    datamap: DataMap,
    *,
    as_of: date,
    refdata: ReferenceData | None = None,
    settings: Settings | None = None,
    regime: str = "EU",
    progress: Callable[[int, int], None] | None = None,
) -> Assessment:
    """
    Assess every flow of a map that exists on `as_of`.

    Args:
        datamap: The validated map (`transfer_assess.load_map`).
        as_of: The assessment date, not before 2018-05-25.
        refdata: Reference data; the packaged data when omitted.
        settings: Policy thresholds; the defaults when omitted.
        regime: The regime to assess; ``"EU"`` (GDPR Chapter V) for now.
        progress: Called as ``progress(done, total)`` every 1,000 flows and at the
            end, for progress bars.

    Returns:
        One finding per flow that exists on the date, sorted by flow id.

    Raises:
        InputError: `as_of` is before the GDPR applies, or the regime is unknown.
    """
    from transfer_assess.errors import InputError  # noqa: PLC0415

    check_as_of(as_of)
    if regime not in REGIMES:
        raise InputError(
            f"unknown regime {regime!r}; expected one of {sorted(REGIMES)}"
        )
    refdata = refdata or load_reference_data()
    settings = settings or Settings()
    graph = FlowGraph(datamap)
    protection = graph.propagate(as_of, refdata)
    findings = []
    inactive = []
    total = len(datamap.flows)
    for done, flow in enumerate(graph.flows(), start=1):
        if progress is not None and done % 1_000 == 0:
            progress(done, total)
        if not flow.exists_on(as_of):
            inactive.append(flow.id)
            continue
        context = Context(
            flow=flow,
            exporter=graph.entity(flow.exporter),
            importer=graph.entity(flow.importer),
            day=as_of,
            refdata=refdata,
            protection=protection,
            datamap=datamap,
            settings=settings,
            regime=REGIMES[regime],
        )
        trace = Trace()
        outcome = evaluate(context, trace)
        findings.append(_finding(context, outcome, trace, regime))
    if progress is not None:
        progress(total, total)
    return Assessment(
        organisation=datamap.organisation,
        as_of=as_of,
        regime=regime,
        reference_version=refdata.version,
        reference_sha256=refdata.sha256,
        findings=findings,
        inactive=inactive,
    )


def _finding(context: Context, outcome: Outcome, trace: Trace, regime: str) -> Finding:
    flow = context.flow
    recommendations = recommend(context, outcome, trace)
    module = outcome.scc_module
    if module is None and any(item.action.value == "scc" for item in recommendations):
        module = context.expected_module
    if outcome.basis is not Basis.SCC and not any(
        item.action.value == "scc" for item in recommendations
    ):
        module = None
    route = _route(context, flow) if outcome.transfer else None
    return Finding(
        flow=flow.id,
        exporter=flow.exporter,
        importer=flow.importer,
        exporter_country=context.exporter.country,
        importer_country=context.importer.country,
        transfer=outcome.transfer,
        onward=outcome.onward,
        basis=outcome.basis,
        status=outcome.status,
        scc_module=module,
        recommendations=recommendations,
        reasons=trace.reasons,
        chain=route.ids if route is not None else (),
        chain_omitted=route.omitted if route is not None else 0,
        importer_organisation=context.importer.international_organisation,
        regime=regime,
    )


def _route(context: Context, flow: Flow) -> Route:
    protection = context.protection
    if context.exporter_subject:
        return Route.start(flow.exporter).extended(flow.importer)
    carried = protection.carried(flow)
    return protection.best_route(flow.exporter, carried).extended(flow.importer)


__all__ = ["REGIMES", "Status", "assess"]
