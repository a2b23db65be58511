"""
Rendering templates given by the user, within limits of output, steps and time.

Jinja2's sandbox keeps a template from reaching Python; it does not keep it from
asking for four gigabytes (``{{ 'A' * 4000000000 }}``) or from looping for hours
(``{% for a in range(99999) %}{% for b in range(99999) %}…``). `LimitedEnvironment`
adds what the sandbox leaves out:

- **output size**: the template is rendered as a stream and stopped once its text
  passes `TemplateLimits.max_output_chars`; repetition (``*``), powers (``**``) and
  the filters that pad or repeat text (``center``, ``indent``, ``wordwrap``,
  ``format``, ``replace``) are refused *before* they build a value over the limit;
- **steps**: every attribute lookup, call, operator and every step of ``range`` counts
  against `TemplateLimits.max_steps`;
- **time**: each of those steps also checks `TemplateLimits.max_seconds`;
- **the files themselves**: `RegularFileLoader` reads only regular files of at most
  `TemplateLimits.max_template_bytes` (a template that is a link to ``/dev/zero`` or a
  named pipe is refused without waiting).

A template over a limit raises `TemplateLimitError`, a Jinja2 `SecurityError`, which
callers report like any other template error.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from jinja2 import FileSystemLoader, TemplateNotFound
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import MAX_RANGE, SandboxedEnvironment

from transfer_assess.load.files import UnreadableFileError, read_regular_file

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from jinja2 import Environment, Template, nodes
    from jinja2.runtime import Context


@attrs.frozen
class TemplateLimits:
    """What one rendering of an untrusted template may use."""

    max_output_chars: int = 10_000_000
    """Longest text rendered, and longest value built on the way."""
    max_steps: int = 1_000_000
    """Most loop steps, calls, lookups and operators."""
    max_seconds: float = 10.0
    """Longest rendering, in seconds."""
    max_template_bytes: int = 1024 * 1024
    """Largest template file."""


class TemplateLimitError(SecurityError):
    """A template went over one of its limits."""


class RegularFileLoader(FileSystemLoader):
    """Loads templates from folders, reading only regular files within a size limit."""

    def __init__(self, folder: Path, limit: int) -> None:
        """
        Load from `folder`.

        Args:
            folder: The folder holding the templates.
            limit: The largest template file, in bytes.
        """
        super().__init__(folder)
        self.limit = limit

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """Read a template, refusing what is not a regular file or is too large."""
        del environment
        path = Path(self.searchpath[0], *split_template_path(template))
        if not path.exists() and not path.is_symlink():
            raise TemplateNotFound(template)
        try:
            text = read_regular_file(path, self.limit).decode("utf-8")
        except UnreadableFileError as error:
            raise TemplateLimitError(f"{path}: {error}") from None
        except UnicodeDecodeError as error:
            raise TemplateLimitError(f"{path}: not UTF-8 ({error.reason})") from None
        return text, str(path), lambda: False


class _Generator(CodeGenerator):
    """Compiles ``a ~ b`` so that the joined text is measured (and counted)."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # noqa: N802 - Jinja2's name
        self.write("environment.sized(")
        super().visit_Concat(node, frame)
        self.write(")")


