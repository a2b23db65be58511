"""
One JSON value as one line, at C speed, in the report's layout.

The JSON report writes each finding as one line with ``", "`` and ``": "`` between
items (`transfer_assess.report.json`). msgspec encodes compactly and then adds exactly
that spacing (``msgspec.json.format`` with ``indent=0``), both in C: about twice as
fast as the standard library's C encoder with those separators, with the same bytes
for strings, integers, booleans, ``None``, lists and dicts with string keys
(non-ASCII text as is, control characters escaped the same way). Floats below 1e-4
or from 1e16 are written differently (``0.00001`` for ``1e-05``): the report writes
the findings that hold floats (a concluded TIA) with the standard library. This
module is the only one that imports msgspec for output.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

_ENCODE = msgspec.json.Encoder().encode
_FORMAT = msgspec.json.format

#: The standard library's encoder with the same layout, for text msgspec refuses.
_FALLBACK = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def encode_line(value: Any) -> str:
    """
    `value` as JSON on one line, with ``", "`` and ``": "`` separators.

    The same text as ``json.dumps(value, ensure_ascii=False, separators=(", ",
    ": "))``. A string holding a lone surrogate (possible in text decoded from
    surrogate escapes in JSON) cannot be UTF-8 and msgspec refuses it; the standard
    library's encoder writes it then, as before.
    """
    try:
        return _FORMAT(_ENCODE(value), indent=0).decode()
    except UnicodeEncodeError:
        return _FALLBACK(value)
