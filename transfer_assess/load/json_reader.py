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
from transfer_assess.load.limits import MAX_NUMBER_CHARS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from transfer_assess.load.limits import Limits

# Possessive repeats: a string token is matched in one pass with no backtracking
# state per character (an alternation inside ``*`` kept ~170 bytes per character).
_TOKENS = re.compile(
    r'(\n)|("[^"\\\n]*+(?:\\.[^"\\\n]*+)*+")|([{}\[\],:])|([^\s{}\[\],:"]++)'
)


class _RefusedTokenError(ValueError):
    """A token the reader refuses: ``NaN``, ``Infinity``, or a number too long."""


def _refuse_constant(name: str) -> Any:
    raise _RefusedTokenError(name, f"{name} is not valid JSON")


def _short_number(text: str) -> str:
    if len(text) > MAX_NUMBER_CHARS:
        raise _RefusedTokenError(
            text,
            f"number with {len(text):,} characters is too long (at most "
            f"{MAX_NUMBER_CHARS})",
        )
    return text


def _parse_int(text: str) -> int:
    return int(_short_number(text))


def _parse_float(text: str) -> float:
    return float(_short_number(text))


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
            text,
            object_pairs_hook=pairs_hook,
            parse_constant=_refuse_constant,
            parse_int=_parse_int,
            parse_float=_parse_float,
        )
    except json.JSONDecodeError as error:
        document.problems.append(_syntax_problem(file, text, error))
        document.fatal = True
        return document
    except _RefusedTokenError as error:
        token, message = error.args
        path, line = _find_literal(text, token)
        document.problems.append(RawProblem(file, path, message, line))
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


def _syntax_problem(file: str, text: str, error: json.JSONDecodeError) -> RawProblem:
    """Describe a syntax error; a comma before a closing bracket is named as such."""
    before = text[: error.pos].rstrip()
    if before.endswith(",") and text[error.pos : error.pos + 1] in {"}", "]"}:
        line = before.count("\n") + 1
        return RawProblem(
            file, (), "JSON syntax error: trailing comma before a closing bracket", line
        )
    if error.pos >= len(text.rstrip()):
        return RawProblem(
            file,
            (),
            f"JSON syntax error: the document ends early ({error.msg})",
            error.lineno,
        )
    return RawProblem(file, (), f"JSON syntax error: {error.msg}", error.lineno)


def _scan(text: str) -> Iterator[tuple[DocPath, int, bool, str | None]]:
    """
    Yield ``(path, line, is_duplicate_key, literal)`` for every value of a document.

    A mapping value is reported at the line of its key; `literal` is the text of a
    number or constant value (``None`` for strings and containers).
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
            yield (*top[1], key), line, duplicate, None
            continue
        path: DocPath = () if top is None else (*top[1], top[2])
        if top is None or not top[0] or literal is not None:
            yield path, line, False, literal
        if punctuation == "{":
            stack.append([True, path, None, True, set()])
        elif punctuation == "[":
            stack.append([False, path, 0, False, None])


def _find_literal(text: str, token: str) -> tuple[DocPath, int | None]:
    """The path and line of the first literal equal to `token` (not in a string)."""
    for path, line, _, literal in _scan(text):
        if literal == token:
            return path, line
    return (), None  # pragma: no cover - the parser saw the token


def _node_lines(text: str) -> Iterator[tuple[DocPath, int]]:
    for path, line, _, _ in _scan(text):
        yield path, line


def _duplicate_keys(text: str) -> Iterator[tuple[DocPath, int]]:
    for path, line, duplicate, _ in _scan(text):
        if duplicate:
            yield path, line
