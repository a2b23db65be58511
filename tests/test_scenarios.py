"""Legal scenarios: one file per situation (map + date + expected verdicts).

Each ``tests/scenarios/*.yaml`` file holds a data map, an assessment date and, per
flow, the expected ``transfer``, ``onward``, ``basis``, ``status`` and
``scc_module``, optionally the actions that must appear in order
(``recommendations``), must not appear (``not_recommended``), the rule ids that
must fire (``rules``), how often a rule fires (``rule_counts``, 0 for never) and the
conclusion of a transfer impact assessment with answers (``tia``: ``not_reached``,
``effective``, ``residual``, ``do_not_transfer``, or null for none); or
``inactive``. ``covers`` names the dates and thresholds a scenario sits on
(tests/test_boundaries.py checks it). The expectations were derived from the
design's decision procedure, independently of the engine.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from transfer_assess import Finding, assess, parse_map
from transfer_assess.report.json import schema_text

FOLDER = Path(__file__).resolve().parent / "scenarios"
FILES = sorted(FOLDER.glob("*.yaml"))
SCHEMA = jsonschema.Draft202012Validator(json.loads(schema_text()))


def load(path: Path) -> dict[str, Any]:
    # The scenario wrapper is plain YAML; the map inside is re-read by our own
    # YAML 1.2 loader from its JSON form, so 'NO' stays Norway only if quoted here.
    value: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return value


def in_order(expected: list[str], actual: list[str]) -> bool:
    """Whether `expected` appears in `actual` as a subsequence."""
    remaining = iter(actual)
    return all(any(item == candidate for candidate in remaining) for item in expected)


def test_there_are_enough_scenarios() -> None:
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_scenario(path: Path) -> None:
    scenario = load(path)
    day = scenario["as_of"]
    if isinstance(day, str):
        day = date.fromisoformat(day)
    datamap = parse_map(json.dumps(scenario["map"], default=str), format="json")
    result = assess(datamap, as_of=day)
    SCHEMA.validate(json.loads(result.to_json()))
    expected: dict[str, Any] = scenario["expect"]
    assert set(expected) == {flow.id for flow in datamap.flows}, "expect every flow"
    for flow_id, wanted in expected.items():
        if wanted == "inactive":
            assert flow_id in result.inactive, flow_id
            continue
        unknown = set(wanted) - _KNOWN_KEYS
        assert not unknown, (flow_id, "unknown expectation keys", sorted(unknown))
        if "regimes" in wanted:
            found = [item.regime for item in result.findings_for(flow_id)]
            assert found == wanted["regimes"], (flow_id, found)
        verdict = {key: value for key, value in wanted.items() if key in _VERDICT_KEYS}
        check(result.finding(flow_id, "EU"), flow_id, verdict)
        for regime in _REGIMES:
            if regime in wanted:
                check(result.finding(flow_id, regime), flow_id, wanted[regime])


#: What a flow's expectation may hold; anything else is a typo the test refuses.
_VERDICT_KEYS = frozenset(
    {
        "transfer",
        "onward",
        "basis",
        "status",
        "scc_module",
        "recommendations",
        "not_recommended",
        "rules",
        "rule_counts",
        "tia",
    }
)
_REGIMES = ("UK", "CH")
_KNOWN_KEYS = _VERDICT_KEYS | {"regimes", *_REGIMES}


def check(finding: Finding, flow_id: str, wanted: dict[str, Any]) -> None:
    """Compare one finding with its expectation."""
    unknown = set(wanted) - _VERDICT_KEYS
    assert not unknown, (flow_id, finding.regime, "unknown keys", sorted(unknown))
    actual = {
        "transfer": finding.transfer,
        "onward": finding.onward,
        "basis": finding.basis.value,
        "status": finding.status.value,
        "scc_module": finding.scc_module,
        "tia": None if finding.tia is None else finding.tia.conclusion.value,
    }
    for key, value in actual.items():
        if key in wanted:
            assert value == wanted[key], (flow_id, key, finding.reasons)
    actions = [item.action.value for item in finding.recommendations]
    if "recommendations" in wanted:
        assert in_order(wanted["recommendations"], actions), (flow_id, actions)
    for action in wanted.get("not_recommended", []):
        assert action not in actions, (flow_id, action, actions)
    for rule_id in wanted.get("rules", []):
        assert rule_id in finding.rules, (flow_id, rule_id, finding.rules)
    fired = [reason.rule for reason in finding.reasons]
    for rule_id, count in wanted.get("rule_counts", {}).items():
        assert fired.count(rule_id) == count, (flow_id, rule_id, fired)
    if finding.status.value != "ok":
        assert finding.recommendations, flow_id
