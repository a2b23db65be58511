"""
Exception hierarchy of transfer_assess.

Every error that bad input can cause derives from `TransferAssessError`, so that the
command line can catch that one class at its boundary and print a clear message instead
of a traceback. Errors about a data map carry every problem found, not only the first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterable


@attrs.frozen
class Problem:
    """
    One located problem in an input file.

    Rendered as ``file:line: path: message``, for example
    ``map.yaml:42: flows[3].to: unknown entity 'us-clud' (did you mean 'us-cloud'?)``.
    """

    file: str
    """The file the problem is in, as the user named it."""
    line: int | None
    """The 1-based line, where the parser knows it."""
    path: str
    """The path of the offending value in the document, e.g. ``flows[3].to``."""
    message: str
    """What is wrong and what was expected."""

    def __str__(self) -> str:
        """Render as ``file:line: path: message``."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.path:
            return f"{where}: {self.path}: {self.message}"
        return f"{where}: {self.message}"


class TransferAssessError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(TransferAssessError, ValueError):
    """A user-supplied value (option, date, identifier) is not acceptable."""


class DataMapError(InputError):
    """
    A data map could not be loaded; `problems` lists every problem found.

    Args:
        problems: The located problems, in document order.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        """Keep the problems and build a message listing all of them."""
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"invalid data map ({count} {noun}):"]
        lines.extend(f"  {problem}" for problem in self.problems)
        super().__init__("\n".join(lines))


class ReferenceDataError(TransferAssessError):
    """
    The packaged or user-supplied reference data is invalid.

    Args:
        problems: One line per problem, ``"{problem} @ {file}:{path}"``.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        """Keep the problems and build a message listing all of them."""
        self.problems: tuple[str, ...] = tuple(problems)
        lines = ["invalid reference data:"]
        lines.extend(f"  {problem}" for problem in self.problems)
        super().__init__("\n".join(lines))


class UnknownJurisdictionError(InputError):
    """A country or international organisation code is not known."""


class ArgumentTypeError(InputError, TypeError):
    """
    A library function got an argument of the wrong type.

    It is a `TypeError`, as Python code expects, and an `InputError`, so that one
    ``except TransferAssessError`` still catches every mistake in what was passed in.
    """
