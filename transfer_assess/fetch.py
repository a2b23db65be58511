"""
Reference-data updates over HTTPS: verified, atomic, reversible.

`update` reads ``index.json`` at a base URL (``{"schema":
"transfer-assess/refdata-index@1", "version": "YYYY-MM-DD[.N]", "files": {name:
{"sha256": …, "size": …}}}``), downloads each file of the set from the same base, checks
size and SHA-256, validates the set with the same validators as the packaged data,
refuses a version older than the one in use (unless forced) or dated more than a day
ahead, and switches to it atomically (see `transfer_assess.store`). A whole update has
a deadline and every file a minimum rate, so that a server trickling bytes cannot
hold the data folder's lock for hours. User names and passwords in the URL are used
for the download but never written to disk or shown. This is the only module that
imports requests; its exceptions become `FetchError` here.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import time
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import attrs
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError
from urllib3.util.retry import Retry

from transfer_assess import store
from transfer_assess.errors import TransferAssessError
from transfer_assess.profiles import load_country_profiles, load_supervisory_authorities
from transfer_assess.refdata import (
    REFERENCE_FILES,
    active_dir,
    data_dir,
    digest,
    load_reference_data,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

#: Where the project publishes reference data (overridden by the variable below).
DEFAULT_URL = "https://refdata.transfer-assess.org/v1/"
#: Environment variable that overrides the update URL.
URL_VARIABLE = "TRANSFER_ASSESS_DATA_URL"
INDEX_SCHEMA = "transfer-assess/refdata-index@1"
_VERSION = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:\.([0-9]+))?")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_REDIRECTS = 5
_MAX_REVISION_DIGITS = 6


class FetchError(TransferAssessError):
    """A download or its verification failed; the data in use is unchanged."""


@attrs.frozen
class FetchSettings:
    """Network limits of an update."""

    connect_timeout: float = 5.0
    """Seconds to wait for a connection."""
    read_timeout: float = 30.0
    """Seconds to wait for data."""
    retries: int = 3
    """Retries of each request on connection errors and answers 500, 502, 503, 504."""
    backoff: float = 0.5
    """Backoff factor between retries, in seconds (exponential backoff)."""
    max_file_bytes: int = 50 * 1024 * 1024
    """Largest file accepted."""
    max_index_bytes: int = 1024 * 1024
    """Largest index accepted."""
    deadline: float = 600.0
    """Seconds the whole update may take, all files together."""
    min_rate: float = 1024.0
    """Bytes per second each file must average once `read_timeout` has passed."""


@attrs.frozen
class UpdateResult:
    """What an update did."""

    version: str
    """The version in use afterwards."""
    previous: str | None
    """The version in use before."""
    changed: bool
    """Whether a new set was switched to."""
    folder: Path
    """The folder now in use."""


def version_key(version: str) -> tuple[str, int]:
    """
    Sort key of a ``YYYY-MM-DD[.N]`` version, whose date must exist.

    Raises:
        FetchError: The version is not of that form, or names no real day.
    """
    match = _VERSION.fullmatch(version)
    if match is None or len(match.group(2) or "") > _MAX_REVISION_DIGITS:
        raise FetchError(
            f"invalid version {version!r}; expected YYYY-MM-DD or YYYY-MM-DD.N"
        )
    try:
        date.fromisoformat(match.group(1))
    except ValueError:
        raise FetchError(f"invalid version {version!r}: no such date") from None
    return match.group(1), int(match.group(2) or 0)


#: A version may be dated at most this far ahead of the local date (time zones).
VERSION_AHEAD = timedelta(days=1)


def check_version_date(version: str, today: date | None = None) -> None:
    """
    Refuse a version dated more than `VERSION_AHEAD` after `today`.

    A version far in the future would be newer than every genuine update after it,
    which would then be refused as downgrades.

    Raises:
        FetchError: The version is invalid or dated too far ahead.
    """
    day = date.fromisoformat(version_key(version)[0])
    today = today or _today()
    if day > today + VERSION_AHEAD:
        raise FetchError(
            f"version {version} is dated after {(today + VERSION_AHEAD).isoformat()} "
            "(tomorrow); refused, since it would block every genuine update after it"
        )


def _today() -> date:
    """The local date (a function, so that tests can set the clock)."""
    return date.today()  # noqa: DTZ011 - the user's own calendar day


def redact(url: str) -> str:
    """A URL without the user name and password it may carry (for files, messages)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


#: The user information of a URL: up to its last ``@`` before the path, the query or
#: the fragment, since a password may hold an ``@`` of its own (as `redact` allows).
_CREDENTIALS = re.compile(r"(?<=//)[^/?#\s]*@")


