"""
The assessment's arguments, its regimes, its progress calls and the onward flows that
take another regime's verdict (issue 13's mutation run of engine.py).

The messages of `assess` are part of the API (docs/api.md), so each is read whole; a
map built in code is refused with every problem located as the loader would locate
it; the progress callback is called every 1,000 flows and at the end; and the EU
finding of an onward flow from the UK names the first flow, by id, that brought the
data there by adequacy alone on the date, and keeps the EU chain.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

import attrs
import pytest

from tests.mapfactory import as_yaml, document, entity, flow
from tests.test_api import built_map
from transfer_assess import (
    ArgumentTypeError,
    DataMap,
    DataMapError,
    InputError,
    assess,
    parse_map,
)

DAY = date(2026, 11, 28)
CATEGORIES = ["user.contact.email", "user.name"]
EXPECTED_REGIMES = "expected one of EU, UK, CH or 'all'"


def refused(error: type[Exception], **arguments: Any) -> str:
    """The whole message `assess` raises for these arguments (a valid map and date)."""
    call: dict[str, Any] = {"datamap": built_map(), "as_of": DAY, **arguments}
    with pytest.raises(error) as raised:
        assess(**call)
    assert type(raised.value) is error
    return str(raised.value)


class TestArguments:
    """Each wrong argument is named with what was expected and what came instead."""

    def test_no_date_at_all(self) -> None:
        assert refused(InputError, as_of=None) == (
            "no assessment date: pass as_of (a date or 'YYYY-MM-DD'), or give the "
            "map an as_of"
        )

    @pytest.mark.parametrize(
        ("arguments", "message"),
        [
            (
                {"as_of": 20261128},
                "as_of must be a datetime.date or a 'YYYY-MM-DD' string, got int",
            ),
            (
                {"datamap": "examples/global-group.yaml"},
                (
                    "datamap must be a DataMap (read one with "
                    "transfer_assess.load_map), got str"
                ),
            ),
            # The only argument with a hint: where reference data comes from.
            (
                {"refdata": "data/"},
                (
                    "refdata must be a ReferenceData (from "
                    "transfer_assess.load_reference_data), got str"
                ),
            ),
            # No hint: the message ends with the type given.
            (
                {"settings": {"tia_max_age_days": 30}},
                "settings must be a Settings, got dict",
            ),
            (
                {"regime": 1},
                "regime must be 'EU', 'UK', 'CH', 'all' or a list of them, got int",
            ),
            ({"progress": "yes"}, "progress must be callable, got str"),
        ],
    )
    def test_wrong_type(self, arguments: dict[str, Any], message: str) -> None:
        assert refused(ArgumentTypeError, **arguments) == message

    def test_the_regime_is_checked_before_the_callback(self) -> None:
        # The arguments are checked in the order of the signature: the unknown
        # regime is the first mistake reported, not the callback after it.
        assert refused(InputError, regime="XX", progress="yes") == (
            f"unknown regime 'XX'; {EXPECTED_REGIMES}"
        )

    @pytest.mark.parametrize(
        ("regime", "named"),
        [
            (["XX", "UK", "AA"], "'AA', 'XX'"),
            ([], "(none)"),
            ((), "(none)"),
        ],
    )
    def test_unknown_regimes(self, regime: Any, named: str) -> None:
        # Every unknown regime, sorted; an empty list selects none, which is refused.
        assert refused(InputError, regime=regime) == (
            f"unknown regime {named}; {EXPECTED_REGIMES}"
        )


def problems(datamap: DataMap) -> list[str]:
    """Every problem of a map built in code, whole (``source: path: message``)."""
    with pytest.raises(DataMapError) as raised:
        assess(datamap, DAY)
    return [str(problem) for problem in raised.value.problems]


class TestMapsBuiltInCode:
    """The problems the loader would refuse, located in ``<DataMap>`` or its source."""

    def test_wrong_types_do_not_stop_the_checks(self) -> None:
        # An item of the wrong type is reported and skipped; the items after it
        # are still checked (the duplicate) and still count (the flow's ends).
        base = built_map()
        hq, cloud = base.entities
        broken = attrs.evolve(
            base, entities=["x", hq, cloud, hq], flows=[{}, *base.flows, base.flows[0]]
        )
        assert problems(broken) == [
            "<DataMap>: entities[0]: expected Entity, got str",
            "<DataMap>: entities[3].id: duplicate id 'hq-de'",
            "<DataMap>: flows[0]: expected Flow, got dict",
            "<DataMap>: flows[2].id: duplicate id 'crm'",
        ]

    def test_no_country_and_no_organisation(self) -> None:
        base = built_map()
        hq, cloud = base.entities
        broken = attrs.evolve(base, entities=[hq, attrs.evolve(cloud, country=None)])
        # The flow still names a known entity: only the country is missing.
        assert problems(broken) == [
            (
                "<DataMap>: entities[1].country: no country and no international "
                "organisation"
            )
        ]

    def test_the_maps_source_names_the_problems(self) -> None:
        base = built_map()
        broken = attrs.evolve(base, source="group.yaml", entities=[*base.entities, 7])
        assert problems(broken) == ["group.yaml: entities[2]: expected Entity, got int"]

    def test_flow_ends(self) -> None:
        # An unknown end is named by the key of the file (from, to). A flow from
        # an entity to itself is refused as the loader refuses it (validate.py),
        # instead of an EU finding on an "onward" flow that takes the UK verdict
        # of a flow inside one entity.
        base = built_map()
        crm = base.flows[0]
        broken = attrs.evolve(
            base,
            flows=[
                attrs.evolve(crm, id="a", exporter="nowhere"),
                attrs.evolve(crm, id="b", importer="elsewhere"),
                attrs.evolve(crm, id="loop", importer="hq-de"),
                attrs.evolve(crm, id="ghost", exporter="x", importer="x"),
            ],
        )
        assert problems(broken) == [
            "<DataMap>: flows[0].from: unknown entity 'nowhere'",
            "<DataMap>: flows[1].to: unknown entity 'elsewhere'",
            (
                "<DataMap>: flows[2].to: a flow cannot go from 'hq-de' to itself (an "
                "entity's own staff abroad is not a second entity)"
            ),
            "<DataMap>: flows[3].from: unknown entity 'x'",
            "<DataMap>: flows[3].to: unknown entity 'x'",
        ]

    def test_a_flow_to_itself_as_the_loader_says_it(self) -> None:
        text = as_yaml(document(flows=[flow("loop", "hq-de", "hq-de")]))
        with pytest.raises(DataMapError) as raised:
            parse_map(text)
        assert [problem.message for problem in raised.value.problems] == [
            (
                "a flow cannot go from 'hq-de' to itself (an entity's own staff "
                "abroad is not a second entity)"
            )
        ]


def many_flows(count: int) -> DataMap:
    """A map built in code with `count` flows, all ended before the date (cheap)."""
    base = built_map()
    crm = base.flows[0]
    return attrs.evolve(
        base,
        flows=[
            attrs.evolve(crm, id=f"f{index:05d}", end=date(2020, 1, 1))
            for index in range(count)
        ],
    )


@pytest.mark.parametrize(
    ("count", "calls"),
    [
        # The day before, the day and the day after the 1,000th flow.
        (999, [(999, 999)]),
        (1_000, [(1_000, 1_000)]),
        (1_001, [(1_000, 1_001), (1_001, 1_001)]),
        (2_000, [(1_000, 2_000), (2_000, 2_000)]),
        (0, [(0, 0)]),
    ],
)
def test_progress_every_thousand_flows_and_at_the_end(
    count: int, calls: list[tuple[int, int]]
) -> None:
    seen: list[tuple[int, int]] = []
    result = assess(
        many_flows(count), DAY, progress=lambda done, total: seen.append((done, total))
    )
    assert seen == calls
    assert len(result.inactive) == count
    assert result.findings == ()


def to_india(
    entities: list[dict[str, Any]],
    before: list[dict[str, Any]],
    later: tuple[dict[str, Any], ...] = (),
) -> DataMap:
    """A map whose UK affiliate ``gb-aff`` sends data to India by IDTA (``f2``)."""
    onward = flow(
        "f2",
        "gb-aff",
        "in-a",
        mechanism="idta",
        tia="2026-06-01",
        data_categories=CATEGORIES,
    )
    return parse_map(
        as_yaml(
            document(
                entities=[*entities, entity("in-a", "IN")],
                flows=[*before, onward, *later],
                as_of=DAY.isoformat(),
            )
        )
    )


def uk_onward(*later: dict[str, Any]) -> DataMap:
    """
    ``hq-de`` → ``gb-aff`` by adequacy (``f1``), ``gb-aff`` → India by IDTA (``f2``).

    The flows in `later` come after them in the file, and can bring ``gb-aff`` data
    too.
    """
    entities = [entity("hq-de"), entity("gb-aff", "GB")]
    return to_india(entities, [leg("f1", mechanism="adequacy")], later)


def leg(flow_id: str, **extra: Any) -> dict[str, Any]:
    """A flow from ``hq-de`` to ``gb-aff`` (controller to controller)."""
    fields = {"importer_role": "controller", "data_categories": CATEGORIES, **extra}
    return flow(flow_id, "hq-de", "gb-aff", **fields)


def came_by(datamap: DataMap) -> tuple[str, str, str]:
    """
    The EU finding of ``f2``: basis, status, and the flow its onward reason names.

    The finding takes the UK verdict (idta, ok) only when the data came by adequacy
    alone; the reason (EU.ONWARD.REGIME) is read whole.
    """
    finding = assess(datamap).finding("f2", "EU")
    assert finding.onward
    texts = [
        reason.text for reason in finding.reasons if reason.rule == "EU.ONWARD.REGIME"
    ]
    assert len(texts) == 1
    inbound = texts[0].split(" over flow ", 1)[1].split(",", 1)[0]
    assert texts[0] == (
        f"The data reached gb-aff in GB over flow {inbound}, which rests on an EU "
        "adequacy decision; that decision relies on the UK GDPR's own rules for "
        "onward transfers, so flow f2 is governed by its UK finding (idta, ok), whose "
        "status this finding takes."
    )
    return finding.basis.value, finding.status.value, inbound


class TestOnwardFromTheUK:
    """
    Which inbound flow brought the data by adequacy alone (design regimes.md §6).

    Of several flows into the UK exporter, the first by id that exists on the date,
    is not an Art. 46 tool and carries the same data is named; the others are passed
    over, not the end of the search.
    """

    def test_the_first_by_id_not_by_file_order(self) -> None:
        # f0 comes last in the file and first by id.
        assert came_by(uk_onward(leg("f0", mechanism="adequacy"))) == (
            "idta",
            "ok",
            "f0",
        )

    @pytest.mark.parametrize(
        ("start", "named"),
        [("2026-11-27", "f0"), ("2026-11-28", "f0"), ("2026-11-29", "f1")],
    )
    def test_a_leg_that_starts_later_is_passed_over(
        self, start: str, named: str
    ) -> None:
        # A leg starting after the date brought nothing yet; f1 did.
        datamap = uk_onward(leg("f0", mechanism="adequacy", start=start))
        assert came_by(datamap) == ("idta", "ok", named)

    def test_a_leg_under_sccs_is_passed_over(self) -> None:
        # Data that came under SCCs keeps the EU onward rules (Clause 8.7), but
        # the same data also came by f1 under the decision alone.
        datamap = uk_onward(leg("f0", mechanism="scc", scc_module=1))
        assert came_by(datamap) == ("idta", "ok", "f1")

    def test_a_leg_with_other_data_is_passed_over(self) -> None:
        # f0 brought financial data, which f2 does not carry.
        datamap = uk_onward(
            leg("f0", mechanism="adequacy", data_categories=["user.financial"])
        )
        assert came_by(datamap) == ("idta", "ok", "f1")

    def test_the_eu_chain_is_kept(self) -> None:
        # Eight adequacy hops from Germany to the UK: the EU chain has nine
        # entities, one left out in the middle (3 first, 5 last), while the UK
        # finding's chain starts at the UK exporter. The EU finding takes the UK
        # verdict but keeps its own chain.
        hops = [
            ("hq-de", "DE"),
            ("jp", "JP"),
            ("kr", "KR"),
            ("nz", "NZ"),
            ("il", "IL"),
            ("uy", "UY"),
            ("ar", "AR"),
            ("gb-aff", "GB"),
        ]
        flows = [
            flow(
                f"h{index}",
                source,
                target,
                mechanism="adequacy",
                importer_role="controller",
                data_categories=CATEGORIES,
            )
            for index, ((source, _), (target, _)) in enumerate(pairwise(hops))
        ]
        entities = [entity(entity_id, country) for entity_id, country in hops]
        datamap = to_india(entities, flows)
        result = assess(datamap)
        eu, uk = result.finding("f2", "EU"), result.finding("f2", "UK")
        assert (eu.basis.value, eu.status.value) == ("idta", "ok")
        assert (eu.chain, eu.chain_omitted) == (
            ("hq-de", "jp", "kr", "il", "uy", "ar", "gb-aff", "in-a"),
            1,
        )
        assert (uk.chain, uk.chain_omitted) == (("gb-aff", "in-a"), 0)


class TestRegimes:
    """The regimes asked for, and the one the assessment names."""

    def test_one_regime_asked_for(self) -> None:
        result = assess(uk_onward(), regime="UK")
        assert [(f.flow, f.regime) for f in result.findings] == [("f2", "UK")]
        assert (result.regime, result.regimes) == ("UK", ("UK",))

    def test_one_regime_found(self) -> None:
        # Only the EU applies to these flows: the assessment is named after it.
        result = assess(built_map(), DAY)
        assert [(f.flow, f.regime) for f in result.findings] == [("crm", "EU")]
        assert (result.regime, result.regimes) == ("EU", ("EU",))

    def test_a_list_of_regimes(self) -> None:
        # In the order of REGIMES, whatever the order asked; two regimes are "all".
        result = assess(uk_onward(), regime=["UK", "EU"])
        assert [(f.flow, f.regime) for f in result.findings] == [
            ("f1", "EU"),
            ("f2", "EU"),
            ("f2", "UK"),
        ]
        assert (result.regime, result.regimes) == ("all", ("EU", "UK"))
