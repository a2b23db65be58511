"""SCC packs follow Implementing Decision (EU) 2021/914, module by module.

Each module's clause and annex list is pinned here against the official text, so that a
change to ``data/scc_templates/structure.json`` or the templates that adds, drops or
renames a clause or annex fails a test.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import EXAMPLES
from transfer_assess import assess, load_map, load_reference_data
from transfer_assess.report.scc import render_scc, scc_context, scc_structure

DAY = date(2026, 11, 28)
OFFICIAL = "https://eur-lex.europa.eu/eli/dec_impl/2021/914/oj"

#: One flow of the example per module.
FLOWS = {
    1: "de-to-mx",
    2: "de-to-us-cloud",
    3: "us-cloud-to-in-support",
    4: "ie-proc-to-hq",
}
#: The clause numbers each module has in the official text.
CLAUSES = {
    1: ["1", "2", "3", "4", "5", "6", "7", "8", "10", "11", "12", "13", "14", "15",
        "16", "17", "18"],
    2: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
        "15", "16", "17", "18"],
    3: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
        "15", "16", "17", "18"],
    4: ["1", "2", "3", "4", "5", "6", "7", "8", "10", "11", "12", "14", "15", "16",
        "17", "18"],
}  # fmt: skip
#: The annexes each module has.
ANNEXES = {
    1: ["I.A", "I.B", "I.C", "II"],
    2: ["I.A", "I.B", "I.C", "II", "III"],
    3: ["I.A", "I.B", "I.C", "II", "III"],
    4: ["I.A", "I.B"],
}
#: Clause 8's sub-clauses per module, with their official titles.
CLAUSE_8 = {
    1: ["Purpose limitation", "Transparency", "Accuracy and data minimisation",
        "Storage limitation", "Security of processing", "Sensitive data",
        "Onward transfers", "Processing under the authority of the data importer",
        "Documentation and compliance"],
    2: ["Instructions", "Purpose limitation", "Transparency", "Accuracy",
        "Duration of processing and erasure or return of data",
        "Security of processing", "Sensitive data", "Onward transfers",
        "Documentation and compliance"],
    4: ["Instructions", "Security of processing", "Documentation and compliance"],
}  # fmt: skip
CLAUSE_8[3] = CLAUSE_8[2]
#: What each module's pack asks the parties to complete in the clauses.
FILLED = {
    1: ["7", "11", "13", "17", "18"],
    2: ["7", "9", "11", "13", "17", "18"],
    3: ["7", "9", "11", "13", "17", "18"],
    4: ["7", "11", "17", "18"],
}


@pytest.fixture(scope="module")
def packs() -> dict[int, str]:
    datamap = load_map(EXAMPLES / "global-group.yaml")
    result = assess(datamap, as_of=DAY)
    refdata = load_reference_data()
    return {
        module: render_scc(scc_context(datamap, result, refdata, flow_id))
        for module, flow_id in FLOWS.items()
    }


@pytest.mark.parametrize("module", [1, 2, 3, 4])
class TestModule:
    """The pack of each module has exactly the official clauses and annexes."""

    def test_clause_list(self, packs: dict[int, str], module: int) -> None:
        text = packs[module]
        assert f"Module {module} (" in text.splitlines()[0]
        listed = re.findall(r"^\| (\d+) \| ", text, flags=re.MULTILINE)
        assert listed == CLAUSES[module]
        assert [item["number"] for item in scc_structure().clauses(module)] == CLAUSES[
            module
        ]

    def test_annex_list(self, packs: dict[int, str], module: int) -> None:
        annexes = re.findall(r"^## Annex ([IVX.ABC]+):", packs[module], re.MULTILINE)
        assert annexes == ANNEXES[module]
        assert [item["id"] for item in scc_structure().annexes(module)] == ANNEXES[
            module
        ]

    def test_clause_8_sub_clauses(self, packs: dict[int, str], module: int) -> None:
        expected = "; ".join(
            f"8.{index} {title}"
            for index, title in enumerate(CLAUSE_8[module], start=1)
        )
        assert f"| 8 | Data protection safeguards: {expected} |" in packs[module]

    def test_what_the_parties_complete(
        self, packs: dict[int, str], module: int
    ) -> None:
        filled = re.findall(r"^### Clause (\d+): ", packs[module], re.MULTILINE)
        assert filled == FILLED[module]

    def test_summaries_are_labelled_and_link_the_official_text(
        self, packs: dict[int, str], module: int
    ) -> None:
        text = packs[module]
        assert "| clause | official title | summary (not the clause text) |" in text
        assert f"]({OFFICIAL})" in text
        assert "EU/EEA" not in text


class TestOfficialDetails:
    """Points of the official text the packs once got wrong."""

    def test_module_4_governing_law_and_forum_name_any_country(
        self, packs: dict[int, str]
    ) -> None:
        text = packs[4]
        assert "The law of a country that allows third-party beneficiary rights" in text
        assert "the country whose courts hear disputes" in text
        assert "Clause 13" not in text.split("## What the parties complete")[1]
        assert "only where the EU processor combines the personal data" in text

    def test_module_3_sub_processors_are_authorised_by_the_controller(
        self, packs: dict[int, str]
    ) -> None:
        assert "the authorisation is given by the **controller**" in packs[3]
        assert "the authorisation is given by the **exporter**" in packs[2]

    def test_clause_13_alternatives_say_member_state(
        self, packs: dict[int, str]
    ) -> None:
        for module in (1, 2, 3):
            assert "(1) Exporter established in an EU Member State" in packs[module]

    def test_annex_ib_has_only_the_official_rows(self, packs: dict[int, str]) -> None:
        section = packs[1].split("## Annex I.B:")[1].split("## Annex I.C:")[0]
        rows = re.findall(r"^\| ([^|]+?) \| ", section, re.MULTILINE)
        assert [row[:40] for row in rows] == [
            "Categories of data subjects whose person",
            "Categories of personal data transferred",
            "Sensitive data transferred (if applicabl",
            "The frequency of the transfer (e.g. whet",
            "Nature of the processing",
            "Purpose(s) of the data transfer and furt",
            "The period for which the personal data w",
            "For transfers to (sub-) processors, also",
        ]

    def test_module_1_suggests_no_clause_17_option(self, packs: dict[int, str]) -> None:
        assert "**Option chosen:**" not in packs[1].split("### Clause 17")[1]
        assert "**Option chosen:**" in packs[2].split("### Clause 17")[1]


def test_blank_lines_collapse_outside_code_fences(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "module1.md.j2").write_text(
        "a\n\n\n\nb\n```\nx\n\n\ny\n```\n\n\nc\n", encoding="utf-8"
    )
    assert render_scc({"module": 1}, tmp_path) == "a\n\nb\n```\nx\n\n\ny\n```\n\nc\n"
