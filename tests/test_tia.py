"""Transfer impact assessments with answers (issue 18): data, loading, calculation.

Tests read the access laws' standings and classes from the loaded data instead of
repeating them, so that a fuller ``access_laws.json`` keeps them true; the scenario
files 300-321 rely on a few standings, which `TestScenarioAssumptions` states.
"""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.mapfactory import as_json
from tests.strategies import documents
from transfer_assess import DataMapError, assess, load_map, parse_map
from transfer_assess.access_laws import (
    AccessLaw,
    AccessLaws,
    Standing,
    parse_access_laws,
)
from transfer_assess.errors import ReferenceDataError
from transfer_assess.interchange.tables import map_yaml, write_csv_folder
from transfer_assess.labels import STANDING_LABELS
from transfer_assess.model import (
    DataForm,
    ImporterAccess,
    KeyHolder,
    Reach,
    TiaAnswers,
    TiaRecord,
)
from transfer_assess.refdata import data_dir, load_reference_data, read_json
from transfer_assess.report.json import tia_dict
from transfer_assess.rules import Settings
from transfer_assess.tia import (
    ENCRYPTED,
    PSEUDONYMISED,
    Conclusion,
    assess_tia,
)

REFDATA = load_reference_data()
RAW = read_json(data_dir() / "access_laws.json")
DAY = date(2026, 11, 28)
RULES = {conclusion: f"EU.TIA.{conclusion.name}" for conclusion in Conclusion}

MAP = """
version: 1
organisation: Test
as_of: 2026-11-28
entities:
  - {id: de, name: DE GmbH, kind: affiliate, country: DE}
  - {id: cn, name: CN Co, kind: service_provider, country: CN}
  - {id: us, name: US Inc, kind: service_provider, country: US}
flows:
  - id: f1
    from: de
    to: cn
    exporter_role: controller
    importer_role: processor
    data_subjects: [customers]
    data_categories: [user.contact.email]
    purposes: [support]
    frequency: continuous
    mechanism: scc
    scc_module: 2
    tia: TIA
"""


def law(**changes: Any) -> AccessLaw:
    """A law of the test's own, failing the guarantees unless changed."""
    standings = {
        key: Standing("not_met" if key == "D" else "met", "note", ("source",))
        for key in "ABCD"
    }
    values: dict[str, Any] = {
        "id": "xx-test-law",
        "country": "XX",
        "name": "Test law",
        "citation": "Test law s. 1",
        "url": "https://example.org/law",
        "in_force_from": date(2000, 1, 1),
        "in_force_until": None,
        "kind": "intelligence",
        "compelled_disclosure": True,
        "access_in_transit": False,
        "reaches": ("ecsp",),
        "reaches_summary": "Providers.",
        "data": ("content",),
        "data_summary": "Content.",
        "guarantees": standings,
        "requests_per_year": None,
        "sources": ("source",),
        "unconfirmed": (),
    }
    values.update(changes)
    return AccessLaw(**values)


def flow_with(answers: TiaAnswers | None, tia: str = "2026-09-01") -> Any:
    text = MAP.replace("TIA", tia)
    datamap = parse_map(text)
    flow = datamap.flows[0]
    record = TiaRecord(date=date.fromisoformat(tia), answers=answers)
    return attrs.evolve(flow, tia_record=record)


def weigh(answers: TiaAnswers, laws: tuple[AccessLaw, ...], **settings: Any) -> Any:
    flow = flow_with(answers)
    assert flow.tia_record is not None
    return assess_tia(
        flow,
        flow.tia_record,
        answers,
        "XX",
        laws,
        rules=RULES,
        default_years=settings.get("years", 5.0),
        threshold=settings.get("threshold", 0.1),
    )


