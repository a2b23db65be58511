"""The onward-transfer clause an onward finding cites is the one the SCC text has.

When data reached an exporter under SCCs, the advice for its onward flow names the
clause of those SCCs that governs onward transfers. The clause numbers are read here
from the clause structure shipped with the templates (``data/scc_templates/
structure.json``), not from the code under test.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.mapfactory import document, entity, flow
from transfer_assess import assess, parse_map
from transfer_assess.findings import Action

STRUCTURE = Path(__file__).resolve().parent.parent / "data" / "scc_templates"
DAY = date(2026, 11, 28)
#: Module -> (exporter role, importer role) of the leg signed with it.
ROLES = {
    1: ("controller", "controller"),
    2: ("controller", "processor"),
    3: ("processor", "processor"),
    4: ("processor", "controller"),
}


def onward_clause(module: int) -> str:
    """The clause(s) on onward transfers for a module, from the clause structure."""
    structure = json.loads((STRUCTURE / "structure.json").read_text(encoding="utf-8"))
    clauses = {clause["number"]: clause for clause in structure["clauses"]}
    titles = clauses["8"]["subclauses"][str(module)]
    parts = [
        f"8.{titles.index('Onward transfers') + 1}"
        if "Onward transfers" in titles
        else "8"
    ]
    if module in clauses["9"]["modules"]:  # sub-processors: also an onward path
        parts.append("9")
    return ("Clause " if len(parts) == 1 else "Clauses ") + " and ".join(parts)


def test_the_structure_gives_the_known_numbers() -> None:
    # The 2021 SCCs: module 1 has onward transfers in Clause 8.7, modules 2 and 3
    # in Clause 8.8 with sub-processing in Clause 9, module 4 only Clause 8.
    assert [onward_clause(module) for module in (1, 2, 3, 4)] == [
        "Clause 8.7",
        "Clauses 8.8 and 9",
        "Clauses 8.8 and 9",
        "Clause 8",
    ]


def _map(module: int) -> dict[str, Any]:
    exporter_role, importer_role = ROLES[module]
    roles = {"exporter_role": exporter_role, "importer_role": importer_role}
    return document(
        [entity("hq-de"), entity("us-co", "US"), entity("in-co", "IN")],
        [
            flow(
                "f-in",
                "hq-de",
                "us-co",
                mechanism="scc",
                scc_module=module,
                tia="2026-06-01",
                **roles,
            ),
            flow(
                "f-on", "us-co", "in-co", mechanism="none", exporter_role=importer_role
            ),
        ],
    )


@pytest.mark.parametrize("module", [1, 2, 3, 4])
def test_onward_advice_cites_the_module_clause(module: int) -> None:
    result = assess(parse_map(json.dumps(_map(module)), format="json"), as_of=DAY)
    finding = result.finding("f-on", "EU")
    assert finding.onward
    advice = [item for item in finding.recommendations if item.action is Action.SCC]
    assert len(advice) == 1, finding.recommendations
    clause = onward_clause(module)
    assert f"meet {clause} of the SCCs (module {module}) of flow f-in," in (
        advice[0].detail
    )
    assert f"Commission Implementing Decision (EU) 2021/914, {clause}" in (
        advice[0].citations
    )
