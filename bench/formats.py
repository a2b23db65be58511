"""
Benchmark: reading and assessing one map as JSON, YAML, a CSV folder and a workbook.

    python bench/formats.py                  # 10k flows, 3 runs each
    python bench/formats.py --flows 1000 --runs 1 --forms JSON YAML CSV

It generates a synthetic map (bench/generate.py), writes it in every form with
``transfer-assess export`` (yaml, csv, xlsx), then times on each form
``transfer-assess validate`` (reading alone) and ``transfer-assess assess --format
json`` (end to end: reading, assessing and writing the JSON report), measuring the
wall time, CPU time and peak resident memory of the child (``os.wait4``). The forms
alternate within each run, so that a change in the machine's load falls on all of
them alike. It prints the medians as a Markdown table, with each form's CPU time
as a multiple of the JSON map's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from run import CLI, load_average, measure  # noqa: E402

FORMS = (
    ("JSON", "map.json"),
    ("YAML", "map.yaml"),
    ("CSV", "csv"),
    ("XLSX", "map.xlsx"),
)


def prepare(
    flows: int, work: Path, forms: tuple[str, ...] = ("yaml", "csv", "xlsx")
) -> None:
    """Write the map as JSON and in each of `forms` into `work`."""
    source = work / "map.json"
    source.write_text(json.dumps(generate(flows)), encoding="utf-8")
    targets = {"yaml": "map.yaml", "csv": "csv", "xlsx": "map.xlsx"}
    for form, target in ((form, targets[form]) for form in forms):
        measure(
            [
                *CLI,
                "export",
                str(source),
                "--format",
                form,
                "--output",
                str(work / target),
            ]
        )


def _median(runs: list[tuple[float, int, float]], index: int) -> float:
    return statistics.median(item[index] for item in runs)


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--flows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--forms",
        nargs="+",
        choices=[name for name, _ in FORMS],
        default=[name for name, _ in FORMS],
        help="the forms to measure (JSON is always measured: the others are "
        "given as multiples of it)",
    )
    arguments = parser.parse_args(argv)
    chosen = [(name, target) for name, target in FORMS if name in arguments.forms]
    if chosen[0][0] != "JSON":
        chosen.insert(0, FORMS[0])
    steps = ("validate", "assess")
    lines = [
        (
            f"| form ({arguments.flows:,} flows) | validate, CPU s | validate, peak "
            "MiB | assess, s | assess, CPU s | assess CPU ÷ JSON's | assess, peak MiB |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    start = load_average()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        forms = tuple(name.lower() for name, _ in chosen if name != "JSON")
        prepare(arguments.flows, work, forms)
        runs: dict[tuple[str, str], list[tuple[float, int, float]]] = {
            (name, step): [] for name, _ in chosen for step in steps
        }
        for _ in range(arguments.runs):
            for name, target in chosen:
                path = str(work / target)
                runs[name, "validate"].append(measure([*CLI, "validate", path]))
                runs[name, "assess"].append(
                    measure([*CLI, "assess", path, "--format", "json"])
                )
        json_cpu = _median(runs["JSON", "assess"], 2)
        for name, _ in chosen:
            check, full = runs[name, "validate"], runs[name, "assess"]
            lines.append(
                f"| {name} | {_median(check, 2):.2f} | {_median(check, 1) / 1024:.0f} "
                f"| {_median(full, 0):.2f} | {_median(full, 2):.2f} "
                f"| {_median(full, 2) / json_cpu:.2f} | {_median(full, 1) / 1024:.0f} |"
            )
    lines.append("")
    lines.append(f"Load average {start} at the start, {load_average()} at the end.")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
