"""
Assessing a data map on one date: the library's main entry point.

`assess` is pure and deterministic: it reads no clock and no file besides the
reference data (packaged, or passed in), and the same map, date and reference data
always give the same `Assessment`, byte for byte in JSON.

Each flow is assessed under every regime that protects its data (`REGIMES`): the EU
GDPR for every flow, the UK GDPR and the Swiss FADP where the exporter is established
in (or declared subject to) their territory or the flow carries data of their origin.
A regime is reference data (``regimes.json``, its adequacy list in ``adequacy.json``)
plus one rules package (`transfer_assess.rules.uk`, `transfer_assess.rules.ch`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from transfer_assess.findings import (
    Action,
    Assessment,
    Basis,
    Finding,
    Reason,
    Recommendation,
    Status,
)
from transfer_assess.graph import FlowGraph
from transfer_assess.recommend import recommend
from transfer_assess.refdata import check_as_of, load_reference_data
from transfer_assess.rules import Context, Settings, Trace, evaluate, national
from transfer_assess.rules.ch import BOOK as CH_BOOK
from transfer_assess.rules.scope import ONWARD_REGIME
from transfer_assess.rules.uk import BOOK as UK_BOOK

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from transfer_assess.graph import Protection
    from transfer_assess.model import DataMap, Flow
    from transfer_assess.refdata import ReferenceData
    from transfer_assess.rules import Outcome

#: Regimes that can be assessed, in report order, with the reference-data regime of
#: their adequacy decisions.
REGIMES = {"EU": "EU-GDPR", "UK": "UK-GDPR", "CH": "CH-FADP"}

#: The rules package of each regime besides the EU's.
_BOOKS: dict[str, national.Book] = {"UK": UK_BOOK, "CH": CH_BOOK}

#: What `assess` takes as ``regime`` to mean every regime that applies.
ALL = "all"


def assess(
    datamap: DataMap,
    *,
    as_of: date,
    refdata: ReferenceData | None = None,
    settings: Settings | None = None,
    regime: str | Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Assessment:
    """
    Assess every flow of a map that exists on `as_of`, under each regime that applies.

    Args:
        datamap: The validated map (`transfer_assess.load_map`).
        as_of: The assessment date, not before 2018-05-25.
        refdata: Reference data; the packaged data when omitted.
        settings: Policy thresholds; the defaults when omitted.
        regime: ``"EU"``, ``"UK"`` or ``"CH"`` for one regime, a list of them, or
            ``None`` / ``"all"`` for every regime that applies to a flow (the EU's
            always does).
        progress: Called as ``progress(done, total)`` every 1,000 flows and at the
            end, for progress bars.

    Returns:
        One finding per flow that exists on the date and regime that applies to it,
        sorted by flow id, then in the order of `REGIMES`.

    Raises:
        InputError: `as_of` is before the GDPR applies, or a regime is unknown.
    """
    check_as_of(as_of)
    selected = regimes_of(regime)
    refdata = refdata or load_reference_data()
    settings = settings or Settings()
    run = _Run(datamap, as_of, refdata, settings)
    findings: list[Finding] = []
    inactive = []
    total = len(datamap.flows)
    for done, flow in enumerate(run.graph.flows(), start=1):
        if progress is not None and done % 1_000 == 0:
            progress(done, total)
        if not flow.exists_on(as_of):
            inactive.append(flow.id)
            continue
        for regime_id in selected:
            finding = run.finding(flow, regime_id)
            if finding is not None:
                findings.append(finding)
    if progress is not None:
        progress(total, total)
    applied = tuple(
        regime_id
        for regime_id in REGIMES
        if any(finding.regime == regime_id for finding in findings)
    )
    return Assessment(
        organisation=datamap.organisation,
        as_of=as_of,
        regime=applied[0] if len(applied) == 1 else ALL,
        reference_version=refdata.version,
        reference_sha256=refdata.sha256,
        findings=findings,
        inactive=inactive,
        regimes=applied,
    )


def regimes_of(regime: str | Iterable[str] | None) -> tuple[str, ...]:
    """
    The regime ids a ``regime`` argument selects, in the order of `REGIMES`.

    Raises:
        InputError: An unknown regime.
    """
    from transfer_assess.errors import InputError  # noqa: PLC0415

    if regime is None or regime == ALL:
        return tuple(REGIMES)
    wanted = {regime} if isinstance(regime, str) else set(regime)
    unknown = sorted(wanted - set(REGIMES))
    if unknown or not wanted:
        raise InputError(
            f"unknown regime {', '.join(map(repr, unknown)) or '(none)'}; expected one "
            f"of {', '.join(REGIMES)} or {ALL!r}"
        )
    return tuple(regime_id for regime_id in REGIMES if regime_id in wanted)


class _Run:
    """One assessment: the graph, each regime's propagation, memoised outcomes."""

    def __init__(
        self,
        datamap: DataMap,
        day: date,
        refdata: ReferenceData,
        settings: Settings,
    ) -> None:
        # Dated certifications count only within their period (issue 12, point 4).
        datamap = datamap.on(day)
        self.datamap = datamap
        self.day = day
        self.refdata = refdata
        self.settings = settings
        self.graph = FlowGraph(datamap)
        self._protection: dict[str, Protection] = {}
        self._national: dict[tuple[str, str], Finding | None] = {}
        self._eu_basis: dict[str, Basis] = {}

    def active(self, regime_id: str) -> bool:
        """Whether a regime is assessed on the date at all."""
        if regime_id == "EU":
            return True
        spec = self.refdata.regime(regime_id)
        if self.day >= spec.applies_from:
            return True
        return spec.former_law_until is not None

    def protection(self, regime_id: str) -> Protection:
        """What each entity holds of the regime's origin on the date (computed once)."""
        if regime_id not in self._protection:
            self._protection[regime_id] = self.graph.propagate(
                self.day, self.refdata, regime=regime_id
            )
        return self._protection[regime_id]

    def context(self, flow: Flow, regime_id: str) -> Context:
        """The rules' view of one flow under one regime."""
        return Context(
            flow=flow,
            exporter=self.graph.entity(flow.exporter),
            importer=self.graph.entity(flow.importer),
            day=self.day,
            refdata=self.refdata,
            protection=self.protection(regime_id),
            datamap=self.datamap,
            settings=self.settings,
            regime=REGIMES[regime_id],
            law=self.refdata.regimes.get(regime_id),
        )

    def finding(self, flow: Flow, regime_id: str) -> Finding | None:
        """The finding of a flow under a regime; ``None`` where it does not apply."""
        if regime_id == "EU":
            return self._eu(flow)
        return self._national_finding(flow, regime_id)

    def _national_finding(self, flow: Flow, regime_id: str) -> Finding | None:
        key = (flow.id, regime_id)
        if key not in self._national:
            self._national[key] = self._assess_national(flow, regime_id)
        return self._national[key]

    def _assess_national(self, flow: Flow, regime_id: str) -> Finding | None:
        if not self.active(regime_id):
            return None
        protection = self.protection(regime_id)
        if flow.exporter not in protection.subject and not protection.carried(flow):
            return None
        rules = _BOOKS[regime_id]
        context = self.context(flow, regime_id)
        trace = Trace()
        outcome = national.evaluate(rules, context, trace)
        recommendations = national.recommend(rules, context, outcome, trace)
        return _finding(context, outcome, trace, regime_id, recommendations)

    def _eu(self, flow: Flow) -> Finding:
        context = self.context(flow, "EU")
        trace = Trace()
        outcome = evaluate(context, trace)
        deferred = self._defer(context, outcome, trace)
        if deferred is not None:
            return deferred
        recommendations = recommend(context, outcome, trace)
        return _finding(context, outcome, trace, "EU", recommendations)

    def _eu_basis_of(self, flow_id: str) -> Basis:
        """The EU basis of a flow on the date, whether or not it still runs."""
        if flow_id not in self._eu_basis:
            context = self.context(self.datamap.flow(flow_id), "EU")
            self._eu_basis[flow_id] = evaluate(context, Trace()).basis
        return self._eu_basis[flow_id]

    def _defer(
        self, context: Context, outcome: Outcome, trace: Trace
    ) -> Finding | None:
        """
        An onward transfer from the UK or Switzerland of data that came by adequacy.

        The EU decision on that country relies on its own onward-transfer rules, so
        the EU finding takes the status of that regime's finding (design
        ``regimes.md`` §6). Data that came under SCCs or another tool keeps the EU
        onward rules.
        """
        if not outcome.onward:
            return None
        flow, exporter = context.flow, context.exporter
        for regime_id, rules in _BOOKS.items():
            spec = self.refdata.regimes.get(regime_id)
            if spec is None or exporter.country not in (spec.territory or ()):
                continue
            protection = context.protection
            inbound = protection.inbound(exporter.id, protection.carried(flow))
            if inbound is None or self._eu_basis_of(inbound) is not Basis.ADEQUACY:
                return None
            other = self._national_finding(flow, regime_id)
            if other is None:
                return None
            trace.add(
                ONWARD_REGIME,
                f"The data reached {exporter.id} in {exporter.country} over flow "
                f"{inbound}, which rests on an EU adequacy decision; that decision "
                f"relies on the {rules.name}'s own rules for onward transfers, so flow "
                f"{flow.id} is governed by its {regime_id} finding "
                f"({other.basis.value}, {other.status.value}), whose status this "
                "finding takes.",
                "GDPR Art. 44",
                "GDPR Art. 45(2)(a)",
                spec.article("transfers"),
            )
            return attrs.evolve(
                other,
                regime="EU",
                basis=other.basis,
                status=other.status,
                onward=True,
                reasons=_dated_reasons(
                    context,
                    [
                        reason
                        for reason in trace.reasons
                        if reason.rule.startswith("EU.SCOPE.")
                        or reason.rule == ONWARD_REGIME.id
                    ],
                ),
                chain=_chain(context, flow),
            )
        return None


