"""
YAML input, read as the YAML 1.2 core schema from PyYAML's event stream.

PyYAML's own constructors implement YAML 1.1, where ``NO`` is false and ``2026-11-28``
is a date. This reader never constructs through them: it builds plain values from the
parser's events itself, resolving plain scalars by the 1.2 core schema (only
``true``/``false`` are booleans), refusing every tag outside that schema, duplicate
keys, nesting deeper than the limit and aliases that would repeat more nodes than the
limit allows. Nothing is ever executed or instantiated from the document.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

from transfer_assess.load.document import (
    REFUSED,
    DocPath,
    Locator,
    RawDocument,
    RawProblem,
)
from transfer_assess.load.limits import MAX_NUMBER_CHARS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from transfer_assess.load.limits import Limits

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG_PREFIX = "tag:yaml.org,2002:"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")
#: The first characters of every plain scalar that is not a string (and ``""``, the
#: empty null): any other plain scalar is a string without a look at the patterns.
_NON_TEXT_STARTS = frozenset(("", *"~nNtTfF0123456789+-."))


def _line(event: yaml.Event) -> int:
    """The 1-based line where an event starts."""
    mark = event.start_mark
    return mark.line + 1 if mark is not None else 0


_UNSUPPORTED: Any = object()
_CORE_SCALARS = frozenset({"int", "float", "bool", "null"})


def resolve_plain(text: str) -> Any:
    """
    Resolve a plain scalar by the YAML 1.2 core schema.

    Raises:
        ValueError: The scalar is a number longer than `MAX_NUMBER_CHARS`.
    """
    result: Any = text
    if text[:1] not in _NON_TEXT_STARTS:
        return result
    if text in _NULLS:
        result = None
    elif text in _TRUES:
        result = True
    elif text in _FALSES:
        result = False
    elif _INT.fullmatch(text):
        result = int(_short_number(text))
    elif _OCT.fullmatch(text):
        result = int(_short_number(text), 8)
    elif _HEX.fullmatch(text):
        result = int(_short_number(text), 16)
    elif _FLOAT.fullmatch(text):
        result = float(_short_number(text))
    elif _INF.fullmatch(text):
        result = float("-inf") if text.startswith("-") else float("inf")
    elif _NAN.fullmatch(text):
        result = float("nan")
    return result


def _short_number(text: str) -> str:
    """Return a number's text, refusing it when it is longer than the limit."""
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(text)
    return text


def _resolve_tagged(tag: str, text: str) -> Any:
    """
    Resolve a scalar with an explicit core-schema tag, or return `REFUSED`.

    Raises:
        ValueError: The scalar is a number longer than `MAX_NUMBER_CHARS`.
    """
    kind = tag.removeprefix(_TAG_PREFIX)
    if kind == "str":
        return text
    if kind not in _CORE_SCALARS:
        return _UNSUPPORTED
    resolved = resolve_plain(text)
    expected: dict[str, type | tuple[type, ...]] = {
        "int": int,
        "float": (int, float),
        "bool": bool,
        "null": type(None),
    }
    wanted = expected.get(kind)
    if wanted is None or isinstance(resolved, bool) != (kind == "bool"):
        return REFUSED
    if not isinstance(resolved, wanted):
        return REFUSED
    if kind == "float" and isinstance(resolved, int):
        return float(resolved)
    return resolved


class _Frame:
    """A mapping or sequence being built."""

    __slots__ = ("anchor", "key", "key_lines", "path", "size", "value")

    def __init__(self, value: Any, path: DocPath, anchor: str | None) -> None:
        self.value = value
        self.path = path
        self.anchor = anchor
        self.key: Any = None
        self.key_lines: dict[str, int] | None = {} if isinstance(value, dict) else None
        self.size = 1

    @property
    def awaiting_key(self) -> bool:
        return self.key_lines is not None and self.key is None


