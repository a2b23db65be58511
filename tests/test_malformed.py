"""Regression cases: every malformed map in tests/malformed gives exit 2 and a located
message naming the file, and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from transfer_assess.cli import app

CASES = Path(__file__).resolve().parent / "malformed"
NAMES = sorted(
    path.name
    for path in CASES.iterdir()
    if path.suffix not in {".expect", ".md"} and not path.name.startswith(".")
)


def test_there_are_enough_cases() -> None:
    assert len(NAMES) >= 20


@pytest.mark.parametrize("name", NAMES)
def test_case(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES)
    expected = (CASES / f"{name}.expect").read_text(encoding="utf-8").splitlines()
    result = CliRunner().invoke(app, ["validate", name])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert name.split("/", 1)[0] in result.stderr
    for fragment in filter(None, (line.strip() for line in expected)):
        assert fragment in result.stderr
