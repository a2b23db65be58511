"""
JSON input: the standard library parser for speed, a token scan only for lines.

`json.loads` does the parsing. Duplicate keys are detected while parsing (the last
value would otherwise win silently) and the non-standard constants ``NaN`` and
``Infinity`` are refused. Lines are found afterwards, on demand, by a light scan of the
tokens that tracks the path of every value.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from transfer_assess.load.document import DocPath, Locator, RawDocument, RawProblem

if TYPE_CHECKING:
    from collections.abc import Iterator

    from transfer_assess.load.limits import Limits

_TOKENS = re.compile(r'(\n)|("(?:[^"\\\n]|\\.)*")|([{}\[\],:])|([^\s{}\[\],:"]+)')


class _NonStandardConstantError(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity`` in a JSON document."""


def _refuse_constant(name: str) -> Any:
    raise _NonStandardConstantError(name)


def read_json(text: str, file: str, limits: Limits) -> RawDocument:
    """
    Parse JSON text, refusing duplicate keys and non-standard constants.

    Args:
        text: The decoded document.
        file: The file name for messages.
        limits: Depth bound (deeper documents are refused).

    Returns:
        The parsed document; syntax errors and refusals are in its problems.
    """
    duplicates = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicates
        result = dict(pairs)
        if len(result) != len(pairs):
            duplicates = True
            # Keep the first value, as the YAML reader does; the problem is reported.
            result = {}
            for key, value in pairs:
                result.setdefault(key, value)
        return result

    document = RawDocument(value=None, file=file)
    document.locators[file] = Locator(file, lambda: _node_lines(text))
    try:
        document.value = json.loads(
            text, object_pairs_hook=pairs_hook, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as error:
        document.problems.append(
            RawProblem(file, (), f"JSON syntax error: {error.msg}", error.lineno)
        )
        document.fatal = True
        return document
    except _NonStandardConstantError as error:
        document.problems.append(
            RawProblem(file, (), f"{error.args[0]} is not valid JSON", None)
        )
        document.fatal = True
        return document
    except RecursionError:
        document.problems.append(
            RawProblem(
                file, (), f"nesting deeper than {limits.max_depth} levels is refused"
            )
        )
        document.fatal = True
        return document
    if duplicates:
        for path, line in _duplicate_keys(text):
            document.problems.append(
                RawProblem(file, path, f"duplicate key {path[-1]!r}", line)
            )
    return document


def _scan(text: str) -> Iterator[tuple[DocPath, int, bool]]:
    """
    Yield ``(path, line, is_duplicate_key)`` for every value of a valid document.

    A mapping value is reported at the line of its key.
    """
    line = 1
    # Each frame: [is_object, path, key or index, expecting_key, seen_keys]
    stack: list[list[Any]] = []
    for match in _TOKENS.finditer(text):
        newline, string, punctuation, literal = match.groups()
        if newline:
            line += 1
            continue
        if punctuation in {"}", "]"}:
            stack.pop()
            continue
        if punctuation == ":":
            stack[-1][3] = False
            continue
        if punctuation == ",":
            if stack[-1][0]:
                stack[-1][3] = True
            else:
                stack[-1][2] += 1
            continue
        top = stack[-1] if stack else None
        if top is not None and top[0] and top[3] and string is not None:
            key = json.loads(string)
            duplicate = key in top[4]
            top[4].add(key)
            top[2] = key
            yield (*top[1], key), line, duplicate
            continue
        if top is None:
            path: DocPath = ()
            yield path, line, False
        elif top[0]:
            path = (*top[1], top[2])
        else:
            path = (*top[1], top[2])
            yield path, line, False
        if punctuation == "{":
            stack.append([True, path, None, True, set()])
        elif punctuation == "[":
            stack.append([False, path, 0, False, None])
        del literal


def _node_lines(text: str) -> Iterator[tuple[DocPath, int]]:
    for path, line, _ in _scan(text):
        yield path, line


def _duplicate_keys(text: str) -> Iterator[tuple[DocPath, int]]:
    for path, line, duplicate in _scan(text):
        if duplicate:
            yield path, line
