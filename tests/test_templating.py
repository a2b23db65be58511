"""Untrusted templates are rendered within limits of output size, steps and time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from jinja2 import DictLoader, StrictUndefined, TemplateNotFound
from jinja2.exceptions import SecurityError
from typer.testing import CliRunner

from tests.conftest import EXAMPLES
from transfer_assess.cli import app
from transfer_assess.templating import (
    LimitedEnvironment,
    RegularFileLoader,
    TemplateLimitError,
    TemplateLimits,
)

#: Doubles a string forty times (a terabyte) unless the size limit stops it.
DOUBLING = (
    "{% set ns = namespace(s='AB') %}{% for i in range(40) %}"
    "{% set ns.s = ns.s OP ns.s %}{% endfor %}"
)
SMALL = TemplateLimits(max_output_chars=1_000, max_steps=10_000, max_seconds=2.0)


def render(source: str, limits: TemplateLimits = SMALL, **context: object) -> str:
    environment = LimitedEnvironment(
        loader=DictLoader({"t": source}), undefined=StrictUndefined, limits=limits
    )
    return environment.render_limited(environment.get_template("t"), context)


class TestSize:
    """No value or output over max_output_chars is ever built."""

    @pytest.mark.parametrize(
        "source",
        [
            "{{ 'A' * 4000000000 }}",
            "{{ 4000000000 * 'A' }}",
            "{{ ['A'] * 4000000000 }}",
            "{{ 2 ** 4000000000 }}",
            "{{ 'A' | center(4000000000) }}",
            "{{ 'A\nB' | indent(4000000000) }}",
            "{{ '%4000000000s' | format('A') }}",
            "{{ ('A' * 999) | replace('', 'B' * 999) }}",
            DOUBLING.replace("OP", "~"),
            DOUBLING.replace("OP", "+"),
            "{% for i in range(2000) %}x{% endfor %}",
            "{% for i in range(10 ** 9) %}{% endfor %}",
        ],
    )
    def test_refused(self, source: str) -> None:
        started = time.monotonic()
        with pytest.raises(TemplateLimitError):
            render(source)
        assert time.monotonic() - started < 5

    @pytest.mark.parametrize(
        ("size", "refused"), [(999, False), (1000, False), (1001, True)]
    )
    def test_output_day_before_on_after(self, size: int, refused: bool) -> None:
        source = "{{ 'x' * size }}"
        if refused:
            with pytest.raises(TemplateLimitError):
                render(source, size=size)
        else:
            assert render(source, size=size) == "x" * size


class TestSteps:
    """Loops, calls and lookups count against max_steps; time against max_seconds."""

    def test_nested_loops(self) -> None:
        with pytest.raises(TemplateLimitError, match="more than 10,000 steps"):
            render(
                "{% for a in range(99999) %}{% for b in range(99999) %}"
                "{% endfor %}{% endfor %}"
            )

    def test_time(self) -> None:
        limits = TemplateLimits(max_steps=10**9, max_seconds=0.2)
        started = time.monotonic()
        with pytest.raises(TemplateLimitError, match=r"longer than 0\.2 seconds"):
            render(
                "{% for a in range(99999) %}{% for b in range(99999) %}"
                "{% endfor %}{% endfor %}",
                limits,
            )
        assert time.monotonic() - started < 5

    def test_ordinary_template(self) -> None:
        source = (
            "{% for party in parties %}{{ party.name | upper }}{{ ', ' if not "
            "loop.last }}{% endfor %} {{ '%s-%s' | format(1, 2) }} {{ 'a' ~ 'b' }}"
        )
        parties = [{"name": "acme"}, {"name": "globex"}]
        assert render(source, parties=parties) == "ACME, GLOBEX 1-2 ab"

    def test_the_sandbox_still_holds(self) -> None:
        with pytest.raises(SecurityError) as caught:
            render("{{ ''.__class__.__mro__[1].__subclasses__() }}")
        assert not isinstance(caught.value, TemplateLimitError)


class TestFiles:
    """Template files are read only when regular and small enough."""

    def test_link_to_a_device_is_refused(self, tmp_path: Path) -> None:
        (tmp_path / "t.md.j2").symlink_to("/dev/zero")
        environment = LimitedEnvironment(loader=RegularFileLoader(tmp_path, 1000))
        with pytest.raises(TemplateLimitError, match="not a regular file"):
            environment.get_template("t.md.j2")

    @pytest.mark.parametrize(
        ("size", "refused"), [(999, False), (1000, False), (1001, True)]
    )
    def test_size_day_before_on_after(
        self, tmp_path: Path, size: int, refused: bool
    ) -> None:
        (tmp_path / "t.md.j2").write_text("x" * size, encoding="utf-8")
        environment = LimitedEnvironment(loader=RegularFileLoader(tmp_path, 1000))
        if refused:
            with pytest.raises(TemplateLimitError, match="over the limit of 1,000"):
                environment.get_template("t.md.j2")
        else:
            template = environment.get_template("t.md.j2")
            assert environment.render_limited(template, {}) == "x" * size

    def test_missing_and_escaping_names(self, tmp_path: Path) -> None:
        environment = LimitedEnvironment(loader=RegularFileLoader(tmp_path, 1000))
        with pytest.raises(TemplateNotFound):
            environment.get_template("nope.md.j2")
        with pytest.raises(TemplateNotFound):
            environment.get_template("../outside.md.j2")

    def test_scc_command_with_a_hostile_template(self, tmp_path: Path) -> None:
        for module in range(1, 5):
            (tmp_path / f"module{module}.md.j2").write_text(
                "{{ 'A' * 4000000000 }}", encoding="utf-8"
            )
        result = CliRunner().invoke(
            app,
            ["scc", str(EXAMPLES / "small.yaml"), "cloud-to-support", "--templates",
             str(tmp_path)],
        )  # fmt: skip
        assert result.exit_code == 2
        assert "over the limit of 10,000,000" in result.stderr
        assert "Traceback" not in result.output