class TestAccessLawData:
    """``data/access_laws.json``: valid, sourced, and read strictly."""

    def test_required_ids_and_classes(self) -> None:
        ids = {item.id for item in REFDATA.laws.entries}
        assert {
            "us-fisa-702",
            "us-eo-12333",
            "us-cloud-act",
            "cn-nil-art7",
            "in-it-act-s69",
        } <= ids
        assert {
            "ecsp",
            "us_person_with_control",
            "any_organisation",
            "telecom_operator",
        } <= set(REFDATA.laws.classes)

    def test_assessment_follows_the_standings(self) -> None:
        for item in REFDATA.laws.entries:
            standings = {value.standing for value in item.guarantees.values()}
            if "not_met" in standings:
                assert item.assessment == "fails"
            elif standings == {"met"}:
                assert item.assessment == "meets"
            else:
                assert item.assessment == "unclear"
            assert item.sources
            assert item.id.startswith(item.country.lower() + "-")

    def test_in_force_on_the_day_before_of_and_after(self) -> None:
        item = REFDATA.laws.law("cn-nil-art7")
        start = item.in_force_from
        before = REFDATA.access_laws("CN", start - timedelta(days=1))
        assert item not in before
        assert item in REFDATA.access_laws("CN", start)
        assert item in REFDATA.access_laws("CN", start + timedelta(days=1))

    def test_until_ends_a_law_after_its_last_day(self) -> None:
        item = law(in_force_until=date(2020, 6, 30))
        assert item.in_force(date(2020, 6, 29))
        assert item.in_force(date(2020, 6, 30))
        assert not item.in_force(date(2020, 7, 1))

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (
                lambda raw: raw.update(schema=2),
                "expected schema 1 @ access_laws.json:$.schema",
            ),
            (
                lambda raw: raw["importer_classes"].pop("ecsp"),
                "missing required class 'ecsp'",
            ),
            (
                lambda raw: raw["entries"][0].update(reaches=["nobody"]),
                "unknown value 'nobody'",
            ),
            (
                lambda raw: raw["entries"][0]["guarantees"]["A"].update(standing="ok"),
                "$.entries[0].guarantees.A.standing",
            ),
            (
                lambda raw: raw["entries"].append(copy.deepcopy(raw["entries"][0])),
                "duplicate id",
            ),
            (
                lambda raw: raw["entries"][0].update(id="de-wrong-country"),
                "invalid id 'de-wrong-country'",
            ),
            (
                lambda raw: raw["entries"][0]["in_force"].update(
                    {"from": "2020-01-02", "until": "2020-01-01"}
                ),
                "is before in_force.from",
            ),
            (
                lambda raw: raw["entries"][0].update(sources=[]),
                "every fact needs a source @ access_laws.json:$.entries[0].sources",
            ),
            (
                lambda raw: raw["entries"][0].update(requests_per_year=2),
                "expected null or a probability from 0 to 1",
            ),
            (lambda raw: raw["entries"][0].update(kind="secret"), "$.entries[0].kind"),
        ],
    )
    def test_invalid_files_are_refused_with_the_path(
        self, change: Any, message: str
    ) -> None:
        raw = copy.deepcopy(RAW)
        change(raw)
        with pytest.raises(ReferenceDataError) as caught:
            parse_access_laws(raw)
        assert any(message in problem for problem in caught.value.problems), (
            caught.value.problems
        )

    def test_every_structural_problem_is_named(self) -> None:
        raw = copy.deepcopy(RAW)
        raw["colour"] = "red"
        raw["guarantees"]["A"] = "text"
        raw["guarantees"]["B"] = {"title": ""}
        raw["importer_classes"]["extra"] = {"label": "x", "question": "", "hint": 1}
        raw["importer_classes"]["broken"] = []
        entry = raw["entries"][0]
        entry.update(
            country="us",
            url="ftp://example.org",
            compelled_disclosure="yes",
            reaches="ecsp",
            data=["everything"],
            unconfirmed=[""],
            extra=1,
        )
        entry["in_force"] = {"from": "2008-13-01", "until": "later"}
        entry["guarantees"]["C"] = None
        entry["guarantees"]["D"] = {"standing": "met", "note": "", "sources": "x"}
        raw["entries"].append("not an entry")
        with pytest.raises(ReferenceDataError) as caught:
            parse_access_laws(raw)
        problems = "\n".join(caught.value.problems)
        for expected in (
            "unknown key 'colour' @ access_laws.json:$.colour",
            "expected an object @ access_laws.json:$.guarantees.A",
            "expected a non-empty string @ access_laws.json:$.guarantees.B.title",
            "unknown key 'hint' @ access_laws.json:$.importer_classes.extra.hint",
            "expected an object @ access_laws.json:$.importer_classes.broken",
            "expected an ISO 3166-1 alpha-2 code, got 'us'",
            "expected a web address @ access_laws.json:$.entries[0].url",
            "expected true or false @ access_laws.json:$.entries[0].compelled_",
            "expected a list of strings @ access_laws.json:$.entries[0].reaches",
            "unknown value 'everything'",
            "$.entries[0].unconfirmed",
            "unknown key 'extra' @ access_laws.json:$.entries[0].extra",
            "expected an ISO date @ access_laws.json:$.entries[0].in_force.from",
            "expected an ISO date or null @ access_laws.json:$.entries[0].in_force.u",
            "expected an object @ access_laws.json:$.entries[0].guarantees.C",
            "$.entries[0].guarantees.D.note",
            "$.entries[0].guarantees.D.sources",
            f"expected an object @ access_laws.json:$.entries[{len(RAW['entries'])}]",
        ):
            assert expected in problems, expected

    def test_a_file_that_is_not_an_object(self) -> None:
        with pytest.raises(ReferenceDataError) as caught:
            parse_access_laws([])
        assert "expected an object @ access_laws.json:$" in caught.value.problems
        assert "expected a list @ access_laws.json:$.entries" in caught.value.problems

    def test_packaged_index_lists_the_file(self) -> None:
        index = json.loads((data_dir() / "index.json").read_text(encoding="utf-8"))
        assert "access_laws.json" in index["files"]


