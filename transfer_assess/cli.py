"""
The ``transfer-assess`` command line: a thin shell over the library.

Each command parses its options, calls one library function and picks a renderer. It
holds no legal logic. Errors caused by input (`TransferAssessError`) become one clear
message per problem on standard error and exit status 2, never a traceback.

Exit status: 0 the command did its job; 1 a ``--fail-on`` threshold was reached;
2 bad usage or invalid input.
"""

from __future__ import annotations

import contextlib
import enum
import gc
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
import typer.core

from transfer_assess.errors import DataMapError, InputError, TransferAssessError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from rich.console import RenderableType

    from transfer_assess.engine import AssessmentStream
    from transfer_assess.findings import Assessment, Status, Tally
    from transfer_assess.governance import Comparison
    from transfer_assess.model import DataMap
    from transfer_assess.refdata import ReferenceData

# NOTE: everything else is imported inside the commands, so that `--help` and the
# light commands do not pay for networkx, Jinja2, requests or the reference data.

HELP = (
    "Check whether each personal-data flow of a data map may leave the EU "
    "(GDPR Chapter V), and what to do where it may not. Information, not legal advice."
    "\n\nExit status: 0 done; 1 a --fail-on threshold was reached; 2 bad usage or "
    "invalid input."
)

app = typer.Typer(
    name="transfer-assess",
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _fail(
    messages: list[str] | None = None, error: DataMapError | None = None
) -> NoReturn:
    from transfer_assess.console import make_console, print_error, print_problems

    console = make_console(stderr=True)
    if error is not None:
        print_problems(console, error.problems, style="ta.error")
    for message in messages or []:
        print_error(console, message)
    raise typer.Exit(code=2)


def _parse_day(
    text: str | None, default: date | None = None, *, option: str = "--as-of"
) -> date:
    """Parse ``--as-of``; default: the map's ``as_of``, else today (the only clock)."""
    from transfer_assess.refdata import check_as_of

    if text is None:
        if default is not None:
            return check_as_of(default)
        return check_as_of(date.today())  # noqa: DTZ011 - the local calendar day is meant
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{option} {text!r} is not an ISO 8601 date like 2026-11-28"
        ) from None
    if len(text) != len("2026-11-28"):
        raise InputError(f"{option} {text!r} is not an ISO 8601 date like 2026-11-28")
    return check_as_of(day)


def _choice_option(name: str, kind: type[enum.StrEnum], **settings: Any) -> Any:
    """
    An option whose value is one of an enum's values, shown as ``a|b|c`` in help.

    Typer's own check words its message as a validation error ("Value error, …");
    this one says what is allowed in plain words.
    """
    allowed = [member.value for member in kind]

    def check(value: str | None) -> str | None:
        if value is None or value in allowed:
            return value
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}")

    return typer.Option(name, metavar="|".join(allowed), callback=check, **settings)


#: Whether this run has already warned that its date is past the reference data.
_WARNED: set[str] = set()


def _warn_past_data(day: date, refdata: ReferenceData) -> None:
    """Warn once per run when `day` is after the date the reference data knows."""
    if day <= refdata.as_of or "past-data" in _WARNED:
        return
    from transfer_assess.console import make_console, print_plain

    _WARNED.add("past-data")
    print_plain(
        make_console(stderr=True),
        f"warning: {day.isoformat()} is after {refdata.as_of.isoformat()}: the "
        f"reference data only knows the law up to {refdata.as_of.isoformat()}; run "
        "`transfer-assess data update` for newer data",
    )


def _version(value: bool) -> None:
    from transfer_assess import __version__

    if value:
        typer.echo(f"transfer-assess {__version__}")
        raise typer.Exit


#: Input limits chosen on the command line for this run (absent keys: the defaults).
_LIMITS: dict[str, int] = {}


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
    max_file_size: Annotated[
        int | None,
        typer.Option(
            "--max-file-size",
            min=1,
            help="Refuse map files larger than this many bytes (default 2 GiB).",
            show_default=False,
        ),
    ] = None,
    max_entities: Annotated[
        int | None,
        typer.Option("--max-entities", min=1, help="Refuse maps with more entities."),
    ] = None,
    max_flows: Annotated[
        int | None,
        typer.Option("--max-flows", min=0, help="Refuse maps with more flows."),
    ] = None,
    max_depth: Annotated[
        int | None,
        typer.Option("--max-depth", min=2, help="Refuse deeper nesting (default 64)."),
    ] = None,
) -> None:
    """Check personal-data flows against GDPR Chapter V."""
    del version
    _LIMITS.clear()
    _WARNED.clear()
    chosen = {
        "max_bytes": max_file_size,
        "max_entities": max_entities,
        "max_flows": max_flows,
        "max_depth": max_depth,
    }
    _LIMITS.update({key: value for key, value in chosen.items() if value is not None})


MapArgument = Annotated[
    Path,
    typer.Argument(
        metavar="MAP",
        help="The data map: a .yaml/.yml or .json file, or a folder with "
        "entities.csv and flows.csv.",
        show_default=False,
    ),
]
RefdataOption = Annotated[
    Path | None,
    typer.Option(
        "--refdata",
        metavar="DIR",
        help="Use this reference-data folder instead of the data in use (validated "
        "the same way; start from a copy of the folder 'data show' names).",
        show_default=False,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Assessment date (YYYY-MM-DD, not before 2018-05-25); default: the "
        "map's as_of, else today.",
        show_default=False,
    ),
]


class RegimeChoice(enum.StrEnum):
    """Values of ``--regime``."""

    ALL = "all"
    EU = "EU"
    UK = "UK"
    CH = "CH"


