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


TINY_TIA = """
version: 1
organisation: Test
entities:
  - {id: de, name: DE GmbH, kind: affiliate, country: DE}
  - {id: cn, name: CN Co, kind: service_provider, country: CN}
flows:
  - {id: f1, from: de, to: cn, exporter_role: controller, importer_role: processor,
     data_subjects: [customers], data_categories: [user.contact.email],
     purposes: [support], frequency: continuous, mechanism: scc, scc_module: 2,
     tia: {date: 2026-09-01, answers: {data_form: encrypted, keys_held_by: exporter,
       requests_received: 0, requests_years: 100, transfer_years: 1}}}
"""


def test_a_report_with_tiny_probabilities_keeps_the_standard_librarys_bytes(
    monkeypatch: Any,
) -> None:
    import io  # noqa: PLC0415
    from datetime import date  # noqa: PLC0415

    from transfer_assess import assess, parse_map  # noqa: PLC0415
    from transfer_assess.report import json as report_json  # noqa: PLC0415

    assessment = assess(parse_map(TINY_TIA), as_of=date(2026, 11, 28))
    fast = io.StringIO()
    report_json.write_json(assessment, fast)
    # 1/102 requests a year times 1% intelligible: below 1e-4, where msgspec
    # and the standard library write floats differently.
    assert "e-05" in fast.getvalue()
    monkeypatch.setattr(report_json, "encode_line", stdlib)
    slow = io.StringIO()
    report_json.write_json(assessment, slow)
    assert fast.getvalue() == slow.getvalue()
