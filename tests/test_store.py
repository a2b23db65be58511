"""The data store verifies before it trusts; updates cannot be stalled or leak secrets.

Against the real HTTP server of test_fetch (127.0.0.1, no mocking of the network);
the file-system failures are provoked for real where the test runs as any user (the
data folder is a file) and by failing the one call that fills the disk otherwise.
"""

from __future__ import annotations

import errno
import fcntl
import json
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import test_fetch
from tests.test_fetch import FAST, Server, in_use, new_set
from transfer_assess import fetch, store
from transfer_assess.cli import app
from transfer_assess.fetch import FetchError, FetchSettings, check_version_date, update
from transfer_assess.store import StoreError

runner = CliRunner()
# The HTTP server on 127.0.0.1 and the data folder: test_fetch's fixtures.
server = test_fetch.server
home = test_fetch.home


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "_today", lambda: date(2027, 1, 1))


def publish(server: Server, tmp_path: Path, version: str) -> None:
    server.publish(new_set(tmp_path, version), version)


class TestPace:
    """A trickling server is cut off by the deadline or the minimum rate."""

    def test_deadline(self, server: Server, home: Path, tmp_path: Path) -> None:
        publish(server, tmp_path, "2026-12-01")
        server.routes["/v1/adequacy.json"].queue.append({"trickle": 0.05})
        settings = FetchSettings(read_timeout=5, retries=0, deadline=1.0, min_rate=1)
        started = time.monotonic()
        with pytest.raises(FetchError, match="longer than its 1-second deadline"):
            update(server.url, home=home, settings=settings)
        assert time.monotonic() - started < 10
        assert in_use(home)[0] == "2026-11-28"

    def test_minimum_rate(self, server: Server, home: Path, tmp_path: Path) -> None:
        publish(server, tmp_path, "2026-12-01")
        server.routes["/v1/adequacy.json"].queue.append({"trickle": 0.05})
        settings = FetchSettings(read_timeout=0.5, retries=0, min_rate=1000)
        with pytest.raises(FetchError, match="below the minimum of 1,000"):
            update(server.url, home=home, settings=settings)
        assert in_use(home)[0] == "2026-11-28"

    def test_waiting_update_says_so(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        publish(server, tmp_path, "2026-12-01")
        home.mkdir()
        told = threading.Event()
        results: list[object] = []
        with (home / ".lock").open("a+") as holder:
            fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
            worker = threading.Thread(
                target=lambda: results.append(
                    update(server.url, home=home, settings=FAST, waiting=told.set)
                )
            )
            worker.start()
            assert told.wait(10)
            assert not results
            fcntl.flock(holder.fileno(), fcntl.LOCK_UN)
        worker.join(30)
        assert len(results) == 1
        assert in_use(home)[0] == "2026-12-01"

    def test_waiting_command_says_so(self, home: Path) -> None:
        home.mkdir()
        with (home / ".lock").open("a+") as holder:
            fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
            with subprocess.Popen(
                [sys.executable, "-m", "transfer_assess", "data", "rollback"],
                stderr=subprocess.PIPE,
                text=True,
            ) as process:
                assert process.stderr is not None
                first = process.stderr.readline()
                fcntl.flock(holder.fileno(), fcntl.LOCK_UN)
                rest = process.stderr.read()
                process.wait(timeout=30)
        assert first == f"waiting: another update or rollback of {home} is running\n"
        assert "nothing to roll back to" in rest
        assert process.returncode == 2


class TestVersions:
    """Versions are real dates, at most a day ahead."""

    @pytest.mark.parametrize(
        "version", ["2026-13-45", "2026-02-30", "2026-12-01.1234567"]
    )
    def test_not_a_date(self, version: str) -> None:
        with pytest.raises(FetchError, match="invalid version"):
            check_version_date(version, date(2026, 11, 30))

    @pytest.mark.parametrize(("ahead", "refused"), [(0, False), (1, False), (2, True)])
    def test_day_before_on_after_the_limit(self, ahead: int, refused: bool) -> None:
        today = date(2026, 11, 30)
        version = (today + timedelta(days=ahead)).isoformat()
        if refused:
            with pytest.raises(FetchError, match="is dated after 2026-12-01"):
                check_version_date(version, today)
        else:
            check_version_date(version, today)

    def test_far_future_index_is_refused(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        publish(server, tmp_path, "9999-12-31")
        with pytest.raises(FetchError, match="9999-12-31 is dated after 2027-01-02"):
            update(server.url, home=home, settings=FAST)
        assert in_use(home)[0] == "2026-11-28"


class TestTrust:
    """Kept sets are re-hashed before use; a broken pointer is an error, with help."""

    def test_corrupted_kept_set_is_replaced(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        original = new_set(tmp_path, "2026-12-01")
        server.publish(original, "2026-12-01")
        first = update(server.url, home=home, settings=FAST)
        publish(server, tmp_path, "2026-12-02")
        update(server.url, home=home, settings=FAST)
        (first.folder / "eea.json").write_text("{}", encoding="utf-8")
        server.publish(original, "2026-12-01")
        again = update(server.url, force=True, home=home, settings=FAST)
        assert again.folder == first.folder
        assert store.check_set(again.folder) == []
        assert in_use(home)[0] == "2026-12-01"

    def test_rollback_to_a_corrupted_set_is_refused(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        publish(server, tmp_path, "2026-12-01")
        first = update(server.url, home=home, settings=FAST)
        publish(server, tmp_path, "2026-12-02")
        update(server.url, home=home, settings=FAST)
        (first.folder / "eea.json").write_text("{}", encoding="utf-8")
        refused = runner.invoke(app, ["data", "rollback"])
        assert refused.exit_code == 2
        assert "no longer matches its recorded index" in refused.stderr
        assert in_use(home)[0] == "2026-12-02"

    @pytest.mark.parametrize(
        "content", [b"{not json", b"\xff\xfe", b'{"current": "../x"}']
    )
    def test_unreadable_pointer_is_an_error_with_a_way_out(
        self, server: Server, home: Path, tmp_path: Path, content: bytes
    ) -> None:
        publish(server, tmp_path, "2026-12-01")
        update(server.url, home=home, settings=FAST)
        (home / "current.json").write_bytes(content)
        for command in (["data", "show"], ["data", "verify"], ["countries"]):
            result = runner.invoke(app, command)
            assert result.exit_code == 2, command
            assert "data update --force" in result.stderr, command
            assert "Traceback" not in result.output
        repaired = runner.invoke(
            app, ["data", "update", "--force", "--url", server.url]
        )
        assert repaired.exit_code == 0, repaired.output
        assert runner.invoke(app, ["data", "verify"]).exit_code == 0

    def test_missing_current_set_points_to_rollback(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        publish(server, tmp_path, "2026-12-01")
        update(server.url, home=home, settings=FAST)
        publish(server, tmp_path, "2026-12-02")
        second = update(server.url, home=home, settings=FAST)
        (second.folder / "adequacy.json").unlink()
        shown = runner.invoke(app, ["data", "verify"])
        assert shown.exit_code == 2
        assert "is missing from" in shown.stderr
        assert "data rollback" in shown.stderr
        back = runner.invoke(app, ["data", "rollback"])
        assert back.exit_code == 0, back.output
        assert "now in use: 2026-12-01" in back.stdout


class TestFileSystem:
    """File-system failures are clean errors; the data in use is unchanged."""

    def test_data_folder_is_a_file(self, server: Server, tmp_path: Path) -> None:
        publish(server, tmp_path, "2026-12-01")
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("x", encoding="utf-8")
        for command in (
            ["data", "update", "--url", server.url],
            ["data", "rollback"],
            ["data", "prune"],
        ):
            result = runner.invoke(
                app, command, env={"TRANSFER_ASSESS_DATA_DIR": str(blocker / "home")}
            )
            assert result.exit_code == 2, (command, result.output)
            assert "cannot change the data folder" in result.stderr
            assert "Traceback" not in result.output

    def test_disk_full_while_keeping(
        self,
        server: Server,
        home: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        publish(server, tmp_path, "2026-12-01")

        def full(*_: object) -> Path:
            raise OSError(errno.ENOSPC, "No space left on device", str(home))

        monkeypatch.setattr(store, "keep", full)
        result = runner.invoke(app, ["data", "update", "--url", server.url])
        assert result.exit_code == 2
        assert "No space left on device; the data in use is unchanged" in result.stderr
        assert in_use(home)[0] == "2026-11-28"
        assert not list(home.glob(".staging-*"))


class TestCredentials:
    """A user name and password in --url are used, never stored or shown."""

    def test_never_stored_or_printed(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        publish(server, tmp_path, "2026-12-01")
        secret_url = server.url.replace("http://", "http://reader:s3cret@")
        updated = runner.invoke(app, ["data", "update", "--url", secret_url])
        assert updated.exit_code == 0, updated.output
        stored = "".join(
            path.read_text(encoding="utf-8", errors="replace")
            for path in home.rglob("*")
            if path.is_file()
        )
        assert "s3cret" not in stored
        assert "reader" not in stored
        shown = runner.invoke(app, ["data", "show"])
        assert f"downloaded from {server.url}" in shown.stdout
        assert "s3cret" not in shown.output
        missing = runner.invoke(
            app, ["data", "update", "--url", secret_url.replace("/v1/", "/nope/")]
        )
        assert missing.exit_code == 2
        assert "HTTP 404" in missing.stderr
        assert "s3cret" not in missing.output

    def test_redact(self) -> None:
        assert fetch.redact("https://u:p@example.org/v1/") == "https://example.org/v1/"
        assert fetch.redact("https://example.org/v1/") == "https://example.org/v1/"


class TestPrune:
    """data prune keeps the newest N, the set in use and the previous one."""

    @pytest.mark.parametrize(("keep", "left"), [(1, 2), (2, 2), (3, 3), (4, 4)])
    def test_keep(
        self, server: Server, home: Path, tmp_path: Path, keep: int, left: int
    ) -> None:
        for day in ("2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"):
            publish(server, tmp_path, day)
            update(server.url, home=home, settings=FAST)
        store.rollback(home)  # 12-03 in use, 12-04 previous
        result = runner.invoke(app, ["data", "prune", "--keep", str(keep)])
        assert result.exit_code == 0, result.output
        names = sorted(path.name[:10] for path in store.versions_dir(home).iterdir())
        assert len(names) == left
        assert {"2026-12-03", "2026-12-04"} <= set(names)
        assert in_use(home)[0] == "2026-12-03"

    def test_keep_must_be_positive(self, home: Path) -> None:
        with pytest.raises(StoreError, match="at least 1"):
            store.prune(home, 0)
        result = runner.invoke(app, ["data", "prune", "--keep", "0"])
        assert result.exit_code == 2


def test_origin_file_is_json(server: Server, home: Path, tmp_path: Path) -> None:
    publish(server, tmp_path, "2026-12-01")
    result = update(server.url, home=home, settings=FAST)
    origin = json.loads((result.folder / "origin.json").read_text(encoding="utf-8"))
    assert origin["url"] == server.url
