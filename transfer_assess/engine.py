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
from datetime import date, datetime
from typing import TYPE_CHECKING, TextIO, TypeVar

import attrs

from transfer_assess.errors import (
    ArgumentTypeError,
    DataMapError,
    InputError,
    Problem,
)
from transfer_assess.findings import (
    Action,
    Assessment,
    Basis,
    Finding,
    Reason,
    Recommendation,
    Status,
    Tally,
)
from transfer_assess.graph import FlowGraph, Route, overlap
from transfer_assess.model import DataMap, Entity, Flow, Mechanism
from transfer_assess.recommend import recommend
from transfer_assess.refdata import ReferenceData, check_as_of, load_reference_data
from transfer_assess.rules import Context, Settings, Trace, evaluate, national
from transfer_assess.rules.ch import BOOK as CH_BOOK
from transfer_assess.rules.scope import ONWARD_REGIME
from transfer_assess.rules.uk import BOOK as UK_BOOK

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from transfer_assess.graph import Protection
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
    as_of: date | str | None = None,
    *,
    refdata: ReferenceData | None = None,
    settings: Settings | None = None,
    regime: str | Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    flows: Iterable[str] | None = None,
) -> Assessment:
    """
    Assess every flow of a map that exists on `as_of`, under each regime that applies.

    Args:
        datamap: The map, from `transfer_assess.load_map` or built in code (a map
            built in code is checked for what the loader would refuse: unknown
            entities, duplicate ids, invalid country codes).
        as_of: The assessment date, not before 2018-05-25: a `datetime.date` or an
            ISO 8601 string such as ``"2026-11-28"``; the map's own ``as_of`` when
            omitted. The library never reads the clock.
        refdata: Reference data; the packaged data when omitted.
        settings: Policy thresholds; the defaults when omitted.
        regime: ``"EU"``, ``"UK"`` or ``"CH"`` for one regime, a list of them, or
            ``None`` / ``"all"`` for every regime that applies to a flow (the EU's
            always does).
        progress: Called as ``progress(done, total)`` after every 1,000 flows and
            once at the end (``done == total``), for progress bars.
        flows: Assess only the flows with these ids (each once, in id order);
            every flow when omitted. Each gets the findings the whole map's
            assessment gives it: the rules still read the rest of the map (where
            the data came from, the flows that brought it), but no other flow is
            assessed, so one flow of a large map costs a fraction of the whole.

    Returns:
        One finding per flow that exists on the date and regime that applies to it,
        sorted by flow id, then in the order of `REGIMES`.

    Raises:
        ArgumentTypeError: An argument has the wrong type (also a `TypeError`).
        InputError: `as_of` is not an ISO date, is before the GDPR applies, or is
            missing while the map has no ``as_of``; or a regime is unknown.
        DataMapError: A map built in code has problems the loader would refuse.
        KeyError: A flow of `flows` is not in the map.
    """
    stream = assess_stream(
        datamap,
        as_of,
        refdata=refdata,
        settings=settings,
        regime=regime,
        progress=progress,
        flows=flows,
    )
    return stream.assessment(list(stream))


def assess_stream(
    datamap: DataMap,
    as_of: date | str | None = None,
    *,
    refdata: ReferenceData | None = None,
    settings: Settings | None = None,
    regime: str | Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    flows: Iterable[str] | None = None,
) -> AssessmentStream:
    """
    Assess a map one flow at a time, for reports written while the findings are made.

    Takes the arguments of `assess` and checks them at once (raising as `assess`
    does); iterating the result makes the findings in `assess`'s order, and keeps
    none of them. A report of a large map needs then only the map in memory, not
    every finding with its reasons.
    """
    as_of = _check_arguments(datamap, as_of, refdata, settings, regime, progress)
    only = _flow_ids(datamap, flows)
    selected = regimes_of(regime)
    refdata = refdata or load_reference_data()
    settings = settings or Settings()
    run = _Run(datamap, as_of, refdata, settings)
    return AssessmentStream(run, selected, progress, only)


