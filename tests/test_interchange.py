"""Fides import and export, the draft map with its questions, and the RoPA CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from fideslang.models import Taxonomy
from typer.testing import CliRunner

from tests.conftest import EXAMPLES
from tests.mapfactory import as_yaml, document, entity, flow
from transfer_assess import (
    DataMap,
    DataMapError,
    InputError,
    Limits,
    assess,
    load_map,
    parse_map,
)
from transfer_assess.cli import app
from transfer_assess.interchange import (
    ROPA_COLUMNS,
    export_fides,
    import_fides,
    ropa_csv,
    write_draft_map,
)
from transfer_assess.interchange.ropa import FORMULA_STARTERS, neutralise
from transfer_assess.load.yaml_reader import read_yaml

FIXTURE = Path(__file__).resolve().parent / "fides"
AS_OF = date(2026, 11, 28)
FIDES_KEY = re.compile(r"[A-Za-z0-9_.<>-]+")

#: Where the fixture's systems process data: the answers to the country questions.
COUNTRIES = {
    "storefront": "DE",
    "order-hub": "DE",
    "warehouse-wms": "PL",
    "support-desk": "IE",
    "analytics-lake": "NL",
    "mailstream": "US",
}


#: A draft map and its open questions, as `import_fides` returns them.
Imported = tuple[dict[str, Any], list[str]]


@pytest.fixture(scope="module")
def imported() -> Imported:
    return import_fides(FIXTURE)


@pytest.fixture(scope="module")
def example() -> DataMap:
    return load_map(EXAMPLES / "global-group.yaml")


def answered(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft with the country questions answered and one transfer tool set."""
    filled: dict[str, Any] = json.loads(json.dumps(draft))
    for item in filled["entities"]:
        item["country"] = COUNTRIES[item["id"]]
    for item in filled["flows"]:
        if item["id"] == "storefront-to-mailstream":
            item.update(mechanism="scc", scc_module=2, tia="2026-03-01")
    return filled


def export_folder(datamap: DataMap, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "export.yml").write_text(export_fides(datamap), encoding="utf-8")
    return folder


def by_id(flows: tuple[Any, ...]) -> list[Any]:
    return sorted(flows, key=lambda item: item.id)


# --- Import ------------------------------------------------------------------------


def test_import_builds_one_entity_per_system(imported: Imported) -> None:
    draft, _ = imported
    assert draft["version"] == 1
    assert draft["organisation"] == "Fjordline Outdoor Retail Group"
    kinds = {item["id"]: item["kind"] for item in draft["entities"]}
    assert kinds == {
        "storefront": "affiliate",
        "order-hub": "affiliate",
        "warehouse-wms": "affiliate",
        "support-desk": "affiliate",
        "analytics-lake": "affiliate",
        "mailstream": "service_provider",
    }
    vendor = next(item for item in draft["entities"] if item["id"] == "mailstream")
    assert vendor["name"] == "MailStream Inc."  # legal_name wins over name
    assert vendor["address"].startswith("1200 Sample Street")
    assert all("country" not in item for item in draft["entities"])


def test_import_builds_flows_from_egress_ingress_and_datasets(
    imported: Imported,
) -> None:
    draft, _ = imported
    flows = {item["id"]: item for item in draft["flows"]}
    assert {(item["from"], item["to"]) for item in flows.values()} == {
        ("storefront", "order-hub"),  # egress with a declaration naming it
        ("storefront", "mailstream"),  # egress and the vendor's ingress, merged
        ("storefront", "analytics-lake"),  # egress to a dataset the lake uses
        ("order-hub", "warehouse-wms"),
        ("order-hub", "support-desk"),  # only the importer's ingress names it
        ("support-desk", "mailstream"),  # egress without a declaration naming it
    }
    newsletter = flows["storefront-to-mailstream"]
    assert newsletter["exporter_role"] == "controller"
    assert newsletter["importer_role"] == "processor"
    assert newsletter["data_subjects"] == ["customers", "prospects"]
    assert newsletter["purposes"] == ["marketing.communications.email"]
    assert newsletter["legal_basis"] == "consent"
    assert newsletter["frequency"] == "continuous"
    assert "mechanism" not in newsletter
    support = flows["order-hub-to-support-desk"]
    assert support["purposes"] == ["essential.service.operations.support"]
    assert support["legal_basis"] == "legitimate_interests"
    # The entry lists only the e-mail address: the broader declarations are narrowed.
    assert flows["support-desk-to-mailstream"]["data_categories"] == [
        "user.contact.email"
    ]
    internal = flows["storefront-to-order-hub"]
    assert (internal["exporter_role"], internal["importer_role"]) == (
        "controller",
        "controller",
    )


def test_questions_name_every_missing_country(imported: Imported) -> None:
    draft, questions = imported
    for item in draft["entities"]:
        assert any(
            f"Entity '{item['id']}'" in question and "country" in question
            for question in questions
        ), item["id"]
    hinted = next(q for q in questions if q.startswith("Entity 'mailstream'"))
    assert "United States (US)" in hinted  # from third_country_transfers: [USA]