def _scrub(text: str) -> str:
    """Remove ``user:password@`` from every URL in a message."""
    return _CREDENTIALS.sub("", text)


def check_url(url: str) -> None:
    """
    Refuse anything but HTTPS, except plain HTTP to a loopback address (tests, mirrors).

    Raises:
        FetchError: The URL is not allowed.
    """
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        if host == "localhost":
            return
        try:
            if ipaddress.ip_address(host).is_loopback:
                return
        except ValueError:
            pass
    raise FetchError(
        f"refusing {redact(url)!r}: reference data is fetched over HTTPS only (plain "
        "HTTP only from a loopback address)"
    )


def make_session(settings: FetchSettings) -> requests.Session:
    """
    A session that retries failed connections and answers 500, 502, 503 and 504.

    ``settings.retries`` bounds the retries of a request, whatever their causes (a
    refused or broken connection, a failed TLS handshake, a read timeout, an answer
    above), with ``settings.backoff`` as the exponential backoff factor. Only GET is
    ever sent.
    """
    session = requests.Session()
    retry = Retry(
        total=settings.retries,
        backoff_factor=settings.backoff,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = "transfer-assess reference-data update"
    return session


def _get(
    session: requests.Session,
    url: str,
    limit: int,
    settings: FetchSettings,
    progress: Callable[[str, int, int | None], None] | None = None,
    deadline: float | None = None,
) -> bytes:
    """
    GET a URL within the size limit, the update's deadline and the minimum rate.

    Redirects are followed by hand, at most `_MAX_REDIRECTS`, each target checked by
    `check_url` before any connection is made to it. Messages never show the
    credentials a URL carries.
    """
    try:
        return _get_checked(session, url, limit, settings, progress, deadline)
    except FetchError as error:
        raise FetchError(_scrub(str(error))) from None


def _get_checked(
    session: requests.Session,
    url: str,
    limit: int,
    settings: FetchSettings,
    progress: Callable[[str, int, int | None], None] | None,
    deadline: float | None,
) -> bytes:
    """`_get`, before credentials are removed from its messages."""
    deadline = time.monotonic() + settings.deadline if deadline is None else deadline
    current = url
    for _ in range(_MAX_REDIRECTS + 1):
        check_url(current)
        try:
            response = session.get(
                current,
                timeout=(settings.connect_timeout, settings.read_timeout),
                stream=True,
                allow_redirects=False,
            )
        except requests.exceptions.ConnectionError as error:
            raise FetchError(f"cannot reach {current}: {_reason(error)}") from error
        except requests.exceptions.Timeout as error:
            raise FetchError(f"no answer from {current} in time") from error
        except requests.exceptions.RequestException as error:
            raise FetchError(f"cannot fetch {current}: {_reason(error)}") from error
        if not response.is_redirect:
            break
        location = response.headers.get("Location", "")
        response.close()
        current = urljoin(current, location)
    else:
        raise FetchError(f"{url}: more than {_MAX_REDIRECTS} redirects")
    with response:
        if response.status_code != requests.codes.ok:
            raise FetchError(f"{url} answered HTTP {response.status_code}")
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise FetchError(
                f"{url} is {int(declared):,} bytes, over the {limit:,} limit"
            )
        total = int(declared) if declared and declared.isdigit() else None
        chunks = []
        size = 0
        started = time.monotonic()
        try:
            for chunk in _chunks(response):
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"{url} is over the {limit:,}-byte limit")
                chunks.append(chunk)
                if progress is not None:
                    progress(url, size, total)
                _check_pace(url, size, started, deadline, settings)
        except (requests.exceptions.RequestException, HTTPError, OSError) as error:
            raise FetchError(
                f"download of {url} broke off: {_reason(error)}"
            ) from error
    return b"".join(chunks)


_CHUNK = 65536


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """
    The body as it arrives: each read returns what one receive brought.

    `iter_content` waits for a whole chunk, so a server sending a byte a second
    would never give the deadline a chance to be checked. urllib3 has `read1` since
    2.2; with an older one, `read` asks for at most a chunk at a time.
    """
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    while True:
        chunk = (
            read1(_CHUNK, decode_content=True)
            if read1 is not None
            else raw.read(_CHUNK, decode_content=True)
        )
        if not chunk:
            return
        yield chunk


def _check_pace(
    url: str, size: int, started: float, deadline: float, settings: FetchSettings
) -> None:
    """Refuse a download past the update's deadline or below the minimum rate."""
    now = time.monotonic()
    if now > deadline:
        raise FetchError(
            f"{url}: the update took longer than its {settings.deadline:g}-second "
            "deadline; stopped (the data in use is unchanged)"
        )
    elapsed = now - started
    if elapsed > settings.read_timeout and size / elapsed < settings.min_rate:
        raise FetchError(
            f"{url} arrives at {size / elapsed:,.0f} bytes per second, below the "
            f"minimum of {settings.min_rate:,.0f}; stopped (the data in use is "
            "unchanged)"
        )


