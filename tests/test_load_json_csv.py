"""The JSON reader and the CSV folder reader, and their agreement with YAML."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.mapfactory import as_json, as_yaml, document
from transfer_assess import DataMapError, Limits, load_map, parse_map


def json_problems(text: str) -> list[str]:
    with pytest.raises(DataMapError) as caught:
        parse_map(text, file="map.json", format="json")
    return [str(problem) for problem in caught.value.problems]


class TestJson:
    """JSON maps carry the same document as YAML maps."""

    def test_same_map_as_yaml(self) -> None:
        value = document(as_of="2026-11-28")
        assert parse_map(as_json(value), format="json") == parse_map(as_yaml(value))

    def test_truncated(self) -> None:
        text = as_json(document())[:-20]
        (line,) = json_problems(text)
        assert line.startswith("map.json:")
        assert "JSON syntax error" in line

    def test_nan_is_refused(self) -> None:
        text = as_json(document(flows=[])).replace('"flows": []', '"flows": NaN')
        line = text.splitlines().index('  "flows": NaN') + 1
        assert json_problems(text) == [f"map.json:{line}: flows: NaN is not valid JSON"]

    def test_trailing_comma_is_named(self) -> None:
        text = '{"version": 1,\n "flows": [1, 2,\n ]}'
        assert json_problems(text) == [
            "map.json:2: JSON syntax error: trailing comma before a closing bracket"
        ]

    def test_huge_integer(self) -> None:
        text = as_json(document()).replace('"version": 1', '"version": ' + "9" * 5000)
        assert json_problems(text) == [
            "map.json:2: version: number with 5,000 characters is too long (at most 64)"
        ]

    def test_duplicate_key_is_located(self) -> None:
        text = '{"version": 1,\n "organisation": "A",\n "organisation": "B",\n'
        text += (
            ' "entities": [{"id": "a", "name": "A", "kind": "other", "country": "DE"}],'
        )
        text += '\n "flows": []}'
        assert json_problems(text) == [
            "map.json:3: organisation: duplicate key 'organisation'"
        ]

    def test_lines_of_nested_values(self) -> None:
        value = document()
        value["flows"][0]["importer_role"] = "processer"
        text = as_json(value)
        line = next(
            number
            for number, row in enumerate(text.splitlines(), start=1)
            if '"processer"' in row
        )
        (problem,) = json_problems(text)
        assert problem.startswith(f"map.json:{line}: flows[0].importer_role: ")
        assert "did you mean 'processor'" in problem

    def test_booleans_are_not_integers(self) -> None:
        value = document()
        value["version"] = True
        assert json_problems(as_json(value)) == [
            "map.json:2: version: expected an integer, got the boolean true"
        ]

    def test_unsupported_format_name(self) -> None:
        with pytest.raises(ValueError, match="unknown format"):
            parse_map("{}", format="toml")


class TestFiles:
    """Reading from disk: encodings, sizes, types."""

    def test_invalid_utf8_is_located(self, tmp_path: Path) -> None:
        path = tmp_path / "map.yaml"
        path.write_bytes(b"version: 1\norganisation: Caf\xe9\n")
        with pytest.raises(DataMapError) as caught:
            load_map(path)
        (problem,) = caught.value.problems
        assert problem.line == 2
        assert "invalid UTF-8" in problem.message

    def test_byte_order_mark_is_accepted(self, tmp_path: Path) -> None:
        path = tmp_path / "map.yaml"
        path.write_bytes(b"\xef\xbb\xbf" + as_yaml(document()).encode())
        assert load_map(path).organisation == "Example Group"

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(DataMapError, match="no such file"):
            load_map(tmp_path / "absent.yaml")

    def test_unsupported_suffix(self, tmp_path: Path) -> None:
        path = tmp_path / "map.txt"
        path.write_text("x", encoding="utf-8")
        with pytest.raises(DataMapError, match=r"unsupported file type '\.txt'"):
            load_map(path)

    def test_size_limit(self, tmp_path: Path) -> None:
        path = tmp_path / "map.yaml"
        path.write_text(as_yaml(document()), encoding="utf-8")
        with pytest.raises(DataMapError, match="over the limit of 10"):
            load_map(path, limits=Limits(max_bytes=10))

    def test_entity_count_limit(self) -> None:
        with pytest.raises(DataMapError, match="2 entities exceed the limit of 1"):
            parse_map(as_yaml(document()), limits=Limits(max_entities=1))

    def test_flow_count_limit(self) -> None:
        with pytest.raises(DataMapError, match="1 flows exceed the limit of 0"):
            parse_map(as_yaml(document()), limits=Limits(max_flows=0))


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


class TestCsv:
    """A CSV folder carries the same map as YAML."""

    def test_example_folder_equals_yaml(self) -> None:
        from_csv = load_map(EXAMPLES / "global-group-csv")
        from_yaml = load_map(EXAMPLES / "global-group.yaml")
        assert from_csv == from_yaml

    def test_minimal_folder(self, tmp_path: Path) -> None:
        folder = tmp_path / "acme"
        folder.mkdir()
        write_csv(
            folder / "entities.csv",
            [
                ["id", "name", "kind", "country"],
                ["a", "A", "affiliate", "DE"],
                ["b", "B", "service_provider", "NO"],
            ],
        )
        write_csv(
            folder / "flows.csv",
            [
                [
                    "id",
                    "from",
                    "to",
                    "exporter_role",
                    "importer_role",
                    "data_subjects",
                    "data_categories",
                    "purposes",
                    "frequency",
                    "volume",
                    "anonymised",
                ],
                [
                    "f",
                    "a",
                    "b",
                    "controller",
                    "processor",
                    "customers; employees",
                    "user.contact.email",
                    "support",
                    "regular",
                    "12",
                    "false",
                ],
            ],
        )
        datamap = load_map(folder)
        assert datamap.organisation == "acme"
        assert datamap.flow("f").data_subjects == ("customers", "employees")
        assert datamap.flow("f").volume == 12
        assert datamap.entity("b").country == "NO"

    def test_problems_name_the_csv_file_and_row(self, tmp_path: Path) -> None:
        folder = tmp_path / "m"
        folder.mkdir()
        write_csv(
            folder / "entities.csv",
            [
                ["id", "name", "kind", "country", "colour"],
                ["a", "A", "affiliate", "DE", "x"],
                ["b", "B", "partner", "UK", ""],
            ],
        )
        write_csv(
            folder / "flows.csv",
            [
                [
                    "id",
                    "from",
                    "to",
                    "exporter_role",
                    "importer_role",
                    "data_subjects",
                    "data_categories",
                    "purposes",
                    "frequency",
                ],
                [
                    "f",
                    "a",
                    "c",
                    "controller",
                    "processor",
                    "customers",
                    "user",
                    "x",
                    "hourly",
                ],
            ],
        )
        with pytest.raises(DataMapError) as caught:
            load_map(folder)
        lines = [str(problem) for problem in caught.value.problems]
        entities = str(folder / "entities.csv")
        flows = str(folder / "flows.csv")
        assert any(
            line.startswith(f"{entities}:1: entities: unknown column 'colour'")
            for line in lines
        )
        assert any(
            line.startswith(f"{entities}:3: entities[1].country:") for line in lines
        )
        assert f"{flows}:2: flows[0].to: unknown entity 'c'" in lines
        assert any(line.startswith(f"{flows}:2: flows[0].frequency:") for line in lines)

    def test_missing_flows_file(self, tmp_path: Path) -> None:
        write_csv(tmp_path / "entities.csv", [["id"], ["a"]])
        with pytest.raises(DataMapError, match=r"missing flows\.csv"):
            load_map(tmp_path)

    def test_meta_file_sets_organisation(self, tmp_path: Path) -> None:
        write_csv(
            tmp_path / "entities.csv",
            [["id", "name", "kind", "country"], ["a", "A", "affiliate", "DE"]],
        )
        write_csv(tmp_path / "flows.csv", [["id"]])
        write_csv(
            tmp_path / "meta.csv",
            [["version", "organisation", "as_of"], ["1", "Acme Group", "2026-01-31"]],
        )
        datamap = load_map(tmp_path)
        assert datamap.organisation == "Acme Group"
        assert datamap.as_of is not None
        assert datamap.as_of.isoformat() == "2026-01-31"


class TestCsvEdges:
    """Malformed CSV files are reported with their file and line."""

    def folder(self, tmp_path: Path, entities: str, flows: str = "id\n") -> Path:
        (tmp_path / "entities.csv").write_text(entities, encoding="utf-8")
        (tmp_path / "flows.csv").write_text(flows, encoding="utf-8")
        return tmp_path

    def problems(self, folder: Path) -> list[str]:
        with pytest.raises(DataMapError) as caught:
            load_map(folder)
        return [str(problem) for problem in caught.value.problems]

    def test_duplicate_column(self, tmp_path: Path) -> None:
        folder = self.folder(tmp_path, "id,name,name,kind,country\na,A,B,other,DE\n")
        assert f"{folder / 'entities.csv'}:1: entities: duplicate column 'name'" in (
            self.problems(folder)
        )

    def test_more_cells_than_columns(self, tmp_path: Path) -> None:
        folder = self.folder(tmp_path, "id,name,kind,country\n\na,A,other,DE,extra\n")
        assert self.problems(folder) == [
            f"{folder / 'entities.csv'}:3: entities[0]: 5 cells but only 4 columns"
        ]

    def test_empty_file(self, tmp_path: Path) -> None:
        folder = self.folder(tmp_path, "")
        assert f"{folder / 'entities.csv'}:1: empty file: no header" in self.problems(
            folder
        )

    def test_unclosed_quote(self, tmp_path: Path) -> None:
        folder = self.folder(tmp_path, 'id,name,kind,country\na,"A,other,DE\n')
        (problem,) = self.problems(folder)
        assert "CSV syntax error" in problem

    def test_meta_needs_one_row(self, tmp_path: Path) -> None:
        folder = self.folder(tmp_path, "id,name,kind,country\na,A,other,DE\n")
        (folder / "meta.csv").write_text("organisation\nA\nB\n", encoding="utf-8")
        assert any(
            "meta.csv:1: must hold exactly one row" in line
            for line in self.problems(folder)
        )

    def test_unreadable_meta(self, tmp_path: Path) -> None:
        folder = self.folder(tmp_path, "id,name,kind,country\na,A,other,DE\n")
        (folder / "meta.csv").write_bytes(b"organisation\n\xff\n")
        assert any("invalid UTF-8" in line for line in self.problems(folder))

    def test_groups_and_categories(self, tmp_path: Path) -> None:
        folder = self.folder(
            tmp_path,
            "id,name,kind,country,group\na,A,affiliate,DE,g\nb,B,affiliate,IN,g\n",
            "id,from,to,exporter_role,importer_role,data_subjects,data_categories,"
            "purposes,frequency,mechanism\n"
            "f,a,b,controller,controller,employees,hr.records,hr,regular,bcr\n",
        )
        (folder / "groups.csv").write_text(
            "id,bcr,bcr_approved\ng,controller;processor,2020-01-01\n", encoding="utf-8"
        )
        (folder / "categories.csv").write_text(
            "key,special\nhr.records,health\n", encoding="utf-8"
        )
        datamap = load_map(folder)
        assert datamap.group("g").bcr_approved is not None
        assert datamap.flow("f").special_categories
