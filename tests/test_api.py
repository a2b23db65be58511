"""The Python API forgives what it can and says clearly what it cannot."""

from __future__ import annotations

from datetime import date, datetime
from importlib.metadata import version
from pathlib import Path

import attrs
import pytest

import transfer_assess
from tests.conftest import EXAMPLES
from transfer_assess import (
    ArgumentTypeError,
    DataMap,
    DataMapError,
    Entity,
    EntityKind,
    Flow,
    Frequency,
    InputError,
    Role,
    Settings,
    TransferAssessError,
    assess,
    load_map,
    load_reference_data,
)

DAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def datamap() -> DataMap:
    return load_map(EXAMPLES / "global-group.yaml")


def built_map(country: str = "US") -> DataMap:
    """A map made in code, without the loader."""
    return DataMap(
        organisation="Code Group",
        entities=[
            Entity("hq-de", "HQ GmbH", EntityKind.AFFILIATE, "DE"),
            Entity("cloud", "Cloud Inc.", EntityKind.SERVICE_PROVIDER, country),
        ],
        flows=[
            Flow(
                id="crm",
                exporter="hq-de",
                importer="cloud",
                exporter_role=Role.CONTROLLER,
                importer_role=Role.PROCESSOR,
                data_subjects=["customers"],
                data_categories=["user.contact.email"],
                purposes=["support"],
                frequency=Frequency.CONTINUOUS,
            )
        ],
    )


def problems(datamap: DataMap) -> list[str]:
    """The problems `assess` finds in a map built in code, as path: message."""
    with pytest.raises(DataMapError) as raised:
        assess(datamap, DAY)
    return [f"{p.path}: {p.message}" for p in raised.value.problems]


class TestDates:
    """``as_of``: the map's date by default, a date or an ISO string."""

    def test_defaults_to_the_maps_date(self, datamap: DataMap) -> None:
        assert datamap.as_of == DAY
        assert assess(datamap).as_of == DAY

    def test_iso_string(self, datamap: DataMap) -> None:
        assert assess(datamap, "2026-11-28").to_json() == assess(datamap, DAY).to_json()
        assert assess(datamap, as_of="2026-11-28").as_of == DAY

    @pytest.mark.parametrize(
        ("text", "accepted"),
        [("2018-05-24", False), ("2018-05-25", True), ("2018-05-26", True)],
    )
    def test_the_gdpr_date(self, datamap: DataMap, text: str, accepted: bool) -> None:
        if accepted:
            assert assess(datamap, text).as_of == date.fromisoformat(text)
        else:
            with pytest.raises(InputError, match="before 2018-05-25"):
                assess(datamap, text)

    @pytest.mark.parametrize("text", ["2026-2-1", "20261128", "28.11.2026", ""])
    def test_not_an_iso_date(self, datamap: DataMap, text: str) -> None:
        with pytest.raises(InputError, match="is not an ISO 8601 date"):
            assess(datamap, text)

    def test_no_date_at_all(self) -> None:
        with pytest.raises(InputError, match="no assessment date"):
            assess(built_map())
        assert assess(built_map(), DAY).summary.gap == 1

    def test_datetime_is_refused(self, datamap: DataMap) -> None:
        with pytest.raises(ArgumentTypeError, match=r"pass its \.date\(\)"):
            assess(datamap, datetime(2026, 11, 28, 12, 0))  # noqa: DTZ001


class TestWrongTypes:
    """Wrong types raise ArgumentTypeError: a TypeError and a TransferAssessError."""

    @pytest.mark.parametrize(
        ("arguments", "message"),
        [
            ({"datamap": "examples/global-group.yaml"}, "datamap must be a DataMap"),
            ({"datamap": Path("map.yaml")}, "got PosixPath"),
            ({"as_of": 20261128}, "as_of must be a datetime.date"),
            ({"refdata": "data/"}, "refdata must be a ReferenceData"),
            ({"settings": {"tia_max_age_days": 30}}, "settings must be a Settings"),
            ({"regime": 1}, "regime must be .EU., .UK., .CH., .all. or a list"),
            ({"progress": "yes"}, "progress must be callable"),
        ],
    )
    def test_wrong_type(
        self, datamap: DataMap, arguments: dict[str, object], message: str
    ) -> None:
        call: dict[str, object] = {"datamap": datamap, "as_of": DAY, **arguments}
        with pytest.raises(ArgumentTypeError, match=message) as raised:
            assess(**call)  # type: ignore[arg-type]
        assert isinstance(raised.value, TypeError)
        assert isinstance(raised.value, TransferAssessError)

    def test_right_types_pass(self, datamap: DataMap) -> None:
        calls: list[tuple[int, int]] = []
        result = assess(
            datamap,
            DAY,
            refdata=load_reference_data(),
            settings=Settings(),
            regime="EU",
            progress=lambda done, total: calls.append((done, total)),
        )
        assert result.summary.flows == 37
        assert calls[-1] == (39, 39)

    def test_unknown_regime(self, datamap: DataMap) -> None:
        with pytest.raises(InputError, match="unknown regime 'XX'"):
            assess(datamap, DAY, regime="XX")


class TestMapsBuiltInCode:
    """A DataMap made without the loader is checked before it is assessed."""

    def test_valid_map(self) -> None:
        assert assess(built_map(), DAY).findings[0].status.value == "gap"

    def test_unknown_country(self) -> None:
        with pytest.raises(DataMapError) as raised:
            assess(built_map("XX"), DAY)
        expected = (
            "<DataMap>: entities[1].country: unknown country 'XX': expected an ISO "
            "3166-1 alpha-2 code such as 'DE'"
        )
        assert [str(problem) for problem in raised.value.problems] == [expected]

    def test_unknown_entity_and_duplicates(self) -> None:
        base = built_map()
        broken = attrs.evolve(
            base,
            entities=[*base.entities, base.entities[0]],
            flows=[
                *base.flows,
                attrs.evolve(base.flows[0], importer="nowhere"),
            ],
        )
        assert problems(broken) == [
            "entities[2].id: duplicate id 'hq-de'",
            "flows[1].id: duplicate id 'crm'",
            "flows[1].to: unknown entity 'nowhere'",
        ]

    def test_not_entities_or_flows(self) -> None:
        base = built_map()
        broken = attrs.evolve(base, entities=[*base.entities, "x"], flows=[{}])
        assert problems(broken) == [
            "entities[2]: expected Entity, got str",
            "flows[0]: expected Flow, got dict",
        ]

    def test_no_country_and_no_organisation(self) -> None:
        base = built_map()
        broken = attrs.evolve(
            base,
            entities=[base.entities[0], attrs.evolve(base.entities[1], country=None)],
        )
        with pytest.raises(DataMapError, match="no country and no international"):
            assess(broken, DAY)


def test_every_public_name_is_importable() -> None:
    for name in transfer_assess.__all__:
        assert getattr(transfer_assess, name) is not None
    assert sorted(transfer_assess.__all__) == dir(transfer_assess)


def test_version_is_written_once() -> None:
    assert version("transfer-assess") == transfer_assess.__version__