def _regime_value(value: str | None) -> str | None:
    """``--regime`` in any case: ``uk`` is ``UK``, ``ALL`` is ``all``."""
    if value is None:
        return value
    for member in RegimeChoice:
        if value.lower() == member.value.lower():
            return member.value
    allowed = ", ".join(member.value for member in RegimeChoice)
    raise typer.BadParameter(f"{value!r} is not one of {allowed}")


def _regime_option(help_text: str) -> Any:
    """The ``--regime`` option (values in any case)."""
    metavar = "|".join(member.value for member in RegimeChoice)
    return typer.Option(
        "--regime", metavar=metavar, callback=_regime_value, help=help_text
    )


RegimeOption = Annotated[
    str,
    _regime_option(
        "Assess under one regime (EU GDPR, UK GDPR, Swiss FADP) or all that apply "
        "to each flow."
    ),
]
OutputFileOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        metavar="FILE",
        help="Write to this file (atomically) instead of standard output.",
        show_default=False,
    ),
]


class _ManyMapsCommand(typer.core.TyperCommand):
    """
    A command whose help names its list argument's items, not the Python type.

    Typer describes a repeatable argument by its annotation (``<list[Path]>``);
    a reader wants to know what one item is.
    """

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """Write the Arguments and Options sections, items named plainly."""
        sections: dict[str, list[tuple[str, str]]] = {"Arguments": [], "Options": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            name, text = record
            kind = "Arguments" if param.param_type_name == "argument" else "Options"
            sections[kind].append((name.replace("<list[Path]>", "<path>"), text))
        for title, records in sections.items():
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


@app.command(cls=_ManyMapsCommand)
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="MAP",
            help="One or more data maps: .yaml/.yml or .json files, or folders with "
            "entities.csv and flows.csv.",
            show_default=False,
        ),
    ],
) -> None:
    """Check data maps against the format; exit 0 when all are valid, 2 when not."""
    from transfer_assess.console import (
        make_console,
        print_problems,
        print_valid,
    )
    from transfer_assess.load import Limits, load_map

    failed = False
    for path in paths:
        try:
            datamap = load_map(path, limits=Limits(**_LIMITS))
        except DataMapError as error:
            print_problems(make_console(stderr=True), error.problems, style="ta.error")
            failed = True
            continue
        if datamap.warnings:
            print_problems(
                make_console(stderr=True),
                [
                    type(problem)(
                        problem.file,
                        problem.line,
                        problem.path,
                        f"warning: {problem.message}",
                    )
                    for problem in datamap.warnings
                ],
                style="ta.warning",
            )
        print_valid(make_console(), datamap)
    if failed:
        raise typer.Exit(code=2)


@app.command()
def countries(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="List the decisions in force on this date (YYYY-MM-DD, not before "
            "2018-05-25); default: today.",
            show_default=False,
        ),
    ] = None,
    include_led: Annotated[
        bool,
        typer.Option(
            "--include-led",
            help="Also list decisions under the Law Enforcement Directive.",
        ),
    ] = False,
    regime: Annotated[
        str,
        _regime_option(
            "Whose adequacy list: the EU's (default), the UK's, Switzerland's or all."
        ),
    ] = RegimeChoice.EU.value,
) -> None:
    """List the adequacy decisions in force on a date, with scope and watch notes."""
    from transfer_assess.console import countries_table, make_console
    from transfer_assess.refdata import load_reference_data

    try:
        day = _parse_day(as_of)
        refdata = load_reference_data()
    except TransferAssessError as error:
        _fail([str(error)])
    from transfer_assess.engine import REGIMES, regimes_of

    wanted = {REGIMES[item] for item in regimes_of(regime)}
    if include_led:
        wanted.add("EU-LED")
    decisions = tuple(
        decision for decision in refdata.in_force(day) if decision.regime in wanted
    )
    _warn_past_data(day, refdata)
    console = make_console()
    console.print(countries_table(refdata, day, decisions))


class OutputFormat(enum.StrEnum):
    """Formats of ``assess``."""

    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


class FailOn(enum.StrEnum):
    """Thresholds of ``--fail-on``."""

    GAP = "gap"
    ATTENTION = "attention"


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """
    Run a command with CPython's cyclic garbage collector off, then restore it.

    Reading and assessing a large map allocates millions of objects that all live
    until the report is written; the collector's full passes over them took about a
    third of a large run while finding nothing to free. The model, the findings and
    the reports are frozen attrs objects, tuples and dicts that refer to each other
    by id (strings), not in cycles, so reference counting frees them; the few cycles
    a run makes (closures and classes made at import, the JSON encoder) are a
    constant hundred objects, whatever the size of the map
    (``docs/performance.md``). The previous state is restored on the way out, for
    callers that run commands inside their own process (tests, ``CliRunner``).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _refuse_overwrite(output: Path | None, path: Path) -> None:
    """Exit 2 when ``--output`` names a file the map is read from."""
    if output is not None and output.resolve() in _inputs(path):
        _fail([f"--output {output} would overwrite the map"])


def _load(path: Path) -> DataMap:
    from transfer_assess.load import Limits, load_map

    try:
        return load_map(path, limits=Limits(**_LIMITS))
    except DataMapError as error:
        _fail(error=error)


#: Above this many findings the table shows the summary only; the same number as
#: `transfer_assess.console.SUMMARY_FROM` (a test checks), kept here so that
#: ``--help`` does not import rich's tables.
SUMMARY_FROM = 200

#: Maps with more flows than this get a progress bar (on standard error).
PROGRESS_FROM = 10_000


def _refdata(folder: Path | None) -> ReferenceData:
    """The reference data: a user's folder (``--refdata``) or the data in use."""
    from transfer_assess.refdata import load_reference_data

    if folder is not None and not folder.is_dir():
        _fail([f"--refdata {folder}: no such folder"])
    try:
        return load_reference_data(folder)
    except TransferAssessError as error:
        _fail([str(error)])