_REASON_LENGTH = 200


def _reason(error: BaseException) -> str:
    """
    Why a request failed, in one short line: ``connection refused``.

    requests wraps urllib3, which wraps the socket error; the innermost operating
    system message is the one a person understands. Other errors give their text
    (the message alone of one that holds several values), shortened.
    """
    seen: set[int] = set()
    current: object = error
    innermost = ""
    while isinstance(current, BaseException) and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            innermost = str(current.strerror)
        following = current.__cause__ or current.__context__
        following = following or getattr(current, "reason", None)
        if following is None and current.args:
            following = current.args[0]
        current = following
    if innermost:
        return innermost[:1].lower() + innermost[1:]
    text = str(error)
    # An error of several arguments prints them as a tuple (urllib3's "connection
    # broken" holds its message and the error again); its message is the first.
    wrapped = error.args[0] if len(error.args) == 1 else error
    if (
        isinstance(wrapped, BaseException)
        and len(wrapped.args) > 1
        and isinstance(wrapped.args[0], str)
    ):
        text = wrapped.args[0]
    if len(text) <= _REASON_LENGTH:
        return text
    return text[: _REASON_LENGTH - 3] + "..."


def _index(
    raw: bytes, url: str, today: date | None = None
) -> tuple[str, dict[str, tuple[str, int]]]:
    try:
        index: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise FetchError(f"{url} is not valid JSON: {error}") from None
    if not isinstance(index, dict) or index.get("schema") != INDEX_SCHEMA:
        raise FetchError(f"{url} is not a reference-data index ({INDEX_SCHEMA})")
    version = index.get("version")
    if not isinstance(version, str):
        raise FetchError(f"{url} names no version")
    try:
        check_version_date(version, today)
    except FetchError as error:
        raise FetchError(f"{url}: {error}") from None
    files = index.get("files")
    if not isinstance(files, dict):
        raise FetchError(f"{url} lists no files")
    result: dict[str, tuple[str, int]] = {}
    for name in REFERENCE_FILES:
        entry = files.get(name)
        if not isinstance(entry, dict):
            raise FetchError(f"{url} does not list {name}")
        sha = entry.get("sha256")
        size = entry.get("size")
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            raise FetchError(f"{url}: {name} has no valid sha256")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise FetchError(f"{url}: {name} has no valid size")
        result[name] = (sha, size)
    unknown = sorted(set(files) - set(REFERENCE_FILES))
    if unknown:
        raise FetchError(f"{url} lists unknown files: {', '.join(unknown)}")
    return version, result


def index_for(folder: Path, version: str) -> dict[str, Any]:
    """The index of a reference-data folder (as a mirror would publish it)."""
    files = {}
    for name in REFERENCE_FILES:
        data = (folder / name).read_bytes()
        files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return {"schema": INDEX_SCHEMA, "version": version, "files": files}


def current_version() -> str:
    """The version of the reference data in use."""
    return load_reference_data().version


