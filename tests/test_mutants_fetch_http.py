"""
How the update client talks HTTP (issue 13's mutation run of fetch.py, part B).

Pins what docs/security.md and docs/reference-data.md promise of a download: HTTPS
only, with the refusal worded whole; no password shown, even one holding an ``@``;
the retries (how many, on which answers, over TLS as over plain HTTP) and the
``User-Agent`` of the session; redirects followed by hand, five at most; progress
reported per file with its size; one deadline for the whole update; the minimum rate
once the read timeout has passed, on the second before, of and after each limit; and
the exact message of every way a request can fail. Against the real HTTP server of
test_fetch on 127.0.0.1; the clock of the pace checks is set by hand where a limit's
exact second matters.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests import test_fetch
from tests.test_boundary_fetch import unsized_server
from tests.test_fetch import FAST, Route, Server, in_use, new_set
from transfer_assess import fetch
from transfer_assess.fetch import (
    FetchError,
    FetchSettings,
    _check_pace,
    _scrub,
    check_url,
    make_session,
    redact,
    update,
)
from transfer_assess.refdata import REFERENCE_FILES

# The HTTP server on 127.0.0.1, the data folder and the date: test_fetch's fixtures.
server = test_fetch.server
home = test_fetch.home
clock = test_fetch.clock

UNCHANGED = "stopped (the data in use is unchanged)"


def set_clock(monkeypatch: pytest.MonkeyPatch, now: Callable[[], float]) -> None:
    """The update client's monotonic clock reads `now()` (nothing else's does)."""
    monkeypatch.setattr(fetch, "time", SimpleNamespace(monotonic=now))


def moved(location: str) -> dict[str, object]:
    """A queued answer redirecting to `location`."""
    return {"status": 302, "body": b"", "headers": {"Location": location}}


class TestUrls:
    """HTTPS only, and no password in any message or stored URL."""

    def test_the_refusal_is_worded_whole_without_the_password(self) -> None:
        # docs/security.md: plain HTTP only to a loopback address; the password of an
        # update URL is never printed.
        with pytest.raises(FetchError) as raised:
            check_url("http://reader:s3cret@mirror.example/v1/")
        assert str(raised.value) == (
            "refusing 'http://mirror.example/v1/': reference data is fetched over "
            "HTTPS only (plain HTTP only from a loopback address)"
        )

    def test_a_password_holding_an_at_sign_is_removed_whole(self) -> None:
        # URL parsers take the host after the last "@", so "p@ss" is the password.
        url = "https://reader:p@ss@mirror.example:8443/v1/?mirror=eu"
        assert redact(url) == "https://mirror.example:8443/v1/?mirror=eu"
        assert _scrub(f"cannot reach {url} (twice: {url})") == (
            "cannot reach https://mirror.example:8443/v1/?mirror=eu "
            "(twice: https://mirror.example:8443/v1/?mirror=eu)"
        )

    def test_a_failed_download_never_shows_part_of_the_password(
        self, server: Server, home: Path
    ) -> None:
        # The download uses the credentials; its message names the URL without them.
        # (The server knows no index.json: it answers 404.)
        url = server.url.replace("http://", "http://reader:p@ss@")
        with pytest.raises(FetchError) as raised:
            update(url, home=home, settings=FAST)
        assert str(raised.value) == f"{server.url}index.json answered HTTP 404"


class NotTls:
    """
    A TCP server on 127.0.0.1 that answers a TLS handshake in plain HTTP and hangs up.

    It counts the connections, and stops listening after `most` of them, so that a
    client retrying without end meets refused connections instead.
    """

    def __init__(self, most: int = 8) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"https://127.0.0.1:{self.listener.getsockname()[1]}/v1/"
        self.connections = 0
        self.most = most
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        """Accept, read the client's hello, answer in plain text, close."""
        with self.listener:
            while self.connections < self.most:
                try:
                    connection, _ = self.listener.accept()
                except OSError:
                    return
                self.connections += 1
                with connection:
                    connection.recv(65536)
                    connection.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")

    def close(self) -> None:
        """Stop listening."""
        self.listener.close()


@pytest.fixture
def not_tls() -> Iterator[NotTls]:
    running = NotTls()
    yield running
    running.close()


