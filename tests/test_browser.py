"""
The HTML report in a real browser, headless Chromium.

It renders without errors, lays out at phone width without horizontal scrolling, and
prints every page to an A4 PDF whose page count, page numbers, status words and
provenance are checked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pypdf
import pytest

from tests.conftest import EXAMPLES
from transfer_assess import assess, load_map, load_reference_data
from transfer_assess.labels import STATUS_LABELS
from transfer_assess.report.document import render_report, write_report
from transfer_assess.report.provenance import map_sha256

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]
#: A4 is 297 mm tall: a transfer page of the example must print on 2 to 12 pages,
#: the index (summary, graph on its own page, two tables) on 3 to 12.
#: A4 pages per document. A transfer page whose TIA has answers lists every access
#: law of the destination with its four standings (China: five laws, 13 pages).
PAGES = {"index": (3, 14), "transfer": (2, 16)}


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
    pytest.skip("Chromium is not installed (CI installs it)")


def run(
    binary: str, profile: Path, *arguments: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    datamap = load_map(EXAMPLES / "global-group.yaml")
    result = assess(datamap, as_of=date(2026, 11, 28))
    folder = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1764288000")
        write_report(render_report(datamap, result, load_reference_data()), folder)
    return datamap, result, folder


def test_html_report_renders_in_chromium(report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    binary = chromium()
    datamap, result, folder = report
    page = (folder / "index.html").as_uri()

    dumped = run(binary, tmp_path / "profile-dom", "--dump-dom", page)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert len(re.findall(r'<tr class="finding"', dom)) == len(result.findings)
    assert "<svg" in dom
    assert len(re.findall(r'class="edge status-', dom)) == len(datamap.flows)
    assert len(re.findall(r'class="node"', dom)) == len(datamap.entities)
    console = [line for line in dumped.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console
    assert "Refused to" not in dumped.stderr

    transfer = next(folder.glob("transfer-*-in-support-to-ph-overflow.html"))
    detail = run(binary, tmp_path / "profile-page", "--dump-dom", transfer.as_uri())
    assert "Step 6: re-evaluation" in detail.stdout
    assert "Do not proceed until the gap is closed" in detail.stdout
    assert not [line for line in detail.stderr.splitlines() if "CONSOLE" in line]


@pytest.mark.parametrize("name", ["index.html", "transfer-0011-de-to-us-cloud.html"])
def test_readable_at_390_px_without_horizontal_scrolling(  # type: ignore[no-untyped-def]
    report, tmp_path: Path, name: str
) -> None:
    binary = chromium()
    _, _, folder = report
    # Headless windows are at least 500 px wide, so the page is shown unchanged in a
    # 390 px frame of a probe page whose script records the page's layout widths.
    probe = folder / f"probe-{name}"
    probe.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe id="page" src="{name}" style="width:390px;height:844px;border:0">'
        "</iframe><script>document.getElementById('page').addEventListener('load',"
        " function () { var root = this.contentDocument.documentElement;"
        " document.body.setAttribute('data-widths', root.scrollWidth + ' '"
        " + root.clientWidth); });</script></body></html>",
        encoding="utf-8",
    )
    try:
        dumped = run(
            binary,
            tmp_path / "profile-narrow",
            "--allow-file-access-from-files",
            "--virtual-time-budget=5000",
            "--dump-dom",
            probe.as_uri(),
        )
    finally:
        probe.unlink()
    found = re.search(r'data-widths="(\d+) (\d+)"', dumped.stdout)
    assert found, dumped.stderr[-2000:]
    scroll, client = int(found.group(1)), int(found.group(2))
    assert 300 < client <= 390
    assert scroll <= client, f"{name} is {scroll} px wide in a {client} px view"


def test_every_page_prints_to_a4_pdf(report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    binary = chromium()
    datamap, result, folder = report
    digest = map_sha256(datamap)
    assert digest is not None
    # A page's name ends with the flow id, and "-uk" or "-ch" for those regimes.
    statuses = {
        finding.flow
        + (
            "" if finding.regime == "EU" else f"-{finding.regime.lower()}"
        ): finding.status
        for finding in result.findings
    }
    pages = sorted(folder.glob("*.html"))
    assert len(pages) == 1 + sum(finding.transfer for finding in result.findings)
    for html in pages:
        pdf = tmp_path / f"{html.stem}.pdf"
        printed = run(
            binary,
            tmp_path / "profile-pdf",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        )
        assert printed.returncode == 0, printed.stderr[-2000:]
        reader = pypdf.PdfReader(pdf)
        count = len(reader.pages)
        low, high = PAGES["index" if html.stem == "index" else "transfer"]
        assert low <= count <= high, (html.name, count)
        width, height = (float(value) for value in reader.pages[0].mediabox[2:])
        assert (round(width), round(height)) == (595, 842), html.name  # A4 in points
        text = "\n".join(item.extract_text() for item in reader.pages)
        assert f"Page {count} of {count}" in text, html.name
        assert digest in text.replace("\n", ""), html.name
        if html.stem == "index":
            for label in STATUS_LABELS.values():
                assert label.split()[-1] in text
        else:
            flow = html.stem.split("-", 2)[2].removesuffix("-uk").removesuffix("-ch")
            status = next(
                value
                for key, value in sorted(
                    statuses.items(), key=lambda item: -len(item[0])
                )
                if html.stem.endswith(key)
            )
            assert flow in text
            assert STATUS_LABELS[status].split()[-1] in text, html.name
            assert "Sign-off" in text, html.name
