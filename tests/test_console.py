"""The terminal: report layout, filters, countries, what-if dates, date warnings."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text
from typer.testing import CliRunner, Result

from tests.conftest import EXAMPLES
from tests.mapfactory import document, entity, flow
from transfer_assess import assess, load_map, load_reference_data
from transfer_assess import cli as cli_module
from transfer_assess import console as console_module
from transfer_assess.cli import app
from transfer_assess.console import (
    SUMMARY_FROM,
    THEME,
    Lines,
    Trimmed,
    _wrap,
    assessment_table,
    column_widths,
    countries_table,
    print_report,
)
from transfer_assess.findings import Status

DAY = date(2026, 11, 28)
EXAMPLE = str(EXAMPLES / "global-group.yaml")
runner = CliRunner()


@pytest.fixture(scope="module")
def example():  # type: ignore[no-untyped-def]
    datamap = load_map(EXAMPLES / "global-group.yaml")
    return assess(datamap, as_of=DAY, regime="EU")


def rendered(renderable: object, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, theme=THEME)
    console.print(renderable, crop=False)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def many_flows(tmp_path: Path, count: int) -> Path:
    """A map with `count` gap flows (US importer, no transfer tool)."""
    value = document(
        entities=[entity("hq-de"), entity("us-cloud", "US")],
        flows=[flow(f"f-{n:05d}", "hq-de", "us-cloud") for n in range(count)],
        as_of="2026-11-28",
    )
    path = tmp_path / f"map-{count}.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


class TestLayout:
    """Columns sized by content; ids whole; no padding."""

    @pytest.mark.parametrize("width", [40, 60, 80, 100, 200])
    def test_ids_are_never_cut(self, example, width: int) -> None:  # type: ignore[no-untyped-def]
        text = rendered(assessment_table(example), width)
        words = set(re.split(r"[\s()]+", text))
        for finding in example.findings:
            assert finding.flow in words, (finding.flow, width)
            assert finding.exporter in words
            assert finding.importer in words

    def test_fits_80_columns(self, example) -> None:  # type: ignore[no-untyped-def]
        text = rendered(assessment_table(example), 80)
        assert max(len(line) for line in text.splitlines()) <= 80

    def test_no_trailing_spaces(self, example) -> None:  # type: ignore[no-untyped-def]
        for width in (80, 100, 200):
            for line in rendered(assessment_table(example), width).splitlines():
                assert line == line.rstrip(), repr(line)

    def test_wide_terminal_does_not_stretch(self, example) -> None:  # type: ignore[no-untyped-def]
        wide = rendered(assessment_table(example), 300)
        longest = max(len(line) for line in wide.splitlines())
        assert longest < 300
        # Every row on one line: as many lines as at 1,000 columns.
        assert wide == rendered(assessment_table(example), 1000)

    def test_column_widths(self) -> None:
        rows = [["Flow", "Text"], ["a-very-long-id", "one two three four five"]]
        assert column_widths(rows, 100) == [14, 23]
        # Too narrow: the id keeps its width, the text shrinks to its longest word.
        assert column_widths(rows, 20) == [14, 5]
        # Width goes where it saves lines, and no further: 13 columns hold
        # "one two three" / "four five", more would not save a line.
        assert column_widths(rows, 30, fixed=frozenset({0})) == [14, 13]
        assert column_widths(rows, 40, fixed=frozenset({0})) == [14, 23]


class TestLabels:
    """Plain words by default, the report's codes on request."""

    def test_plain_labels(self, example) -> None:  # type: ignore[no-untyped-def]
        text = " ".join(rendered(assessment_table(example), 200).split())
        assert "Fix the declared transfer tool" in text
        assert "No valid basis in place" in text
        assert "fix_mechanism" not in text

    def test_codes(self, example) -> None:  # type: ignore[no-untyped-def]
        text = rendered(assessment_table(example, codes=True), 200)
        assert "fix_mechanism" in text
        assert "scc (module 2)" in text
        assert "Fix the declared" not in text

    def test_codes_option(self) -> None:
        result = runner.invoke(app, ["assess", EXAMPLE, "--codes"])
        assert result.exit_code == 0
        assert "fix_mechanism" in result.stdout


