"""The Fides side checked against the released fideslang: its taxonomy and models."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from typing import Any

import pytest
import yaml
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.models import Taxonomy
from hypothesis import given, settings
from pydantic import ValidationError

from tests.conftest import EXAMPLES, ROOT
from tests.mapfactory import as_yaml, entity, flow
from tests.mapfactory import document as document_with
from tests.strategies import documents
from transfer_assess import load_map, parse_map
from transfer_assess.interchange import export_fides
from transfer_assess.model import DataMap
from transfer_assess.refdata import data_dir, load_taxonomy


@pytest.fixture(scope="module")
def example() -> DataMap:
    """The global example map."""
    return load_map(EXAMPLES / "global-group.yaml")


def _file() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(
        (data_dir() / "taxonomy.json").read_text(encoding="utf-8")
    )
    return loaded


def test_taxonomy_names_the_installed_fideslang() -> None:
    assert _file()["fideslang"] == version("fideslang") == "3.1.4"


def test_fides_categories_are_exactly_the_released_defaults() -> None:
    entries = _file()["categories"]
    assert isinstance(entries, list)
    marked = [entry["key"] for entry in entries if entry.get("fides")]
    assert marked == [item.fides_key for item in DEFAULT_TAXONOMY.data_category]
    assert len(marked) == 85


def test_data_uses_and_subjects_are_the_released_defaults() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.data_uses == {item.fides_key for item in DEFAULT_TAXONOMY.data_use}
    assert taxonomy.data_subjects == {
        item.fides_key for item in DEFAULT_TAXONOMY.data_subject
    }
    assert len(taxonomy.data_uses) == 56
    assert len(taxonomy.data_subjects) == 15


def test_extension_is_everything_else_and_marked() -> None:
    taxonomy = load_taxonomy()
    released = {item.fides_key for item in DEFAULT_TAXONOMY.data_category}
    assert taxonomy.extension == taxonomy.keys - released
    assert taxonomy.extension.isdisjoint(released)
    assert "user.health" in taxonomy.extension
    entries = _file()["categories"]
    assert isinstance(entries, list)
    assert all(
        bool(entry.get("fides")) != bool(entry.get("extension")) for entry in entries
    )


def fides_problems(text: str) -> list[str]:
    """
    What fideslang's models, and a Fides server's references, refuse in a manifest.

    The models check every field's type and value; a server also wants every data
    category, data use and data subject a declaration names, and every parent key, to
    be a default or declared in the manifest, and every egress and ingress to name a
    system.
    """
    document = yaml.safe_load(text)
    try:
        taxonomy = Taxonomy.model_validate(document)
    except ValidationError as error:
        return [str(error)]
    problems: list[str] = []
    known = {
        "data_category": {item.fides_key for item in DEFAULT_TAXONOMY.data_category},
        "data_use": {item.fides_key for item in DEFAULT_TAXONOMY.data_use},
        "data_subject": {item.fides_key for item in DEFAULT_TAXONOMY.data_subject},
    }
    for kind in known:
        known[kind] |= {item.fides_key for item in getattr(taxonomy, kind)}
    problems.extend(
        f"{kind} {item.fides_key}: unknown parent"
        for kind in ("data_category", "data_use")
        for item in getattr(taxonomy, kind)
        if item.parent_key is not None and item.parent_key not in known[kind]
    )
    systems = {system.fides_key for system in taxonomy.system}
    for system in taxonomy.system:
        for entry in (system.egress or []) + (system.ingress or []):
            if entry.fides_key not in systems:
                problems.append(
                    f"{system.fides_key}: flow to unknown {entry.fides_key}"
                )
            problems.extend(
                f"{system.fides_key}: unknown category {key}"
                for key in entry.data_categories or []
                if key not in known["data_category"]
            )
        for declaration in system.privacy_declarations:
            where = f"{system.fides_key}/{declaration.name}"
            problems.extend(
                f"{where}: unknown category {key}"
                for key in declaration.data_categories
                if key not in known["data_category"]
            )
            if declaration.data_use not in known["data_use"]:
                problems.append(f"{where}: unknown data use {declaration.data_use}")
            problems.extend(
                f"{where}: unknown data subject {key}"
                for key in declaration.data_subjects
                if key not in known["data_subject"]
            )
    return problems


def test_example_export_is_accepted_by_fideslang(example: DataMap) -> None:
    text = export_fides(example)
    assert fides_problems(text) == []
    systems = yaml.safe_load(text)["system"]
    # fideslang 3: a list of the current labels, never a string.
    bases = {label for item in systems for label in item["legal_basis_for_transfers"]}
    assert bases <= {"Adequacy Decision", "SCCs", "BCRs", "Other"}
    assert "SCCs" in bases


def exported(category: str) -> dict[str, Any]:
    """The Fides export of a one-flow map carrying `category`, as plain values."""
    entities = [entity("a", "DE"), entity("b", "US")]
    flows = [flow("f", "a", "b", data_categories=[category])]
    value: dict[str, Any] = yaml.safe_load(
        export_fides(parse_map(as_yaml(document_with(entities, flows))))
    )
    return value


def test_extension_categories_are_declared_as_custom() -> None:
    declared = {
        item["fides_key"]: item
        for item in exported("user.health.genetic")["data_category"]
    }
    assert set(declared) == {"user.health", "user.health.genetic"}
    assert declared["user.health"]["parent_key"] == "user"
    assert "extension" in declared["user.health"]["description"]


def test_a_fides_export_of_a_fides_taxonomy_declares_nothing() -> None:
    assert "data_category" not in exported("user.contact.email")


@settings(max_examples=40, deadline=None)
@given(documents())
def test_every_generated_export_is_accepted_by_fideslang(value: dict[str, Any]) -> None:
    assert (
        fides_problems(export_fides(parse_map(json.dumps(value), format="json"))) == []
    )


def test_the_generator_finds_the_file_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "taxonomy.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "taxonomy.json is current"
