"""Properties of the loader that hold for every map (hypothesis)."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.mapfactory import as_json, as_yaml
from tests.strategies import documents, mutated
from transfer_assess import DataMap, DataMapError, parse_map


class TestFormatsAgree:
    """YAML and JSON carry the same document (datamap.md, File formats)."""

    @given(documents())
    def test_yaml_and_json_give_the_same_map(self, value: dict[str, Any]) -> None:
        from_yaml = parse_map(as_yaml(value), format="yaml")
        from_json = parse_map(as_json(value), format="json")
        assert from_yaml == from_json
        assert [entity.id for entity in from_yaml.entities] == [
            entity["id"] for entity in value["entities"]
        ]

    @given(documents(), st.randoms())
    def test_order_of_entities_and_flows_changes_nothing_but_order(
        self, value: dict[str, Any], rng: random.Random
    ) -> None:
        shuffled = dict(value)
        shuffled["entities"] = rng.sample(value["entities"], len(value["entities"]))
        shuffled["flows"] = rng.sample(value["flows"], len(value["flows"]))
        first = parse_map(as_yaml(value))
        second = parse_map(as_yaml(shuffled))
        assert set(first.entities) == set(second.entities)
        assert set(first.flows) == set(second.flows)


def loaded(text: str, fmt: str) -> DataMap | DataMapError:
    """The map `text` loads to, or the error that refuses it."""
    try:
        return parse_map(text, file="fuzz", format=fmt)
    except DataMapError as error:
        return error


def assert_located(error: DataMapError) -> None:
    """A refusal lists at least one problem, each in the named file, with a message."""
    assert error.problems
    assert all(problem.file == "fuzz" for problem in error.problems)
    assert all(problem.message for problem in error.problems)


class TestNeverCrashes:
    """The loader returns a map or raises DataMapError with located problems."""

    @given(mutated())
    def test_mutated_maps(self, value: dict[str, Any]) -> None:
        outcomes: list[object] = []
        for text, fmt in ((as_json(value), "json"), (as_yaml(value), "yaml")):
            result = loaded(text, fmt)
            if isinstance(result, DataMapError):
                assert_located(result)
                outcomes.append(sorted(problem.message for problem in result.problems))
                continue
            # What loads keeps the document's entities and flows, in order.
            assert [entity.id for entity in result.entities] == [
                entity["id"] for entity in value["entities"]
            ]
            assert [flow.id for flow in result.flows] == [
                flow["id"] for flow in value["flows"]
            ]
            outcomes.append(result)
        # Both formats carry the same value: both load the same map, or both refuse
        # it for the same reasons.
        assert outcomes[0] == outcomes[1]

    @given(st.text(max_size=200))
    def test_arbitrary_text(self, text: str) -> None:
        # The loader refuses text with located problems in the named file, or loads
        # it only if it spells out what every map needs (datamap.md): a version, an
        # organisation and an entity with its id, name and kind.
        required = ("version", "organisation", "entities", "id", "name", "kind")
        for fmt in ("yaml", "json"):
            result = loaded(text, fmt)
            if isinstance(result, DataMapError):
                assert_located(result)
            else:
                assert all(key in text for key in required), text
