r"""
Characters that can disguise text, found for validation and made visible for output.

Control characters move the cursor or forge lines on a terminal (a newline in a name
could print a line that looks like an ``error:`` message); bidirectional embeddings,
overrides and isolates reorder what the reader sees (U+202E shows ``exe.txt`` as
``txt.exe``); zero-width characters make two different names look the same; an
unpaired surrogate (JSON's ``"\ud800"`` escape) is no text at all and cannot be
written as UTF-8. The loader refuses them in every string of a map
(`unsafe_character`), and the readable outputs pass names through `inert`, so that a
map built in code cannot smuggle them into a terminal, SVG or GraphML either.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_AND_INVISIBLE = (
    "\u061c"  # ARABIC LETTER MARK
    "\u180e"  # MONGOLIAN VOWEL SEPARATOR
    "\u200b"  # ZERO WIDTH SPACE
    "\u200e\u200f"  # LEFT-TO-RIGHT and RIGHT-TO-LEFT MARK
    "\u2028\u2029"  # LINE and PARAGRAPH SEPARATOR
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u2064"  # WORD JOINER and invisible operators
    "\u2066-\u2069"  # bidi isolates
    "\ufeff"  # ZERO WIDTH NO-BREAK SPACE (byte order mark)
)
#: Unsafe in one-line text: every C0 and C1 control, DEL, and the characters above.
_UNSAFE_LINE = re.compile(
    f"[\\x00-\\x1f\\x7f-\\x9f\\ud800-\\udfff{_BIDI_AND_INVISIBLE}]"
)
#: Unsafe in text that may span lines: the same, except newline and tab.
_UNSAFE_TEXT = re.compile(
    f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\ud800-\\udfff{_BIDI_AND_INVISIBLE}]"
)


def unsafe_character(text: str, *, multiline: bool = False) -> str | None:
    """
    Describe the first character of `text` that could disguise it, or ``None``.

    Args:
        text: The value to check.
        multiline: Whether newlines and tabs are allowed (descriptions, addresses).

    Returns:
        For example ``"U+202E RIGHT-TO-LEFT OVERRIDE at character 4"``.
    """
    match = (_UNSAFE_TEXT if multiline else _UNSAFE_LINE).search(text)
    if match is None:
        return None
    return f"{code_point(match.group())} at character {match.start() + 1}"


def code_point(character: str) -> str:
    """Name a character, e.g. ``U+202E RIGHT-TO-LEFT OVERRIDE`` or ``U+001B ESCAPE``."""
    if "\ud800" <= character <= "\udfff":
        # Half of a UTF-16 pair alone (JSON's "\ud800" escape): not text at all.
        return f"U+{ord(character):04X} UNPAIRED SURROGATE"
    name = unicodedata.name(character, "") or _CONTROL_NAMES.get(character, "CONTROL")
    return f"U+{ord(character):04X} {name}"


_CONTROL_NAMES = {
    "\t": "CHARACTER TABULATION",
    "\n": "LINE FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
}


def inert(text: str, *, multiline: bool = False) -> str:
    r"""
    Show every character that could disguise `text` as a visible escape.

    ``"a\u202eb"`` becomes ``"a\\u202eb"``: the reader sees that something is
    there instead of text reordered, hidden or forged onto a new line.

    Args:
        text: The text to show.
        multiline: Keep newlines and tabs (for text of the tool's own that spans
            lines); everything else above is still escaped.
    """
    pattern = _UNSAFE_TEXT if multiline else _UNSAFE_LINE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    value = ord(character)
    return f"\\x{value:02x}" if value < 0x100 else f"\\u{value:04x}"  # noqa: PLR2004
