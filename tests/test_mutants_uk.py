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

import pytest

from tests.mapfactory import as_yaml, document, entity, flow
from tests.test_mutants_rules import UK_CLAUSES as CLAUSES
from tests.test_mutants_rules import UK_TOOL as TOOL
from tests.test_mutants_rules import reason, request, scenario
from transfer_assess import Finding, assess, parse_map
from transfer_assess.refdata import data_dir, load_reference_data

if TYPE_CHECKING:
    from pathlib import Path

    from transfer_assess.refdata import ReferenceData

OLD_CLAUSES = "210-uk-old-clauses-onward-and-addendum-order"


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


@pytest.mark.parametrize(
    ("flow_id", "why", "action", "asked"),
    [
        (
            "f-old",
            (
                "EU SCCs alone serve flow f-old on 2023-06-01 only if they are the old "
                "clauses kept by UK law, signed on or before 2022-09-21; they can be "
                "relied on until 2024-03-21."
            ),
            "uk_addendum",
            (
                "Move flow f-old to the IDTA or the EU 2021 SCCs with the UK Addendum "
                "before the old clauses end."
            ),
        ),
        (
            "f-new",
            (
                "Flow f-new started on 2022-10-01, after 2022-09-21, the last day a "
                "contract on the old clauses could be made; EU SCCs alone cannot serve "
                "it."
            ),
            "fix_mechanism",
            "Add the UK Addendum to the EU SCCs of flow f-new, or sign the IDTA.",
        ),
    ],
)
def test_old_clauses_after_their_cut_off(
    flow_id: str, why: str, action: str, asked: str
) -> None:
    """Scenario 210, 2023-06-01: a contract made by 2022-09-21, and one made after."""
    finding = scenario(OLD_CLAUSES, flow_id, "UK")
    assert reason(finding, "UK.TOOL") == (why, TOOL)
    assert request(finding, action) == (asked, (CLAUSES,))


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
        assert text.endswith(
            f": the reference data holds no researched access law of {destination}; "
            "no probability is calculated without a researched law."
        )


#: What every conclusion of a TIA cites (EDPB and CJEU).
TIA_CITED = (
    "CJEU C-311/18 (Schrems II)",
    "EDPB Recommendations 01/2020",
    "EDPB Recommendations 02/2020",
)
#: The EDPB's use cases where no measure is effective, cited by "do not transfer".
NO_MEASURE = "EDPB Recommendations 01/2020, Annex 2, use cases 6 and 7"
#: The UK regime's own provision on the assessment, cited first (rules.uk).
ICO_TRA = "ICO guidance on transfer risk assessments"


class TestTiaConclusions:
    """What a TIA with answers asks for, under the EU and the UK."""

    STOP = (
        "Stop flow f1, or change it so that the importer no longer sees the data in "
        "clear (encryption with keys held in the EEA, pseudonymisation with the key "
        "kept in the EEA)."
    )

    def test_residual_risk_asks_for_a_decision(self) -> None:
        finding = scenario("304-tia-cn-residual", "f1")
        assert request(finding, "supplementary_measures") == (
            (
                "Decide on the residual risk of flow f1 and document the decision: "
                "make the data unintelligible to the importer (encryption with keys "
                "held in the EEA, pseudonymisation), or confirm with the importer and "
                "counsel that the laws listed do not reach it."
            ),
            TIA_CITED,
        )

    def test_do_not_transfer_under_the_eu(self) -> None:
        finding = scenario("322-tia-ru-do-not-transfer", "f1")
        assert request(finding, "stop_transfer") == (
            self.STOP,
            (*TIA_CITED, NO_MEASURE),
        )

    def test_do_not_transfer_under_the_uk(self) -> None:
        finding = scenario("319-tia-uk-ru-do-not-transfer", "f1", "UK")
        _, cited = request(finding, "stop_transfer")
        assert cited == (ICO_TRA, *TIA_CITED, NO_MEASURE)
        text, citations = reason(finding, "UK.TIA.DO_NOT_TRANSFER")
        assert text.startswith(
            "The transfer risk assessment (TRA) of flow f1 (2026-09-01) with the "
            "answers for Processor OOO (ru-proc, RU): laws that may reach the "
            "importer: "
        )
        assert text.endswith(
            "; calculated probability of a lawful-access event over 5 years: 100%, "
            "above the policy threshold of 10% (evidence, not the decision)."
        )
        assert citations == (ICO_TRA, *TIA_CITED, NO_MEASURE)

    def test_a_probability_at_or_below_the_threshold(self) -> None:
        finding = scenario("310-tia-in-effective", "f1")
        text, _ = reason(finding, "EU.TIA.EFFECTIVE")
        assert text.startswith(
            "The transfer impact assessment of flow f1 (2026-09-01) with the answers "
            "for "
        )
        assert text.endswith(
            "%, at or below the policy threshold of 10% (evidence, not the decision)."
        )


@pytest.mark.parametrize(
    ("stem", "regime", "home"),
    [
        ("322-tia-ru-do-not-transfer", "EU", "the EEA"),
        ("319-tia-uk-ru-do-not-transfer", "UK", "the United Kingdom"),
    ],
)
def test_the_keys_stay_where_the_regime_protects_the_data(
    stem: str, regime: str, home: str
) -> None:
    detail, _ = request(scenario(stem, "f1", regime), "stop_transfer")
    assert detail.endswith(
        f"(encryption with keys held in {home}, pseudonymisation with the key kept "
        f"in {home})."
    )
