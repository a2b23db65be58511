"""
Limits on what the loader accepts, so that hostile input is refused fast.

The defaults fit real data maps with room to spare (a million flows fit within them)
and can be changed by passing a `Limits` value to `transfer_assess.load_map`.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Limits:
    """Upper bounds the loader enforces before and while parsing."""

    max_bytes: int = 2 * 1024**3
    """Largest input file, in bytes."""
    max_depth: int = 64
    """Deepest nesting of mappings and sequences."""
    max_alias_nodes: int = 100_000
    """Most nodes that YAML aliases may add by repetition (bounds "billion laughs")."""
    max_entities: int = 5_000_000
    """Most entities in one map."""
    max_flows: int = 50_000_000
    """Most flows in one map."""
    max_problems: int = 1_000
    """Most problems reported; the rest are counted."""
