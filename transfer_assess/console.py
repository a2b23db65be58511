"""
Terminal rendering with rich: tables and messages for the command line.

This and `transfer_assess.cli` are the only modules that import rich. Every value that
comes from a data map or reference data is passed to rich as plain `Text`, never as
markup, so that brackets in names are printed as they are.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text
from rich.theme import Theme
from rich.tree import Tree

from transfer_assess.graph import chain_display
from transfer_assess.safetext import inert

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from datetime import date

    from transfer_assess.errors import Problem
    from transfer_assess.findings import Assessment, Finding
    from transfer_assess.governance import Comparison
    from transfer_assess.model import DataMap
    from transfer_assess.refdata import Decision, ReferenceData

#: Named styles, so that colours are chosen in one place (and dropped with NO_COLOR).
THEME = Theme(
    {
        "ta.ok": "green",
        "ta.attention": "yellow",
        "ta.gap": "bold red",
        "ta.error": "bold red",
        "ta.warning": "yellow",
        "ta.muted": "dim",
        "ta.heading": "bold",
    }
)


def clean(text: str) -> str:
    r"""
    Make text from a data map inert on a terminal.

    Control characters (escape sequences included), bidirectional overrides and
    zero-width characters are shown as a backslash escape (``\x1b``, ``\u202e``)
    instead of being sent to the terminal; newlines and tabs are kept. Rich markup is
    never interpreted, because every renderable here is a `Text`, not a markup string.
    """
    return inert(text, multiline=True)


def _text(value: str = "", style: str = "", **kwargs: Any) -> Text:
    return Text(clean(value), style=style, **kwargs)


def _assemble(*parts: str | Text | tuple[str, str]) -> Text:
    cleaned: list[str | Text | tuple[str, str]] = []
    for part in parts:
        if isinstance(part, str):
            cleaned.append(clean(part))
        elif isinstance(part, tuple):
            cleaned.append((clean(part[0]), part[1]))
        else:
            cleaned.append(part)
    return Text.assemble(*cleaned)


def make_console(*, stderr: bool = False, width: int | None = None) -> Console:
    """
    Create a console with the project's theme.

    Args:
        stderr: Write to standard error instead of standard output.
        width: Fixed width (tests); the terminal's width when omitted.
    """
    return Console(theme=THEME, stderr=stderr, width=width, highlight=False)


def print_problems(
    console: Console, problems: Iterable[Problem], *, style: str
) -> None:
    """Print one located problem per line, literally, in the given style."""
    for problem in problems:
        console.print(_text(str(problem), style=style), soft_wrap=True)


def print_plain(console: Console, message: str) -> None:
    """Print a message literally: no markup, no highlighting, no control codes."""
    console.print(_text(message), soft_wrap=True)


def print_error(console: Console, message: str) -> None:
    """Print a one-line error message, literally."""
    console.print(_text(f"error: {message}", style="ta.error"), soft_wrap=True)


def print_valid(console: Console, datamap: DataMap) -> None:
    """Print the one-line summary of a valid map."""
    countries = {entity.jurisdiction for entity in datamap.entities}
    console.print(
        _assemble(
            (f"{datamap.source}: ", ""),
            ("valid", "ta.ok"),
            (
                (
                    f" ({_count(len(datamap.entities), 'entity', 'entities')}, "
                    f"{_count(len(datamap.flows), 'flow', 'flows')}, "
                    f"{_count(len(countries), 'jurisdiction', 'jurisdictions')})"
                ),
                "",
            ),
        ),
        soft_wrap=True,
    )


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


#: Below this width the countries listing is printed as blocks instead of a table.
WIDE = 100


def countries_table(
    refdata: ReferenceData,
    day: date,
    decisions: Iterable[Decision],
    *,
    width: int = WIDE,
) -> RenderableType:
    """
    Build the listing of adequacy decisions in force on `day`, watch notes below.

    Args:
        refdata: The reference data (for its version).
        day: The date shown.
        decisions: The decisions to list.
        width: The console's width; narrow consoles get blocks instead of a table.
    """
    from transfer_assess.refdata import country_name  # noqa: PLC0415 - lazy, see cli

    title = _text(
        f"Adequacy decisions in force on {day.isoformat()}", style="ta.heading"
    )
    table = Table(show_lines=True, expand=True)
    table.add_column("Country", overflow="fold", max_width=18)
    table.add_column("Decision", overflow="fold", max_width=30)
    table.add_column("Until", no_wrap=True)
    table.add_column("Scope", overflow="fold", ratio=1)
    blocks: list[RenderableType] = []
    notes: list[Text] = []
    for decision in decisions:
        place = (
            f"{decision.country} {country_name(decision.country)}"
            if decision.country is not None
            else decision.title
        )
        until = decision.known_until(day)
        scope = decision.scope.summary
        if decision.regime != "EU-GDPR":
            scope = f"({decision.regime}) {scope}"
        marks = []
        for note in decision.active_watch(day):
            notes.append(
                _assemble(
                    (f"[{len(notes) + 1}] ", "ta.attention"),
                    (f"{decision.id}: {note.text}", ""),
                )
            )
            marks.append(f"[{len(notes)}]")
        until_text = _text(until.isoformat() if until else "no end date")
        if marks:
            until_text.append("\nwatch " + " ".join(marks), style="ta.attention")
        table.add_row(
            _text(place),
            _text(f"{decision.id}\n{decision.reference}"),
            until_text,
            _text(scope),
        )
        block = _assemble(
            (place, "ta.heading"),
            f"  {decision.id}, {decision.reference}; until ",
            until.isoformat() if until else "no end date",
            (f"; watch {' '.join(marks)}" if marks else "", "ta.attention"),
        )
        block.append(f"\n  {scope}")
        blocks.append(block)
    caption = _text(
        f"Reference data {refdata.version} (sha256 {refdata.sha256[:12]}). "
        "Information, not legal advice.",
        style="ta.muted",
    )
    body: list[RenderableType] = [table] if width >= WIDE else blocks
    return Group(title, *body, *notes, caption)


_STATUS_STYLE = {"ok": "ta.ok", "attention": "ta.attention", "gap": "ta.gap"}


def _status_text(status: str) -> Text:
    return _text(status, style=_STATUS_STYLE.get(status, ""))


def _where(country: str | None, organisation: str | None) -> str:
    return country or organisation or "?"


def assessment_table(assessment: Assessment) -> RenderableType:
    """
    The terminal report: a summary panel, findings grouped by status, onward chains.

    Names from the map are printed literally (as `Text`, never as markup), colours
    come from the theme and are dropped with ``NO_COLOR``.

    Args:
        assessment: The result of `transfer_assess.assess`.
    """
    summary = assessment.summary
    counts = _assemble(
        f"{_count(summary.flows, 'flow', 'flows')} on {assessment.as_of.isoformat()}, "
        f"{_count(summary.transfers, 'transfer', 'transfers')}: ",
        (f"{summary.ok} ok", "ta.ok"),
        ", ",
        (f"{summary.attention} attention", "ta.attention"),
        ", ",
        (f"{summary.gap} gap", "ta.gap"),
        f"; {summary.inactive} inactive" if summary.inactive else "",
    )
    parts: list[RenderableType] = [
        Panel(
            Group(
                counts,
                _text(
                    f"Reference data {assessment.reference_version} "
                    f"(sha256 {assessment.reference_sha256[:12]}). "
                    "Information, not legal advice.",
                    style="ta.muted",
                ),
            ),
            title=_text(assessment.organisation, style="ta.heading"),
            title_align="left",
        )
    ]
    for status in ("gap", "attention", "ok"):
        group = [f for f in assessment.findings if f.status.value == status]
        if group:
            parts.append(_status_table(status, group))
    chains = _chain_tree(assessment)
    if chains is not None:
        parts.append(chains)
    parts.append(_text("transfer-assess explain MAP FLOW shows why.", style="ta.muted"))
    return Group(*parts)


def _status_table(status: str, findings: list[Finding]) -> Table:
    table = Table(
        title=_text(f"{status} ({len(findings)})", style=_STATUS_STYLE[status]),
        title_justify="left",
        expand=True,
    )
    table.add_column("Flow", overflow="fold", ratio=2)
    table.add_column("From → to", overflow="fold", ratio=3)
    table.add_column("Basis", overflow="fold", ratio=2)
    table.add_column(
        "First action" if status != "ok" else "Advice", overflow="fold", ratio=3
    )
    for finding in findings:
        route = (
            f"{finding.exporter} ({_where(finding.exporter_country, None)}) → "
            f"{finding.importer} "
            f"({_where(finding.importer_country, finding.importer_organisation)})"
        )
        basis = finding.basis.value
        if finding.scc_module and finding.basis.value == "scc":
            basis += f" (module {finding.scc_module})"
        if finding.onward:
            basis += ", onward"
        action = _text("")
        if finding.recommendations:
            first = finding.recommendations[0]
            label = first.action.value
            if label == "scc" and finding.scc_module:
                label += f" (module {finding.scc_module})"
            action = _assemble((label, "ta.heading"))
        table.add_row(_text(finding.flow), _text(route), _text(basis), action)
    return table


#: Most onward chains drawn as a tree; the findings above list every flow anyway.
TREE_CHAINS = 200


def _chain_tree(assessment: Assessment) -> Tree | None:
    """Onward chains as a tree merged by their common starts (`TREE_CHAINS` at most)."""
    onward = [finding for finding in assessment.findings if finding.onward]
    if not onward:
        return None
    left_out = max(0, len(onward) - TREE_CHAINS)
    onward = onward[:TREE_CHAINS]
    tree = Tree(_text("Onward chains", style="ta.heading"))
    nodes: dict[tuple[str, ...], Tree] = {}
    shown = {
        finding.flow: chain_display(finding.chain, finding.chain_omitted)
        for finding in onward
    }
    for finding in sorted(onward, key=lambda item: shown[item.flow]):
        parent = tree
        chain = shown[finding.flow]
        for size in range(1, len(chain) + 1):
            prefix = chain[:size]
            if prefix not in nodes:
                label = _text(prefix[-1])
                if size == len(chain):
                    label.append(f"  {finding.flow}: ", style="ta.muted")
                    label.append(
                        finding.status.value, style=_STATUS_STYLE[finding.status.value]
                    )
                nodes[prefix] = parent.add(label)
            parent = nodes[prefix]
    if left_out:
        tree.add(
            _text(
                f"… {left_out:,} more onward chains, not drawn (each is in the "
                "findings above and in the JSON report)",
                style="ta.muted",
            )
        )
    return tree


def explanation(finding: Finding, as_of: date) -> RenderableType:
    """
    The decision trace of one finding: rules fired, reasons, citations, chain.

    Args:
        finding: The finding to explain.
        as_of: The assessment date.
    """
    parts: list[RenderableType] = []
    title = _assemble(
        ("Flow ", "ta.heading"),
        (finding.flow, "ta.heading"),
        f" on {as_of.isoformat()}: ",
        _status_text(finding.status.value),
        f" (basis {finding.basis.value}"
        + (f", SCC module {finding.scc_module}" if finding.scc_module else "")
        + (", onward transfer" if finding.onward else "")
        + ("" if finding.transfer else ", not a transfer")
        + ")",
    )
    parts.append(title)
    if finding.chain:
        shown = chain_display(finding.chain, finding.chain_omitted)
        parts.append(_text("Chain: " + " → ".join(shown)))
    trace = Tree(_text("Rules fired", style="ta.heading"))
    for reason in finding.reasons:
        node = trace.add(_text(reason.rule, style="ta.heading"))
        node.add(_text(reason.text))
        if reason.citations:
            node.add(_text("Sources: " + "; ".join(reason.citations), style="ta.muted"))
    parts.append(trace)
    if finding.recommendations:
        advice = Tree(_text("Recommendations, best first", style="ta.heading"))
        for recommendation in finding.recommendations:
            node = advice.add(_text(recommendation.action.value, style="ta.attention"))
            node.add(_text(recommendation.detail))
            if recommendation.citations:
                node.add(
                    _text(
                        "Sources: " + "; ".join(recommendation.citations),
                        style="ta.muted",
                    )
                )
        parts.append(advice)
    parts.append(_text("Information, not legal advice.", style="ta.muted"))
    return Group(*parts)


@contextlib.contextmanager
def progress_bar(total: int) -> Iterator[Callable[[int, int], None]]:
    """
    A progress bar on standard error for long assessments.

    Yields:
        A callback ``advance(done, total)``.
    """
    console = make_console(stderr=True)
    with Progress(
        TextColumn("assessing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("assess", total=total)

        def advance(done: int, _total: int) -> None:
            progress.update(task, completed=done)

        yield advance


@contextlib.contextmanager
def download_progress() -> Iterator[Callable[[str, int, int | None], None]]:
    """
    A progress bar on standard error while reference data downloads.

    Yields:
        A callback ``progress(url, bytes_so_far, total_or_None)``.
    """
    console = make_console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        console=console,
        transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def advance(url: str, done: int, total: int | None) -> None:
            if url not in tasks:
                name = url.rsplit("/", 1)[-1]
                tasks[url] = progress.add_task(escape(name), total=total)
            progress.update(tasks[url], completed=done)

        yield advance


def comparison_table(comparison: Comparison) -> RenderableType:
    """A comparison (diff or what-if) as a table, worst changes first."""
    title = _text(comparison.title, style="ta.heading")
    if comparison.identical:
        return Group(title, _text("No change.", style="ta.ok"))
    table = Table(expand=True)
    table.add_column("Flow", overflow="fold", ratio=2)
    table.add_column("Change", no_wrap=True)
    table.add_column("Before → after", no_wrap=True)
    table.add_column("Detail", overflow="fold", ratio=5)
    styles = {"worse": "ta.gap", "added": "ta.attention", "better": "ta.ok"}
    for change in comparison.changes:
        table.add_row(
            _text(change.flow),
            _text(change.kind, style=styles.get(change.kind, "")),
            _text(f"{change.before or '-'} → {change.after or '-'}"),
            _text(change.detail),
        )
    parts: list[RenderableType] = [title, table]
    if comparison.new_chains:
        parts.append(_text("New onward chains:", style="ta.heading"))
        parts.extend(_text("  " + " → ".join(chain)) for chain in comparison.new_chains)
    parts.append(_text("Information, not legal advice.", style="ta.muted"))
    return Group(*parts)
