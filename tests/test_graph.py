"""Origin propagation: which entities hold data of EEA origin, and along which chain."""

from __future__ import annotations

from datetime import date

import pytest

from tests.mapfactory import as_yaml, document, entity, flow
from transfer_assess import parse_map
from transfer_assess.graph import ALL, FlowGraph, overlap
from transfer_assess.refdata import load_reference_data

DAY = date(2026, 11, 28)


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