class TestSession:
    """The session's retries, over HTTPS as over HTTP, and its name."""

    def test_the_session_is_configured_from_the_settings(self) -> None:
        # FetchSettings: `retries` per request, `backoff` as the backoff factor;
        # docs/reference-data.md: the answers retried and the User-Agent.
        session = make_session(FetchSettings(retries=4, backoff=0.25))
        for url in ("https://mirror.example/v1/", "http://127.0.0.1:8080/v1/"):
            adapter = session.get_adapter(url)
            assert isinstance(adapter, HTTPAdapter)
            retry = adapter.max_retries
            assert (retry.total, retry.backoff_factor, retry.status_forcelist) == (
                4, 0.25, (500, 502, 503, 504)
            )  # fmt: skip
        assert session.headers["User-Agent"] == "transfer-assess reference-data update"

    def test_a_failed_tls_handshake_is_retried_then_reported(
        self, not_tls: NotTls, home: Path
    ) -> None:
        # FAST allows 2 retries: 3 connections, then one line naming the TLS error.
        with pytest.raises(FetchError) as raised:
            update(not_tls.url, home=home, settings=FAST)
        assert not_tls.connections == 3
        # The reason is OpenSSL's own text (here "[SSL: WRONG_VERSION_NUMBER] wrong
        # version number (_ssl.c:NNNN)"), worded by the OpenSSL the machine has.
        expected = (
            rf"cannot reach {re.escape(not_tls.url)}index\.json: \[SSL: [A-Z_]+\] .+"
        )
        assert re.fullmatch(expected, str(raised.value))

    @pytest.mark.parametrize(
        ("status", "tries"),
        [(500, 3), (502, 3), (503, 3), (504, 3), (404, 1), (501, 1), (505, 1)],
    )
    def test_which_answers_are_retried(
        self, server: Server, home: Path, status: int, tries: int
    ) -> None:
        # 500, 502, 503 and 504 may pass; 501 and 505 will not, nor will a 404.
        server.routes["/v1/index.json"] = Route(b"", status)
        with pytest.raises(FetchError) as raised:
            update(server.url, home=home, settings=FAST)
        assert str(raised.value) == f"{server.url}index.json answered HTTP {status}"
        assert server.routes["/v1/index.json"].hits == tries


