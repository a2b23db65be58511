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

import attrs
from hypothesis import example, given
from hypothesis import strategies as st
from jinja2 import DictLoader, TemplateError
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
from transfer_assess.templating import LimitedEnvironment, TemplateLimits

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
    @example(b"id,name,kind,country\nde,DE GmbH,affiliate,DE\n", b"id,from,to\n")
    def test_csv(self, entities_csv: bytes, flows_csv: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "entities.csv").write_bytes(entities_csv)
            (Path(folder) / "flows.csv").write_bytes(flows_csv)
            files = {folder, str(Path(folder) / "entities.csv")}
            files.add(str(Path(folder) / "flows.csv"))
            result: DataMap | DataMapError
            try:
                result = load_map(folder)
            except DataMapError as error:
                result = error
            if isinstance(result, DataMapError):
                # Refused: every problem names the folder or one of its two files.
                assert result.problems
                assert all(problem.file in files for problem in result.problems)
                assert all(problem.message for problem in result.problems)
            else:
                # Loaded: every entity and flow comes from a row of its file.
                assert result.entities
                for entity in result.entities:
                    assert entity.id.encode() in entities_csv
                for flow in result.flows:
                    assert flow.id.encode() in flows_csv


TOKENS = [*"<>&\"'`|*_[]#{}()\\=+-@;: aZ", "[bold]", "</td>", "-->", "%"]
#: Characters that could disguise text: the loader refuses them (see TestDisguise).
DISGUISING = [
    *"\n\r\t\x1b\x07\x00\x7f\x85",
    *"\u202e\u202a\u2066\u2067\u2068\u2069\u200b\u200e\u2060\ufeff\u2028",
]
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
        # SCC packs are the EU's clauses, for the flow's EU finding.
        transfers = [
            finding.flow
            for finding in result.findings
            if finding.transfer and finding.regime == "EU"
        ]
        if transfers:
            pack = render_scc(scc_context(datamap, result, refdata, transfers[0]))
            assert "\x1b" not in pack

    @given(
        documents(), st.dates(min_value=date(2018, 5, 25), max_value=date(2030, 1, 1))
    )
    @example(  # flows of one day, the day before, the day itself and the day after
        {
            "version": 1,
            "organisation": "O",
            "entities": [
                {"id": "de", "name": "DE", "kind": "affiliate", "country": "DE"},
                {"id": "us", "name": "US", "kind": "affiliate", "country": "US"},
            ],
            "flows": [
                {"id": name, "from": "de", "to": "us", "exporter_role": "controller",
                 "importer_role": "processor", "data_subjects": ["customers"],
                 "data_categories": ["user.account"], "purposes": ["support"],
                 "frequency": "one_off", "start": day, "end": day}
                for name, day in (("before", "2026-11-27"), ("on", "2026-11-28"),
                                  ("after", "2026-11-29"))
            ],
        },
        date(2026, 11, 28),
    )  # fmt: skip
    def test_assess_never_raises(self, value: dict[str, Any], day: date) -> None:
        result = assess(parse_map(as_yaml(value)), as_of=day)
        # datamap.md: a flow exists from its start to its end, both days included;
        # an existing flow has its EU finding, and only those flows have findings.
        existing = {
            flow["id"]
            for flow in value["flows"]
            if flow.get("start", "0000") <= day.isoformat() <= flow.get("end", "9999")
        }
        assert (
            set(result.inactive) == {flow["id"] for flow in value["flows"]} - existing
        )
        assert {finding.flow for finding in result.findings} == existing
        assert {
            finding.flow for finding in result.findings if finding.regime == "EU"
        } == existing


