"""Finding lines of the JSON report: msgspec writes the standard library's text."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from transfer_assess.report.jsonline import encode_line


def stdlib(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


# Every code point but the surrogates, which UTF-8 cannot hold.
TEXT = st.text(st.characters(exclude_categories=["Cs"]))
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | TEXT,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4)
    ),
    max_leaves=20,
)


@given(VALUES)
def test_a_line_is_the_standard_librarys_text(value: Any) -> None:
    assert encode_line(value) == stdlib(value)


def test_every_control_and_separator_character_is_written_the_same() -> None:
    text = "".join(chr(point) for point in range(0x100)) + '\u2028\u2029, : " \\'
    value = {text: [text, {"": text}], "x": [1, None, True, False, [], {}]}
    assert encode_line(value) == stdlib(value)
    assert "\n" not in encode_line(value)


def test_a_lone_surrogate_is_written_as_the_standard_library_writes_it() -> None:
    value = {"name": "a\ud800b"}
    assert encode_line(value) == stdlib(value) == '{"name": "a\ud800b"}'
