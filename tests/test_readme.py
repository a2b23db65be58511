"""The README stays true: its help text, its map and its two commands."""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest
from typer.testing import CliRunner

from tests.conftest import GOLDEN, ROOT
from transfer_assess import parse_map
from transfer_assess.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_embedded_help_matches() -> None:
    block = README.split("## Commands\n\n```\n", 1)[1].split("```", 1)[0]
    result = CliRunner().invoke(app, ["--help"], terminal_width=80)
    assert result.stdout.strip() == block.strip()


def test_embedded_map_is_valid() -> None:
    block = README.split("```yaml\n", 1)[1].split("```", 1)[0]
    datamap = parse_map(block, file="README.md")
    assert datamap.flow("crm-sync").importer == "us-cloud"


def test_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    commands = re.findall(r"^    (python3 -m venv \.venv && .*)$", README, re.MULTILINE)
    assert len(commands) == 2
    assert "examples/global-group.yaml" in commands[0]
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # .ci/run takes the command from this README (sed) and runs it with bash -c.
    assert r"\(python3 -m venv .venv && .*coverage report\)$" in ci
    assert 'bash -c "$test_command"' in ci
    assert commands[1].endswith("coverage report")


def test_says_information_not_legal_advice() -> None:
    assert "information, not legal advice" in README


def test_python_example_prints_the_gaps_then_the_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The example prints each gap's first recommendation, then the report@1 JSON.

    The expected text comes from the reviewed snapshot tests/golden/report.json (the
    same map and date), not from running the library a second time.
    """
    block = README.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    snapshot = (GOLDEN / "report.json").read_text(encoding="utf-8")
    gaps = [
        f"{finding['flow']} {finding['recommendations'][0]['detail']}\n"
        for finding in json.loads(snapshot)["findings"]
        if finding["status"] == "gap"
    ]
    assert gaps, "the example map is meant to show gaps"
    assert printed.getvalue() == "".join(gaps) + snapshot + "\n"


def test_cli_docs_show_the_same_help() -> None:
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    block = page.split("$ transfer-assess --help\n", 1)[1].split("```", 1)[0]
    result = CliRunner().invoke(app, ["--help"], terminal_width=80)
    assert result.stdout.strip() == block.strip()
