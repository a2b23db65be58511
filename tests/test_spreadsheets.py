"""What spreadsheets write: other delimiters, TRUE/FALSE, 2.0, day-first dates, case."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.mapfactory import as_yaml, document, entity, flow
from transfer_assess import load_map, parse_map
from transfer_assess.errors import DataMapError
from transfer_assess.load.validate import date_hint, suggest
from transfer_assess.model import LegalBasis, Mechanism, Role

CSV_EXAMPLE = EXAMPLES / "global-group-csv"


def resaved(folder: Path, delimiter: str) -> Path:
    """The example CSV folder as a spreadsheet saves it with another delimiter."""
    shutil.copytree(CSV_EXAMPLE / "tia", folder / "tia")
    for path in CSV_EXAMPLE.glob("*.csv"):
        rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
        (folder / path.name).write_text(buffer.getvalue(), encoding="utf-8")
    return folder


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_other_delimiters_are_detected(tmp_path: Path, delimiter: str) -> None:
    original = load_map(CSV_EXAMPLE)
    assert load_map(resaved(tmp_path, delimiter)) == original


def test_header_with_no_known_column_is_one_problem(tmp_path: Path) -> None:
    shutil.copytree(CSV_EXAMPLE, tmp_path, dirs_exist_ok=True)
    (tmp_path / "flows.csv").write_text("Flow|From|To\na|b|c\n", encoding="utf-8")
    with pytest.raises(DataMapError) as caught:
        load_map(tmp_path)
    (problem,) = caught.value.problems
    assert problem.file.endswith("flows.csv")
    assert problem.line == 1
    assert problem.message.startswith(
        "the header names no known column (read with ',', ';' and tab as "
        "delimiters; first cell 'Flow|From|To')"
    )


def write_excel_folder(folder: Path, flow_cells: dict[str, str]) -> Path:
    """A two-entity CSV map as a spreadsheet in much of Europe saves it."""
    (folder / "entities.csv").write_text(
        "id;name;kind;country;subject_to_gdpr\r\n"
        "hq;HQ GmbH;affiliate;DE;\r\n"
        "us;US Inc.;service_provider;US;FALSE\r\n",
        encoding="utf-8",
    )
    base = {
        "id": "f1",
        "from": "hq",
        "to": "us",
        "exporter_role": "controller",
        "importer_role": "processor",
        "data_subjects": "customers",
        "data_categories": "user.name",
        "purposes": "support",
        "frequency": "continuous",
    }
    cells = {**base, **flow_cells}
    (folder / "flows.csv").write_text(
        ";".join(cells) + "\r\n" + ";".join(cells.values()) + "\r\n",
        encoding="utf-8",
    )
    return folder


def test_excel_forms_with_a_certain_meaning_load(tmp_path: Path) -> None:
    folder = write_excel_folder(
        tmp_path,
        {
            "anonymised": "TRUE",
            "scc_module": "2.0",
            "volume": "1200.00",
            "mechanism": "SCC",
            "legal_basis": "Contract",
            "importer_role": "Processor",
        },
    )
    datamap = load_map(folder)
    (item,) = datamap.flows
    assert item.anonymised is True
    assert item.scc_module == 2
    assert item.volume == 1200
    assert item.mechanism is Mechanism.SCC
    assert item.legal_basis is LegalBasis.CONTRACT
    assert item.importer_role is Role.PROCESSOR
    assert datamap.entity("us").subject_to_gdpr is False


def test_excel_forms_with_an_uncertain_meaning_get_one_line_each(
    tmp_path: Path,
) -> None:
    folder = write_excel_folder(
        tmp_path,
        {
            "tia": "15/01/2026",
            "start": "03/04/2026",
            "end": "2026-12-31 00:00:00",
            "volume": "1.2E+06",
            "scc_module": "1,000",
        },
    )
    with pytest.raises(DataMapError) as caught:
        load_map(folder)
    messages = {problem.path: problem.message for problem in caught.value.problems}
    assert all(problem.line == 2 for problem in caught.value.problems)
    assert messages == {
        "flows[0].tia": (
            "expected an ISO 8601 date like 2026-11-28, got the string '15/01/2026' "
            "(write 2026-01-15)"
        ),
        "flows[0].start": (
            "expected an ISO 8601 date like 2026-11-28, got the string '03/04/2026' "
            "(ambiguous: write 2026-04-03 if the day comes first, 2026-03-04 if the "
            "month does)"
        ),
        "flows[0].end": (
            "expected an ISO 8601 date like 2026-11-28, got the string "
            "'2026-12-31 00:00:00' (write the date alone: 2026-12-31)"
        ),
        "flows[0].volume": (
            "expected an integer, got '1.2E+06' in scientific notation, which a "
            "spreadsheet may have rounded; format the column as a number without "
            "decimals (or as text) and save again"
        ),
        "flows[0].scc_module": (
            "expected an integer, got '1,000' with digit grouping; write digits "
            "only, such as 1000"
        ),
    }


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("2026-01-15", ""),
        ("31/12/2026", " (write 2026-12-31)"),
        ("12/31/2026", " (write 2026-12-31)"),
        ("05.05.2026", " (write 2026-05-05)"),
        ("2026/1/5", " (write 2026-01-05)"),
        ("31/02/2026", ""),
        ("2026-02-30T10:00", " (write the date alone: 2026-02-30)"),
        ("next week", ""),
    ],
)
def test_date_hints(text: str, hint: str) -> None:
    assert date_hint(text) == hint


def test_known_certifications_and_measures_in_other_case() -> None:
    datamap = parse_map(
        as_yaml(
            document(
                [entity("hq"), entity("us", "US", certifications=["DPF", "Dpf-HR"])],
                [flow("f", "hq", "us", measures=["Encryption_In_Transit", "own"])],
            )
        )
    )
    assert datamap.entity("us").certifications == ("dpf", "dpf-hr")
    assert datamap.flows[0].measures == ("encryption_in_transit", "own")
    assert not datamap.warnings


def test_near_misses_of_free_lists_are_warned() -> None:
    datamap = parse_map(
        as_yaml(
            document(
                [entity("hq"), entity("us", "US", certifications=["dpf_hr"])],
                [flow("f", "hq", "us", measures=["encryptoin_at_rest"])],
            )
        )
    )
    assert datamap.entity("us").certifications == ("dpf_hr",)
    assert [(item.path, item.message) for item in datamap.warnings] == [
        (
            "entities[1].certifications[0]",
            (
                "certification 'dpf_hr' is not one the assessment knows (did you mean "
                "'dpf-hr'?); it is kept for information only"
            ),
        ),
        (
            "flows[0].measures[0]",
            (
                "measure 'encryptoin_at_rest' is not one the assessment knows (did you "
                "mean 'encryption_at_rest'?); it is kept for information only"
            ),
        ),
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("frequency", "Continuous"),
        ("exporter_role", "CONTROLLER"),
        ("importer_access", "Encrypted"),
        ("mechanism", "Derogation:Consent"),
    ],
)
def test_closed_lists_accept_any_case(key: str, value: str) -> None:
    changed = parse_map(
        as_yaml(document(flows=[flow("f", "hq-de", "us-cloud", **{key: value})]))
    )
    assert getattr(changed.flows[0], key).value == value.lower()


def test_unknown_ids_get_the_nearest_ids() -> None:
    assert suggest("HQ-DE", ["hq-de", "hq-fr"]) == " (did you mean 'hq-de'?)"
    assert suggest("vendr-1", ["vendor-1", "vendor-2", "zzz"], most=3) == (
        " (did you mean 'vendor-1'?)"
    )
    assert suggest("eu-x", ["eu-a", "eu-b", "us-a"], most=3) == (
        " (did you mean 'eu-a' or 'eu-b'?)"
    )
    with pytest.raises(DataMapError) as caught:
        parse_map(as_yaml(document(flows=[flow("f", "HQ-DE", "us-cloud")])))
    (problem,) = caught.value.problems
    assert problem.message == "unknown entity 'HQ-DE' (did you mean 'hq-de'?)"
