"""Documents and pictures: snapshots of every format, escaping, page names, safety."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, GOLDEN, Golden
from tests.mapfactory import as_yaml, document, entity, flow
from transfer_assess import InputError, assess, load_map, load_reference_data, parse_map
from transfer_assess.cli import app
from transfer_assess.console import THEME, assessment_table, explanation
from transfer_assess.report import tia
from transfer_assess.report.document import (
    iter_report,
    markdown_text,
    page_name,
    render_report,
    write_report,
)
from transfer_assess.report.graph import (
    graph_view,
    mermaid_text,
    to_dot,
    to_graphml,
    to_mermaid,
    to_svg,
)
from transfer_assess.report.scc import render_scc, scc_context

DAY = date(2026, 11, 28)
runner = CliRunner()


@pytest.fixture(scope="module")
def example():  # type: ignore[no-untyped-def]
    datamap = load_map(EXAMPLES / "global-group.yaml")
    return datamap, assess(datamap, as_of=DAY), load_reference_data()


def rendered(renderable: object, width: int) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, color_system=None, force_terminal=False,
        legacy_windows=False, theme=THEME,
    )  # fmt: skip
    console.print(renderable)
    return buffer.getvalue()


class TestSnapshots:
    """Every format, for the bundled example (tests/golden, --update-golden)."""

    def test_terminal_report(self, example, golden: Golden) -> None:  # type: ignore[no-untyped-def]
        _, result, _ = example
        golden.check("assess-100.txt", rendered(assessment_table(result), 100))
        golden.check("assess-80.txt", rendered(assessment_table(result), 80))

    def test_explain(self, example, golden: Golden) -> None:  # type: ignore[no-untyped-def]
        _, result, _ = example
        text = rendered(
            explanation(result.finding("in-support-to-ph-overflow"), DAY), 100
        )
        golden.check("explain-in-support-to-ph-overflow.txt", text)

    def test_json(self, example, golden: Golden) -> None:  # type: ignore[no-untyped-def]
        _, result, _ = example
        golden.check("report.json", result.to_json())

    @pytest.mark.parametrize("fmt", ["dot", "mermaid", "graphml", "svg"])
    def test_graph(self, example, golden: Golden, fmt: str) -> None:  # type: ignore[no-untyped-def]
        datamap, result, refdata = example
        view = graph_view(datamap, result, refdata)
        writer = {"dot": to_dot, "mermaid": to_mermaid, "graphml": to_graphml,
                  "svg": to_svg}[fmt]  # fmt: skip
        golden.check(f"graph.{fmt}", writer(view))

    @pytest.mark.parametrize("fmt", ["html", "markdown"])
    def test_report(self, example, golden: Golden, fmt: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")
        datamap, result, refdata = example
        files = render_report(datamap, result, refdata, format=fmt)
        transfers = sum(finding.transfer for finding in result.findings)
        assert len(files) == transfers + 1
        suffix = "html" if fmt == "html" else "md"
        golden.check(f"report/index.{suffix}", files[f"index.{suffix}"])
        for name in sorted(files):
            # The EU pages of two flows, and the UK and Swiss pages of the second.
            if "-in-support-to-ph-overflow" in name or "-de-to-us-cloud." in name:
                golden.check(f"report/{name}", files[name])

    @pytest.mark.parametrize(
        "flow_id",
        [
            "fr-to-my-training",
            "de-to-us-cloud",
            "us-cloud-to-in-support",
            "ie-proc-to-hq",
        ],
    )
    def test_scc_packs(  # type: ignore[no-untyped-def]
        self, example, golden: Golden, flow_id: str, monkeypatch
    ) -> None:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")
        datamap, result, refdata = example
        text = render_scc(scc_context(datamap, result, refdata, flow_id))
        golden.check(f"scc/{flow_id}.md", text)
        assert "[to be completed" in text
        assert text.count("not legal advice") == 1


HOSTILE = '[bold red]x</td><script>alert(1)</script>"onmouseover="y|z`*_ #1 -->|A|'


@pytest.fixture
def hostile():  # type: ignore[no-untyped-def]
    value = document(
        entities=[
            entity("hq-de", name=HOSTILE),
            entity("us", "US", name=HOSTILE, address=HOSTILE, contact=HOSTILE),
        ],
        flows=[flow("f", "hq-de", "us", description=HOSTILE, nature=HOSTILE,
                    purposes=[HOSTILE], data_subjects=[HOSTILE])],
    )  # fmt: skip
    value["organisation"] = HOSTILE
    datamap = parse_map(as_yaml(value))
    return datamap, assess(datamap, as_of=DAY), load_reference_data()


class TestEscaping:
    """Names from the map never become markup in any output."""

    def test_html(self, hostile) -> None:  # type: ignore[no-untyped-def]
        datamap, result, refdata = hostile
        for text in render_report(datamap, result, refdata, format="html").values():
            assert "<script>" not in text
            assert "&lt;script&gt;" in text
            assert '"onmouseover="' not in text

    def test_svg_and_graphml(self, hostile) -> None:  # type: ignore[no-untyped-def]
        datamap, result, refdata = hostile
        view = graph_view(datamap, result, refdata)
        for text in (to_svg(view), to_graphml(view)):
            assert "<script>" not in text

    def test_markdown_and_mermaid(self, hostile) -> None:  # type: ignore[no-untyped-def]
        datamap, result, refdata = hostile
        files = render_report(datamap, result, refdata, format="markdown")
        for text in files.values():
            assert "<script>" not in text
        mermaid = to_mermaid(graph_view(datamap, result, refdata))
        assert "<script>" not in mermaid
        assert "-->|A|" not in mermaid.split("\n", 3)[3]
        assert "#60;script#62;" in mermaid

    def test_dot(self, hostile) -> None:  # type: ignore[no-untyped-def]
        datamap, result, refdata = hostile
        dot = to_dot(graph_view(datamap, result, refdata))
        assert '\\"onmouseover=\\"' in dot

    def test_scc(self, hostile) -> None:  # type: ignore[no-untyped-def]
        datamap, result, refdata = hostile
        text = render_scc(scc_context(datamap, result, refdata, "f"))
        assert "<script>" not in text
        assert "\\|" in text

    def test_terminal(self, hostile) -> None:  # type: ignore[no-untyped-def]
        _, result, _ = hostile
        assert "[bold red]x" in rendered(assessment_table(result), 100)

    def test_markdown_text(self) -> None:
        assert markdown_text("a|b*c\nd<e>&") == "a\\|b\\*c d&lt;e&gt;&amp;"
        assert mermaid_text('a"b') == "a#34;b"


class TestFiles:
    """Page names and where files go."""

    def test_page_names_are_safe(self) -> None:
        assert (
            page_name(3, "../../etc/passwd", "html") == "transfer-0003-etc-passwd.html"
        )
        assert page_name(1, "a b", "md") == "transfer-0001-a-b.md"
        assert page_name(1, "crm_sync", "md") == "transfer-0001-crm-sync.md"
        assert page_name(4, "CON", "html") == "transfer-0004-con.html"
        assert page_name(5, "Ünï·cøde", "html") == "transfer-0005-n-c-de.html"
        assert re.fullmatch(r"transfer-0002-flow\.html", page_name(2, "..", "html"))
        assert len(page_name(9, "x" * 300, "html")) == len("transfer-0009-.html") + 60

    def test_nothing_written_outside_the_folder(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="outside"):
            write_report({"../escape.html": "x"}, tmp_path / "out")
        assert not (tmp_path / "escape.html").exists()

    @pytest.mark.parametrize("fmt", ["html", "markdown"])
    def test_pages_are_made_one_at_a_time(  # type: ignore[no-untyped-def]
        self, example, fmt: str, monkeypatch
    ) -> None:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")
        datamap, result, refdata = example
        made: list[str] = []
        real = tia.transfer_context

        def counted(finding, *args, **kwargs):  # type: ignore[no-untyped-def]
            made.append(finding.flow)
            return real(finding, *args, **kwargs)

        monkeypatch.setattr(tia, "transfer_context", counted)
        pages = iter_report(datamap, result, refdata, format=fmt)
        name, index = next(pages)
        assert name.startswith("index.")
        "".join(index)
        assert made == []
        next(pages)
        next(pages)
        assert len(made) == 2

    @pytest.mark.parametrize("fmt", ["html", "markdown"])
    def test_streamed_folder_holds_the_rendered_pages(  # type: ignore[no-untyped-def]
        self, example, fmt: str, monkeypatch, tmp_path: Path
    ) -> None:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")
        datamap, result, refdata = example
        files = render_report(datamap, result, refdata, format=fmt)
        written = write_report(
            iter_report(datamap, result, refdata, format=fmt), tmp_path / "out"
        )
        assert [path.name for path in written] == sorted(files)
        assert {
            path.name: path.read_text(encoding="utf-8") for path in written
        } == files

    def test_unknown_format(self, example) -> None:  # type: ignore[no-untyped-def]
        datamap, result, refdata = example
        with pytest.raises(ValueError, match="unknown report format"):
            render_report(datamap, result, refdata, format="pdf")

    def test_scc_for_a_non_transfer(self, example) -> None:  # type: ignore[no-untyped-def]
        datamap, result, refdata = example
        with pytest.raises(InputError, match="needs no SCCs"):
            scc_context(datamap, result, refdata, "de-to-nl-logistics")

    def test_broken_user_template(self, example, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        datamap, result, refdata = example
        (tmp_path / "module2.md.j2").write_text("{{ nope.attr }}", encoding="utf-8")
        context = scc_context(datamap, result, refdata, "de-to-us-cloud")
        with pytest.raises(InputError, match="SCC template"):
            render_scc(context, tmp_path)

    def test_user_template_cannot_reach_python(self, example, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        datamap, result, refdata = example
        (tmp_path / "module2.md.j2").write_text(
            "{{ ''.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8"
        )
        context = scc_context(datamap, result, refdata, "de-to-us-cloud")
        with pytest.raises(InputError):
            render_scc(context, tmp_path)


class TestCommands:
    """``report``, ``graph`` and ``scc`` on the command line."""

    def test_report_html_and_markdown(self, tmp_path: Path) -> None:
        example = str(EXAMPLES / "global-group.yaml")
        for fmt, index in (("html", "index.html"), ("markdown", "index.md")):
            out = tmp_path / fmt
            result = runner.invoke(
                app, ["report", example, "--output", str(out), "--format", fmt]
            )
            assert result.exit_code == 0, result.output
            assert (out / index).is_file()
            assert len(list(out.iterdir())) == 38  # index + 37 transfer findings

    def test_report_never_overwrites_the_map(self, tmp_path: Path) -> None:
        path = tmp_path / "index.md"
        path.write_text("x", encoding="utf-8")
        folder = tmp_path / "map.yaml"
        folder.write_text(as_yaml(document()), encoding="utf-8")
        result = runner.invoke(
            app,
            ["report", str(folder), "--output", str(tmp_path), "--format", "markdown"],
        )
        # The folder holds the map: it is not an earlier report, so it is refused
        # whole rather than replaced whole.
        assert result.exit_code == 2
        assert "does not hold an earlier transfer-assess report" in result.stderr
        assert (tmp_path / "index.md").read_text(encoding="utf-8") == "x"
        assert folder.read_text(encoding="utf-8") == as_yaml(document())
        clash = runner.invoke(
            app, ["graph", str(folder), "--output", str(folder), "--format", "dot"]
        )
        assert clash.exit_code == 2
        assert "would overwrite the map" in clash.stderr

    @pytest.mark.parametrize("fmt", ["dot", "mermaid", "graphml", "svg"])
    def test_graph(self, fmt: str, tmp_path: Path) -> None:
        out = tmp_path / f"graph.{fmt}"
        result = runner.invoke(
            app,
            [
                "graph",
                str(EXAMPLES / "small.yaml"),
                "--format",
                fmt,
                "--output",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        assert out.read_text(encoding="utf-8")
        stdout = runner.invoke(
            app, ["graph", str(EXAMPLES / "small.yaml"), "--format", fmt]
        )
        assert stdout.stdout == out.read_text(encoding="utf-8")

    def test_scc(self, tmp_path: Path) -> None:
        example = str(EXAMPLES / "global-group.yaml")
        result = runner.invoke(app, ["scc", example, "us-cloud-to-in-support"])
        assert result.exit_code == 0, result.output
        assert "Module 3" in result.stdout
        out = tmp_path / "pack.md"
        assert (
            runner.invoke(
                app, ["scc", example, "de-to-mx", "--output", str(out)]
            ).exit_code
            == 0
        )
        assert "Module 1" in out.read_text(encoding="utf-8")
        not_transfer = runner.invoke(app, ["scc", example, "de-to-nl-logistics"])
        assert not_transfer.exit_code == 2
        assert "needs no SCCs" in not_transfer.stderr
        unknown = runner.invoke(app, ["scc", example, "de-to-mxx"])
        assert unknown.exit_code == 2
        assert "did you mean 'de-to-mx'" in unknown.stderr

    def test_json_golden_matches_cli(self) -> None:
        """The command line prints the reviewed snapshot byte for byte."""
        result = runner.invoke(
            app, ["assess", str(EXAMPLES / "global-group.yaml"), "--format", "json"]
        )
        assert result.exit_code == 0, result.stderr
        assert result.stdout == (GOLDEN / "report.json").read_text(encoding="utf-8")