def test_questions_ask_what_fides_lacks_for_each_flow(imported: Imported) -> None:
    draft, questions = imported
    for item in draft["flows"]:
        about = [q for q in questions if q.startswith(f"Flow '{item['id']}'")]
        text = " ".join(about)
        for word in ("exporter_role", "frequency", "mechanism", "tia"):
            assert word in text, (item["id"], word)
    guessed = [q for q in questions if "no privacy declaration names" in q]
    assert len(guessed) == 1
    assert "support-desk-to-mailstream" in guessed[0]
    assert all("\n" not in question for question in questions)


def test_draft_is_invalid_until_answered(imported: Imported) -> None:
    draft, _ = imported
    with pytest.raises(DataMapError) as caught:
        parse_map(json.dumps(draft), format="json")
    assert all(problem.path.endswith(".country") for problem in caught.value.problems)
    assert len(caught.value.problems) == len(draft["entities"])


def test_answered_draft_validates_and_assesses(imported: Imported) -> None:
    draft, _ = imported
    datamap = parse_map(json.dumps(answered(draft)), format="json")
    assert [item.id for item in datamap.entities] == list(COUNTRIES)
    assert len(datamap.flows) == 6
    assert not datamap.warnings  # every category is in the built-in taxonomy
    result = assess(datamap, as_of=AS_OF)
    transfers = {item.flow for item in result.findings if item.transfer}
    assert transfers == {"storefront-to-mailstream", "support-desk-to-mailstream"}


def test_write_draft_map_lists_the_questions(
    imported: Imported, tmp_path: Path
) -> None:
    draft, questions = imported
    target = tmp_path / "draft.yaml"
    write_draft_map(draft, questions, target)
    text = target.read_text(encoding="utf-8")
    header = text.split("\nversion: 1\n")[0]
    assert all(line.startswith("#") for line in header.splitlines() if line)
    assert f"{len(questions):>3}. Flow" in header
    assert "Entity 'mailstream'" in header
    # The file reads back (YAML 1.2) as the draft itself.
    assert read_yaml(text, "draft.yaml", Limits()).value == draft


def test_written_answered_draft_loads(imported: Imported, tmp_path: Path) -> None:
    draft, _ = imported
    target = tmp_path / "map.yaml"
    write_draft_map(answered(draft), [], target)
    assert "No open questions." in target.read_text(encoding="utf-8")
    assert load_map(target) == parse_map(json.dumps(answered(draft)), format="json")


def test_hostile_question_stays_in_its_comment(
    imported: Imported, tmp_path: Path
) -> None:
    draft, _ = imported
    target = tmp_path / "map.yaml"
    hostile = "x\nversion: 2\rorganisation: evil\x85y\u2028z\u2029\x00\u202e"
    write_draft_map(answered(draft), [hostile], target)
    datamap = load_map(target)
    assert datamap.organisation == "Fjordline Outdoor Retail Group"
    header = target.read_text(encoding="utf-8").split("\nversion: 1\n")[0]
    assert "version: 2" in header  # kept as text, inside the comment