def _finding(
    context: Context,
    outcome: Outcome,
    trace: Trace,
    regime: str,
    recommendations: tuple[Recommendation, ...],
) -> Finding:
    flow = context.flow
    module = outcome.scc_module
    uses_scc = any(item.action in _SCC_ACTIONS for item in recommendations)
    if module is None and uses_scc:
        module = context.expected_module
    if outcome.basis not in _SCC_BASES and not uses_scc:
        module = None
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
        recommendations=tuple(
            attrs.evolve(item, citations=_existing(context, item.citations))
            for item in recommendations
        ),
        reasons=_dated_reasons(context, trace.reasons),
        chain=_chain(context, flow) if outcome.transfer else (),
        importer_organisation=context.importer.international_organisation,
        regime=regime,
    )


def _existing(context: Context, citations: tuple[str, ...]) -> tuple[str, ...]:
    """
    The citations of instruments adopted by the date.

    No reason or recommendation cites an instrument adopted after the assessment
    date. The adoption dates are reference data (``regimes.json``, the EU entry's
    ``instruments``); a citation that no instrument matches is kept.
    """
    spec = context.refdata.regimes.get("EU")
    if spec is None:
        return citations
    return tuple(item for item in citations if spec.exists(item, context.day))


def _dated_reasons(context: Context, reasons: list[Reason]) -> list[Reason]:
    """The reasons, each citing only instruments adopted by the date."""
    result = []
    for reason in reasons:
        kept = _existing(context, reason.citations)
        result.append(
            reason if kept == reason.citations else attrs.evolve(reason, citations=kept)
        )
    return result


_SCC_BASES = frozenset({Basis.SCC, Basis.UK_ADDENDUM})
_SCC_ACTIONS = frozenset({Action.SCC, Action.UK_ADDENDUM})


def _chain(context: Context, flow: Flow) -> tuple[str, ...]:
    protection = context.protection
    if context.exporter_subject:
        return (flow.exporter, flow.importer)
    carried = protection.carried(flow)
    return (*protection.best_chain(flow.exporter, carried), flow.importer)


__all__ = ["ALL", "REGIMES", "Status", "assess", "regimes_of"]