def _flow_ids(datamap: DataMap, flows: object) -> tuple[str, ...] | None:
    """The ids of `flows`, sorted and each once; ``None`` for every flow."""
    if flows is None:
        return None
    if isinstance(flows, str) or not isinstance(flows, Iterable):
        raise ArgumentTypeError(
            f"flows must be a list of flow ids, got {type(flows).__name__}"
        )
    ids = list(flows)
    for flow_id in ids:
        if not isinstance(flow_id, str):
            raise ArgumentTypeError(
                f"flows must hold flow ids (strings), got {type(flow_id).__name__}"
            )
        try:
            datamap.flow(flow_id)
        except KeyError:
            raise KeyError(f"no flow {flow_id!r} in the map") from None
    return tuple(sorted(set(ids)))


class AssessmentStream:
    """
    The findings of `assess_stream`, made as they are read.

    Iterate it once for the findings; then `tally` holds their counts, `inactive`
    the flows that do not exist on the date, and `assessment` builds the
    `Assessment` (with the findings given, or none for its header alone).
    """

    def __init__(
        self,
        run: _Run,
        selected: tuple[str, ...],
        progress: Callable[[int, int], None] | None,
        only: tuple[str, ...] | None = None,
    ) -> None:
        """Made by `assess_stream`, which checks the arguments."""
        self._run = run
        self._selected = selected
        self._progress = progress
        self._only = only
        self.tally = Tally()
        """The counts of the findings made so far."""
        self.inactive: list[str] = []
        """Ids of the flows met so far that do not exist on the date."""
        self._started = False

    def __iter__(self) -> Iterator[Finding]:
        """
        Make each finding, flow by flow.

        Raises:
            RuntimeError: The findings were read before (they are made once; a
                report of the second pass would count findings it does not list).
        """
        if self._started:
            raise RuntimeError(
                "the findings of this assessment were already read; call "
                "assess_stream again to make them again"
            )
        self._started = True
        run, progress, tally = self._run, self._progress, self.tally
        flows = (
            list(run.graph.flows())
            if self._only is None
            else [run.datamap.flow(flow_id) for flow_id in self._only]
        )
        total = len(flows)
        for done, flow in enumerate(flows, start=1):
            if not flow.exists_on(run.day):
                self.inactive.append(flow.id)
            else:
                for regime_id in self._selected:
                    finding = run.finding(flow, regime_id)
                    if finding is not None:
                        tally.add(finding)
                        yield finding
                run.forget(flow)
            # Each call counts the flows assessed, the last one the whole map once.
            if progress is not None and (done % 1_000 == 0 or done == total):
                progress(done, total)
        if progress is not None and total == 0:
            progress(0, 0)

    def write_json(self, stream: TextIO) -> None:
        """
        Write the JSON report while the findings are made: `Assessment.to_json`'s text.

        The finding lines wait in an unnamed temporary file until the summary, which
        comes first, is counted; nothing is written to `stream` if the assessment
        fails. It reads the findings itself: call it instead of iterating.

        Raises:
            RuntimeError: The findings were read before.
        """
        from transfer_assess.report.json import write_json_stream  # noqa: PLC0415

        write_json_stream(self, stream)

    def assessment(self, findings: Iterable[Finding] = ()) -> Assessment:
        """The assessment, once the findings are read (`findings`: those kept)."""
        run = self._run
        applied = tuple(
            regime_id for regime_id in REGIMES if regime_id in self.tally.regimes
        )
        return Assessment(
            organisation=run.datamap.organisation,
            as_of=run.day,
            regime=applied[0] if len(applied) == 1 else ALL,
            reference_version=run.refdata.version,
            reference_sha256=run.refdata.sha256,
            findings=findings,
            inactive=self.inactive,
            regimes=applied,
        )


