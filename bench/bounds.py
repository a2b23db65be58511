"""
Benchmark: the cost of every stage of reading, per MB of input, at hostile shapes.

    python bench/bounds.py                        # 1, 4 and 10 MB, table to stdout
    python bench/bounds.py --sizes 1 2 --timeout 60 --output docs/security.md
    python bench/bounds.py --pythonpath /path/to/other/checkout   # compare a version

Each case builds an input of about the given size (in --work, never committed), then
runs the command line on it in a child process and measures wall time and peak
resident memory (``os.wait4``); the child is stopped after --timeout seconds and
limited to --memory GiB of address space, so that a quadratic stage shows as a
timeout rather than freezing the machine. The table gives seconds and MB of memory
per MB of input; docs/security.md states the bound each figure must stay within.

The cases are the shapes that were once slow or large: a long string followed by an
error (locating it), thousands of flows with three problems each (locating them),
a CSV header of x- columns, a flow list of empty mappings (memory amplification),
long numbers, a chain of onward transfers as a JSON report, and a valid map as a
SARIF report (which locates every flow).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import generate  # noqa: E402

from tests.mapfactory import entity, flow  # noqa: E402

BEGIN = "<!-- bounds:begin -->"
END = "<!-- bounds:end -->"
MB = 1024 * 1024


def _entity(index: int, country: str = "US") -> dict[str, Any]:
    return entity(f"e{index}", country)


def _flow(index: int, source: str, target: str, **extra: Any) -> dict[str, Any]:
    return flow(f"f{index}", source, target, **extra)


def _map(entities: list[dict[str, Any]], flows: list[Any]) -> dict[str, Any]:
    return {"version": 1, "organisation": "Bench", "entities": entities, "flows": flows}


def long_string_then_error(size: int, folder: Path) -> Path:
    """A string of `size` bytes in an extension key, then a duplicate key."""
    text = json.dumps(_map([_entity(0, "DE"), _entity(1)], [_flow(0, "e0", "e1")]))
    text = text[:-1] + f', "x-blob": "{"a" * size}", "version": 1}}'
    path = folder / f"long-string-{size}.json"
    path.write_text(text, encoding="utf-8")
    return path


def many_problems(size: int, folder: Path) -> Path:
    """Flows with three problems each: unknown entity, bad frequency, volume -1."""
    one = len(json.dumps(_flow(0, "e0", "nowhere", frequency="often", volume=-1)))
    count = max(1, size // (one + 2))
    flows = [
        _flow(index, "e0", "nowhere", frequency="often", volume=-1)
        for index in range(count)
    ]
    path = folder / f"many-problems-{size}.json"
    path.write_text(json.dumps(_map([_entity(0, "DE")], flows)), encoding="utf-8")
    return path


def wide_csv_header(size: int, folder: Path) -> Path:
    """A CSV map whose entities.csv header has `size` bytes of x- columns."""
    target = folder / f"wide-csv-{size}"
    target.mkdir(exist_ok=True)
    count = max(1, size // 9)
    header = ",".join(
        ["id", "name", "kind", "country"] + [f"x-{n:06d}" for n in range(count)]
    )
    (target / "entities.csv").write_text(
        header + "\nhq,HQ,affiliate,DE\nus,US,service_provider,US\n", encoding="utf-8"
    )
    (target / "flows.csv").write_text(
        "id,from,to,exporter_role,importer_role,data_subjects,data_categories,"
        "purposes,frequency\nf,hq,us,controller,processor,customers,"
        "user.contact.email,support,continuous\n",
        encoding="utf-8",
    )
    return target


def empty_mappings(size: int, folder: Path) -> Path:
    """A flow list of `size` / 3 empty mappings: the most objects per byte."""
    path = folder / f"empty-mappings-{size}.json"
    count = max(1, size // 3)
    body = ",".join(["{}"] * count)
    path.write_text(
        '{"version": 1, "organisation": "Bench", "entities": [], "flows": ['
        + body
        + "]}",
        encoding="utf-8",
    )
    return path


def empty_mappings_yaml(size: int, folder: Path) -> Path:
    """The same in YAML, whose reader builds values from events in Python."""
    path = folder / f"empty-mappings-{size}.yaml"
    body = ", ".join(["{}"] * max(1, size // 4))
    path.write_text(
        f"version: 1\norganisation: Bench\nentities: []\nflows: [{body}]\n",
        encoding="utf-8",
    )
    return path


def long_numbers(size: int, folder: Path) -> Path:
    """Flows whose volume is a 5,000-digit hex number (each refused where it stands)."""
    number = "0x" + "f" * 5000
    count = max(1, size // 5300)
    lines = ["version: 1", "organisation: Bench", "entities:"]
    lines += [
        "  - {id: e0, name: E, kind: affiliate, country: DE}",
        "  - {id: e1, name: F, kind: affiliate, country: US}",
        "flows:",
    ]
    lines += [
        f"  - {{id: f{n}, from: e0, to: e1, exporter_role: controller, "
        "importer_role: processor, data_subjects: [c], data_categories: "
        f"[user.name], purposes: [p], frequency: regular, volume: {number}}}"
        for n in range(count)
    ]
    path = folder / f"long-numbers-{size}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def onward_chain(size: int, folder: Path) -> Path:
    """A chain hq → e0 → e1 → … of as many hops as fit in `size` bytes."""
    hop = len(json.dumps(_entity(99999))) + len(
        json.dumps(_flow(99999, "e99998", "e99999"))
    )
    count = max(2, size // (hop + 4))
    entities = [_entity(0, "DE")] + [_entity(n) for n in range(1, count + 1)]
    flows = [_flow(n, f"e{n}", f"e{n + 1}") for n in range(count)]
    path = folder / f"chain-{size}.json"
    path.write_text(json.dumps(_map(entities, flows)), encoding="utf-8")
    return path


def valid_map(size: int, folder: Path) -> Path:
    """A realistic valid map of about `size` bytes (bench/generate.py)."""
    path = folder / f"valid-{size}.json"
    flows = max(10, size // 560)
    path.write_text(json.dumps(generate(flows)), encoding="utf-8")
    return path


#: name, what it exercises, input builder, command (the map goes after its first word).
CASES: tuple[tuple[str, str, Any, list[str]], ...] = (
    (
        "json-error-location",
        "locate an error after a long string",
        long_string_then_error,
        ["validate"],
    ),
    (
        "problem-lines",
        "locate three problems in each flow",
        many_problems,
        ["validate"],
    ),
    ("csv-header", "check a header of x- columns", wide_csv_header, ["validate"]),
    (
        "empty-mappings",
        "parse and check the most objects per byte",
        empty_mappings,
        ["validate"],
    ),
    (
        "empty-mappings-yaml",
        "the same in YAML",
        empty_mappings_yaml,
        ["validate"],
    ),
    ("long-numbers", "refuse 5,000-digit hex numbers", long_numbers, ["validate"]),
    (
        "onward-chain-json",
        "assess a chain, write the JSON report",
        onward_chain,
        ["assess", "--format", "json"],
    ),
    (
        "valid-sarif",
        "assess a valid map, write SARIF (locates every flow)",
        valid_map,
        ["assess", "--format", "sarif"],
    ),
)


def measure(
    command: list[str], timeout: float, memory: int, pythonpath: str | None, cwd: Path
) -> tuple[float, int, int]:
    """
    Wall seconds, peak RSS (KiB) and exit status of one child (-1: stopped).

    The child runs in `cwd` (the work folder): ``python -m`` puts its working
    folder first on the path, which would hide the package given by `pythonpath`.
    """
    environment = dict(os.environ)
    if pythonpath:
        environment["PYTHONPATH"] = pythonpath

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    started = time.perf_counter()
    with open(os.devnull, "w") as sink:  # noqa: PTH123
        process = subprocess.Popen(
            command,
            stdout=sink,
            stderr=sink,
            env=environment,
            cwd=cwd,
            preexec_fn=limit,  # noqa: PLW1509 - only sets a resource limit
        )
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                _, status, usage = os.wait4(process.pid, 0)
                process.returncode = -1
                return time.perf_counter() - started, usage.ru_maxrss, -1
            time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss, process.returncode


def run(arguments: argparse.Namespace) -> str:
    """Build every case at every size, measure, and return the Markdown table."""
    work = arguments.work or Path(tempfile.mkdtemp(prefix="ta-bounds-"))
    work.mkdir(parents=True, exist_ok=True)
    head = "| case | what it exercises | input MB | seconds | peak MB | s per MB"
    rows = [f"{head} | MB per MB | exit |", "|---|---|---:|---:|---:|---:|---:|---|"]
    for name, what, build, command in CASES:
        if arguments.cases and name not in arguments.cases:
            continue
        for megabytes in arguments.sizes:
            target = build(int(megabytes * MB), work)
            size = (
                sum(path.stat().st_size for path in target.iterdir())
                if target.is_dir()
                else target.stat().st_size
            ) / MB
            program = [sys.executable, "-m", "transfer_assess", command[0]]
            seconds, peak, status = measure(
                [*program, str(target), *command[1:]],
                arguments.timeout,
                int(arguments.memory * 1024**3),
                arguments.pythonpath,
                work,
            )
            peak_mb = peak / 1024
            shown = f"> {arguments.timeout:g}" if status == -1 else f"{seconds:.2f}"
            outcome = "stopped" if status == -1 else str(status)
            rows.append(
                f"| {name} | {what} | {size:.1f} | {shown} | {peak_mb:.0f} | "
                f"{seconds / size:.2f} | {peak_mb / size:.0f} | {outcome} |"
            )
            print(rows[-1], flush=True)
    return "\n".join(rows) + "\n"


def main() -> None:
    """Parse the arguments, measure, print the table and write it to --output."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 4, 10])
    parser.add_argument("--cases", nargs="+", help="Only these cases (by name).")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--memory", type=float, default=4.0, help="GiB per child.")
    parser.add_argument("--work", type=Path, help="Folder for the inputs.")
    parser.add_argument("--pythonpath", help="Measure the package found here.")
    parser.add_argument("--output", type=Path, help="Page to put the table in.")
    arguments = parser.parse_args()
    table = run(arguments)
    if arguments.output is not None:
        page = arguments.output.read_text(encoding="utf-8")
        start, end = page.index(BEGIN) + len(BEGIN), page.index(END)
        arguments.output.write_text(
            page[:start] + "\n" + table + page[end:], encoding="utf-8"
        )


if __name__ == "__main__":
    main()
