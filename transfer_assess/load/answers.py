"""
Answer sheets of transfer impact assessments, read from files next to the map.

A flow's ``tia`` record may name its answers in a file (``answers_file:
tia/us-cloud.yaml``). The name is untrusted: it must be a plain relative path inside
the map's folder (no ``..``, no absolute path, no backslash, a ``.yaml``, ``.yml`` or
``.json`` file), and the file it names, links resolved, must stay inside that folder.
The file is read with the same size limit and parsed by the same safe readers as the
map; its problems are reported with its own name and lines.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from transfer_assess.load.document import REFUSED, DocPath, Locator, RawProblem
from transfer_assess.load.json_reader import read_json
from transfer_assess.load.yaml_reader import read_yaml

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from transfer_assess.load.document import RawDocument
    from transfer_assess.load.limits import Limits

_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
#: Longest answers_file name accepted, in characters.
MAX_NAME_CHARS = 255


def name_problem(name: str) -> str | None:
    """
    Say what is wrong with an ``answers_file`` name, or ``None`` when it is safe.

    Args:
        name: What the map says.
    """
    if len(name) > MAX_NAME_CHARS:
        return f"a file name of at most {MAX_NAME_CHARS} characters is expected"
    if "\\" in name or name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return (
            f"invalid file name {name!r}: give a path relative to the map's folder, "
            "with '/' between folders"
        )
    parts = PurePosixPath(name).parts
    if not parts or any(not _SAFE_NAME.fullmatch(part) for part in parts):
        return (
            f"invalid file name {name!r}: each part must be letters, digits, '.', "
            "'_' or '-' (no '..', no hidden files), inside the map's folder"
        )
    if PurePosixPath(name).suffix.lower() not in _SUFFIXES:
        return f"invalid file name {name!r}: expected a .yaml, .yml or .json file"
    return None


class AnswerFiles:
    """Reads the answer sheets a map names, confined to the map's folder."""

    def __init__(
        self,
        folder: Path,
        shown_folder: str,
        limits: Limits,
        document: RawDocument,
        read_text: Callable[[Path, str, list[RawProblem]], str | None],
    ) -> None:
        """
        Prepare to read answer sheets.

        Args:
            folder: The map's folder.
            shown_folder: The folder as the user gave it, for messages.
            limits: The map's limits (size, depth, aliases).
            document: The map's document: problems and locators of the sheets go
                there.
            read_text: Reads and decodes one file within the limits.
        """
        self.folder = folder
        self.shown_folder = shown_folder
        self.limits = limits
        self.document = document
        self.read_text = read_text
        self._read: dict[Path, Any] = {}
        self._prefixes: dict[str, list[DocPath]] = {}

    def read(self, name: str, at: DocPath) -> tuple[Any, str | None]:
        """
        The parsed content of a sheet, to be checked at path `at` of the map.

        Returns:
            The value (`REFUSED` when the file's own problems were reported) and
            ``None``; or `REFUSED` and a message about the name for the map.
        """
        problem = name_problem(name)
        if problem is not None:
            return REFUSED, problem
        base = self.folder.resolve()
        try:
            path = (base / name).resolve()
        except (OSError, RuntimeError):
            return REFUSED, f"cannot resolve {name!r} inside the map's folder"
        if not path.is_relative_to(base):
            return REFUSED, f"{name!r} leads outside the map's folder; it is refused"
        shown = str(Path(self.shown_folder) / name)
        if path in self._read:
            value = self._read[path]
        else:
            value = self._parse(path, shown)
            self._read[path] = value
        if value is REFUSED:
            return REFUSED, None
        document = value
        self.document.path_files[at] = shown
        locator = document.locators.get(shown)
        if locator is not None and locator.node_lines is not None:
            prefixes = self._prefixes.setdefault(shown, [])
            prefixes.append(at)
            self.document.locators[shown] = Locator(
                shown, _prefixed(tuple(prefixes), locator.node_lines)
            )
        return document.value, None

    def _parse(self, path: Path, shown: str) -> Any:
        problems: list[RawProblem] = []
        text = self.read_text(path, shown, problems)
        if text is None:
            self.document.problems.extend(problems)
            return REFUSED
        reader = read_json if path.suffix.lower() == ".json" else read_yaml
        document = reader(text, shown, self.limits)
        if document.problems:
            self.document.problems.extend(document.problems)
        if document.fatal or document.problems:
            return REFUSED
        return document


def _prefixed(
    prefixes: tuple[DocPath, ...],
    node_lines: Callable[[], Iterator[tuple[DocPath, int]]],
) -> Callable[[], Iterator[tuple[DocPath, int]]]:
    """The walk of a sheet's nodes, with paths as seen from each flow that names it."""

    def walk() -> Iterator[tuple[DocPath, int]]:
        for prefix in prefixes:
            for path, line in node_lines():
                yield (*prefix, *path), line

    return walk