class TestRequests:
    """Redirects, progress and the message of each failed request."""

    def redirects(self, server: Server, tmp_path: Path, count: int) -> None:
        """Publish a set whose index is reached through `count` redirects."""
        server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
        index = server.routes.pop("/v1/index.json")
        # Relative targets, resolved against the URL that answered.
        server.routes["/v1/index.json"] = Route(b"")
        server.routes["/v1/index.json"].queue = [moved("hop-1")]
        for hop in range(1, count):
            server.routes[f"/v1/hop-{hop}"] = Route(b"")
            server.routes[f"/v1/hop-{hop}"].queue = [moved(f"/v1/hop-{hop + 1}")]
        server.routes[f"/v1/hop-{count}"] = index

    def test_five_redirects_are_followed(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        self.redirects(server, tmp_path, 5)
        assert update(server.url, home=home, settings=FAST).version == "2026-12-01"
        assert server.routes["/v1/hop-5"].hits == 1

    def test_a_sixth_redirect_is_refused(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        self.redirects(server, tmp_path, 6)
        with pytest.raises(FetchError) as raised:
            update(server.url, home=home, settings=FAST)
        assert str(raised.value) == f"{server.url}index.json: more than 5 redirects"
        assert server.routes["/v1/hop-6"].hits == 0
        assert in_use(home)[0] == "2026-11-28"

    def test_progress_reports_each_file_with_its_size(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        # update's `progress(url, bytes_so_far, total_or_None)`, for the files only.
        folder = new_set(tmp_path, "2026-12-01")
        server.publish(folder, "2026-12-01")
        calls: list[tuple[str, int, int | None]] = []

        def progress(url: str, done: int, total: int | None) -> None:
            calls.append((url, done, total))

        update(server.url, home=home, settings=FAST, progress=progress)
        sizes = {
            server.url + name: (folder / name).stat().st_size
            for name in REFERENCE_FILES
        }
        assert list(dict.fromkeys(url for url, _, _ in calls)) == list(sizes)
        for url, size in sizes.items():
            reported = [(done, total) for at, done, total in calls if at == url]
            assert reported[-1] == (size, size)
            assert {total for _, total in reported} == {size}
            done = [done for done, _ in reported]
            assert done == sorted(set(done))
        # adequacy.json is larger than one read (64 KiB): its bytes add up.
        assert sizes[server.url + "adequacy.json"] > 65536
        assert len([call for call in calls if call[0].endswith("/adequacy.json")]) > 1

    def test_a_body_over_the_limit_across_reads_is_refused(self, home: Path) -> None:
        # 100,000 bytes without a Content-Length arrive in reads of at most 64 KiB,
        # each under the 80,000-byte limit: the bytes read so far count together.
        with (
            unsized_server(b" " * 100_000) as url,
            pytest.raises(FetchError) as raised,
        ):
            update(url, home=home, settings=FetchSettings(max_index_bytes=80_000))
        assert str(raised.value) == f"{url}index.json is over the 80,000-byte limit"

    def test_no_answer_in_time(self, server: Server, home: Path) -> None:
        # A session of the caller's without retries: the read timeout itself.
        server.routes["/v1/index.json"] = Route(b"{}")
        server.routes["/v1/index.json"].queue = [{"delay": 2}]
        settings = FetchSettings(read_timeout=0.2, retries=0)
        with pytest.raises(FetchError) as raised:
            update(server.url, home=home, settings=settings, session=requests.Session())
        assert str(raised.value) == f"no answer from {server.url}index.json in time"

    def test_a_url_that_cannot_be_parsed(self, home: Path) -> None:
        # A port out of range passes check_url (the host is a loopback address).
        with pytest.raises(FetchError) as raised:
            update("http://127.0.0.1:99999/", home=home, settings=FAST)
        url = "http://127.0.0.1:99999/index.json"
        assert str(raised.value) == f"cannot fetch {url}: Failed to parse: {url}"

    def test_a_truncated_body_says_what_broke(
        self, server: Server, home: Path, tmp_path: Path
    ) -> None:
        folder = new_set(tmp_path, "2026-12-01")
        server.publish(folder, "2026-12-01")
        size = len((folder / "eea.json").read_bytes())
        cut: dict[str, object] = {"body": b"{" * 1000, "length": size}
        server.routes["/v1/eea.json"].queue = [cut]
        with pytest.raises(FetchError) as raised:
            update(server.url, home=home, settings=FAST)
        incomplete = f"IncompleteRead(1000 bytes read, {size - 1000} more expected)"
        # urllib3's error holds its message and the IncompleteRead again: the
        # message alone is given, not the pair.
        assert str(raised.value) == (
            f"download of {server.url}eea.json broke off: "
            f"Connection broken: {incomplete}"
        )


class TestPace:
    """The update's deadline and each file's minimum rate, to the second."""

    URL = "https://mirror.example/v1/adequacy.json"
    # Started at 0 with the update's deadline at 1,000: 600 seconds from -400.
    SETTINGS = FetchSettings(read_timeout=30, min_rate=1024, deadline=600)

    def pace(self, monkeypatch: pytest.MonkeyPatch, now: float, size: int) -> None:
        """Check `size` bytes of a file started at 0, at `now`."""
        set_clock(monkeypatch, lambda: now)
        _check_pace(self.URL, size, 0.0, 1000.0, self.SETTINGS)

    def test_the_deadline_on_the_second_before_of_and_after(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        fast_enough = 2_000_000
        self.pace(monkeypatch, 999, fast_enough)
        self.pace(monkeypatch, 1000, fast_enough)
        with pytest.raises(FetchError) as raised:
            self.pace(monkeypatch, 1001, fast_enough)
        assert str(raised.value) == (
            f"{self.URL}: the update took longer than its 600-second deadline; "
            f"{UNCHANGED}"
        )

    def test_the_rate_is_judged_only_after_the_read_timeout(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Nothing arrived yet: tolerated for the 30 seconds of the read timeout.
        self.pace(monkeypatch, 29, 0)
        self.pace(monkeypatch, 30, 0)
        with pytest.raises(FetchError) as raised:
            self.pace(monkeypatch, 31, 0)
        assert str(raised.value) == (
            f"{self.URL} arrives at 0 bytes per second, below the minimum of 1,024; "
            f"{UNCHANGED}"
        )

    def test_the_minimum_rate_on_the_byte_before_of_and_after(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # 32 seconds in: 1,023, 1,024 and 1,025 bytes a second on average.
        with pytest.raises(FetchError) as raised:
            self.pace(monkeypatch, 32, 1023 * 32)
        assert str(raised.value) == (
            f"{self.URL} arrives at 1,023 bytes per second, below the minimum of "
            f"1,024; {UNCHANGED}"
        )
        self.pace(monkeypatch, 32, 1024 * 32)
        self.pace(monkeypatch, 32, 1025 * 32)

    def test_the_deadline_is_the_whole_updates(
        self,
        server: Server,
        home: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        # Each file takes 30 seconds of the clock, within its own pace; the fourth
        # ends past the update's 100-second deadline, counted from the update's start.
        server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
        now = [0.0]
        set_clock(monkeypatch, lambda: now[0])

        def progress(url: str, done: int, total: int | None) -> None:
            del url
            if done == total:
                now[0] += 30

        settings = FetchSettings(read_timeout=60, retries=0, deadline=100)
        with pytest.raises(FetchError) as raised:
            update(server.url, home=home, settings=settings, progress=progress)
        assert str(raised.value) == (
            f"{server.url}{REFERENCE_FILES[3]}: the update took longer than its "
            f"100-second deadline; {UNCHANGED}"
        )
        assert in_use(home)[0] == "2026-11-28"