class LimitedEnvironment(SandboxedEnvironment):
    """A sandbox that also bounds output size, steps and time (see the module)."""

    intercepted_binops = frozenset({"*", "**", "+"})
    code_generator_class = _Generator

    def __init__(self, *, limits: TemplateLimits | None = None, **options: Any) -> None:
        """
        Make an environment; `options` are those of `jinja2.Environment`.

        Args:
            limits: The bounds; the defaults when omitted.
            **options: Passed to the sandbox (loader, undefined, autoescape, …).
        """
        super().__init__(**options)
        self.limits = limits or TemplateLimits()
        self._steps = 0
        self._started = time.monotonic()
        self.globals["range"] = self._range
        for name in ("center", "indent", "wordwrap", "format", "replace"):
            self.filters[name] = self._sized(name, self.filters[name])

    # -- counting ---------------------------------------------------------------------

    def step(self) -> None:
        """Count one step; raise when the steps or the time run out."""
        self._steps += 1
        if self._steps > self.limits.max_steps:
            raise TemplateLimitError(
                f"the template took more than {self.limits.max_steps:,} steps"
            )
        if time.monotonic() - self._started > self.limits.max_seconds:
            raise TemplateLimitError(
                f"the template ran longer than {self.limits.max_seconds:g} seconds"
            )

    def _too_long(self, size: int) -> None:
        if size > self.limits.max_output_chars:
            raise TemplateLimitError(
                f"the template would build a value of {size:,} characters, over the "
                f"limit of {self.limits.max_output_chars:,}"
            )

    def sized(self, value: Any) -> Any:
        """Count a step and refuse a joined value over the size limit."""
        self.step()
        self._too_long(len(value))
        return value

    def _range(self, *args: int) -> Iterator[int]:
        numbers = range(*args)
        self.step()
        if len(numbers) > MAX_RANGE:
            raise TemplateLimitError(
                f"range of {len(numbers):,} numbers; at most {MAX_RANGE:,}"
            )
        for number in numbers:
            self.step()
            yield number

    def _sized(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a filter that can pad or repeat text with a check of its result."""
        skip = 1 if hasattr(original, "jinja_pass_arg") else 0

        def checked(*args: Any, **kwargs: Any) -> Any:
            self.step()
            self._too_long(_estimate(name, args[skip:], kwargs))
            return original(*args, **kwargs)

        for attribute in ("jinja_pass_arg",):
            if hasattr(original, attribute):
                setattr(checked, attribute, getattr(original, attribute))
        return checked

    # -- the sandbox's hooks ----------------------------------------------------------

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """Refuse ``*`` and ``**`` whose result would be over the size limit."""
        self.step()
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(times, int):
                    self._too_long(len(sequence) * max(times, 0))
        elif operator == "+" and isinstance(left, str | list | tuple):
            self._too_long(len(left) + (len(right) if hasattr(right, "__len__") else 0))
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            self._too_long(int(abs(left).bit_length() * max(right, 0) / 3.3))
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Count the lookup, then let the sandbox decide."""
        self.step()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """Count the lookup, then let the sandbox decide."""
        self.step()
        return super().getitem(obj, argument)

    def call(
        self,
        context: Context,
        obj: Any,
        /,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """Count the call, then let the sandbox decide."""
        self.step()
        return super().call(context, obj, *args, **kwargs)

    # -- rendering --------------------------------------------------------------------

    def render_limited(self, template: Template, context: Mapping[str, Any]) -> str:
        """
        Render `template` as a stream, stopping once it is over a limit.

        Raises:
            TemplateLimitError: The output, steps or time went over a limit.
            TemplateError: The template failed otherwise.
        """
        self._steps = 0
        self._started = time.monotonic()
        parts: list[str] = []
        size = 0
        for part in template.generate(**context):
            size += len(part)
            if size > self.limits.max_output_chars:
                raise TemplateLimitError(
                    f"the template wrote more than {self.limits.max_output_chars:,} "
                    "characters"
                )
            self.step()
            parts.append(part)
        return "".join(parts)


def _estimate(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """An upper bound of the length of a padding or repeating filter's result."""
    value = str(args[0]) if args else ""
    size = len(value)
    numbers = [item for item in (*args[1:], *kwargs.values()) if isinstance(item, int)]
    if name == "replace" and len(args) >= 3:  # noqa: PLR2004 - value, old, new
        return size + (size + 1) * len(str(args[2]))
    if name == "format":
        spec = (*args[1:], *kwargs.values())
        return size + sum(len(str(item)) for item in spec) + _widths(value)
    if name == "indent":
        return size + (value.count("\n") + 1) * max([0, *numbers])
    if name == "wordwrap":
        return size * 2 + sum(len(str(item)) for item in kwargs.values())
    return size + max([0, *numbers])


def _widths(pattern: str) -> int:
    """The sum of the field widths written in a ``%`` pattern (``%4000000000s``)."""
    total = 0
    digits = ""
    for character in pattern:
        if character.isdigit():
            digits += character
            continue
        if digits:
            total += int(digits[:12])
        digits = ""
    return total + (int(digits[:12]) if digits else 0)
