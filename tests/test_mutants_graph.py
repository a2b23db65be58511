"""
Chains and inbound flows where no test read them (issue 13's mutation run of graph.py).

The flow a finding names as having brought the data is the one along the shortest
chain of any of its keys, not the first key's; an entity that holds nothing, or
holds its own data, has no inbound flow and a chain of itself alone.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.mapfactory import as_yaml, document, entity, flow
from transfer_assess import graph, parse_map
from transfer_assess.graph import (
    FlowGraph,
    Protection,
    Route,
    _prefixes,
    _shared,
    chain_display,
    overlap,
)
from transfer_assess.refdata import load_reference_data

DAY = date(2026, 11, 28)
EMAIL = "user.contact.email"
NAME = "user.name"


def shortcut() -> Protection:
    """
    ``x`` (US) gets the e-mail addresses over two hops and the names over one.

    ``hq`` (DE) → ``mid`` (JP) → ``x`` carries the addresses; ``hq`` → ``x`` the
    names. The addresses' key sorts first, so only the chains' lengths can say that
    the direct flow is the one that brought ``x`` its data.
    """
    datamap = parse_map(
        as_yaml(
            document(
                entities=[entity("hq"), entity("mid", "JP"), entity("x", "US")],
                flows=[
                    flow("f-1", "hq", "mid", data_categories=[EMAIL]),
                    flow("f-2", "mid", "x", data_categories=[EMAIL]),
                    flow("f-direct", "hq", "x", data_categories=[NAME]),
                ],
            )
        )
    )
    return FlowGraph(datamap).propagate(DAY, load_reference_data())


def test_inbound_follows_the_shortest_chain_not_the_first_key() -> None:
    held = shortcut()
    assert held.route("x", EMAIL).length == 3
    assert held.route("x", NAME).length == 2
    assert held.inbound("x", [EMAIL, NAME]) == "f-direct"
    assert held.inbound("x", [EMAIL]) == "f-2"


def test_an_entity_subject_to_the_gdpr_has_no_inbound_flow() -> None:
    held = shortcut()
    assert held.inbound("hq", held.keys("hq")) is None
    assert held.inbound("hq", []) is None


def test_an_entity_holding_nothing() -> None:
    empty = Protection(held={}, subject=frozenset())
    assert empty.inbound("nobody", [EMAIL]) is None
    assert empty.route("nobody", EMAIL) == Route.start("nobody")


def test_best_route_of_no_keys_is_the_entity_alone() -> None:
    held = shortcut()
    assert held.best_route("x", ()) == Route(("x",), (), 1)


def test_best_route_is_the_same_when_asked_again() -> None:
    held = shortcut()
    first = held.best_route("x", (EMAIL, NAME))
    assert first == Route(("hq", "x"), (), 2)
    assert held.best_route("x", (EMAIL, NAME)) == first
    assert held.best_chain("x", (EMAIL, NAME)) == ("hq", "x")


def test_chain_display_marks_no_gap_unless_told() -> None:
    assert chain_display(("a", "b")) == ("a", "b")
    assert chain_display(("a", "b", "c", "d"), 2) == ("a", "b", "c", "… 2 more …", "d")


def test_chain_display_shows_ids_through_the_label() -> None:
    assert chain_display(("a", "b"), label=str.upper) == ("A", "B")


def test_shared_pairs_every_key_with_every_category_on_a_cold_memo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `_shared` remembers each category's ancestors for the whole process; with the
    # memo emptied, the ancestors are computed here, and the result must be the
    # `overlap` of every held key with every category (the rule stated pairwise).
    lineage: dict[str, tuple[str, ...]] = {}
    monkeypatch.setattr(graph, "_LINEAGE", lineage)
    held = dict.fromkeys(["user.contact", "user.financial.bank", "system"])
    categories = (
        "user.contact.email",
        "user",
        "user.financial",
        "user.name",
        "user.contact",
        "system.operations",
    )
    pairwise = {
        shared
        for key in held
        for category in categories
        if (shared := overlap(key, category)) is not None
    }
    result = _shared(held, _prefixes(held), categories)
    assert result == tuple(sorted(pairwise))
    assert result == (
        "system.operations",
        "user.contact",
        "user.contact.email",
        "user.financial.bank",
    )
    assert lineage["user.contact.email"] == (
        "user",
        "user.contact",
        "user.contact.email",
    )
    assert lineage["user"] == ("user",)


@pytest.mark.parametrize(
    ("origin", "holds"),
    [(["GB"], True), (["FR"], False), (["EEA"], False), (["FR", "GB"], True)],
)
def test_the_uk_regime_follows_records_of_uk_origin_only(
    origin: list[str], *, holds: bool
) -> None:
    # Under the UK GDPR the territory is the United Kingdom (regimes.json): records
    # of French or EEA origin that a US company passes on are not UK data.
    datamap = parse_map(
        as_yaml(
            document(
                entities=[
                    entity("uk", "GB"),
                    entity("us-1", "US"),
                    entity("us-2", "US"),
                ],
                flows=[
                    flow("f-1", "uk", "us-1"),
                    flow("f-2", "us-1", "us-2", origin=origin),
                ],
            )
        )
    )
    held = FlowGraph(datamap).propagate(DAY, load_reference_data(), regime="UK")
    assert held.keys("us-1") == (EMAIL,)
    assert held.keys("us-2") == ((EMAIL,) if holds else ())
    assert held.carried(datamap.flow("f-2")) == ((EMAIL,) if holds else ())
