"""The HTML report in a real browser: headless Chromium renders every finding and the
graph without console errors, and a screenshot is saved (its path is printed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from transfer_assess import assess, load_map, load_reference_data
from transfer_assess.report.document import render_report, write_report

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


def test_html_report_renders_in_chromium(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = chromium()
    datamap = load_map(EXAMPLES / "global-group.yaml")
    result = assess(datamap, as_of=date(2026, 11, 28))
    folder = tmp_path / "report"
    write_report(render_report(datamap, result, load_reference_data()), folder)
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
    assert not [line for line in detail.stderr.splitlines() if "CONSOLE" in line]

    screenshot = tmp_path / "report.png"
    shot = run(
        binary,
        tmp_path / "profile-shot",
        f"--screenshot={screenshot}",
        "--window-size=1280,2400",
        page,
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with capsys.disabled():
        print(f"\nscreenshot of the HTML report: {screenshot}")  # noqa: T201
