"""Properties of the UK and Swiss regimes (hypothesis), stated without the engine.

Issue 11: a flow with no UK or Swiss link gets no UK or CH finding, and adding UK or
Swiss data to a map changes no EU finding of the flows already there (the onward rule
across regimes concerns only flows whose exporter is in the UK or Switzerland).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.mapfactory import as_json
from tests.strategies import CATEGORIES, documents
from transfer_assess import DataMap, assess, parse_map

#: The first day of the UK regime: from then a UK exporter is outside the EU GDPR.
UK_FROM = date(2021, 1, 1)
days = st.dates(min_value=date(2018, 5, 25), max_value=date(2027, 12, 31))
later_days = st.dates(min_value=UK_FROM, max_value=date(2027, 12, 31))


def build(value: dict[str, Any]) -> DataMap:
    return parse_map(as_json(value), format="json")


def declares(entity: dict[str, Any], regime: str) -> bool:
    return regime in entity.get("subject_to", [])


class TestNoLinkNoFinding:
    """A regime protects only data of its territory (design regimes.md §2)."""

    @given(documents(), days)
    def test_no_uk_or_swiss_entity_means_no_uk_or_ch_finding(
        self, value: dict[str, Any], day: date
    ) -> None:
        for regime, country in (("UK", "GB"), ("CH", "CH")):
            linked = any(
                entity.get("country") == country or declares(entity, regime)
                for entity in value["entities"]
            )
            result = assess(build(value), as_of=day)
            found = [item for item in result.findings if item.regime == regime]
            if not linked:
                assert not found, (regime, [item.flow for item in found])

    @given(
        documents(), st.dates(min_value=date(2018, 5, 25), max_value=date(2020, 12, 31))
    )
    def test_no_uk_finding_before_2021(self, value: dict[str, Any], day: date) -> None:
        result = assess(build(value), as_of=day)
        assert all(item.regime != "UK" for item in result.findings)

    @given(documents(), days)
    def test_every_finding_names_a_known_regime_once_per_flow(
        self, value: dict[str, Any], day: date
    ) -> None:
        result = assess(build(value), as_of=day)
        pairs = [(item.flow, item.regime) for item in result.findings]
        assert len(pairs) == len(set(pairs))
        assert {regime for _, regime in pairs} <= {"EU", "UK", "CH"}
        assert {flow for flow, _ in pairs} == {
            flow for flow, regime in pairs if regime == "EU"
        }, "every active flow has its EU finding"


class TestAddingUkOrSwissDataChangesNoEuFinding:
    """New UK and Swiss exporters add findings, and change none of the others."""

    @given(documents(), later_days, st.data())
    def test_adding_uk_and_swiss_exporters(
        self, value: dict[str, Any], day: date, data: st.DataObject
    ) -> None:
        before = assess(build(value), as_of=day)
        targets = [entity["id"] for entity in value["entities"]]
        extended = dict(value)
        extended["entities"] = [
            *value["entities"],
            {"id": "new-gb", "name": "New UK", "kind": "affiliate", "country": "GB"},
            {"id": "new-ch", "name": "New CH", "kind": "affiliate", "country": "CH"},
        ]
        new_flows = [
            {
                "id": f"new-{source}-{index}",
                "from": source,
                "to": data.draw(st.sampled_from(targets)),
                "exporter_role": "controller",
                "importer_role": "processor",
                "data_subjects": ["customers"],
                "data_categories": [data.draw(st.sampled_from(CATEGORIES))],
                "purposes": ["support"],
                "frequency": "regular",
                "mechanism": data.draw(st.sampled_from(["none", "scc", "idta"])),
                "scc_module": 2,
            }
            for index, source in enumerate(("gb", "ch"))
        ]
        for item in new_flows:
            item["from"] = f"new-{item['from']}"
        extended["flows"] = [*value["flows"], *new_flows]
        after = assess(build(extended), as_of=day)
        old = {flow["id"] for flow in value["flows"]}

        def eu(result: Any) -> dict[str, Any]:
            return {
                item.flow: (item.transfer, item.basis, item.status, item.reasons)
                for item in result.findings
                if item.regime == "EU" and item.flow in old
            }

        assert eu(after) == eu(before)
