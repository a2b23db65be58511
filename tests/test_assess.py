"""The assessment: verdicts, recommendations, the JSON report, the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, ROOT
from tests.mapfactory import as_yaml, document, entity, flow
from transfer_assess import InputError, load_map, parse_map
from transfer_assess.cli import app
from transfer_assess.engine import assess
from transfer_assess.findings import Action, Basis, Finding, Status
from transfer_assess.model import EntityKind, Frequency, Mechanism
from transfer_assess.report.json import schema_text
from transfer_assess.rules import ALL_RULES, RULES, Settings, rule, rules_markdown
from transfer_assess.rules.derogations import admissible as derogation_admissible

DAY = date(2026, 11, 28)
DEROGATIONS = [item for item in Mechanism if item.value.startswith("derogation:")]
SCHEMA = json.loads(schema_text())
runner = CliRunner()


def one(
    target: dict[str, Any],
    day: date = DAY,
    source: dict[str, Any] | None = None,
    **flow_fields: Any,
) -> Finding:
    """Assess a single flow from `source` (default: a German controller) to `target`."""
    source = source or entity("hq-de")
    value = document(
        entities=[source, target],
        flows=[flow("f", source["id"], target["id"], **flow_fields)],
    )
    return assess(parse_map(as_yaml(value)), as_of=day).finding("f")


def actions(finding: Finding) -> list[str]:
    return [item.action.value for item in finding.recommendations]


class TestVerdicts:
    """A few situations end to end (the scenario files hold the full table)."""

    def test_dpf_certified_processor(self) -> None:
        finding = one(entity("us", "US", certifications=["dpf"]), mechanism="dpf")
        assert (finding.basis, finding.status) == (Basis.ADEQUACY, Status.OK)
        assert "EU.ADEQUACY.WATCH" in finding.rules
        assert actions(finding) == ["scc"]
        assert finding.scc_module == 2

    def test_uncertified_importer_with_dpf_claim(self) -> None:
        finding = one(entity("us", "US"), mechanism="dpf")
        assert (finding.basis, finding.status) == (Basis.NONE, Status.GAP)
        assert actions(finding)[:3] == ["fix_mechanism", "dpf", "scc"]
        assert finding.rules[-1] == "EU.MECHANISM.CLAIM"

    def test_privacy_shield_ended_on_the_judgment_day(self) -> None:
        target = entity("us", "US", certifications=["privacy-shield"])
        assert one(target, date(2020, 7, 15), mechanism="adequacy").basis is (
            Basis.ADEQUACY
        )
        late = one(target, date(2020, 7, 16), mechanism="adequacy")
        assert late.status is Status.GAP
        assert "2020-07-16" in late.reasons[-1].text

    def test_wrong_module(self) -> None:
        finding = one(
            entity("my", "MY"),
            importer_role="controller",
            mechanism="scc",
            scc_module=2,
            tia="2026-06-01",
        )
        assert (finding.status, finding.scc_module) == (Status.GAP, 1)
        assert actions(finding)[0] == "fix_mechanism"
        assert "module 1" in finding.recommendations[0].detail

    @pytest.mark.parametrize(
        ("roles", "module"),
        [
            (("controller", "controller"), 1),
            (("controller", "processor"), 2),
            (("processor", "processor"), 3),
            (("processor", "controller"), 4),
        ],
    )
    def test_all_modules(self, roles: tuple[str, str], module: int) -> None:
        finding = one(
            entity("in", "IN"),
            exporter_role=roles[0],
            importer_role=roles[1],
            mechanism="scc",
            scc_module=module,
            tia="2026-06-01",
        )
        assert (finding.basis, finding.status, finding.scc_module) == (
            Basis.SCC,
            Status.OK,
            module,
        )
        # ok, but India has no adequacy decision and the importer sees the data in
        # clear: the finding carries the EDPB use-case 6/7 advisory (issue 12).
        assert actions(finding) == ["supplementary_measures"]
        assert "use cases 6 and 7" in finding.recommendations[0].citations[0]

    def test_stale_tia_threshold_is_a_setting(self) -> None:
        value = document(
            entities=[entity("hq-de"), entity("in", "IN")],
            flows=[
                flow(
                    "f", "hq-de", "in", mechanism="scc", scc_module=2, tia="2026-01-01"
                )
            ],
        )
        datamap = parse_map(as_yaml(value))
        assert assess(datamap, as_of=DAY).finding("f").status is Status.OK
        strict = assess(datamap, as_of=DAY, settings=Settings(tia_max_age_days=90))
        assert strict.finding("f").status is Status.ATTENTION
        assert actions(strict.finding("f"))[0] == "tia"

    def test_consent_for_a_continuous_flow(self) -> None:
        finding = one(entity("us", "US"), mechanism="derogation:consent")
        assert finding.status is Status.GAP
        assert "consent" not in actions(finding)
        assert finding.rules[-1] == "EU.DEROGATION.FREQUENCY"

    def test_public_interest_regular_moves_to_a_durable_tool(self) -> None:
        finding = one(
            entity("us", "US"),
            mechanism="derogation:public_interest",
            frequency="regular",
        )
        assert (finding.basis, finding.status) == (Basis.DEROGATION, Status.ATTENTION)
        assert "scc" in actions(finding)

    def test_public_authority_cannot_consent(self) -> None:
        authority = entity("tax", kind="public_authority", sector="public")
        finding = one(
            entity("us", "US"),
            source=authority,
            mechanism="derogation:consent",
            frequency="one_off",
        )
        assert finding.status is Status.GAP
        assert "EU.DEROGATION.PUBLIC_AUTHORITY" in finding.rules
        assert "consent" not in actions(finding)

    #: Art. 49 read restrictively (rules.md, EU.DEROGATION.*), written out here
    #: independently of the rule module: the derogations that serve only one-off or
    #: occasional flows, and those Art. 49(3) closes to public authorities.
    OCCASIONAL_ONLY = frozenset(
        {"consent", "contract", "contract_in_interest", "legal_claims",
         "compelling_legitimate_interests", "vital_interests"}
    )  # fmt: skip
    NOT_FOR_AUTHORITIES = frozenset(
        {"consent", "contract", "contract_in_interest",
         "compelling_legitimate_interests"}
    )  # fmt: skip

    @pytest.mark.parametrize("kind", ["affiliate", "public_authority"])
    @pytest.mark.parametrize(
        "frequency", ["one_off", "occasional", "regular", "continuous"]
    )
    def test_every_derogation_frequency_and_exporter(
        self, kind: str, frequency: str
    ) -> None:
        source = entity(
            "ex", kind=kind, sector="public" if kind != "affiliate" else "private"
        )
        for mechanism in sorted(DEROGATIONS, key=lambda item: item.value):
            words = mechanism.value.removeprefix("derogation:")
            refused = (
                words in self.OCCASIONAL_ONLY and frequency in {"regular", "continuous"}
            ) or (words in self.NOT_FOR_AUTHORITIES and kind == "public_authority")
            finding = one(
                entity("us", "US"), source=source, mechanism=mechanism.value,
                frequency=frequency,
            )  # fmt: skip
            expected = (Basis.NONE, Status.GAP) if refused else (
                Basis.DEROGATION, Status.ATTENTION
            )  # fmt: skip
            assert (finding.basis, finding.status) == expected, mechanism
            assert ("EU.DEROGATION.ADMISSIBLE" in finding.rules) is not refused
            assert derogation_admissible(
                mechanism, Frequency(frequency), EntityKind(kind)
            ) is not refused  # fmt: skip

    def test_evaluate_takes_the_decision_of_admissible(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # One decision for every regime: the EU rule follows `admissible` too.
        admissible = one(
            entity("us", "US"), mechanism="derogation:legal_claims",
            frequency="one_off",
        )  # fmt: skip
        assert admissible.status is Status.ATTENTION
        monkeypatch.setattr(
            "transfer_assess.rules.derogations.admissible", lambda *_: False
        )
        refused = one(
            entity("us", "US"), mechanism="derogation:legal_claims",
            frequency="one_off",
        )  # fmt: skip
        assert (refused.basis, refused.status) == (Basis.NONE, Status.GAP)
        assert "fix_mechanism" in actions(refused)

    def test_uk_before_and_after_the_bridge(self) -> None:
        bridge = one(entity("gb", "GB"), date(2021, 3, 1))
        assert (bridge.transfer, bridge.basis) == (False, Basis.EEA)
        adequate = one(entity("gb", "GB"), date(2021, 7, 1))
        assert (adequate.transfer, adequate.basis) == (True, Basis.ADEQUACY)
        assert "EU.ADEQUACY.CONDITION" in adequate.rules

    def test_uk_lapse_warning_as_known_on_the_date(self) -> None:
        spring = one(entity("gb", "GB"), date(2025, 3, 1))
        assert spring.status is Status.ATTENTION
        assert "EU.ADEQUACY.LAPSE" in spring.rules
        assert "2025-06-27" in next(
            reason.text
            for reason in spring.reasons
            if reason.rule == "EU.ADEQUACY.LAPSE"
        )
        renewed = one(entity("gb", "GB"), date(2025, 12, 20))
        assert renewed.status is Status.OK

    def test_canadian_hr_data(self) -> None:
        finding = one(entity("ca", "CA"), data_subjects=["employees"])
        assert (finding.basis, finding.status) == (Basis.ADEQUACY, Status.ATTENTION)
        assert actions(finding) == ["legal_review"]

    def test_eea_efta_exporters_to_brazil(self) -> None:
        # Norway and Iceland apply each decision from its EU date; Liechtenstein only
        # once the EEA Agreement takes it in, not known for Brazil (issue 11, §7a).
        for country in ("NO", "IS"):
            finding = one(entity("br", "BR"), source=entity("x", country))
            assert (finding.basis, finding.status) == (Basis.ADEQUACY, Status.OK)
            assert "EU.ADEQUACY.EEA_EFTA" not in finding.rules
        finding = one(entity("br", "BR"), source=entity("li", "LI"))
        assert (finding.basis, finding.status) == (Basis.ADEQUACY, Status.ATTENTION)
        assert "EU.ADEQUACY.EEA_EFTA" in finding.rules
        to_swiss = one(entity("ch", "CH"), source=entity("li", "LI"))
        assert to_swiss.status is Status.OK

    def test_onward_chain_and_advice(self) -> None:
        value = document(
            entities=[entity("hq-de"), entity("us", "US", certifications=["dpf"]),
                      entity("in", "IN")],
            flows=[flow("a", "hq-de", "us", mechanism="dpf"),
                   flow("b", "us", "in", exporter_role="processor")],
        )  # fmt: skip
        finding = assess(parse_map(as_yaml(value)), as_of=DAY).finding("b")
        assert (finding.onward, finding.status, finding.scc_module) == (
            True,
            Status.GAP,
            3,
        )
        assert finding.chain == ("hq-de", "us", "in")
        scc = next(
            item for item in finding.recommendations if item.action is Action.SCC
        )
        # The data reached us under the DPF: its onward principle applies.
        assert "DPF Accountability for Onward Transfer" in scc.detail
        assert "Clause" not in scc.detail

    def test_onward_advice_names_the_inbound_contract(self) -> None:
        value = document(
            entities=[entity("hq-de"), entity("us", "US"), entity("in", "IN")],
            flows=[flow("a", "hq-de", "us", mechanism="scc", scc_module=2,
                        tia="2026-10-01"),
                   flow("b", "us", "in", exporter_role="processor",
                        importer_role="controller")],
        )  # fmt: skip
        finding = assess(parse_map(as_yaml(value)), as_of=DAY).finding("b")
        scc = next(
            item for item in finding.recommendations if item.action is Action.SCC
        )
        assert "module 4" in scc.detail
        assert "Clauses 8.8 and 9 of the SCCs (module 2) of flow a" in scc.detail

    def test_anonymise_recommended_for_statistics(self) -> None:
        finding = one(
            entity("in", "IN"), purposes=["analytics.reporting", "statistics"]
        )
        assert actions(finding)[0] == "anonymise"


class TestAssessment:
    """The whole map: determinism, inactive flows, the JSON contract."""

    def test_example_validates_against_the_schema(self) -> None:
        result = assess(load_map(EXAMPLES / "global-group.yaml"), as_of=DAY)
        jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(result.to_json()))
        assert result.summary.inactive == 2
        assert result.summary.flows == 37
        assert result.summary.findings == len(result.findings) == 42
        assert result.regimes == ("EU", "UK", "CH")

    def test_same_input_gives_identical_bytes(self) -> None:
        first = assess(load_map(EXAMPLES / "global-group.yaml"), as_of=DAY).to_json()
        second = assess(load_map(EXAMPLES / "global-group-csv"), as_of=DAY).to_json()
        assert first == second

    def test_findings_sorted_by_flow(self) -> None:
        result = assess(load_map(EXAMPLES / "global-group.yaml"), as_of=DAY)
        flows = [finding.flow for finding in result.findings]
        assert flows == sorted(flows)

    def test_before_the_gdpr_is_refused(self) -> None:
        with pytest.raises(InputError):
            assess(load_map(EXAMPLES / "small.yaml"), as_of=date(2018, 5, 1))

    def test_unknown_regime(self) -> None:
        with pytest.raises(InputError, match="unknown regime"):
            assess(load_map(EXAMPLES / "small.yaml"), as_of=DAY, regime="CN")

    def test_schema_copy_in_docs(self) -> None:
        assert (ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8") == (
            schema_text()
        )

    def test_unknown_flow(self) -> None:
        result = assess(load_map(EXAMPLES / "small.yaml"), as_of=DAY)
        with pytest.raises(KeyError):
            result.finding("nope")


class TestRuleCatalogue:
    """docs/rules.md is generated from the rules and every id is unique."""

    def test_docs_match_the_code(self) -> None:
        page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
        assert page == rules_markdown(), (
            "run: python -m transfer_assess.rules > docs/rules.md"
        )

    def test_ids_are_unique_and_cited(self) -> None:
        ids = [item.id for item in RULES]
        assert len(ids) == len(set(ids))
        assert all(item.articles for item in RULES)
        assert rule("EU.SCC.MODULE").title
        with pytest.raises(KeyError):
            rule("EU.NOPE")

    def test_example_fires_only_documented_rules(self) -> None:
        result = assess(load_map(EXAMPLES / "global-group.yaml"), as_of=DAY)
        fired = {
            reason.rule for finding in result.findings for reason in finding.reasons
        }
        assert fired <= {item.id for item in ALL_RULES}


def write_map(tmp_path: Path, value: dict[str, Any]) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(as_yaml(value), encoding="utf-8")
    return path


def one_scc_flow() -> dict[str, Any]:
    """One flow to the US under SCC module 2, TIA of 2026-10-01: ok on 2026-11-28."""
    return document(
        flows=[
            flow(
                "f",
                "hq-de",
                "us-cloud",
                mechanism="scc",
                scc_module=2,
                tia="2026-10-01",
            )
        ]
    )


class TestCli:
    """``assess`` and ``explain``."""

    def test_table(self) -> None:
        result = runner.invoke(app, ["assess", str(EXAMPLES / "global-group.yaml")])
        assert result.exit_code == 0, result.output
        # nl-proc-to-in rests on the group's BCR-C since issue 12 (attention);
        # ie-proc-to-hq's TIA with answers concludes residual risk (issue 18):
        # attention, not a gap, as China's laws have no assessed standing.
        assert "11 gap" in result.stdout
        assert "not legal advice" in result.stdout

    def test_json_to_stdout_and_default_date_from_the_map(self) -> None:
        result = runner.invoke(
            app, ["assess", str(EXAMPLES / "global-group.yaml"), "--format", "json"]
        )
        report = json.loads(result.stdout)
        assert report["as_of"] == "2026-11-28"
        jsonschema.Draft202012Validator(SCHEMA).validate(report)

    # The JSON report counts its findings as it writes them (a tally); the other
    # formats read the finished assessment: --fail-on is checked both ways.
    @pytest.mark.parametrize("output_format", ["table", "json"])
    def test_fail_on(self, output_format: str) -> None:
        small = ["assess", str(EXAMPLES / "small.yaml"), "--format", output_format]
        assert runner.invoke(app, [*small, "--fail-on", "gap"]).exit_code == 1
        assert runner.invoke(app, small).exit_code == 0
        clean = runner.invoke(
            app, [*small, "--as-of", "2026-11-28", "--fail-on", "attention"]
        )
        assert clean.exit_code == 1

    @pytest.mark.parametrize("output_format", ["table", "json"])
    @pytest.mark.parametrize("fail_on", ["attention", "gap"])
    def test_fail_on_not_reached(
        self, tmp_path: Path, output_format: str, fail_on: str
    ) -> None:
        path = write_map(tmp_path, one_scc_flow())
        result = runner.invoke(
            app,
            [
                "assess",
                str(path),
                "--as-of",
                "2026-11-28",
                "--format",
                output_format,
                "--fail-on",
                fail_on,
            ],
        )
        assert result.exit_code == 0, result.output

    def test_output_file(self, tmp_path: Path) -> None:
        target = tmp_path / "report.json"
        result = runner.invoke(
            app,
            [
                "assess",
                str(EXAMPLES / "small.yaml"),
                "--format",
                "json",
                "--output",
                str(target),
            ],
        )
        assert result.exit_code == 0
        assert json.loads(target.read_text(encoding="utf-8"))["schema"] == (
            "transfer-assess/report@1"
        )
        assert list(tmp_path.iterdir()) == [target]
        table = tmp_path / "report.txt"
        runner.invoke(
            app, ["assess", str(EXAMPLES / "small.yaml"), "--output", str(table)]
        )
        assert "gap (1)" in table.read_text(encoding="utf-8")

    def test_output_never_overwrites_the_map(self, tmp_path: Path) -> None:
        path = write_map(tmp_path, document())
        before = path.read_text(encoding="utf-8")
        result = runner.invoke(app, ["assess", str(path), "--output", str(path)])
        assert result.exit_code == 2
        assert "would overwrite the map" in result.stderr
        assert path.read_text(encoding="utf-8") == before

    def test_unwritable_output(self, tmp_path: Path) -> None:
        result = runner.invoke(
            app,
            [
                "assess",
                str(EXAMPLES / "small.yaml"),
                "--output",
                str(tmp_path / "no" / "r.json"),
            ],
        )
        assert result.exit_code == 2
        assert "cannot write" in result.stderr

    def test_invalid_map(self, tmp_path: Path) -> None:
        value = document()
        value["flows"][0]["to"] = "nobody"
        result = runner.invoke(app, ["assess", str(write_map(tmp_path, value))])
        assert result.exit_code == 2
        assert "unknown entity 'nobody'" in result.stderr

    def test_explain(self) -> None:
        result = runner.invoke(
            app,
            [
                "explain",
                str(EXAMPLES / "global-group.yaml"),
                "in-support-to-ph-overflow",
            ],
            terminal_width=100,
        )
        assert result.exit_code == 0, result.output
        for expected in (
            "EU.SCOPE.ONWARD",
            "eu-de → us-cloud → in-support → ph-overflow",
            "Recommendations, best first",
            "Sources:",
        ):
            assert expected in result.stdout

    def test_explain_unknown_and_inactive_flows(self) -> None:
        example = str(EXAMPLES / "global-group.yaml")
        unknown = runner.invoke(app, ["explain", example, "de-to-us-clod"])
        assert unknown.exit_code == 2
        assert "did you mean 'de-to-us-cloud'" in unknown.stderr
        inactive = runner.invoke(app, ["explain", example, "fr-to-br"])
        assert inactive.exit_code == 2
        assert inactive.stderr == (
            "error: flow 'fr-to-br' does not exist on 2026-11-28\n"
        )

    def test_explain_a_flow_without_a_finding_under_the_regime(self) -> None:
        # de-to-us-cloud carries no UK data: it has an EU finding only. The flow
        # exists, so the message says what is missing, not that the flow is unknown.
        example = str(EXAMPLES / "global-group.yaml")
        result = runner.invoke(
            app, ["explain", example, "de-to-us-cloud", "--regime", "UK"]
        )
        assert result.exit_code == 2
        assert result.stderr == (
            f"error: {example}: flow 'de-to-us-cloud' has no UK finding on 2026-11-28\n"
        )

    def test_assess_before_the_gdpr(self) -> None:
        result = runner.invoke(
            app, ["assess", str(EXAMPLES / "small.yaml"), "--as-of", "2017-01-01"]
        )
        assert result.exit_code == 2
