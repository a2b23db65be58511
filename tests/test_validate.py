"""Every rule of the data-map format, accepted and refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.mapfactory import as_yaml, document, entity, flow
from transfer_assess import DataMapError, Limits, parse_map
from transfer_assess.model import Mechanism, SpecialCategory


def messages(value: dict[str, Any]) -> list[str]:
    """The ``path: message`` part of every problem."""
    with pytest.raises(DataMapError) as caught:
        parse_map(as_yaml(value))
    return [f"{problem.path}: {problem.message}" for problem in caught.value.problems]


def with_flow(**changes: Any) -> dict[str, Any]:
    value = document()
    value["flows"][0].update(changes)
    return value


def with_entity(index: int = 0, **changes: Any) -> dict[str, Any]:
    value = document()
    value["entities"][index].update(changes)
    return value


class TestTopLevel:
    """Keys and types of the document."""

    def test_unknown_key_with_suggestion(self) -> None:
        value = document()
        value["entites"] = []
        assert messages(value) == [
            (
                "entites: unknown key 'entites' (did you mean 'entities'?); "
                "keys of your own must start with 'x-'"
            )
        ]

    def test_extension_keys_are_kept(self) -> None:
        value = document()
        value["x-owner"] = {"team": "privacy"}
        value["flows"][0]["x-ticket"] = "PRIV-1"
        datamap = parse_map(as_yaml(value))
        assert datamap.extensions["x-owner"] == {"team": "privacy"}
        assert datamap.flow("crm-sync").extensions["x-ticket"] == "PRIV-1"

    def test_version_must_be_one(self) -> None:
        value = document()
        value["version"] = 2
        assert messages(value) == ["version: unsupported version 2; expected 1"]

    def test_required_keys(self) -> None:
        value = document()
        del value["organisation"]
        del value["flows"]
        assert messages(value) == [
            "organisation: required key is missing",
            "flows: required key is missing",
        ]

    def test_at_least_one_entity(self) -> None:
        assert "entities: must list at least one entity" in messages(
            document(entities=[], flows=[])
        )

    def test_flows_may_be_empty(self) -> None:
        assert parse_map(as_yaml(document(flows=[]))).flows == ()

    def test_entities_must_be_a_list(self) -> None:
        value = document()
        value["entities"] = {"a": 1}
        assert "entities: expected a list, got a mapping" in messages(value)


class TestIdentifiers:
    """Ids match the pattern and are unique within their section."""

    @pytest.mark.parametrize("bad", ["us cloud", "-lead", "", "a" * 129, "ü"])
    def test_invalid_ids(self, bad: str) -> None:
        value = with_entity(1, id=bad)
        value["flows"] = []
        assert any(line.startswith("entities[1].id:") for line in messages(value))

    def test_longest_id(self) -> None:
        value = with_entity(1, id="a" * 128)
        value["flows"] = []
        assert parse_map(as_yaml(value)).entities[1].id == "a" * 128

    def test_duplicate_entity(self) -> None:
        value = document(entities=[entity("a"), entity("a", "US")], flows=[])
        assert messages(value) == [
            "entities[1].id: duplicate entity id 'a' (first at entities[0].id)"
        ]

    def test_duplicate_flow(self) -> None:
        value = document()
        value["flows"].append(flow("crm-sync", "us-cloud", "hq-de"))
        assert messages(value) == [
            "flows[1].id: duplicate flow id 'crm-sync' (first at flows[0].id)"
        ]

    def test_same_id_in_two_sections_is_fine(self) -> None:
        value = document()
        value["flows"][0]["id"] = "hq-de"
        assert parse_map(as_yaml(value)).flow("hq-de").exporter == "hq-de"


class TestEntities:
    """Entity rules."""

    @pytest.mark.parametrize(
        ("country", "expected"),
        [
            (
                "UK",
                (
                    "invalid country 'UK': the ISO code of the United Kingdom is 'GB' "
                    "(did you mean 'GB'?)"
                ),
            ),
            (
                "EL",
                (
                    "invalid country 'EL': 'EL' is the EU's protocol code; "
                    "the ISO code of Greece is 'GR' (did you mean 'GR'?)"
                ),
            ),
            (
                "de",
                (
                    "invalid country 'de': expected an upper-case ISO 3166-1 "
                    "alpha-2 code (did you mean 'DE'?)"
                ),
            ),
            (
                "DEU",
                (
                    "invalid country 'DEU': expected an upper-case ISO 3166-1 alpha-2 "
                    "code (did you mean 'DE'?)"
                ),
            ),
            (
                "Germany",
                (
                    "invalid country 'Germany': expected an upper-case ISO 3166-1 "
                    "alpha-2 code (did you mean 'DE'?)"
                ),
            ),
            ("EU", "'EU' is a region, not a country; give the member state's code"),
            (
                "XX",
                (
                    "unknown country 'XX': expected an ISO 3166-1 alpha-2 code such as "
                    "'DE'"
                ),
            ),
        ],
    )
    def test_country_mistakes(self, country: str, expected: str) -> None:
        assert messages(with_entity(0, country=country)) == [
            f"entities[0].country: {expected}"
        ]

    def test_international_organisation_has_no_country(self) -> None:
        value = with_entity(
            1, international_organisation="european-patent-organisation"
        )
        assert messages(value) == [
            (
                "entities[1].country: an international organisation has no country; "
                "remove one of the two"
            )
        ]
        del value["entities"][1]["country"]
        datamap = parse_map(as_yaml(value))
        assert datamap.entity("us-cloud").jurisdiction == "european-patent-organisation"

    def test_country_required_without_organisation(self) -> None:
        value = document()
        del value["entities"][0]["country"]
        assert messages(value)[0].startswith(
            "entities[0].country: required key is missing"
        )

    def test_unknown_group(self) -> None:
        value = with_entity(0, group="acme-grop")
        value["groups"] = [{"id": "acme-group", "bcr": ["controller"]}]
        assert messages(value) == [
            "entities[0].group: unknown group 'acme-grop' (did you mean 'acme-group'?)"
        ]

    def test_group_with_bcr(self) -> None:
        value = with_entity(0, group="g")
        value["groups"] = [
            {
                "id": "g",
                "bcr": ["controller", "processor"],
                "bcr_approved": "2020-01-02",
            }
        ]
        group = parse_map(as_yaml(value)).group("g")
        assert {role.value for role in group.bcr} == {"controller", "processor"}

    def test_subject_to_gdpr_must_be_boolean(self) -> None:
        assert messages(with_entity(1, subject_to_gdpr="yes")) == [
            "entities[1].subject_to_gdpr: expected true or false, got the string 'yes'"
        ]


class TestFlows:
    """Flow rules."""

    def test_unknown_references(self) -> None:
        assert messages(with_flow(**{"from": "hq-dee", "to": "nobody"})) == [
            "flows[0].from: unknown entity 'hq-dee' (did you mean 'hq-de'?)",
            "flows[0].to: unknown entity 'nobody'",
        ]

    def test_flow_to_itself(self) -> None:
        (line,) = messages(with_flow(to="hq-de"))
        assert line.startswith("flows[0].to: a flow cannot go from 'hq-de' to itself")

    @pytest.mark.parametrize("key", ["data_subjects", "data_categories", "purposes"])
    def test_non_empty_lists(self, key: str) -> None:
        assert messages(with_flow(**{key: []})) == [
            f"flows[0].{key}: must list at least one value"
        ]

    def test_list_given_as_string(self) -> None:
        assert messages(with_flow(purposes="support")) == [
            "flows[0].purposes: expected a list, got the string 'support'"
        ]

    def test_scc_needs_a_module(self) -> None:
        assert messages(with_flow(mechanism="scc")) == [
            (
                "flows[0].scc_module: required when mechanism is 'scc': the module "
                "signed (1, 2, 3 or 4)"
            )
        ]

    @pytest.mark.parametrize("module", [0, 5])
    def test_module_range(self, module: int) -> None:
        assert messages(with_flow(mechanism="scc", scc_module=module)) == [
            f"flows[0].scc_module: invalid SCC module {module}; expected 1, 2, 3 or 4"
        ]

    def test_every_mechanism_is_accepted(self) -> None:
        for mechanism in Mechanism:
            extra = {"scc_module": 2} if mechanism.takes_scc_module else {}
            value = with_flow(mechanism=mechanism.value, **extra)
            assert parse_map(as_yaml(value)).flows[0].mechanism is mechanism

    def test_bad_dates(self) -> None:
        assert messages(with_flow(start="2026-02-30", tia="26-11-2026")) == [
            "flows[0].start: no such date '2026-02-30'",
            (
                "flows[0].tia: expected an ISO 8601 date like 2026-11-28, "
                "got the string '26-11-2026'"
            ),
        ]

    def test_end_before_start(self) -> None:
        assert messages(with_flow(start="2026-02-01", end="2026-01-31")) == [
            "flows[0].end: end 2026-01-31 is before start 2026-02-01"
        ]

    def test_volume(self) -> None:
        assert messages(with_flow(volume=-1)) == [
            "flows[0].volume: must be at least 0, got -1"
        ]
        assert messages(with_flow(volume="many")) == [
            "flows[0].volume: expected an integer, got the string 'many'"
        ]

    def test_origin_codes(self) -> None:
        assert parse_map(as_yaml(with_flow(origin=["EEA", "CH"]))).flows[0].origin == (
            "EEA",
            "CH",
        )
        (line,) = messages(with_flow(origin=["EEA", "UK"]))
        assert line.startswith("flows[0].origin[1]: invalid country 'UK'")

    def test_free_measures_are_kept(self) -> None:
        value = with_flow(measures=["exporter_held_keys", "quarterly_audit"])
        assert parse_map(as_yaml(value)).flows[0].measures == (
            "exporter_held_keys",
            "quarterly_audit",
        )

    def test_special_categories_are_inferred(self) -> None:
        value = with_flow(
            data_categories=[
                "user.health.condition",
                "user.demographic.union_membership",
            ],
            special_categories=["biometric"],
        )
        assert parse_map(as_yaml(value)).flows[0].special_categories == {
            SpecialCategory.HEALTH,
            SpecialCategory.TRADE_UNION_MEMBERSHIP,
            SpecialCategory.BIOMETRIC,
        }

    def test_ancestor_keys_are_not_special(self) -> None:
        value = with_flow(data_categories=["user"])
        assert parse_map(as_yaml(value)).flows[0].special_categories == frozenset()

    def test_declared_category_marks_special(self) -> None:
        value = with_flow(data_categories=["hr.sick_notes.scans"])
        value["categories"] = [{"key": "hr.sick_notes", "special": "health"}]
        flow_value = parse_map(as_yaml(value)).flows[0]
        assert flow_value.special_categories == {SpecialCategory.HEALTH}

    def test_unknown_category_is_a_warning(self) -> None:
        value = with_flow(data_categories=["user.contact.emial"])
        datamap = parse_map(as_yaml(value))
        (warning,) = datamap.warnings
        assert warning.path == "flows[0].data_categories[0]"
        assert "did you mean 'user.contact.email'" in warning.message

    def test_duplicate_declared_category(self) -> None:
        value = document()
        value["categories"] = [{"key": "crm.notes"}, {"key": "crm.notes"}]
        assert messages(value) == [
            (
                "categories[1].key: duplicate category 'crm.notes' (first at "
                "categories[0].key)"
            )
        ]

    def test_exists_on(self) -> None:
        flow_value = parse_map(
            as_yaml(with_flow(start="2026-01-01", end="2026-12-31"))
        ).flows[0]
        assert not flow_value.exists_on(date(2025, 12, 31))
        assert flow_value.exists_on(date(2026, 1, 1))
        assert flow_value.exists_on(date(2026, 12, 31))
        assert not flow_value.exists_on(date(2027, 1, 1))


class TestFoundWhileDocumenting:
    """Defects found while writing the docs, kept as regression tests."""

    def test_null_scc_module_counts_as_missing(self) -> None:
        assert messages(with_flow(mechanism="scc", scc_module=None)) == [
            (
                "flows[0].scc_module: required when mechanism is 'scc': the module "
                "signed (1, 2, 3 or 4)"
            )
        ]

    def test_duplicate_group_after_an_invalid_one(self) -> None:
        value = document()
        value["groups"] = [{"id": "bad id"}, {"id": "g"}, {"id": "g"}]
        assert messages(value)[-1] == (
            "groups[2].id: duplicate group id 'g' (first at groups[1].id)"
        )

    def test_empty_origin_is_refused(self) -> None:
        (line,) = messages(with_flow(origin=[]))
        assert line.startswith("flows[0].origin: must list at least one region")

    def test_as_of_before_the_gdpr(self) -> None:
        value = document(as_of="2018-05-24")
        assert messages(value) == [
            (
                "as_of: 2018-05-24 is before 2018-05-25, the day the GDPR applies; "
                "Chapter V cannot be assessed earlier"
            )
        ]

    def test_problems_beyond_the_limit_are_counted(self) -> None:

        value = document(
            flows=[flow(f"f{index}", "hq-de", "nobody") for index in range(5)]
        )
        with pytest.raises(DataMapError) as caught:
            parse_map(as_yaml(value), limits=Limits(max_problems=2))
        problems = caught.value.problems
        assert len(problems) == 3
        assert problems[-1].message == "3 more problems not shown (limit 2)"

    def test_python_tag_gives_one_message(self) -> None:
        text = as_yaml(document()).replace(
            "organisation: Example Group",
            "organisation: !!python/object:os.system x",
        )
        with pytest.raises(DataMapError) as caught:
            parse_map(text)
        (problem,) = caught.value.problems
        assert problem.message == (
            "unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system' "
            "(safe YAML only)"
        )

    def test_complex_key_then_another_problem(self) -> None:
        text = "version: 1\norganisation: E\nx-k: {? [a] : 1}\nentities: [{id: 7}]\n"
        text += "flows: []\n"
        with pytest.raises(DataMapError) as caught:
            parse_map(text, file="m.yaml")
        lines = [str(problem) for problem in caught.value.problems]
        assert "m.yaml:3: x-k: mapping keys must be plain strings" in lines
        assert "m.yaml:4: entities[0].id: expected a string, got the number 7" in lines
