"""Origin propagation: which entities hold data of EEA origin, and along which chain."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from tests.mapfactory import as_json, as_yaml, document, entity, flow
from transfer_assess import assess, parse_map
from transfer_assess.console import THEME, TREE_CHAINS, assessment_table
from transfer_assess.graph import (
    ALL,
    CHAIN_HEAD,
    CHAIN_TAIL,
    FlowGraph,
    _prefixes,
    _shared,
    chain_display,
    overlap,
)
from transfer_assess.refdata import load_reference_data

DAY = date(2026, 11, 28)

#: Dotted keys over a tiny alphabet, so that ancestors, descendants and near
#: misses (``a.b`` against ``a.bb``) all occur.
KEYS = st.lists(st.sampled_from(["a", "b", "bb"]), min_size=1, max_size=3).map(".".join)


def protection(entities: list[dict[str, object]], flows: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    datamap = parse_map(as_yaml(document(entities=entities, flows=flows)))
    return FlowGraph(datamap).propagate(DAY, load_reference_data()), datamap


class TestOverlap:
    """Category keys are hierarchical (datamap.md)."""

    @pytest.mark.parametrize(
        ("first", "second", "shared"),
        [
            ("user.contact", "user.contact.email", "user.contact.email"),
            ("user.contact.email", "user.contact", "user.contact.email"),
            ("user.contact", "user.contact", "user.contact"),
            ("user.contact", "user.contactless", None),
            ("user.account", "user.contact", None),
            (ALL, "user.account", "user.account"),
            ("user.account", ALL, "user.account"),
        ],
    )
    def test_overlap(self, first: str, second: str, shared: str | None) -> None:
        assert overlap(first, second) == shared

    @given(
        held=st.lists(KEYS, max_size=6),
        categories=st.lists(KEYS | st.just(ALL), min_size=1, max_size=4),
    )
    def test_carried_parts_are_the_pairwise_overlaps(
        self, held: list[str], categories: list[str]
    ) -> None:
        """`Protection.carried` finds, without pairing, what `overlap` pairs give."""
        keys: dict[str, object] = dict.fromkeys(held)
        expected = {
            shared
            for category in categories
            for key in keys
            if (shared := overlap(key, category)) is not None
        }
        assert _shared(keys, _prefixes(keys), categories) == tuple(sorted(expected))


class TestPropagation:
    """GDPR Art. 44: protection follows the data onward."""

    def test_three_hop_chain(self) -> None:
        result, _ = protection(
            [entity("hq-de"), entity("us-cloud", "US"), entity("in-support", "IN"),
             entity("ph-overflow", "PH")],
            [flow("a", "hq-de", "us-cloud"), flow("b", "us-cloud", "in-support"),
             flow("c", "in-support", "ph-overflow")],
        )  # fmt: skip
        assert result.chain("ph-overflow", "user.contact.email") == (
            "hq-de",
            "us-cloud",
            "in-support",
            "ph-overflow",
        )

    def test_cycle_terminates_with_shortest_chain(self) -> None:
        result, _ = protection(
            [entity("hq-de"), entity("cn", "CN"), entity("sg", "SG"),
             entity("in", "IN")],
            [flow("a", "hq-de", "cn"), flow("b", "cn", "sg"), flow("c", "sg", "cn"),
             flow("d", "sg", "in"), flow("e", "hq-de", "sg")],
        )  # fmt: skip
        assert result.chain("in", "user.contact.email") == ("hq-de", "sg", "in")
        assert result.keys("cn") == ("user.contact.email",)

    def test_only_overlapping_categories_go_onward(self) -> None:
        result, datamap = protection(
            [entity("hq-de"), entity("us", "US"), entity("in", "IN")],
            [
                flow("a", "hq-de", "us", data_categories=["user.contact"]),
                flow(
                    "b",
                    "us",
                    "in",
                    data_categories=["user.contact.email", "user.account"],
                ),
            ],
        )
        assert result.keys("us") == ("user.contact",)
        assert result.carried(datamap.flow("b")) == ("user.contact.email",)

    def test_anonymised_flows_carry_nothing(self) -> None:
        result, _ = protection(
            [entity("hq-de"), entity("us", "US"), entity("in", "IN")],
            [flow("a", "hq-de", "us", anonymised=True), flow("b", "us", "in")],
        )
        assert result.keys("us") == ()
        assert result.keys("in") == ()

    def test_origin_excluding_the_eea_stops_carriage(self) -> None:
        result, _ = protection(
            [entity("hq-de"), entity("jp", "JP"), entity("sg", "SG")],
            [flow("a", "hq-de", "jp"), flow("b", "jp", "sg", origin=["JP"])],
        )
        assert result.keys("jp") == ("user.contact.email",)
        assert result.keys("sg") == ()

    def test_origin_naming_a_member_state_carries(self) -> None:
        result, _ = protection(
            [entity("hq-de"), entity("jp", "JP"), entity("sg", "SG")],
            [flow("a", "hq-de", "jp"), flow("b", "jp", "sg", origin=["FR", "JP"])],
        )
        assert result.keys("sg") == ("user.contact.email",)

    def test_future_flows_carry_nothing_ended_flows_do(self) -> None:
        result, _ = protection(
            [entity("hq-de"), entity("us", "US"), entity("in", "IN")],
            [flow("a", "hq-de", "us", end="2020-01-01"),
             flow("b", "hq-de", "in", start="2027-01-01")],
        )  # fmt: skip
        assert result.keys("us") == ("user.contact.email",)
        assert result.keys("in") == ()

    def test_art_3_2_entities_hold_everything(self) -> None:
        result, _ = protection(
            [
                entity("hq-de"),
                entity("us", "US", subject_to_gdpr=True),
                entity("in", "IN"),
            ],
            [flow("b", "us", "in")],
        )
        assert "us" in result.subject
        assert result.keys("in") == ("user.contact.email",)


def test_graph_queries() -> None:
    value = document(
        entities=[entity("hq-de"), entity("us", "US"), entity("in", "IN")],
        flows=[
            flow("b", "hq-de", "in"),
            flow("a", "hq-de", "us"),
            flow("c", "us", "in"),
        ],
    )
    graph = FlowGraph(parse_map(as_yaml(value)))
    assert [item.id for item in graph.outbound("hq-de")] == ["a", "b"]
    assert [item.id for item in graph.flows()] == ["a", "b", "c"]
    assert graph.entity("us").country == "US"
    assert graph.datamap.organisation == "Example Group"


def chain_map(length: int, categories: int = 1) -> dict[str, object]:
    """hq (DE) → e0 → e1 → … → e{length-1}, all in the US."""
    keys = [f"user.c{index}" for index in range(categories)]
    entities = [entity("hq")] + [entity(f"e{index}", "US") for index in range(length)]
    flows = [
        flow(
            f"f{index}",
            "hq" if index == 0 else f"e{index - 1}",
            f"e{index}",
            data_categories=keys,
        )
        for index in range(length)
    ]
    return document(
        entities=entities, flows=flows, categories=[{"key": key} for key in keys]
    )


class TestLongChains:
    """Chains are computed once per state and shortened past eight entities."""

    @pytest.mark.parametrize(
        ("entities", "omitted"),
        [(CHAIN_HEAD + CHAIN_TAIL - 1, 0), (CHAIN_HEAD + CHAIN_TAIL, 0)],
    )
    def test_up_to_the_cap_in_full(self, entities: int, omitted: int) -> None:
        datamap = parse_map(as_json(chain_map(entities - 1)), format="json")
        last = assess(datamap, as_of=DAY).finding(f"f{entities - 2}")
        assert last.chain == ("hq", *(f"e{index}" for index in range(entities - 1)))
        assert last.chain_omitted == omitted

    def test_one_over_the_cap_is_shortened(self) -> None:
        datamap = parse_map(as_json(chain_map(CHAIN_HEAD + CHAIN_TAIL)), format="json")
        last = assess(datamap, as_of=DAY).finding(f"f{CHAIN_HEAD + CHAIN_TAIL - 1}")
        assert last.chain == ("hq", "e0", "e1", "e3", "e4", "e5", "e6", "e7")
        assert last.chain_omitted == 1

    def test_two_thousand_hops(self) -> None:
        datamap = parse_map(as_json(chain_map(2_000)), format="json")
        result = assess(datamap, as_of=DAY)
        last = result.finding("f1999")
        assert last.chain == (
            "hq",
            "e0",
            "e1",
            "e1995",
            "e1996",
            "e1997",
            "e1998",
            "e1999",
        )
        assert last.chain_omitted == 2_001 - CHAIN_HEAD - CHAIN_TAIL
        assert (
            " → ".join(chain_display(last.chain, last.chain_omitted))
            == "hq → e0 → e1 → … 1,993 more … → e1995 → e1996 → e1997 → e1998 → e1999"
        )
        report = json.loads(result.to_json())
        shown = {item["flow"]: item for item in report["findings"]}["f1999"]
        assert shown["chain_omitted"] == 1_993
        assert (
            "chain_omitted"
            not in {item["flow"]: item for item in report["findings"]}["f0"]
        )
        # Every finding's chain is bounded, so the report is linear in the flows.
        assert max(len(item["chain"]) for item in report["findings"]) == 8

    def test_many_categories_share_their_routes(self) -> None:
        datamap = parse_map(as_json(chain_map(300, categories=20)), format="json")
        protection = FlowGraph(datamap).propagate(DAY, load_reference_data())
        keys = protection.keys("e299")
        assert len(keys) == 20
        routes = [protection.route("e299", key) for key in keys]
        assert {route.length for route in routes} == {301}
        assert protection.best_route("e299", keys).text().startswith("hq → e0 → e1 → …")

    @pytest.mark.parametrize(
        ("onward", "left_out"),
        [(TREE_CHAINS - 1, 0), (TREE_CHAINS, 0), (TREE_CHAINS + 1, 1)],
    )
    def test_terminal_tree_draws_at_most_its_limit(
        self, onward: int, left_out: int
    ) -> None:
        entities = [entity("hq"), entity("hub", "US")] + [
            entity(f"v{index}", "IN") for index in range(onward)
        ]
        flows = [flow("in", "hq", "hub")] + [
            flow(f"o{index}", "hub", f"v{index}") for index in range(onward)
        ]
        value = document(entities=entities, flows=flows)
        result = assess(parse_map(as_json(value), format="json"), as_of=DAY)
        buffer = io.StringIO()
        Console(file=buffer, width=200, theme=THEME).print(
            assessment_table(result, show_all=True)
        )
        shown = buffer.getvalue()
        assert (f"… {left_out:,} more onward chains" in shown) is bool(left_out)
        assert shown.count("hub") >= min(onward, TREE_CHAINS)
