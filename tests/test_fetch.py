"""Reference-data updates against a real HTTP server on 127.0.0.1 (no mocking)."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES
from transfer_assess import fetch, store
from transfer_assess.cli import app
from transfer_assess.fetch import (
    FetchError,
    FetchSettings,
    check_url,
    describe_data,
    index_for,
    update,
    verify,
    version_key,
)
from transfer_assess.refdata import REFERENCE_FILES, data_dir, load_reference_data

FAST = FetchSettings(connect_timeout=2, read_timeout=2, retries=2, backoff=0.01)
runner = CliRunner()


class Route:
    """What the server answers for one path: a queue of responses, then a default."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        self.body = body
        self.status = status
        self.queue: list[dict[str, Any]] = []
        self.hits = 0


class Server:
    """A ThreadingHTTPServer on 127.0.0.1:0 serving `routes`."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                route = routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                route.hits += 1
                answer: dict[str, Any] = route.queue.pop(0) if route.queue else {}
                status = answer.get("status", route.status)
                body = answer.get("body", route.body)
                time.sleep(answer.get("delay", 0))
                self.send_response(status)
                for name, header in answer.get("headers", {}).items():
                    self.send_header(name, header)
                self.send_header("Content-Length", str(answer.get("length", len(body))))
                self.end_headers()
                trickle = answer.get("trickle")
                if trickle is None:
                    self.wfile.write(body)
                    return
                # One byte at a time, `trickle` seconds apart, until the client leaves.
                for byte in body:
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(trickle)

            def log_message(self, *args: object) -> None:
                del args

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1/"

    def publish(
        self, folder: Path, version: str, index: dict[str, Any] | None = None
    ) -> None:
        index = index or index_for(folder, version)
        self.routes["/v1/index.json"] = Route(json.dumps(index).encode())
        for name in REFERENCE_FILES:
            self.routes[f"/v1/{name}"] = Route((folder / name).read_bytes())

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Versions of these tests are dated up to 2026-12-31; the clock is after them."""
    monkeypatch.setattr(fetch, "_today", lambda: date(2027, 1, 1))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("TRANSFER_ASSESS_DATA_DIR", str(folder))
    return folder


def new_set(tmp_path: Path, version: str, change: Any = None) -> Path:
    """A copy of the packaged data as version `version`, optionally changed."""
    folder = tmp_path / f"set-{version}"
    shutil.copytree(data_dir(), folder, ignore=shutil.ignore_patterns("scc_templates"))
    adequacy = json.loads((folder / "adequacy.json").read_text(encoding="utf-8"))
    adequacy["version"] = version
    if change is not None:
        change(adequacy)
    (folder / "adequacy.json").write_text(
        json.dumps(adequacy, indent=2), encoding="utf-8"
    )
    return folder


def in_use(home: Path) -> tuple[str, str]:
    info = dict(describe_data(home))
    return info["version"], info["sha256"]


