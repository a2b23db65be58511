"""The report as a document: counts that add up, conclusions, chains, links, footers."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from xml.dom.minidom import parseString

import pytest

from tests.conftest import EXAMPLES
from tests.mapfactory import as_yaml, document, entity, flow
from transfer_assess import InputError, assess, load_map, load_reference_data, parse_map
from transfer_assess.report.document import page_names, render_report
from transfer_assess.report.graph import (
    AGGREGATE_ABOVE,
    AGGREGATE_FLOWS_ABOVE,
    graph_view,
    to_svg,
    wrap,
)
from transfer_assess.report.provenance import generation_time, map_sha256, provenance
from transfer_assess.report.tia import source_link

DAY = date(2026, 11, 28)
EPOCH = "1764288000"  # 2025-11-28T00:00:00Z


@pytest.fixture(scope="module")
def example():  # type: ignore[no-untyped-def]
    datamap = load_map(EXAMPLES / "global-group.yaml")
    return datamap, assess(datamap, as_of=DAY), load_reference_data()


@pytest.fixture(scope="module")
def pages(example) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    datamap, result, refdata = example
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return {
            fmt: render_report(datamap, result, refdata, format=fmt)
            for fmt in ("html", "markdown")
        }


def page(files: dict[str, str], flow_id: str) -> str:
    (name,) = [key for key in files if key.endswith(f"-{flow_id}.html")] or [
        key for key in files if key.endswith(f"-{flow_id}.md")
    ]
    return files[name]


class TestCounts:
    """Transfers and flows that are not transfers are counted apart, and add up."""

    def test_summary_adds_up(self, example, pages) -> None:  # type: ignore[no-untyped-def]
        _, result, _ = example
        transfers = [item for item in result.findings if item.transfer]
        by_status = {
            status: sum(item.status.value == status for item in transfers)
            for status in ("ok", "attention", "gap")
        }
        # 32 EU, 2 UK and 3 Swiss findings are transfers: one per flow and regime.
        assert sum(by_status.values()) == len(transfers) == 37
        others = len(result.findings) - len(transfers)
        text = pages["markdown"]["index.md"]
        assert (
            "the map has 37 flows, assessed in 42 findings (one per flow and regime "
            "that applies: GDPR Chapter V, UK GDPR and Swiss FADP)"
        ) in text
        assert (
            f"**{len(transfers)} restricted transfers** ({by_status['ok']} ✓ ok, "
            f"{by_status['attention']} ! attention, {by_status['gap']} ✗ gap) and "
            f"**{others} findings that are not restricted transfers**"
        ) in text
        html = pages["html"]["index.html"]
        assert html.count('<tr class="finding"') == len(result.findings)
        transfers_table = html.split('id="transfers"')[1].split('id="other-flows"')[0]
        assert transfers_table.count('<tr class="finding"') == len(transfers)

    def test_a_recommendation_is_not_shown_as_the_basis(self, pages) -> None:  # type: ignore[no-untyped-def]
        row = next(
            line
            for line in pages["markdown"]["index.md"].splitlines()
            if "](transfer-" in line and "de-to-mx" in line
        )
        cells = [cell.strip() for cell in row.split(" | ")]
        assert cells[3] == "No valid basis in place"
        assert "Recommendation: SCC module 1; not yet in place." in cells[4]
        assert "SCC module" not in cells[3]

    def test_codes_become_labels(self, pages) -> None:  # type: ignore[no-untyped-def]
        text = page(pages["html"], "de-to-us-cloud")
        for code in ("EU.ADEQUACY", "fix_mechanism", "not_in_scope", "user.contact"):
            assert code not in text
        assert "contact: email" in text


class TestTransferPage:
    """Each transfer impact assessment concludes, shows the chain and every field."""

    @pytest.mark.parametrize(
        ("flow_id", "verdict"),
        [
            ("de-to-us-cloud", "Proceed: the transfer has a fitting basis"),
            ("in-support-to-ph-overflow", "Do not proceed until the gap is closed"),
        ],
    )
    def test_conclusion(self, pages, flow_id: str, verdict: str) -> None:  # type: ignore[no-untyped-def]
        for fmt in ("html", "markdown"):
            text = page(pages[fmt], flow_id)
            assert "Conclusion" in text
            assert verdict in text

    def test_attention_concludes_after_actions(self, example, pages) -> None:  # type: ignore[no-untyped-def]
        _, result, _ = example
        flow_id = next(
            item.flow
            for item in result.findings
            if item.transfer and item.status.value == "attention"
        )
        text = page(pages["markdown"], flow_id)
        assert "Proceed once the actions listed below are done." in text

    def test_downstream_gap_shows_on_an_ok_transfer(self, pages) -> None:  # type: ignore[no-untyped-def]
        text = page(pages["html"], "de-to-us-cloud")
        downstream = text.split("Downstream: where the importer sends it on")[1]
        downstream = downstream.split("</section>")[0]
        assert 'href="transfer-0036-us-cloud-to-in-support.html"' in downstream
        assert 'href="transfer-0028-in-support-to-ph-overflow.html"' in downstream
        assert "✗ gap" in downstream
        assert "Downstream, flow in-support-to-ph-overflow" in text

    def test_upstream_links_back(self, pages) -> None:  # type: ignore[no-untyped-def]
        text = page(pages["markdown"], "in-support-to-ph-overflow")
        upstream = text.split("### Upstream")[1].split("### Downstream")[0]
        assert "1. [de-to-us-cloud](transfer-0011-de-to-us-cloud.md)" in upstream
        assert (
            "2. [us-cloud-to-in-support](transfer-0036-us-cloud-to-in-support.md)"
            in (upstream)
        )

    def test_every_field_of_the_map_that_matters(self, pages) -> None:  # type: ignore[no-untyped-def]
        text = page(pages["markdown"], "de-to-us-cloud")
        assert "| lawful basis (Art. 6) | contract |" in text
        assert "| retention | for the life of the customer account plus P2Y |" in text
        assert "| nature of the processing | Hosting of the customer portal" in text
        assert "| certifications | none recorded | dpf, dpf-ch, iso27001 |" in text
        assert "privacy@stratus-cloud.example" in text

    def test_sources_are_links_official_first(self, pages) -> None:  # type: ignore[no-untyped-def]
        text = page(pages["html"], "de-to-us-cloud")
        assert (
            '<a href="https://eur-lex.europa.eu/eli/reg/2016/679/oj">GDPR Art. 44</a>'
            in text
        )
        assert (
            '<a href="https://eur-lex.europa.eu/eli/dec_impl/2023/1795/oj">'
            "Commission Implementing Decision (EU) 2023/1795</a>"
        ) in text
        assert "(secondary source)" in text

    def test_sign_off_and_provenance_on_every_page(self, example, pages) -> None:  # type: ignore[no-untyped-def]
        datamap, _, _ = example
        digest = map_sha256(datamap)
        assert digest is not None
        for fmt, files in pages.items():
            for name, text in files.items():
                assert digest in text, name
                assert "2025-11-28T00:00:00Z" in text, name
                if name.startswith("transfer-"):
                    assert "Opinion of the data protection officer" in text, (fmt, name)


class TestLinks:
    """Every link between pages resolves, whatever the flow ids."""

    def test_every_relative_link_resolves(self, pages) -> None:  # type: ignore[no-untyped-def]
        html_links = re.compile(r'href="([^"#:]+)"')
        md_links = re.compile(r"\]\(([^)<>#:]+)\)")
        for fmt, pattern in (("html", html_links), ("markdown", md_links)):
            files = pages[fmt]
            for name, text in files.items():
                for target in pattern.findall(text):
                    assert target in files, (fmt, name, target)

    def test_ids_with_underscores_and_odd_characters(self) -> None:
        datamap = parse_map(
            as_yaml(
                document(
                    entities=[entity("hq-de"), entity("us", "US")],
                    flows=[
                        flow("crm_sync", "hq-de", "us"),
                        flow("CRM.Sync", "hq-de", "us"),
                    ],
                )
            )
        )
        result = assess(datamap, as_of=DAY)
        files = render_report(datamap, result, load_reference_data(), format="markdown")
        names = sorted(name for name in files if name != "index.md")
        assert names == ["transfer-0001-crm-sync.md", "transfer-0002-crm-sync.md"]
        for name in names:
            assert f"]({name})" in files["index.md"]
        assert page_names(result, "md") == {
            ("CRM.Sync", "EU"): "transfer-0001-crm-sync.md",
            ("crm_sync", "EU"): "transfer-0002-crm-sync.md",
        }


class TestProvenance:
    """Generation time honours SOURCE_DATE_EPOCH, so two runs compare."""

    @pytest.mark.parametrize(
        ("epoch", "expected"),
        [
            ("1764201599", "2025-11-26T23:59:59Z"),
            ("1764201600", "2025-11-27T00:00:00Z"),
            ("1764201601", "2025-11-27T00:00:01Z"),
        ],
    )
    def test_epoch(self, example, epoch: str, expected: str) -> None:  # type: ignore[no-untyped-def]
        datamap, result, _ = example
        record = provenance(datamap, result, environ={"SOURCE_DATE_EPOCH": epoch})
        assert record.generated == expected
        assert record.reference_sha256 == result.reference_sha256

    @pytest.mark.parametrize("epoch", ["-1", "1.5", "soon", "9" * 40])
    def test_bad_epoch(self, epoch: str) -> None:
        with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
            generation_time({"SOURCE_DATE_EPOCH": epoch})

    def test_unset_epoch_is_now(self) -> None:
        assert generation_time({}).year >= 2026

    def test_two_runs_are_identical(self, example, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        datamap, result, refdata = example
        monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        first = render_report(datamap, result, refdata, format="html")
        second = render_report(datamap, result, refdata, format="html")
        assert first == second

    def test_csv_folder_digest_covers_names_and_bytes(self, tmp_path: Path) -> None:
        (tmp_path / "a.csv").write_text("x", encoding="utf-8")
        datamap = parse_map(as_yaml(document()))
        import attrs  # noqa: PLC0415

        folder = attrs.evolve(datamap, source=str(tmp_path))
        before = map_sha256(folder)
        (tmp_path / "b.csv").write_text("", encoding="utf-8")
        assert map_sha256(folder) != before
        assert map_sha256(datamap) is None


@pytest.mark.parametrize(
    ("count", "aggregated"),
    [
        (AGGREGATE_FLOWS_ABOVE - 1, False),
        (AGGREGATE_FLOWS_ABOVE, False),
        (AGGREGATE_FLOWS_ABOVE + 1, True),
    ],
)
def test_many_flows_are_drawn_by_country(count: int, aggregated: bool) -> None:
    targets = [entity(f"e{index}", ["US", "IN", "JP"][index % 3]) for index in range(9)]
    flows = [
        flow(f"f{index}", "hq-de", f"e{index % 9}", purposes=[f"p{index}"])
        for index in range(count)
    ]
    datamap = parse_map(
        as_yaml(document(entities=[entity("hq-de"), *targets], flows=flows))
    )
    result = assess(datamap, as_of=DAY)
    svg = to_svg(graph_view(datamap, result, load_reference_data()))
    assert (f"10 entities, {count} flows, drawn by jurisdiction" in svg) is aggregated
    assert svg.count('class="edge status-') == (3 if aggregated else count)


class TestSourceLinks:
    """Citations link the official text; secondary sources are marked."""

    def test_citations(self) -> None:
        assert source_link("GDPR Art. 46(2)(c)")["raw_url"] == (
            "https://eur-lex.europa.eu/eli/reg/2016/679/oj"
        )
        assert source_link("CJEU C-311/18 (Schrems II)")["raw_url"] == (
            "https://curia.europa.eu/juris/liste.jsf?num=C-311/18"
        )
        assert source_link("Commission Decision 2002/2/EC")["raw_url"] == (
            "https://eur-lex.europa.eu/eli/dec/2002/2/oj"
        )
        assert source_link("TEU Art. 52")["raw_url"] is None

    def test_addresses_in_text(self) -> None:
        link = source_link(
            "EPRS briefing, https://www.europarl.europa.eu/x/EPRS_BRI(2022)739261 [2nd]"
        )
        assert (
            link["raw_url"] == "https://www.europarl.europa.eu/x/EPRS_BRI(2022)739261"
        )
        assert link["secondary"]
        assert "[2nd]" not in link["before"] + link["after"]
        copy = source_link("Decision text (copy at https://example.org/a).")
        assert copy["raw_url"] == "https://example.org/a"
        assert copy["after"] == ")."
        assert copy["secondary"]
        official = source_link(
            "EUR-Lex notice, https://eur-lex.europa.eu/eli/C/2025/6610/oj"
        )
        assert official["official"]
        assert not official["secondary"]


class TestGraph:
    """The SVG people read: edges beneath boxes, full names, linked flow ids, legend."""

    def test_layers_names_links_legend(self, example) -> None:  # type: ignore[no-untyped-def]
        datamap, result, refdata = example
        links = {
            flow: page
            for (flow, regime), page in page_names(result, "html").items()
            if regime == "EU"
        }
        svg = to_svg(graph_view(datamap, result, refdata), links=links)
        parseString(svg)  # noqa: S318 - our own SVG: is it well-formed XML?
        first_node = svg.index('class="node"')
        last_edge = svg.rindex('class="edge status-')
        assert last_edge < first_node
        assert "…" not in svg
        for item in datamap.entities:
            assert all(line in svg for line in wrap(item.name)), item.id
        assert '<a href="transfer-0011-de-to-us-cloud.html">' in svg
        assert svg.count('class="edge-label') == len(datamap.flows)
        assert 'class="legend"' in svg
        for status in ("solid", "dashed", "dotted, thick"):
            assert status in svg

    def test_wrap_never_cuts(self) -> None:
        text = "Kansai National University of Information Science " + "x" * 70
        lines = wrap(text, 30)
        assert all(len(line) <= 30 for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")

    @pytest.mark.parametrize(
        ("count", "aggregated"),
        [
            (AGGREGATE_ABOVE - 1, False),
            (AGGREGATE_ABOVE, False),
            (AGGREGATE_ABOVE + 1, True),
        ],
    )
    def test_large_maps_by_country(self, count: int, aggregated: bool) -> None:
        countries = ["US", "IN", "JP", "BR"]
        entities = [entity("hq-de")] + [
            entity(f"e{index}", countries[index % 4]) for index in range(count - 1)
        ]
        flows = [flow(f"f{index}", "hq-de", f"e{index}") for index in range(count - 1)]
        datamap = parse_map(as_yaml(document(entities=entities, flows=flows)))
        result = assess(datamap, as_of=DAY)
        svg = to_svg(graph_view(datamap, result, load_reference_data()))
        parseString(svg)  # noqa: S318 - our own SVG: is it well-formed XML?
        assert ("drawn by jurisdiction" in svg) is aggregated
        nodes = svg.count('class="node"')
        assert nodes == (5 if aggregated else count)


def _luminance(colour: str) -> float:
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [
        value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
        for value in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


class TestContrast:
    """WCAG AA: 4.5:1 for text, 3:1 for the graph's lines."""

    def test_contrast_helper(self) -> None:
        assert round(contrast("#000000", "#ffffff"), 1) == 21.0
        assert round(contrast("#767676", "#ffffff"), 2) == 4.54

    def test_stylesheet(self) -> None:
        css = (
            Path(__file__).resolve().parent.parent
            / "transfer_assess"
            / "templates"
            / "report.css"
        ).read_text(encoding="utf-8")
        variables = dict(re.findall(r"--([a-z]+): (#[0-9a-f]{6})", css))
        for status in ("ok", "attention", "gap", "none"):
            assert contrast(variables[status], "#ffffff") >= 4.5, status
        assert contrast(variables["muted"], "#ffffff") >= 4.5
        assert contrast(variables["ink"], "#ffffff") >= 4.5
        assert contrast("#0b57d0", "#ffffff") >= 4.5  # links

    def test_graph_lines(self) -> None:
        from transfer_assess.report.graph import COLOURS  # noqa: PLC0415

        for status, colour in COLOURS.items():
            assert contrast(colour, "#ffffff") >= 3.0, status


def test_svg_text_is_inert() -> None:
    from transfer_assess.report.graph import escape  # noqa: PLC0415

    hostile = "a\x07b\x1b[31m\u202eevil\u2066<x>&\"'"
    text = escape(hostile)
    parseString(f'<t a="{text}">{text}</t>')  # noqa: S318 - our own escaped text
    assert "\x07" not in text
    assert "\u202e" not in text
    assert "\u2066" not in text
    assert "&lt;x&gt;&amp;&quot;&#39;" in text


def test_every_declared_tool_has_a_label(pages) -> None:  # type: ignore[no-untyped-def]
    from transfer_assess.labels import MECHANISM_LABELS  # noqa: PLC0415
    from transfer_assess.model import Mechanism  # noqa: PLC0415

    assert set(MECHANISM_LABELS) == set(Mechanism)
    text = page(pages["markdown"], "de-to-us-cloud")
    assert "Declared in the map: EU-US Data Privacy Framework;" in text
