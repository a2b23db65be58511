"""An unpaired surrogate in a map is refused with its place, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.mapfactory import document, entity
from transfer_assess.cli import app
from transfer_assess.safetext import inert, unsafe_character


def test_the_loader_names_the_field_and_the_code_point(tmp_path: Path) -> None:
    value = document(
        entities=[entity("hq-de", name="A\ud800B"), entity("us-cloud", "US")]
    )
    path = tmp_path / "map.json"
    # json.dumps writes the surrogate as the escape "\ud800", as a hostile file would.
    path.write_text(json.dumps(value), encoding="utf-8")
    assert "\\ud800" in path.read_text(encoding="utf-8")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["assess", str(path), "--format", "json", "--output", str(out)]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "entities[0].name: contains U+D800 UNPAIRED SURROGATE at character 2" in (
        result.stderr
    )
    assert not out.exists()


def test_unsafe_in_both_forms_and_shown_escaped() -> None:
    for character in ("\ud800", "\udbff", "\udc00", "\udfff"):
        for multiline in (False, True):
            found = unsafe_character(f"a{character}", multiline=multiline)
            assert found is not None
            assert found.endswith("UNPAIRED SURROGATE at character 2")
        assert inert(f"a{character}") == f"a\\u{ord(character):04x}"
    # A pair that makes one character outside the BMP is ordinary text.
    assert unsafe_character("\U0001f600") is None
