"""The benchmark harness runs end to end at small sizes, so that it cannot rot.

Nothing here asserts speed: the figures live in docs/performance.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def bench(script: str, *arguments: str) -> str:
    """Run a script of bench/ with these arguments; its standard output."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *arguments],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def test_generate_is_deterministic_and_valid(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for path in (first, second):
        bench("generate.py", "--flows", "300", "--output", str(path))
    assert first.read_bytes() == second.read_bytes()
    value = json.loads(first.read_text(encoding="utf-8"))
    assert len(value["flows"]) == 300
    check = subprocess.run(
        [sys.executable, "-m", "transfer_assess", "validate", str(first)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_run_writes_a_table(tmp_path: Path) -> None:
    output = tmp_path / "performance.md"
    output.write_text(
        "# Perf\n\n<!-- bench:begin -->\nold\n<!-- bench:end -->\n\nEnd.\n"
    )
    bench(
        "run.py", "--sizes", "100", "400", "--runs", "1",
        "--work", str(tmp_path / "work"), "--output", str(output),
        "--table-sizes", "300", "--report-sizes", "200",
    )  # fmt: skip
    page = output.read_text(encoding="utf-8")
    assert page.startswith("# Perf\n")
    assert page.endswith("End.\n")
    assert "old" not in page
    assert "| 400 | 40 |" in page
    assert "`transfer-assess --help`" in page
    # Wall and CPU time side by side, with the load the machine had.
    assert "| assess CPU (s) | CPU ratio |" in page
    assert "load average " in page
    # The terminal table's own block, after the main one.
    assert page.index("<!-- bench:end -->") < page.index("<!-- bench:table:begin -->")
    assert "| 300 |" in page
    assert "| table peak (MiB) | worst 100 peak (MiB) |" in page
    row = next(line for line in page.splitlines() if line.startswith("| 300 |"))
    assert len(row.strip("|").split("|")) == 10
    # The report folders' block, after the terminal table: HTML and Markdown.
    assert (
        page.index("<!-- bench:table:end -->")
        < page.index("<!-- bench:report:begin -->")
        < page.index("<!-- bench:report:end -->")
    )
    assert "| 200 | html |" in page
    assert "| 200 | markdown |" in page


def test_bounds_writes_a_table(tmp_path: Path) -> None:
    output = tmp_path / "security.md"
    output.write_text("# S\n\n<!-- bounds:begin -->\nold\n<!-- bounds:end -->\n")
    bench(
        "bounds.py", "--sizes", "0.02", "--cases", "problem-lines",
        "empty-mappings", "--work", str(tmp_path / "w"), "--output", str(output),
    )  # fmt: skip
    page = output.read_text(encoding="utf-8")
    assert "old" not in page
    assert "| problem-lines | locate three problems in each flow | 0.0 |" in page
    assert "| empty-mappings |" in page
    assert "stopped" not in page


def test_formats_measures_every_form() -> None:
    rows = bench("formats.py", "--flows", "60", "--runs", "1").splitlines()
    assert rows[0] == (
        "| form (60 flows) | validate, CPU s | validate, peak MiB | assess, s "
        "| assess, CPU s | assess CPU ÷ JSON's | assess, peak MiB |"
    )
    assert [row.split(" |")[0] for row in rows[2:6]] == [
        "| JSON",
        "| YAML",
        "| CSV",
        "| XLSX",
    ]
    # JSON is the unit of the ratio column; every cell is a measured number.
    assert rows[2].split(" | ")[5] == "1.00"
    for row in rows[2:6]:
        cells = row.strip("| ").split(" | ")[1:]
        assert all(float(cell) > 0 for cell in cells), row
    assert rows[-1].startswith("Load average ")


def test_formats_always_measures_json_first() -> None:
    rows = bench("formats.py", "--flows", "30", "--runs", "1", "--forms", "CSV")
    assert [row.split(" |")[0] for row in rows.splitlines()[2:4]] == [
        "| JSON",
        "| CSV",
    ]


def test_repeated_runs_and_their_classes(tmp_path: Path) -> None:
    path = tmp_path / "runs.json"
    bench("generate.py", "--flows", "200", "--repeat", "50", "--output", str(path))
    flows = json.loads(path.read_text(encoding="utf-8"))["flows"]
    # Each run of 50 repeats its first flow from other exporters, ids aside.
    for index, flow in enumerate(flows):
        first = flows[index - index % 50]
        assert {**flow, "id": "", "from": ""} == {**first, "id": "", "from": ""}
    assert len({flow["from"] for flow in flows[:50]}) > 1
    output = bench("classes.py", str(path), str(ROOT / "examples" / "small.yaml"))
    rows = [row.split(" | ") for row in output.splitlines()[2:]]
    assert [row[1] for row in rows] == ["EU", "UK", "CH"] * 2
    # The example's three flows differ; runs of 50 share classes.
    assert [row[2:] for row in rows[3:]] == [["3", "3", "0.0% |"]] * 3
    assert all(int(row[3].replace(",", "")) < 200 for row in rows[:3])


def test_load_compares_the_two_paths_in_every_form() -> None:
    output = bench("load.py", "--flows", "200", "--runs", "1")
    rows = [line for line in output.splitlines() if line.startswith("| ")]
    assert [row.split(" |")[0] for row in rows[1:]] == ["| JSON", "| YAML", "| CSV"]
