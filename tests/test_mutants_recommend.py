"""
What the recommendations cite where no test read it (issue 13's mutation audit).

For an onward transfer the SCCs recommendation names the clauses of the inbound SCCs
that govern onward transfers, which differ by module in the 2021 SCCs: Clause 8.7 in
module 1, Clauses 8.8 (onward transfers) and 9 (sub-processors) in modules 2 and 3.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.mapfactory import as_yaml, document, entity, flow
from transfer_assess import assess, parse_map
from transfer_assess.findings import Action

DAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("module", "exporter_role", "importer_role", "clauses"),
    [
        (1, "controller", "controller", "Clause 8.7"),
        (2, "controller", "processor", "Clauses 8.8 and 9"),
        (3, "processor", "processor", "Clauses 8.8 and 9"),
    ],
)
def test_onward_advice_names_the_inbound_modules_clauses(
    module: int, exporter_role: str, importer_role: str, clauses: str
) -> None:
    inbound = flow(
        "a", "hq-de", "us", mechanism="scc", scc_module=module, tia="2026-10-01",
        exporter_role=exporter_role, importer_role=importer_role,
    )  # fmt: skip
    onward = flow("b", "us", "in", exporter_role=importer_role)
    value = document(
        entities=[entity("hq-de"), entity("us", "US"), entity("in", "IN")],
        flows=[inbound, onward],
    )
    finding = assess(parse_map(as_yaml(value)), as_of=DAY).finding("b")
    (scc,) = [item for item in finding.recommendations if item.action is Action.SCC]
    assert f"{clauses} of the SCCs (module {module}) of flow a" in scc.detail