class _Builder:
    """Builds plain values from parser events, collecting problems."""

    def __init__(self, file: str, limits: Limits) -> None:
        self.file = file
        self.limits = limits
        self.problems: list[RawProblem] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.alias_nodes = 0
        self.root: Any = None
        self.fatal = False

    def problem(self, path: DocPath, line: int, message: str) -> None:
        self.problems.append(RawProblem(self.file, path, message, line))

    def child_path(self) -> DocPath:
        if not self.stack:
            return ()
        top = self.stack[-1]
        if top.key_lines is not None:
            return (*top.path, top.key if isinstance(top.key, str) else "?")
        return (*top.path, len(top.value))

    def attach(self, value: Any, size: int, line: int) -> None:
        """Put a finished node into its parent (as key or value)."""
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        top.size += size
        if top.key_lines is None:
            top.value.append(value)
            return
        if top.key is None:
            self.take_key(top, value, line)
            return
        key, top.key = top.key, None
        if isinstance(key, str) and key not in top.value:
            top.value[key] = value

    def take_key(self, top: _Frame, key: Any, line: int) -> None:
        assert top.key_lines is not None  # noqa: S101 - only mapping frames take keys
        if not isinstance(key, str):
            self.problem(top.path, line, "mapping keys must be plain strings")
            top.key = REFUSED
            return
        first = top.key_lines.get(key)
        if first is not None:
            self.problem(
                (*top.path, key),
                line,
                f"duplicate key {key!r} (first at line {first})",
            )
            top.key = REFUSED
            return
        top.key_lines[key] = line
        top.key = key

    def scalar(self, event: yaml.ScalarEvent) -> None:
        line = _line(event)
        tag = event.tag
        awaiting_key = bool(self.stack) and self.stack[-1].awaiting_key
        value: Any
        if awaiting_key:
            value = event.value
            if tag not in {None, "!", f"{_TAG_PREFIX}str"}:
                self.problem(
                    (*self.stack[-1].path, value),
                    line,
                    f"unsupported YAML tag {tag!r} on a key",
                )
        elif tag is None or tag == "!":
            plain = event.implicit[0] and not event.style
            try:
                value = resolve_plain(event.value) if plain else event.value
            except ValueError:
                self.too_long(event.value, line)
                value = REFUSED
        elif tag.startswith(_TAG_PREFIX) and (
            (value := self.tagged(tag, event.value, line)) is not _UNSUPPORTED
        ):
            if value is REFUSED and len(event.value) <= MAX_NUMBER_CHARS:
                self.problem(
                    self.child_path(),
                    line,
                    f"value {event.value!r} does not fit its tag {tag!r}",
                )
        else:
            self.problem(
                self.child_path(),
                line,
                f"unsupported YAML tag {tag!r} (safe YAML only)",
            )
            value = REFUSED
        self.remember(event.anchor, value, 1)
        self.attach(value, 1, line)

    def tagged(self, tag: str, text: str, line: int) -> Any:
        """`_resolve_tagged`, reporting a number that is too long."""
        try:
            return _resolve_tagged(tag, text)
        except ValueError:
            self.too_long(text, line)
            return REFUSED

    def too_long(self, text: str, line: int) -> None:
        self.problem(
            self.child_path(),
            line,
            f"number with {len(text):,} characters is too long (at most "
            f"{MAX_NUMBER_CHARS})",
        )

    def remember(self, anchor: str | None, value: Any, size: int) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, size)

    def start(self, event: yaml.NodeEvent, value: Any) -> bool:
        line = _line(event)
        tag = getattr(event, "tag", None)
        path = self.child_path()
        if tag not in {None, "!", f"{_TAG_PREFIX}map", f"{_TAG_PREFIX}seq"}:
            self.problem(path, line, f"unsupported YAML tag {tag!r} (safe YAML only)")
        if len(self.stack) >= self.limits.max_depth:
            self.problem(
                path,
                line,
                f"nesting deeper than {self.limits.max_depth} levels is refused",
            )
            self.fatal = True
            return False
        anchor = event.anchor
        if anchor is not None:
            self.open_anchors.add(anchor)
        self.stack.append(_Frame(value, path, anchor))
        return True

    def end(self, event: yaml.Event) -> None:
        frame = self.stack.pop()
        if frame.key_lines is not None and frame.key is not None:
            frame.key = None
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.remember(frame.anchor, frame.value, frame.size)
        self.attach(frame.value, frame.size, _line(event))

    def alias(self, event: yaml.AliasEvent) -> bool:
        line = _line(event)
        anchor = event.anchor or ""
        if anchor in self.open_anchors:
            self.problem(self.child_path(), line, f"recursive alias *{anchor}")
            self.fatal = True
            return False
        value, size = self.anchors.get(anchor, (REFUSED, 1))
        if value is REFUSED and anchor not in self.anchors:
            self.problem(self.child_path(), line, f"unknown alias *{anchor}")
        self.alias_nodes += size
        if self.alias_nodes > self.limits.max_alias_nodes:
            self.problem(
                self.child_path(),
                line,
                "aliases would repeat more than "
                f"{self.limits.max_alias_nodes:,} nodes; refused "
                "(this looks like a 'billion laughs' document)",
            )
            self.fatal = True
            return False
        self.attach(value, size, line)
        return True