class TestDisguise:
    """Control, bidi and zero-width characters are refused with the code point."""

    @given(
        documents(),
        st.sampled_from(DISGUISING),
        st.sampled_from(["organisation", "name", "purpose"]),
        st.text(alphabet="ab ", max_size=5),
    )
    def test_refused_where_they_stand(
        self, value: dict[str, Any], character: str, where: str, before: str
    ) -> None:
        text = f"{before}x{character}y"
        if where == "organisation":
            value["organisation"] = text
            path = "organisation"
        elif where == "name":
            value["entities"][0]["name"] = text
            path = "entities[0].name"
        elif value["flows"]:
            value["flows"][0]["purposes"] = ["ok", text]
            path = "flows[0].purposes[1]"
        else:
            value["organisation"] = text
            path = "organisation"
        try:
            parse_map(as_json(value), format="json")
        except DataMapError as error:
            shown = [str(problem) for problem in error.problems]
        else:
            raise AssertionError("a disguising character was accepted")
        expected = f"{path}: contains U+{ord(character):04X} "
        assert any(expected in line for line in shown), shown
        assert any(f"at character {len(before) + 2}" in line for line in shown)

    @given(documents(), st.sampled_from(DISGUISING))
    def test_inert_in_every_format_for_a_map_built_in_code(
        self, value: dict[str, Any], character: str
    ) -> None:
        datamap = parse_map(as_json(value), format="json")
        datamap = attrs.evolve(
            datamap,
            organisation=f"Org{character}",
            entities=[
                attrs.evolve(entity, name=f"{entity.name}{character}x")
                for entity in datamap.entities
            ],
        )
        result = assess(datamap, as_of=DAY)
        view = graph_view(datamap, result, load_reference_data())
        for writer in (to_dot, to_mermaid, to_graphml, to_svg):
            assert character not in writer(view).replace("\n", "").replace("\t", "")
        shown = terminal(assessment_table(result))
        if character == "\x1b":  # rich's own colour codes are the only escapes
            assert not re.search(r"\x1b(?!\[[0-9;]*m)", shown)
        elif character not in "\n\t":
            assert character not in shown


class TestLongNumbers:
    """Numbers of any length, in any notation, are read or refused where they stand."""

    @given(
        st.sampled_from(["", "-", "0x", "0o", "!!int ", "!!float ", "!!int 0x"]),
        st.integers(min_value=1, max_value=6000),
        st.sampled_from(["yaml", "json"]),
    )
    def test_located_never_raised(self, prefix: str, digits: int, form: str) -> None:
        if form == "json" and prefix not in {"", "-"}:
            prefix = ""
        alphabet = "7" if "0o" in prefix else "9"
        literal = prefix + alphabet * digits
        value = {
            "version": 1,
            "organisation": "O",
            "entities": [
                {"id": "a", "name": "A", "kind": "affiliate", "country": "DE"},
                {"id": "b", "name": "B", "kind": "affiliate", "country": "US"},
            ],
            "flows": [],
        }
        text = (as_yaml if form == "yaml" else as_json)(value)
        text = text.replace("version: 1", f"version: {literal}").replace(
            '"version": 1', f'"version": {literal}'
        )
        problems: list[Any] = []
        try:
            parse_map(text, format=form)
        except DataMapError as error:
            problems = list(error.problems)
        assert all(problem.line is not None for problem in problems)
        assert all(problem.path == "version" for problem in problems)


TEMPLATE_TOKENS = [
    "{{ 'A' * n }}",
    "{% for i in range(n) %}",
    "{% endfor %}",
    "{{ x ~ x }}",
    "{{ 'A' | center(n) }}",
    "{{ n ** n }}",
    "text",
    "{{ x | indent(n) }}",
]


class TestTemplates:
    """Any mix of hostile template pieces ends within its limits."""

    @given(
        st.lists(st.sampled_from(TEMPLATE_TOKENS), max_size=8),
        st.sampled_from([0, 9, 99_999, 4_000_000_000]),
    )
    def test_bounded(self, pieces: list[str], number: int) -> None:
        source = "".join(pieces)
        limits = TemplateLimits(max_output_chars=100_000, max_steps=50_000)
        environment = LimitedEnvironment(
            loader=DictLoader({"t": source}), limits=limits
        )
        try:
            template = environment.get_template("t")
            text = environment.render_limited(template, {"n": number, "x": "ab"})
        except TemplateError:
            return
        assert len(text) <= limits.max_output_chars
