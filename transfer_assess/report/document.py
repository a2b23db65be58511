"""
Documents people read: the report folder, one impact assessment per transfer.

`render_report` renders, from a map and its assessment, an ``index`` page (summary with
counts that add up, the flow graph, the findings) and one page per restricted transfer
(the EDPB's six steps of Recommendations 01/2020, a conclusion, the chain of transfers,
a sign-off block); `report.tia` gathers what they say. Every page ends with the
provenance record (`report.provenance`). HTML pages are self-contained (inline CSS and
SVG, nothing fetched), escape every value and print on A4 with page numbers; Markdown
pages escape every value and draw the graph as a Mermaid block. Page file names are
made of safe characters only, so they are the same on every system and in every link.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from transfer_assess.findings import Status
from transfer_assess.labels import status_label
from transfer_assess.output import FileContent, write_folder
from transfer_assess.report.graph import graph_view, to_mermaid, to_svg
from transfer_assess.report.json import DISCLAIMER
from transfer_assess.report.provenance import provenance as make_provenance
from transfer_assess.report.tia import MEASURE_LABELS, Rows, report_context

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from transfer_assess.findings import Assessment
    from transfer_assess.model import DataMap
    from transfer_assess.profiles import CountryProfile
    from transfer_assess.refdata import ReferenceData
    from transfer_assess.report.provenance import Provenance

__all__ = [
    "MEASURE_LABELS",
    "SIGN_OFF",
    "escape_markdown_values",
    "iter_report",
    "markdown_text",
    "page_name",
    "page_names",
    "render_report",
    "write_report",
]

#: The fields of the sign-off block on every transfer impact assessment.
SIGN_OFF = (
    "Assessor (name, role)",
    "Reviewer (name, role)",
    "Opinion of the data protection officer",
    "Decision (proceed / proceed once the actions are done / do not proceed)",
    "Date",
)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_UNSAFE_NAME = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1 << 16)
def markdown_text(text: str) -> str:
    """
    Escape a value for Markdown: inline syntax, table pipes, HTML, line breaks.

    Control characters become U+FFFD, so that no escape sequence survives. Cached:
    a report repeats the same names, labels and sources on many pages.
    """
    text = _CONTROL.sub("\ufffd", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


def escape_markdown_values(value: Any) -> Any:
    """Escape every string of a context for Markdown (``raw_`` keys aside)."""
    if isinstance(value, str):
        return markdown_text(value)
    if isinstance(value, dict):
        return {
            key: item if key.startswith("raw_") else escape_markdown_values(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [escape_markdown_values(item) for item in value]
    if isinstance(value, Rows):
        return value.map(escape_markdown_values)
    return value


def page_name(index: int, flow_id: str, suffix: str, regime: str = "EU") -> str:
    """
    The file name of a transfer page: ``transfer-0001-crm-sync.html``.

    Only lower-case ASCII letters, digits and single hyphens, so the name is valid and
    distinct on Windows, macOS and Linux (case-insensitive file systems included, and
    no reserved device name can result), and Markdown and HTML need no escaping: the
    file name and the link are the same string. The number keeps names unique; a
    finding under the UK or Swiss regime has the regime at the end (``-uk``, ``-ch``).
    """
    safe = _UNSAFE_NAME.sub("-", flow_id.lower()).strip("-")[:60].strip("-")
    tail = "" if regime == "EU" else f"-{regime.lower()}"
    return f"transfer-{index:04d}-{safe or 'flow'}{tail}.{suffix}"


def page_names(assessment: Assessment, suffix: str) -> dict[tuple[str, str], str]:
    """
    The page of each restricted transfer, by flow id and regime.

    Numbered in report order: by flow id, then EU, UK, CH.
    """
    transfers = [
        (finding.flow, finding.regime)
        for finding in assessment.findings
        if finding.transfer
    ]
    return {
        (flow, regime): page_name(index, flow, suffix, regime)
        for index, (flow, regime) in enumerate(transfers, start=1)
    }


def _css_string(text: str) -> str:
    """Text as the body of a CSS string in double quotes (for the print footer)."""
    return "".join(
        char if char.isalnum() or char in " .,:;-_()/·" else f"\\{ord(char):x} "
        for char in text
    )


def _print_footer(record: Provenance) -> str:
    digest = (record.map_sha256 or "not recorded")[:16]
    return _css_string(
        f"transfer-assess {record.tool_version} · map {digest} · reference data "
        f"{record.reference_version} · {record.generated}"
    )


def _environment() -> SandboxedEnvironment:
    folder = Path(str(resources.files("transfer_assess").joinpath("templates")))
    return SandboxedEnvironment(
        loader=FileSystemLoader(folder),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The packaged templates do not change during a run: no file check per page.
        auto_reload=False,
    )


def document_context(
    datamap: DataMap,
    assessment: Assessment,
    refdata: ReferenceData,
    *,
    suffix: str,
    profiles: Mapping[str, CountryProfile] | None = None,
    provenance: Provenance | None = None,
    names: Mapping[tuple[str, str], str] | None = None,
) -> dict[str, Any]:
    """
    The values every page of the report shows, unescaped (shared with the Word writer).

    `names` are the transfer pages' names (`page_names`), made here when omitted.

    Raises:
        InputError: ``SOURCE_DATE_EPOCH`` is malformed (when `provenance` is omitted).
    """
    record = provenance or make_provenance(datamap, assessment)
    context = report_context(
        datamap,
        assessment,
        refdata,
        page_names=page_names(assessment, suffix) if names is None else names,
        profiles=profiles,
    )
    return {
        **context,
        "disclaimer": DISCLAIMER,
        "signoff": list(SIGN_OFF),
        "labels": {status.value: status_label(status) for status in Status},
        "provenance": attrs.asdict(record),
        "print_footer": _print_footer(record),
    }


def render_report(
    datamap: DataMap,
    assessment: Assessment,
    refdata: ReferenceData,
    *,
    format: str = "html",  # noqa: A002 - the natural name, as on the command line
    profiles: Mapping[str, CountryProfile] | None = None,
    provenance: Provenance | None = None,
) -> dict[str, str]:
    """
    Render the report folder's pages in memory: `iter_report`'s pages, joined.

    Takes the arguments of `iter_report` and raises what it raises.

    Returns:
        File names (relative to the folder) and their text.
    """
    return {
        name: "".join(text)
        for name, text in iter_report(
            datamap,
            assessment,
            refdata,
            format=format,
            profiles=profiles,
            provenance=provenance,
        )
    }


def iter_report(
    datamap: DataMap,
    assessment: Assessment,
    refdata: ReferenceData,
    *,
    format: str = "html",  # noqa: A002 - the natural name, as on the command line
    profiles: Mapping[str, CountryProfile] | None = None,
    provenance: Provenance | None = None,
) -> Iterator[tuple[str, Iterable[str]]]:
    """
    Render the report folder's pages one at a time, for `write_report`.

    The index page comes first, as an iterator over pieces of its text (it lists
    every finding, and is written while it is rendered); then each transfer page,
    rendered when it is asked for. No page is kept once the next one is made.

    Args:
        datamap: The map.
        assessment: Its assessment.
        refdata: The reference data used.
        format: ``html`` or ``markdown``.
        profiles: Country profiles; the packaged ones when omitted.
        provenance: The footer's record; made now (honouring ``SOURCE_DATE_EPOCH``)
            when omitted.

    Yields:
        A file name (relative to the folder) and its text, whole or in pieces.

    Raises:
        ValueError: `format` is neither ``html`` nor ``markdown``.
        InputError: ``SOURCE_DATE_EPOCH`` is malformed.
    """
    if format not in {"html", "markdown"}:
        raise ValueError(f"unknown report format {format!r}")
    suffix = "html" if format == "html" else "md"
    names = page_names(assessment, suffix)
    context = document_context(
        datamap,
        assessment,
        refdata,
        suffix=suffix,
        profiles=profiles,
        provenance=provenance,
        names=names,
    )
    return _pages(datamap, assessment, refdata, format, context, names)


def _pages(
    datamap: DataMap,
    assessment: Assessment,
    refdata: ReferenceData,
    format: str,  # noqa: A002 - as in `iter_report`
    context: dict[str, Any],
    names: Mapping[tuple[str, str], str],
) -> Iterator[tuple[str, Iterable[str]]]:
    """The pages of `iter_report`, made when asked for."""
    # The graph links each flow to its EU page (the first of its findings).
    pages: dict[str, str] = {}
    for (flow, _regime), name in names.items():
        pages.setdefault(flow, name)
    view = graph_view(datamap, assessment, refdata)
    environment = _environment()
    # Step 3's country profile, rendered once per country: many transfers share one.
    profile_pages: dict[str | None, str] = {}
    if format == "html":
        style = environment.loader.get_source(environment, "report.css")[0]  # type: ignore[union-attr]
        shared = {
            "style": Markup(style),  # noqa: S704 - our own stylesheet
            "print_footer": Markup(context["print_footer"]),  # noqa: S704 - CSS-escaped
        }
        values = {key: item for key, item in context.items() if key != "print_footer"}
        index = environment.get_template("index.html.j2")
        svg = Markup(to_svg(view, links=pages))  # noqa: S704 - our own escaped SVG
        del view, pages
        yield "index.html", index.generate(**values, **shared, svg=svg)
        page = environment.get_template("transfer.html.j2")
        profile = environment.get_template("_profile.html.j2")
        for transfer in values["transfers"]:
            country = transfer["importer"]["country"]
            if transfer["profile"] is not None and country not in profile_pages:
                profile_pages[country] = Markup(  # noqa: S704 - autoescaped
                    profile.render(profile=transfer["profile"])
                )
            yield (
                transfer["page"],
                (
                    page.render(
                        report=values,
                        transfer=transfer,
                        profile_pages=profile_pages,
                        **shared,
                        **_common(values),
                    ),
                ),
            )
    else:
        escaped = escape_markdown_values(context)
        index = environment.get_template("index.md.j2")
        mermaid = to_mermaid(view)
        del view, pages
        yield "index.md", index.generate(**escaped, raw_mermaid=mermaid)
        page = environment.get_template("transfer.md.j2")
        profile = environment.get_template("_profile.md.j2")
        for transfer in escaped["transfers"]:
            country = transfer["importer"]["country"]
            if transfer["profile"] is not None and country not in profile_pages:
                profile_pages[country] = profile.render(profile=transfer["profile"])
            yield (
                transfer["page"],
                (
                    page.render(
                        report=escaped,
                        transfer=transfer,
                        profile_pages=profile_pages,
                        **_common(escaped),
                    ),
                ),
            )


def _common(context: Mapping[str, Any]) -> dict[str, Any]:
    """What the shared layout and footer of a transfer page read at the top level."""
    return {"disclaimer": context["disclaimer"], "provenance": context["provenance"]}


def write_report(
    files: Mapping[str, FileContent] | Iterable[tuple[str, FileContent]],
    folder: Path,
) -> list[Path]:
    """
    Write rendered files as one folder, replacing an earlier report whole.

    See `transfer_assess.output.write_folder`: written beside, swapped in, locked;
    files given as an iterator (`iter_report`) are written one at a time.

    Returns:
        The paths written, in name order.

    Raises:
        OutputError: A name would leave the folder, or the folder holds something
            other than an earlier report (it is a ``ValueError`` too).
        OSError: The folder cannot be written.
    """
    return write_folder(files, folder)
