"""
The documentation stays true: its console examples run, its commands and options exist.

Every ```` ```console ```` block of ``README.md`` and ``docs/*.md`` is read. Each line
``$ transfer-assess …`` in it is run (in-process, in a scratch folder holding
``examples/``, ``fides/`` and the files of ``tests/docs/``, with ``COLUMNS=100``
unless the line sets ``COLUMNS=…`` itself), and what it prints, standard output and
standard error together, must be the lines that follow it, up to the next ``$`` line
or the end of the block. A line that is only ``…`` stands for any number of lines; a
``…`` inside a line stands for any text. ``> FILE`` sends standard output to a file
and ``; echo $?`` prints the exit status, as in a shell.

Every command line the pages show, in a block or in backticks, must name a command
that exists and only options that command has.

After an intended change of output, rewrite the examples with

    .venv/bin/pytest tests/test_docs.py --update-golden

and read the diff: blocks with ``…`` are never rewritten (adjust them by hand).
"""

from __future__ import annotations

import io
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer.main
from rich.console import Console
from typer.testing import CliRunner

import transfer_assess
from tests.conftest import EXAMPLES, ROOT, Golden
from transfer_assess import assess, load_map
from transfer_assess.cli import app
from transfer_assess.console import THEME, assessment_table
from transfer_assess.findings import Status

PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
FIXTURES = Path(__file__).resolve().parent / "docs"
WILD = "…"

runner = CliRunner()
ROOT_COMMAND = typer.main.get_command(app)


class Example:
    """One ``$ transfer-assess`` line of a page and the output shown under it."""

    def __init__(
        self, page: Path, line: int, command: str, expected: list[str]
    ) -> None:
        self.page = page
        self.line = line
        self.command = command
        self.expected = expected

    @property
    def wild(self) -> bool:
        return any(WILD in line for line in self.expected)


def console_blocks(text: str) -> list[tuple[int, list[str]]]:
    """The console blocks of a page: (line number of the first body line, lines)."""
    blocks = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```console":
            start = index + 1
            end = start
            while lines[end].strip() != "```":
                end += 1
            blocks.append((start + 1, lines[start:end]))
            index = end
        index += 1
    return blocks


def examples(page: Path) -> list[Example]:
    """The runnable examples of a page."""
    found = []
    for first, body in console_blocks(page.read_text(encoding="utf-8")):
        current: Example | None = None
        for offset, line in enumerate(body):
            if line.startswith("$ "):
                current = None
                words = line[2:].lstrip()
                if re.match(r"(COLUMNS=\d+ )?transfer-assess ", words):
                    current = Example(page, first + offset, words, [])
                    found.append(current)
            elif current is not None:
                current.expected.append(line)
    return found


def sandbox(folder: Path) -> None:
    """What the examples read: the bundled examples, Fides manifests, page fixtures."""
    shutil.copytree(EXAMPLES, folder / "examples")
    shutil.copytree(ROOT / "tests" / "fides", folder / "fides")
    for item in FIXTURES.iterdir():
        shutil.copy(item, folder / item.name)


def run(example: Example, folder: Path) -> str:
    """Run one example in `folder` and return what it printed."""
    command = re.sub(r"\s+#.*$", "", example.command)
    echo_status = command.endswith("; echo $?")
    command = command.removesuffix("; echo $?")
    words = shlex.split(command)
    columns = "100"
    if words[0].startswith("COLUMNS="):
        columns = words.pop(0).split("=", 1)[1]
    target = None
    if ">" in words:
        at = words.index(">")
        target = folder / words[at + 1]
        words = words[:at] + words[at + 2 :]
    assert words[0] == "transfer-assess"
    result = runner.invoke(app, words[1:], env={"COLUMNS": columns})
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{example.page.name}:{example.line}: {result.exception!r}"
    )
    if target is not None:
        target.write_text(result.stdout, encoding="utf-8")
        printed = result.stderr
    else:
        printed = result.output
    lines = [line.rstrip() for line in printed.splitlines()]
    if echo_status:
        lines.append(str(result.exit_code))
    return "\n".join(lines)


def matches(expected: list[str], actual: str) -> bool:
    """Compare with ``…`` wildcards (a whole line: any lines; in a line: any text)."""
    pattern = ""
    for line in expected:
        if line.strip() == WILD:
            pattern += r"(?:[^\n]*\n)*?"
        else:
            pattern += ".*".join(re.escape(part) for part in line.rstrip().split(WILD))
            pattern += "\n"
    return re.fullmatch(pattern, actual + "\n" if actual else "") is not None


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_console_examples(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, golden: Golden
) -> None:
    found = examples(page)
    if not found:
        return
    sandbox(tmp_path)
    monkeypatch.chdir(tmp_path)
    failures = []
    rewrites: list[tuple[Example, list[str]]] = []
    for example in found:
        actual = run(example, tmp_path)
        if matches(example.expected, actual):
            continue
        if golden.update and not example.wild:
            rewrites.append((example, actual.splitlines()))
            continue
        failures.append(
            f"{page.name}:{example.line}: $ {example.command}\n"
            f"--- shown\n" + "\n".join(example.expected) + "\n--- printed\n" + actual
        )
    if rewrites:
        lines = page.read_text(encoding="utf-8").splitlines()
        for example, printed in reversed(rewrites):
            start = example.line  # the 0-based index of the first output line
            del lines[start : start + len(example.expected)]
            lines[start:start] = printed
        page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not failures, (
        "the page's examples print something else; if intended, run "
        "pytest tests/test_docs.py --update-golden and read the diff\n\n"
        + "\n\n".join(failures)
    )


