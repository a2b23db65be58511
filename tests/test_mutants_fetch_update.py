"""
The update flow, word for word (issue 13's mutation run of fetch.py, part A).

`update` and `data show` as a user or a library caller sees them: which URL is
asked, the whole message of each refusal of the index (naming the index without the
credentials its URL carried), the date versions are checked against, the deadline
shared by the whole update, the progress reported per file, where the files are
staged, compressed answers read decoded (also with a urllib3 that has no
``read1``), the result of an update that finds its version in use, what
``origin.json`` records and every line of `describe_data`, for a data folder passed
by the caller rather than read from ``$TRANSFER_ASSESS_DATA_DIR``. The downloads go
to the real HTTP server of ``tests/test_fetch.py`` on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import urllib3
from typer.testing import CliRunner

from tests import test_fetch
from tests.test_fetch import FAST, Server, in_use, new_set
from transfer_assess import fetch, store
from transfer_assess.cli import app
from transfer_assess.fetch import (
    FetchError,
    FetchSettings,
    UpdateResult,
    describe_data,
    index_for,
    update,
    version_key,
)
from transfer_assess.refdata import REFERENCE_FILES, data_dir, digest
from transfer_assess.store import StoreError

runner = CliRunner()
# The HTTP server on 127.0.0.1, the data folder and the clock (after the test sets'
# dates): test_fetch's fixtures.
server = test_fetch.server
home = test_fetch.home
clock = test_fetch.clock


def with_credentials(url: str) -> str:
    """The same URL with a user name and password in it."""
    return url.replace("http://", "http://reader:s3cret@", 1)


# Which URL is asked: --url, else $TRANSFER_ASSESS_DATA_URL, else the project's;
# a base without a final slash gets one, so that the index is inside it.


class Offline(requests.Session):
    """A session that records the URLs asked for and reaches none of them."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:
        del kwargs
        self.asked.append(str(url))
        raise requests.exceptions.ConnectionError("offline")


@pytest.mark.parametrize(
    ("url", "variable", "asked"),
    [
        (None, None, "https://refdata.transfer-assess.org/v1/index.json"),
        (None, "https://mirror.example/refdata", "https://mirror.example/refdata/index.json"),
        ("https://own.example/v2", "https://mirror.example/", "https://own.example/v2/index.json"),
    ],
)  # fmt: skip
def test_the_url_asked(
    url: str | None,
    variable: str | None,
    asked: str,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if variable is None:
        monkeypatch.delenv(fetch.URL_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(fetch.URL_VARIABLE, variable)
    session = Offline()
    with pytest.raises(FetchError) as caught:
        update(url, home=home, settings=FAST, session=session)
    assert str(caught.value) == f"cannot reach {asked}: offline"
    assert session.asked == [asked]


# The index's refusals, each in its own words, naming the index without the
# credentials of the URL (docs/security.md: never shown, not even in messages).


def _drop_eea(index: dict[str, Any]) -> None:
    del index["files"]["eea.json"]


def _eea(field: str, *, value: object) -> Callable[[dict[str, Any]], None]:
    def change(index: dict[str, Any]) -> None:
        index["files"]["eea.json"][field] = value

    return change


def _unknown(index: dict[str, Any]) -> None:
    index["files"]["b.json"] = {"sha256": "0" * 64, "size": 2}
    index["files"]["a.json"] = {"sha256": "0" * 64, "size": 2}


def _no_version(index: dict[str, Any]) -> None:
    del index["version"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_no_version, "index.json names no version"),
        (_drop_eea, "index.json does not list eea.json"),
        (_eea("sha256", value="ABC"), "index.json: eea.json has no valid sha256"),
        (_eea("sha256", value=12), "index.json: eea.json has no valid sha256"),
        (_eea("size", value=-1), "index.json: eea.json has no valid size"),
        (_eea("size", value=True), "index.json: eea.json has no valid size"),
        (_eea("size", value="12"), "index.json: eea.json has no valid size"),
        (_unknown, "index.json lists unknown files: a.json, b.json"),
    ],
)
def test_the_index_refused(
    change: Callable[[dict[str, Any]], None],
    message: str,
    server: Server,
    home: Path,
    tmp_path: Path,
) -> None:
    folder = new_set(tmp_path, "2026-12-01")
    index = index_for(folder, "2026-12-01")
    change(index)
    server.publish(folder, "2026-12-01", index)
    before = in_use(home)
    with pytest.raises(FetchError) as caught:
        update(with_credentials(server.url), home=home, settings=FAST)
    assert str(caught.value) == server.url + message
    assert in_use(home) == before