class TestScenarioAssumptions:
    """What scenarios 300-321 take from the data; update them if this changes."""

    def test_standings_the_scenarios_rely_on(self) -> None:
        laws = REFDATA.laws
        # China and India: no assessing body found, so unclear (residual risk).
        assert laws.law("cn-nil-art7").assessment == "unclear"
        assert laws.law("cn-nil-art7").reaches_everyone
        assert laws.law("in-it-act-s69").assessment == "unclear"
        assert not laws.law("in-it-act-s69").reaches_everyone
        # Russia: SORM fails (ECtHR Roman Zakharov) and reaches data in transit.
        assert laws.law("ru-sorm").assessment == "fails"
        assert laws.law("ru-sorm").access_in_transit
        # The US: the Commission's DPF decision assessed these laws.
        assert laws.law("us-cloud-act").assessment == "meets"
        assert laws.law("us-fisa-702").assessment == "meets"
        assert "us_person_with_control" in laws.law("us-cloud-act").reaches
        assert "ecsp" in laws.law("us-fisa-702").reaches
        assert not REFDATA.access_laws("TV", DAY)


class TestConclusion:
    """The four conclusions, on laws of the test's own."""

    def test_not_reached_when_the_importer_answers_no(self) -> None:
        result = weigh(
            TiaAnswers(reached={"xx-test-law": Reach.NO}, data_form=DataForm.CLEAR),
            (law(),),
        )
        assert result.conclusion is Conclusion.NOT_REACHED
        assert result.probability == 0.0

    def test_not_reached_by_a_class_answer(self) -> None:
        result = weigh(TiaAnswers(classes={"ecsp": Reach.NO}), (law(),))
        assert result.conclusion is Conclusion.NOT_REACHED
        assert "classes ecsp: no" in result.laws[0].factors[1].source

    def test_a_law_answer_overrides_the_class_answer(self) -> None:
        answers = TiaAnswers(
            classes={"ecsp": Reach.NO}, reached={"xx-test-law": Reach.YES}
        )
        assert weigh(answers, (law(),)).conclusion is Conclusion.DO_NOT_TRANSFER

    def test_a_law_that_meets_the_guarantees_is_no_concern(self) -> None:
        meets = law(
            guarantees={key: Standing("met", "n", ("s",)) for key in "ABCD"},
            reaches=("any_organisation",),
        )
        result = weigh(TiaAnswers(data_form=DataForm.CLEAR), (meets,))
        assert result.conclusion is Conclusion.NOT_REACHED
        assert result.probability > 0

    def test_effective_when_keys_stay_with_the_exporter(self) -> None:
        answers = TiaAnswers(
            reached={"xx-test-law": Reach.YES},
            data_form=DataForm.ENCRYPTED,
            keys_held_by=KeyHolder.EXPORTER,
        )
        result = weigh(answers, (law(),))
        assert result.conclusion is Conclusion.EFFECTIVE
        assert result.laws[0].factors[2].value == ENCRYPTED

    def test_keys_held_by_the_importer_are_no_protection(self) -> None:
        answers = TiaAnswers(
            reached={"xx-test-law": Reach.YES},
            data_form=DataForm.ENCRYPTED,
            keys_held_by=KeyHolder.IMPORTER,
        )
        assert weigh(answers, (law(),)).conclusion is Conclusion.DO_NOT_TRANSFER

    def test_residual_when_the_law_may_fall_short(self) -> None:
        unclear = law(
            guarantees={
                key: Standing("partly" if key == "B" else "met", "n", ("s",))
                for key in "ABCD"
            }
        )
        answers = TiaAnswers(reached={"xx-test-law": Reach.YES})
        assert weigh(answers, (unclear,)).conclusion is Conclusion.RESIDUAL

    def test_residual_when_a_failing_law_reach_is_unknown(self) -> None:
        answers = TiaAnswers(reached={"xx-test-law": Reach.UNKNOWN})
        assert weigh(answers, (law(),)).conclusion is Conclusion.RESIDUAL

    def test_residual_when_the_destination_was_not_researched(self) -> None:
        blank = law(
            reaches=(),
            guarantees={key: Standing("unconfirmed", "n", ("s",)) for key in "ABCD"},
        )
        result = weigh(TiaAnswers(), (blank,))
        assert not result.researched
        assert result.conclusion is Conclusion.RESIDUAL
        assert weigh(TiaAnswers(), ()).conclusion is Conclusion.RESIDUAL