def resolve_date(value: date | str | None, datamap: DataMap | None = None) -> date:
    """
    The assessment date from a date, an ISO 8601 string, or the map's ``as_of``.

    Args:
        value: What the caller gave.
        datamap: The map whose ``as_of`` is the default.

    Returns:
        The date, checked not to be before 2018-05-25.

    Raises:
        ArgumentTypeError: `value` is neither a date nor a string.
        InputError: The string is not an ISO date, the date is too early, or there
            is no date at all.
    """
    if value is None:
        if datamap is None or datamap.as_of is None:
            raise InputError(
                "no assessment date: pass as_of (a date or 'YYYY-MM-DD'), or give "
                "the map an as_of"
            )
        value = datamap.as_of
    if isinstance(value, datetime):
        raise ArgumentTypeError(
            f"as_of must be a date, not a datetime ({value.isoformat()!r}); pass "
            "its .date()"
        )
    if isinstance(value, str):
        text = value
        try:
            value = date.fromisoformat(text)
        except ValueError:
            value = None
        if value is None or len(text) != len("2026-11-28"):
            raise InputError(f"as_of {text!r} is not an ISO 8601 date like 2026-11-28")
    if not isinstance(value, date):
        raise ArgumentTypeError(
            f"as_of must be a datetime.date or a 'YYYY-MM-DD' string, got "
            f"{type(value).__name__}"
        )
    return check_as_of(value)


def _expect(name: str, value: object, kind: type, hint: str = "") -> None:
    if not isinstance(value, kind):
        raise ArgumentTypeError(
            f"{name} must be a {kind.__name__}{hint}, got {type(value).__name__}"
        )


def _check_arguments(
    datamap: object,
    as_of: object,
    refdata: object,
    settings: object,
    regime: object,
    progress: object,
) -> date:
    """Check the arguments of `assess` at the boundary, with plain messages."""
    if not isinstance(datamap, DataMap):
        raise ArgumentTypeError(
            "datamap must be a DataMap (read one with transfer_assess.load_map), "
            f"got {type(datamap).__name__}"
        )
    day = resolve_date(as_of, datamap)  # type: ignore[arg-type]
    if refdata is not None:
        _expect(
            "refdata",
            refdata,
            ReferenceData,
            " (from transfer_assess.load_reference_data)",
        )
    if settings is not None:
        _expect("settings", settings, Settings)
    if regime is not None and not isinstance(regime, str | list | tuple | set):
        raise ArgumentTypeError(
            "regime must be 'EU', 'UK', 'CH', 'all' or a list of them, got "
            f"{type(regime).__name__}"
        )
    regimes_of(regime)
    if progress is not None and not callable(progress):
        raise ArgumentTypeError(
            f"progress must be callable, got {type(progress).__name__}"
        )
    problems = map_problems(datamap)
    if problems:
        raise DataMapError(problems)
    return day


def map_problems(datamap: DataMap) -> list[Problem]:
    """
    What the loader would refuse in a map built in code, one problem each.

    `load_map` and `parse_map` check all of this (and more) while reading a file;
    a `DataMap` made by calling the classes directly is checked here, before it is
    assessed: the types of its entities and flows, unique ids, flow ends that name
    two different entities, and the country codes.

    Args:
        datamap: The map.
    """
    from transfer_assess.load.validate import (  # noqa: PLC0415
        country_problem,
        loop_problem,
    )

    source = datamap.source or "<DataMap>"
    problems: list[Problem] = []
    countries: dict[str, str | None] = {}
    entity_ids: set[str] = set()
    for where, entity in _items(datamap.entities, Entity, "entities", source, problems):
        entity_ids.add(entity.id)
        if entity.country is not None:
            if entity.country not in countries:
                countries[entity.country] = country_problem(entity.country)
            message = countries[entity.country]
            if message is not None:
                problems.append(Problem(source, None, f"{where}.country", message))
        elif not entity.international_organisation:
            message = "no country and no international organisation"
            problems.append(Problem(source, None, f"{where}.country", message))
    for where, flow in _items(datamap.flows, Flow, "flows", source, problems):
        for key, end in (("from", flow.exporter), ("to", flow.importer)):
            if end not in entity_ids:
                problems.append(
                    Problem(source, None, f"{where}.{key}", f"unknown entity {end!r}")
                )
        if flow.exporter == flow.importer and flow.exporter in entity_ids:
            message = loop_problem(flow.exporter)
            problems.append(Problem(source, None, f"{where}.to", message))
    return problems


_Item = TypeVar("_Item", Entity, Flow)


def _items(
    items: tuple[object, ...],
    kind: type[_Item],
    section: str,
    source: str,
    problems: list[Problem],
) -> Iterator[tuple[str, _Item]]:
    """The items of a section that have the right type, each once by id."""
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"{section}[{index}]"
        if not isinstance(item, kind):
            message = f"expected {kind.__name__}, got {type(item).__name__}"
            problems.append(Problem(source, None, where, message))
            continue
        if item.id in seen:
            message = f"duplicate id {item.id!r}"
            problems.append(Problem(source, None, f"{where}.id", message))
        seen.add(item.id)
        yield where, item


