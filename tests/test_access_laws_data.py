"""The destination access-law data: its schema and the rules of its format."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from importlib import resources
from typing import Any

import jsonschema
import pycountry
import pytest

from transfer_assess.refdata import data_dir

STANDINGS = {"met", "partly", "not_met", "unconfirmed"}
REQUIRED_IDS = {
    "us-fisa-702",
    "us-eo-12333",
    "us-cloud-act",
    "cn-nil-art7",
    "in-it-act-s69",
}
REQUIRED_CLASSES = {
    "ecsp",
    "us_person_with_control",
    "any_organisation",
    "telecom_operator",
}
# The countries the issue names; data/country_profiles.json adds its own.
NAMED_COUNTRIES = {
    *("US", "CN", "IN", "RU", "BR", "JP", "KR", "GB", "CH", "SG", "AU"),
    *("AE", "MX", "PH", "ZA"),
}
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A span in quotation marks in our own prose; a long one could pass for the law's text.
QUOTED = re.compile(r"\"([^\"]+)\"|(?<![\w])'([^']+)'(?![\w])")
MAX_QUOTED_WORDS = 6


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (data_dir() / "access_laws.json").read_text(encoding="utf-8")
    )
    return data


@pytest.fixture(scope="module")
def entries(doc: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = doc["entries"]
    return items


def by_id(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in entries}


def schema() -> dict[str, Any]:
    text = (
        resources.files("transfer_assess")
        .joinpath("schemas", "access_laws.schema.json")
        .read_text(encoding="utf-8")
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def in_force_on(entry: dict[str, Any], day: date) -> bool:
    start = date.fromisoformat(entry["in_force"]["from"])
    until = entry["in_force"]["until"]
    return start <= day and (until is None or day <= date.fromisoformat(until))


class TestSchema:
    def test_the_schema_is_a_valid_schema(self) -> None:
        jsonschema.Draft202012Validator.check_schema(schema())

    def test_the_file_validates(self, doc: dict[str, Any]) -> None:
        validator = jsonschema.Draft202012Validator(
            schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        problems = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(doc)]
        assert problems == []

    def test_the_schema_rejects_an_unknown_standing(self, doc: dict[str, Any]) -> None:
        broken = json.loads(json.dumps(doc))
        broken["entries"][0]["guarantees"]["A"]["standing"] = "probably"
        validator = jsonschema.Draft202012Validator(schema())
        assert not validator.is_valid(broken)

    def test_the_schema_rejects_an_entry_without_sources(
        self, doc: dict[str, Any]
    ) -> None:
        broken = json.loads(json.dumps(doc))
        broken["entries"][0]["sources"] = []
        assert not jsonschema.Draft202012Validator(schema()).is_valid(broken)

    def test_the_schema_rejects_a_misspelt_field(self, doc: dict[str, Any]) -> None:
        broken = json.loads(json.dumps(doc))
        broken["entries"][0]["reach"] = broken["entries"][0].pop("reaches")
        assert not jsonschema.Draft202012Validator(schema()).is_valid(broken)


class TestHeader:
    def test_format_and_dates(self, doc: dict[str, Any]) -> None:
        assert doc["schema"] == 1
        as_of = date.fromisoformat(doc["as_of"])
        assert doc["version"].split(".")[0] == as_of.isoformat()

    def test_the_four_guarantees_name_the_edpb_recommendations(
        self, doc: dict[str, Any]
    ) -> None:
        assert sorted(doc["guarantees"]) == ["A", "B", "C", "D"]
        for guarantee in doc["guarantees"].values():
            assert "Recommendations 02/2020" in guarantee["source"]

    def test_required_importer_classes(self, doc: dict[str, Any]) -> None:
        assert set(doc["importer_classes"]) >= REQUIRED_CLASSES
        assert "none" not in doc["importer_classes"]
        for cls in doc["importer_classes"].values():
            assert cls["question"].rstrip().endswith("?")


class TestEntries:
    def test_ids_are_unique(self, entries: list[dict[str, Any]]) -> None:
        ids = [e["id"] for e in entries]
        assert len(ids) == len(set(ids))

    def test_ids_are_well_formed_and_start_with_the_country(
        self, entries: list[dict[str, Any]]
    ) -> None:
        for e in entries:
            assert ID_PATTERN.fullmatch(e["id"]), e["id"]
            assert e["id"].startswith(e["country"].lower() + "-"), e["id"]

    def test_required_ids_are_present(self, entries: list[dict[str, Any]]) -> None:
        assert set(by_id(entries)) >= REQUIRED_IDS

    def test_countries_are_iso_codes(self, entries: list[dict[str, Any]]) -> None:
        for e in entries:
            assert pycountry.countries.get(alpha_2=e["country"]) is not None, e["id"]

    def test_every_listed_country_is_covered(
        self, entries: list[dict[str, Any]]
    ) -> None:
        profiles = json.loads(
            (data_dir() / "country_profiles.json").read_text(encoding="utf-8")
        )
        wanted = NAMED_COUNTRIES | {p["country"] for p in profiles["entries"]}
        assert wanted - {e["country"] for e in entries} == set()

    def test_every_reaches_key_is_a_defined_class(
        self, doc: dict[str, Any], entries: list[dict[str, Any]]
    ) -> None:
        classes = set(doc["importer_classes"])
        for e in entries:
            assert set(e["reaches"]) <= classes, e["id"]

    def test_every_class_is_used(
        self, doc: dict[str, Any], entries: list[dict[str, Any]]
    ) -> None:
        used = {key for e in entries for key in e["reaches"]}
        assert set(doc["importer_classes"]) == used

    def test_every_entry_and_every_standing_has_a_source(
        self, entries: list[dict[str, Any]]
    ) -> None:
        for e in entries:
            assert e["sources"], e["id"]
            assert all(s.strip() for s in e["sources"]), e["id"]
            for key, guarantee in e["guarantees"].items():
                assert guarantee["sources"], (e["id"], key)
                assert guarantee["note"].strip(), (e["id"], key)

    def test_standings_are_in_the_allowed_set(
        self, entries: list[dict[str, Any]]
    ) -> None:
        for e in entries:
            assert sorted(e["guarantees"]) == ["A", "B", "C", "D"], e["id"]
            for guarantee in e["guarantees"].values():
                assert guarantee["standing"] in STANDINGS, e["id"]

    def test_dates_are_real_days_and_in_order(
        self, doc: dict[str, Any], entries: list[dict[str, Any]]
    ) -> None:
        as_of = date.fromisoformat(doc["as_of"])
        for e in entries:
            start = date.fromisoformat(e["in_force"]["from"])
            assert start <= as_of, e["id"]
            until = e["in_force"]["until"]
            if until is not None:
                assert date.fromisoformat(until) >= start, e["id"]

    def test_a_law_that_compels_nobody_reaches_no_class(
        self, entries: list[dict[str, Any]]
    ) -> None:
        for e in entries:
            if e["reaches"]:
                continue
            assert e["access_in_transit"] or not e["compelled_disclosure"], e["id"]

    def test_an_entry_whose_standing_rests_on_nothing_says_so(
        self, entries: list[dict[str, Any]]
    ) -> None:
        for e in entries:
            standings = {g["standing"] for g in e["guarantees"].values()}
            if standings == {"unconfirmed"}:
                assert e["unconfirmed"] or "No assessment" in " ".join(
                    g["note"] for g in e["guarantees"].values()
                ), e["id"]


class TestTheLawsTheContractNames:
    def test_fisa_702_reaches_electronic_communication_service_providers(
        self, entries: list[dict[str, Any]]
    ) -> None:
        e = by_id(entries)["us-fisa-702"]
        assert e["reaches"] == ["ecsp"]
        assert e["compelled_disclosure"] is True
        assert e["citation"].startswith("50 U.S.C. § 1881a")

    def test_eo_12333_compels_nobody_and_reaches_data_in_transit(
        self, entries: list[dict[str, Any]]
    ) -> None:
        e = by_id(entries)["us-eo-12333"]
        assert e["reaches"] == []
        assert e["compelled_disclosure"] is False
        assert e["access_in_transit"] is True

    def test_the_cloud_act_reaches_providers_with_control(
        self, entries: list[dict[str, Any]]
    ) -> None:
        e = by_id(entries)["us-cloud-act"]
        assert e["reaches"] == ["us_person_with_control"]
        assert "2713" in e["citation"]

    def test_chinas_intelligence_law_reaches_any_organisation(
        self, entries: list[dict[str, Any]]
    ) -> None:
        assert by_id(entries)["cn-nil-art7"]["reaches"] == ["any_organisation"]

    def test_the_us_guarantees_rest_on_the_dpf_decision(
        self, entries: list[dict[str, Any]]
    ) -> None:
        for law in ("us-fisa-702", "us-eo-12333"):
            sources = " ".join(
                s
                for g in by_id(entries)[law]["guarantees"].values()
                for s in g["sources"]
            )
            assert "2023/1795" in sources
            assert "14086" in sources


class TestSuccessionOfLaws:
    """India's interception power moved from the Telegraph Act to the 2023 Act."""

    def test_the_periods_meet_without_gap_or_overlap(
        self, entries: list[dict[str, Any]]
    ) -> None:
        old = by_id(entries)["in-telegraph-act-s5"]
        new = by_id(entries)["in-telecom-act-s20"]
        switch = date.fromisoformat(new["in_force"]["from"])
        day_before = switch - timedelta(days=1)
        day_after = switch + timedelta(days=1)
        assert in_force_on(old, day_before)
        assert not in_force_on(new, day_before)
        assert not in_force_on(old, switch)
        assert in_force_on(new, switch)
        assert not in_force_on(old, day_after)
        assert in_force_on(new, day_after)


class TestOwnWords:
    """Summaries are the project's words: a quoted span stays a short term."""

    def test_quoted_spans_are_short(self, entries: list[dict[str, Any]]) -> None:
        long_quotes = []
        for e in entries:
            texts = [e["reaches_summary"], e["data_summary"]]
            texts += [g["note"] for g in e["guarantees"].values()]
            for text in texts:
                for match in QUOTED.finditer(text):
                    span = match.group(1) or match.group(2)
                    if len(span.split()) > MAX_QUOTED_WORDS:
                        long_quotes.append((e["id"], span))
        assert long_quotes == []
