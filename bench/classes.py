"""
How often flows would share a verdict: classes of flows the rules cannot tell apart.

    python bench/classes.py MAP [MAP ...]

A verdict could be computed once per class of flows that agree on everything the
rules may read, with only the names in the reasons differing. This counts those
classes, per regime, with a key made of every field of the flow, of its two parties
and of their groups (enumerated from the classes, so that a field added later is part
of it), leaving out only what the reasons merely print (ids, names, descriptions,
addresses, contacts), plus the protection state on the map's date: whether each
party is subject to the regime and which protected categories the flow carries.
The hit rate is the share of flows whose verdict another flow of their class would
already have given. It is an upper bound: two rules also look at other flows of the
map (the inbound flows of the exporter or importer), which a real key would add.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import attrs

from transfer_assess import load_map, load_reference_data
from transfer_assess.engine import REGIMES
from transfer_assess.graph import FlowGraph

#: Fields the reasons only print: left out of the key.
PRINTED = frozenset(
    {"id", "name", "description", "address", "contact", "exporter", "importer"}
)


def fields(value: Any) -> tuple[tuple[str, str], ...] | None:
    """Every field of an attrs value but the printed ones, as text."""
    if value is None:
        return None
    return tuple(
        (field.name, repr(getattr(value, field.name)))
        for field in attrs.fields(type(value))
        if field.name not in PRINTED
    )


def classes(path: str) -> list[str]:
    """One line per regime: flows, classes and the hit rate, for the map at `path`."""
    datamap = load_map(path)
    day = datamap.as_of
    if day is None:
        raise SystemExit(f"{path}: the map has no as_of")
    refdata = load_reference_data()
    datamap = datamap.on(day)
    graph = FlowGraph(datamap)
    groups = {group.id: group for group in datamap.groups}
    lines = []
    for regime in REGIMES:
        protection = graph.propagate(day, refdata, regime=regime)
        seen: set[Any] = set()
        for flow in datamap.flows:
            exporter = datamap.entity(flow.exporter)
            importer = datamap.entity(flow.importer)
            seen.add(
                (
                    fields(flow),
                    fields(exporter),
                    fields(importer),
                    fields(groups.get(exporter.group or "")),
                    fields(groups.get(importer.group or "")),
                    flow.exporter in protection.subject,
                    flow.importer in protection.subject,
                    protection.carried(flow),
                )
            )
        total = len(datamap.flows)
        rate = 1 - len(seen) / total if total else 0.0
        lines.append(f"| {path} | {regime} | {total:,} | {len(seen):,} | {rate:.1%} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the table for every map given."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("maps", nargs="+")
    arguments = parser.parse_args(argv)
    print("| map | regime | flows | classes | hit rate |")
    print("|---|---|---:|---:|---:|")
    for path in arguments.maps:
        for line in classes(path):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
