"""
What the UK rule on EU SCCs used alone says, and what a TIA names, where the mutation
run found no test.

The verdicts are asserted by the scenario files (210 for the old clauses between their
cut-off and their end); these tests read the reasons and requests a reader acts on. Each
expected text was read against the rule it comes from: the ICO's transitional
provisions (new contracts on the old clauses until 2022-09-21, relied on until
2024-03-21) and the Addendum from 2022-03-21, as ``regimes.json`` dates them.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from typing import TYPE_CHECKING, Any

from tests.mapfactory import as_yaml, document, entity, flow
from tests.test_mutants_rules import reason, request, scenario
from transfer_assess import Finding, assess, parse_map
from transfer_assess.refdata import data_dir, load_reference_data

if TYPE_CHECKING:
    from pathlib import Path

    from transfer_assess.refdata import ReferenceData

OLD_CLAUSES = "210-uk-old-clauses-onward-and-addendum-order"
#: The citations of the rule UK.TOOL.
TOOL = ("UK GDPR Art. 46(2)(d)", "DPA 2018 s.119A")
#: The UK regime's citation for standard clauses (reference data).
CLAUSES = (
    "UK GDPR Art. 46(2)(d) (clauses issued by the Commissioner under DPA 2018 s.119A)"
)


def uk_finding(
    day: date, refdata: ReferenceData | None = None, **extra: Any
) -> Finding:
    """The UK finding of one UK controller-to-processor flow `f` to India on `day`."""
    value = document(
        entities=[entity("gb", "GB"), entity("in", "IN", kind="service_provider")],
        flows=[flow("f", "gb", "in", **extra)],
    )
    datamap = parse_map(as_yaml(value))
    return assess(datamap, as_of=day, refdata=refdata).finding("f", "UK")


class TestOldClausesAfterTheirCutOff:
    """Scenario 210, 2023-06-01: after 2022-09-21 and until 2024-03-21."""

    def test_a_contract_made_by_the_cut_off(self) -> None:
        finding = scenario(OLD_CLAUSES, "f-old", "UK")
        assert reason(finding, "UK.TOOL") == (
            (
                "EU SCCs alone serve flow f-old on 2023-06-01 only if they are the old "
                "clauses kept by UK law, signed on or before 2022-09-21; they can be "
                "relied on until 2024-03-21."
            ),
            TOOL,
        )
        assert request(finding, "uk_addendum") == (
            (
                "Move flow f-old to the IDTA or the EU 2021 SCCs with the UK Addendum "
                "before the old clauses end."
            ),
            (CLAUSES,),
        )

    def test_a_contract_made_after_the_cut_off(self) -> None:
        finding = scenario(OLD_CLAUSES, "f-new", "UK")
        assert reason(finding, "UK.TOOL") == (
            (
                "Flow f-new started on 2022-10-01, after 2022-09-21, the last day a "
                "contract on the old clauses could be made; EU SCCs alone cannot serve "
                "it."
            ),
            TOOL,
        )
        assert request(finding, "fix_mechanism") == (
            "Add the UK Addendum to the EU SCCs of flow f-new, or sign the IDTA.",
            (CLAUSES,),
        )


def test_between_the_addendum_and_the_cut_off() -> None:
    finding = uk_finding(date(2022, 6, 1), mechanism="scc", scc_module=2)
    assert request(finding, "uk_addendum") == (
        (
            "Confirm that flow f rests on the old clauses kept by UK law; from "
            "2022-03-21 the ICO's Addendum makes the EU 2021 clauses valid."
        ),
        (CLAUSES,),
    )


def test_before_the_idta_a_gap_is_advised_the_old_clauses() -> None:
    finding = uk_finding(date(2022, 3, 20))
    assert request(finding, "scc") == (
        (
            "Sign the standard contractual clauses as UK law kept them for flow f "
            "(controller to processor)."
        ),
        (CLAUSES,),
    )


def test_a_data_set_without_the_old_clauses_dates(tmp_path: Path) -> None:
    """A set whose UK entry for the old clauses has no dates says so in words."""
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder, ignore=shutil.ignore_patterns("scc_templates"))
    path = folder / "regimes.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    (uk,) = [item for item in raw["regimes"] if item["id"] == "UK"]
    (old,) = [item for item in uk["tools"] if item["mechanism"] == "scc"]
    old["until"] = old["new_contracts_until"] = None
    path.write_text(json.dumps(raw), encoding="utf-8")
    finding = uk_finding(
        date(2023, 6, 1),
        load_reference_data(folder),
        mechanism="scc",
        scc_module=2,
        start="2022-10-01",
    )
    assert reason(finding, "UK.TOOL") == (
        (
            "EU SCCs alone serve flow f on 2023-06-01 only if they are the old clauses "
            "kept by UK law, signed on or before the cut-off; they can be relied on "
            "until their end."
        ),
        TOOL,
    )


def test_a_tia_names_a_destination_without_researched_law() -> None:
    """The TIA of a flow to a country, or to an organisation, with no researched law."""
    answered = {
        "date": "2026-09-01",
        "assessor": "Privacy office",
        "answers": {"data_form": "clear"},
    }
    extra = {"mechanism": "scc", "scc_module": 2, "tia": answered}
    value = document(
        entities=[
            entity("de"),
            entity("tr", "TR", kind="service_provider"),
            {
                "id": "io",
                "name": "Some Organisation",
                "kind": "other",
                "international_organisation": "some-organisation",
            },
        ],
        flows=[flow("f-tr", "de", "tr", **extra), flow("f-io", "de", "io", **extra)],
    )
    assessment = assess(parse_map(as_yaml(value)), as_of=date(2026, 11, 28))
    for flow_id, destination in (("f-tr", "TR"), ("f-io", "the destination")):
        text, _ = reason(assessment.finding(flow_id), "EU.TIA.RESIDUAL")
        assert (
            f": the reference data holds no researched access law of {destination}; "
            in text
        )
