"""Untrusted templates are rendered within limits of output size, steps and time."""

from __future__ import annotations

import time

import pytest
from jinja2 import DictLoader, StrictUndefined
from jinja2.exceptions import SecurityError

from transfer_assess.templating import (
    LimitedEnvironment,
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
