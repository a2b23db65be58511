"""
Terminal rendering with rich: tables and messages for the command line.

This and `transfer_assess.cli` are the only modules that import rich. Every value that
comes from a data map or reference data is passed to rich as plain `Text`, never as
markup, so that brackets in names are printed as they are.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import itertools
import json
import tempfile
import weakref
from typing import IO, TYPE_CHECKING, Any

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from rich.theme import Theme
from rich.tree import Tree

from transfer_assess.findings import Action, Basis, Status, Tally
from transfer_assess.graph import chain_display
from transfer_assess.labels import (
    REGIME_NAMES,
    STANDING_LABELS,
    action_label,
    basis_label,
    status_label,
)
from transfer_assess.safetext import inert
from transfer_assess.tia import percent

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from datetime import date

    from transfer_assess.engine import AssessmentStream
    from transfer_assess.errors import Problem
    from transfer_assess.findings import Assessment, Finding
    from transfer_assess.governance import Comparison
    from transfer_assess.model import DataMap
    from transfer_assess.refdata import Decision, ReferenceData
    from transfer_assess.tia import TiaResult

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


def make_console(
    *, stderr: bool = False, width: int | None = None, file: IO[str] | None = None
) -> Console:
    """
    Create a console with the project's theme.

    Args:
        stderr: Write to standard error instead of standard output.
        width: Fixed width (tests); the terminal's width when omitted.
        file: Write to this file instead, with the colours the console of standard
            output would use (none when that is not a terminal, or with
            ``NO_COLOR``), as if its output were captured.
    """
    if file is None:
        return Console(theme=THEME, stderr=stderr, width=width, highlight=False)
    terminal = Console(theme=THEME, width=width, highlight=False).is_terminal
    return Console(
        theme=THEME,
        file=file,
        width=width,
        highlight=False,
        force_terminal=terminal,
    )


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
    return f"{_number(number)} {one if number == 1 else many}"


def _per_regime(regimes: tuple[str, ...], tally: Tally) -> str | None:
    """
    ``with 42 findings (EU 37, UK 2, CH 3); of them `` for more than one regime.

    The status counts that follow are over findings, one per flow and regime; the
    line break keeps the summary readable at 80 columns.
    """
    if len(regimes) < 2:  # noqa: PLR2004 - one regime needs no breakdown
        return None
    counts = ", ".join(
        f"{regime} {_number(found['findings'])}"
        for regime, found in tally.by_regime(regimes).items()
    )
    findings = _count(tally.total("findings"), "finding", "findings")
    return f"with {findings} ({counts});\nof the findings, "


def _number(value: int) -> str:
    """Every count the console prints, in one format: thousands with commas."""
    return f"{value:,}"


#: Joins words that wrapping must keep on one line; printed as a space.
_NBSP = "\u00a0"

#: The space between two columns.
_GAP = "  "

#: One piece of a laid-out line: its text and the name of its style ("" for none).
Piece = tuple[str, str]


class Lines:
    """
    Text laid out by this module, one list of pieces per line, rendered as is.

    Rich renders it without re-wrapping and without padding lines to the width, so
    that piped output carries no trailing spaces and ids are never cut: the layout
    functions below wrap cells at spaces only, and a word longer than its column
    widens the column instead of breaking.

    Args:
        build: Lays the text out for a width and returns its lines.
    """

    def __init__(self, build: Callable[[int], Iterable[list[Piece]]]) -> None:
        """Keep the layout function; it runs when the console knows its width."""
        self._build = build

    def batches(self, width: int, size: int = 2000) -> Iterator[Lines]:
        """
        The text laid out for `width`, as `Lines` of at most `size` lines each.

        Printed one after the other they give the same output as the whole, while
        only one batch is laid out at a time (see `print_report`).
        """
        lines = iter(self._build(width))
        while batch := list(itertools.islice(lines, size)):
            yield Lines(functools.partial(_same, batch))

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[Segment]:
        """Yield the laid-out lines as segments, styled from the theme."""
        styles: dict[str, Style] = {}
        newline = Segment.line()
        for line in self._build(options.max_width):
            if len(line) == 1 and not line[0][1]:
                # Most lines are one plain piece: one segment, the newline included.
                yield Segment(line[0][0] + "\n")
                continue
            for text, style in line:
                if not style:
                    yield Segment(text)
                    continue
                if style not in styles:
                    styles[style] = console.get_style(style, default="none")
                yield Segment(text, styles[style])
            yield newline


def _same(lines: list[list[Piece]], _width: int) -> list[list[Piece]]:
    """Lines already laid out, whatever the width."""
    return lines


def print_report(
    console: Console, report: RenderableType, *, batch: int = 2000
) -> None:
    """
    Print a report of `assessment_table` part by part, never whole in memory.

    Rich gathers everything one ``print`` renders before writing it; a table of
    every finding of a large map is printed in batches of lines instead, each
    written before the next is laid out. The output is the same as printing the
    report at once, lines wider than the terminal not cropped.

    Args:
        console: Where to print.
        report: What `assessment_table` returned (or any renderable).
        batch: How many lines of a table to lay out and print at a time.
    """
    parts = report.renderables if isinstance(report, Group) else [report]
    for part in parts:
        if isinstance(part, Lines):
            for lines in part.batches(console.options.max_width, batch):
                console.print(lines, crop=False)
        else:
            console.print(part, crop=False)


class Trimmed:
    """
    Any renderable, with the spaces at the ends of its lines removed.

    Rich leaves a space where it wraps a line, and pads some renderables to the
    width; piped into a file or another program, that shows as trailing spaces.

    Args:
        renderable: What to render.
    """

    def __init__(self, renderable: RenderableType) -> None:
        """Keep the renderable."""
        self.renderable = renderable

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[Segment]:
        """Render line by line and drop trailing spaces."""
        newline = Segment.line()
        for line in console.render_lines(self.renderable, options, pad=False):
            segments = list(line)
            while segments and not segments[-1].text.rstrip(" "):
                segments.pop()
            if segments:
                last = segments[-1]
                segments[-1] = Segment(last.text.rstrip(" "), last.style)
            yield from segments
            yield newline


def _wrap(text: str, width: int) -> list[str]:
    """
    Wrap at spaces only; a word longer than `width` stays whole on its own line.

    Explicit newlines start new paragraphs.
    """
    if len(text) <= width and "\n" not in text:
        return [text]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if len(paragraph) <= width:
            lines.append(paragraph)
            continue
        current = ""
        for word in paragraph.split(" "):
            if not current:
                current = word
            elif len(current) + 1 + len(word) <= width:
                current += " " + word
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split(" ")), default=0)


def column_widths(
    rows: list[list[str]], width: int, *, fixed: frozenset[int] = frozenset()
) -> list[int]:
    """
    Column widths sized by content for a table of plain cells.

    Every column gets its widest cell when the table fits. Otherwise each column
    keeps at least its longest word (ids are words, so they are never cut), the
    `fixed` columns keep their widest cell, and the space left goes, a few columns
    at a time, to the column where it saves the most wrapped lines, judged on up to
    `_SAMPLE` rows spread over the table (so that a large table costs no more).

    Args:
        rows: The cells, header row included.
        width: The width available.
        fixed: Indexes of the columns that keep their natural width.
    """
    return _column_widths(rows, len(rows), width, fixed=fixed)


def _column_widths(
    rows: Iterable[list[str]],
    total: int,
    width: int,
    *,
    fixed: frozenset[int] = frozenset(),
) -> list[int]:
    """`column_widths` of `total` rows read once, one at a time."""
    step = max(1, total // _SAMPLE)
    sample: list[list[str]] = []
    natural: list[int] = []
    minimum: list[int] = []
    for number, row in enumerate(rows):
        if not number:
            natural = [0] * len(row)
            minimum = [0] * len(row)
        if not number % step:
            sample.append(row)
        for index, cell in enumerate(row):
            size = max(len(part) for part in cell.split("\n"))
            natural[index] = max(natural[index], size)
            if size > minimum[index]:
                minimum[index] = max(minimum[index], _longest_word(cell))
    count = len(natural)
    available = width - len(_GAP) * (count - 1)
    if sum(natural) <= available:
        return natural
    widths = [natural[i] if i in fixed else minimum[i] for i in range(count)]
    spare = available - sum(widths)
    cache: dict[tuple[int, int], int] = {}

    def lines(column: int, size: int) -> int:
        if (column, size) not in cache:
            cache[column, size] = sum(len(_wrap(row[column], size)) for row in sample)
        return cache[column, size]

    while spare > 0:
        best: tuple[float, int, int] | None = None
        for column in range(count):
            now = widths[column]
            for extra in range(1, min(spare, natural[column] - now) + 1):
                saved = lines(column, now) - lines(column, now + extra)
                if saved > 0 and (best is None or saved / extra > best[0]):
                    best = (saved / extra, column, extra)
        if best is None:
            break
        widths[best[1]] += best[2]
        spare -= best[2]
    return widths


#: How many rows `column_widths` looks at to share out the width.
_SAMPLE = 200


def table_lines(
    rows: list[list[str]], widths: list[int], *, header: bool = True
) -> list[list[Piece]]:
    """
    Lay out a table: cells wrapped to their column, a rule under the header.

    Lines end after their last non-empty cell, without padding.

    Args:
        rows: The cells (already cleaned), header row first when `header`.
        widths: From `column_widths`.
        header: Whether the first row is a header (bold, with a rule below).
    """
    return list(_table_lines(rows, widths, header=header))


def _table_lines(
    rows: Iterable[list[str]], widths: list[int], *, header: bool = True
) -> Iterator[list[Piece]]:
    """`table_lines`, one line at a time."""
    for number, row in enumerate(rows):
        wrapped = [_wrap(cell, widths[i]) for i, cell in enumerate(row)]
        height = max(len(cell) for cell in wrapped)
        style = "ta.heading" if header and number == 0 else ""
        for depth in range(height):
            text = _GAP.join(
                (cell[depth] if depth < len(cell) else "").ljust(size)
                for cell, size in zip(wrapped, widths, strict=True)
            )
            yield [(text.replace(_NBSP, " ").rstrip(" "), style)]
        if header and number == 0:
            yield [(_GAP.join("─" * size for size in widths), "ta.muted")]


def _place(decision: Decision) -> str:
    from transfer_assess.refdata import country_name  # noqa: PLC0415 - lazy, see cli

    if decision.country is None:
        return decision.title
    return f"{country_name(decision.country)} ({decision.country})"


def countries_table(
    refdata: ReferenceData,
    day: date,
    decisions: Iterable[Decision],
) -> RenderableType:
    """
    Build the listing of adequacy decisions in force on `day`, watch notes below.

    Decisions are sorted by the name of the country (or organisation); each shows
    its id and official reference, its known end ("no end date" when none), its
    scope and marks such as ``[1]`` for watch notes, printed in full below.

    Args:
        refdata: The reference data (for its version).
        day: The date shown.
        decisions: The decisions to list.
    """
    title = _text(
        f"Adequacy decisions in force on {day.isoformat()}", style="ta.heading"
    )
    rows: list[tuple[str, str, str]] = []
    notes: list[str] = []
    ordered = sorted(decisions, key=lambda item: (_place(item).casefold(), item.id))
    for decision in ordered:
        until = decision.known_until(day)
        marks = []
        for note in decision.active_watch(day):
            notes.append(f"{decision.id}: {note.text}")
            marks.append(f"[{len(notes)}]")
        scope = decision.scope.summary
        if decision.regime != "EU-GDPR":
            scope = f"({decision.regime}) {scope}"
        detail = (
            f"{decision.id}, {decision.reference}; "
            f"{'until ' + until.isoformat() if until else 'no end date'}"
            + (f"; watch {' '.join(marks)}" if marks else "")
        )
        rows.append((clean(_place(decision)), clean(detail), clean(scope)))

    def build(size: int) -> list[list[Piece]]:
        places = [[place] for place, _, _ in rows]
        place_width = min(
            max((len(place) for (place,) in places), default=0), max(12, size // 4)
        )
        place_width = max(
            place_width, *(_longest_word(place) for (place,) in places), 1
        )
        body = max(20, size - place_width - len(_GAP))
        lines: list[list[Piece]] = []
        indent = " " * (place_width + len(_GAP))
        for place, detail, scope in rows:
            left = _wrap(place, place_width)
            right = _wrap(detail, body) + _wrap(scope, body)
            for depth in range(max(len(left), len(right))):
                name = left[depth] if depth < len(left) else ""
                text = right[depth] if depth < len(right) else ""
                pieces: list[Piece] = []
                if name:
                    pieces.append((name, "ta.heading"))
                    pieces.append((" " * (place_width - len(name)) + _GAP, ""))
                else:
                    pieces.append((indent, ""))
                pieces.append(
                    (text, "ta.muted" if depth >= len(_wrap(detail, body)) else "")
                )
                lines.append(pieces)
        for number, note in enumerate(notes, start=1):
            mark = f"[{number}] "
            wrapped = _wrap(clean(note), max(20, size - len(mark)))
            for depth, text in enumerate(wrapped):
                lead = (mark, "ta.attention") if depth == 0 else (" " * len(mark), "")
                lines.append([lead, (text, "")])
        return lines

    caption = _text(
        f"Reference data {refdata.version} (sha256 {refdata.sha256[:12]}). "
        "Information, not legal advice.",
        style="ta.muted",
    )
    return Group(Trimmed(title), Lines(build), Trimmed(caption))


_STATUS_STYLE = {"ok": "ta.ok", "attention": "ta.attention", "gap": "ta.gap"}

#: Above this many findings, the terminal report shows the summary only, unless
#: the user asks for rows (`--all`, `--limit`).
SUMMARY_FROM = 200


def _status_text(status: str) -> Text:
    return _text(status, style=_STATUS_STYLE.get(status, ""))


def _where(finding: Finding, *, importer: bool) -> str:
    if not importer:
        return finding.exporter_country or "?"
    if finding.importer_country:
        return finding.importer_country
    if finding.importer_organisation:
        return "international organisation"
    return "?"


def _basis_cell(finding: Finding, *, codes: bool) -> str:
    module = finding.scc_module if finding.basis is Basis.SCC else None
    if codes:
        text = finding.basis.value
        if module:
            text += f" (module {module})"
    else:
        text = basis_label(finding.basis)
        if module:
            text += f", module {module}"
    if finding.onward:
        text += ", onward"
    return text


def _action_cell(finding: Finding, *, codes: bool) -> str:
    if not finding.recommendations:
        return ""
    action = finding.recommendations[0].action
    text = action.value if codes else action_label(action)
    if action is Action.SCC and finding.scc_module:
        text += (
            f" (module {finding.scc_module})"
            if codes
            else f", module {finding.scc_module}"
        )
    return text


def _row(finding: Finding, *, codes: bool) -> list[str]:
    # A no-break space keeps each id with its place when the cell wraps.
    route = (
        f"{finding.exporter}{_NBSP}({_where(finding, importer=False)}) → "
        f"{finding.importer}{_NBSP}({_where(finding, importer=True)})"
    )
    regime = "" if finding.regime == "EU" else f"{_NBSP}[{finding.regime}]"
    return [
        clean(finding.flow) + regime,
        clean(route),
        _basis_cell(finding, codes=codes),
        clean(_action_cell(finding, codes=codes)),
    ]


def assessment_table(
    assessment: Assessment,
    *,
    statuses: Iterable[Status] | None = None,
    limit: int | None = None,
    show_all: bool = False,
    codes: bool = False,
) -> RenderableType:
    """
    The terminal report: a summary, findings grouped by status, onward chains.

    Rows are laid out by `table_lines`: columns sized by their content, flow and
    entity ids never cut, no padding at the ends of lines. Names from the map are
    printed literally, control characters made visible; colours come from the theme
    and are dropped with ``NO_COLOR``.

    Args:
        assessment: The result of `transfer_assess.assess`.
        statuses: List only findings with these statuses (all when omitted).
        limit: List at most this many findings, worst first.
        show_all: List every finding even above `SUMMARY_FROM`.
        codes: Show the report's codes (``fix_mechanism``) instead of plain labels.
    """
    selection = Selection(statuses, limit=limit, show_all=show_all, codes=codes)
    for finding in assessment.findings:
        selection.add(finding)
    return selection.table(assessment, Tally.of(assessment.findings))


def stream_table(
    findings: AssessmentStream,
    *,
    statuses: Iterable[Status] | None = None,
    limit: int | None = None,
    show_all: bool = False,
    codes: bool = False,
) -> RenderableType:
    """
    `assessment_table` of an assessment read while it is made, keeping what it lists.

    The findings are read from the stream one at a time: the summary is counted on
    the way, and only the findings the table will list are kept (with `limit`, the
    first `limit` of each status; without it or `show_all`, at most `SUMMARY_FROM`
    before the table turns into the summary of first actions; with `show_all`,
    none: their rows wait in temporary files, see `RowSpool`), so that the report
    of a large map needs the map in memory, not every finding. The table is the
    same as `assessment_table` of the whole assessment.

    Args:
        findings: What `transfer_assess.assess_stream` returned, not yet read.
        statuses: As for `assessment_table`.
        limit: As for `assessment_table`.
        show_all: As for `assessment_table`.
        codes: As for `assessment_table`.
    """
    selection = Selection(statuses, limit=limit, show_all=show_all, codes=codes)
    for finding in findings:
        selection.add(finding)
    return selection.table(findings.assessment(), findings.tally)


#: The statuses in the order the terminal report lists them: worst first.
_WORST_FIRST = (Status.GAP, Status.ATTENTION, Status.OK)


class Selection:
    """
    What the terminal report lists of findings read one at a time.

    It counts the findings with a wanted status and keeps those the table may
    list; once there are more than `SUMMARY_FROM` and no rows were asked for
    (``--all``, ``--limit``), it counts each status's first actions instead and
    keeps none. With ``--all`` it writes every row to a `RowSpool` instead.

    Args:
        statuses: The statuses listed (all when omitted).
        limit: List at most this many, worst first.
        show_all: List every one.
        codes: Show the report's codes instead of plain labels.
    """

    def __init__(
        self,
        statuses: Iterable[Status] | None,
        *,
        limit: int | None,
        show_all: bool,
        codes: bool,
    ) -> None:
        """Start with nothing read."""
        chosen = None if statuses is None else frozenset(statuses)
        self.wanted = frozenset(Status) if chosen is None else chosen
        self.filtered = chosen is not None
        """Whether statuses were chosen (the notes then speak of "that status")."""
        self.limit = limit
        self.codes = codes
        self.count = 0
        """Findings read with a wanted status."""
        self.kept: dict[Status, list[Finding]] = {status: [] for status in Status}
        self.actions: dict[Status, dict[str, int]] | None = None
        """Per status, how many findings have each first action; ``None`` while
        the findings are few enough to list."""
        self.spool = RowSpool(codes=codes) if show_all and limit is None else None
        """With `show_all`, every listed finding's row (the findings are not kept)."""

    def add(self, finding: Finding) -> None:
        """Read one more finding (in report order)."""
        status = finding.status
        if status not in self.wanted:
            return
        self.count += 1
        kept = self.kept[status]
        if self.limit is not None:
            # The listed ones are the first `limit` of the worst statuses: no
            # status needs more than that many kept.
            if len(kept) < self.limit:
                kept.append(finding)
        elif self.spool is not None:
            self.spool.add(finding)
        elif self.actions is not None:
            self._count_action(finding)
        else:
            kept.append(finding)
            if self.count > SUMMARY_FROM:
                self.actions = {status: {} for status in Status}
                for findings in self.kept.values():
                    for item in findings:
                        self._count_action(item)
                    findings.clear()

    def _count_action(self, finding: Finding) -> None:
        assert self.actions is not None  # noqa: S101 - set before any call
        action = _action_cell(finding, codes=self.codes) or (
            Action.NONE.value if self.codes else action_label(Action.NONE)
        )
        counts = self.actions[finding.status]
        counts[action] = counts.get(action, 0) + 1

    def listed(self) -> list[Finding]:
        """The findings the table lists, worst first (none for the summary only)."""
        if self.actions is not None:
            return []
        listed = [finding for status in _WORST_FIRST for finding in self.kept[status]]
        return listed if self.limit is None else listed[: self.limit]

    def table(self, assessment: Assessment, tally: Tally) -> RenderableType:
        """
        The terminal report of what was read.

        Args:
            assessment: The assessment's header (its findings are not read).
            tally: The counts of every finding of the assessment.
        """
        summary = tally.summary(inactive=len(assessment.inactive))
        parts: list[RenderableType] = [
            _text(assessment.organisation, style="ta.heading"),
            _assemble(
                f"{_count(summary.flows, 'flow', 'flows')} on "
                f"{assessment.as_of.isoformat()}, "
                + (_per_regime(assessment.regimes, tally) or "")
                + f"{_count(summary.transfers, 'transfer', 'transfers')}: ",
                (f"{_number(summary.ok)} ok", "ta.ok"),
                ", ",
                (f"{_number(summary.attention)} attention", "ta.attention"),
                ", ",
                (f"{_number(summary.gap)} gap", "ta.gap"),
                f"; {_number(summary.inactive)} inactive" if summary.inactive else "",
            ),
            _text(
                f"Reference data {assessment.reference_version} "
                f"(sha256 {assessment.reference_sha256[:12]}). "
                "Information, not legal advice.",
                style="ta.muted",
            ),
        ]
        if self.spool is not None:
            listed = self.count
            if listed:
                parts.append(_rows_lines(self.spool.counts, self.spool.rows))
            chains = _chain_tree(self.spool.first_chains(), self.spool.onward_total)
        else:
            findings = self.listed()
            listed = len(findings)
            if findings:
                parts.append(_findings_lines(findings, codes=self.codes))
            elif self.actions is not None:
                parts.append(_actions_lines(self.actions))
            chains = _chain_lines(findings)
        if chains is not None:
            parts.append(chains)
        if listed < self.count:
            which = " with that status" if self.filtered else ""
            shown = (
                f"Showing {_number(listed)} of {_number(self.count)} findings{which}"
                if listed
                else f"Summary only: {_number(self.count)} findings{which} are more "
                f"than {_number(SUMMARY_FROM)}"
            )
            some = (
                "the first with --limit 50"
                if self.filtered and self.wanted
                else "some with --status gap or --limit 50"
            )
            parts.append(
                _text(
                    f"{shown}. List them all with --all, or {some}.",
                    style="ta.attention",
                )
            )
        if listed:
            parts.append(
                _text(
                    "transfer-assess explain MAP FLOW_ID shows why.", style="ta.muted"
                )
            )
        return Group(
            *(part if isinstance(part, Lines) else Trimmed(part) for part in parts)
        )


