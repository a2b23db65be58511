"""
Print the mutation score per module from mutmut's results in mutants/.

Run by bench/mutation.sh after ``mutmut run``; the table goes into docs/testing.md.
A mutant counts as killed when a test failed or when it ran past its time limit
(a mutant that makes the code loop is caught, just not by an assertion).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "mutants" / "transfer_assess"

#: mutmut's exit codes per mutant, grouped as docs/testing.md reports them.
_KILLED = {1, 3}
_TIMEOUT = {24, -24, 36, 152, 255}
_SURVIVED = {0}
_NO_TESTS = {5, 33}


#: Functions that run only while the package is imported: mutmut's workers fork after
#: the import, so these mutants are never executed (docs/testing.md). They get their
#: own column and stay out of the score.
_AT_IMPORT = (
    "transfer_assess.rules.national.x_book__",
    "transfer_assess.rules.tia.x_conclusion_rules__",
)


def _kind(mutant: str, code: int | None) -> str:
    if mutant.startswith(_AT_IMPORT):
        return "at import"
    if code is None:
        return "not run"
    for name, codes in (
        ("killed", _KILLED),
        ("timeout", _TIMEOUT),
        ("survived", _SURVIVED),
        ("no tests", _NO_TESTS),
    ):
        if code in codes:
            return name
    return "other"


def _module(meta: Path, results: Path) -> str:
    relative = meta.relative_to(results.parent).as_posix()
    return relative.removesuffix(".meta")


def main() -> int:
    """
    Print the table; exit status 1 when there are no results.

    An argument names another copy of ``mutants/`` (a kept earlier run) to read.
    """
    results = Path(sys.argv[1]) / "transfer_assess" if len(sys.argv) > 1 else RESULTS
    metas = sorted(results.rglob("*.py.meta"))
    if not metas:
        print(f"no results in {results.parent}: run bash bench/mutation.sh first")
        return 1
    columns = (
        "killed",
        "timeout",
        "survived",
        "no tests",
        "not run",
        "at import",
        "other",
    )
    print("| module | " + " | ".join(columns) + " | total | score |")
    print("|---" * (len(columns) + 3) + "|")
    for meta in metas:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if not codes:
            continue
        counts = Counter(_kind(name, code) for name, code in codes.items())
        run = sum(counts.values()) - counts["not run"] - counts["at import"]
        caught = counts["killed"] + counts["timeout"]
        score = f"{100 * caught / run:.1f} %" if run else "-"
        cells = " | ".join(str(counts[name]) for name in columns)
        print(f"| {_module(meta, results)} | {cells} | {len(codes)} | {score} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