class TestCalculation:
    """Each factor with its value and source; the period; the threshold."""

    def test_factors_and_product(self) -> None:
        answers = TiaAnswers(
            reached={"xx-test-law": Reach.YES},
            requests_received=1,
            requests_years=3,
            data_form=DataForm.PSEUDONYMISED,
            pseudonymisation_key_in_eea=True,
            transfer_years=2,
        )
        result = weigh(answers, (law(),))
        request, reach, intelligible = result.laws[0].factors
        assert request.value == pytest.approx(2 / 5)
        assert "1 requests in 3 years" in request.source
        assert reach.value == 1.0
        assert intelligible.value == PSEUDONYMISED
        yearly = 2 / 5 * PSEUDONYMISED
        assert result.laws[0].yearly == pytest.approx(yearly)
        assert result.probability == pytest.approx(1 - (1 - yearly) ** 2)
        assert result.years_source == "answer"

    def test_laws_combine(self) -> None:
        other = law(id="xx-other", reaches=("any_organisation",))
        answers = TiaAnswers(
            reached={"xx-test-law": Reach.YES},
            requests_received=0,
            requests_years=8,
            transfer_years=1,
        )
        result = weigh(answers, (law(), other))
        # The answered count covers both laws: one request rate (0.1), times the
        # chance that at least one law yields intelligible data (1).
        assert result.probability == pytest.approx(0.1)
        unanswered = weigh(
            TiaAnswers(reached={"xx-test-law": Reach.YES}, transfer_years=1),
            (
                law(requests_per_year=0.1),
                law(
                    id="xx-other",
                    reaches=("any_organisation",),
                    requests_per_year=0.1,
                ),
            ),
        )
        # Rates of the laws' own: independent sources, 1 - 0.9^2.
        assert unanswered.probability == pytest.approx(1 - (1 - 0.1) ** 2)

    def test_a_yearly_rate_from_the_data(self) -> None:
        result = weigh(TiaAnswers(), (law(requests_per_year=0.25),))
        request = result.laws[0].factors[0]
        assert request.value == 0.25
        assert request.source.startswith("reference data")

    @pytest.mark.parametrize(
        ("classes", "reached"),
        [
            ({"ecsp": Reach.YES, "other": Reach.NO}, "yes"),
            ({"ecsp": Reach.UNKNOWN, "other": Reach.NO}, "unknown"),
            ({"ecsp": Reach.NO}, "unknown"),
            ({"ecsp": Reach.NO, "other": Reach.NO}, "no"),
        ],
    )
    def test_class_answers_for_a_law_with_two_classes(
        self, classes: dict[str, Reach], reached: str
    ) -> None:
        result = weigh(TiaAnswers(classes=classes), (law(reaches=("ecsp", "other")),))
        assert result.laws[0].reached == reached

    def test_measures_of_the_map_stand_in_for_unanswered_keys(self) -> None:
        flow = flow_with(None)
        encrypted = attrs.evolve(
            flow,
            importer_access=ImporterAccess.ENCRYPTED,
            measures=("exporter_held_keys",),
        )
        pseudonymised = attrs.evolve(
            flow,
            importer_access=ImporterAccess.PSEUDONYMISED,
            measures=("pseudonymisation",),
        )
        answers = TiaAnswers(reached={"xx-test-law": Reach.YES})
        for item, value in ((encrypted, ENCRYPTED), (pseudonymised, PSEUDONYMISED)):
            assert item.tia_record is not None
            result = assess_tia(
                item,
                item.tia_record,
                answers,
                "XX",
                (law(),),
                rules=RULES,
                default_years=1.0,
                threshold=0.1,
            )
            assert result.laws[0].factors[2].value == value
            assert result.conclusion is Conclusion.EFFECTIVE

    def test_defaults_when_unanswered(self) -> None:
        result = weigh(TiaAnswers(), (law(),), years=3.0)
        request = result.laws[0].factors[0]
        assert request.value == 1.0
        assert request.source.startswith("default")
        assert result.years == 3.0
        assert result.years_source.startswith("default")

    @pytest.mark.parametrize(
        ("threshold", "above"),
        [(0.1 - 1e-9, True), (0.1, False), (0.1 + 1e-9, False)],
    )
    def test_threshold_just_below_at_and_above(
        self, threshold: float, above: bool
    ) -> None:
        # 0 requests in 8 years: 1/10 a year, one year: exactly 10%.
        answers = TiaAnswers(
            reached={"xx-test-law": Reach.YES},
            requests_received=0,
            requests_years=8,
            transfer_years=1,
        )
        result = weigh(answers, (law(),), threshold=threshold)
        assert result.probability == pytest.approx(0.1)
        assert result.above_threshold is above

    def test_settings_hold_the_policy_defaults(self) -> None:
        settings = Settings()
        assert settings.tia_probability_threshold == 0.1
        assert settings.tia_default_transfer_years == 5.0

    def test_json_carries_conclusion_and_factors(self) -> None:
        datamap = parse_map(
            MAP.replace("TIA", "{date: 2026-09-01, answers: {data_form: clear}}")
        )
        finding = assess(datamap).finding("f1")
        assert finding.tia is not None
        value = tia_dict(finding.tia)
        assert value["conclusion"] == "residual"
        assert value["rule"] == "EU.TIA.RESIDUAL"
        law_ids = [item["id"] for item in value["laws"]]
        assert "cn-nil-art7" in law_ids
        item = value["laws"][law_ids.index("cn-nil-art7")]
        assert [factor["name"] for factor in item["factors"]] == [
            "request",
            "reach",
            "intelligible",
        ]


MEASURE_ORDER: list[dict[str, Any]] = [
    {"data_form": DataForm.CLEAR},
    {"data_form": DataForm.PSEUDONYMISED, "pseudonymisation_key_in_eea": False},
    {"data_form": DataForm.PSEUDONYMISED, "pseudonymisation_key_in_eea": True},
    {"data_form": DataForm.ENCRYPTED, "keys_held_by": KeyHolder.EXPORTER},
]
_CONCLUSION_RANK = {
    Conclusion.NOT_REACHED: 0,
    Conclusion.EFFECTIVE: 0,
    Conclusion.RESIDUAL: 1,
    Conclusion.DO_NOT_TRANSFER: 2,
}


