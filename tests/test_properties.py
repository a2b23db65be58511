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


class TestNeverCrashes:
    """The loader returns a map or raises DataMapError with located problems."""

    @given(mutated())
    def test_mutated_maps(self, value: dict[str, Any]) -> None:
        for text, fmt in ((as_json(value), "json"), (as_yaml(value), "yaml")):
            try:
                result: DataMap | DataMapError = parse_map(
                    text, file="fuzz", format=fmt
                )
            except DataMapError as error:
                result = error
            if isinstance(result, DataMapError):
                assert result.problems
                assert all(problem.file == "fuzz" for problem in result.problems)
                assert all(problem.message for problem in result.problems)
            else:
                assert isinstance(result, DataMap)

    @given(st.text(max_size=200))
    def test_arbitrary_text(self, text: str) -> None:
        for fmt in ("yaml", "json"):
            problems = []
            try:
                parse_map(text, file="fuzz", format=fmt)
            except DataMapError as error:
                problems = list(error.problems)
            assert all(problem.file == "fuzz" for problem in problems)
