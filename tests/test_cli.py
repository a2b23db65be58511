"""The command line: commands, exit codes and messages."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, ROOT
from tests.mapfactory import as_yaml, document
from transfer_assess import __version__, engine
from transfer_assess.cli import app

runner = CliRunner()


class TestValidate:
    """``transfer-assess validate``."""

    def test_valid_examples(self) -> None:
        for name in ("global-group.yaml", "small.yaml", "global-group-csv"):
            result = runner.invoke(app, ["validate", str(EXAMPLES / name)])
            assert result.exit_code == 0, result.output
            assert "valid" in result.stdout

    def test_invalid_map_exits_2_with_located_problems(self, tmp_path: Path) -> None:
        value = document()
        value["flows"][0]["to"] = "us-clud"
        path = tmp_path / "map.yaml"
        text = as_yaml(value)
        path.write_text(text, encoding="utf-8")
        line = text.splitlines().index("  to: us-clud") + 1
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 2
        assert (
            f"{path}:{line}: flows[0].to: unknown entity 'us-clud' (did you mean "
            "'us-cloud'?)"
        ) in result.stderr
        assert "Traceback" not in result.output

    def test_warnings_go_to_stderr(self, tmp_path: Path) -> None:
        value = document()
        value["flows"][0]["data_categories"] = ["crm.secret_sauce"]
        path = tmp_path / "map.yaml"
        path.write_text(as_yaml(value), encoding="utf-8")
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 0
        assert "warning: category 'crm.secret_sauce'" in result.stderr

    def test_markup_in_values_is_printed_literally(self, tmp_path: Path) -> None:
        value = document()
        value["flows"][0]["to"] = "[bold red]x"
        path = tmp_path / "map.yaml"
        path.write_text(as_yaml(value), encoding="utf-8")
        result = runner.invoke(app, ["validate", str(path)])
        assert "unknown entity '[bold red]x'" in result.stderr

    def test_missing_file(self) -> None:
        result = runner.invoke(app, ["validate", "no-such-map.yaml"])
        assert result.exit_code == 2
        assert "no-such-map.yaml: no such file" in result.stderr

    def test_missing_argument_is_a_usage_error(self) -> None:
        result = runner.invoke(app, ["validate"])
        assert result.exit_code == 2


class TestCountries:
    """``transfer-assess countries``."""

    def test_no_us_decision_in_august_2020(self) -> None:
        result = runner.invoke(app, ["countries", "--as-of", "2020-08-01"])
        assert result.exit_code == 0
        assert "Switzerland" in result.stdout
        assert "us-" not in result.stdout

    def test_dpf_brazil_and_epo_today(self) -> None:
        result = runner.invoke(app, ["countries", "--as-of", "2026-11-28"])
        assert result.exit_code == 0
        for expected in ("us-dpf", "brazil", "european-patent-organisation"):
            assert expected in result.stdout
        assert "C-703/25 P" in result.stdout
        assert "gb-led-2025" not in result.stdout

    def test_law_enforcement_decisions_on_request(self) -> None:
        result = runner.invoke(
            app, ["countries", "--as-of", "2026-11-28", "--include-led"]
        )
        assert "gb-led-2025" in result.stdout

    def test_before_the_gdpr(self) -> None:
        result = runner.invoke(app, ["countries", "--as-of", "2018-05-24"])
        assert result.exit_code == 2
        assert "before 2018-05-25" in result.stderr

    def test_not_a_date(self) -> None:
        for text in ("2026-13-01", "20261128", "yesterday"):
            result = runner.invoke(app, ["countries", "--as-of", text])
            assert result.exit_code == 2
            assert "is not an ISO 8601 date" in result.stderr

    def test_default_is_today(self) -> None:
        result = runner.invoke(app, ["countries"])
        assert result.exit_code == 0
        assert "Adequacy decisions in force on" in result.stdout


class TestProgram:
    """The installed program and ``python -m``."""

    def test_version(self) -> None:
        result = runner.invoke(app, ["--version"])
        assert result.exit_code == 0
        assert result.stdout.strip() == f"transfer-assess {__version__}"

    def test_help_names_exit_codes(self) -> None:
        result = runner.invoke(app, ["--help"])
        assert result.exit_code == 0
        assert "Exit status: 0 done; 1 a --fail-on threshold" in " ".join(
            result.stdout.split()
        )

    def test_module_entry_point(self) -> None:
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "transfer_assess",
                "validate",
                "examples/small.yaml",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        assert "examples/small.yaml: valid" in completed.stdout

    def test_bad_input_never_shows_a_traceback(self, tmp_path: Path) -> None:
        path = tmp_path / "map.json"
        path.write_text('{"version": 1, "organisation": ', encoding="utf-8")
        completed = subprocess.run(
            [sys.executable, "-m", "transfer_assess", "validate", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 2
        assert "Traceback" not in completed.stderr
        assert completed.stderr.startswith(f"{path}:1: JSON syntax error")


class TestCollector:
    """``assess`` runs with the cyclic garbage collector off, then restores it."""

    def _states(self, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
        # Every format assesses through assess_stream (the JSON report directly,
        # the others through assess): the collector's state is seen there.
        seen: list[bool] = []
        real = engine.assess_stream

        def spy(*args: Any, **kwargs: Any) -> Any:
            seen.append(gc.isenabled())
            return real(*args, **kwargs)

        monkeypatch.setattr(engine, "assess_stream", spy)
        return seen

    def test_off_while_assessing_and_back_on_after(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        seen = self._states(monkeypatch)
        assert gc.isenabled()
        path = str(EXAMPLES / "small.yaml")
        result = runner.invoke(app, ["assess", path, "--format", "json"])
        assert result.exit_code == 0, result.output
        assert seen == [False]
        assert gc.isenabled()

    def test_back_on_after_a_failure(self, tmp_path: Path) -> None:
        path = tmp_path / "map.json"
        path.write_text('{"version": 1, "organisation": ', encoding="utf-8")
        result = runner.invoke(app, ["assess", str(path)])
        assert result.exit_code == 2
        assert gc.isenabled()

    def test_left_off_when_the_caller_had_it_off(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        seen = self._states(monkeypatch)
        gc.disable()
        try:
            result = runner.invoke(app, ["assess", str(EXAMPLES / "small.yaml")])
            assert not gc.isenabled()
        finally:
            gc.enable()
        assert result.exit_code == 0, result.output
        assert seen == [False]


class TestLimits:
    """The root options that bound the input."""

    def test_limits_are_enforced(self) -> None:
        example = str(EXAMPLES / "global-group.yaml")
        flows = runner.invoke(app, ["--max-flows", "3", "validate", example])
        assert flows.exit_code == 2
        assert "39 flows exceed the limit of 3" in flows.stderr
        size = runner.invoke(app, ["--max-file-size", "100", "assess", example])
        assert size.exit_code == 2
        assert "over the limit of 100" in size.stderr
        entities = runner.invoke(app, ["--max-entities", "2", "validate", example])
        assert "31 entities exceed the limit of 2" in entities.stderr
        depth = runner.invoke(app, ["--max-depth", "2", "validate", example])
        assert depth.exit_code == 2
        assert (
            runner.invoke(app, ["--max-depth", "64", "validate", example]).exit_code
            == 0
        )

    def test_terminal_output_is_inert(self, tmp_path: Path) -> None:
        value = document()
        value["organisation"] = "Evil [bold]Group[/bold]"
        path = tmp_path / "map.json"
        path.write_text(json.dumps(value), encoding="utf-8")
        result = runner.invoke(app, ["assess", str(path)], color=True)
        assert "[bold]Group[/bold]" in result.stdout

    def test_control_characters_are_refused_with_their_code_point(
        self, tmp_path: Path
    ) -> None:
        value = document()
        value["organisation"] = "Evil\x1b[2J\x07 Group"
        path = tmp_path / "map.json"
        path.write_text(json.dumps(value), encoding="utf-8")
        result = runner.invoke(app, ["assess", str(path)], color=True)
        assert result.exit_code == 2
        assert "\x1b[2J" not in result.stdout + result.stderr
        assert f"{path}:1: organisation: contains U+001B ESCAPE at character 5" in (
            result.stderr
        )