def test_hostile_names_in_manifests(tmp_path: Path) -> None:
    (tmp_path / "m.yml").write_text(
        as_yaml(
            {
                "system": [
                    {
                        "fides_key": "a",
                        "name": "A\u2028version: 9",
                        "system_type": "Service",
                        "privacy_declarations": [],
                        "egress": [{"fides_key": "nowhere\nx", "type": "system"}],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    draft, questions = import_fides(tmp_path)
    assert draft["entities"][0]["name"] == "A\u2028version: 9"  # data, kept as is
    assert all("\n" not in q and "\u2028" not in q for q in questions)
    target = tmp_path / "draft.yaml"
    write_draft_map(draft, questions, target)
    assert read_yaml(target.read_text(encoding="utf-8"), "d", Limits()).value == draft


# --- Import: odd and broken manifests ----------------------------------------------


def write_manifest(folder: Path, name: str, value: Any) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(as_yaml(value), encoding="utf-8")


def system(key: str, **extra: Any) -> dict[str, Any]:
    return {"fides_key": key, "name": key, "system_type": "Service", **extra}


def links(*keys: str) -> list[dict[str, str]]:
    """Fides egress or ingress entries naming systems."""
    return [{"fides_key": key, "type": "system"} for key in keys]


def declaration(name: str, use: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "data_use": use,
        "data_categories": ["user.name"],
        "data_subjects": ["customer"],
        **extra,
    }


def test_unknown_targets_and_orphan_datasets_are_asked_about(tmp_path: Path) -> None:
    write_manifest(
        tmp_path,
        "systems.yml",
        {
            "system": [
                system(
                    "crm",
                    egress=[
                        {"fides_key": "billing", "type": "system"},
                        {"fides_key": "old_export", "type": "dataset"},
                        {"fides_key": "user", "type": "user"},
                    ],
                    privacy_declarations=[
                        {
                            "name": "CRM",
                            "data_use": "sales",
                            "data_categories": ["user.contact.email"],
                            "data_subjects": ["employee"],
                        }
                    ],
                )
            ]
        },
    )
    draft, questions = import_fides(tmp_path)
    assert draft["organisation"] == tmp_path.name  # no organization document
    assert draft["flows"] == []
    assert any("'billing'" in q and "no manifest" in q for q in questions)
    assert any("dataset 'old_export'" in q for q in questions)


def test_fides_subjects_become_the_maps_words(tmp_path: Path) -> None:
    declaration = {
        "name": "payroll",
        "data_use": "employment",
        "data_categories": ["user.financial.bank_account"],
        "data_subjects": ["employee", "job_applicant", "next_of_kin"],
        "egress": ["payroll-bureau"],
        "legal_basis_for_processing": "Legal obligations",
        "processes_special_category_data": True,
    }
    write_manifest(
        tmp_path,
        "hr.yaml",
        {
            "system": [
                system(
                    "hr",
                    egress=[{"fides_key": "payroll-bureau", "type": "system"}],
                    privacy_declarations=[declaration],
                ),
                system(
                    "payroll-bureau",
                    system_type="Vendor",
                    privacy_declarations=[],
                ),
            ]
        },
    )
    draft, questions = import_fides(tmp_path)
    (payroll,) = draft["flows"]
    assert payroll["id"] == "payroll"  # a declaration name that is a valid id
    assert payroll["data_subjects"] == ["employees", "job_applicants", "next_of_kin"]
    assert payroll["legal_basis"] == "legal_obligation"
    assert payroll["importer_role"] == "processor"
    assert any("special_categories" in q for q in questions)


def test_fides_keys_that_are_not_ids_are_renamed(tmp_path: Path) -> None:
    write_manifest(
        tmp_path,
        "s.yml",
        {"system": [system("_legacy<app>"), system("legacy-app-")]},
    )
    draft, _ = import_fides(tmp_path)
    first = draft["entities"][0]
    assert first["id"] == "legacy-app-"
    assert first["x-fides-key"] == "_legacy<app>"
    assert draft["entities"][1]["id"] == "legacy-app--2"


def test_other_yaml_and_hidden_folders_are_left_alone(tmp_path: Path) -> None:
    write_manifest(tmp_path, "fides/s.yml", {"system": [system("app")]})
    write_manifest(tmp_path, "ci.yaml", {"jobs": {"test": {"runs-on": "ubuntu"}}})
    write_manifest(tmp_path, ".git/x.yml", {"system": "not even a list"})
    (tmp_path / "empty.yml").write_text("", encoding="utf-8")
    draft, _ = import_fides(tmp_path)
    assert [item["id"] for item in draft["entities"]] == ["app"]


def test_broken_manifests_are_reported_with_lines(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        "system:\n  - fides_key: app\n    name: [unclosed\n", encoding="utf-8"
    )
    (tmp_path / "b.yml").write_text(
        "system:\n"
        "  - fides_key: one\n"
        "    system_type: Service\n"
        "  - fides_key: one\n"
        "    egress: nope\n"
        "  - name: no key\n",
        encoding="utf-8",
    )
    with pytest.raises(DataMapError) as caught:
        import_fides(tmp_path)
    shown = [str(problem) for problem in caught.value.problems]
    assert any("a.yml" in line and "syntax error" in line for line in shown)
    assert any(
        line.startswith(f"{tmp_path / 'b.yml'}:5: system[1].egress") for line in shown
    )
    assert any("duplicate system fides_key 'one'" in line for line in shown)
    assert any("system[2].fides_key" in line for line in shown)


def test_no_systems_and_no_folder(tmp_path: Path) -> None:
    write_manifest(tmp_path, "org.yml", {"organization": [{"fides_key": "org"}]})
    with pytest.raises(DataMapError, match="no Fides system found"):
        import_fides(tmp_path)
    with pytest.raises(InputError, match="no such file or folder"):
        import_fides(tmp_path / "missing")


def test_unsafe_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "evil.yml").write_text(
        "system:\n  - fides_key: !!python/object/apply:os.system ['true']\n",
        encoding="utf-8",
    )
    with pytest.raises(DataMapError, match="unsupported YAML tag"):
        import_fides(tmp_path)


def test_single_manifest_file() -> None:
    draft, questions = import_fides(FIXTURE / "systems" / "vendors.yml")
    # The vendor's own ingress names systems this file lacks: no movement between
    # the file's systems, so the flow to the vendor is inferred.
    assert [item["id"] for item in draft["entities"]] == ["mailstream", "organisation"]
    assert draft["organisation"] == "vendors"
    assert [(item["from"], item["to"]) for item in draft["flows"]] == [
        ("organisation", "mailstream")
    ]
    assert questions[0].startswith("The manifests declare no movement")


def test_ambiguous_and_odd_entries_are_asked_about(tmp_path: Path) -> None:
    declaration = {
        "name": "Sync",
        "data_use": "essential.service",
        "data_categories": ["user.contact.email", "crm.notes-v2"],
        "data_subjects": ["customer"],
    }
    write_manifest(
        tmp_path,
        "s.yml",
        {
            "system": [
                system(
                    "a",
                    egress=[
                        {"fides_key": "shared_db", "type": "dataset"},
                        {"fides_key": "b", "type": "queue"},
                        {"fides_key": "a", "type": "system"},
                        {"fides_key": "b", "type": "system"},
                    ],
                    privacy_declarations=[declaration],
                ),
                system("b", dataset_references=["shared_db"]),
                system("c", dataset_references=["shared_db"]),
            ]
        },
    )
    draft, questions = import_fides(tmp_path)
    assert [(f["from"], f["to"]) for f in draft["flows"]] == [("a", "b")]
    assert any("several systems use ('b', 'c')" in q for q in questions)
    assert any("of type 'queue'" in q for q in questions)
    assert any("'crm.notes-v2'" in q and "not a valid" in q for q in questions)


def test_meta_without_kind_asks_about_the_kind(tmp_path: Path) -> None:
    meta = {"transfer_assess": {"entity": {"country": "FR"}}}
    write_manifest(
        tmp_path,
        "s.yml",
        {
            "organization": {"fides_key": "acme", "name": "Acme SA"},
            "system": [system("app", meta=meta)],
        },
    )
    draft, questions = import_fides(tmp_path)
    assert draft["organisation"] == "Acme SA"
    assert draft["entities"][0]["country"] == "FR"
    # A system with transfer-assess's meta was exported from a map: no notice.
    (question,) = questions
    assert question == (
        "Entity 'app': is its kind right? Its kind was taken as affiliate from its "
        "system_type 'Service'; change it to affiliate, service_provider, partner, "
        "public_authority or other if that is wrong."
    )


def test_wrong_types_in_manifests_are_problems(tmp_path: Path) -> None:
    write_manifest(
        tmp_path,
        "s.yml",
        {
            "organization": "not a mapping",
            "system": [
                "not a mapping",
                system(
                    "a",
                    name=5,
                    tags="x",
                    privacy_declarations=[
                        {"name": "d", "data_use": "x", "data_categories": [""]}
                    ],
                ),
            ],
        },
    )
    with pytest.raises(DataMapError) as caught:
        import_fides(tmp_path)
    paths = {problem.path for problem in caught.value.problems}
    assert {
        "organization",
        "system[0]",
        "system[1].name",
        "system[1].privacy_declarations[0].data_categories[0]",
    } <= paths


def test_unreadable_manifests(tmp_path: Path) -> None:
    (tmp_path / "big.yml").write_text("system: []\n" * 10, encoding="utf-8")
    (tmp_path / "latin1.yml").write_bytes(b"system:\n  - name: caf\xe9\n")
    with pytest.raises(DataMapError) as caught:
        import_fides(tmp_path, limits=Limits(max_bytes=60))
    shown = [str(problem) for problem in caught.value.problems]
    assert any("big.yml" in line and "over the limit" in line for line in shown)
    assert any("latin1.yml:2" in line and "invalid UTF-8" in line for line in shown)


# --- Export ------------------------------------------------------------------------


def test_export_import_round_trip(example: DataMap, tmp_path: Path) -> None:
    draft, questions = import_fides(export_folder(example, tmp_path))
    assert questions == []  # meta.transfer_assess answers them all
    back = parse_map(json.dumps(draft), format="json")
    assert [(e.id, e.name) for e in back.entities] == [
        (e.id, e.name) for e in example.entities
    ]
    assert back.entities == example.entities
    assert back.groups == example.groups
    assert back.categories == example.categories
    assert [
        (f.id, f.exporter, f.importer, f.data_categories) for f in by_id(back.flows)
    ] == [
        (f.id, f.exporter, f.importer, f.data_categories) for f in by_id(example.flows)
    ]
    assert by_id(back.flows) == by_id(example.flows)
    assert back.as_of is None  # Fides has no place for it


def test_round_trip_keeps_the_dated_fields(tmp_path: Path) -> None:
    value = document(
        entities=[
            entity("hq-de", group="grp"),
            entity(
                "us",
                "US",
                group="grp",
                bcr_accession="2024-05-10",
                certifications=[
                    "dpf-hr",
                    {"type": "dpf", "from": "2023-08-01", "until": "2025-06-30"},
                ],
            ),
        ],
        flows=[
            flow(
                "f",
                "hq-de",
                "us",
                mechanism="scc",
                scc_module=2,
                scc_signed="2021-07-01",
            )
        ],
        groups=[{"id": "grp", "bcr": ["controller"], "bcr_approved": "2022-01-10"}],
    )
    datamap = parse_map(as_yaml(value))
    draft, _ = import_fides(export_folder(datamap, tmp_path))
    back = parse_map(json.dumps(draft), format="json")
    us = back.entity("us")
    assert us.certification_periods == datamap.entity("us").certification_periods
    assert us.bcr_accession == date(2024, 5, 10)
    assert back.flow("f").scc_signed == date(2021, 7, 1)


def test_round_trip_without_meta_keeps_what_fides_has(
    example: DataMap, tmp_path: Path
) -> None:
    raw = yaml.safe_load(export_fides(example))
    for item in raw["system"]:
        del item["meta"]
    write_manifest(tmp_path, "plain.yml", raw)
    draft, questions = import_fides(tmp_path)
    assert [item["id"] for item in draft["entities"]] == [
        e.id for e in example.entities
    ]
    for item in draft["entities"]:
        assert any(f"Entity '{item['id']}'" in q for q in questions)
    original = {f.id: f for f in example.flows}
    assert {item["id"] for item in draft["flows"]} == set(original)
    for item in draft["flows"]:
        source = original[item["id"]]
        assert (item["from"], item["to"]) == (source.exporter, source.importer)
        assert item["data_categories"] == list(source.data_categories)
        assert item["purposes"] == list(source.purposes)
        assert item["data_subjects"] == list(source.data_subjects)


def test_export_is_fides_shaped(example: DataMap) -> None:
    text = export_fides(example)
    # Fides reads manifests with PyYAML's YAML 1.1 loader; this project with YAML
    # 1.2. Both must read the same values.
    fides_view = yaml.safe_load(text)
    assert read_yaml(text, "export.yml", Limits()).value == fides_view
    assert [item["name"] for item in fides_view["organization"]] == [
        example.organisation
    ]
    systems = fides_view["system"]
    assert [item["fides_key"] for item in systems] == [e.id for e in example.entities]
    for item in systems:
        assert item["system_type"] in {"Service", "Third Party"}
        assert isinstance(item["privacy_declarations"], list)
        egress = {entry["fides_key"] for entry in item.get("egress", [])}
        for entry in item.get("egress", []) + item.get("ingress", []):
            assert entry["type"] == "system"
            assert FIDES_KEY.fullmatch(entry["fides_key"])
        for declaration in item["privacy_declarations"]:
            # fideslang: a declaration's egress must name the system's egress.
            assert set(declaration["egress"]) <= egress
            assert FIDES_KEY.fullmatch(declaration["data_use"])
            assert all(FIDES_KEY.fullmatch(s) for s in declaration["data_subjects"])
    for category in fides_view["data_category"]:
        if "parent_key" in category:
            assert category["fides_key"].rpartition(".")[0] == category["parent_key"]
    hq = systems[0]
    assert hq["meta"]["transfer_assess"]["entity"]["country"] == "CN"
    norway = next(item for item in systems if item["fides_key"] == "no-as")
    assert norway["meta"]["transfer_assess"]["entity"]["country"] == "NO"
    assert not re.search(r"[&*]id[0-9]", text)  # no anchors or aliases


def test_export_round_trips_odd_values(tmp_path: Path) -> None:
    datamap = parse_map(
        json.dumps(
            document(
                entities=[
                    entity("1e5", name="0o17"),
                    entity("0x1F", "NO", name="true"),
                    entity("e3", name="9" * 5_000),  # too long for int(): quoted
                ],
                flows=[
                    flow(
                        "1_000",
                        "1e5",
                        "0x1F",
                        purposes=["0o7", "crm.care.follow_up"],
                        data_subjects=["null"],
                        data_categories=["crm.health_notes", "user.name"],
                    )
                ],
                organisation="!!!",
                categories=[{"key": "crm.health_notes", "special": "health"}],
            )
        ),
        format="json",
    )
    text = export_fides(datamap)
    fides_view = yaml.safe_load(text)
    assert read_yaml(text, "e.yml", Limits()).value == fides_view
    assert fides_view["organization"] == [{"fides_key": "organization", "name": "!!!"}]
    uses = {
        item["fides_key"]: item.get("parent_key") for item in fides_view["data_use"]
    }
    assert uses == {
        "0o7": None,
        "crm": None,
        "crm.care": "crm",
        "crm.care.follow_up": "crm.care",
    }
    draft, questions = import_fides(export_folder(datamap, tmp_path))
    assert questions == []
    assert parse_map(json.dumps(draft), format="json") == datamap


# --- RoPA CSV ----------------------------------------------------------------------


def read_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def ropa_dicts(text: str) -> list[dict[str, str]]:
    header, *rows = read_rows(text)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_ropa_has_one_row_per_active_flow(example: DataMap) -> None:
    result = assess(example, as_of=AS_OF)
    text = ropa_csv(example, result)
    assert text.endswith("\r\n")
    header, *rows = read_rows(text)
    assert tuple(header) == ROPA_COLUMNS
    # One row per active flow: the EU finding (UK and CH findings are not rows).
    assert len(rows) == len(result.findings_by_flow()) == len(example.flows) - 2
    assert [row[0] for row in rows] == [
        f.id for f in example.flows if f.id not in result.inactive
    ]
    findings = result.findings_by_flow()
    records = {row["Flow"]: row for row in ropa_dicts(text)}
    for flow_id, row in records.items():
        finding = findings[flow_id]
        assert row["Transfer to a third country"] == (
            "yes" if finding.transfer else "no"
        )
        assert row["Status"] == finding.status.value
        assert row["Controller"] == example.organisation  # no controller in the map
    cloud = records["de-to-us-cloud"]
    assert cloud["Exporter"] == "Meridian Technologies Deutschland GmbH (eu-de)"
    assert cloud["Recipient country or international organisation"] == (
        "United States (US)"
    )
    assert cloud["Purposes"] == "essential.service; customer_support"
    assert cloud["Safeguards"] == (
        "encryption_in_transit; encryption_at_rest; access_controls"
    )
    assert cloud["Legal basis (Art. 6)"] == "contract"
    assert cloud["TIA date"] == "2026-07-20"
    assert cloud["Retention"] == "for the life of the customer account plus P2Y"
    # The declared tool and the basis the assessment found, side by side.
    assert cloud["Declared transfer tool"] == "dpf"
    assert cloud["Assessed basis"] == "Adequacy decision"
    assert cloud["Art. 49 derogation documentation"] == ""
    epo = records["de-to-epo"]
    assert epo["Recipient country or international organisation"] == (
        "international organisation: european-patent-organisation"
    )
    summit = records["de-to-ae-summit"]
    assert summit["Declared transfer tool"] == "derogation:contract"
    assert summit["Assessed basis"].startswith("Derogation for a specific situation")
    assert summit["Art. 49 derogation documentation"].startswith(
        "GDPR Art. 49(1)(b) (contract); frequency: "
    )


def test_ropa_names_the_controller_and_dpo_and_has_an_ico_layout(
    example: DataMap,
) -> None:
    datamap = attrs.evolve(
        example, controller="Meridian SE, privacy@meridian.example", dpo="J. Doe"
    )
    result = assess(datamap, as_of=AS_OF)
    standard = ropa_dicts(ropa_csv(datamap, result))
    ico = ropa_dicts(ropa_csv(datamap, result, layout="ico"))
    assert {row["Controller"] for row in standard} == {
        "Meridian SE, privacy@meridian.example"
    }
    assert {row["Data protection officer"] for row in standard} == {"J. Doe"}
    header = list(ico[0])
    assert header[:5] == [
        "Name and contact details of the controller",
        "Data protection officer",
        "Flow",
        "Purposes of the processing",
        "Article 6 lawful basis",
    ]
    assert sorted(ico[0].values()) == sorted(standard[0].values())
    assert len(header) == len(ROPA_COLUMNS)


HOSTILE = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "\t=1+1", "\r=1", " =1"]


def test_ropa_neutralises_formulas() -> None:
    entities = [
        entity(f"e{index}", "US" if index % 2 else "DE", name=name)
        for index, name in enumerate(HOSTILE)
    ]
    flows = [
        flow(
            f"f{index}",
            f"e{index}",
            f"e{(index + 1) % len(HOSTILE)}",
            purposes=[name],
            data_subjects=[name.strip() or "x"],
            measures=[name],
        )
        for index, name in enumerate(HOSTILE)
    ]
    # The loader refuses the tab and the carriage return (they can forge text); a
    # map built in code can still hold them, and the export must neutralise them.
    loaded = parse_map(
        as_yaml(
            document(
                entities=[
                    {**item, "name": f"n{index}"} for index, item in enumerate(entities)
                ],
                flows=[
                    {
                        **item,
                        "purposes": ["p"],
                        "measures": ["m"],
                        "data_subjects": ["x"],
                    }
                    for item in flows
                ],
            )
        )
    )
    datamap = attrs.evolve(
        loaded,
        entities=[
            attrs.evolve(item, name=name)
            for item, name in zip(loaded.entities, HOSTILE, strict=True)
        ],
        flows=[
            attrs.evolve(
                item,
                purposes=[name],
                measures=[name],
                data_subjects=[name.strip() or "x"],
            )
            for item, name in zip(loaded.flows, HOSTILE, strict=True)
        ],
    )
    text = ropa_csv(datamap, assess(datamap, as_of=AS_OF))
    _, *rows = read_rows(text)
    assert len(rows) == len(HOSTILE)
    for row in rows:
        for cell in row:
            assert cell[:1] not in FORMULA_STARTERS, cell
            assert cell.lstrip(" \n")[:1] not in FORMULA_STARTERS, cell
    records = ropa_dicts(text)
    assert records[0]["Exporter"] == "'=cmd|' /C calc'!A0 (e0)"
    assert records[0]["Purposes"] == "'=cmd|' /C calc'!A0"
    assert records[1]["Exporter"] == "'+1 (e1)"
    assert records[2]["Exporter"] == "'-1 (e2)"
    assert records[3]["Exporter"] == "'@SUM(1) (e3)"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("\uff1d1", "'\uff1d1"),
        ("plain text", "plain text"),
        ("a=1", "a=1"),
        ("'=1", "''=1"),
        ("''", "'''"),
        ("'a", "'a"),
        ("", ""),
    ],
)
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


# --- Command line ---------------------------------------------------------------------


def test_cli_import_fides_writes_a_draft_and_counts_questions(tmp_path: Path) -> None:
    target = tmp_path / "draft.yaml"
    result = CliRunner().invoke(
        app, ["import-fides", str(FIXTURE), "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "6 entities, 6 flows;" in result.stderr
    draft_text = target.read_text(encoding="utf-8")
    assert draft_text.startswith("# Draft data map made by transfer-assess")
    assert yaml.safe_load(draft_text)["entities"][0]["id"] == "storefront"
    # Without answers the draft is not a valid map: validate says which countries.
    invalid = CliRunner().invoke(app, ["validate", str(target)])
    assert invalid.exit_code == 2
    assert "entities[0].country: required key is missing" in invalid.stderr


def test_cli_import_fides_to_standard_output_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    printed = runner.invoke(app, ["import-fides", str(FIXTURE)])
    assert printed.exit_code == 0
    assert yaml.safe_load(printed.stdout)["flows"]
    missing = runner.invoke(app, ["import-fides", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2
    assert "no such file or folder" in missing.stderr
    assert "Traceback" not in missing.output
    manifest = FIXTURE / "organization.yml"
    before = manifest.read_bytes()
    clash = runner.invoke(
        app, ["import-fides", str(FIXTURE), "--output", str(manifest)]
    )
    assert clash.exit_code == 2
    assert "would overwrite a manifest" in clash.stderr
    assert manifest.read_bytes() == before
    broken = tmp_path / "broken.yml"
    broken.write_text("system:\n- fides_key: [1\n", encoding="utf-8")
    bad = runner.invoke(app, ["import-fides", str(broken)])
    assert bad.exit_code == 2
    assert f"{broken}:2" in bad.stderr


def test_cli_export_fides_and_ropa(tmp_path: Path) -> None:
    runner = CliRunner()
    source = EXAMPLES / "global-group.yaml"
    manifest = tmp_path / "fides" / "export.yml"
    manifest.parent.mkdir()
    result = runner.invoke(
        app, ["export", str(source), "--format", "fides", "--output", str(manifest)]
    )
    assert result.exit_code == 0, result.output
    draft, questions = import_fides(manifest.parent)
    assert questions == []
    back = parse_map(json.dumps(draft), format="json")
    assert by_id(back.flows) == by_id(load_map(source).flows)
    ropa = runner.invoke(
        app, ["export", str(source), "--format", "ropa-csv", "--as-of", "2026-11-28"]
    )
    assert ropa.exit_code == 0, ropa.output
    rows = list(csv.reader(io.StringIO(ropa.stdout)))
    assert tuple(rows[0]) == ROPA_COLUMNS
    assert len(rows) > 1
    before = source.read_bytes()
    clash = runner.invoke(
        app, ["export", str(source), "--format", "fides", "--output", str(source)]
    )
    assert clash.exit_code == 2
    assert "would overwrite the map" in clash.stderr
    assert source.read_bytes() == before
    unknown = runner.invoke(app, ["export", str(source), "--format", "xlsx"])
    assert unknown.exit_code == 2


# --- Current and older fideslang formats ----------------------------------------------


def fideslang_normalised(source: Path, target: Path) -> Path:
    """The fixture as fideslang 3 writes it back (like `fides pull`): every field."""
    for path in sorted(source.rglob("*.yml")):
        value = Taxonomy.model_validate(yaml.safe_load(path.read_text("utf-8")))
        dumped = {k: v for k, v in value.model_dump(mode="json").items() if v}
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(yaml.safe_dump(dumped, sort_keys=False), encoding="utf-8")
    return target


def test_fideslang_normalised_manifests_import_with_their_flows(
    imported: Imported, tmp_path: Path
) -> None:
    folder = fideslang_normalised(FIXTURE, tmp_path)
    text = (folder / "systems" / "internal.yml").read_text("utf-8")
    assert "legal_basis_for_transfers: []" in text
    draft, _ = import_fides(folder)
    original, _ = imported
    assert draft["flows"] == original["flows"]
    assert [item["id"] for item in draft["entities"]] == [
        item["id"] for item in original["entities"]
    ]


@pytest.mark.parametrize(
    "bases",
    [
        ["SCCs", "Other"],  # fideslang 3: a list of the current labels
        "Standard contractual clauses",  # before fideslang 2.0.3: one string
    ],
)
def test_legal_basis_for_transfers_as_list_or_string(
    tmp_path: Path, bases: Any
) -> None:
    write_manifest(
        tmp_path,
        "s.yml",
        {
            "system": [
                system(
                    "app",
                    legal_basis_for_transfers=bases,
                    egress=links("vendor"),
                    privacy_declarations=[],
                ),
                system("vendor", system_type="Third Party", privacy_declarations=[]),
            ]
        },
    )
    _, questions = import_fides(tmp_path)
    (tool,) = [item for item in questions if "which transfer tool" in item]
    assert "(mechanism scc)" in tool
    if isinstance(bases, list):
        assert "'SCCs' (mechanism scc), 'Other'." in tool


def test_vendors_as_systems_without_movements_give_inferred_flows(
    tmp_path: Path,
) -> None:
    sharing = declaration(
        "Share with ad partners",
        "third_party_sharing",
        data_categories=["user.device.cookie_id"],
    )
    write_manifest(
        tmp_path,
        "systems.yml",
        {
            "organization": {"fides_key": "shop", "name": "Shop GmbH"},
            "system": [
                system(
                    "webshop",
                    third_country_transfers=["USA"],
                    privacy_declarations=[sharing],
                ),
                system(
                    "adtech",
                    system_type="Third Party",
                    vendor_id="gvl.42",
                    third_country_transfers=["IND"],
                    privacy_declarations=[
                        declaration(
                            "Measure ads",
                            "analytics.reporting.ad_performance",
                            data_categories=["user.device.cookie_id"],
                        )
                    ],
                ),
            ],
        },
    )
    draft, questions = import_fides(tmp_path)
    (flow,) = draft["flows"]
    assert (flow["from"], flow["to"]) == ("webshop", "adtech")
    assert flow["purposes"] == ["analytics.reporting.ad_performance"]
    assert flow["data_categories"] == ["user.device.cookie_id"]
    assert "adtech" in flow["x-inferred"]
    assert questions[0].startswith(
        "The manifests declare no movement of data between systems (no egress or "
        "ingress), so 1 flow from 'webshop' to third-party systems was inferred"
    )
    country = next(item for item in questions if item.startswith("Entity 'adtech'"))
    # The sender's and the receiver's own third-country transfers are both hints.
    assert "Systems that send it data declare third-country transfers to United" in (
        country
    )
    assert "of its own (onward, if it is outside them) to India (IN)" in country
    assert any(
        "System 'webshop' shares data with third parties (declaration 'Share with "
        "ad partners'"
        in item
        and "United States" in item
        for item in questions
    )
    assert any(item.startswith("Flow 'webshop-to-adtech'") for item in questions)


def test_several_own_systems_send_through_an_organisation_entity(
    tmp_path: Path,
) -> None:
    write_manifest(
        tmp_path,
        "systems.yml",
        {
            "organization": {"fides_key": "shop", "name": "Shop GmbH"},
            "system": [
                system("a", privacy_declarations=[]),
                system("b", privacy_declarations=[]),
                system(
                    "host",
                    system_type="Vendor",
                    privacy_declarations=[declaration("Host", "essential.service")],
                ),
            ],
        },
    )
    draft, _ = import_fides(tmp_path)
    organisation = draft["entities"][-1]
    assert organisation["id"] == "organisation"
    assert organisation["name"] == "Shop GmbH"
    assert "x-inferred" in organisation
    assert [(item["from"], item["to"]) for item in draft["flows"]] == [
        ("organisation", "host")
    ]


def flows_by_target(folder: Path, systems: list[dict[str, Any]]) -> dict[str, Any]:
    write_manifest(folder, "systems.yml", {"system": systems})
    draft, _ = import_fides(folder)
    return {item["to"]: item for item in draft["flows"]}


def test_declaration_egress_counts_for_an_ingress_only_movement(
    tmp_path: Path,
) -> None:
    crm = system(
        "crm",
        egress=links("mailer"),
        privacy_declarations=[
            declaration("billing", "finance", egress=["billing"]),
            declaration("mailing", "marketing", egress=["mailer"]),
            declaration("stored", "essential.service"),
        ],
    )
    # Only billing's ingress names the movement from the CRM.
    billing = system(
        "billing",
        ingress=links("crm"),
        privacy_declarations=[declaration("invoices", "sales")],
    )
    mailer = system("mailer", privacy_declarations=[])
    flows = flows_by_target(tmp_path, [crm, billing, mailer])
    # The sender's declaration naming billing wins over the receiver's.
    assert flows["billing"]["purposes"] == ["finance"]
    assert flows["billing"]["id"] == "billing"
    assert flows["mailer"]["purposes"] == ["marketing"]


def test_unnamed_movement_uses_only_declarations_without_egress(
    tmp_path: Path,
) -> None:
    crm = system(
        "crm",
        egress=links("mailer", "backup"),
        privacy_declarations=[
            declaration("mailing", "marketing", egress=["mailer"]),
            declaration("keep", "essential.service"),
        ],
    )
    others = [system(key, privacy_declarations=[]) for key in ("mailer", "backup")]
    flows = flows_by_target(tmp_path, [crm, *others])
    assert flows["backup"]["purposes"] == ["essential.service"]


def test_no_movements_and_no_vendors_is_said_first(tmp_path: Path) -> None:
    write_manifest(tmp_path, "s.yml", {"system": [system("app"), system("db")]})
    draft, questions = import_fides(tmp_path)
    assert draft["flows"] == []
    assert questions[0] == (
        "The manifests declare no movement of data between systems (no egress or "
        "ingress) and no third-party system, so the draft has no flows: add the "
        "flows by hand, or add egress entries to the manifests."
    )


def test_cli_import_fides_counts_inferred_flows(tmp_path: Path) -> None:
    folder = tmp_path / "fides"
    write_manifest(
        folder,
        "s.yml",
        {
            "system": [
                system("app", privacy_declarations=[]),
                system(
                    "vendor",
                    system_type="Third Party",
                    privacy_declarations=[declaration("Host", "essential.service")],
                ),
            ]
        },
    )
    result = CliRunner().invoke(
        app, ["import-fides", str(folder), "--output", str(tmp_path / "d.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("2 entities, 1 flows (1 inferred); ")


def test_third_country_transfers_without_egress_are_asked_about(
    tmp_path: Path,
) -> None:
    write_manifest(
        tmp_path,
        "s.yml",
        {"system": [system("app", third_country_transfers=["USA", "IND"])]},
    )
    _, questions = import_fides(tmp_path)
    assert questions[-1] == (
        "System 'app' declares third-country transfers to United States (US), "
        "India (IN), but no egress names a recipient: add each recipient as "
        "an entity and a flow from 'app' to it?"
    )