class TestProperties:
    """A stronger measure never raises the risk; no answers, no change."""

    @given(
        st.integers(min_value=0, max_value=len(MEASURE_ORDER) - 2),
        st.sampled_from(list(Reach)),
        st.integers(min_value=0, max_value=20),
        st.integers(min_value=1, max_value=20),
        st.floats(min_value=0.1, max_value=30),
        st.sets(st.sampled_from(["split_processing", "encryption_in_transit"])),
        st.booleans(),
    )
    def test_stronger_measure_never_raises_the_risk(
        self,
        weaker: int,
        reach: Reach,
        received: int,
        years: int,
        period: float,
        measures: set[str],
        transit: bool,
    ) -> None:
        laws = (law(), law(id="xx-everyone", reaches=("any_organisation",)))

        def result(level: int, extra: set[str]) -> Any:
            answers = TiaAnswers(
                reached={"xx-test-law": reach},
                requests_received=received,
                requests_years=years,
                transfer_years=period,
                transit_only=transit,
                measures=sorted(extra),
                **MEASURE_ORDER[level],
            )
            return weigh(answers, laws)

        for stronger in range(weaker + 1, len(MEASURE_ORDER)):
            low, high = result(weaker, measures), result(stronger, measures)
            assert high.probability <= low.probability + 1e-12
            assert _CONCLUSION_RANK[high.conclusion] <= _CONCLUSION_RANK[low.conclusion]
        more = result(weaker, measures | {"split_processing"})
        base = result(weaker, measures)
        assert more.probability <= base.probability + 1e-12

    @given(
        documents(), st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31))
    )
    def test_record_without_answers_gives_todays_verdict(
        self, value: dict[str, Any], day: date
    ) -> None:
        recorded = copy.deepcopy(value)
        for flow in recorded["flows"]:
            if "tia" in flow:
                flow["tia"] = {"date": flow["tia"], "assessor": "Privacy office"}
        before = assess(parse_map(as_json(value), format="json"), day)
        after = assess(parse_map(as_json(recorded), format="json"), day)
        assert before.findings == after.findings
        assert all(finding.tia is None for finding in after.findings)


