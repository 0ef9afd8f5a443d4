"""Terraform JSON text byte for byte as the CDK engine writes it.

The engine renders a stack's document with a stable (key-sorted) stringifier, two spaces
of indentation, no trailing newline: cdktf 0.21 with ``json-stable-stringify`` 1.3.0
(empty objects and lists written open, ``{`` newline indent ``}``), cdktn 0.24 with
``safe-stable-stringify`` 2.5.0 (``{}`` and ``[]``); see each engine's
``lib/synthesize/synthesizer.js``. trainstack writes the stack bodies itself after the
engine has written the rest (engine.py), so it has to write them the same way.

Both stringifiers use JavaScript's rules where Python's ``json`` differs: numbers as
``Number.prototype.toString`` (``1.0`` is ``1``, ``1e-05`` is ``0.00001``, ``1e+21``),
keys sorted by UTF-16 code unit, lone surrogates escaped. The fast path is ``json.dumps``
when none of those differences can occur; otherwise a direct port of the stringifiers'
rules is used. tests/constructs/test_engine_json.py compares both with the real engines.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

# Lines that end in an empty object or list: only containers end in } or ] (a string
# value ends in a quote, and json.dumps puts each value on its own line).
_EMPTY = re.compile(r"^( *)(.*?)(\{\}|\[\])(,?)$", re.MULTILINE)
# Characters where UTF-16 order and code-point order differ, and lone surrogates.
_ASTRAL_OR_SURROGATE = re.compile("[\ud800-\udfff\U00010000-\U0010ffff]")
_MAX_SAFE = 2**53
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n",
                  "\r": "\\r", "\t": "\\t"}


def dumps(document: Any, *, open_empty: bool) -> str:
    """``document`` as the engine writes it; ``open_empty`` for cdktf's stringifier."""
    prepared, plain = _prepare(document)
    if plain:
        text = json.dumps(prepared, indent=2, sort_keys=True, ensure_ascii=False)
        if not _ASTRAL_OR_SURROGATE.search(text):
            return _EMPTY.sub(_open, text) if open_empty else text
    return _stringify(prepared, 0, open_empty)


def _open(match: re.Match) -> str:
    indent, head, empty, comma = match.groups()
    return f"{indent}{head}{empty[0]}\n{indent}{empty[1]}{comma}"


def _prepare(value: Any) -> tuple[Any, bool]:
    """``value`` with integral floats as ints (JavaScript writes ``1.0`` as ``1``), and
    whether ``json.dumps`` writes every number in it as JavaScript would."""
    if isinstance(value, dict):
        plain = True
        out = {}
        for key, item in value.items():
            out[key], ok = _prepare(item)
            plain = plain and ok
        return out, plain
    if isinstance(value, list):
        items = [_prepare(item) for item in value]
        return [item for item, _ in items], all(ok for _, ok in items)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value, True
    if isinstance(value, int):
        return value, abs(value) <= _MAX_SAFE
    if value.is_integer() and abs(value) <= _MAX_SAFE:
        return int(value), True
    return value, repr(value) == js_number(value)


def js_number(value: float) -> str:
    """The text of a JavaScript number (ECMAScript Number::toString, radix 10): the
    shortest digits that read back as the same double, as Python's ``repr`` finds them,
    laid out by JavaScript's rules."""
    number = float(value)
    if not math.isfinite(number):
        return "null"  # what JSON.stringify writes; trainstack refuses such numbers earlier
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    digits_tuple = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, digits_tuple.digits))
    k = len(digits)
    n = digits_tuple.exponent + k  # the value is 0.<digits> x 10^n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    exponent = n - 1
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if exponent > 0 else '-'}{abs(exponent)}"


def _js_string(text: str) -> str:
    """JSON.stringify of a string: short escapes, other controls and lone surrogates as
    lower-case ``\\uXXXX``, everything else as it is."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif code < 0x20 or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def _stringify(value: Any, level: int, open_empty: bool) -> str:
    """The stringifiers' recursion: each member on its own line, indented two spaces per
    level, keys in UTF-16 order."""
    if isinstance(value, str):
        return _js_string(value)
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return js_number(value)
    indent = "\n" + "  " * level
    inner = indent + "  "
    if isinstance(value, list):
        members = [_stringify(item, level + 1, open_empty) for item in value]
        brackets = "[]"
    else:
        members = [f"{_js_string(key)}: {_stringify(value[key], level + 1, open_empty)}"
                   for key in sorted(value, key=_utf16)]
        brackets = "{}"
    if not members and not open_empty:
        return brackets
    body = ",".join(inner + member for member in members)
    return f"{brackets[0]}{body}{indent}{brackets[1]}"