def regimes_of(regime: str | Iterable[str] | None) -> tuple[str, ...]:
    """
    The regime ids a ``regime`` argument selects, in the order of `REGIMES`.

    Raises:
        InputError: An unknown regime.
    """
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

    def forget(self, flow: Flow) -> None:
        """Drop the findings kept for a flow once it is assessed under every regime."""
        for regime_id in _BOOKS:
            self._national.pop((flow.id, regime_id), None)

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

    def _by_decision_alone(self, context: Context) -> str | None:
        """
        The first inbound flow (by id) that brought this data by adequacy alone.

        That is, a flow bringing the exporter the flow's EEA data under an EU
        adequacy decision and no Art. 46 tool; ``None`` if none did. Every inbound
        flow that carries the same protected categories counts, so the
        answer does not depend on which of several parallel legs the shortest chain
        happens to name. A leg with SCCs (or BCRs, …) signed besides the decision
        does not count: their onward clauses bind the importer, and the EU onward
        rules apply to what came that way.
        """
        protection, flow = context.protection, context.flow
        carried = protection.carried(flow)
        inbound_flows = self.datamap.inbound(flow.exporter)
        for inbound in sorted(inbound_flows, key=lambda item: item.id):
            if inbound.id == flow.id:
                continue
            if inbound.start is not None and inbound.start > self.day:
                continue
            if inbound.mechanism in _ART46_TOOLS:
                continue
            brought = protection.carried(inbound)
            if not any(overlap(a, b) for a in brought for b in carried):
                continue
            if self._eu_basis_of(inbound.id) is Basis.ADEQUACY:
                return inbound.id
        return None

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
            inbound = self._by_decision_alone(context)
            if inbound is None:
                return None
            other = self._national_finding(flow, regime_id)
            if other is None:
                return None
            route = _route(context, flow)
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
                chain=route.ids,
                chain_omitted=route.omitted,
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
        recommendations=tuple(
            item
            if (kept := _existing(context, item.citations)) is item.citations
            else attrs.evolve(item, citations=kept)
            for item in recommendations
        ),
        reasons=_dated_reasons(context, trace.reasons),
        chain=route.ids if route is not None else (),
        chain_omitted=route.omitted if route is not None else 0,
        importer_organisation=context.importer.international_organisation,
        regime=regime,
        tia=trace.tia,
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
    return spec.existing(citations, context.day)


def _dated_reasons(context: Context, reasons: list[Reason]) -> list[Reason]:
    """The reasons, each citing only instruments adopted by the date."""
    result = []
    for reason in reasons:
        kept = _existing(context, reason.citations)
        result.append(
            reason if kept is reason.citations else attrs.evolve(reason, citations=kept)
        )
    return result


_SCC_BASES = frozenset({Basis.SCC, Basis.UK_ADDENDUM})
#: Tools whose own onward-transfer terms bind the importer (SCC Clauses 8.7, 8.8,
#: BCRs, …), so that the EU onward rules keep applying after them.
_ART46_TOOLS = frozenset(
    {
        Mechanism.SCC,
        Mechanism.UK_ADDENDUM,
        Mechanism.BCR,
        Mechanism.AD_HOC_CLAUSES,
        Mechanism.CODE_OF_CONDUCT,
        Mechanism.CERTIFICATION,
        Mechanism.PUBLIC_BODY_INSTRUMENT,
    }
)
_SCC_ACTIONS = frozenset({Action.SCC, Action.UK_ADDENDUM})


def _route(context: Context, flow: Flow) -> Route:
    protection = context.protection
    if context.exporter_subject:
        return Route.start(flow.exporter).extended(flow.importer)
    carried = protection.carried(flow)
    return protection.best_route(flow.exporter, carried).extended(flow.importer)


__all__ = [
    "ALL",
    "REGIMES",
    "AssessmentStream",
    "Status",
    "assess",
    "assess_stream",
    "map_problems",
    "regimes_of",
    "resolve_date",
]
