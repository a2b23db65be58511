"""The fast path gives the map the locating validator gives, or leaves the map to it."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.mapfactory import as_json, as_yaml, document, entity, flow
from tests.strategies import documents, mutated
from transfer_assess import DataMap, DataMapError
from transfer_assess.interchange.tables import write_csv_folder
from transfer_assess.load import Limits, _load_map, _parse_map, fast
from transfer_assess.load.yaml_reader import (
    _FALSES,
    _FLOAT,
    _HEX,
    _INF,
    _INT,
    _NAN,
    _NON_TEXT_STARTS,
    _NULLS,
    _OCT,
    _TRUES,
    resolve_plain,
)
from transfer_assess.refdata import load_taxonomy

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TAXONOMY = load_taxonomy()


def _outcome(
    text: str, form: str, limits: Limits | None = None, *, is_fast: bool
) -> Any:
    """The map with its warnings, or the problems, by one path."""
    try:
        datamap = _parse_map(
            text,
            file="map",
            format=form,
            limits=limits,
            taxonomy=None,
            fast=is_fast,
        )
    except DataMapError as error:
        return ("refused", error.problems)
    return ("map", datamap, datamap.warnings, dict(datamap.extensions))


def _same_by_both_paths(text: str, form: str, limits: Limits | None = None) -> Any:
    precise = _outcome(text, form, limits, is_fast=False)
    assert _outcome(text, form, limits, is_fast=True) == precise
    return precise


def _fast_json(value: Any, limits: Limits | None = None) -> DataMap | None:
    return fast.decode_json(as_json(value), TAXONOMY, limits or Limits(), "map")


def _fast_values(value: Any, limits: Limits | None = None) -> DataMap | None:
    return fast.convert(value, TAXONOMY, limits or Limits(), "map")


#: Words for the free lists whose known values matter: known, in other case, near
#: misses (a warning) and free words.
_MEASURE_WORDS = [
    "encryption_at_rest",
    "Encryption_In_Transit",
    "pseudonymisaton",
    "badge readers",
]
_LINES = st.sampled_from(["Ops", "a: b", "\u00e9\u2192", " "])
#: Texts of the keys that may span lines (descriptions, addresses).
_TEXTS = st.one_of(_LINES, st.just("line one\nline two\tend"))


@st.composite
def _extended(draw: st.DrawFn) -> dict[str, Any]:
    """A valid map with the optional keys the shared strategies leave out."""
    value = draw(documents())
    for key in ("controller", "dpo"):
        if draw(st.booleans()):
            value[key] = draw(_LINES)
    if draw(st.booleans()):
        value["as_of"] = draw(st.sampled_from(["2018-05-25", "2026-11-28"]))
    if draw(st.booleans()):
        value["categories"] = [
            {"key": "crm.notes", "description": draw(_TEXTS), "special": "health"}
        ]
    for item in value["entities"]:
        if draw(st.integers(0, 3)) == 0:
            item["address"] = draw(_TEXTS)
        if draw(st.integers(0, 3)) == 0:
            item["contact"] = draw(_LINES)
    for item in value["flows"]:
        if draw(st.booleans()):
            item["measures"] = draw(st.lists(st.sampled_from(_MEASURE_WORDS)))
        if draw(st.booleans()):
            item["legal_basis"] = draw(st.sampled_from(["contract", "consent"]))
        if draw(st.booleans()):
            item["special_categories"] = ["biometric"]
        if draw(st.booleans()):
            item["scc_signed"] = draw(st.sampled_from(["2021-06-27", "2020-01-01"]))
        for key in ("nature", "retention", "description"):
            if draw(st.integers(0, 3)) == 0:
                item[key] = draw(_TEXTS)
        if "categories" in value and draw(st.booleans()):
            item["data_categories"].append("crm.notes")
    return value


class TestSameOutcome:
    """Every map, valid or not, gives the same map or the same problems."""

    @given(_extended(), st.sampled_from([None, 0, 2]))
    def test_valid_maps_are_equal_and_taken_fast(
        self, value: dict[str, Any], indent: int | None
    ) -> None:
        text = json.dumps(value, indent=indent, ensure_ascii=indent == 0)
        outcome = _same_by_both_paths(text, "json")
        assert outcome[0] == "map"
        _same_by_both_paths(as_yaml(value), "yaml")
        if not outcome[2]:
            # A valid map without warnings never needs the locating validator.
            assert fast.decode_json(text, TAXONOMY, Limits(), "map") == outcome[1]
            assert _fast_values(value) == outcome[1]

    @given(mutated())
    def test_mutated_maps_give_the_same_problems(self, value: dict[str, Any]) -> None:
        _same_by_both_paths(as_json(value), "json")
        _same_by_both_paths(as_yaml(value), "yaml")

    @given(documents())
    def test_csv_folders_are_equal(self, value: dict[str, Any]) -> None:
        datamap = _parse_map(
            as_yaml(value), file="map", format="yaml", limits=None, taxonomy=None
        )
        with tempfile.TemporaryDirectory() as folder:
            write_csv_folder(datamap, Path(folder))
            fast_map = _load_map(folder)
            precise = _load_map(folder, fast=False)
            assert fast_map == precise
            assert fast_map.warnings == precise.warnings

    @pytest.mark.parametrize(
        "path",
        [
            EXAMPLES / "small.yaml",
            EXAMPLES / "global-group.yaml",
            EXAMPLES / "global-group-csv",
        ],
        ids=lambda path: path.name,
    )
    def test_examples(self, path: Path) -> None:
        fast_map = _load_map(path)
        precise = _load_map(path, fast=False)
        assert fast_map == precise
        assert fast_map.warnings == precise.warnings
        assert fast_map.source == precise.source


def _valid() -> dict[str, Any]:
    return document(
        [entity("a", "DE"), entity("b", "US")],
        [flow("f1", "a", "b", mechanism="scc", scc_module=1)],
    )


def _with_flow(**extra: Any) -> dict[str, Any]:
    value = _valid()
    value["flows"][0].update(extra)
    return value


class TestTakenFast:
    """What the fast path reads itself."""

    def test_a_plain_map(self) -> None:
        value = _valid()
        datamap = _fast_json(value)
        assert datamap is not None
        assert datamap.flows[0].scc_module == 1
        assert _fast_values(value) == datamap

    def test_a_pretty_printed_text_with_escapes(self) -> None:
        value = _with_flow(description="line one\nline two: \u00e9\u2192")
        text = json.dumps(value, indent=2)
        assert "\\u2192" in text
        datamap = fast.decode_json(text, TAXONOMY, Limits(), "map")
        assert datamap is not None
        assert datamap.flows[0].description == "line one\nline two: \u00e9\u2192"

    def test_dated_certifications_and_origins(self) -> None:
        value = _with_flow(origin=["EEA", "GB"], measures=["Encryption_At_Rest"])
        value["entities"][1]["certifications"] = ["dpf@2023-07-10..", "iso27001"]
        datamap = _fast_json(value)
        assert datamap is not None
        importer = datamap.entities[1]
        assert importer.certifications == ("dpf", "iso27001")
        assert importer.certification_periods["dpf"][0] is not None
        assert datamap.flows[0].origin == ("EEA", "GB")
        assert datamap.flows[0].measures == ("encryption_at_rest",)
        assert datamap == _load_map_from_text(as_json(value))

    def test_special_categories_inferred_from_keys(self) -> None:
        datamap = _fast_json(_with_flow(data_categories=["user.health"]))
        assert datamap is not None
        assert {item.value for item in datamap.flows[0].special_categories} == {
            "health"
        }


def _load_map_from_text(text: str) -> DataMap:
    return _parse_map(
        text, file="map", format="json", limits=None, taxonomy=None, fast=False
    )


#: Maps the fast path leaves to the locating validator, each with why.
_STEPS_ASIDE: dict[str, Any] = {
    "an x- key": lambda value: value["flows"][0].update({"x-owner": "it"}),
    "a TIA record": lambda value: value["flows"][0].update(
        {"tia": {"date": "2026-01-05", "assessor": "DPO"}}
    ),
    "an explicit null": lambda value: value["flows"][0].update({"volume": None}),
    "a vocabulary in other case": lambda value: value["flows"][0].update(
        {"mechanism": "SCC"}
    ),
    "an undeclared category (a warning)": lambda value: value["flows"][0].update(
        {"data_categories": ["crm.notes"]}
    ),
    "a near-miss measure (a warning)": lambda value: value["flows"][0].update(
        {"measures": ["encryption_in_transt"]}
    ),
    "an unknown entity": lambda value: value["flows"][0].update({"to": "c"}),
    "a flow to itself": lambda value: value["flows"][0].update({"to": "a"}),
    "an invalid id": lambda value: value["flows"][0].update({"id": "-f"}),
    "a duplicate flow id": lambda value: value["flows"].append(
        copy.deepcopy(value["flows"][0])
    ),
    "a duplicate entity id": lambda value: value["entities"].append(entity("a", "FR")),
    "an empty list": lambda value: value["flows"][0].update({"purposes": []}),
    "an empty item": lambda value: value["flows"][0].update({"purposes": [" "]}),
    "no entities": lambda value: value.update({"entities": [], "flows": []}),
    "a missing SCC module": lambda value: value["flows"][0].pop("scc_module"),
    "an SCC module out of range": lambda value: value["flows"][0].update(
        {"scc_module": 5}
    ),
    "a negative volume": lambda value: value["flows"][0].update({"volume": -1}),
    "a volume of 65 digits": lambda value: value["flows"][0].update({"volume": 10**64}),
    "a boolean for a number": lambda value: value["flows"][0].update({"volume": True}),
    "a date in another form": lambda value: value["flows"][0].update(
        {"tia": "28/11/2026"}
    ),
    "a day that does not exist": lambda value: value["flows"][0].update(
        {"start": "2026-02-30"}
    ),
    "an end before the start": lambda value: value["flows"][0].update(
        {"start": "2026-02-02", "end": "2026-02-01"}
    ),
    "an assessment date before the GDPR": lambda value: value.update(
        {"as_of": "2018-05-24"}
    ),
    "a lower-case country": lambda value: value["entities"][0].update(
        {"country": "de"}
    ),
    "an unknown group": lambda value: value["entities"][0].update({"group": "g"}),
    "an accession without a group": lambda value: value["entities"][0].update(
        {"bcr_accession": "2024-01-01"}
    ),
    "a control character": lambda value: value["entities"][0].update(
        {"name": "A\x1b[31m"}
    ),
    "a newline in a one-line text": lambda value: value["entities"][0].update(
        {"name": "A\nB"}
    ),
    "an empty origin": lambda value: value["flows"][0].update({"origin": []}),
    "an unknown origin": lambda value: value["flows"][0].update({"origin": ["XX"]}),
    "an unknown regime": lambda value: value["entities"][1].update(
        {"subject_to": ["US"]}
    ),
    "a certification given twice with dates": lambda value: value["entities"][1].update(
        {"certifications": ["dpf@2023-07-10..", "dpf@2024-01-01.."]}
    ),
    "version 2": lambda value: value.update({"version": 2}),
}


class TestStepsAside:
    """Each thing the fast path does not read itself goes to the locating validator."""

    @pytest.mark.parametrize("change", list(_STEPS_ASIDE), ids=str)
    def test_trigger(self, change: str) -> None:
        value = _valid()
        _STEPS_ASIDE[change](value)
        assert _fast_json(value) is None
        # Parsed values cannot tell a null from an absent key, nor need to.
        assert (_fast_values(value) is None) == (change != "an explicit null")
        _same_by_both_paths(as_json(value), "json")
        _same_by_both_paths(as_yaml(value), "yaml")

    def test_text_over_the_limit(self) -> None:
        value = _with_flow(description="x" * 41)
        limits = Limits(max_text_chars=40)
        assert _fast_json(value, limits) is None
        assert _fast_json(value, Limits(max_text_chars=41)) is not None
        outcome = _same_by_both_paths(as_json(value), "json", limits)
        assert outcome[0] == "refused"

    def test_entity_and_flow_limits(self) -> None:
        value = _valid()
        assert _fast_json(value, Limits(max_entities=1)) is None
        assert _fast_json(value, Limits(max_flows=0)) is None
        assert _fast_json(value, Limits(max_entities=2, max_flows=1)) is not None

    def test_duplicate_key(self) -> None:
        text = as_json(_valid()).replace('"to":', '"to": "a", "to":', 1)
        assert fast.decode_json(text, TAXONOMY, Limits(), "map") is None
        outcome = _same_by_both_paths(text, "json")
        assert outcome[0] == "refused"
        assert "duplicate key 'to'" in str(outcome[1])

    def test_duplicate_key_whose_value_holds_a_colon(self) -> None:
        # The first value is dropped with its colon: the counts still differ.
        text = as_json(_valid()).replace('"to":', '"to": "a:b", "to":', 1)
        assert fast.decode_json(text, TAXONOMY, Limits(), "map") is None
        assert _same_by_both_paths(text, "json")[0] == "refused"

    @pytest.mark.parametrize("escape", ["\\u003a", "\\u003A", "\\\\\\u003a"])
    def test_escaped_colon(self, escape: str) -> None:
        # An escaped colon is one colon more when written back, not a dropped key.
        text = as_json(_with_flow(description="a:b")).replace("a:b", f"a{escape}b")
        outcome = _same_by_both_paths(text, "json")
        description = outcome[1].flows[0].description
        assert description == ("a\\:b" if escape.startswith("\\\\") else "a:b")
        assert fast.decode_json(text, TAXONOMY, Limits(), "map") == outcome[1]

    @pytest.mark.parametrize("escape", ["\\u003a", "\\\\\\u003A"])
    def test_escaped_colon_beside_a_duplicate_key(self, escape: str) -> None:
        # The escape must not hide the colon the dropped key took with it.
        text = as_json(_with_flow(description="a:b")).replace("a:b", f"a{escape}b")
        text = text.replace('"to":', '"to": "a", "to":', 1)
        assert fast.decode_json(text, TAXONOMY, Limits(), "map") is None
        assert _same_by_both_paths(text, "json")[0] == "refused"

    def test_escaped_backslash_before_u003a(self) -> None:
        # "\\u003a" in the text is a backslash and the letters u003a: no colon.
        text = as_json(_with_flow(description="a\\u003ab"))
        assert "\\\\u003ab" in text
        outcome = _same_by_both_paths(text, "json")
        assert outcome[1].flows[0].description == "a\\u003ab"
        assert fast.decode_json(text, TAXONOMY, Limits(), "map") == outcome[1]

    @pytest.mark.parametrize(
        "text",
        ['{"version": NaN}', '{"version": 1} x', "[1]", '{"version": 1e0}'],
    )
    def test_not_a_plain_json_map(self, text: str) -> None:
        assert fast.decode_json(text, TAXONOMY, Limits(), "map") is None
        assert _same_by_both_paths(text, "json")[0] == "refused"


class TestPlainScalars:
    """The YAML reader's shortcut: a plain scalar it does not look at is a string."""

    @given(st.text(max_size=12))
    def test_only_strings_skip_the_patterns(self, text: str) -> None:
        patterns = (_INT, _OCT, _HEX, _FLOAT, _INF, _NAN)
        words = _NULLS | _TRUES | _FALSES
        special = text in words or any(item.fullmatch(text) for item in patterns)
        if special:
            assert text[:1] in _NON_TEXT_STARTS
        if text[:1] not in _NON_TEXT_STARTS:
            assert resolve_plain(text) is text

    @pytest.mark.parametrize(
        ("text", "value"),
        [("~", None), ("Null", None), ("TRUE", True), ("false", False),
         ("-12", -12), ("0o17", 15), ("0x1F", 31), (".5", 0.5), ("+.inf", float("inf")),
         ("no", "no"), ("NO", "NO"), ("2026-11-28", "2026-11-28"), ("x1", "x1")],
    )  # fmt: skip
    def test_values(self, text: str, value: Any) -> None:
        assert resolve_plain(text) == value
