"""
The ``transfer-assess`` command line: a thin shell over the library.

Each command parses its options, calls one library function and picks a renderer. It
holds no legal logic. Errors caused by input (`TransferAssessError`) become one clear
message per problem on standard error and exit status 2, never a traceback.

Exit status: 0 the command did its job; 1 a ``--fail-on`` threshold was reached;
2 bad usage or invalid input.
"""

from __future__ import annotations

import enum
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from transfer_assess.errors import DataMapError, InputError, TransferAssessError

if TYPE_CHECKING:
    from transfer_assess.findings import Assessment
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


def _parse_day(text: str | None, default: date | None = None) -> date:
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
            f"--as-of {text!r} is not an ISO 8601 date like 2026-11-28"
        ) from None
    if len(text) != len("2026-11-28"):
        raise InputError(f"--as-of {text!r} is not an ISO 8601 date like 2026-11-28")
    return check_as_of(day)


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
        help="Use this reference-data folder instead of the data in use (validated "
        "the same way; start from a copy of the folder 'data show' names).",
        show_default=False,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Assessment date (YYYY-MM-DD, not before 2018-05-25); default: the "
        "map's as_of, else today.",
        show_default=False,
    ),
]
OutputFileOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        help="Write to this file (atomically) instead of standard output.",
        show_default=False,
    ),
]


@app.command()
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="MAP...",
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
    as_of: AsOfOption = None,
    include_led: Annotated[
        bool,
        typer.Option(
            "--include-led",
            help="Also list decisions under the Law Enforcement Directive.",
        ),
    ] = False,
) -> None:
    """List the adequacy decisions in force on a date, with scope and watch notes."""
    from transfer_assess.console import countries_table, make_console
    from transfer_assess.refdata import load_reference_data

    try:
        day = _parse_day(as_of)
        refdata = load_reference_data()
    except TransferAssessError as error:
        _fail([str(error)])
    decisions = refdata.in_force(day, regime=None if include_led else "EU-GDPR")
    console = make_console()
    console.print(countries_table(refdata, day, decisions, width=console.width))


class OutputFormat(enum.StrEnum):
    """Formats of ``assess``."""

    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


class FailOn(enum.StrEnum):
    """Thresholds of ``--fail-on``."""

    GAP = "gap"
    ATTENTION = "attention"


def _load(path: Path) -> DataMap:
    from transfer_assess.load import Limits, load_map

    try:
        return load_map(path, limits=Limits(**_LIMITS))
    except DataMapError as error:
        _fail(error=error)


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
    datamap: DataMap, as_of: str | None, refdata: ReferenceData | None = None
) -> Assessment:
    from transfer_assess.engine import assess
    from transfer_assess.refdata import load_reference_data

    try:
        day = _parse_day(as_of, datamap.as_of)
        refdata = refdata or load_reference_data()
        if len(datamap.flows) <= PROGRESS_FROM:
            return assess(datamap, as_of=day, refdata=refdata)
        from transfer_assess.console import progress_bar

        with progress_bar(len(datamap.flows)) as advance:
            return assess(datamap, as_of=day, refdata=refdata, progress=advance)
    except TransferAssessError as error:
        _fail([str(error)])


@app.command("assess")
def assess_command(
    path: MapArgument,
    as_of: AsOfOption = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            help="table for people, json for tooling, sarif for code scanning.",
        ),
    ] = OutputFormat.TABLE,
    output: OutputFileOption = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a finding reaches this status (for CI).",
            show_default=False,
        ),
    ] = None,
    refdata_dir: RefdataOption = None,
) -> None:
    """Assess every flow of a map on a date; exit 1 with --fail-on when reached."""
    datamap = _load(path)
    result = _assess(datamap, as_of, _refdata(refdata_dir))
    if output is not None and output.resolve() in _inputs(path):
        _fail([f"--output {output} would overwrite the map"])
    if output_format is OutputFormat.SARIF:
        from transfer_assess import __version__
        from transfer_assess.load import Limits, flow_locations
        from transfer_assess.report.sarif import render_sarif

        text = render_sarif(
            result,
            flow_locations(path, datamap, limits=Limits(**_LIMITS)),
            version=__version__,
        )
        if output is None:
            sys.stdout.write(text)
        else:
            _write(output, text)
    elif output_format is OutputFormat.JSON:
        from transfer_assess.output import write_stream
        from transfer_assess.report.json import write_json

        if output is None:
            write_json(result, sys.stdout)
        else:
            try:
                write_stream(output, lambda stream: write_json(result, stream))
            except OSError as error:
                _fail([f"cannot write {output}: {error.strerror or error}"])
    elif output is None:
        from transfer_assess.console import assessment_table, make_console

        console = make_console()
        console.print(assessment_table(result))
    else:
        from transfer_assess.console import assessment_table, make_console

        console = make_console(width=100)
        with console.capture() as captured:
            console.print(assessment_table(result))
        _write(output, captured.get())
    if fail_on is not None:
        from transfer_assess.findings import Status

        threshold = Status(fail_on.value).rank
        if any(finding.status.rank >= threshold for finding in result.findings):
            raise typer.Exit(code=1)


