"""Builders of small valid data maps as plain values, for tests and strategies."""

from __future__ import annotations

import json
from typing import Any

import yaml

from transfer_assess.load.yaml_reader import resolve_plain


def entity(entity_id: str, country: str = "DE", **extra: Any) -> dict[str, Any]:
    """A valid entity mapping."""
    return {
        "id": entity_id,
        "name": f"{entity_id} Ltd",
        "kind": "affiliate",
        "country": country,
        **extra,
    }


def flow(flow_id: str, source: str, target: str, **extra: Any) -> dict[str, Any]:
    """A valid flow mapping."""
    return {
        "id": flow_id,
        "from": source,
        "to": target,
        "exporter_role": "controller",
        "importer_role": "processor",
        "data_subjects": ["customers"],
        "data_categories": ["user.contact.email"],
        "purposes": ["customer_support"],
        "frequency": "continuous",
        **extra,
    }


def document(
    entities: list[dict[str, Any]] | None = None,
    flows: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A valid top-level mapping (two entities and one flow by default)."""
    if entities is None:
        entities = [entity("hq-de"), entity("us-cloud", "US")]
    if flows is None:
        flows = [flow("crm-sync", "hq-de", "us-cloud")]
    return {
        "version": 1,
        "organisation": "Example Group",
        "entities": entities,
        "flows": flows,
        **extra,
    }


class _Yaml12Dumper(yaml.SafeDumper):
    """PyYAML's dumper, quoting strings that YAML 1.2 would read as something else.

    PyYAML writes YAML 1.1: it leaves ``0E0`` plain (not a float in 1.1), which a
    YAML 1.2 reader rightly reads as a number.
    """


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    if not isinstance(resolve_plain(text), str):
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
    return dumper.represent_str(text)


_Yaml12Dumper.add_representer(str, _represent_str)


def as_yaml(value: Any) -> str:
    """Dump plain values as block YAML that a YAML 1.2 reader reads back the same."""
    text: str = yaml.dump(
        value, Dumper=_Yaml12Dumper, sort_keys=False, allow_unicode=True
    )
    return text


def as_json(value: Any) -> str:
    """Dump plain values as indented JSON."""
    return json.dumps(value, indent=2, ensure_ascii=False)