def _assess(
    datamap: DataMap,
    as_of: str | None,
    refdata: ReferenceData | None = None,
    regime: str = RegimeChoice.ALL.value,
) -> Assessment:
    from transfer_assess.engine import assess

    with _assessing(datamap, as_of, refdata) as (day, data, progress):
        return assess(
            datamap, as_of=day, refdata=data, regime=regime, progress=progress
        )


@contextlib.contextmanager
def _assessing(
    datamap: DataMap,
    as_of: str | None,
    refdata: ReferenceData | None,
    *,
    bar: bool = True,
) -> Iterator[tuple[date, ReferenceData, Callable[[int, int], None] | None]]:
    """
    The date, the reference data and a progress callback for assessing a map.

    A large map gets a progress bar on standard error while the block runs (unless
    `bar` is false: a few flows are assessed); an error of the assessment inside
    the block exits 2 with its message.
    """
    from transfer_assess.refdata import load_reference_data

    try:
        day = _parse_day(as_of, datamap.as_of)
        refdata = refdata or load_reference_data()
        _warn_past_data(day, refdata)
        if not bar or len(datamap.flows) <= PROGRESS_FROM:
            yield day, refdata, None
            return
        from transfer_assess.console import progress_bar

        with progress_bar(len(datamap.flows)) as advance:
            yield day, refdata, advance
    except TransferAssessError as error:
        _fail([str(error)])


@contextlib.contextmanager
def _streaming(
    path: Path,
    datamap: DataMap,
    as_of: str | None,
    refdata: ReferenceData,
    regime: str,
    output: Path | None,
) -> Iterator[AssessmentStream]:
    """
    The map's assessment, made while the block reads it, inside `_assessing`.

    A report read from it keeps only what it writes (the JSON report none of the
    findings, the table those it lists), so that the report of a large map needs
    the map in memory, not every finding with its reasons. ``--output`` is checked
    against the map's files before anything is assessed.
    """
    from transfer_assess.engine import assess_stream

    with _assessing(datamap, as_of, refdata) as (day, data, progress):
        findings = assess_stream(
            datamap, as_of=day, refdata=data, regime=regime, progress=progress
        )
        _refuse_overwrite(output, path)
        yield findings


def _write_json_report(findings: AssessmentStream, output: Path | None) -> None:
    """Write the JSON report while its findings are made; the summary is counted."""
    from transfer_assess.output import write_stream

    if output is None:
        findings.write_json(sys.stdout)
        return
    try:
        write_stream(output, findings.write_json)
    except OSError as error:
        _fail([f"cannot write {output}: {error.strerror or error}"])


StatusOption = Annotated[
    str | None,
    typer.Option(
        "--status",
        metavar="STATUS[,STATUS]",
        help="Table: list only findings with these statuses, e.g. gap,attention.",
        show_default=False,
    ),
]


def _statuses(text: str | None) -> list[Status] | None:
    """Parse ``--status gap,attention``; exit 2 on an unknown status."""
    from transfer_assess.findings import Status

    if text is None:
        return None
    allowed = [status.value for status in Status]
    chosen = []
    for word in (part.strip() for part in text.split(",")):
        if word not in allowed:
            _fail([f"--status {word!r} is not one of {', '.join(allowed)}"])
        chosen.append(Status(word))
    return chosen


@app.command("assess")
@_collector_paused()
def assess_command(
    path: MapArgument,
    as_of: AsOfOption = None,
    output_format: Annotated[
        str,
        _choice_option(
            "--format",
            OutputFormat,
            help="table for people, json for tooling, sarif for code scanning.",
        ),
    ] = OutputFormat.TABLE.value,
    output: OutputFileOption = None,
    fail_on: Annotated[
        str | None,
        _choice_option(
            "--fail-on",
            FailOn,
            help="Exit 1 when a finding reaches this status (for CI).",
            show_default=False,
        ),
    ] = None,
    status: StatusOption = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            metavar="N",
            min=1,
            help="Table: list at most N findings, worst first.",
            show_default=False,
        ),
    ] = None,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help=f"Table: list every finding (above {SUMMARY_FROM} findings the "
            "table shows the summary only).",
        ),
    ] = False,
    codes: Annotated[
        bool,
        typer.Option(
            "--codes",
            help="Table: show the report's codes (fix_mechanism) instead of plain "
            "words.",
        ),
    ] = False,
    base: Annotated[
        Path | None,
        typer.Option(
            "--base",
            metavar="DIR",
            help="SARIF: give the map's path relative to this folder (default: the "
            "repository the map is in, else the current folder).",
            show_default=False,
        ),
    ] = None,
    refdata_dir: RefdataOption = None,
    regime: RegimeOption = RegimeChoice.ALL.value,
) -> None:
    """Assess every flow of a map on a date; exit 1 with --fail-on when reached."""
    chosen_format = OutputFormat(output_format)
    if limit is not None and show_all:
        _fail(["--limit and --all contradict each other; give one"])
    table_only = {"--status": status, "--limit": limit, "--all": show_all or None}
    table_only["--codes"] = codes or None
    if chosen_format is not OutputFormat.TABLE:
        extra = [name for name, value in table_only.items() if value is not None]
        if extra:
            _fail([f"{extra[0]} applies to --format table only"])
    if base is not None and chosen_format is not OutputFormat.SARIF:
        _fail(["--base applies to --format sarif only"])
    statuses = _statuses(status)
    datamap = _load(path)
    if chosen_format is not OutputFormat.SARIF:
        reading = _streaming(
            path, datamap, as_of, _refdata(refdata_dir), regime, output
        )
        with reading as findings:
            table = None
            if chosen_format is OutputFormat.JSON:
                _write_json_report(findings, output)
            else:
                from transfer_assess.console import stream_table

                table = stream_table(
                    findings,
                    statuses=statuses,
                    limit=limit,
                    show_all=show_all,
                    codes=codes,
                )
        if table is not None:
            _print_table(table, output)
        if fail_on is not None:
            _exit_on(fail_on, findings.tally)
        return
    result = _assess(datamap, as_of, _refdata(refdata_dir), regime)
    _refuse_overwrite(output, path)
    from transfer_assess import __version__
    from transfer_assess.load import Limits, flow_locations
    from transfer_assess.report.sarif import render_sarif, repository_root

    if base is not None and not base.is_dir():
        _fail([f"--base {base}: no such folder"])
    text = render_sarif(
        result,
        flow_locations(path, datamap, limits=Limits(**_LIMITS)),
        version=__version__,
        base=base if base is not None else repository_root(path),
    )
    if output is None:
        sys.stdout.write(text)
    else:
        _write(output, text)
    if fail_on is not None:
        from transfer_assess.findings import Tally

        _exit_on(fail_on, Tally.of(result.findings))