class RowSpool:
    """
    The table rows of every finding listed, per status, in unnamed temporary files.

    For ``--all`` on a large map: each finding's row is written as it comes (a JSON
    array a line) and read back, twice, when the table is laid out, after the last
    `add`; of the onward findings only those whose chains the tree may draw are
    kept. The files are closed when the spool is freed.

    Args:
        codes: Show the report's codes instead of plain labels.
    """

    def __init__(self, *, codes: bool) -> None:
        """Start empty."""
        self.codes = codes
        self.counts = dict.fromkeys(Status, 0)
        """Rows of each status."""
        self.files: dict[Status, IO[bytes]] = {}
        self.onward: list[Finding] = []
        self.onward_total = 0
        """Onward findings added."""

    def add(self, finding: Finding) -> None:
        """Write one more finding's row (in report order)."""
        status = finding.status
        file = self.files.get(status)
        if file is None:
            file = self.files[status] = tempfile.TemporaryFile()  # noqa: SIM115
            weakref.finalize(self, file.close)
        # ensure_ascii: the line is ASCII, each newline of a cell escaped.
        file.write(json.dumps(_row(finding, codes=self.codes)).encode("ascii"))
        file.write(b"\n")
        self.counts[status] += 1
        if finding.onward:
            self.onward_total += 1
            self.onward.append(finding)
            if len(self.onward) >= 2 * TREE_CHAINS:
                self.first_chains()

    def first_chains(self) -> list[Finding]:
        """
        The onward findings whose chains come first, at most `TREE_CHAINS`.

        Sorted by chain, ties worst status first, then in the order added: what
        `heapq.nsmallest` gives of the listed findings, which come worst status
        first (the sort is stable, and those kept came before any added since).
        """
        self.onward.sort(key=_listed_order)
        del self.onward[TREE_CHAINS:]
        return self.onward

    def rows(self, status: Status) -> Iterator[list[str]]:
        """The rows of a status, in the order added, read afresh at each call."""
        file = self.files.get(status)
        if file is None:
            return
        file.flush()
        file.seek(0)
        for line in file:
            yield json.loads(line)


