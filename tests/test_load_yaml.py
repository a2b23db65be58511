"""The YAML reader: YAML 1.2 core schema, safety limits and located problems."""

from __future__ import annotations

from datetime import date

import pytest

from tests.mapfactory import as_yaml, document, entity
from transfer_assess import DataMapError, Limits, parse_map
from transfer_assess.model import Frequency, Mechanism, Role


def problems_of(text: str, **kwargs: object) -> list[str]:
    with pytest.raises(DataMapError) as caught:
        parse_map(text, file="map.yaml", **kwargs)  # type: ignore[arg-type]
    return [str(problem) for problem in caught.value.problems]


class TestCoreSchema:
    """YAML 1.2 core schema: only true/false are booleans, dates stay strings."""

    def test_norway_is_a_country_not_a_boolean(self) -> None:
        text = as_yaml(document()).replace("country: US", "country: NO")
        datamap = parse_map(text)
        assert datamap.entity("us-cloud").country == "NO"

    @pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n"])
    def test_yaml11_booleans_are_strings(self, word: str) -> None:
        text = as_yaml(document()).replace("name: hq-de Ltd", f"name: {word}")
        assert parse_map(text).entity("hq-de").name == word

    def test_true_and_false_are_booleans(self) -> None:
        base = document()
        base["flows"][0]["anonymised"] = True
        datamap = parse_map(
            as_yaml(base).replace("anonymised: true", "anonymised: True")
        )
        assert datamap.flow("crm-sync").anonymised is True

    def test_dates_are_read_from_strings(self) -> None:
        base = document(as_of="2026-11-28")
        text = as_yaml(base).replace("'2026-11-28'", "2026-11-28")
        assert parse_map(text).as_of == date(2026, 11, 28)

    def test_hex_and_octal_integers(self) -> None:
        base = document()
        base["flows"][0]["volume"] = 1
        text = as_yaml(base).replace("volume: 1", "volume: 0x10")
        assert parse_map(text).flow("crm-sync").volume == 16
        text = as_yaml(base).replace("volume: 1", "volume: 0o10")
        assert parse_map(text).flow("crm-sync").volume == 8

    def test_quoted_number_is_a_string(self) -> None:
        text = as_yaml(document()).replace("version: 1", "version: '1'")
        assert problems_of(text) == [
            "map.yaml:1: version: expected an integer, got the string '1'"
        ]

    def test_explicit_core_tags_are_honoured(self) -> None:
        text = as_yaml(document()).replace("version: 1", "version: !!int '1'")
        assert parse_map(text).version == 1

    def test_explicit_tag_that_does_not_fit(self) -> None:
        text = as_yaml(document()).replace("version: 1", "version: !!int 'one'")
        assert any("does not fit its tag" in line for line in problems_of(text))

    def test_parsed_values_reach_the_model(self, small_map_text: str) -> None:
        datamap = parse_map(small_map_text)
        first = datamap.flows[0]
        assert isinstance(first.frequency, Frequency)
        assert isinstance(first.mechanism, Mechanism)
        assert isinstance(first.exporter_role, Role)


class TestRefusals:
    """Hostile or broken YAML is refused fast with a located message."""

    def test_python_tags_are_refused_not_executed(self) -> None:
        text = as_yaml(document()).replace(
            "organisation: Example Group",
            "organisation: !!python/object/apply:os.system ['echo pwned']",
        )
        lines = problems_of(text)
        assert any(
            "map.yaml:2: organisation: unsupported YAML tag" in line for line in lines
        )

    def test_local_tags_are_refused(self) -> None:
        text = as_yaml(document()).replace(
            "organisation: Example Group", "organisation: !secret x"
        )
        assert any(
            "unsupported YAML tag '!secret'" in line for line in problems_of(text)
        )

    def test_duplicate_keys(self) -> None:
        text = "version: 1\norganisation: A\norganisation: B\nentities: []\nflows: []\n"
        lines = problems_of(text)
        assert (
            "map.yaml:3: organisation: duplicate key 'organisation' (first at line 2)"
            in lines
        )

    def test_billion_laughs_is_refused_quickly(self) -> None:
        rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
            rows.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        (line,) = problems_of("\n".join(rows))
        # Refused at the sixth level, where the repetition first passes the limit:
        # the document is never expanded (9**9 nodes) to find out.
        assert line.startswith(
            "map.yaml:6: f[0]: aliases would repeat more than 100,000"
        )
        assert "billion laughs" in line

    def test_small_aliases_are_allowed(self) -> None:
        base = document()
        text = as_yaml(base).replace(
            "  data_subjects:\n  - customers", "  data_subjects: &who\n  - customers"
        )
        text += "x-reuse: *who\n"
        assert parse_map(text).extensions["x-reuse"] == ["customers"]

    def test_recursive_alias_is_refused(self) -> None:
        text = as_yaml(document()) + "x-loop: &loop [*loop]\n"
        assert any("alias" in line for line in problems_of(text))

    def test_deep_nesting_is_refused(self) -> None:
        text = as_yaml(document()) + "x-deep: " + "[" * 100 + "]" * 100 + "\n"
        lines = problems_of(text, limits=Limits(max_depth=64))
        assert any("nesting deeper than 64 levels" in line for line in lines)

    def test_several_documents_are_refused(self) -> None:
        text = as_yaml(document()) + "---\n" + as_yaml(document())
        assert any("expected one YAML document" in line for line in problems_of(text))

    def test_syntax_error_has_a_line(self) -> None:
        text = "version: 1\norganisation: [unclosed\nentities: []\n"
        (line,) = problems_of(text)
        assert line.startswith("map.yaml:")
        assert "YAML syntax error" in line

    def test_complex_keys_are_refused(self) -> None:
        text = as_yaml(document()) + "? [a, b]\n: c\n"
        assert any(
            "mapping keys must be plain strings" in line for line in problems_of(text)
        )

    def test_top_level_must_be_a_mapping(self) -> None:
        assert problems_of("- 1\n- 2\n") == [
            "map.yaml:1: expected a data map (a mapping), got a list"
        ]


class TestLines:
    """Problems point at the line of the offending key."""

    def test_unknown_entity_with_suggestion(self) -> None:
        base = document()
        base["flows"][0]["to"] = "us-clud"
        text = as_yaml(base)
        line = text.splitlines().index("  to: us-clud") + 1
        assert problems_of(text) == [
            (
                f"map.yaml:{line}: flows[0].to: unknown entity 'us-clud' "
                "(did you mean 'us-cloud'?)"
            )
        ]

    def test_missing_key_points_at_its_mapping(self) -> None:
        base = document(entities=[entity("hq-de"), entity("us-cloud", "US")])
        del base["entities"][1]["kind"]
        text = as_yaml(base)
        line = text.splitlines().index("- id: us-cloud") + 1
        assert problems_of(text) == [
            f"map.yaml:{line}: entities[1].kind: required key is missing"
        ]

    def test_all_problems_are_reported_at_once(self) -> None:
        base = document()
        base["flows"][0]["frequency"] = "daily"
        base["flows"][0]["mechanism"] = "sccs"
        base["entities"][0]["country"] = "UK"
        lines = problems_of(as_yaml(base))
        assert len(lines) == 3
        assert any("did you mean 'GB'" in line for line in lines)
        assert any("did you mean 'scc'" in line for line in lines)
        assert any("frequency: invalid value 'daily'" in line for line in lines)
