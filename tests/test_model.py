"""The data map's look-ups that the rules use in place of scanning every flow."""

from __future__ import annotations

from tests.mapfactory import as_yaml, document, entity, flow
from transfer_assess import parse_map


def test_scc_senders_are_the_exporters_of_flows_built_on_the_eu_sccs() -> None:
    value = document(
        entities=[
            entity("de", "DE", group="acme"),
            entity("gb", "GB"),
            entity("fr", "FR", group="beta"),
            entity("in", "IN"),
        ],
        flows=[
            flow("a", "de", "in", mechanism="scc", scc_module=2),
            flow("b", "gb", "in", mechanism="uk_addendum", scc_module=2),
            flow("c", "fr", "in", mechanism="bcr"),
            flow("d", "in", "de", mechanism="scc", scc_module=2),
        ],
        groups=[{"id": "acme", "name": "Acme"}, {"id": "beta", "name": "Beta"}],
    )
    datamap = parse_map(as_yaml(value))
    assert datamap.scc_senders("in") == (
        frozenset({"de", "gb"}),
        frozenset({"acme"}),
    )
    assert datamap.scc_senders("de") == (frozenset({"in"}), frozenset())
    assert datamap.scc_senders("fr") == (frozenset(), frozenset())