def update(
    url: str | None = None,
    *,
    force: bool = False,
    home: Path | None = None,
    settings: FetchSettings | None = None,
    session: requests.Session | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
    waiting: Callable[[], None] | None = None,
    today: date | None = None,
) -> UpdateResult:
    """
    Download, verify and switch to the reference data published at `url`.

    Args:
        url: Base URL of the index and files; the default or
            ``$TRANSFER_ASSESS_DATA_URL`` when omitted. A user name and password
            in it are used for the download, never stored or shown.
        force: Accept an older version, or download the same one again; also the
            way out when the set in use is missing or ``current.json`` is unreadable.
        home: The data folder; `store.data_home` when omitted.
        settings: Timeouts, deadline, minimum rate, retries and size limits.
        session: A requests session (one is made when omitted).
        progress: Called as ``progress(url, bytes_so_far, total_or_None)``.
        waiting: Called once if another update or rollback holds the lock.
        today: The local date versions are checked against (today when omitted).

    Raises:
        FetchError: Anything failed; the data in use is unchanged.
        StoreError: The data folder is unusable (the message says how to recover).
    """
    base = url or os.environ.get(URL_VARIABLE) or DEFAULT_URL
    if not base.endswith("/"):
        base += "/"
    check_url(base)
    settings = settings or FetchSettings()
    session = session or make_session(settings)
    home = home or store.data_home()
    with store.locked(home, waiting), store.filesystem_errors(home):
        deadline = time.monotonic() + settings.deadline
        store.clean_stale(home)
        before, in_use = _in_use(home, force=force)
        index_url = urljoin(base, "index.json")
        version, files = _index(
            _get(
                session,
                index_url,
                settings.max_index_bytes,
                settings,
                deadline=deadline,
            ),
            redact(index_url),
            today,
        )
        if not force and before is not None and in_use is not None:
            if version_key(version) < version_key(before):
                raise FetchError(
                    f"{redact(index_url)} offers version {version}, older than "
                    f"{before} in use; use --force to accept it"
                )
            if version == before:
                return UpdateResult(version, before, changed=False, folder=in_use)
        with store.staging(home) as staged:
            for name, (sha, size) in files.items():
                file_url = urljoin(base, name)
                data = _get(
                    session,
                    file_url,
                    min(settings.max_file_bytes, max(size, 0)),
                    settings,
                    progress,
                    deadline,
                )
                shown = redact(file_url)
                if len(data) != size:
                    raise FetchError(
                        f"{shown} has {len(data):,} bytes, the index says {size:,}"
                    )
                if hashlib.sha256(data).hexdigest() != sha:
                    raise FetchError(f"{shown} does not match its sha256 in the index")
                (staged / name).write_bytes(data)
            _validate(staged, version)
            (staged / "index.json").write_text(
                json.dumps(index_for(staged, version), indent=2) + "\n",
                encoding="utf-8",
            )
            (staged / "origin.json").write_text(
                json.dumps(
                    {
                        "url": redact(base),
                        "version": version,
                        "sha256": digest(staged),
                        "fetched": datetime.now(UTC).replace(microsecond=0).isoformat(),
                    },
                    indent=2,
                )
                + "\n",
                encoding="utf-8",
            )
            name = f"{version}-{digest(staged)[:12]}"
            folder = store.keep(home, staged, name)
        store.switch(home, name)
        return UpdateResult(version, before, changed=True, folder=folder)


def _in_use(home: Path, *, force: bool) -> tuple[str | None, Path | None]:
    """
    The version and folder in use before an update.

    With `force`, a data folder whose set in use is missing, unreadable or invalid
    counts as holding nothing, so that the update can repair it.
    """
    try:
        in_use = store.current_folder(home) or data_dir()
        return load_reference_data(in_use).version, in_use
    except TransferAssessError:
        if not force:
            raise
        return None, None


def _validate(staged: Path, version: str) -> None:
    """Validate a downloaded set exactly as the packaged data is validated."""
    try:
        refdata = load_reference_data(staged)
        load_country_profiles(staged)
        load_supervisory_authorities(staged)
    except TransferAssessError as error:
        raise FetchError(f"the downloaded reference data is invalid: {error}") from None
    if refdata.version != version:
        raise FetchError(
            f"the index says version {version} but adequacy.json says {refdata.version}"
        )


def packaged_index() -> dict[str, Any]:
    """The index of the packaged data (``data/index.json`` holds the same)."""
    return index_for(data_dir(), load_reference_data(data_dir()).version)


def verify(folder: Path | None = None) -> list[str]:
    """
    Re-hash the files of a set against its recorded index.

    Returns:
        One line per problem; empty when every file matches.

    Raises:
        StoreError: No folder was given and the data folder is unusable.
    """
    return store.check_set(folder or active_dir())


__all__ = [
    "DEFAULT_URL",
    "FetchError",
    "FetchSettings",
    "UpdateResult",
    "check_url",
    "update",
    "verify",
]


def describe_data(home: Path | None = None) -> list[tuple[str, str]]:
    """
    What ``transfer-assess data show`` prints: version, date, hash, origin, previous.

    Raises:
        ReferenceDataError: The data in use is invalid.
    """
    home = home or store.data_home()
    folder = store.current_folder(home) or data_dir()
    refdata = load_reference_data(folder)
    origin = "packaged with transfer-assess"
    try:
        fetched = json.loads((folder / "origin.json").read_text(encoding="utf-8"))
        origin = (
            f"downloaded from {redact(str(fetched['url']))} on {fetched['fetched']}"
        )
    except (OSError, ValueError, KeyError, TypeError):
        pass
    pointer = store.read_pointer(home)
    previous = "none kept"
    if pointer is not None and pointer.previous is not None:
        kept = store.versions_dir(home) / pointer.previous
        try:
            previous = f"{load_reference_data(kept).version} ({kept})"
        except TransferAssessError:
            previous = f"{pointer.previous} (unreadable)"
    return [
        ("version", refdata.version),
        ("as of", refdata.as_of.isoformat()),
        ("sha256", refdata.sha256),
        ("origin", origin),
        ("folder", str(folder)),
        ("previous", previous),
        ("data folder", str(home)),
    ]