class TestLoading:
    """The record form in YAML, JSON and CSV; answer sheets; every problem located."""

    def write(self, folder: Path, tia: str, sheet: str | None = None) -> Path:
        path = folder / "map.yaml"
        path.write_text(MAP.replace("TIA", tia), encoding="utf-8")
        if sheet is not None:
            (folder / "tia").mkdir(exist_ok=True)
            (folder / "tia" / "cn.yaml").write_text(sheet, encoding="utf-8")
        return path

    def test_the_date_form_is_unchanged(self, tmp_path: Path) -> None:
        flow = load_map(self.write(tmp_path, "2026-09-01")).flows[0]
        assert flow.tia == date(2026, 9, 1)
        assert flow.tia_record is None

    def test_inline_answers(self, tmp_path: Path) -> None:
        tia = (
            "{date: 2026-09-01, assessor: Ann, answers: {classes: {ecsp: no}, "
            "reached: {cn-nil-art7: yes}, requests_received: 2, requests_years: 4, "
            "data_form: encrypted, keys_held_by: exporter, transfer_years: 2.5, "
            "measures: [access_controls]}}"
        )
        flow = load_map(self.write(tmp_path, tia)).flows[0]
        assert flow.tia == date(2026, 9, 1)
        record = flow.tia_record
        assert record is not None
        assert record.assessor == "Ann"
        assert record.answers is not None
        assert record.answers.reach("cn-nil-art7") is Reach.YES
        assert record.answers.in_class("ecsp") is Reach.NO
        assert record.answers.keys_held_by is KeyHolder.EXPORTER
        assert record.answers.transfer_years == 2.5

    def test_answers_file_in_yaml_and_json(self, tmp_path: Path) -> None:
        sheet = "data_form: clear\nrequests_received: 0\n"
        path = self.write(
            tmp_path, "{date: 2026-09-01, answers_file: tia/cn.yaml}", sheet
        )
        record = load_map(path).flows[0].tia_record
        assert record is not None
        assert record.answers_file == "tia/cn.yaml"
        assert record.answers == TiaAnswers(
            data_form=DataForm.CLEAR, requests_received=0
        )
        (tmp_path / "tia" / "cn.json").write_text(
            '{"data_form": "clear", "requests_received": 0}', encoding="utf-8"
        )
        path.write_text(
            MAP.replace("TIA", "{date: 2026-09-01, answers_file: tia/cn.json}"),
            encoding="utf-8",
        )
        other = load_map(path).flows[0].tia_record
        assert other is not None
        assert other.answers == record.answers

    def test_problems_in_a_sheet_name_its_file_and_line(self, tmp_path: Path) -> None:
        sheet = (
            "data_form: clear\nkeys_held_by: importer\nreached: {cn-nil-art7: maybe}\n"
        )
        path = self.write(
            tmp_path, "{date: 2026-09-01, answers_file: tia/cn.yaml}", sheet
        )
        with pytest.raises(DataMapError) as caught:
            load_map(path)
        found = {(p.file, p.line, p.path) for p in caught.value.problems}
        shown = str(tmp_path / "tia" / "cn.yaml")
        assert (shown, 2, "flows[0].tia.answers.keys_held_by") in found
        assert (shown, 3, "flows[0].tia.answers.reached.cn-nil-art7") in found

    def test_syntax_errors_in_a_sheet_are_located(self, tmp_path: Path) -> None:
        path = self.write(
            tmp_path, "{date: 2026-09-01, answers_file: tia/cn.yaml}", "a: [1,\n"
        )
        with pytest.raises(DataMapError) as caught:
            load_map(path)
        assert caught.value.problems[0].file == str(tmp_path / "tia" / "cn.yaml")

    @pytest.mark.parametrize(
        "name",
        [
            "../outside.yaml",
            "/etc/passwd.yaml",
            "tia\\cn.yaml",
            "C:/x.yaml",
            "tia/.hidden.yaml",
            "tia/cn.txt",
            "tia/../../x.yaml",
        ],
    )
    def test_unsafe_names_are_refused(self, tmp_path: Path, name: str) -> None:
        path = self.write(tmp_path, f"{{date: 2026-09-01, answers_file: '{name}'}}")
        with pytest.raises(DataMapError) as caught:
            load_map(path)
        problem = caught.value.problems[0]
        assert problem.path == "flows[0].tia.answers_file"
        assert problem.line is not None

    def test_a_link_out_of_the_folder_is_refused(self, tmp_path: Path) -> None:
        outside = tmp_path / "outside.yaml"
        outside.write_text("data_form: clear\n", encoding="utf-8")
        folder = tmp_path / "map"
        folder.mkdir()
        (folder / "tia").mkdir()
        (folder / "tia" / "cn.yaml").symlink_to(outside)
        path = folder / "map.yaml"
        path.write_text(
            MAP.replace("TIA", "{date: 2026-09-01, answers_file: tia/cn.yaml}"),
            encoding="utf-8",
        )
        with pytest.raises(DataMapError) as caught:
            load_map(path)
        assert "outside the map's folder" in caught.value.problems[0].message

    def test_a_long_name_is_refused(self, tmp_path: Path) -> None:
        name = "a" * 300 + ".yaml"
        path = self.write(tmp_path, f"{{date: 2026-09-01, answers_file: {name}}}")
        with pytest.raises(DataMapError) as caught:
            load_map(path)
        assert "at most 255 characters" in caught.value.problems[0].message

    def test_one_sheet_for_two_flows_is_read_once_and_located_for_both(
        self, tmp_path: Path
    ) -> None:
        text = MAP.replace("TIA", "{date: 2026-09-01, answers_file: tia/cn.yaml}")
        second = text[text.index("  - id: f1") :].replace("id: f1", "id: f2")
        path = tmp_path / "map.yaml"
        path.write_text(text + second, encoding="utf-8")
        (tmp_path / "tia").mkdir()
        (tmp_path / "tia" / "cn.yaml").write_text(
            "data_form: clear\nkeys_held_by: importer\n", encoding="utf-8"
        )
        with pytest.raises(DataMapError) as caught:
            load_map(path)
        found = {(p.path, p.line) for p in caught.value.problems}
        assert ("flows[0].tia.answers.keys_held_by", 2) in found
        assert ("flows[1].tia.answers.keys_held_by", 2) in found

    def test_missing_sheet(self, tmp_path: Path) -> None:
        path = self.write(tmp_path, "{date: 2026-09-01, answers_file: tia/none.yaml}")
        with pytest.raises(DataMapError) as caught:
            load_map(path)
        assert "no such file" in caught.value.problems[0].message

    @pytest.mark.parametrize(
        ("tia", "path", "message"),
        [
            (
                "{date: 2026-09-01, answers: {}, answers_file: tia/cn.yaml}",
                "flows[0].tia.answers_file",
                "not both",
            ),
            ("{assessor: Ann}", "flows[0].tia.date", "required key is missing"),
            ("{date: 2026-09-01, colour: red}", "flows[0].tia.colour", "unknown key"),
            (
                "{date: 2026-09-01, answers: {requests_years: 3}}",
                "flows[0].tia.answers.requests_years",
                "give requests_received too",
            ),
            (
                (
                    "{date: 2026-09-01, answers: {data_form: clear, "
                    "pseudonymisation_key_in_eea: true}}"
                ),
                "flows[0].tia.answers.pseudonymisation_key_in_eea",
                "only when data_form is 'pseudonymised'",
            ),
            (
                "{date: 2026-09-01, answers: {transfer_years: 0}}",
                "flows[0].tia.answers.transfer_years",
                "above 0",
            ),
            (
                (
                    "{date: 2026-09-01, answers: {requests_received: 1, "
                    "requests_years: 2.5}}"
                ),
                "flows[0].tia.answers.requests_years",
                "a whole number",
            ),
            (
                "{date: 2026-09-01, answers: {reached: {FISA: yes}}}",
                "flows[0].tia.answers.reached.FISA",
                "invalid law id",
            ),
            (
                "{date: 2026-09-01, answers: {data_form: hidden}}",
                "flows[0].tia.answers.data_form",
                "invalid value 'hidden'",
            ),
            (
                "{date: 2026-09-01, answers: [1]}",
                "flows[0].tia.answers",
                "expected the importer's answers (a mapping)",
            ),
        ],
    )
    def test_invalid_records(
        self, tmp_path: Path, tia: str, path: str, message: str
    ) -> None:
        with pytest.raises(DataMapError) as caught:
            load_map(self.write(tmp_path, tia))
        problems = caught.value.problems
        assert any(
            problem.path == path and message in problem.message and problem.line
            for problem in problems
        ), problems

    def test_a_map_from_a_string_cannot_name_a_sheet(self) -> None:
        with pytest.raises(DataMapError) as caught:
            parse_map(MAP.replace("TIA", "{date: 2026-09-01, answers_file: a.yaml}"))
        assert "map read from a file" in caught.value.problems[0].message

    def test_csv_and_yaml_round_trips(self, tmp_path: Path) -> None:
        sheet = "data_form: clear\n"
        path = self.write(
            tmp_path,
            "{date: 2026-09-01, assessor: Ann, answers_file: tia/cn.yaml}",
            sheet,
        )
        datamap = load_map(path)
        assert parse_map(map_yaml(datamap)) == datamap
        folder = tmp_path / "csv"
        write_csv_folder(datamap, folder)
        (folder / "tia").mkdir()
        (folder / "tia" / "cn.yaml").write_text(sheet, encoding="utf-8")
        header = (folder / "flows.csv").read_text(encoding="utf-8").splitlines()[0]
        assert "tia_assessor" in header
        assert "tia_answers_file" in header
        assert load_map(folder) == datamap

    def test_cli_exit_status_two(self, tmp_path: Path) -> None:
        from typer.testing import CliRunner  # noqa: PLC0415

        from transfer_assess.cli import app  # noqa: PLC0415

        path = self.write(tmp_path, "{date: 2026-09-01, answers_file: ../x.yaml}")
        result = CliRunner().invoke(app, ["validate", str(path)])
        assert result.exit_code == 2
        assert "Traceback" not in result.output


