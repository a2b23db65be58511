"""
Assessing a data map on one date: the library's main entry point.

`assess` is pure and deterministic: it reads no clock and no file besides the
reference data (packaged, or passed in), and the same map, date and reference data
always give the same `Assessment`, byte for byte in JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar

from transfer_assess.errors import (
    ArgumentTypeError,
    DataMapError,
    InputError,
    Problem,
)
from transfer_assess.findings import Assessment, Basis, Finding, Status
from transfer_assess.graph import FlowGraph
from transfer_assess.model import DataMap, Entity, Flow
from transfer_assess.recommend import recommend
from transfer_assess.refdata import ReferenceData, check_as_of, load_reference_data
from transfer_assess.rules import Context, Settings, Trace, evaluate

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from transfer_assess.rules import Outcome

#: Regimes that can be assessed, with the reference-data regime of their decisions.
REGIMES = {"EU": "EU-GDPR"}


def assess(
    datamap: DataMap,
    as_of: date | str | None = None,
    *,
    refdata: ReferenceData | None = None,
    settings: Settings | None = None,
    regime: str = "EU",
    progress: Callable[[int, int], None] | None = None,
) -> Assessment:
    """
    Assess every flow of a map that exists on `as_of`.

    Args:
        datamap: The map, from `transfer_assess.load_map` or built in code (a map
            built in code is checked for what the loader would refuse: unknown
            entities, duplicate ids, invalid country codes).
        as_of: The assessment date, not before 2018-05-25: a `datetime.date` or an
            ISO 8601 string such as ``"2026-11-28"``; the map's own ``as_of`` when
            omitted. The library never reads the clock.
        refdata: Reference data; the packaged data when omitted.
        settings: Policy thresholds; the defaults when omitted.
        regime: The regime to assess; ``"EU"`` (GDPR Chapter V) for now.
        progress: Called as ``progress(done, total)`` every 1,000 flows and at the
            end, for progress bars.

    Returns:
        One finding per flow that exists on the date, sorted by flow id.

    Raises:
        ArgumentTypeError: An argument has the wrong type (also a `TypeError`).
        InputError: `as_of` is not an ISO date, is before the GDPR applies, or is
            missing while the map has no ``as_of``; or the regime is unknown.
        DataMapError: A map built in code has problems the loader would refuse.
    """
    day = _check_arguments(datamap, as_of, refdata, settings, regime, progress)
    return _assess(
        datamap,
        day,
        refdata or load_reference_data(),
        settings or Settings(),
        regime,
        progress,
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
    _expect("regime", regime, str)
    if regime not in REGIMES:
        raise InputError(
            f"unknown regime {regime!r}; expected one of {sorted(REGIMES)}"
        )
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
    entities, and the country codes.

    Args:
        datamap: The map.
    """
    from transfer_assess.load.validate import country_problem  # noqa: PLC0415

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


def _assess(
    datamap: DataMap,
    as_of: date,
    refdata: ReferenceData,
    settings: Settings,
    regime: str,
    progress: Callable[[int, int], None] | None,
) -> Assessment:
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
        chain=_chain(context, flow) if outcome.transfer else (),
        importer_organisation=context.importer.international_organisation,
        regime=regime,
    )


def _chain(context: Context, flow: Flow) -> tuple[str, ...]:
    protection = context.protection
    if context.exporter_subject:
        return (flow.exporter, flow.importer)
    carried = protection.carried(flow)
    return (*protection.best_chain(flow.exporter, carried), flow.importer)


__all__ = ["REGIMES", "Status", "assess", "map_problems", "resolve_date"]
