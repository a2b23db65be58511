"""
Benchmark: reading a map on the fast path against the locating validator alone.

    python bench/load.py                     # 10k flows as JSON, YAML and CSV, 3 runs
    python bench/load.py --flows 200000 --forms json

It generates a synthetic map (bench/generate.py), writes it in each form (YAML and
CSV with ``transfer-assess export``, as bench/formats.py does), then loads it in this
process, alternating ``load_map`` (the fast path) and the locating validator alone,
and prints the medians of the CPU time of each as a Markdown table. The collector is
off while loading, as in ``transfer-assess assess``; the first load of each form is
not timed.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from formats import prepare  # noqa: E402

from transfer_assess.load import _load_map  # noqa: E402
from transfer_assess.refdata import load_taxonomy  # noqa: E402

TARGETS = {"json": "map.json", "yaml": "map.yaml", "csv": "csv"}


def cpu_seconds(path: Path, *, fast: bool) -> float:
    """The CPU time of one load of `path`."""
    taxonomy = load_taxonomy()
    gc.disable()
    try:
        started = time.process_time()
        _load_map(path, taxonomy=taxonomy, fast=fast)
        return time.process_time() - started
    finally:
        gc.enable()
        gc.collect()


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--flows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--forms", nargs="+", choices=sorted(TARGETS), default=["json", "yaml", "csv"]
    )
    arguments = parser.parse_args(argv)
    lines = [
        (
            f"| form ({arguments.flows:,} flows) | fast path, CPU s | locating "
            "validator alone, CPU s | ratio |"
        ),
        "|---|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        prepare(
            arguments.flows,
            work,
            tuple(form for form in arguments.forms if form != "json"),
        )
        for form in arguments.forms:
            target = work / TARGETS[form]
            cpu_seconds(target, fast=True)
            runs: dict[bool, list[float]] = {True: [], False: []}
            for index in range(arguments.runs):
                order = (True, False) if index % 2 == 0 else (False, True)
                for fast in order:
                    runs[fast].append(cpu_seconds(target, fast=fast))
            quick = statistics.median(runs[True])
            precise = statistics.median(runs[False])
            lines.append(
                f"| {form.upper()} | {quick:.2f} | {precise:.2f} | "
                f"{precise / quick:.1f} |"
            )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
