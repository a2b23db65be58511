"""
What every reader hands to validation: parsed values plus a way to find their lines.

Readers parse fast and remember nothing about positions. Only when validation has found
problems does the `Locator` re-read the text once to find the line of each problem's
path, so that valid maps, the common and the large case, pay nothing for line numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs

#: A path into a document: keys and indexes, e.g. ``("flows", 3, "to")``.
DocPath = tuple[str | int, ...]


class _Refused:
    """The type of `REFUSED`."""

    def __repr__(self) -> str:
        return "REFUSED"


#: Stands for a value a reader refused (and reported); validation skips it.
REFUSED: Any = _Refused()

#: Yields ``(path, line)`` for every node of a document in document order.
NodeLines = Callable[[], Iterator[tuple[DocPath, int]]]


def format_path(path: DocPath) -> str:
    """
    Render a path as the user reads it: ``flows[3].to``.

    Args:
        path: Keys and indexes from the document root.

    Returns:
        The dotted form, with indexes in brackets; the root is the empty string.
    """
    parts: list[str] = []
    for step in path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif parts:
            parts.append(f".{step}")
        else:
            parts.append(step)
    return "".join(parts)


@attrs.define
class Locator:
    """Finds the line of paths in one file by walking its nodes once."""

    file: str
    """The file's name as the user gave it."""
    node_lines: NodeLines | None
    """The walk over the file's nodes; ``None`` where lines are not known."""

    def lines(self, paths: Iterable[DocPath]) -> dict[DocPath, int | None]:
        """
        Return the line of each path, or of its nearest ancestor that exists.

        The walk stops as soon as every path is settled: found, or known to be
        absent because the deepest ancestor found has ended (the walk is in document
        order, so an ancestor has ended when a node outside it comes). A problem
        about a key missing from the first flow therefore costs a walk to the second
        flow, not to the end of the file.

        Args:
            paths: The paths to locate.

        Returns:
            A mapping from every given path to its line (``None`` if unknown).
        """
        wanted = set(paths)
        # Each wanted path is waiting on every proper prefix of itself.
        waiting: dict[DocPath, list[DocPath]] = {}
        for path in wanted:
            for size in range(len(path)):
                waiting.setdefault(path[:size], []).append(path)
        found: dict[DocPath, int] = {}
        settled: set[DocPath] = set()
        open_prefixes: list[DocPath] = []
        if self.node_lines is not None and wanted:
            for path, node_line in self.node_lines():
                while (
                    open_prefixes
                    and path[: len(open_prefixes[-1])] != (open_prefixes[-1])
                ):
                    settled.update(waiting[open_prefixes.pop()])
                if len(settled) == len(wanted):
                    break
                if path in found or (path not in wanted and path not in waiting):
                    continue
                found[path] = node_line
                if path in wanted:
                    settled.add(path)
                if path in waiting:
                    open_prefixes.append(path)
        result: dict[DocPath, int | None] = {}
        for path in wanted:
            result[path] = next(
                (
                    found[path[:size]]
                    for size in range(len(path), -1, -1)
                    if path[:size] in found
                ),
                None,
            )
        return result


@attrs.define
class RawProblem:
    """A problem found before lines are known: a path in one file and a message."""

    file: str
    """The file's name as the user gave it."""
    path: DocPath
    """Where in the document."""
    message: str
    """What is wrong."""
    line: int | None = None
    """The line, when the reader already knows it (syntax errors)."""


@attrs.define
class RawDocument:
    """A parsed document and what is needed to report problems in it."""

    value: Any
    """The parsed top-level value (for a valid map, a mapping)."""
    file: str
    """The file's name as the user gave it (for CSV, the folder)."""
    locators: dict[str, Locator] = attrs.field(factory=dict)
    """A locator per file name."""
    problems: list[RawProblem] = attrs.field(factory=list)
    """Problems the reader found (syntax, duplicate keys, limits)."""
    section_files: dict[str, str] = attrs.field(factory=dict)
    """For documents spread over files (CSV): the file holding each top-level key."""
    fatal: bool = False
    """Whether the value is unusable, so validation must not run."""
    path_files: dict[DocPath, str] = attrs.field(factory=dict)
    """Values read from other files (answer sheets): the file holding each path."""

    def file_for(self, path: DocPath) -> str:
        """Return the name of the file that holds `path`."""
        if self.path_files:
            for size in range(len(path), 0, -1):
                found = self.path_files.get(path[:size])
                if found is not None:
                    return found
        if path and isinstance(path[0], str):
            return self.section_files.get(path[0], self.file)
        return self.file
