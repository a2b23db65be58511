"""Shared fixtures: paths to examples and a clean environment for rendering."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Tests never see the developer's own downloaded reference data or update URL.
os.environ["TRANSFER_ASSESS_DATA_DIR"] = tempfile.mkdtemp(prefix="transfer-assess-")
os.environ.pop("TRANSFER_ASSESS_DATA_URL", None)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("thorough", max_examples=2_000, deadline=None)
# bench/mutation.sh: mutmut runs the same test functions many times in one process,
# and a mutant's verdict must not depend on which examples a run happened to draw.
settings.register_profile(
    "mutation",
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.differing_executors, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_sessionstart() -> None:
    """
    Under mutmut, read the reference data afresh for each mutant's run.

    mutmut forks each mutant's run from a process that has imported the test
    modules, some of which load the reference data at import; the loaders cache
    per folder, so without this a mutant in the loading code would never run.
    """
    if os.environ.get("MUTANT_UNDER_TEST"):
        from transfer_assess import refdata  # noqa: PLC0415 - only under mutmut

        for cached in (
            refdata._load_reference_data,  # noqa: SLF001
            refdata._load_taxonomy,  # noqa: SLF001
            refdata._ancestry,  # noqa: SLF001
            refdata.country_name,
        ):
            cached.cache_clear()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden`` rewrites the snapshot files instead of comparing."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current output (review the diff)",
    )


class Golden:
    """Compares output with a snapshot in tests/golden/, or rewrites it."""

    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, name: str, text: str) -> None:
        """Assert `text` equals snapshot `name`, or write it with --update-golden."""
        path = GOLDEN / name
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.is_file(), f"missing snapshot {name}; run pytest --update-golden"
        assert text == path.read_text(encoding="utf-8"), (
            f"{name} differs from its snapshot; if the change is intended, run "
            "pytest --update-golden and review the diff"
        )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """The snapshot comparer."""
    return Golden(bool(request.config.getoption("--update-golden")))


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering must not depend on the caller's terminal settings."""
    for name in ("FORCE_COLOR", "NO_COLOR", "COLUMNS", "TERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")


@pytest.fixture
def small_map_text() -> str:
    """The README's small example map, as text."""
    return (EXAMPLES / "small.yaml").read_text(encoding="utf-8")
