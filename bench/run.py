"""
Benchmark: end-to-end assessment time and peak memory against a bare ``json.load``.

    python bench/run.py                      # 1k, 10k, 100k and 1M flows, 3 runs each
    python bench/run.py --sizes 1000 10000 --runs 1 --output /tmp/perf.md
    python bench/run.py --sizes --table-sizes 50000   # the terminal table only
    python bench/run.py --sizes --table-sizes --report-sizes 10000   # report folders

For every size it generates a synthetic map (bench/generate.py, cached in --work),
then alternates, --runs times, ``python -c "import json; json.load(open(MAP))"`` and
``transfer-assess assess MAP --format json > /dev/null``, measuring each child's wall
time and peak resident memory (``os.wait4``), and reports medians and their ratios. It
also times ``import transfer_assess`` and ``transfer-assess --help``. The table, with a
description of the machine, goes to standard output and to --output (by default
docs/performance.md, between the markers on that page). The terminal table
(--table-sizes) and the report folders (--report-sizes: ``report MAP --format html``
and ``--format markdown``) have tables of their own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
TABLE_BEGIN = "<!-- bench:table:begin -->"
TABLE_END = "<!-- bench:table:end -->"
REPORT_BEGIN = "<!-- bench:report:begin -->"
REPORT_END = "<!-- bench:report:end -->"
CLI = [sys.executable, "-m", "transfer_assess"]
#: The terminal table as a CI job filters it: the worst hundred needing action.
FILTERED = ("--status", "gap,attention", "--limit", "100")


def measure(command: list[str]) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) and CPU seconds of one child; stdout discarded."""
    started = time.perf_counter()
    with open(os.devnull, "w") as sink:  # noqa: PTH123
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        errors = process.stderr.read() if process.stderr else b""
        if process.stderr:
            process.stderr.close()
        process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if process.returncode not in {0, 1}:
        raise SystemExit(f"{command} failed ({process.returncode}): {errors[-500:]!r}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def machine() -> str:
    """A one-line description of the machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}"
    )


def map_file(work: Path, size: int) -> Path:
    """The generated map of `size` flows in the work folder, written once."""
    path = work / f"map-{size}.json"
    if not path.is_file():
        # Written aside and renamed: an interrupted run leaves no half map behind
        # for the next one to reuse.
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as stream:
            json.dump(generate(size), stream, separators=(",", ":"))
        partial.replace(path)
    return path


def measured_by(runs: int) -> str:
    """The sentence that says how and where a block's figures were measured."""
    return (
        f"Measured {datetime.now(UTC).date().isoformat()} by `python bench/run.py` "
        f"(median of {runs} alternating run{'s' if runs > 1 else ''} of the "
        f"whole command) on: {machine()}; load average {load_average()} at the "
        "start."
    )


def run(sizes: list[int], runs: int, work: Path) -> list[dict[str, float]]:
    """Measure every size; return one row of medians per size."""
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in sizes:
        path = map_file(work, size)
        load = [sys.executable, "-c", f"import json; json.load(open({str(path)!r}))"]
        assess = [*CLI, "assess", str(path), "--format", "json"]
        loads, assessments = [], []
        for _ in range(runs):
            loads.append(measure(load))
            assessments.append(measure(assess))
        row = {
            "flows": size,
            "entities": max(3, size // 10),
            "mib": path.stat().st_size / 1024 / 1024,
            "load_s": statistics.median(item[0] for item in loads),
            "load_rss": statistics.median(item[1] for item in loads) / 1024,
            "assess_s": statistics.median(item[0] for item in assessments),
            "assess_rss": statistics.median(item[1] for item in assessments) / 1024,
            "load_cpu": statistics.median(item[2] for item in loads),
            "assess_cpu": statistics.median(item[2] for item in assessments),
        }
        rows.append(row)
        print(
            f"{size:>9,} flows: json.load {row['load_s']:.2f} s / "
            f"{row['load_rss']:.0f} MiB, assess {row['assess_s']:.2f} s / "
            f"{row['assess_rss']:.0f} MiB (CPU {row['load_cpu']:.2f} / "
            f"{row['assess_cpu']:.2f} s)",
            flush=True,
        )
    return rows


def terminal(sizes: list[int], runs: int, work: Path) -> str:
    """
    The terminal report against the JSON report, at the sizes given.

    ``assess MAP --all`` lays out every finding as a table (what a user who asks
    for all of them waits for); ``--format json`` does the same work but writes
    JSON. The difference is the cost of the table. ``--status gap,attention
    --limit 100`` is the table filtered as in CI (the worst hundred findings that
    need action); the default, the summary only, is what a large map shows.
    """
    work.mkdir(parents=True, exist_ok=True)
    lines = [
        TABLE_BEGIN,
        "",
        measured_by(runs) + " Times are wall time / CPU time.",
        "",
        (
            "| flows | JSON report (s) | terminal table, every finding (s) | "
            "table lines | worst 100 needing action (s) | summary only (s) | "
            "JSON peak (MiB) | table peak (MiB) | worst 100 peak (MiB) | "
            "summary peak (MiB) |"
        ),
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        path = map_file(work, size)
        base = [*CLI, "assess", str(path)]
        timings: dict[str, list[tuple[float, int, float]]] = {
            "json": [],
            "table": [],
            "filtered": [],
            "summary": [],
        }
        for _ in range(runs):
            timings["json"].append(measure([*base, "--format", "json"]))
            timings["table"].append(measure([*base, "--all"]))
            timings["filtered"].append(measure([*base, *FILTERED]))
            timings["summary"].append(measure(base))
        shown = subprocess.run(
            [*base, "--all"], capture_output=True, text=True, check=False
        ).stdout.count("\n")
        cells = {
            name: f"{statistics.median(item[0] for item in items):.2f} / "
            f"{statistics.median(item[2] for item in items):.2f}"
            for name, items in timings.items()
        }
        peaks = {
            name: f"{statistics.median(item[1] for item in items) / 1024:.0f}"
            for name, items in timings.items()
        }
        lines.append(
            f"| {size:,} | {cells['json']} | {cells['table']} | {shown:,} | "
            f"{cells['filtered']} | {cells['summary']} | {peaks['json']} | "
            f"{peaks['table']} | {peaks['filtered']} | {peaks['summary']} |"
        )
        print(lines[-1], flush=True)
    lines += ["", f"Load average at the end: {load_average()}.", "", TABLE_END]
    return "\n".join(lines)


def reports(sizes: list[int], runs: int, work: Path) -> str:
    """
    ``report MAP --format html`` and ``--format markdown`` at the sizes given.

    Each writes a folder of one page per restricted transfer and an index; the
    folder is written again over the last run's (the replacement is part of the
    cost, as when a report is refreshed). Wall time, CPU time and peak memory.
    """
    work.mkdir(parents=True, exist_ok=True)
    lines = [
        REPORT_BEGIN,
        "",
        measured_by(runs),
        "",
        "| flows | format | pages | size (MiB) | wall (s) | CPU (s) | peak (MiB) |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        path = map_file(work, size)
        formats = ("html", "markdown")
        timings: dict[str, list[tuple[float, int, float]]] = {
            name: [] for name in formats
        }
        for _ in range(runs):
            for name in formats:
                folder = work / f"report-{size}-{name}"
                command = [*CLI, "report", str(path), "--format", name]
                timings[name].append(measure([*command, "--output", str(folder)]))
        for name in formats:
            folder = work / f"report-{size}-{name}"
            files = list(folder.iterdir())
            mib = sum(item.stat().st_size for item in files) / 1024 / 1024
            items = timings[name]
            lines.append(
                f"| {size:,} | {name} | {len(files):,} | {mib:.0f} | "
                f"{statistics.median(item[0] for item in items):.2f} | "
                f"{statistics.median(item[2] for item in items):.2f} | "
                f"{statistics.median(item[1] for item in items) / 1024:.0f} |"
            )
            print(lines[-1], flush=True)
    lines += ["", f"Load average at the end: {load_average()}.", "", REPORT_END]
    return "\n".join(lines)


def _replace(page: str, begin: str, end: str, block: str) -> str | None:
    """The page with the block between its markers replaced; None without them."""
    if begin not in page:
        return None
    head, rest = page.split(begin, 1)
    return head + block + rest.split(end, 1)[1]


def startup(runs: int) -> tuple[float, float]:
    """Median seconds of ``import transfer_assess`` and of ``--help``."""
    imports = [
        measure([sys.executable, "-c", "import transfer_assess"])[0]
        for _ in range(max(runs, 3))
    ]
    helps = [measure([*CLI, "--help"])[0] for _ in range(max(runs, 3))]
    return statistics.median(imports), statistics.median(helps)


def load_average() -> str:
    """The one-minute load average, where the system tells it."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:  # pragma: no cover - every Unix has it
        return "unknown"


def table(
    rows: list[dict[str, float]],
    imports: float,
    helps: float,
    runs: int,
    loads: tuple[str, str] = ("unknown", "unknown"),
) -> str:
    """
    The Markdown block written into docs/performance.md.

    Wall time and CPU time (user + system of the child) side by side: on a shared
    machine the wall time grows with the other jobs, the CPU time much less.
    """
    lines = [
        BEGIN,
        "",
        (
            f"Measured {datetime.now(UTC).date().isoformat()} by "
            f"`python bench/run.py` (median of {runs} alternating "
            f"run{'s' if runs > 1 else ''}) on: {machine()}; load average "
            f"{loads[0]} at the start, {loads[1]} at the end."
        ),
        "",
        (
            "| flows | entities | map (MiB) | json.load (s) | assess (s) | "
            "time ratio | json.load CPU (s) | assess CPU (s) | CPU ratio | "
            "µs per flow | json.load peak (MiB) | assess peak (MiB) | memory ratio |"
        ),
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines.extend(
        f"| {row['flows']:,} | {row['entities']:,} | {row['mib']:.1f} | "
        f"{row['load_s']:.2f} | {row['assess_s']:.2f} | "
        f"{row['assess_s'] / row['load_s']:.1f} | "
        f"{row['load_cpu']:.2f} | {row['assess_cpu']:.2f} | "
        f"{row['assess_cpu'] / row['load_cpu']:.1f} | "
        f"{row['assess_s'] / row['flows'] * 1e6:.0f} | {row['load_rss']:.0f} | "
        f"{row['assess_rss']:.0f} | {row['assess_rss'] / row['load_rss']:.1f} |"
        for row in rows
    )
    lines += [
        "",
        (
            f"`import transfer_assess`: {imports:.3f} s; `transfer-assess --help`: "
            f"{helps:.3f} s (each including the interpreter's start)."
        ),
        "",
        END,
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=[1_000, 10_000, 100_000, 1_000_000],
        help="map sizes for the main table (none: keep the page's main table)",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "transfer-assess-bench",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument(
        "--table-sizes",
        type=int,
        nargs="*",
        default=[50_000],
        help="sizes at which to time the terminal table (none: skip)",
    )
    parser.add_argument(
        "--report-sizes",
        type=int,
        nargs="*",
        default=[10_000],
        help="sizes at which to time the HTML and Markdown report folders (none: skip)",
    )
    arguments = parser.parse_args(argv)
    block = ""
    if arguments.sizes:
        before = load_average()
        rows = run(arguments.sizes, arguments.runs, arguments.work)
        imports, helps = startup(arguments.runs)
        block = table(rows, imports, helps, arguments.runs, (before, load_average()))
        print(block)
    tables = ""
    if arguments.table_sizes:
        tables = terminal(arguments.table_sizes, arguments.runs, arguments.work)
        print(tables)
    folders = ""
    if arguments.report_sizes:
        folders = reports(arguments.report_sizes, arguments.runs, arguments.work)
        print(folders)
    output: Path = arguments.output
    page = output.read_text(encoding="utf-8") if output.is_file() else ""
    if block:
        page = _replace(page, BEGIN, END, block) or block + "\n"
    if tables:
        replaced = _replace(page, TABLE_BEGIN, TABLE_END, tables)
        if replaced is None:
            # First run with the table: it goes right after the main block.
            head, tail = page.split(END, 1) if END in page else (page, "")
            replaced = f"{head}{END}\n\n{tables}{tail}" if tail else page + tables
        page = replaced
    if folders:
        replaced = _replace(page, REPORT_BEGIN, REPORT_END, folders)
        if replaced is None:
            # First run with the folders: they go right after the terminal table.
            anchor = TABLE_END if TABLE_END in page else END
            head, tail = page.split(anchor, 1) if anchor in page else (page, "")
            replaced = f"{head}{anchor}\n\n{folders}{tail}" if tail else page + folders
        page = replaced
    output.write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