@app.command()
def explain(
    path: MapArgument,
    flow_id: Annotated[
        str, typer.Argument(metavar="FLOW_ID", help="The id of the flow to explain.")
    ],
    as_of: AsOfOption = None,
    refdata_dir: RefdataOption = None,
) -> None:
    """Show why a flow got its verdict: rules fired, reasons, sources, the chain."""
    from transfer_assess.console import explanation, make_console

    datamap = _load(path)
    result = _assess(datamap, as_of, _refdata(refdata_dir))
    _known_flow(result, datamap, flow_id, path)
    make_console().print(explanation(result.finding(flow_id), result.as_of))


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
            help="Folder for index and one transfer impact summary per transfer.",
            show_default=False,
        ),
    ],
    as_of: AsOfOption = None,
    report_format: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            help="html (self-contained pages), markdown, or docx (one Word file, "
            "report.docx).",
        ),
    ] = ReportFormat.HTML,
    refdata_dir: RefdataOption = None,
) -> None:
    """Write the report folder: findings, flow graph, transfer impact assessments."""
    from transfer_assess.console import make_console, print_plain
    from transfer_assess.profiles import load_country_profiles
    from transfer_assess.report.document import render_report, write_report

    datamap = _load(path)
    refdata = _refdata(refdata_dir)
    result = _assess(datamap, as_of, refdata)
    files: dict[str, str | bytes]
    try:
        if report_format is ReportFormat.DOCX:
            from transfer_assess.report.docx import render_report_docx

            files = {
                "report.docx": render_report_docx(
                    datamap,
                    result,
                    refdata,
                    profiles=load_country_profiles(refdata_dir),
                )
            }
        else:
            files = dict(
                render_report(
                    datamap,
                    result,
                    refdata,
                    format=report_format.value,
                    profiles=load_country_profiles(refdata_dir),
                )
            )
    except TransferAssessError as error:
        _fail([str(error)])
    targets = {(output / name).resolve() for name in files}
    clash = targets & set(_inputs(path))
    if clash:
        _fail([f"--output {output} would overwrite the map ({min(clash)})"])
    try:
        written = write_report(files, output)
    except (OSError, ValueError) as error:
        _fail([f"cannot write the report to {output}: {error}"])
    index = {
        ReportFormat.HTML: "index.html",
        ReportFormat.MARKDOWN: "index.md",
        ReportFormat.DOCX: "report.docx",
    }[report_format]
    print_plain(
        make_console(),
        f"wrote {len(written)} files to {output} (open {output / index})",
    )


@app.command()
def graph(
    path: MapArgument,
    graph_format: Annotated[
        GraphFormat, typer.Option("--format", help="dot, mermaid, graphml or svg.")
    ] = GraphFormat.MERMAID,
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
    text = writers[graph_format](view)
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
            help="A folder with your own module1.md.j2 … module4.md.j2 (rendered in "
            "a sandbox).",
            show_default=False,
        ),
    ] = None,
    refdata_dir: RefdataOption = None,
    scc_format: Annotated[
        SccFormat,
        typer.Option(
            "--format", help="markdown, or docx (a Word file; needs --output)."
        ),
    ] = SccFormat.MARKDOWN,
) -> None:
    """Write the SCC pack of a flow: module, clause choices, Annexes I to III."""
    from transfer_assess.profiles import load_supervisory_authorities
    from transfer_assess.report.provenance import provenance
    from transfer_assess.report.scc import render_scc, scc_context

    if scc_format is SccFormat.DOCX and output is None:
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
    if scc_format is SccFormat.DOCX and output is not None:
        from transfer_assess.report.document import write_report
        from transfer_assess.report.docx import render_scc_docx

        if output.resolve() in _inputs(path):
            _fail([f"--output {output} would overwrite the map"])
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
    from transfer_assess.load.validate import suggest

    if flow_id in result.findings_by_flow():
        return
    if flow_id in result.inactive:
        _fail([f"flow {flow_id!r} does not exist on {result.as_of.isoformat()}"])
    hint = suggest(flow_id, [flow.id for flow in datamap.flows])
    _fail([f"no flow {flow_id!r} in {path}{hint}"])


def _emit(text: str, output: Path | None, path: Path) -> None:
    """Write `text` to standard output, or to `output` unless that is a map file."""
    if output is None:
        sys.stdout.write(text)
        return
    if output.resolve() in _inputs(path):
        _fail([f"--output {output} would overwrite the map"])
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
    CompareFormat, typer.Option("--format", help="table, json or markdown.")
]