#: How many first actions the summary shows per status; the rest are added up.
_TOP_ACTIONS = 5


def _actions_lines(actions: dict[Status, dict[str, int]]) -> Lines:
    """
    The summary of findings too many to list: per status, what to do first.

    For each status, the most frequent first actions with their counts, so that a
    large map's report still says where the work is.
    """
    rows = [["Status", "Findings", "First action"]]
    for status in _WORST_FIRST:
        counts = actions[status]
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        shown = ranked[:_TOP_ACTIONS]
        rest = sum(count for _, count in ranked[_TOP_ACTIONS:])
        if rest:
            others = len(ranked) - _TOP_ACTIONS
            shown.append(
                (f"{others} other first action{'s' if others > 1 else ''}", rest)
            )
        for number, (action, count) in enumerate(shown):
            label = status_label(status) if number == 0 else ""
            rows.append([label, _number(count), action])
    size = max(len(row[1]) for row in rows)
    for row in rows[1:]:
        row[1] = row[1].rjust(size)

    def build(width: int) -> list[list[Piece]]:
        return [
            [],
            *table_lines(rows, column_widths(rows, width, fixed=frozenset({0, 1}))),
        ]

    return Lines(build)


def _findings_lines(findings: list[Finding], *, codes: bool) -> Lines:
    """
    One table per status, worst first, all with the same column widths.

    The rows are made twice, once to size the columns and once to lay them out,
    and never kept.
    """
    counts = dict.fromkeys(Status, 0)
    for finding in findings:
        counts[finding.status] += 1

    def rows(status: Status) -> Iterator[list[str]]:
        for finding in findings:
            if finding.status is status:
                yield _row(finding, codes=codes)

    return _rows_lines(counts, rows)


