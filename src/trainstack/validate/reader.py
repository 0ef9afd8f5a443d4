"""Reading a stack as Terraform reads it, so nothing in it escapes validation.

Terraform's JSON syntax (developer.hashicorp.com/terraform/language/syntax/json)
accepts more shapes than cdktf writes, and validation must see every resource
terraform would plan:

- a labelled block (``resource``, ``data``) is an object keyed by label, or an
  array of such objects, at every label level: ``"resource": [{"t": {"n": {}}}]``
  and ``"resource": {"t": [{"n": {}}, {"m": {}}]}`` are both one or two resources;
- a block body may itself be an array of one object;
- a property named ``"//"`` is a comment at any level;
- a key given twice in one object is read twice by HCL's JSON parser (two blocks
  for a block type): here the values are combined into an array of both, which
  the shapes above then read; a key given twice with plain values is refused.

Input is untrusted, so the reader is bounded: the file's size (``inputs.py``),
its nesting depth and the length of its numbers, and it refuses NaN/Infinity
(not JSON; terraform rejects them too). Anything terraform itself could not
read is exit 2 with the file and the field; anything that reads but is not what
trainstack wrote (missing metadata, a malformed suppression) is a finding.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from trainstack.errors import TrainstackError
from trainstack.inputs import read_text
from trainstack.limits import JSON_MAX_DEPTH, NUMBER_MAX_CHARS, STACK_MAX_BYTES
from trainstack.text import json_kind


class StackError(TrainstackError):
    """A stack file terraform could not read either: exit 2, naming the file and field."""


class _Refused(ValueError):
    pass


def parse_json(text: str, path: str) -> Any:
    """JSON with Terraform's duplicate-key reading, bounded numbers and no NaN."""
    try:
        document = json.loads(text, object_pairs_hook=_object, parse_constant=_constant,
                              parse_int=_int, parse_float=_float)
    except _Refused as exc:
        raise StackError(f"{path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise StackError(f"{path}:{exc.lineno}: not JSON ({exc.msg}, column {exc.colno})"
                         ) from None
    except RecursionError:
        raise StackError(f"{path}: the JSON nests too deeply (limit {JSON_MAX_DEPTH} levels)"
                         ) from None
    where = _too_deep(document) if isinstance(document, (dict, list)) else None
    if where is not None:
        raise StackError(f"{path}: {where}: nests deeper than {JSON_MAX_DEPTH} levels")
    return document


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key not in out:
            out[key] = value
            continue
        first = out[key]
        if key == "//":
            continue  # comments may repeat; terraform ignores every one
        if isinstance(first, (dict, list)) and isinstance(value, (dict, list)):
            out[key] = (first if isinstance(first, list) else [first]) + (
                value if isinstance(value, list) else [value])
        else:
            raise _Refused(f"the key {key!r} is given twice in one object (terraform reports a "
                           "duplicate argument)")
    return out


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number (terraform cannot read it)")


def _int(text: str) -> int:
    if len(text) > NUMBER_MAX_CHARS:
        raise _Refused(f"a number of {len(text):,} digits is too large "
                       f"(at most {NUMBER_MAX_CHARS})")
    return int(text)


def _float(text: str) -> float:
    if len(text) > NUMBER_MAX_CHARS:
        raise _Refused(f"a number of {len(text):,} characters is too large "
                       f"(at most {NUMBER_MAX_CHARS})")
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text} is out of range")
    return value


def _too_deep(document: Any) -> str | None:
    """The path of the first container deeper than the limit, or None (iterative)."""
    stack: list[tuple[Any, int, str]] = [(document, 0, "")]
    while stack:
        value, depth, where = stack.pop()
        if depth > JSON_MAX_DEPTH:
            return where
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            if isinstance(child, (dict, list)):  # scalars cannot be deeper than their parent
                stack.append((child, depth + 1, f"{where}.{key}" if isinstance(key, str)
                              else f"{where}[{key}]"))
    return None


def read_document(path: Path) -> dict[str, Any]:
    """One stack file: a regular file within the size limit, a JSON object."""
    text = read_text(path, limit=STACK_MAX_BYTES, what="stack", error=StackError)
    document = parse_json(text, str(path))
    if not isinstance(document, dict):
        raise StackError(f"{path}: not a Terraform JSON object (got {json_kind(document)})")
    return document


def labelled_blocks(document: dict[str, Any], kind: str, path: str
                    ) -> list[tuple[str, str, dict[str, Any]]]:
    """Every (type, name, body) of a two-label block (``resource``, ``data``), in any shape."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for by_type in _objects(document.get(kind, {}), f"{path}: {kind}"):
        for terraform_type, items in by_type.items():
            if terraform_type == "//":
                continue
            for by_name in _objects(items, f"{path}: {kind}.{terraform_type}"):
                for name, body in by_name.items():
                    if name == "//":
                        continue
                    where = f"{path}: {kind}.{terraform_type}.{name}"
                    bodies = _objects(body, where)
                    if len(bodies) != 1:
                        raise StackError(f"{where}: {len(bodies)} bodies for one address "
                                         "(terraform reports a duplicate)")
                    out.append((terraform_type, name, bodies[0]))
    return out


def _objects(value: Any, where: str) -> list[dict[str, Any]]:
    """An object, or an array of objects, as a list of objects."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return list(value)
    raise StackError(f"{where}: must be an object or an array of objects "
                     f"(got {json_kind(value)})")
