"""
How the update client words a failed request (issue 13's mutation run of fetch.py).

A failed download is reported in one short line: the innermost operating-system
message when the chain of causes holds one (requests wraps urllib3, which wraps the
socket error), else the error's own text, cut to 200 characters. The chains below
are built by hand, so that each way of reaching the socket error is tested alone.
"""

from __future__ import annotations

import errno

from transfer_assess.fetch import _reason, _scrub

REFUSED = OSError(errno.ECONNREFUSED, "Connection refused")


def test_the_explicit_cause_is_followed() -> None:
    # `raise ... from error` outside an except block: a cause and no context.
    outer = RuntimeError("HTTPConnectionPool: max retries exceeded")
    outer.__cause__ = REFUSED
    assert outer.__context__ is None
    assert _reason(outer) == "connection refused"


def test_the_implicit_context_is_followed() -> None:
    outer = RuntimeError("while handling another error")
    outer.__context__ = OSError(errno.ETIMEDOUT, "Timed out")
    assert _reason(outer) == "timed out"


def test_urllib3s_reason_attribute_is_followed() -> None:
    # urllib3's MaxRetryError keeps the socket error in `reason`, not as a cause.
    outer = RuntimeError("max retries exceeded")
    outer.reason = REFUSED  # type: ignore[attr-defined]
    assert _reason(outer) == "connection refused"


def test_an_error_given_as_first_argument_is_followed() -> None:
    # requests' ConnectionError carries urllib3's error as its first argument.
    outer = RuntimeError(REFUSED)
    assert _reason(outer) == "connection refused"


def test_without_a_system_error_the_text_is_given() -> None:
    assert _reason(RuntimeError("bad status line")) == "bad status line"


def test_an_error_of_several_values_gives_its_message() -> None:
    # urllib3's ProtocolError holds its message and the error again, and prints
    # the pair; requests' ChunkedEncodingError wraps it as its one argument.
    broken = RuntimeError("Connection broken: IncompleteRead(3)", ValueError("3"))
    assert _reason(broken) == "Connection broken: IncompleteRead(3)"
    assert _reason(RuntimeError(broken)) == "Connection broken: IncompleteRead(3)"


def test_an_error_of_one_value_gives_its_text() -> None:
    # Its text, not its argument: a KeyError quotes the key, wrapped or not.
    assert _reason(KeyError("name")) == "'name'"
    assert _reason(RuntimeError(KeyError("name"))) == "'name'"


def test_several_values_without_a_message_give_the_text() -> None:
    assert _reason(RuntimeError(3, "three")) == "(3, 'three')"


def test_a_cycle_of_causes_ends() -> None:
    # Two errors naming each other as context: the walk stops at the first repeat.
    first = RuntimeError("first")
    second = RuntimeError("second")
    first.__context__ = second
    second.__context__ = first
    assert _reason(first) == "first"


def test_a_system_error_without_words_gives_the_text() -> None:
    # An OSError with no strerror says nothing better than the outer text.
    outer = RuntimeError("proxy refused the tunnel")
    outer.__cause__ = OSError("no errno")
    assert _reason(outer) == "proxy refused the tunnel"


def test_a_text_of_exactly_the_limit_is_kept_whole() -> None:
    text = "x" * 200
    assert _reason(RuntimeError(text)) == text


def test_a_longer_text_is_cut_to_the_limit() -> None:
    text = "".join(f"{number:04d}" for number in range(100))  # 400 characters
    assert _reason(RuntimeError(text)) == text[:197] + "..."
    assert len(_reason(RuntimeError(text))) == 200
    assert _reason(RuntimeError(text[:201])) == text[:197] + "..."


def test_credentials_are_removed_from_every_url_in_a_message() -> None:
    message = (
        "cannot reach https://reader:s3cret@mirror.example/v1/ via http://u@proxy/"
    )
    assert _scrub(message) == (
        "cannot reach https://mirror.example/v1/ via http://proxy/"
    )