def _print_table(table: RenderableType, output: Path | None) -> None:
    """
    Print the terminal report, or write it to ``--output``.

    Printed part by part, a long table in batches of lines; not cropped: a line
    wider than the terminal (an id longer than it) wraps in the terminal instead
    of losing its end.
    """
    from transfer_assess.console import make_console, print_report

    if output is None:
        print_report(make_console(), table)
        return
    from transfer_assess.output import write_stream

    try:
        write_stream(
            output,
            lambda stream: print_report(make_console(width=100, file=stream), table),
        )
    except OSError as error:
        _fail([f"cannot write {output}: {error.strerror or error}"])


def _exit_on(fail_on: str, tally: Tally) -> None:
    """Exit 1 when a finding reaches the status ``--fail-on`` names."""
    from transfer_assess.findings import Status

    if tally.reaches(Status(fail_on)):
        raise typer.Exit(code=1)


@app.command()
def explain(
    path: MapArgument,
    flow_id: Annotated[
        str, typer.Argument(metavar="FLOW_ID", help="The id of the flow to explain.")
    ],
    as_of: AsOfOption = None,
    refdata_dir: RefdataOption = None,
    regime: RegimeOption = RegimeChoice.ALL.value,
) -> None:
    """Show why a flow got its verdict: rules fired, reasons, sources, the chain."""
    from transfer_assess.console import explanation, make_console
    from transfer_assess.engine import assess_stream

    datamap = _load(path)
    try:
        datamap.flow(flow_id)
    except KeyError:
        _no_such_flow(datamap, flow_id, path)
    # The one flow is assessed, against the whole map: the same findings as the
    # map's assessment gives it, without assessing every other flow.
    with _assessing(datamap, as_of, _refdata(refdata_dir), bar=False) as (
        day,
        data,
        _,
    ):
        stream = assess_stream(
            datamap, as_of=day, refdata=data, regime=regime, flows=[flow_id]
        )
        findings = list(stream)
    if stream.inactive:
        _fail([f"flow {flow_id!r} does not exist on {day.isoformat()}"])
    if not findings:
        _fail([f"{path}: flow {flow_id!r} has no {regime} finding on {day}"])
    console = make_console()
    for finding in findings:
        console.print(explanation(finding, day))


class ReportFormat(enum.StrEnum):
    """Formats of ``report``."""

    HTML = "html"
    MARKDOWN = "markdown"
    DOCX = "docx"


class SccFormat(enum.StrEnum):
    """Formats of ``scc``."""

    MARKDOWN = "markdown"
    DOCX = "docx"


class GraphFormat(enum.StrEnum):
    """Formats of ``graph``."""

    DOT = "dot"
    MERMAID = "mermaid"
    GRAPHML = "graphml"
    SVG = "svg"


def _inputs(path: Path) -> list[Path]:
    """The files a map was read from (a CSV folder's files, or the file)."""
    if path.is_dir():
        return sorted(item.resolve() for item in path.iterdir() if item.is_file())
    return [path.resolve()]


@app.command()
def report(
    path: MapArgument,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            metavar="DIR",
            help="Folder for index and one transfer impact summary per transfer.",
            show_default=False,
        ),
    ],
    as_of: AsOfOption = None,
    report_format: Annotated[
        str,
        _choice_option(
            "--format",
            ReportFormat,
            help="html (self-contained pages), markdown, or docx (one Word file, "
            "report.docx).",
        ),
    ] = ReportFormat.HTML.value,
    refdata_dir: RefdataOption = None,
) -> None:
    """Write the report folder: findings, flow graph, transfer impact assessments."""
    from transfer_assess.console import make_console, print_plain
    from transfer_assess.output import FileContent, OutputError
    from transfer_assess.profiles import load_country_profiles
    from transfer_assess.report.document import iter_report, write_report

    datamap = _load(path)
    refdata = _refdata(refdata_dir)
    result = _assess(datamap, as_of, refdata)
    files: Iterable[tuple[str, FileContent]]
    try:
        if report_format == ReportFormat.DOCX:
            from transfer_assess.report.docx import render_report_docx

            files = [
                (
                    "report.docx",
                    render_report_docx(
                        datamap,
                        result,
                        refdata,
                        profiles=load_country_profiles(refdata_dir),
                    ),
                )
            ]
        else:
            # Rendered while written, one page at a time.
            files = iter_report(
                datamap,
                result,
                refdata,
                format=report_format,
                profiles=load_country_profiles(refdata_dir),
            )
    except TransferAssessError as error:
        _fail([str(error)])
    inputs = set(_inputs(path))

    def checked() -> Iterator[tuple[str, FileContent]]:
        for name, content in files:
            target = (output / name).resolve()
            if target in inputs:
                message = f"--output {output} would overwrite the map ({target})"
                raise OutputError(message)
            yield name, content

    try:
        written = write_report(checked(), output)
    except TransferAssessError as error:
        _fail([str(error)])
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else None
        _fail([f"cannot write the report to {output}: {reason or error}"])
    index = {
        ReportFormat.HTML: "index.html",
        ReportFormat.MARKDOWN: "index.md",
        ReportFormat.DOCX: "report.docx",
    }[ReportFormat(report_format)]
    count = len(written)
    print_plain(
        make_console(),
        f"wrote {count:,} file{'' if count == 1 else 's'} to {output} "
        f"(open {output / index})",
    )


