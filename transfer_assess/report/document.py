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
from transfer_assess.output import write_folder
from transfer_assess.report.graph import graph_view, to_mermaid, to_svg
from transfer_assess.report.json import DISCLAIMER
from transfer_assess.report.provenance import provenance as make_provenance
from transfer_assess.report.tia import MEASURE_LABELS, report_context

if TYPE_CHECKING:
    from collections.abc import Mapping

    from transfer_assess.findings import Assessment
    from transfer_assess.model import DataMap
    from transfer_assess.profiles import CountryProfile
    from transfer_assess.refdata import ReferenceData
    from transfer_assess.report.provenance import Provenance

__all__ = [
    "MEASURE_LABELS",
    "SIGN_OFF",
    "escape_markdown_values",
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
    )


def document_context(
    datamap: DataMap,
    assessment: Assessment,
    refdata: ReferenceData,
    *,
    suffix: str,
    profiles: Mapping[str, CountryProfile] | None = None,
    provenance: Provenance | None = None,
) -> dict[str, Any]:
    """
    The values every page of the report shows, unescaped (shared with the Word writer).

    Raises:
        InputError: ``SOURCE_DATE_EPOCH`` is malformed (when `provenance` is omitted).
    """
    record = provenance or make_provenance(datamap, assessment)
    context = report_context(
        datamap,
        assessment,
        refdata,
        page_names=page_names(assessment, suffix),
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
    Render the report folder's pages in memory.

    Args:
        datamap: The map.
        assessment: Its assessment.
        refdata: The reference data used.
        format: ``html`` or ``markdown``.
        profiles: Country profiles; the packaged ones when omitted.
        provenance: The footer's record; made now (honouring ``SOURCE_DATE_EPOCH``)
            when omitted.

    Returns:
        File names (relative to the folder) and their text.

    Raises:
        ValueError: `format` is neither ``html`` nor ``markdown``.
        InputError: ``SOURCE_DATE_EPOCH`` is malformed.
    """
    if format not in {"html", "markdown"}:
        raise ValueError(f"unknown report format {format!r}")
    suffix = "html" if format == "html" else "md"
    context = document_context(
        datamap,
        assessment,
        refdata,
        suffix=suffix,
        profiles=profiles,
        provenance=provenance,
    )
    # The graph links each flow to its EU page (the first of its findings).
    pages: dict[str, str] = {}
    for item in context["transfers"]:
        pages.setdefault(item["flow"], item["page"])
    view = graph_view(datamap, assessment, refdata)
    environment = _environment()
    files: dict[str, str] = {}
    if format == "html":
        style = environment.loader.get_source(environment, "report.css")[0]  # type: ignore[union-attr]
        shared = {
            "style": Markup(style),  # noqa: S704 - our own stylesheet
            "print_footer": Markup(context["print_footer"]),  # noqa: S704 - CSS-escaped
        }
        values = {key: item for key, item in context.items() if key != "print_footer"}
        index = environment.get_template("index.html.j2")
        svg = Markup(to_svg(view, links=pages))  # noqa: S704 - our own escaped SVG
        files["index.html"] = index.render(**values, **shared, svg=svg)
        page = environment.get_template("transfer.html.j2")
        # Rendered once per country: many transfers share a destination's profile.
        profiles_html = {
            key: Markup(text)  # noqa: S704 - rendered with autoescape on
            for key, text in _profiles(environment, "html", context).items()
        }
        for transfer in context["transfers"]:
            files[transfer["page"]] = page.render(
                report=values,
                transfer=transfer,
                profile_pages=profiles_html,
                **shared,
                **_common(values),
            )
    else:
        escaped = escape_markdown_values(context)
        index = environment.get_template("index.md.j2")
        files["index.md"] = index.render(**escaped, raw_mermaid=to_mermaid(view))
        page = environment.get_template("transfer.md.j2")
        profiles_md = _profiles(environment, "md", escaped)
        for transfer in escaped["transfers"]:
            files[transfer["page"]] = page.render(
                report=escaped,
                transfer=transfer,
                profile_pages=profiles_md,
                **_common(escaped),
            )
    return files


def _profiles(
    environment: SandboxedEnvironment, suffix: str, context: Mapping[str, Any]
) -> dict[str | None, str]:
    """Step 3's country profile of each destination, rendered once per country."""
    template = environment.get_template(f"_profile.{suffix}.j2")
    rendered: dict[str | None, str] = {}
    for transfer in context["transfers"]:
        country = transfer["importer"]["country"]
        if transfer["profile"] is not None and country not in rendered:
            rendered[country] = template.render(profile=transfer["profile"])
    return rendered


def _common(context: Mapping[str, Any]) -> dict[str, Any]:
    """What the shared layout and footer of a transfer page read at the top level."""
    return {"disclaimer": context["disclaimer"], "provenance": context["provenance"]}


def write_report(files: Mapping[str, str | bytes], folder: Path) -> list[Path]:
    """
    Write rendered files as one folder, replacing an earlier report whole.

    See `transfer_assess.output.write_folder`: written beside, swapped in, locked.

    Returns:
        The paths written, in name order.

    Raises:
        OutputError: A name would leave the folder, or the folder holds something
            other than an earlier report (it is a ``ValueError`` too).
        OSError: The folder cannot be written.
    """
    return write_folder(files, folder)