def command_lines(text: str) -> list[str]:
    """Every command line a page shows: in console blocks and in backticks."""
    found = []
    for _, body in console_blocks(text):
        found.extend(body)
    found.extend(re.findall(r"`([^`\n]+)`", text))
    shown = []
    for line in found:
        words = re.sub(r"^\$ |^\.venv/bin/|^COLUMNS=\d+ ", "", line.strip())
        if words.startswith("transfer-assess "):
            shown.append(words)
    return shown


def check_command_line(line: str) -> list[str]:
    """The problems of one shown command line: unknown commands or options."""
    words = [word.strip("[]().,;") for word in line.split()[1:]]
    command: Any = ROOT_COMMAND
    names: list[str] = []
    # Options of the program itself come before the command.
    while words and words[0].startswith("--"):
        option = words.pop(0).split("=", 1)[0]
        if option not in _options(command):
            return [f"{line!r}: no option {option}"]
        if words and not words[0].startswith("-") and option != "--version":
            words.pop(0)
    while hasattr(command, "commands") and words and re.fullmatch(r"[a-z-]+", words[0]):
        name = words.pop(0)
        sub = command.commands.get(name)
        if sub is None:
            return [f"{line!r}: no command {' '.join([*names, name])}"]
        command = sub
        names.append(name)
    return [
        f"{line!r}: {' '.join(names) or 'transfer-assess'} has no option {option}"
        for option in (word.split("=", 1)[0] for word in words)
        if re.fullmatch(r"--[a-z][a-z-]*", option) and option not in _options(command)
    ]


def _options(command: Any) -> set[str]:
    options = {"--help"}
    for param in command.params:
        options.update(name for name in param.opts if name.startswith("--"))
    return options


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_commands_and_options_exist(page: Path) -> None:
    lines = command_lines(page.read_text(encoding="utf-8"))
    problems = [problem for line in lines for problem in check_command_line(line)]
    assert not problems, "\n".join(problems)


def test_the_checker_finds_what_does_not_exist() -> None:
    assert check_command_line("transfer-assess assess MAP --as-of DATE") == []
    assert check_command_line("transfer-assess data update --url URL") == []
    assert check_command_line("transfer-assess --max-flows 3 validate m.yaml") == []
    assert check_command_line("transfer-assess asses MAP") == [
        "'transfer-assess asses MAP': no command asses"
    ]
    assert check_command_line("transfer-assess countries --map x") == [
        "'transfer-assess countries --map x': countries has no option --map"
    ]


def test_wildcards() -> None:
    assert matches(["a", WILD, "d"], "a\nb\nc\nd")
    assert matches(["a", WILD, "b"], "a\nb")
    assert matches([f"folder: {WILD}/data"], "folder: /x/y/data")
    assert not matches(["a", "d"], "a\nb\nd")
    assert not matches([f"x{WILD}"], "y")
    assert matches([], "")
    assert not matches([], "printed")


def test_fixtures_are_the_maps_the_pages_show() -> None:
    page = (ROOT / "docs" / "datamap.md").read_text(encoding="utf-8")
    assert f"```yaml\n{(FIXTURES / 'map.yaml').read_text(encoding='utf-8')}```" in page


TERMINAL_SCREENSHOT = ROOT / "docs" / "images" / "terminal.svg"


def test_terminal_screenshot(golden: Golden) -> None:
    """docs/images/terminal.svg is the table the README shows, in colour."""
    console = Console(
        record=True,
        width=100,
        force_terminal=True,
        color_system="truecolor",
        theme=THEME,
        file=io.StringIO(),
    )
    datamap = load_map(EXAMPLES / "global-group.yaml")
    console.print(
        assessment_table(assess(datamap), statuses=[Status.GAP, Status.ATTENTION]),
        crop=False,
    )
    svg = console.export_svg(
        title="transfer-assess assess examples/global-group.yaml --status gap,attention"
    )
    if golden.update:
        TERMINAL_SCREENSHOT.write_text(svg, encoding="utf-8")
        return
    assert svg == TERMINAL_SCREENSHOT.read_text(encoding="utf-8"), (
        "docs/images/terminal.svg is out of date; run pytest --update-golden"
    )


API_PAGE = ROOT / "docs" / "api.md"


def test_every_public_name_is_documented() -> None:
    """docs/api.md has a section per name of transfer_assess.__all__, and no other."""
    page = API_PAGE.read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `([A-Za-z_]+)`$", page, re.MULTILINE))
    public = set(transfer_assess.__all__)
    assert public - documented == set(), "undocumented public names"
    assert documented - public == set(), "documented names that are not public"


def test_api_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox(tmp_path)
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", API_PAGE.read_text("utf-8"), re.DOTALL)
    assert len(blocks) >= 2
    for number, block in enumerate(blocks):
        code = compile(block, f"docs/api.md, example {number + 1}", "exec")
        exec(code, {})  # noqa: S102 - our own documentation
    assert (tmp_path / "report.json").is_file()