@app.command()
def graph(
    path: MapArgument,
    graph_format: Annotated[
        str,
        _choice_option(
            "--format",
            GraphFormat,
            help="dot, mermaid, graphml or svg.",
        ),
    ] = GraphFormat.MERMAID.value,
    as_of: AsOfOption = None,
    output: OutputFileOption = None,
    refdata_dir: RefdataOption = None,
) -> None:
    """Draw the flow graph: entities grouped by country, flows coloured by status."""
    from transfer_assess.report.graph import (
        graph_view,
        to_dot,
        to_graphml,
        to_mermaid,
        to_svg,
    )

    datamap = _load(path)
    refdata = _refdata(refdata_dir)
    result = _assess(datamap, as_of, refdata)
    view = graph_view(datamap, result, refdata)
    writers = {
        GraphFormat.DOT: to_dot,
        GraphFormat.MERMAID: to_mermaid,
        GraphFormat.GRAPHML: to_graphml,
        GraphFormat.SVG: to_svg,
    }
    text = writers[GraphFormat(graph_format)](view)
    _emit(text, output, path)


@app.command()
def scc(
    path: MapArgument,
    flow_id: Annotated[
        str, typer.Argument(metavar="FLOW_ID", help="The id of the flow.")
    ],
    as_of: AsOfOption = None,
    output: OutputFileOption = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            metavar="DIR",
            help="A folder with your own module1.md.j2 … module4.md.j2 (rendered in "
            "a sandbox).",
            show_default=False,
        ),
    ] = None,
    refdata_dir: RefdataOption = None,
    scc_format: Annotated[
        str,
        _choice_option(
            "--format",
            SccFormat,
            help="markdown, or docx (a Word file; needs --output).",
        ),
    ] = SccFormat.MARKDOWN.value,
) -> None:
    """Write the SCC pack of a flow: module, clause choices, Annexes I to III."""
    from transfer_assess.profiles import load_supervisory_authorities
    from transfer_assess.report.provenance import provenance
    from transfer_assess.report.scc import render_scc, scc_context

    if scc_format == SccFormat.DOCX and output is None:
        _fail(["--format docx writes a Word file: give it --output PATH"])
    datamap = _load(path)
    refdata = _refdata(refdata_dir)
    result = _assess(datamap, as_of, refdata)
    _known_flow(result, datamap, flow_id, path)
    try:
        record = provenance(datamap, result)
        context = scc_context(
            datamap,
            result,
            refdata,
            flow_id,
            authorities=load_supervisory_authorities(refdata_dir),
            provenance=record,
        )
        text = render_scc(context, templates)
    except TransferAssessError as error:
        _fail([str(error)])
    if scc_format == SccFormat.DOCX and output is not None:
        from transfer_assess.report.document import write_report
        from transfer_assess.report.docx import render_scc_docx

        _refuse_overwrite(output, path)
        try:
            write_report(
                {output.name: render_scc_docx(text, flow_id, record)}, output.parent
            )
        except (OSError, ValueError) as error:
            _fail([f"cannot write {output}: {error}"])
        return
    _emit(text, output, path)


def _known_flow(result: Assessment, datamap: DataMap, flow_id: str, path: Path) -> None:
    """Exit 2 with a clear message unless the flow has a finding on the date."""
    if flow_id in result.findings_by_flow():
        return
    if flow_id in result.inactive:
        _fail([f"flow {flow_id!r} does not exist on {result.as_of.isoformat()}"])
    _no_such_flow(datamap, flow_id, path)


def _no_such_flow(datamap: DataMap, flow_id: str, path: Path) -> NoReturn:
    """Exit 2: the map has no flow of that id (with the nearest id, if one is near)."""
    from transfer_assess.load.validate import suggest

    hint = suggest(flow_id, [flow.id for flow in datamap.flows])
    _fail([f"no flow {flow_id!r} in {path}{hint}"])


def _emit(text: str, output: Path | None, path: Path) -> None:
    """Write `text` to standard output, or to `output` unless that is a map file."""
    if output is None:
        sys.stdout.write(text)
        return
    _refuse_overwrite(output, path)
    _write(output, text)


def _write(target: Path, text: str) -> None:
    """Write a file atomically: a temporary file beside it, then a rename."""
    from transfer_assess.output import write_atomically

    try:
        write_atomically(target, text)
    except OSError as error:
        _fail([f"cannot write {target}: {error.strerror or error}"])


