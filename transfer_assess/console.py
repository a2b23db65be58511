"""
Terminal rendering with rich: tables and messages for the command line.

This and `transfer_assess.cli` are the only modules that import rich. Every value that
comes from a data map or reference data is passed to rich as plain `Text`, never as
markup, so that brackets in names are printed as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pycountry
from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from transfer_assess.errors import Problem
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
        console.print(Text(str(problem), style=style), soft_wrap=True)


def print_error(console: Console, message: str) -> None:
    """Print a one-line error message, literally."""
    console.print(Text(f"error: {message}", style="ta.error"), soft_wrap=True)


def print_valid(console: Console, datamap: DataMap) -> None:
    """Print the one-line summary of a valid map."""
    countries = {entity.jurisdiction for entity in datamap.entities}
    console.print(
        Text.assemble(
            (f"{datamap.source}: ", ""),
            ("valid", "ta.ok"),
            (
                (
                    f" ({len(datamap.entities)} entities, {len(datamap.flows)} flows, "
                    f"{len(countries)} jurisdictions)"
                ),
                "",
            ),
        ),
        soft_wrap=True,
    )


def _country_name(code: str | None) -> str:
    if code is None:
        return ""
    country = pycountry.countries.get(alpha_2=code)
    return (
        str(getattr(country, "common_name", None) or country.name) if country else code
    )


def countries_table(
    refdata: ReferenceData, day: date, decisions: Iterable[Decision]
) -> Table:
    """
    Build the table of adequacy decisions in force on `day`.

    Args:
        refdata: The reference data (for its version).
        day: The date shown.
        decisions: The decisions to list.
    """
    table = Table(
        title=f"Adequacy decisions in force on {day.isoformat()}",
        caption=(
            f"reference data {refdata.version} ({refdata.sha256[:12]}); "
            "information, not legal advice"
        ),
        show_lines=True,
        expand=False,
    )
    table.add_column("Country", no_wrap=True)
    table.add_column("Decision", overflow="fold")
    table.add_column("Scope", overflow="fold")
    table.add_column("Until", no_wrap=True)
    table.add_column("Watch", overflow="fold", style="ta.attention")
    for decision in decisions:
        if decision.country is not None:
            place = f"{decision.country} {_country_name(decision.country)}"
        else:
            place = decision.title
        until = decision.known_until(day)
        scope = decision.scope.summary
        if decision.regime != "EU-GDPR":
            scope = f"[{decision.regime}] {scope}"
        table.add_row(
            Text(place),
            Text(f"{decision.id}\n{decision.reference}"),
            Text(scope),
            Text(until.isoformat() if until else "no end date"),
            Text("\n".join(note.text for note in decision.active_watch(day))),
        )
    return table
