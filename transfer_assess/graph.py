"""
The flow graph and where protected data goes: origin propagation over the map.

`FlowGraph` wraps a `networkx.MultiDiGraph` whose nodes are entity ids and whose edges
are flows keyed by flow id. `propagate` computes, for one assessment date, which data
categories of EEA origin every entity holds, as a breadth-first worklist over
``(entity, category)`` states: each state is visited once, so the cost is linear in
entities + flows x categories, cycles included, and the first visit of a state is along
a shortest chain back to an entity subject to the GDPR (GDPR Art. 44: Chapter V
protects data "including for onward transfers").
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import attrs

from transfer_assess.model import EEA

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from datetime import date

    import networkx as nx

    from transfer_assess.model import DataMap, Entity, Flow
    from transfer_assess.refdata import ReferenceData

#: Stands for "every category": what an entity subject to the GDPR holds.
ALL = "*"


def overlap(first: str, second: str) -> str | None:
    """
    The part two hierarchical category keys share, or ``None`` when disjoint.

    Keys are hierarchical: ``user.contact`` carries ``user.contact.email``, so the two
    overlap in ``user.contact.email`` (the more specific key). `ALL` overlaps anything.
    """
    if first == ALL:
        return second
    if second == ALL:
        return first
    if first == second:
        return first
    if second.startswith(first + "."):
        return second
    if first.startswith(second + "."):
        return first
    return None


def _prefixes(held: Mapping[str, object]) -> frozenset[str]:
    """Every proper dotted prefix of the keys held (``a`` and ``a.b`` of ``a.b.c``)."""
    found: set[str] = set()
    for key in held:
        parts = key.split(".")
        found.update(".".join(parts[:size]) for size in range(1, len(parts)))
    return frozenset(found)


#: Each category key with its ancestors, from the shortest (``a``, ``a.b``, ``a.b.c``):
#: a pure function of the key, remembered for the keys a process has met.
_LINEAGE: dict[str, tuple[str, ...]] = {}


def _shared(
    held: Mapping[str, object], prefixes: frozenset[str], categories: Sequence[str]
) -> tuple[str, ...]:
    """
    The `overlap` of every held key with every category, sorted, without pairing them.

    A key overlaps a category when it is the category, one of its ancestors (the
    category is the overlap) or one of its descendants (the key is); `prefixes` says
    which categories have descendants among the keys, so that only those scan them.
    """
    result: set[str] = set()
    for category in categories:
        if category == ALL:
            result.update(held)
            continue
        lineage = _LINEAGE.get(category)
        if lineage is None:
            parts = category.split(".")
            lineage = _LINEAGE[category] = tuple(
                ".".join(parts[:size]) for size in range(1, len(parts) + 1)
            )
        for key in lineage:
            if key in held:
                result.add(category)
                break
        if category in prefixes:
            start = category + "."
            result.update(key for key in held if key.startswith(start))
    return tuple(sorted(result))


@attrs.frozen
class Hop:
    """How a category reached an entity: by which flow, from which state."""

    flow: str
    """Id of the flow that brought it."""
    exporter: str
    """Entity the flow came from."""
    key: str
    """The category key at the exporter that the flow carried on."""


#: A chain longer than `CHAIN_HEAD` + `CHAIN_TAIL` entities keeps only its first
#: `CHAIN_HEAD` and last `CHAIN_TAIL` ids, with the count of those left out: a chain
#: of 10,000 hops costs the same as one of eight in every finding and report.
CHAIN_HEAD = 3
CHAIN_TAIL = 5


@attrs.frozen
class Route:
    """A chain of entity ids from an entity subject to the GDPR, long ones shortened."""

    head: tuple[str, ...]
    """The first ids, from the entity subject to the GDPR (at most `CHAIN_HEAD`)."""
    tail: tuple[str, ...]
    """The last ids, ending at the chain's entity (at most `CHAIN_TAIL`)."""
    length: int
    """How many entities the whole chain has."""

    @classmethod
    def start(cls, entity_id: str) -> Route:
        """The chain of an entity subject to the GDPR: itself."""
        return cls((entity_id,), (), 1)

    def extended(self, entity_id: str) -> Route:
        """The chain one hop further, to `entity_id` (constant cost)."""
        if len(self.head) < CHAIN_HEAD and not self.tail:
            return Route((*self.head, entity_id), (), self.length + 1)
        return Route(self.head, (*self.tail, entity_id)[-CHAIN_TAIL:], self.length + 1)

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids kept: the whole chain, or its first and last ones."""
        return self.head + self.tail

    @property
    def omitted(self) -> int:
        """How many entities in the middle are left out (0 for a short chain)."""
        return self.length - len(self.head) - len(self.tail)

    def text(self) -> str:
        """The chain as ``a → b → … 9,992 more … → y → z``."""
        return " → ".join(chain_display(self.ids, self.omitted))


def chain_display(
    chain: Sequence[str],
    omitted: int = 0,
    label: Callable[[str], str] | None = None,
) -> tuple[str, ...]:
    """
    The items to show for a chain: its ids (through `label`), with a marker for gaps.

    Args:
        chain: The ids kept (`Route.ids`, `Finding.chain`).
        omitted: How many ids were left out after the first `CHAIN_HEAD`.
        label: How to show an id (the id itself when omitted).
    """
    shown = [label(item) if label is not None else item for item in chain]
    if omitted:
        shown.insert(CHAIN_HEAD, f"… {omitted:,} more …")
    return tuple(shown)


@attrs.define
class Protection:
    """What each entity holds of EEA origin on one date, with shortest chains."""

    held: dict[str, dict[str, Hop | None]]
    """Per entity id: protected category keys, each with the hop that brought it
    (``None`` for the entity's own data when it is subject to the GDPR)."""
    subject: frozenset[str]
    """Entities subject to the GDPR on the date (they hold everything as protected)."""
    eea: frozenset[str] = frozenset()
    """Country codes of the regime's territory on the date (for ``origin`` lists):
    the EEA states for the EU regime."""
    origin_code: str = EEA
    """The region code that names all of the regime's data in ``origin`` lists."""
    _routes: dict[tuple[str, str], Route] = attrs.field(
        factory=dict, init=False, repr=False, eq=False
    )
    _carried: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = attrs.field(
        factory=dict, init=False, repr=False, eq=False
    )
    _prefixes: dict[str, frozenset[str]] = attrs.field(
        factory=dict, init=False, repr=False, eq=False
    )
    _best: dict[tuple[str, tuple[str, ...]], Route] = attrs.field(
        factory=dict, init=False, repr=False, eq=False
    )

    def keys(self, entity_id: str) -> tuple[str, ...]:
        """The protected keys an entity holds, sorted (``*`` for everything)."""
        return tuple(sorted(self.held.get(entity_id, {})))

    def carried(self, flow: Flow) -> tuple[str, ...]:
        """
        The protected parts of the categories a flow carries, sorted.

        Empty when the exporter holds no protected data the flow carries, or when the
        flow is anonymised or limited by ``origin`` to non-EEA records (for an
        exporter not subject to the GDPR).
        """
        held = self.held.get(flow.exporter)
        if not held or flow.anonymised:
            return ()
        if ALL in held:
            return tuple(sorted(set(flow.data_categories)))
        if flow.origin is not None and not any(
            region == self.origin_code or region in self.eea for region in flow.origin
        ):
            return ()
        found = self._carried.get((flow.exporter, flow.data_categories))
        if found is None:
            prefixes = self._prefixes.get(flow.exporter)
            if prefixes is None:
                prefixes = self._prefixes[flow.exporter] = _prefixes(held)
            found = _shared(held, prefixes, flow.data_categories)
            self._carried[flow.exporter, flow.data_categories] = found
        return found

    def route(self, entity_id: str, key: str) -> Route:
        """
        The recorded shortest chain to `entity_id` for one key, shortened if long.

        Each ``(entity, key)`` state's route is computed once, from its exporter's,
        and shared by every later question: all routes of a map together cost time
        and memory linear in the states, not in the sum of the chains' lengths.
        """
        routes = self._routes
        state = (entity_id, key)
        known = routes.get(state)
        if known is not None:
            return known
        pending: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        while state not in routes:
            hop = self.held.get(state[0], {}).get(state[1])
            if hop is None or state in seen:
                routes[state] = Route.start(state[0])
                break
            seen.add(state)
            pending.append(state)
            state = (hop.exporter, hop.key)
        route = routes[state]
        for waiting in reversed(pending):
            if waiting not in routes:
                route = route.extended(waiting[0])
                routes[waiting] = route
            else:  # pragma: no cover - reached only through a cycle, which BFS avoids
                route = routes[waiting]
        return routes[(entity_id, key)]

    def chain(self, entity_id: str, key: str) -> tuple[str, ...]:
        """
        Entity ids from an entity subject to the GDPR to `entity_id` for one key.

        Follows the recorded shortest route; a single id for a subject entity. A
        chain of more than `CHAIN_HEAD` + `CHAIN_TAIL` entities keeps its first and
        last ids (see `route` for the count left out).
        """
        return self.route(entity_id, key).ids

    def inbound(self, entity_id: str, keys: Iterable[str]) -> str | None:
        """
        The flow that brought `entity_id` its data along the shortest chain.

        ``None`` for an entity subject to the GDPR (the data is its own).
        """
        held = self.held.get(entity_id, {})
        hops = [
            (self.route(entity_id, key).length, key, hop)
            for key in sorted(keys)
            if (hop := held.get(key)) is not None
        ]
        return min(hops, key=lambda item: item[:2])[2].flow if hops else None

    def best_route(self, entity_id: str, keys: Iterable[str]) -> Route:
        """The shortest of the routes of `keys` at `entity_id` (ties: first key)."""
        keys = tuple(keys)
        found = self._best.get((entity_id, keys))
        if found is None:
            routes = [self.route(entity_id, key) for key in sorted(keys)]
            found = (
                min(routes, key=lambda route: route.length)
                if routes
                else Route.start(entity_id)
            )
            self._best[entity_id, keys] = found
        return found

    def chains(
        self, entity_id: str, keys: Iterable[str]
    ) -> list[tuple[Route, tuple[str, ...]]]:
        """
        The route each key took to `entity_id`, keys with the same route together.

        Every route follows only flows that carried that key (issue 12, point 14);
        the list is sorted by route length, then by first key. Long routes are
        shortened as in `route`, so the cost stays linear in the keys.
        """
        grouped: dict[Route, list[str]] = {}
        for key in sorted(keys):
            grouped.setdefault(self.route(entity_id, key), []).append(key)
        return sorted(
            ((route, tuple(names)) for route, names in grouped.items()),
            key=lambda item: (item[0].length, item[1]),
        )

    def best_chain(self, entity_id: str, keys: Iterable[str]) -> tuple[str, ...]:
        """The shortest of the chains of `keys` at `entity_id` (ties: first key)."""
        return self.best_route(entity_id, keys).ids


class FlowGraph:
    """
    A data map as a directed multigraph: entity ids as nodes, flows as edges.

    The networkx graph is built on first use of a graph query: the assessment itself
    needs only the map's own indexes and the propagation below, so that it does not
    pay for importing networkx and adding every edge (about 9 s at a million flows).
    """

    def __init__(self, datamap: DataMap) -> None:
        """
        Wrap the graph of a map.

        Args:
            datamap: The validated map.
        """
        self._map = datamap
        self._graph: nx.MultiDiGraph[str] | None = None

    @property
    def _g(self) -> nx.MultiDiGraph[str]:
        if self._graph is None:
            import networkx as nx  # noqa: PLC0415 - see the class docstring

            graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
            for entity in sorted(self._map.entities, key=lambda entity: entity.id):
                graph.add_node(entity.id, entity=entity)
            for flow in sorted(self._map.flows, key=lambda flow: flow.id):
                graph.add_edge(flow.exporter, flow.importer, key=flow.id, flow=flow)
            self._graph = graph
        return self._graph

    @property
    def datamap(self) -> DataMap:
        """The map the graph was built from."""
        return self._map

    def entity(self, entity_id: str) -> Entity:
        """The entity with this id."""
        return self._map.entity(entity_id)

    def flows(self) -> Iterator[Flow]:
        """All flows, sorted by id."""
        return iter(sorted(self._map.flows, key=lambda flow: flow.id))

    def outbound(self, entity_id: str) -> Iterator[Flow]:
        """Flows leaving an entity, sorted by flow id."""
        found: list[Flow] = [
            data["flow"] for _, _, data in self._g.out_edges(entity_id, data=True)
        ]
        return iter(sorted(found, key=lambda flow: flow.id))

    def propagate(
        self,
        day: date,
        refdata: ReferenceData,
        *,
        subject: Iterable[str] | None = None,
        regime: str = "EU",
    ) -> Protection:
        """
        Compute which categories of EEA origin each entity holds on `day`.

        An entity subject to the GDPR (in the EEA as an exporter on `day`, or
        ``subject_to_gdpr``) holds everything as protected. A flow that has started
        by `day` (ended flows too: what they delivered stays protected), is not
        anonymised and does not exclude EEA records by ``origin`` carries the
        protected part of its categories to its importer.

        Args:
            day: The assessment date.
            refdata: EEA membership over time.
            subject: Entity ids subject to the GDPR; computed when omitted.
            regime: The regime whose data is followed (``EU``, ``UK``, ``CH``):
                its territory and origin code come from the reference data.
        """
        if subject is None:
            subject = [
                entity.id
                for entity in self._map.entities
                if is_subject(entity, day, refdata, regime=regime)
            ]
        subject_ids = frozenset(subject)
        eea_today = set(territory(day, refdata, regime))
        origin_code = refdata.regime(regime).origin_code if regime != "EU" else EEA
        held: dict[str, dict[str, Hop | None]] = {
            entity_id: {ALL: None} for entity_id in sorted(subject_ids)
        }
        queue: deque[tuple[str, str]] = deque(
            (entity_id, ALL) for entity_id in sorted(subject_ids)
        )
        outbound = _outbound_carriers(
            self._map.flows, day, eea_today | {origin_code}, subject_ids
        )
        # The overlap of a held key with a category, remembered per pair: a map has
        # few distinct keys and categories but visits each pair many times.
        shares: dict[str, dict[str, str | None]] = {}
        while queue:
            exporter, key = queue.popleft()
            flows = outbound.get(exporter)
            if not flows:
                continue
            share = shares.get(key)
            if share is None:
                share = shares[key] = {}
            for flow in flows:
                importer = flow.importer
                if importer in subject_ids:
                    continue
                target = held.get(importer)
                if target is None:
                    target = held[importer] = {}
                hop = None
                for category in flow.data_categories:
                    if category in share:
                        shared = share[category]
                    else:
                        shared = share[category] = (
                            category if key == ALL else overlap(key, category)
                        )
                    if shared is None or shared in target:
                        continue
                    if hop is None:
                        hop = Hop(flow.id, exporter, key)
                    target[shared] = hop
                    queue.append((importer, shared))
        return Protection(
            held=held,
            subject=subject_ids,
            eea=frozenset(eea_today),
            origin_code=origin_code,
        )


def territory(day: date, refdata: ReferenceData, regime: str = "EU") -> tuple[str, ...]:
    """
    The country codes of a regime's territory on `day`, sorted.

    The EU regime's is the EEA (as for importers, from ``eea.json``); another
    regime's is the list in ``regimes.json``, from the day its law applies.
    """
    if regime == "EU":
        return refdata.eea_countries(day)
    spec = refdata.regime(regime)
    if spec.territory is None:
        return refdata.eea_countries(day)
    return tuple(sorted(spec.territory))


def is_subject(
    entity: Entity, day: date, refdata: ReferenceData, *, regime: str = "EU"
) -> bool:
    """
    Whether an entity is subject to a regime on `day` (the GDPR by default).

    Entities in the EEA (as exporters: the United Kingdom until 2020-12-31) are, and so
    are entities outside it marked ``subject_to_gdpr`` (GDPR Art. 3(2)). For another
    regime: entities established in its territory, or declared ``subject_to`` it.
    """
    if entity.declared_subject(regime):
        return True
    if regime == "EU":
        return refdata.is_eea(entity.country, day, as_importer=False)
    spec = refdata.regime(regime)
    if spec.territory is None:  # pragma: no cover - only the EU's territory is the EEA
        return refdata.is_eea(entity.country, day, as_importer=False)
    return entity.country in spec.territory


def _outbound_carriers(
    flows: Iterable[Flow], day: date, codes: set[str], subject: frozenset[str]
) -> Mapping[str, list[Flow]]:
    """
    Flows that can carry protected data on `day`, by exporter, sorted by id.

    ``origin`` limits only exporters not subject to the GDPR: what an exporter subject
    to it transfers is protected whatever its origin.
    """
    result: dict[str, list[Flow]] = {}
    for flow in sorted(flows, key=lambda flow: flow.id):
        if flow.anonymised:
            continue
        if flow.start is not None and flow.start > day:
            continue
        if (
            flow.exporter not in subject
            and flow.origin is not None
            and not any(region in codes for region in flow.origin)
        ):
            continue
        result.setdefault(flow.exporter, []).append(flow)
    return result