def _rows_lines(
    counts: dict[Status, int], rows: Callable[[Status], Iterator[list[str]]]
) -> Lines:
    """
    The tables of `_findings_lines`, from each status's count and rows.

    `rows` gives a status's rows afresh at each call, in order: once to size the
    columns and once to lay them out, so that no table is held whole.
    """
    header = ["Flow", "From → to", "Basis", "First action"]
    groups = [status for status in _WORST_FIRST if counts[status]]

    def everything() -> Iterator[list[str]]:
        yield header
        yield ["", "", "", "Advice"]
        for status in groups:
            yield from rows(status)

    total = 2 + sum(counts[status] for status in groups)

    def build(width: int) -> Iterator[list[Piece]]:
        widths = _column_widths(everything(), total, width, fixed=frozenset({0}))
        for status in groups:
            title = f"{status_label(status)} ({_number(counts[status])})"
            yield []
            yield [(title, _STATUS_STYLE[status.value])]
            heading = header if status is not Status.OK else [*header[:3], "Advice"]
            yield from _table_lines(itertools.chain([heading], rows(status)), widths)

    return Lines(build)


#: Most onward chains drawn as a tree; the findings above list every flow anyway.
TREE_CHAINS = 200


def _shown(finding: Finding) -> tuple[str, ...]:
    """The chain of a finding as the tree draws it (the order of the chains)."""
    return chain_display(finding.chain, finding.chain_omitted)