@pytest.mark.parametrize("size", [0, 1])
def test_a_size_of_zero_is_a_size(
    size: int, server: Server, home: Path, tmp_path: Path
) -> None:
    # -1 is refused as no size (above); 0 and 1 are sizes, and each becomes the
    # limit of the download, which the real file is over.
    folder = new_set(tmp_path, "2026-12-01")
    index = index_for(folder, "2026-12-01")
    index["files"]["adequacy.json"]["size"] = size
    server.publish(folder, "2026-12-01", index)
    length = (folder / "adequacy.json").stat().st_size
    with pytest.raises(FetchError) as caught:
        update(server.url, home=home, settings=FAST)
    assert str(caught.value) == (
        f"{server.url}adequacy.json is {length:,} bytes, over the {size} limit"
    )


# Versions: a revision has at most six digits; the date is checked against the
# caller's `today`, not the clock.


@pytest.mark.parametrize("revision", ["12345", "123456"])
def test_a_revision_of_up_to_six_digits(revision: str) -> None:
    assert version_key(f"2026-12-01.{revision}") == ("2026-12-01", int(revision))


def test_a_revision_of_seven_digits_is_refused() -> None:
    with pytest.raises(FetchError) as caught:
        version_key("2026-12-01.1234567")
    assert str(caught.value) == (
        "invalid version '2026-12-01.1234567'; expected YYYY-MM-DD or YYYY-MM-DD.N"
    )


def test_the_callers_today_decides(server: Server, home: Path, tmp_path: Path) -> None:
    # The clock says 2027-01-01 (the fixture); the caller says 2026-11-30, for which
    # 2026-12-02 is two days ahead.
    server.publish(new_set(tmp_path, "2026-12-02"), "2026-12-02")
    with pytest.raises(FetchError) as caught:
        update(server.url, home=home, settings=FAST, today=date(2026, 11, 30))
    assert str(caught.value) == (
        f"{server.url}index.json: version 2026-12-02 is dated after 2026-12-01 "
        "(tomorrow); refused, since it would block every genuine update after it"
    )
    assert in_use(home)[0] == "2026-11-28"
    assert update(server.url, home=home, settings=FAST, today=date(2026, 12, 1)).changed


# The deadline is the whole update's, from the moment it holds the lock: the index
# and every file share it. fetch's monotonic clock is moved on by hand.


class Clock:
    """`time` as fetch sees it: the real monotonic clock plus seconds said to pass."""

    def __init__(self) -> None:
        self.passed = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.passed


PATIENT = FetchSettings(connect_timeout=2, read_timeout=2, retries=0, min_rate=0.0)