def read_yaml(text: str, file: str, limits: Limits) -> RawDocument:
    """
    Parse YAML text into plain values with the YAML 1.2 core schema.

    Args:
        text: The decoded document.
        file: The file name for messages.
        limits: Depth and alias bounds.

    Returns:
        The parsed document; syntax errors and refusals are in its problems.
    """
    builder = _Builder(file, limits)
    documents = 0
    try:
        for event in yaml.parse(text, Loader=_Parser):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    builder.problem(
                        (),
                        _line(event),
                        "expected one YAML document, found several",
                    )
                    builder.fatal = True
                    break
            elif isinstance(event, yaml.ScalarEvent):
                builder.scalar(event)
            elif isinstance(event, yaml.MappingStartEvent):
                if not builder.start(event, {}):
                    break
            elif isinstance(event, yaml.SequenceStartEvent):
                if not builder.start(event, []):
                    break
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                builder.end(event)
            elif isinstance(event, yaml.AliasEvent) and not builder.alias(event):
                break
    except yaml.MarkedYAMLError as error:
        builder.problems.append(_syntax_problem(file, error))
        builder.fatal = True
    except yaml.YAMLError as error:
        builder.problems.append(RawProblem(file, (), f"YAML error: {error}"))
        builder.fatal = True
    document = RawDocument(
        value=builder.root,
        file=file,
        problems=builder.problems,
        fatal=builder.fatal,
    )
    document.locators[file] = Locator(file, lambda: _node_lines(text))
    return document


def _syntax_problem(file: str, error: yaml.MarkedYAMLError) -> RawProblem:
    """
    Locate a syntax error where the user must look.

    An unclosed ``[`` or ``{`` is reported where it opens, with the line where the
    parser noticed; other errors where the parser noticed them.
    """
    problem_mark, context_mark = error.problem_mark, error.context_mark
    detail = error.problem or error.context or "invalid YAML"
    if "maximum nesting depth" in detail:
        detail = "nesting is too deep"
    line = problem_mark.line + 1 if problem_mark is not None else None
    context = error.context or ""
    if (
        context_mark is not None
        and context.startswith("while parsing a flow ")
        and line is not None
        and context_mark.line + 1 < line
    ):
        what = context.removeprefix("while parsing a ")
        return RawProblem(
            file,
            (),
            f"YAML syntax error: the {what} that starts here is not closed: "
            f"{detail} (noticed at line {line})",
            context_mark.line + 1,
        )
    return RawProblem(file, (), f"YAML syntax error: {detail}", line)


def _node_lines(text: str) -> Iterator[tuple[DocPath, int]]:
    """Yield ``(path, line)`` for every node; a mapping value gets its key's line."""
    # Each frame: [is_mapping, path, key or index, awaiting_key, is_a_key]
    stack: list[list[Any]] = []

    def child() -> DocPath | None:
        if not stack:
            return ()
        frame = stack[-1]
        if frame[0]:
            return (*frame[1], frame[2])
        path: DocPath = (*frame[1], frame[2])
        frame[2] += 1
        return path

    try:
        for event in yaml.parse(text, Loader=_Parser):
            line = _line(event)
            if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                ended = stack.pop()
                if stack and stack[-1][0]:
                    # After a key comes its value; after a value, the next key.
                    stack[-1][3] = not ended[4]
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            if stack and stack[-1][0] and stack[-1][3]:
                key = event.value if isinstance(event, yaml.ScalarEvent) else "?"
                stack[-1][2] = key
                stack[-1][3] = False
                yield (*stack[-1][1], key), line
                if isinstance(event, yaml.MappingStartEvent):
                    stack.append([True, (*stack[-1][1], key), None, True, True])
                elif isinstance(event, yaml.SequenceStartEvent):
                    stack.append([False, (*stack[-1][1], key), 0, False, True])
                continue
            in_mapping = bool(stack) and stack[-1][0]
            path = child()
            if path is None:  # pragma: no cover - child() always returns a path
                continue
            if not in_mapping:
                yield path, line
            if isinstance(event, yaml.MappingStartEvent):
                stack.append([True, path, None, True, False])
            elif isinstance(event, yaml.SequenceStartEvent):
                stack.append([False, path, 0, False, False])
            elif in_mapping:
                stack[-1][3] = True
    except yaml.YAMLError:
        return