class TestUpdate:
    """data update: success and every way it can fail, data unchanged on failure."""

    def test_success_then_rollback(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
        result = update(server.url, home=home, settings=FAST)
        assert (result.changed, result.version, result.previous) == (
            True, "2026-12-01", "2026-11-28"
        )  # fmt: skip
        assert load_reference_data().version == "2026-12-01"
        info = dict(describe_data(home))
        assert info["origin"].startswith(f"downloaded from {server.url}")
        assert info["previous"] == "none kept"
        assert verify() == []
        again = update(server.url, home=home, settings=FAST)
        assert not again.changed
        server.publish(new_set(tmp_path, "2026-12-02"), "2026-12-02")
        update(server.url, home=home, settings=FAST)
        assert dict(describe_data(home))["previous"].startswith("2026-12-01")
        store.rollback(home)
        assert load_reference_data().version == "2026-12-01"

    def test_404(self, server: Server, home: Path) -> None:
        before = in_use(home)
        with pytest.raises(FetchError, match="answered HTTP 404"):
            update(server.url, home=home, settings=FAST)
        assert in_use(home) == before

    def test_500_then_success(self, server: Server, home: Path, tmp_path: Path) -> None:
        server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
        server.routes["/v1/index.json"].queue = [{"status": 500, "body": b""}]
        server.routes["/v1/eea.json"].queue = [{"status": 503, "body": b""}]
        assert update(server.url, home=home, settings=FAST).changed
        assert server.routes["/v1/index.json"].hits == 2
        assert server.routes["/v1/eea.json"].hits == 2

    def test_persistent_500(self, server: Server, home: Path, tmp_path: Path) -> None:
        server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
        server.routes["/v1/index.json"].status = 500
        before = in_use(home)
        with pytest.raises(FetchError, match="HTTP 500"):
            update(server.url, home=home, settings=FAST)
        assert in_use(home) == before

    def test_connection_refused(self, home: Path) -> None:
        probe = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
        port = probe.server_address[1]
        probe.server_close()
        # One line, the operating system's reason, no urllib3 object dump.
        expected = (
            rf"^cannot reach http://127\.0\.0\.1:{port}/index\.json: "
            "connection refused$"
        )
        with pytest.raises(FetchError, match=expected):
            update(f"http://127.0.0.1:{port}/", home=home, settings=FAST)

    def test_slow_server(self, server: Server, home: Path, tmp_path: Path) -> None:
        server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
        server.routes["/v1/index.json"].queue = [{"delay": 1.5}] * 3
        settings = FetchSettings(read_timeout=0.5, retries=0)
        before = in_use(home)
        with pytest.raises(FetchError, match=r"in time|broke off|cannot"):
            update(server.url, home=home, settings=settings)
        assert in_use(home) == before

    def test_truncated_body(self, server: Server, home: Path, tmp_path: Path) -> None:
        folder = new_set(tmp_path, "2026-12-01")
        server.publish(folder, "2026-12-01")
        body = (folder / "adequacy.json").read_bytes()
        cut = {"body": body[:1000], "length": len(body)}
        server.routes["/v1/adequacy.json"].queue = [cut] * 4
        before = in_use(home)
        with pytest.raises(FetchError):
            update(server.url, home=home, settings=FAST)
        assert in_use(home) == before
        assert not list(home.glob(".staging-*"))

    def test_wrong_sha256(self, server: Server, home: Path, tmp_path: Path) -> None:
        folder = new_set(tmp_path, "2026-12-01")
        index = index_for(folder, "2026-12-01")
        index["files"]["eea.json"]["sha256"] = "0" * 64
        server.publish(folder, "2026-12-01", index)
        with pytest.raises(FetchError, match=r"eea\.json does not match its sha256"):
            update(server.url, home=home, settings=FAST)
        assert in_use(home)[0] == "2026-11-28"

    def test_right_hash_invalid_content(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        def eea_member(adequacy: dict[str, Any]) -> None:
            adequacy["entries"][0]["country"] = "FR"

        server.publish(new_set(tmp_path, "2026-12-01", eea_member), "2026-12-01")
        with pytest.raises(FetchError, match="FR is inside the EEA"):
            update(server.url, home=home, settings=FAST)
        assert in_use(home)[0] == "2026-11-28"

    def test_downgrade_refused_unless_forced(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        server.publish(new_set(tmp_path, "2026-01-01"), "2026-01-01")
        with pytest.raises(FetchError, match="older than 2026-11-28"):
            update(server.url, home=home, settings=FAST)
        assert update(server.url, home=home, settings=FAST, force=True).changed
        assert in_use(home)[0] == "2026-01-01"

    def test_redirect_to_plain_http_is_refused(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
        moved = {
            "status": 302,
            "body": b"",
            "headers": {"Location": "http://example.org/x"},
        }
        server.routes["/v1/index.json"].queue = [moved]
        with pytest.raises(FetchError, match="HTTPS only"):
            update(server.url, home=home, settings=FAST)
        assert in_use(home)[0] == "2026-11-28"

    def test_version_mismatch(self, server: Server, home: Path, tmp_path: Path) -> None:
        folder = new_set(tmp_path, "2026-12-01")
        server.publish(folder, "2026-12-05")
        with pytest.raises(FetchError, match=r"adequacy\.json says 2026-12-01"):
            update(server.url, home=home, settings=FAST)

    def test_size_limit(self, server: Server, home: Path, tmp_path: Path) -> None:
        server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
        with pytest.raises(FetchError, match="limit"):
            update(server.url, home=home, settings=FetchSettings(max_index_bytes=10))

    def test_bad_index(self, server: Server, home: Path) -> None:
        for body, message in (
            (b"{", "not valid JSON"),
            (b'{"schema": "x"}', "not a reference-data index"),
            (b'{"schema": "transfer-assess/refdata-index@1", "version": "soon"}',
             "invalid version"),
            (b'{"schema": "transfer-assess/refdata-index@1", "version": "2027-01-01"}',
             "lists no files"),
        ):  # fmt: skip
            server.routes["/v1/index.json"] = Route(body)
            with pytest.raises(FetchError, match=message):
                update(server.url, home=home, settings=FAST)


class TestSafety:
    """HTTPS only; crashes and concurrency never leave a mix."""

    @pytest.mark.parametrize(
        "url",
        ["http://example.org/", "ftp://127.0.0.1/", "file:///etc/", "http://10.0.0.1/"],
    )
    def test_https_only(self, url: str) -> None:
        with pytest.raises(FetchError, match="HTTPS only"):
            check_url(url)

    @pytest.mark.parametrize(
        "url",
        [
            "https://example.org/",
            "http://127.0.0.1:8/",
            "http://localhost/",
            "http://[::1]/",
        ],
    )
    def test_allowed(self, url: str) -> None:
        check_url(url)

    def test_version_order(self) -> None:
        assert (
            version_key("2026-11-28")
            < version_key("2026-11-28.1")
            < version_key("2026-11-29")
        )

    def test_killed_between_download_and_switch(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
        script = (
            "import sys, time\n"
            "import transfer_assess.store as store\n"
            "def stop(*args, **kwargs):\n"
            "    print('downloaded', flush=True)\n"
            "    time.sleep(60)\n"
            "store.switch = stop\n"
            "from transfer_assess.cli import main\n"
            "sys.argv = ['transfer-assess', 'data', 'update', '--url', sys.argv[1]]\n"
            "main()\n"
        )
        with subprocess.Popen(
            [sys.executable, "-c", script, server.url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "downloaded"
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=10)
        assert in_use(home)[0] == "2026-11-28"
        assert load_reference_data().version == "2026-11-28"
        assert update(server.url, home=home, settings=FAST).changed
        assert in_use(home)[0] == "2026-12-01"

    def test_two_updates_at_once(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "transfer_assess",
                    "data",
                    "update",
                    "--url",
                    server.url,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for process in processes:
            _, errors = process.communicate(timeout=60)
            assert process.returncode == 0, errors
        assert in_use(home)[0] == "2026-12-01"
        assert verify() == []
        assert len(list(store.versions_dir(home).iterdir())) == 1


class TestCommands:
    """transfer-assess data … and --refdata."""

    @pytest.mark.usefixtures("home")
    def test_show_update_verify_rollback(self, server: Server, tmp_path: Path) -> None:
        shown = runner.invoke(app, ["data", "show"])
        assert shown.exit_code == 0
        assert "origin: packaged with transfer-assess" in shown.stdout
        assert runner.invoke(app, ["data", "verify"]).exit_code == 0
        nothing = runner.invoke(app, ["data", "rollback"])
        assert nothing.exit_code == 2
        assert "nothing to roll back to" in nothing.stderr
        server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
        updated = runner.invoke(app, ["data", "update", "--url", server.url])
        assert updated.exit_code == 0, updated.output
        assert "reference data 2026-12-01 in use (was 2026-11-28)" in updated.stdout
        same = runner.invoke(app, ["data", "update", "--url", server.url])
        assert "already in use" in same.stdout
        server.publish(new_set(tmp_path, "2026-12-02"), "2026-12-02")
        runner.invoke(app, ["data", "update", "--url", server.url])
        back = runner.invoke(app, ["data", "rollback"])
        assert back.exit_code == 0
        assert "now in use: 2026-12-01" in back.stdout

    @pytest.mark.usefixtures("home")
    def test_failures_exit_2(self, server: Server) -> None:
        failed = runner.invoke(app, ["data", "update", "--url", server.url])
        assert failed.exit_code == 2
        assert "HTTP 404" in failed.stderr
        insecure = runner.invoke(
            app, ["data", "update", "--url", "http://example.org/"]
        )
        assert insecure.exit_code == 2
        assert "HTTPS only" in insecure.stderr

    def test_verify_detects_tampering(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
        result = update(server.url, home=home, settings=FAST)
        (result.folder / "eea.json").write_text("{}", encoding="utf-8")
        checked = runner.invoke(app, ["data", "verify"])
        assert checked.exit_code == 2
        assert "eea.json: sha256 differs" in checked.stderr

    def test_refdata_option(self, tmp_path: Path) -> None:
        own = new_set(tmp_path, "2026-11-28.1")
        example = str(EXAMPLES / "small.yaml")
        result = runner.invoke(
            app, ["assess", example, "--format", "json", "--refdata", str(own)]
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["reference_data"]["version"] == "2026-11-28.1"
        broken = new_set(tmp_path, "x", lambda value: value.pop("entries"))
        refused = runner.invoke(app, ["assess", example, "--refdata", str(broken)])
        assert refused.exit_code == 2
        assert "invalid reference data" in refused.stderr
        missing = runner.invoke(
            app,
            ["report", example, "--output", str(tmp_path / "r"),
             "--refdata", str(tmp_path / "nope")],
        )  # fmt: skip
        assert missing.exit_code == 2
        assert "no such folder" in missing.stderr