class TestFilters:
    """--status, --limit, --all and the summary-only default."""

    def test_status(self) -> None:
        result = runner.invoke(
            app, ["assess", EXAMPLE, "--status", "gap,attention", "--regime", "EU"]
        )
        assert result.exit_code == 0
        assert "gap (8)" in result.stdout
        assert "attention (9)" in result.stdout
        assert "ok (20)" not in result.stdout
        assert "de-to-jp " not in result.stdout

    def test_unknown_status(self) -> None:
        result = runner.invoke(app, ["assess", EXAMPLE, "--status", "gap,bad"])
        assert result.exit_code == 2
        assert "--status 'bad' is not one of ok, attention, gap" in result.stderr

    def test_limit(self, example) -> None:  # type: ignore[no-untyped-def]
        text = rendered(assessment_table(example, limit=3), 100)
        assert "gap (3)" in text
        assert "attention" not in text.split("Reference data")[1]
        assert "Showing 3 of 37 findings" in " ".join(text.split())

    def test_limit_and_all_contradict(self) -> None:
        result = runner.invoke(app, ["assess", EXAMPLE, "--limit", "2", "--all"])
        assert result.exit_code == 2
        assert "--limit and --all" in result.stderr

    def test_table_options_need_the_table(self) -> None:
        result = runner.invoke(
            app, ["assess", EXAMPLE, "--format", "json", "--status", "gap"]
        )
        assert result.exit_code == 2
        assert "--status applies to --format table only" in result.stderr

    @pytest.mark.parametrize(
        ("count", "listed"),
        [(SUMMARY_FROM - 1, True), (SUMMARY_FROM, True), (SUMMARY_FROM + 1, False)],
    )
    def test_summary_only_above_the_threshold(
        self, tmp_path: Path, count: int, listed: bool
    ) -> None:
        path = str(many_flows(tmp_path, count))
        result = runner.invoke(app, ["assess", path])
        assert result.exit_code == 0
        assert ("f-00000" in result.stdout) is listed
        assert ("Summary only" in result.stdout) is not listed
        if not listed:
            assert "--all" in result.stdout
            # The summary still says where the work is: first actions, counted.
            assert re.search(
                rf"✗ gap +{count} +Have the importer certify under the Data Privacy",
                result.stdout,
            )
            every = runner.invoke(app, ["assess", path, "--all"])
            assert f"f-{count - 1:05d}" in every.stdout

    def test_the_cli_knows_the_threshold(self) -> None:
        assert cli_module.SUMMARY_FROM == SUMMARY_FROM

    def test_one_number_format(self, tmp_path: Path) -> None:
        result = runner.invoke(app, ["assess", str(many_flows(tmp_path, 1_234))])
        assert "1,234 flows" in result.stdout
        assert "1,234 gap" in result.stdout
        assert "1234" not in result.stdout