def test_the_files_share_the_updates_deadline(
    server: Server, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each file takes 250 of the 600 seconds: each alone would fit, the third does not.
    moved = Clock()
    monkeypatch.setattr(fetch, "time", moved)
    server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
    started: set[str] = set()

    def slow(url: str, done: int, total: int | None) -> None:
        del done, total
        if url not in started:
            started.add(url)
            moved.passed += 250

    before = in_use(home)
    with pytest.raises(FetchError) as caught:
        update(server.url, home=home, settings=PATIENT, progress=slow)
    assert str(caught.value) == (
        f"{server.url}{REFERENCE_FILES[2]}: the update took longer than its "
        "600-second deadline; stopped (the data in use is unchanged)"
    )
    assert in_use(home) == before


def test_the_index_counts_from_the_lock(
    server: Server, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Clearing an interrupted update's leftovers takes 700 seconds (a slow disk):
    # the index, fetched after it, is already past the deadline.
    moved = Clock()
    monkeypatch.setattr(fetch, "time", moved)
    clean_stale = store.clean_stale

    def slow_clean(folder: Path) -> None:
        moved.passed += 700
        clean_stale(folder)

    monkeypatch.setattr(store, "clean_stale", slow_clean)
    server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
    with pytest.raises(FetchError) as caught:
        update(server.url, home=home, settings=PATIENT)
    assert str(caught.value) == (
        f"{server.url}index.json: the update took longer than its 600-second "
        "deadline; stopped (the data in use is unchanged)"
    )


# What a download reports and where it is staged.


def test_progress_reports_every_file_and_not_the_index(
    server: Server, home: Path, tmp_path: Path
) -> None:
    folder = new_set(tmp_path, "2026-12-01")
    server.publish(folder, "2026-12-01")
    last: dict[str, tuple[int, int | None]] = {}
    staged: set[tuple[str, ...]] = set()

    def progress(url: str, done: int, total: int | None) -> None:
        last[url] = (done, total)
        staged.add(tuple(path.name for path in home.glob(".staging-*")))

    update(server.url, home=home, settings=FAST, progress=progress)
    sizes = [(folder / name).stat().st_size for name in REFERENCE_FILES]
    assert list(last.items()) == [
        (server.url + name, (size, size))
        for name, size in zip(REFERENCE_FILES, sizes, strict=True)
    ]
    # One staging folder, inside the data folder (the switch renames it in place),
    # the same for every file, and gone afterwards.
    assert len(staged) == 1
    assert len(next(iter(staged))) == 1
    assert not list(home.glob(".staging-*"))


def test_a_compressed_answer_is_read_decoded(
    server: Server, home: Path, tmp_path: Path
) -> None:
    # A server may send gzip (Content-Encoding); sizes and hashes are of the files.
    folder = new_set(tmp_path, "2026-12-01")
    server.publish(folder, "2026-12-01")
    for route in server.routes.values():
        route.queue = [
            {"body": gzip.compress(route.body), "headers": {"Content-Encoding": "gzip"}}
        ]
    result = update(server.url, home=home, settings=FAST)
    assert (result.version, result.changed) == ("2026-12-01", True)
    assert digest(result.folder) == digest(folder)


class BeforeRead1:
    """
    A response body as urllib3 before 2.2 gives it: `read`, and no `read1`.

    It is urllib3's own response, set up as requests sets it up (no decoding unless
    asked), with `read1` out of reach.
    """

    def __init__(self, body: bytes, headers: dict[str, str]) -> None:
        self._response = urllib3.HTTPResponse(
            body=io.BytesIO(body),
            headers=headers,
            preload_content=False,
            decode_content=False,
        )

    def read(self, amt: int | None = None, decode_content: bool | None = None) -> bytes:
        return self._response.read(amt, decode_content=decode_content)


@pytest.mark.parametrize("compressed", [False, True])
def test_a_body_read_without_read1(*, compressed: bool) -> None:
    # With an older urllib3 the body is still read decoded, and at most 64 KiB at a
    # time, so that the size limit and the deadline are checked as it arrives.
    body = bytes(range(256)) * 800  # 204,800 bytes
    sent, headers = (
        (gzip.compress(body), {"Content-Encoding": "gzip"})
        if compressed
        else (body, {})
    )
    response = requests.Response()
    response.raw = BeforeRead1(sent, headers)
    chunks = list(fetch._chunks(response))  # noqa: SLF001 - the read path alone
    assert b"".join(chunks) == body
    assert max(len(chunk) for chunk in chunks) <= 65536


def test_a_file_in_place_of_the_versions_folder(
    server: Server, home: Path, tmp_path: Path
) -> None:
    # The message names the data folder the caller gave and the path that failed.
    server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
    home.mkdir(parents=True)
    (home / "versions").write_text("", encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        update(server.url, home=home, settings=FAST)
    assert str(caught.value) == (
        f"cannot change the data folder {home}: {home / 'versions'}: File exists; "
        "the data in use is unchanged"
    )


# A data folder passed by the caller, while $TRANSFER_ASSESS_DATA_DIR names another:
# the update and `describe_data` read the caller's, all of it.

TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+00:00")


def test_the_callers_data_folder_is_the_one_read(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSFER_ASSESS_DATA_DIR", str(tmp_path / "elsewhere"))
    own = tmp_path / "own"
    server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
    first = update(server.url, home=own, settings=FAST)
    assert first.previous == "2026-11-28"
    # The same version again: nothing downloaded, the set in use named.
    again = update(server.url, home=own, settings=FAST)
    assert again == UpdateResult(
        "2026-12-01", "2026-12-01", changed=False, folder=first.folder
    )

    server.publish(new_set(tmp_path, "2026-12-02"), "2026-12-02")
    start = datetime.now(UTC).replace(microsecond=0)
    second = update(with_credentials(server.url), home=own, settings=FAST)
    end = datetime.now(UTC)
    assert (second.version, second.previous) == ("2026-12-02", "2026-12-01")

    origin = json.loads((second.folder / "origin.json").read_text(encoding="utf-8"))
    fetched = origin["fetched"]
    assert TIMESTAMP.fullmatch(fetched), fetched
    assert start <= datetime.fromisoformat(fetched) <= end
    assert origin == {
        "url": server.url,
        "version": "2026-12-02",
        "sha256": digest(second.folder),
        "fetched": fetched,
    }
    assert describe_data(own) == [
        ("version", "2026-12-02"),
        ("as of", "2026-11-28"),
        ("sha256", digest(second.folder)),
        ("origin", f"downloaded from {server.url} on {fetched}"),
        ("folder", str(second.folder)),
        ("previous", f"2026-12-01 ({first.folder})"),
        ("data folder", str(own)),
    ]


def test_a_previous_set_that_cannot_be_read(
    server: Server, home: Path, tmp_path: Path
) -> None:
    server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
    result = update(server.url, home=home, settings=FAST)
    gone = "2026-11-01-000000000000"
    pointer = {"current": result.folder.name, "previous": gone}
    (home / "current.json").write_text(json.dumps(pointer), encoding="utf-8")
    assert dict(describe_data(home))["previous"] == f"{gone} (unreadable)"


def test_a_downloaded_set_keeps_the_published_index(server: Server, home: Path) -> None:
    # A copy of the packaged set, downloaded: its folder holds index.json exactly as
    # the package's data/index.json, so it can be published as a mirror as it is.
    server.publish(data_dir(), "2026-11-28")
    result = update(server.url, home=home, settings=FAST, force=True)
    assert (result.folder / "index.json").read_bytes() == (
        data_dir() / "index.json"
    ).read_bytes()


@pytest.mark.usefixtures("home")
def test_the_command_says_what_it_did(server: Server, tmp_path: Path) -> None:
    server.publish(new_set(tmp_path, "2026-12-01"), "2026-12-01")
    first = runner.invoke(app, ["data", "update", "--url", server.url])
    assert first.exit_code == 0, first.output
    assert first.stdout == (
        "reference data 2026-12-01 in use (was 2026-11-28); "
        "'transfer-assess data rollback' goes back\n"
    )
    again = runner.invoke(app, ["data", "update", "--url", server.url])
    assert again.exit_code == 0, again.output
    assert again.stdout == "reference data 2026-12-01 is already in use\n"