class CompareFormat(enum.StrEnum):
    """Formats of ``diff`` and ``whatif``."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


CompareFormatOption = Annotated[
    str,
    _choice_option(
        "--format",
        CompareFormat,
        help="table, json or markdown.",
    ),
]


def _print_comparison(comparison: Comparison, output_format: str) -> None:
    import json

    from transfer_assess.console import comparison_table, make_console
    from transfer_assess.governance import comparison_markdown

    if output_format == CompareFormat.JSON:
        text = json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False)
        sys.stdout.write(text + "\n")
    elif output_format == CompareFormat.MARKDOWN:
        sys.stdout.write(comparison_markdown(comparison))
    else:
        make_console().print(comparison_table(comparison))


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The old map.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The new map.")],
    as_of: AsOfOption = None,
    output_format: CompareFormatOption = CompareFormat.TABLE.value,
    fail_on_new: Annotated[
        str | None,
        _choice_option(
            "--fail-on-new",
            FailOn,
            help="Exit 1 when the change brings a finding at or above this status.",
            show_default=False,
        ),
    ] = None,
    refdata_dir: RefdataOption = None,
) -> None:
    """Compare two maps' assessments: flows added, removed, better, worse."""
    from transfer_assess.findings import Status
    from transfer_assess.governance import diff as compare_maps

    old_map, new_map = _load(old), _load(new)
    refdata = _refdata(refdata_dir)
    try:
        day = _parse_day(as_of, new_map.as_of)
        _warn_past_data(day, refdata)
        comparison = compare_maps(old_map, new_map, as_of=day, refdata=refdata)
    except TransferAssessError as error:
        _fail([str(error)])
    _print_comparison(comparison, output_format)
    if fail_on_new is not None and comparison.introduces(Status(fail_on_new)):
        raise typer.Exit(code=1)


