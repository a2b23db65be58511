"""Fuzzing: arbitrary bytes and arbitrary maps never crash the tool.

Briefly in every test run (the ``ci`` profile); longer with
``HYPOTHESIS_PROFILE=thorough pytest tests/test_fuzz.py``. A crasher found by a
longer run is added below with ``@example`` so that it stays a regression test.
"""

from __future__ import annotations

import io
import re
import tempfile
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st
from rich.console import Console

from tests.mapfactory import as_json, as_yaml
from tests.strategies import documents
from transfer_assess import DataMap, DataMapError, assess, load_map, parse_map
from transfer_assess.console import THEME, assessment_table, explanation
from transfer_assess.refdata import load_reference_data
from transfer_assess.report.document import render_report
from transfer_assess.report.graph import (
    graph_view,
    to_dot,
    to_graphml,
    to_mermaid,
    to_svg,
)
from transfer_assess.report.scc import render_scc, scc_context

DAY = date(2026, 11, 28)


def load_bytes(data: bytes, name: str) -> DataMap | DataMapError:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        result: DataMap | DataMapError
        try:
            result = load_map(path)
        except DataMapError as error:
            result = error
        if isinstance(result, DataMapError):
            assert result.problems
            assert all(problem.file == str(path) for problem in result.problems)
        return result


class TestBytes:
    """The YAML, JSON and CSV readers take any bytes."""

    @given(st.binary(max_size=400))
    @example(b"\xff\xfe")
    @example(b"a: &a [*a]")
    @example(b"[" * 300)
    @example(b"!!python/object/apply:os.system ['true']")
    @example(b"9" * 5000)
    def test_yaml(self, data: bytes) -> None:
        load_bytes(data, "map.yaml")

    @given(st.binary(max_size=400))
    @example(b'{"a": NaN}')
    @example(b"[" * 5000)
    @example(b'{"version": 1, "version": 2}')
    def test_json(self, data: bytes) -> None:
        load_bytes(data, "map.json")

    @given(st.text(max_size=300).map(str.encode))
    def test_yaml_text(self, data: bytes) -> None:
        load_bytes(data, "map.yaml")

    @given(st.binary(max_size=300), st.binary(max_size=300))
    @example(b'id,name\n"unclosed', b"id\n")
    def test_csv(self, entities_csv: bytes, flows_csv: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "entities.csv").write_bytes(entities_csv)
            (Path(folder) / "flows.csv").write_bytes(flows_csv)
            problems: tuple[object, ...] = ("loaded",)
            try:
                load_map(folder)
            except DataMapError as error:
                problems = error.problems
            assert problems


TOKENS = [*"<>&\"'`|*_[]#{}()\\\n\r\t\x1b\x07=+-@;: aZ", "[bold]", "</td>", "-->", "%"]
HOSTILE = (
    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12)
    .map("".join)
    .filter(lambda text: text.strip() != "")
)


@st.composite
def hostile_documents(draw: st.DrawFn) -> dict[str, Any]:
    value = draw(documents())
    for entity in value["entities"]:
        entity["name"] = draw(HOSTILE)
    for flow in value["flows"]:
        flow["description"] = draw(HOSTILE)
        flow["purposes"] = [draw(HOSTILE)]
    value["organisation"] = draw(HOSTILE)
    return value


ALLOWED_TAGS = frozenset(
    [
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "header",
        "h1",
        "h2",
        "h3",
        "p",
        "section",
        "div",
        "strong",
        "span",
        "svg",
        "defs",
        "marker",
        "path",
        "text",
        "g",
        "rect",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
        "i",
        "ul",
        "li",
        "ol",
        "code",
        "footer",
        "br",
        "main",
        "nav",
        "caption",
        "figure",
        "figcaption",
        "dl",
        "dt",
        "dd",
        "line",
        "tspan",
    ]
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.add(tag)
        assert not any(name.startswith("on") for name, _ in attrs), attrs


def tags(page: str) -> set[str]:
    """The element names in an HTML page (and no event-handler attributes)."""
    parser = _Tags()
    parser.feed(page)
    return parser.seen


def terminal(renderable: object) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=80, force_terminal=True, theme=THEME).print(renderable)
    return buffer.getvalue()


class TestOutputs:
    """Every output format renders for any valid map, and values stay inert."""

    @given(hostile_documents())
    def test_every_format(self, value: dict[str, Any]) -> None:
        datamap = parse_map(as_json(value), format="json")
        result = assess(datamap, as_of=DAY)
        refdata = load_reference_data()
        assert result.to_json()
        shown = terminal(assessment_table(result))
        # Only rich's own colour codes may reach the terminal: ESC followed by '['
        # and a colour or reset code, never a raw ESC or bell from a name.
        assert "\x07" not in shown
        assert not re.search(r"\x1b(?!\[[0-9;]*m)", shown)
        for finding in result.findings:
            assert "\x07" not in terminal(explanation(finding, DAY))
        for text in render_report(datamap, result, refdata, format="html").values():
            assert tags(text) <= ALLOWED_TAGS, tags(text) - ALLOWED_TAGS
        render_report(datamap, result, refdata, format="markdown")
        view = graph_view(datamap, result, refdata)
        for writer in (to_dot, to_mermaid, to_graphml, to_svg):
            assert writer(view)
        assert "<script" not in to_svg(view)
        transfers = [finding.flow for finding in result.findings if finding.transfer]
        if transfers:
            pack = render_scc(scc_context(datamap, result, refdata, transfers[0]))
            assert "\x1b" not in pack

    @given(
        documents(), st.dates(min_value=date(2018, 5, 25), max_value=date(2030, 1, 1))
    )
    def test_assess_never_raises(self, value: dict[str, Any], day: date) -> None:
        result = assess(parse_map(as_yaml(value)), as_of=day)
        assert len(result.findings) + len(result.inactive) == len(value["flows"])