def test_findings_for_other_flows_keep_no_tia() -> None:
    datamap = parse_map(MAP.replace("TIA", "2026-09-01"))
    assert assess(datamap).finding("f1").tia is None


def test_a_custom_reference_set_carries_its_own_laws() -> None:
    laws = AccessLaws(
        version="t",
        as_of=DAY,
        guarantees={},
        classes={},
        entries=(law(country="CN", id="cn-test"),),
    )
    refdata = attrs.evolve(REFDATA, laws=laws)
    datamap = parse_map(
        MAP.replace("TIA", "{date: 2026-09-01, answers: {classes: {ecsp: no}}}")
    )
    finding = assess(datamap, refdata=refdata).finding("f1")
    assert finding.tia is not None
    assert finding.tia.conclusion is Conclusion.NOT_REACHED
    assert finding.status.value == "ok"


class TestQuestionnaireAndWhatIf:
    """``tia questionnaire`` writes an answer sheet; ``whatif`` changes answers."""

    def run(self, *args: str) -> Any:
        from typer.testing import CliRunner  # noqa: PLC0415

        from transfer_assess.cli import app  # noqa: PLC0415

        return CliRunner().invoke(app, list(args))

    def map_for(self, folder: Path, country: str, tia: str) -> Path:
        path = folder / "map.yaml"
        text = MAP.replace("TIA", tia).replace("to: cn", f"to: {country}")
        path.write_text(text, encoding="utf-8")
        return path

    def test_the_yaml_sheet_asks_every_reached_class_and_loads_as_is(
        self, tmp_path: Path
    ) -> None:
        path = self.map_for(tmp_path, "us", "2026-09-01")
        result = self.run("tia", "questionnaire", str(path), "f1", "--format", "yaml")
        assert result.exit_code == 0, result.output
        classes = {
            key
            for item in REFDATA.access_laws("US", DAY)
            for key in item.reaches
            if key != "any_organisation"
        }
        for key in classes:
            assert f"  {key}: unknown" in result.output
        (tmp_path / "sheet.yaml").write_text(result.output, encoding="utf-8")
        path.write_text(
            MAP.replace("TIA", "{date: 2026-09-01, answers_file: sheet.yaml}").replace(
                "to: cn", "to: us"
            ),
            encoding="utf-8",
        )
        record = load_map(path).flows[0].tia_record
        assert record is not None
        assert record.answers is not None
        assert {key for key, _ in record.answers.classes} == classes

    def test_markdown_names_the_laws_and_docx_needs_a_file(
        self, tmp_path: Path
    ) -> None:
        path = self.map_for(tmp_path, "cn", "2026-09-01")
        result = self.run("tia", "questionnaire", str(path), "f1")
        assert result.exit_code == 0
        assert REFDATA.laws.law("cn-nil-art7").url in result.output
        refused = self.run("tia", "questionnaire", str(path), "f1", "--format", "docx")
        assert refused.exit_code == 2
        target = tmp_path / "q.docx"
        written = self.run(
            "tia",
            "questionnaire",
            str(path),
            "f1",
            "--format",
            "docx",
            "-o",
            str(target),
        )
        assert written.exit_code == 0, written.output
        assert target.read_bytes()[:2] == b"PK"

    def test_unknown_flow(self, tmp_path: Path) -> None:
        path = self.map_for(tmp_path, "cn", "2026-09-01")
        result = self.run("tia", "questionnaire", str(path), "f9")
        assert result.exit_code == 2
        assert "no flow 'f9'" in result.output

    def test_whatif_changes_an_answer(self, tmp_path: Path) -> None:
        path = self.map_for(
            tmp_path, "cn", "{date: 2026-09-01, answers: {data_form: clear}}"
        )
        result = self.run(
            "whatif",
            str(path),
            "--tia-answer",
            "f1:data_form=encrypted",
            "--tia-answer",
            "f1:keys_held_by=exporter",
            "--format",
            "json",
        )
        assert result.exit_code == 0, result.output
        changes = json.loads(result.output)["changes"]
        assert [(item["before"], item["after"]) for item in changes] == [
            ("attention", "ok")
        ]

    @pytest.mark.parametrize(
        "option", ["f1:data_form=hidden", "f9:data_form=clear", "f1data_form"]
    )
    def test_whatif_refuses_bad_answers(self, tmp_path: Path, option: str) -> None:
        path = self.map_for(tmp_path, "cn", "2026-09-01")
        result = self.run("whatif", str(path), "--tia-answer", option)
        assert result.exit_code == 2
        assert "Traceback" not in result.output


