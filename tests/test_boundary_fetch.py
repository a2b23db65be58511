"""The update client's guards, each told apart by its message (real HTTP on 127.0.0.1).

Each test provokes one guard and asserts the message only that guard gives, so that
a guard that stopped working cannot hide behind another one that also fires.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.test_fetch import FAST, Server, in_use, new_set
from transfer_assess import fetch, store
from transfer_assess.fetch import FetchError, FetchSettings, index_for, update, verify


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data home, with the clock after the test sets' date (2026-12-01)."""
    monkeypatch.setattr(fetch, "_today", lambda: date(2027, 1, 1))
    monkeypatch.setenv("TRANSFER_ASSESS_DATA_DIR", str(tmp_path / "data-home"))
    return tmp_path / "data-home"


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


def test_unknown_index_file_is_refused(
    server: Server, home: Path, tmp_path: Path
) -> None:
    folder = new_set(tmp_path, "2026-12-01")
    index = index_for(folder, "2026-12-01")
    index["files"]["extra.json"] = {"sha256": "0" * 64, "size": 2}
    server.publish(folder, "2026-12-01", index)
    before = in_use(home)
    with pytest.raises(FetchError, match=r"lists unknown files: extra\.json$"):
        update(server.url, home=home, settings=FAST)
    assert in_use(home) == before


def test_file_shorter_than_the_index_says(
    server: Server, home: Path, tmp_path: Path
) -> None:
    # The right hash but one byte more in the index: the size check must refuse it
    # before the hash is compared.
    folder = new_set(tmp_path, "2026-12-01")
    index = index_for(folder, "2026-12-01")
    size = index["files"]["eea.json"]["size"]
    index["files"]["eea.json"]["size"] = size + 1
    server.publish(folder, "2026-12-01", index)
    expected = rf"eea\.json has {size:,} bytes, the index says {size + 1:,}$"
    with pytest.raises(FetchError, match=expected):
        update(server.url, home=home, settings=FAST)
    assert in_use(home)[0] == "2026-11-28"


def test_declared_length_over_the_limit(
    server: Server, home: Path, tmp_path: Path
) -> None:
    # The Content-Length guard fires before any byte of the body is read.
    server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
    length = len(server.routes["/v1/index.json"].body)
    expected = rf"index\.json is {length:,} bytes, over the 10 limit$"
    with pytest.raises(FetchError, match=expected):
        update(server.url, home=home, settings=FetchSettings(max_index_bytes=10))


class _Unsized(BaseHTTPRequestHandler):
    """Answers with a body and no Content-Length (HTTP/1.0: the close ends it)."""

    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        del args


@contextlib.contextmanager
def unsized_server(body: bytes) -> Iterator[str]:
    """A server on 127.0.0.1 answering every GET with `body`; yields its base URL."""
    handler = type("Handler", (_Unsized,), {"body": body})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def unsized() -> Iterator[str]:
    with unsized_server(b"{" + b" " * 4096 + b"}") as url:
        yield url


def test_streamed_body_over_the_limit(unsized: str, home: Path) -> None:
    # No Content-Length to check: the guard counting the bytes read must fire.
    expected = r"index\.json is over the 100-byte limit$"
    with pytest.raises(FetchError, match=expected):
        update(unsized, home=home, settings=FetchSettings(max_index_bytes=100))


def test_truncated_body_says_it_broke_off(
    server: Server, home: Path, tmp_path: Path
) -> None:
    folder = new_set(tmp_path, "2026-12-01")
    server.publish(folder, "2026-12-01")
    body = (folder / "adequacy.json").read_bytes()
    cut: dict[str, Any] = {"body": body[:1000], "length": len(body)}
    server.routes["/v1/adequacy.json"].queue = [cut] * 4
    with pytest.raises(FetchError, match=r"download of \S+adequacy\.json broke off"):
        update(server.url, home=home, settings=FAST)
    assert not list(home.glob(".staging-*"))


def test_verify_checks_the_size(server: Server, home: Path, tmp_path: Path) -> None:
    # The files are intact (their hashes match) but the recorded size is wrong.
    server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
    result = update(server.url, home=home, settings=FAST)
    recorded_path = result.folder / "index.json"
    recorded = json.loads(recorded_path.read_text(encoding="utf-8"))
    recorded["files"]["eea.json"]["size"] += 1
    recorded_path.write_text(json.dumps(recorded), encoding="utf-8")
    assert verify() == [
        f"{result.folder / 'eea.json'}: size differs from the recorded one"
    ]
    assert store.check_set(result.folder) == verify()
