"""Text that came from input, made safe for where it goes: terminals and XML.

Profiles and stacks are untrusted: a key or resource name can hold an escape
sequence that recolours or rewrites the terminal, a newline that forges a line
of output, a bidirectional override that makes text read as something else,
or a character XML 1.0 cannot carry.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def _unsafe(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """One line for a terminal: control characters, newlines included, shown escaped."""
    if all(" " <= c < "\x7f" for c in text):  # the common case, fast
        return text
    return "".join(_escaped(c) if _unsafe(c) else c for c in text)


def printable_lines(text: str) -> str:
    """A multi-line text for a terminal: each line made printable, newlines kept."""
    return "\n".join(printable(line) for line in text.split("\n"))


# XML 1.0, section 2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
#                                | [#x10000-#x10FFFF]
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Text an XML 1.0 document can carry: other characters shown escaped."""
    return _NOT_XML.sub(lambda m: _escaped(m.group()), text)


def json_kind(value: object) -> str:
    """What a JSON value is, for a message: "an object", "an array", "a string", ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {dict: "an object", list: "an array", str: "a string"}.get(type(value),
                                                                    type(value).__name__)
