"""Every stage of reading stays within its bound: numbers, text, files, locations.

The inputs are generated here at the documented limits (docs/security.md), scaled
so that each test runs in about a second; the time and memory per MB are measured by
``bench/bounds.py``, never asserted here.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mapfactory import as_json, as_yaml, document, entity, flow
from transfer_assess import DataMapError, Limits, load_map, parse_map
from transfer_assess.load.document import DocPath, Locator
from transfer_assess.load.limits import MAX_NUMBER_CHARS


def problems(text: str, format: str = "yaml") -> list[str]:  # noqa: A002
    with pytest.raises(DataMapError) as caught:
        parse_map(text, file=f"map.{format}", format=format)
    return [str(problem) for problem in caught.value.problems]


def load_problems(path: Path) -> list[str]:
    with pytest.raises(DataMapError) as caught:
        load_map(path)
    return [str(problem) for problem in caught.value.problems]


def yaml_with(field: str, literal: str) -> str:
    """A map whose first flow has `field` written as the YAML `literal`."""
    text = as_yaml(document(flows=[flow("f", "hq-de", "us-cloud", **{field: 1})]))
    return text.replace(f"{field}: 1", f"{field}: {literal}")


class TestNumbers:
    """Numbers over 64 characters are refused where they stand, never converted."""

    @pytest.mark.parametrize(
        "literal",
        [
            "0x" + "f" * 5000,
            "0o" + "7" * 5000,
            "9" * 5000,
            "!!int " + "9" * 5000,
            "!!float " + "9" * 5000,
            "!!int 0x" + "f" * 5000,
            "1." + "5" * 5000,
        ],
    )
    def test_yaml(self, literal: str) -> None:
        text = yaml_with("volume", literal)
        line = next(
            number
            for number, content in enumerate(text.splitlines(), 1)
            if "volume" in content
        )
        shown = problems(text)
        assert len(shown) == 1, shown
        assert shown[0].startswith(f"map.yaml:{line}: flows[0].volume: number with ")
        assert f"too long (at most {MAX_NUMBER_CHARS})" in shown[0]

    def test_hex_name_and_module(self) -> None:
        value = document(flows=[flow("f", "hq-de", "us-cloud", scc_module=1)])
        text = as_yaml(value).replace("scc_module: 1", "scc_module: 0o" + "7" * 5000)
        text = text.replace("name: hq-de Ltd", "name: 0x" + "f" * 5000)
        shown = problems(text)
        assert any("entities[0].name: number with 5,002 characters" in s for s in shown)
        assert any("flows[0].scc_module: number with 5,002" in s for s in shown)

    @pytest.mark.parametrize("literal", ["9" * 5000, "1e" + "9" * 5000, "-" + "1" * 99])
    def test_json(self, literal: str) -> None:
        text = as_json(document()).replace('"version": 1', f'"version": {literal}')
        (shown,) = problems(text, "json")
        assert shown.startswith("map.json:2: version: number with ")

    @pytest.mark.parametrize("digits", [MAX_NUMBER_CHARS - 1, MAX_NUMBER_CHARS])
    def test_up_to_the_limit_is_read(self, digits: int) -> None:
        volume = int("9" * digits)
        datamap = parse_map(yaml_with("volume", str(volume)))
        assert datamap.flows[0].volume == volume
        datamap = parse_map(yaml_with("volume", "0x" + "f" * (digits - 2)))
        assert datamap.flows[0].volume == int("f" * (digits - 2), 16)

    def test_one_over_the_limit_is_refused(self) -> None:
        (shown,) = problems(yaml_with("volume", "9" * (MAX_NUMBER_CHARS + 1)))
        assert f"number with {MAX_NUMBER_CHARS + 1} characters" in shown

    def test_csv(self, tmp_path: Path) -> None:
        (tmp_path / "entities.csv").write_text(
            "id,name,kind,country\nhq-de,HQ,affiliate,DE\nus,US,service_provider,US\n",
            encoding="utf-8",
        )
        (tmp_path / "flows.csv").write_text(
            "id,from,to,exporter_role,importer_role,data_subjects,data_categories,"
            "purposes,frequency,volume\n"
            "f,hq-de,us,controller,processor,customers,user.contact.email,support,"
            f"continuous,{'9' * 5000}\n",
            encoding="utf-8",
        )
        (shown,) = load_problems(tmp_path)
        assert shown.startswith(f"{tmp_path / 'flows.csv'}:2: flows[0].volume: ")
        assert "expected an integer, got the string '999" in shown


class TestText:
    """Strings are bounded by max_text_chars: the day before, on, after the limit."""

    @pytest.mark.parametrize("size", [9_999, 10_000])
    def test_at_the_limit(self, size: int) -> None:
        value = document(
            entities=[entity("hq-de", name="N" * size), entity("us", "US")]
        )
        value["flows"] = [flow("f", "hq-de", "us")]
        assert Limits().max_text_chars == 10_000
        assert parse_map(as_json(value), format="json").entities[0].name == "N" * size

    def test_over_the_limit(self) -> None:
        value = document(
            entities=[entity("hq-de", name="N" * 10_001), entity("us", "US")],
            flows=[flow("f", "hq-de", "us", purposes=["p" * 10_001])],
        )
        shown = problems(as_json(value), "json")
        assert any(
            "entities[0].name: text of 10,001 characters is over the limit of 10,000"
            in line
            for line in shown
        )
        assert any("flows[0].purposes[0]: text of 10,001" in line for line in shown)

    def test_newline_allowed_in_a_description_not_in_a_name(self) -> None:
        value = document(
            entities=[entity("hq-de", name="HQ\nerror: forged"), entity("us", "US")],
            flows=[flow("f", "hq-de", "us", description="line one\nline two")],
        )
        shown = problems(as_json(value), "json")
        assert len(shown) == 1
        assert "entities[0].name: contains U+000A LINE FEED at character 3" in shown[0]


class TestFiles:
    """Only regular files are read; the size limit holds while reading."""

    def test_symlink_to_a_device(self, tmp_path: Path) -> None:
        path = tmp_path / "map.yaml"
        path.symlink_to("/dev/zero")
        expected = (
            f"{path}: is not a regular file (a character device); only regular "
            "files are read"
        )
        assert load_problems(path) == [expected]

    def test_fifo_does_not_block(self, tmp_path: Path) -> None:
        path = tmp_path / "map.json"
        os.mkfifo(path)
        assert stat.S_ISFIFO(path.stat().st_mode)
        (shown,) = load_problems(path)
        assert "is not a regular file (a named pipe)" in shown

    def test_csv_member_that_is_a_device(self, tmp_path: Path) -> None:
        (tmp_path / "entities.csv").symlink_to("/dev/zero")
        (tmp_path / "flows.csv").write_text("id\n", encoding="utf-8")
        shown = load_problems(tmp_path)
        assert any(
            f"{tmp_path / 'entities.csv'}: is not a regular file" in line
            for line in shown
        )

    @pytest.mark.parametrize(
        ("size", "refused"), [(99, False), (100, False), (101, True)]
    )
    def test_size_limit_day_before_on_after(
        self, tmp_path: Path, size: int, refused: bool
    ) -> None:
        path = tmp_path / "map.yaml"
        path.write_bytes(b"#" * size)
        try:
            load_map(path, limits=Limits(max_bytes=100))
        except DataMapError as error:
            shown = [str(problem) for problem in error.problems]
        assert any("over the limit of 100" in line for line in shown) is refused


class TestLocationCost:
    """Locating problems is linear in the file, whatever the number of problems."""

    def test_many_problems_in_many_flows(self) -> None:
        # Three problems in each of 5,000 flows: 15,000 located problems, shown up
        # to max_problems, each with its own line.
        flows = [
            flow(f"f{index}", "hq-de", "nowhere", frequency="often", volume=-1)
            for index in range(5_000)
        ]
        text = as_yaml(document(flows=flows))
        with pytest.raises(DataMapError) as caught:
            parse_map(text, limits=Limits(max_problems=20_000))
        located = caught.value.problems
        assert len(located) == 15_000
        last = [
            problem for problem in located if problem.path.startswith("flows[4999]")
        ]
        assert {problem.path for problem in last} == {
            "flows[4999].to",
            "flows[4999].frequency",
            "flows[4999].volume",
        }
        lines = text.splitlines()
        for problem in last:
            assert problem.line is not None
            key = problem.path.rsplit(".", 1)[1]
            assert lines[problem.line - 1].strip().startswith(key)

    def test_error_after_a_long_string(self) -> None:
        # A 2 MB string then a duplicate key: located by a scan that keeps no state
        # per character of the string.
        value = document()
        value["x-blob"] = "o" * 2_000_000
        text = as_json(value).rstrip().removesuffix("}") + ', "version": 1\n}'
        shown = problems(text, "json")
        assert shown == [
            f"map.json:{text.count(chr(10))}: version: duplicate key 'version'"
        ]

    def test_wide_csv_header(self, tmp_path: Path) -> None:
        columns = [f"x-{index}" for index in range(50_000)]
        (tmp_path / "entities.csv").write_text(
            ",".join(["id", "name", "kind", "country", *columns, "x-1"]) + "\n",
            encoding="utf-8",
        )
        (tmp_path / "flows.csv").write_text("id\n", encoding="utf-8")
        shown = load_problems(tmp_path)
        assert any("duplicate column 'x-1'" in line for line in shown)


def test_locator_stops_once_a_missing_key_is_settled() -> None:
    walked = 0

    def walk() -> Iterator[tuple[DocPath, int]]:
        nonlocal walked
        yield (), 1
        yield ("flows",), 1
        for index in range(100_000):
            walked += 1
            yield ("flows", index), index + 2

    lines = Locator("map.json", walk).lines([("flows", 0, "id"), ("flows",)])
    assert lines == {("flows", 0, "id"): 2, ("flows",): 1}
    assert walked == 2


def test_checking_stops_far_past_the_problem_limit() -> None:
    empty = ",".join(["{}"] * 20_000)
    text = f'{{"version": 1, "organisation": "O", "entities": [], "flows": [{empty}]}}'
    with pytest.raises(DataMapError) as caught:
        parse_map(text, format="json", limits=Limits(max_problems=10))
    # Nine problems per empty flow: counting stops once 100 x 10 are past the limit.
    assert caught.value.problems[-1].message == (
        "at least 1,008 more problems not shown (limit 10); checking stopped at "
        "flows[113]: fix these first"
    )
