"""
Limits on what the loader accepts, so that hostile input is refused fast.

The defaults fit real data maps with room to spare (a million flows fit within them)
and can be changed by passing a `Limits` value to `transfer_assess.load_map`.
"""

from __future__ import annotations

import attrs

#: Longest number literal accepted, in characters. Python refuses to convert integers
#: of more than 4,300 digits to text and hex literals have no such bound at all, so a
#: longer number is refused where it is read, with its line, by every reader.
MAX_NUMBER_CHARS = 64


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
    max_text_chars: int = 10_000
    """Longest string value (names, descriptions, ids, list items). Reports repeat
    names once per flow, so this bounds how much larger a report can be than its map."""
