"""
Benchmark: reading the same map as JSON, YAML, a CSV folder and an Excel workbook.

    python bench/formats.py                  # 10k flows, 3 runs each
    python bench/formats.py --flows 1000 --runs 1

It generates a synthetic map (bench/generate.py), writes it in every form with
``transfer-assess export`` (yaml, csv, xlsx), then times ``transfer-assess validate``
on each, measuring wall time and peak resident memory of the child (``os.wait4``),
and prints the medians as a Markdown table.
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
from run import CLI, measure  # noqa: E402

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


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--flows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args(argv)
    lines = [
        f"| form ({arguments.flows:,} flows) | validate, s | peak memory, MiB |",
        "|---|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        prepare(arguments.flows, work)
        for name, target in FORMS:
            runs = [
                measure([*CLI, "validate", str(work / target)])
                for _ in range(arguments.runs)
            ]
            seconds = statistics.median(item[0] for item in runs)
            mib = statistics.median(item[1] for item in runs) / 1024
            lines.append(f"| {name} | {seconds:.2f} | {mib:.0f} |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