def test_explain_shows_the_chain_of_the_assessment(tmp_path: Path) -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from transfer_assess.cli import app  # noqa: PLC0415

    path = tmp_path / "map.yaml"
    path.write_text(
        MAP.replace("TIA", "{date: 2026-09-01, answers: {data_form: clear}}"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["explain", str(path), "f1"], terminal_width=200)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Transfer impact assessment of 2026-09-01: residual" in text
    assert "cn-nil-art7" in text
    for name in ("request", "reach", "intelligible", "yearly"):
        assert f"{name} " in text
    assert "(evidence, not the decision)" in text


def test_transfer_page_reads_a_shared_note_once() -> None:
    from transfer_assess.report.tia import _standing_rows  # noqa: PLC0415

    titles = {key: (f"Guarantee {key}", "") for key in "ABCD"}
    rows = _standing_rows(law(), titles)
    # A, B and C share standing, note and sources; D differs (not met).
    assert [(row["key"], row["standing"]) for row in rows] == [
        ("A, B, C", STANDING_LABELS["met"]),
        ("D", STANDING_LABELS["not_met"]),
    ]
    assert rows[0]["title"] == "Guarantee A; Guarantee B; Guarantee C"
    other = {key: Standing("met", f"note {key}", ("source",)) for key in "ABCD"}
    assert len(_standing_rows(law(guarantees=other), titles)) == 4


def test_class_answers_read_as_labels_not_as_a_mapping() -> None:
    from transfer_assess.report.tia import _answer_text  # noqa: PLC0415

    names = {"ecsp": "Electronic communication service provider"}
    text = _answer_text({"ecsp": "yes", "other": "unknown"}, names)
    assert text == "Electronic communication service provider: yes; other: unknown"
    assert _answer_text(value=True, names=names) == "yes"
    assert _answer_text(value=False, names=names) == "no"


class TestCombination:
    """How the laws' yearly probabilities combine (docs/tia.md)."""

    def test_an_answered_request_count_is_shared_by_the_laws(self) -> None:
        # 0 requests in 5 years: 1/7 a year, for the importer, from any authority.
        answers = TiaAnswers(
            reached={"xx-one": Reach.YES, "xx-two": Reach.YES},
            requests_received=0,
            requests_years=5,
            transfer_years=1,
        )
        result = weigh(answers, (law(id="xx-one"), law(id="xx-two")))
        assert [item.yearly for item in result.laws] == [
            pytest.approx(1 / 7),
            pytest.approx(1 / 7),
        ]
        # Counted once, not once per law (which would give 1 - (6/7)^2 = 26.5 %).
        assert result.yearly == pytest.approx(1 / 7)
        assert result.probability == pytest.approx(1 / 7)
        assert "one request rate for all laws" in result.combination

    def test_shared_rate_times_any_law_yielding_intelligible_data(self) -> None:
        answers = TiaAnswers(
            reached={"xx-one": Reach.YES, "xx-two": Reach.NO},
            requests_received=0,
            requests_years=5,
            transfer_years=2,
        )
        result = weigh(answers, (law(id="xx-one"), law(id="xx-two")))
        assert result.yearly == pytest.approx(1 / 7)
        assert result.probability == pytest.approx(1 - (6 / 7) ** 2)

    def test_without_an_answer_the_laws_are_independent(self) -> None:
        answers = TiaAnswers(
            reached={"xx-one": Reach.YES, "xx-two": Reach.YES},
            data_form=DataForm.ENCRYPTED,
            keys_held_by=KeyHolder.EXPORTER,
            transfer_years=1,
        )
        result = weigh(answers, (law(id="xx-one"), law(id="xx-two")))
        # Default request 1 a year, 1 % intelligible, per law: 1 - 0.99^2.
        assert result.yearly == pytest.approx(1 - 0.99**2)
        assert result.combination == "the laws as independent sources of requests"

    def test_no_law_no_event(self) -> None:
        result = weigh(TiaAnswers(requests_received=3), ())
        assert result.yearly == 0.0
        assert result.probability == 0.0