def _print_comparison(comparison: Comparison, output_format: CompareFormat) -> None:
    import json

    from transfer_assess.console import comparison_table, make_console
    from transfer_assess.governance import comparison_markdown

    if output_format is CompareFormat.JSON:
        text = json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False)
        sys.stdout.write(text + "\n")
    elif output_format is CompareFormat.MARKDOWN:
        sys.stdout.write(comparison_markdown(comparison))
    else:
        make_console().print(comparison_table(comparison))


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The old map.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The new map.")],
    as_of: AsOfOption = None,
    output_format: CompareFormatOption = CompareFormat.TABLE,
    fail_on_new: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on-new",
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
        comparison = compare_maps(old_map, new_map, as_of=day, refdata=refdata)
    except TransferAssessError as error:
        _fail([str(error)])
    _print_comparison(comparison, output_format)
    if fail_on_new is not None and comparison.introduces(Status(fail_on_new.value)):
        raise typer.Exit(code=1)


def _pairs(values: list[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        name, separator, rest = value.partition("=")
        if not separator or not name or not rest:
            _fail([f"{option} {value!r}: expected ENTITY=VALUE"])
        pairs.append((name, rest))
    return pairs


@app.command()
def whatif(
    path: MapArgument,
    end: Annotated[
        list[str] | None,
        typer.Option(
            "--end",
            help="End this adequacy decision (an id from 'countries'); repeatable.",
            show_default=False,
        ),
    ] = None,
    on: Annotated[
        list[str] | None,
        typer.Option(
            "--on",
            help="First day without the decision, one per --end (default: the "
            "assessment date).",
            show_default=False,
        ),
    ] = None,
    certify: Annotated[
        list[str] | None,
        typer.Option("--certify", help="ENTITY=CERT, e.g. us-cloud=dpf; repeatable."),
    ] = None,
    move: Annotated[
        list[str] | None,
        typer.Option("--move", help="ENTITY=CC, a new country; repeatable."),
    ] = None,
    as_of: AsOfOption = None,
    output_format: CompareFormatOption = CompareFormat.TABLE,
    refdata_dir: RefdataOption = None,
) -> None:
    """Re-assess with a decision ended, an entity certified or moved: what changes."""
    from transfer_assess.governance import what_if

    datamap = _load(path)
    refdata = _refdata(refdata_dir)
    try:
        day = _parse_day(as_of, datamap.as_of)
        ends = end or []
        dates = on or []
        if len(dates) > len(ends):
            _fail(["more --on dates than --end decisions"])
        endings = [
            (decision, _parse_day(dates[index], None) if index < len(dates) else day)
            for index, decision in enumerate(ends)
        ]
        comparison = what_if(
            datamap,
            as_of=day,
            refdata=refdata,
            end=endings,
            certify=_pairs(certify or [], "--certify"),
            move=_pairs(move or [], "--move"),
        )
    except TransferAssessError as error:
        _fail([str(error)])
    _print_comparison(comparison, output_format)


class ExportFormat(enum.StrEnum):
    """Formats of ``export``."""

    FIDES = "fides"
    ROPA_CSV = "ropa-csv"


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
            help="Write the draft map to this file (atomically) instead of standard "
            "output.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Draft a data map from Fides manifests, with the questions left to answer."""
    from transfer_assess.console import make_console, print_plain
    from transfer_assess.interchange.fides import draft_map_text, import_fides
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
    print_plain(
        make_console(stderr=True),
        f"{len(draft.get('entities', []))} entities, {len(draft.get('flows', []))} "
        f"flows; {count} open question{'s' if count != 1 else ''} {where}.",
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
        ExportFormat,
        typer.Option(
            "--format",
            help="fides (a manifest of systems, taxonomy and datasets) or ropa-csv "
            "(the transfers part of a record of processing, GDPR Art. 30(1)(e)).",
        ),
    ],
    as_of: AsOfOption = None,
    output: OutputFileOption = None,
    refdata_dir: RefdataOption = None,
) -> None:
    """Write a map as a Fides manifest, or its transfers as a RoPA spreadsheet (CSV)."""
    datamap = _load(path)
    if export_format is ExportFormat.FIDES:
        from transfer_assess.interchange.fides import export_fides

        text = export_fides(datamap)
    else:
        from transfer_assess.interchange.ropa import ropa_csv

        result = _assess(datamap, as_of, _refdata(refdata_dir))
        text = ropa_csv(datamap, result)
    _emit(text, output, path)


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
            result = update(url, force=force, progress=progress)
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


@data_app.command("rollback")
def data_rollback() -> None:
    """Go back to the reference data in use before the last update."""
    from transfer_assess.console import make_console, print_plain
    from transfer_assess.fetch import describe_data
    from transfer_assess.store import data_home, locked, rollback

    try:
        home = data_home()
        with locked(home):
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

    problems = verify()
    if problems:
        _fail(problems)
    print_plain(make_console(), f"reference data in {active_dir()} matches its index")


def main() -> None:
    """Run the command line (the ``transfer-assess`` console script)."""
    try:
        app()
    except TransferAssessError as error:  # pragma: no cover - commands catch their own
        from transfer_assess.console import make_console, print_error

        print_error(make_console(stderr=True), str(error))
        sys.exit(2)