def _listed_order(finding: Finding) -> tuple[tuple[str, ...], int]:
    """Where a finding's chain comes in the tree: by chain, then worst status first."""
    return _shown(finding), _WORST_FIRST.index(finding.status)


def _chain_lines(findings: list[Finding]) -> Lines | None:
    """Onward chains as a tree merged by their common starts (`TREE_CHAINS` at most)."""
    # The first chains in order, without sorting (or keeping) all of them.
    total = sum(finding.onward for finding in findings)
    onward = heapq.nsmallest(
        TREE_CHAINS, (finding for finding in findings if finding.onward), key=_shown
    )
    return _chain_tree(onward, total)


def _chain_tree(onward: list[Finding], total: int) -> Lines | None:
    """
    The tree of `_chain_lines`: `onward` are the first chains in order.

    Args:
        onward: The `TREE_CHAINS` onward findings whose chains come first (by
            `_shown`, ties in report order), sorted so.
        total: How many onward findings were listed in all.
    """
    if not total:
        return None
    left_out = max(0, total - TREE_CHAINS)
    tree: dict[str, Any] = {}
    ends: dict[tuple[str, ...], Finding] = {}
    for finding in onward:
        node = tree
        chain = _shown(finding)
        for entity in chain:
            node = node.setdefault(entity, {})
        ends[chain] = finding

    def build(_width: int) -> list[list[Piece]]:
        lines: list[list[Piece]] = [[], [("Onward chains", "ta.heading")]]

        def walk(node: dict[str, Any], prefix: str, path: tuple[str, ...]) -> None:
            names = list(node)
            for index, name in enumerate(names):
                last = index == len(names) - 1
                here = (*path, name)
                line: list[Piece] = [
                    (prefix + ("└── " if last else "├── "), "ta.muted")
                ]
                line.append((clean(name), ""))
                end = ends.get(here)
                if end is not None:
                    regime = "" if end.regime == "EU" else f" [{end.regime}]"
                    line.append((f"  {clean(end.flow)}{regime}: ", "ta.muted"))
                    line.append((end.status.value, _STATUS_STYLE[end.status.value]))
                lines.append(line)
                walk(node[name], prefix + ("    " if last else "│   "), here)

        walk(tree, "", ())
        if left_out:
            note = (
                f"… {_number(left_out)} more onward chains, not drawn (each is in "
                "the findings above and in the JSON report)"
            )
            lines.append([(note, "ta.muted")])
        return lines

    return Lines(build)


