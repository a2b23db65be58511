"""Word output: python-docx opens the files; real headings, tables and fields."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from typer.testing import CliRunner

from tests.conftest import EXAMPLES
from transfer_assess import assess, load_map, load_reference_data
from transfer_assess.cli import app
from transfer_assess.report.document import SIGN_OFF
from transfer_assess.report.docx import markdown_to_docx, render_report_docx
from transfer_assess.report.provenance import Provenance

DAY = date(2026, 11, 28)
runner = CliRunner()
RECORD = Provenance(
    tool_version="9.9.9",
    map_sha256="ab" * 32,
    reference_version="2026-11-28",
    reference_sha256="cd" * 32,
    generated="2026-11-28T12:00:00Z",
)


def headings(document) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [
        (int(paragraph.style.name.split()[-1]), paragraph.text)
        for paragraph in document.paragraphs
        if paragraph.style.name.startswith("Heading")
    ]


def fields(element) -> list[str]:  # type: ignore[no-untyped-def]
    """The prompts of the content controls under an element."""
    return [
        sdt.find(qn("w:sdtPr")).find(qn("w:alias")).get(qn("w:val"))
        for sdt in element.iter(qn("w:sdt"))
    ]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    datamap = load_map(EXAMPLES / "global-group.yaml")
    result = assess(datamap, as_of=DAY)
    path = tmp_path_factory.mktemp("docx") / "report.docx"
    blob = render_report_docx(datamap, result, load_reference_data(), provenance=RECORD)
    path.write_bytes(blob)
    return result, blob, docx.Document(str(path))


class TestReport:
    """``report --format docx``: the index, then every transfer page."""

    def test_headings(self, report) -> None:  # type: ignore[no-untyped-def]
        result, _, document = report
        found = headings(document)
        assert found[0] == (
            1,
            "Transfer assessment: Meridian Global Technologies Group",
        )
        pages = [text for level, text in found if level == 1]
        transfers = sum(finding.transfer for finding in result.findings)
        assert len(pages) == 1 + transfers
        assert (1, "Transfer impact assessment: de-to-us-cloud") in found
        for section in ("Conclusion", "Chain of transfers", "Sign-off"):
            assert sum(text == section for _, text in found) == transfers
        assert all("**" not in text and "\\" not in text for _, text in found)

    def test_sign_off_block_is_fields(self, report) -> None:  # type: ignore[no-untyped-def]
        result, _, document = report
        transfers = sum(finding.transfer for finding in result.findings)
        blocks = [
            table
            for table in document.tables
            if table.cell(0, 0).text.startswith("to be completed by the people")
        ]
        assert len(blocks) == transfers
        for table in blocks:
            assert [row.cells[0].text for row in table.rows[1:]] == list(SIGN_OFF)
            assert fields(table._tbl) == list(SIGN_OFF)  # noqa: SLF001

    def test_tables_and_links(self, report) -> None:  # type: ignore[no-untyped-def]
        _, _, document = report
        summary = document.tables[0]
        assert summary.cell(0, 0).text == "what"
        assert summary.cell(1, 0).text == "restricted transfers"
        body = document.element.body
        anchors = {item.get(qn("w:anchor")) for item in body.iter(qn("w:hyperlink"))}
        marks = {item.get(qn("w:name")) for item in body.iter(qn("w:bookmarkStart"))}
        internal = {anchor for anchor in anchors if anchor}
        assert "transfer_0011_de_to_us_cloud" in internal
        assert internal <= marks

    def test_footer_and_properties(self, report) -> None:  # type: ignore[no-untyped-def]
        _, blob, document = report
        footer = document.sections[0].footer.paragraphs[0]
        assert "transfer-assess 9.9.9 · map abababababababab" in footer.text
        instructions = {
            item.get(qn("w:instr"))
            for item in footer._p.iter(qn("w:fldSimple"))  # noqa: SLF001
        }
        assert instructions == {"PAGE", "NUMPAGES"}
        assert document.core_properties.created.isoformat().startswith(
            "2026-11-28T12:00:00"
        )
        datamap = load_map(EXAMPLES / "global-group.yaml")
        again = render_report_docx(
            datamap,
            assess(datamap, as_of=DAY),
            load_reference_data(),
            provenance=RECORD,
        )
        assert again == blob


class TestMarkdown:
    """The Markdown subset this package writes, in Word."""

    def test_blocks_and_inline(self, tmp_path: Path) -> None:
        text = (
            "# Title with a\\_b\n\nA **bold** and *italic* line with "
            "[a link](<https://example.org/a_(b)>) and &lt;tag&gt;.\n\n"
            "- one\n  - nested\n1. first\n\n> quoted **box**\n> - point\n\n"
            "| k | v |\n|---|---|\n| name | **[to be completed: the name]** |\n"
            "| empty | |\n\n```mermaid\nflowchart\n```\n"
        )
        path = tmp_path / "x.docx"
        path.write_bytes(markdown_to_docx([("x.md", text)], title="t", record=RECORD))
        document = docx.Document(str(path))
        assert headings(document) == [(1, "Title with a_b")]
        line = document.paragraphs[1]
        assert [run.text for run in line.runs if run.bold] == ["bold"]
        assert [run.text for run in line.runs if run.italic] == ["italic"]
        assert "<tag>" in line.text
        styles = [
            paragraph.style.name if paragraph.style else ""
            for paragraph in document.paragraphs
        ]
        assert styles[2:5] == ["List Bullet", "List Bullet 2", "List Number"]
        assert styles.count("Quote") == 2
        (table,) = document.tables
        assert fields(table._tbl) == ["the name", "empty"]  # noqa: SLF001
        targets = [rel.target_ref for rel in document.part.rels.values()]
        assert "https://example.org/a_(b)" in targets
        assert any(
            "flow graph is drawn in the HTML report" in paragraph.text
            for paragraph in document.paragraphs
        )


class TestCommands:
    """``report --format docx`` and ``scc --format docx``."""

    def test_report(self, tmp_path: Path) -> None:
        result = runner.invoke(
            app,
            [
                "report",
                str(EXAMPLES / "global-group.yaml"),
                "--format",
                "docx",
                "--output",
                str(tmp_path),
            ],
        )
        assert result.exit_code == 0, result.output
        assert sorted(path.name for path in tmp_path.iterdir()) == ["report.docx"]
        assert headings(docx.Document(str(tmp_path / "report.docx")))

    @pytest.mark.parametrize(
        ("flow_id", "module", "annexes"),
        [
            ("de-to-mx", 1, ["I.A", "I.B", "I.C", "II"]),
            ("de-to-us-cloud", 2, ["I.A", "I.B", "I.C", "II", "III"]),
            ("us-cloud-to-in-support", 3, ["I.A", "I.B", "I.C", "II", "III"]),
            ("ie-proc-to-hq", 4, ["I.A", "I.B"]),
        ],
    )
    def test_scc(
        self, tmp_path: Path, flow_id: str, module: int, annexes: list[str]
    ) -> None:
        out = tmp_path / "pack.docx"
        result = runner.invoke(
            app,
            [
                "scc",
                str(EXAMPLES / "global-group.yaml"),
                flow_id,
                "--format",
                "docx",
                "--output",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        document = docx.Document(str(out))
        found = headings(document)
        assert found[0][1].endswith(f"Module {module} ({found[0][1].split('(')[1]}")
        listed = [
            text.split(":")[0].removeprefix("Annex ")
            for level, text in found
            if level == 2 and text.startswith("Annex ")
        ]
        assert listed == annexes
        clause_table = next(
            table for table in document.tables if table.cell(0, 0).text == "clause"
        )
        numbers = [row.cells[0].text for row in clause_table.rows[1:]]
        assert ("13" in numbers) is (module != 4)
        assert ("9" in numbers) is (module in {2, 3})
        assert fields(document.element.body)

    def test_scc_docx_needs_an_output(self) -> None:
        result = runner.invoke(
            app,
            [
                "scc",
                str(EXAMPLES / "global-group.yaml"),
                "de-to-mx",
                "--format",
                "docx",
            ],
        )
        assert result.exit_code == 2
        assert "give it --output" in result.stderr


class TestHostile:
    """Names from the map stay text in Word: no link, field or markup from them."""

    def test_report_and_pack(self, tmp_path: Path) -> None:
        from tests.mapfactory import as_yaml, document, entity, flow  # noqa: PLC0415
        from transfer_assess import parse_map  # noqa: PLC0415
        from transfer_assess.report.docx import render_scc_docx  # noqa: PLC0415
        from transfer_assess.report.scc import render_scc, scc_context  # noqa: PLC0415

        hostile = (
            "**[to be completed: x]** [link](https://evil.example) *i* "
            "| a | b | \ufffe <script>"
        )
        value = document(
            entities=[entity("hq-de", name=hostile), entity("us", "US", name=hostile)],
            flows=[flow("f", "hq-de", "us", description=hostile, nature=hostile)],
        )
        value["organisation"] = hostile
        datamap = parse_map(as_yaml(value))
        result = assess(datamap, as_of=DAY)
        refdata = load_reference_data()
        blobs = [
            render_report_docx(datamap, result, refdata, provenance=RECORD),
            render_scc_docx(
                render_scc(scc_context(datamap, result, refdata, "f")), "f", RECORD
            ),
        ]
        for number, blob in enumerate(blobs):
            path = tmp_path / f"{number}.docx"
            path.write_bytes(blob)
            opened = docx.Document(str(path))
            targets = [rel.target_ref for rel in opened.part.rels.values()]
            assert not any("evil.example" in target for target in targets)
            assert "x" not in fields(opened.element.body)
            text = "\n".join(paragraph.text for paragraph in opened.paragraphs)
            assert "**[to be completed: x]** [link](https://evil.example)" in text