def _pairs(values: list[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, separator, rest = value.partition("=")
        if not separator or not name or not rest:
            _fail([f"{option} {value!r}: expected ENTITY=VALUE"])
        pairs.append((name, rest))
    return pairs


def _answers(values: list[str]) -> list[tuple[str, str, str]]:
    """``FLOW:KEY=VALUE`` options as triples; exit 2 on a malformed one."""
    result = []
    for value in values:
        flow_id, colon, rest = value.partition(":")
        key, separator, answer = rest.partition("=")
        if not colon or not separator or not flow_id or not key or not answer:
            _fail([f"--tia-answer {value!r}: expected FLOW:KEY=VALUE"])
        result.append((flow_id, key, answer))
    return result


def _whatif_dates(
    ends: list[str], dates: list[str], as_of: str | None, datamap: DataMap
) -> tuple[date, list[tuple[str, date]]]:
    """
    The assessment date and the endings of ``whatif``; exit 2 when ambiguous.

    Without --as-of, the --on date is also the assessment date (asking what happens
    when a decision ends means looking at that day); with --as-of, that date is
    assessed and every --on must be on or before it, or the ending would not show.
    """
    if dates and not ends:
        _fail(["--on needs an --end: it is the day that decision stops applying"])
    if dates and len(dates) != len(ends):
        message = (
            f"{len(ends)} --end but {len(dates)} --on: give one --on per --end, "
            "in the same order, or none"
        )
        _fail([message])
    days = [_parse_day(text, None, option="--on") for text in dates]
    if as_of is None and days:
        if len(set(days)) > 1:
            _fail(["the --on dates differ; give --as-of to say which day to assess"])
        day = days[0]
    else:
        day = _parse_day(as_of, datamap.as_of)
    for on in days:
        if on > day:
            message = (
                f"--on {on.isoformat()} is after --as-of {day.isoformat()}: the "
                "decision would still apply on the assessment date"
            )
            _fail([message])
    endings = [
        (decision, days[index] if days else day) for index, decision in enumerate(ends)
    ]
    return day, endings


@app.command()
def whatif(
    path: MapArgument,
    end: Annotated[
        list[str] | None,
        typer.Option(
            "--end",
            metavar="DECISION",
            help="End this adequacy decision (an id from 'countries'); repeatable.",
            show_default=False,
        ),
    ] = None,
    on: Annotated[
        list[str] | None,
        typer.Option(
            "--on",
            metavar="DATE",
            help="First day without the decision, one per --end. Without --as-of "
            "it is also the date assessed; default: the assessment date.",
            show_default=False,
        ),
    ] = None,
    certify: Annotated[
        list[str] | None,
        typer.Option(
            "--certify",
            metavar="ENTITY=CERT",
            help="Certify an entity, e.g. us-cloud=dpf; repeatable.",
        ),
    ] = None,
    move: Annotated[
        list[str] | None,
        typer.Option(
            "--move",
            metavar="ENTITY=CC",
            help="Move an entity to another country; repeatable.",
        ),
    ] = None,
    tia_answer: Annotated[
        list[str] | None,
        typer.Option(
            "--tia-answer",
            metavar="FLOW:KEY=VALUE",
            help="Change an answer of a flow's TIA record, e.g. "
            "us-cloud:data_form=encrypted or us-cloud:reached.us-cloud-act=no; "
            "repeatable.",
        ),
    ] = None,
    as_of: AsOfOption = None,
    output_format: CompareFormatOption = CompareFormat.TABLE.value,
    refdata_dir: RefdataOption = None,
) -> None:
    """Re-assess with decisions ended, entities certified or moved, answers changed."""
    from transfer_assess.governance import what_if

    datamap = _load(path)
    refdata = _refdata(refdata_dir)
    try:
        day, endings = _whatif_dates(end or [], on or [], as_of, datamap)
        _warn_past_data(day, refdata)
        comparison = what_if(
            datamap,
            as_of=day,
            refdata=refdata,
            end=endings,
            certify=_pairs(certify or [], "--certify"),
            move=_pairs(move or [], "--move"),
            answers=_answers(tia_answer or []),
        )
    except TransferAssessError as error:
        _fail([str(error)])
    _print_comparison(comparison, output_format)


class ExportFormat(enum.StrEnum):
    """Formats of ``export``."""

    FIDES = "fides"
    ROPA_CSV = "ropa-csv"
    XLSX = "xlsx"
    CSV = "csv"
    YAML = "yaml"


class RopaLayout(enum.StrEnum):
    """Column layouts of the RoPA export."""

    STANDARD = "standard"
    ICO = "ico"


@app.command("import-fides")
def import_fides_command(
    manifests: Annotated[
        Path,
        typer.Argument(
            metavar="MANIFESTS",
            help="A folder of Fides manifests (.yml/.yaml, searched recursively) or "
            "one manifest file.",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            metavar="FILE",
            help="Write the draft map to this file (atomically) instead of standard "
            "output.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Draft a data map from Fides manifests, with the questions left to answer."""
    from transfer_assess.console import make_console, print_plain
    from transfer_assess.interchange.fides import (
        INFERRED_KEY,
        draft_map_text,
        import_fides,
    )
    from transfer_assess.load import Limits

    if output is not None and output.resolve() in _manifest_inputs(manifests):
        _fail([f"--output {output} would overwrite a manifest"])
    try:
        draft, questions = import_fides(manifests, limits=Limits(**_LIMITS))
    except DataMapError as error:
        _fail(error=error)
    except TransferAssessError as error:
        _fail([str(error)])
    text = draft_map_text(draft, questions)
    if output is None:
        sys.stdout.write(text)
    else:
        _write(output, text)
    where = f"in {output}" if output is not None else "at the top of the draft"
    count = len(questions)
    flows = draft.get("flows", [])
    inferred = sum(1 for item in flows if INFERRED_KEY in item)
    print_plain(
        make_console(stderr=True),
        f"{len(draft.get('entities', []))} entities, {len(flows)} flows"
        + (f" ({inferred} inferred)" if inferred else "")
        + f"; {count} open question{'s' if count != 1 else ''} {where}.",
    )


def _manifest_inputs(location: Path) -> list[Path]:
    """The manifest files `import-fides` would read (to refuse overwriting one)."""
    if location.is_dir():
        return sorted(item.resolve() for item in location.rglob("*") if item.is_file())
    return [location.resolve()]


@app.command()
def export(
    path: MapArgument,
    export_format: Annotated[
        str,
        _choice_option(
            "--format",
            ExportFormat,
            help="fides (a manifest of systems, taxonomy and datasets), ropa-csv "
            "(the transfers part of a record of processing, GDPR Art. 30(1)(e)), "
            "xlsx (the map as an Excel workbook; needs --output), csv (the map as "
            "a CSV folder; --output names the folder) or yaml (the map as YAML).",
        ),
    ],
    as_of: AsOfOption = None,
    output: OutputFileOption = None,
    layout: Annotated[
        str,
        _choice_option(
            "--layout",
            RopaLayout,
            help="Columns of ropa-csv: standard, or ico (the order of the ICO's "
            "list of what a controller records).",
        ),
    ] = RopaLayout.STANDARD.value,
    refdata_dir: RefdataOption = None,
) -> None:
    """Write a map as Fides, a workbook, CSV or YAML, or its transfers as a RoPA."""
    datamap = _load(path)
    if export_format in {ExportFormat.XLSX, ExportFormat.CSV}:
        _export_tables(datamap, export_format, output, path)
        return
    if export_format == ExportFormat.FIDES:
        from transfer_assess.interchange.fides import export_fides

        text = export_fides(datamap)
    elif export_format == ExportFormat.YAML:
        from transfer_assess.interchange.tables import map_yaml

        text = map_yaml(datamap)
    else:
        from transfer_assess.interchange.ropa import ropa_csv

        result = _assess(datamap, as_of, _refdata(refdata_dir))
        text = ropa_csv(datamap, result, layout=layout)
    _emit(text, output, path)


def _export_tables(
    datamap: DataMap, export_format: str, output: Path | None, path: Path
) -> None:
    """Write a map as a workbook or a CSV folder: both need --output."""
    from transfer_assess.interchange.tables import TABLE_ORDER, write_csv_folder
    from transfer_assess.interchange.xlsx import write_workbook

    if output is None:
        what = "a file" if export_format == ExportFormat.XLSX else "a folder"
        _fail([f"--format {export_format} needs --output ({what})"])
    targets = (
        [output]
        if export_format == ExportFormat.XLSX
        else [output / f"{name}.csv" for name in TABLE_ORDER]
    )
    inputs = _inputs(path)
    if any(target.resolve() in inputs for target in targets):
        _fail([f"--output {output} would overwrite the map"])
    try:
        if export_format == ExportFormat.XLSX:
            write_workbook(datamap, output)
        else:
            write_csv_folder(datamap, output)
    except OSError as error:
        _fail([f"cannot write {output}: {error.strerror or error}"])


data_app = typer.Typer(
    help="Reference data: show, update over HTTPS, roll back, verify.",
    no_args_is_help=True,
)
app.add_typer(data_app, name="data")


@data_app.command("show")
def data_show() -> None:
    """Show the reference data in use: version, hash, origin, previous version."""
    from transfer_assess.console import make_console, print_plain
    from transfer_assess.fetch import describe_data

    try:
        info = describe_data()
    except TransferAssessError as error:
        _fail([str(error)])
    console = make_console()
    for label, value in info:
        print_plain(console, f"{label}: {value}")


@data_app.command("update")
def data_update(
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            metavar="URL",
            help="Base URL of index.json and the files (default: the project's, or "
            "$TRANSFER_ASSESS_DATA_URL).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Accept an older version or fetch the same again."
        ),
    ] = False,
) -> None:
    """Download new reference data, verify it, and switch to it atomically."""
    from transfer_assess.console import download_progress, make_console, print_plain
    from transfer_assess.fetch import update

    try:
        with download_progress() as progress:
            result = update(url, force=force, progress=progress, waiting=_waiting)
    except TransferAssessError as error:
        _fail([str(error)])
    console = make_console()
    if result.changed:
        print_plain(
            console,
            f"reference data {result.version} in use (was {result.previous}); "
            "'transfer-assess data rollback' goes back",
        )
    else:
        print_plain(console, f"reference data {result.version} is already in use")


def _waiting() -> None:
    """Say on standard error that another process holds the data folder's lock."""
    from transfer_assess.console import make_console, print_plain
    from transfer_assess.store import data_home

    print_plain(
        make_console(stderr=True),
        f"waiting: another update or rollback of {data_home()} is running",
    )


@data_app.command("rollback")
def data_rollback() -> None:
    """Go back to the reference data in use before the last update."""
    from transfer_assess.console import make_console, print_plain
    from transfer_assess.fetch import describe_data
    from transfer_assess.store import data_home, locked, rollback

    try:
        home = data_home()
        with locked(home, _waiting):
            rollback(home)
        info = describe_data()
    except TransferAssessError as error:
        _fail([str(error)])
    print_plain(make_console(), f"now in use: {info[0][1]}")


@data_app.command("verify")
def data_verify() -> None:
    """Re-hash the reference data in use against its recorded index."""
    from transfer_assess.console import make_console, print_plain
    from transfer_assess.fetch import verify
    from transfer_assess.refdata import active_dir

    try:
        folder = active_dir()
        problems = verify(folder)
    except TransferAssessError as error:
        _fail([str(error)])
    if problems:
        _fail(problems)
    print_plain(make_console(), f"reference data in {folder} matches its index")


@data_app.command("prune")
def data_prune(
    keep: Annotated[
        int,
        typer.Option(
            "--keep",
            min=1,
            help="How many of the newest downloaded sets to keep (the one in use "
            "and the previous one are always kept).",
        ),
    ] = 3,
) -> None:
    """Remove old downloaded reference data, keeping the newest sets."""
    from transfer_assess.console import make_console, print_plain
    from transfer_assess.store import data_home, locked, prune

    try:
        home = data_home()
        with locked(home, _waiting):
            removed = prune(home, keep)
    except TransferAssessError as error:
        _fail([str(error)])
    console = make_console()
    for name in removed:
        print_plain(console, f"removed {name}")
    print_plain(console, f"{len(removed)} old set(s) removed, the newest {keep} kept")


def main() -> None:
    """Run the command line (the ``transfer-assess`` console script)."""
    try:
        app()
    except TransferAssessError as error:  # pragma: no cover - commands catch their own
        from transfer_assess.console import make_console, print_error

        print_error(make_console(stderr=True), str(error))
        sys.exit(2)


tia_app = typer.Typer(
    help="Transfer impact assessments: the questions to send to an importer.",
    no_args_is_help=True,
)
app.add_typer(tia_app, name="tia")


class QuestionnaireFormat(enum.StrEnum):
    """Formats of ``tia questionnaire``."""

    MD = "md"
    DOCX = "docx"
    YAML = "yaml"


@tia_app.command("questionnaire")
def tia_questionnaire(
    path: MapArgument,
    flow_id: Annotated[
        str, typer.Argument(metavar="FLOW_ID", help="The id of the flow.")
    ],
    questionnaire_format: Annotated[
        str,
        _choice_option(
            "--format",
            QuestionnaireFormat,
            help="md (a document to send), docx (a Word file; needs --output), or "
            "yaml (an answer sheet that a tia record's answers_file reads).",
        ),
    ] = QuestionnaireFormat.MD.value,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to this file (atomically) instead of standard output.",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOption = None,
    refdata_dir: RefdataOption = None,
) -> None:
    """Write the questions that matter for a flow's destination laws and importer."""
    from transfer_assess.engine import resolve_date
    from transfer_assess.load.validate import suggest
    from transfer_assess.questionnaire import questionnaire, to_markdown, to_yaml

    if questionnaire_format == QuestionnaireFormat.DOCX and output is None:
        _fail(["--format docx writes a Word file: give it --output PATH"])
    datamap = _load(path)
    refdata = _refdata(refdata_dir)
    try:
        day = resolve_date(as_of, datamap)
    except TransferAssessError as error:
        _fail([str(error)])
    if flow_id not in {flow.id for flow in datamap.flows}:
        hint = suggest(flow_id, [flow.id for flow in datamap.flows])
        _fail([f"no flow {flow_id!r} in {path}{hint}"])
    item = questionnaire(datamap, flow_id, refdata, day)
    if questionnaire_format == QuestionnaireFormat.YAML:
        _emit(to_yaml(item), output, path)
        return
    text = to_markdown(item)
    if questionnaire_format == QuestionnaireFormat.MD or output is None:
        _emit(text, output, path)
        return
    from transfer_assess.output import write_bytes_atomically
    from transfer_assess.report.docx import markdown_to_docx
    from transfer_assess.report.provenance import provenance

    _refuse_overwrite(output, path)
    try:
        record = provenance(datamap, _assess(datamap, as_of, refdata))
        blob = markdown_to_docx(
            [("questionnaire.md", text)],
            title=f"Transfer impact assessment: questions for flow {flow_id}",
            record=record,
        )
        write_bytes_atomically(output, blob)
    except TransferAssessError as error:
        _fail([str(error)])
    except (OSError, ValueError) as error:
        _fail([f"cannot write {output}: {error}"])