def test_summary_ranks_first_actions(example, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Above the limit, the summary counts the first actions per status."""
    monkeypatch.setattr(console_module, "SUMMARY_FROM", 10)
    lines = rendered(assessment_table(example), 100).splitlines()
    gap = next(index for index, line in enumerate(lines) if line.startswith("✗ gap"))
    assert lines[gap : gap + 9] == [
        "✗ gap               7  Fix the declared transfer tool",
        "                    1  Sign standard contractual clauses, module 3",
        "! attention         5  Document a transfer impact assessment",
        "                    2  Add supplementary measures",
        "                    2  Have counsel review",
        "✓ ok               12  Nothing to do",
        "                    4  Sign standard contractual clauses, module 2",
        "                    3  Add supplementary measures",
        "                    1  Document a transfer impact assessment",
    ]
    assert "Summary only: 37 findings are more than 10." in lines[gap + 9]


def test_summary_adds_up_the_rest(example, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(console_module, "SUMMARY_FROM", 10)
    monkeypatch.setattr(console_module, "_TOP_ACTIONS", 1)
    text = rendered(assessment_table(example, codes=True), 100)
    assert re.search(r"^✗ gap +7 +fix_mechanism$", text, re.MULTILINE)
    assert re.search(r"^ +1 +1 other first action$", text, re.MULTILINE)
    assert re.search(r"^ +4 +2 other first actions$", text, re.MULTILINE)
    assert re.search(r"^ +8 +3 other first actions$", text, re.MULTILINE)


def test_renders_without_the_theme(example) -> None:  # type: ignore[no-untyped-def]
    console = Console(file=io.StringIO(), width=80)
    console.print(assessment_table(example))
    assert isinstance(console.file, io.StringIO)
    assert "de-to-mx" in console.file.getvalue()


class TestCountries:
    """The countries listing: sorted by name, aligned, "no end date"."""

    def test_sorted_by_country_name(self) -> None:
        result = runner.invoke(app, ["countries", "--as-of", "2026-11-28"])
        names = re.findall(r"^(\S.*?) \((?:[A-Z]{2})\)", result.stdout, re.MULTILINE)
        assert names == sorted(names, key=str.casefold)
        assert names.index("South Korea") < names.index("Switzerland")
        assert names.index("United Kingdom") < names.index("United States")

    def test_no_end_date_and_hanging_indent(self) -> None:
        refdata = load_reference_data()
        text = rendered(
            countries_table(refdata, DAY, refdata.in_force(DAY, regime="EU-GDPR")), 80
        )
        assert "until no end date" not in text
        assert "no end date" in text
        body = text.splitlines()[1:]
        indent = body[0].index("andorra")
        for line in body[1:]:
            if line.startswith("[1]"):
                break
            if line.startswith(" "):
                assert len(line) - len(line.lstrip(" ")) == indent, line
        assert max(len(line) for line in text.splitlines()) <= 80


def whatif(*arguments: str) -> Result:
    """Run ``whatif`` on the example map."""
    return runner.invoke(app, ["whatif", EXAMPLE, *arguments])


class TestWhatIfDates:
    """--on moves the assessment date unless --as-of is given."""

    def test_on_moves_the_date(self) -> None:
        result = whatif("--end", "us-dpf", "--on", "2026-12-01")
        assert result.exit_code == 0, result.output
        assert "(as of 2026-12-01)" in result.stdout
        assert "No change." not in result.stdout
        assert "de-to-us-cloud" in result.stdout

    def test_as_of_wins(self) -> None:
        result = whatif(
            "--end", "us-dpf", "--on", "2026-11-28", "--as-of", "2026-11-28"
        )
        assert result.exit_code == 0
        assert "(as of 2026-11-28)" in result.stdout

    @pytest.mark.parametrize(
        ("on", "refused"),
        [("2026-11-27", False), ("2026-11-28", False), ("2026-11-29", True)],
    )
    def test_on_after_as_of_is_refused(self, on: str, refused: bool) -> None:
        result = whatif("--end", "us-dpf", "--on", on, "--as-of", "2026-11-28")
        assert (result.exit_code == 2) is refused
        if refused:
            assert "would still apply on the assessment date" in result.stderr

    @pytest.mark.parametrize(
        ("arguments", "message"),
        [
            (
                ["--end", "us-dpf", "--end", "japan", "--on", "2026-12-01"],
                "give one --on per --end",
            ),
            (
                [
                    *("--end", "us-dpf", "--end", "japan"),
                    *("--on", "2026-12-01", "--on", "2026-12-02"),
                ],
                "give --as-of",
            ),
            (["--on", "2026-12-01"], "--on needs an --end"),
            (["--end", "us-dpf", "--on", "x"], "--on 'x' is not an ISO 8601 date"),
        ],
    )
    def test_ambiguous_combinations(self, arguments: list[str], message: str) -> None:
        result = whatif(*arguments)
        assert result.exit_code == 2
        assert message in result.stderr


class TestPastTheReferenceData:
    """Every dated command warns once when the date is past the reference data."""

    @pytest.mark.parametrize(
        ("day", "warned"),
        [("2026-11-27", False), ("2026-11-28", False), ("2026-11-29", True)],
    )
    @pytest.mark.parametrize(
        "command",
        [
            ["countries"],
            ["assess", EXAMPLE],
            ["explain", EXAMPLE, "de-to-mx"],
            ["diff", EXAMPLE, EXAMPLE],
            ["whatif", EXAMPLE],
            ["graph", EXAMPLE],
        ],
        ids=lambda command: command[0],
    )
    def test_warns_after_the_data_date(
        self, command: list[str], day: str, warned: bool
    ) -> None:
        result = runner.invoke(app, [*command, "--as-of", day])
        assert result.exit_code == 0, result.output
        warning = "the reference data only knows the law up to 2026-11-28"
        assert result.stderr.count(warning) == (1 if warned else 0)
        if warned:
            assert "transfer-assess data update" in result.stderr


class TestSmallWords:
    """The wording fixes of the first-hour review."""

    def test_choice_errors_in_plain_words(self) -> None:
        result = runner.invoke(app, ["assess", EXAMPLE, "--format", "xml"])
        assert result.exit_code == 2
        assert "'xml' is not one of table, json, sarif" in result.stderr
        assert "Value error" not in result.stderr

    def test_help_shows_no_python_types(self) -> None:
        for command in ("validate", "whatif", "assess", "countries", "diff"):
            result = runner.invoke(app, [command, "--help"], terminal_width=100)
            assert "list[" not in result.stdout, command
            assert "<str>" not in result.stdout, command

    def test_countries_help_names_no_map(self) -> None:
        result = runner.invoke(app, ["countries", "--help"])
        assert "map" not in result.stdout.lower()

    def test_one_file_is_singular(self, tmp_path: Path) -> None:
        value = document(
            entities=[entity("hq-de"), entity("fr", "FR")],
            flows=[flow("inside", "hq-de", "fr")],
        )
        path = tmp_path / "map.json"
        path.write_text(json.dumps(value), encoding="utf-8")
        result = runner.invoke(
            app,
            [
                "report",
                str(path),
                "--output",
                str(tmp_path / "out"),
                "--as-of",
                "2026-11-28",
            ],
        )
        assert result.exit_code == 0, result.output
        assert "wrote 1 file to" in result.stdout

    def test_what_if_reason_reads_once(self) -> None:
        result = runner.invoke(
            app,
            [
                *("whatif", EXAMPLE, "--end", "us-dpf", "--on", "2026-11-28"),
                "--format",
                "json",
            ],
        )
        assert "(what-if: the decision ends on 2026-11-28)." in result.stdout
        assert ".)." not in result.stdout


def test_statuses_filter_keeps_status_order(example) -> None:  # type: ignore[no-untyped-def]
    text = rendered(
        assessment_table(example, statuses=[Status.OK, Status.GAP], show_all=True), 100
    )
    assert text.index("gap (8)") < text.index("ok (20)")
    assert "attention (9)" not in text


class TestWrapping:
    """The wrapping helpers under the layout."""

    def test_paragraphs_and_long_words(self) -> None:
        assert _wrap("short\nlines", 10) == ["short", "lines"]
        assert _wrap("one two three", 7) == ["one two", "three"]
        assert _wrap("a-very-long-identifier x", 5) == ["a-very-long-identifier", "x"]

    def test_trimmed_drops_trailing_spaces(self) -> None:
        text = Text("word " * 30 + "   ")
        padded = Table(Column("x"), expand=True)
        padded.add_row("cell")
        for renderable in (text, padded):
            for line in rendered(Trimmed(renderable), 40).splitlines():
                assert line == line.rstrip(" ")


class TestStreaming:
    """A long table is laid out and printed a batch of lines at a time."""

    @pytest.mark.parametrize("width", [60, 100, 300])
    @pytest.mark.parametrize("batch", [1, 7, 2000])
    def test_same_output_as_printed_whole(  # type: ignore[no-untyped-def]
        self, example, width: int, batch: int
    ) -> None:
        table = assessment_table(example, show_all=True)
        console = Console(
            file=io.StringIO(), width=width, color_system="truecolor", theme=THEME
        )
        print_report(console, table, batch=batch)
        assert isinstance(console.file, io.StringIO)
        whole = Console(
            file=io.StringIO(), width=width, color_system="truecolor", theme=THEME
        )
        whole.print(table, crop=False)
        assert isinstance(whole.file, io.StringIO)
        assert console.file.getvalue() == whole.file.getvalue()
        assert "\x1b[" in console.file.getvalue()

    def test_lines_are_laid_out_a_batch_at_a_time(self) -> None:
        made: list[int] = []

        def build(width: int) -> Iterator[list[tuple[str, str]]]:
            for number in range(25):
                made.append(number)
                yield [(f"line {number} of {width}", "")]

        batches = Lines(build).batches(80, 10)
        first = next(batches)
        assert len(made) == 10
        assert rendered(first, 80).splitlines()[-1] == "line 9 of 80"
        assert [len(rendered(item, 80).splitlines()) for item in batches] == [10, 5]
        assert len(made) == 25

    def test_file_output_is_the_table_at_100_columns(self, tmp_path: Path) -> None:
        target = tmp_path / "report.txt"
        result = runner.invoke(app, ["assess", EXAMPLE, "--output", str(target)])
        assert result.exit_code == 0, result.stdout
        datamap = load_map(EXAMPLES / "global-group.yaml")
        expected = rendered(assessment_table(assess(datamap)), 100)
        assert target.read_text(encoding="utf-8") == expected
