"""
The second legal review: instruments by date, derogations at scale, the map's new
dated fields, and the wording of reasons and advice.

The verdicts themselves are in the scenario files (``tests/scenarios/67-`` to
``86-``); these tests check what the scenario format cannot: citations, texts and
the loader.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.mapfactory import as_json, as_yaml, document, entity, flow
from tests.test_assess import one
from transfer_assess import DataMapError, load_map, parse_map
from transfer_assess.engine import assess
from transfer_assess.findings import Basis, Finding, Status
from transfer_assess.refdata import load_reference_data

DAY = date(2026, 11, 28)
ONE_DAY = timedelta(days=1)


def texts(finding: Finding) -> str:
    """Every reason and recommendation text of a finding."""
    return " ".join(
        [reason.text for reason in finding.reasons]
        + [item.detail for item in finding.recommendations]
    )


def citations(finding: Finding) -> list[str]:
    """Every citation of a finding."""
    return [cited for reason in finding.reasons for cited in reason.citations] + [
        cited for item in finding.recommendations for cited in item.citations
    ]


def instruments() -> list[tuple[str, date]]:
    """The instruments whose adoption dates the reference data records."""
    spec = load_reference_data().regimes["EU"]
    return [(item.citation, item.start) for item in spec.instruments]


class TestInstrumentsByDate:
    """No reason or recommendation cites an instrument adopted after the date."""

    def test_the_reference_data_dates_the_instruments(self) -> None:
        dated = dict(instruments())
        assert dated["CJEU C-311/18"] == date(2020, 7, 16)
        assert dated["EDPB Recommendations 01/2020"] == date(2020, 11, 10)
        assert dated["Commission Implementing Decision (EU) 2021/914"] == date(
            2021, 6, 4
        )

    @pytest.mark.parametrize(
        "day",
        [
            date(2019, 6, 1),
            date(2020, 7, 15),
            date(2020, 11, 9),
            date(2021, 6, 3),
            date(2021, 11, 17),
            date(2023, 7, 9),
        ],
    )
    def test_example_cites_nothing_later(self, day: date) -> None:
        datamap = load_map(EXAMPLES / "global-group.yaml")
        later = [name for name, start in instruments() if start > day]
        assert later
        words = [*later, *(["2021 SCC", "2021 set"] if day < date(2021, 6, 4) else [])]
        for finding in assess(datamap, as_of=day).findings:
            for cited in citations(finding):
                assert not any(cited.startswith(name) for name in later), (
                    finding.flow,
                    cited,
                )
            said = texts(finding)
            assert not any(name in said for name in words), (finding.flow, said)

    @pytest.mark.parametrize(
        "day",
        sorted(
            {
                day
                for _, start in instruments()
                for day in (start - ONE_DAY, start, start + ONE_DAY)
                if day >= date(2018, 5, 25)
            }
        ),
        ids=str,
    )
    def test_every_reason_and_advice_cites_something(self, day: date) -> None:
        # Dropping citations adopted after the day must never leave a reason or a
        # recommendation with no source at all (the bundled example has every kind
        # of importer access, so each piece of advice on measures appears).
        datamap = load_map(EXAMPLES / "global-group.yaml")
        for finding in assess(datamap, as_of=day).findings:
            for reason in finding.reasons:
                assert reason.citations, (finding.flow, finding.regime, reason)
            for advice in finding.recommendations:
                assert advice.citations, (finding.flow, finding.regime, advice)

    @pytest.mark.parametrize(
        ("name", "day", "named"),
        [
            ("EDPB Recommendations 01/2020", date(2020, 11, 9), False),
            ("EDPB Recommendations 01/2020", date(2020, 11, 10), True),
            ("EDPB Recommendations 01/2020", date(2020, 11, 11), True),
            ("EDPB Guidelines 05/2021", date(2021, 11, 17), False),
            ("EDPB Guidelines 05/2021", date(2021, 11, 18), True),
            ("EDPB Guidelines 05/2021", date(2021, 11, 19), True),
        ],
    )
    def test_cited_from_adoption(self, name: str, day: date, named: bool) -> None:
        finding = one(entity("in", "IN"), day, mechanism="scc", scc_module=2)
        assert finding.status is Status.ATTENTION
        assert any(cited.startswith(name) for cited in citations(finding)) is named
        assert (name in texts(finding)) is (named and "Recommendations" in name)
        assert "CJEU C-311/18 (Schrems II)" in citations(finding)
        transfer = next(r for r in finding.reasons if r.rule == "EU.SCOPE.TRANSFER")
        assert "GDPR Art. 44" in transfer.citations

    @pytest.mark.parametrize("day", [date(2020, 7, 15), date(2020, 7, 16)])
    def test_no_measures_before_schrems_ii(self, day: date) -> None:
        finding = one(entity("in", "IN"), day)
        actions = {item.action.value for item in finding.recommendations}
        before = day < date(2020, 7, 16)
        assert ("tia" in actions) is not before
        assert ("supplementary_measures" in actions) is not before

    def test_bcr_onward_rules_only_once_approved(self) -> None:
        group = {"id": "grp", "bcr": ["controller"], "bcr_approved": "2024-03-15"}
        value = document(
            entities=[
                entity("hq-de", group="grp"),
                entity("cn", "CN", group="grp"),
                entity("in", "IN"),
            ],
            flows=[
                flow("f1", "hq-de", "cn", importer_role="controller", mechanism="bcr"),
                flow("f2", "cn", "in"),
            ],
            groups=[group],
        )
        datamap = parse_map(as_yaml(value))
        for day, named in ((date(2024, 3, 14), False), (date(2024, 3, 15), True)):
            finding = assess(datamap, as_of=day, regime="EU").finding("f2")
            assert ("BCRs" in texts(finding)) is named, day


class TestDerogationWording:
    """Point 5 and the Art. 48 wording."""

    def test_recital_111_only_for_b_c_e(self) -> None:
        for mechanism, cited in (
            ("derogation:contract", True),
            ("derogation:consent", False),
            ("derogation:vital_interests", False),
        ):
            finding = one(entity("za", "ZA"), mechanism=mechanism, frequency="regular")
            assert finding.status is Status.GAP, mechanism
            assert ("GDPR Recital 111" in citations(finding)) is cited, mechanism

    def test_vital_interests_are_for_emergencies(self) -> None:
        finding = one(
            entity("za", "ZA"),
            mechanism="derogation:vital_interests",
            frequency="continuous",
        )
        assert "emergencies" in texts(finding)

    def test_compelling_legitimate_interests_say_what_they_need(self) -> None:
        finding = one(
            entity("za", "ZA"),
            mechanism="derogation:compelling_legitimate_interests",
            frequency="one_off",
        )
        advice = texts(finding)
        assert "limited number of data subjects" in advice
        assert "inform the supervisory authority" in advice

    def test_public_register_regular_warns(self) -> None:
        finding = one(
            entity("za", "ZA"),
            mechanism="derogation:public_register",
            frequency="regular",
        )
        assert finding.status is Status.ATTENTION
        assert "must not become the rule" in texts(finding)

    def test_art_48_names_the_requested_state(self) -> None:
        finding = one(
            entity("us-doj", "US", kind="public_authority", sector="public"),
            importer_role="controller",
            mechanism="derogation:public_interest",
            frequency="one_off",
        )
        assert "requested state's own authority executes" in texts(finding)


class TestAdvice:
    """Points 9 to 12: measures and advice that fit the case."""

    def test_anonymise_says_consider(self) -> None:
        finding = one(entity("in", "IN"), purposes=["analytics"])
        advice = next(
            item for item in finding.recommendations if item.action.value == "anonymise"
        )
        assert advice.detail.startswith("Consider")
        assert "individual-level data" in advice.detail

    def test_transit_is_use_case_3(self) -> None:
        finding = one(
            entity("sg", "SG"),
            mechanism="scc",
            scc_module=2,
            importer_access="none",
        )
        measures = [
            item
            for item in finding.recommendations
            if item.action.value == "supplementary_measures"
        ]
        assert measures
        assert "use case 3" in measures[0].detail
        assert "IP addresses" in measures[0].detail
        assert "use case 1" not in texts(finding)

    def test_no_use_case_2_when_the_importer_matches(self) -> None:
        finding = one(
            entity("us-social", "US"),
            importer_role="controller",
            importer_access="pseudonymised",
            purposes=["marketing.advertising"],
        )
        assert "use case 2 needs an importer that cannot re-identify" in texts(finding)
        assert not any(cited.endswith("use case 2") for cited in citations(finding))

    def test_ok_art46_in_clear_keeps_the_advisory(self) -> None:
        finding = one(
            entity("in", "IN"), mechanism="scc", scc_module=2, tia="2026-06-01"
        )
        assert finding.status is Status.OK
        assert [item.action.value for item in finding.recommendations] == [
            "supplementary_measures"
        ]
        encrypted = one(
            entity("in", "IN"),
            mechanism="scc",
            scc_module=2,
            tia="2026-06-01",
            importer_access="encrypted",
        )
        assert encrypted.recommendations == ()

    def test_onward_from_japan_names_supplementary_rule_4(self) -> None:
        value = document(
            entities=[entity("hq-de"), entity("jp", "JP"), entity("in", "IN")],
            flows=[
                flow(
                    "f1",
                    "hq-de",
                    "jp",
                    importer_role="controller",
                    mechanism="adequacy",
                ),
                flow("f2", "jp", "in"),
            ],
        )
        finding = assess(parse_map(as_yaml(value)), as_of=DAY, regime="EU").finding(
            "f2"
        )
        assert finding.onward
        onward = next(r for r in finding.reasons if r.rule == "EU.SCOPE.ONWARD")
        assert "Supplementary Rule (4)" in onward.text
        scc = next(
            item for item in finding.recommendations if item.action.value == "scc"
        )
        assert "Supplementary Rule (4)" in scc.detail
        assert "Clause" not in scc.detail


class TestWording:
    """Point 13 and 14."""

    def test_dpf_watch_note_names_the_appeal_outcomes(self) -> None:
        finding = one(entity("us", "US", certifications=["dpf"]), mechanism="dpf")
        watch = " ".join(r.text for r in finding.reasons if r.rule.endswith("WATCH"))
        assert "Art. 264(2) TFEU" in watch
        assert "refer the case back" in watch
        assert "as in Schrems I and II" not in watch

    @pytest.mark.parametrize(
        ("day", "bridge"),
        [
            (date(2020, 12, 31), False),
            (date(2021, 1, 1), True),
            (date(2021, 6, 27), True),
        ],
    )
    def test_uk_bridge_is_named(self, day: date, bridge: bool) -> None:
        finding = one(entity("gb", "GB"), day)
        assert finding.basis is Basis.EEA
        text = texts(finding)
        assert ("is not in the EEA" in text) is bridge
        assert ("both count as inside the EEA" in text) is not bridge

    def test_chains_follow_the_category(self) -> None:
        datamap = load_map(EXAMPLES / "global-group.yaml")
        finding = assess(datamap, as_of=DAY, regime="EU").finding("sg-to-hq")
        onward = next(r for r in finding.reasons if r.rule == "EU.SCOPE.ONWARD")
        assert "eu-de → sg-pte (user.contact.email)" in onward.text
        assert "eu-de → hq-cn → sg-pte (user.name)" in onward.text


class TestMapFormat:
    """Dated certifications, bcr_accession and scc_signed in every format."""

    def test_dated_certification_forms(self) -> None:
        value = document(
            entities=[
                entity(
                    "us",
                    "US",
                    certifications=[
                        "dpf-hr",
                        {"type": "dpf", "from": "2023-08-01", "until": "2025-06-30"},
                        "dpf-uk@2023-11-01..",
                    ],
                ),
                entity("hq-de"),
            ],
            flows=[flow("f", "hq-de", "us")],
        )
        for text in (as_yaml(value), as_json(value)):
            us = parse_map(text).entity("us")
            assert us.certifications == ("dpf-hr", "dpf", "dpf-uk")
            assert us.certification_periods == {
                "dpf": (date(2023, 8, 1), date(2025, 6, 30)),
                "dpf-uk": (date(2023, 11, 1), None),
            }
            assert us.on(date(2023, 7, 31)).certifications == ("dpf-hr",)
            assert us.on(date(2025, 6, 30)).certifications == (
                "dpf-hr",
                "dpf",
                "dpf-uk",
            )
            assert us.on(date(2025, 7, 1)).certifications == ("dpf-hr", "dpf-uk")

    def test_dated_certification_problems(self) -> None:
        value = document(
            entities=[
                entity(
                    "us",
                    "US",
                    certifications=[
                        {"type": "dpf", "from": "2025-06-30", "until": "2023-08-01"},
                        {"type": "dpf", "since": "2023-01-01"},
                        "dpf-uk@2023-13-01..",
                        7,
                    ],
                    bcr_accession="2024-01-01",
                ),
                entity("hq-de"),
            ],
            flows=[flow("f", "hq-de", "us", scc_signed="yesterday")],
        )
        with pytest.raises(DataMapError) as caught:
            parse_map(as_yaml(value))
        found = [f"{item.path}: {item.message}" for item in caught.value.problems]
        assert found == [
            (
                "entities[0].certifications[0].until: until 2023-08-01 is before from "
                "2025-06-30"
            ),
            (
                "entities[0].certifications[1].type: certification 'dpf' is given "
                "twice with dates"
            ),
            (
                "entities[0].certifications[1].since: unknown key 'since'; keys of "
                "your own must start with 'x-'"
            ),
            "entities[0].certifications[2].from: no such date '2023-13-01'",
            (
                "entities[0].certifications[3]: expected a certification name or "
                "{type, from, until} (a mapping), got the number 7"
            ),
            "entities[0].bcr_accession: bcr_accession needs the entity's group",
            (
                "flows[0].scc_signed: expected an ISO 8601 date like 2026-11-28, got "
                "the string 'yesterday'"
            ),
        ]

    def test_csv_cells(self, tmp_path: Path) -> None:
        (tmp_path / "entities.csv").write_text(
            "id,name,kind,country,group,certifications,bcr_accession\n"
            "hq-de,HQ GmbH,affiliate,DE,grp,,\n"
            "us,US Inc,affiliate,US,grp,dpf@2023-08-01..2025-06-30;iso27001,"
            "2024-05-10\n",
            encoding="utf-8",
        )
        (tmp_path / "flows.csv").write_text(
            "id,from,to,exporter_role,importer_role,data_subjects,data_categories,"
            "purposes,frequency,mechanism,scc_module,scc_signed\n"
            "f,hq-de,us,controller,processor,customers,user.name,support,continuous,"
            "scc,2,2021-07-01\n",
            encoding="utf-8",
        )
        (tmp_path / "groups.csv").write_text(
            "id,bcr,bcr_approved\ngrp,controller,2022-01-10\n", encoding="utf-8"
        )
        datamap = load_map(tmp_path)
        us = datamap.entity("us")
        assert us.certifications == ("dpf", "iso27001")
        assert us.certification_periods["dpf"] == (date(2023, 8, 1), date(2025, 6, 30))
        assert us.bcr_accession == date(2024, 5, 10)
        assert datamap.flow("f").scc_signed == date(2021, 7, 1)

    def test_dated_certification_in_the_uk_regime(self) -> None:
        """The UK regime reads the same dated certifications."""
        importer = entity(
            "us",
            "US",
            certifications=[
                {"type": "dpf", "from": "2024-01-01"},
                {"type": "dpf-uk", "from": "2024-01-01"},
            ],
        )
        value = document(
            entities=[entity("hq-gb", "GB"), importer],
            flows=[flow("f", "hq-gb", "us", mechanism="dpf")],
        )
        datamap = parse_map(as_yaml(value))
        for day, basis in (
            (date(2023, 12, 31), Basis.NONE),
            (date(2024, 1, 1), Basis.ADEQUACY),
            (date(2024, 1, 2), Basis.ADEQUACY),
        ):
            found = assess(datamap, as_of=day, regime="UK").finding("f", "UK")
            assert found is not None
            assert found.basis is basis, day