def _assessment_tree(result: TiaResult) -> RenderableType:
    """The chain of a concluded TIA: laws, factors, the period and the conclusion."""
    tree = Tree(
        _text(
            f"Transfer impact assessment of {result.date.isoformat()}: "
            f"{result.conclusion.value} ({result.rule})",
            style="ta.heading",
        )
    )
    if not result.researched:
        tree.add(_text("No researched access law of the destination: legal review."))
    for item in result.laws:
        node = tree.add(
            _text(
                f"{item.law.id} ({item.law.citation}): "
                f"{STANDING_LABELS[item.law.assessment]}; reached: {item.reached}"
            )
        )
        for factor in item.factors:
            node.add(_text(f"{factor.name} {percent(factor.value)} ({factor.source})"))
        node.add(_text(f"yearly {percent(item.yearly)} (the product)"))
    side = "above" if result.above_threshold else "at or below"
    tree.add(
        _text(
            f"All laws in a year: {percent(result.yearly)} ({result.combination})",
            style="ta.muted",
        )
    )
    tree.add(
        _text(
            f"Over {result.years:g} years ({result.years_source}): "
            f"{percent(result.probability)}, {side} the policy threshold of "
            f"{percent(result.threshold)} (evidence, not the decision)",
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
        f" on {as_of.isoformat()}"
        + (
            f", under the {REGIME_NAMES[finding.regime]}"
            if finding.regime != "EU"
            else ""
        )
        + ": ",
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
    if finding.tia is not None:
        parts.append(_assessment_tree(finding.tia))
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
    return Trimmed(Group(*parts))


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
    rows = [["Flow", "Change", "Before → after", "Detail"]]
    rows.extend(
        [
            clean(change.label),
            change.kind,
            f"{change.before or '-'}{_NBSP}→{_NBSP}{change.after or '-'}",
            clean(change.detail),
        ]
        for change in comparison.changes
    )

    def build(width: int) -> list[list[Piece]]:
        return table_lines(rows, column_widths(rows, width, fixed=frozenset({0, 1, 2})))

    table = Lines(build)
    parts: list[RenderableType] = [title, table]
    if comparison.new_chains:
        parts.append(_text("New onward chains:", style="ta.heading"))
        parts.extend(_text("  " + " → ".join(chain)) for chain in comparison.new_chains)
    parts.append(_text("Information, not legal advice.", style="ta.muted"))
    return Group(
        *(part if isinstance(part, Lines) else Trimmed(part) for part in parts)
    )
