"""Builders of small valid data maps as plain values, for tests and strategies."""

from __future__ import annotations

import json
from typing import Any

import yaml


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


def as_yaml(value: Any) -> str:
    """Dump plain values as block YAML (strings quoted where YAML 1.1 would bite)."""
    text: str = yaml.safe_dump(value, sort_keys=False, allow_unicode=True)
    return text


def as_json(value: Any) -> str:
    """Dump plain values as indented JSON."""
    return json.dumps(value, indent=2, ensure_ascii=False)
