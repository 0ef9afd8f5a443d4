"""YAML to plain Python values, safely: the profile reader's first step.

The YAML is composed into ruamel's node graph (no object construction, so no
tag can run code) and walked here with limits (trainstack/limits.py):

- only the core schema: mappings, sequences, text, integers, finite numbers,
  booleans and null (dates are read as text); any other tag (``!!omap``,
  ``!!binary``, ``!!python/...``, ``!custom``) is refused;
- merge keys (``<<``) are refused: every field of a profile is written out;
- aliases are followed, but every value they expand to counts against
  ``PROFILE_MAX_NODES``, so a few hundred bytes cannot expand to gigabytes;
- nesting deeper than ``PROFILE_MAX_DEPTH`` is refused (also a recursive alias);
- keys are text and appear once;
- a number of more than ``NUMBER_MAX_CHARS`` characters is refused before it
  is converted, and ``.inf``, ``.nan`` and overflowing floats (``1e400``) too.

Every error names the file, the line and the dotted path.
"""

from __future__ import annotations

import math
from typing import Any

from trainstack.errors import ProfileError
from trainstack.limits import NUMBER_MAX_CHARS, PROFILE_MAX_DEPTH, PROFILE_MAX_NODES

Path_ = tuple[str | int, ...]

C_PARSER_MAX_INDICATORS = 2_000  # 4,000 nested entries, 10,000 brackets compose in C
_CORE = "tag:yaml.org,2002:"
_SCALARS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}


def read_yaml(text: str, filename: str) -> tuple[Any, dict[Path_, int]]:
    """Plain values (dict, list, str, int, float, bool, None) and a path -> line map."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    # The C parser (ruamel.yaml.clib; same YAML 1.2 resolution) is ~10x faster than the
    # pure one, but composes nested collections recursively in C: 100,000 nested brackets
    # or "- " entries crash it (stack overflow) where the pure parser raises
    # RecursionError. Every level of nesting needs one of [ { - : ? (a flow bracket, a
    # block entry, a key), so a text with few of them cannot nest deeply; others go to the
    # pure parser.
    indicators = sum(text.count(c) for c in "[{-:?")
    yaml = YAML(typ="safe", pure=indicators > C_PARSER_MAX_INDICATORS)
    _only_yaml_1_2(text, filename)
    try:
        node = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise ProfileError(f"{filename}:{line}: YAML syntax error: {problem}"
                           + _began(exc, line)) from None
    except YAMLError as exc:
        raise ProfileError(f"{filename}:1: YAML syntax error: {_one_line(str(exc))}") from None
    except RecursionError:
        raise ProfileError(f"{filename}:1: the YAML nests too deeply "
                           f"(a profile nests at most {PROFILE_MAX_DEPTH} levels)") from None
    lines: dict[Path_, int] = {(): 1}
    if node is None:
        return None, lines
    walker = _Walker(filename, yaml.constructor, lines)
    return walker.value(node, (), 0), lines


def _began(exc: Any, line: int) -> str:
    """Where the construct the parser was in began, when that is another line: the ``[``,
    ``{`` or quote left open ("while parsing a flow sequence", line 9, column 12)."""
    mark, context = exc.context_mark, (exc.context or "").strip()
    if mark is None or not context or exc.problem_mark is None or mark.line + 1 == line:
        return ""
    opened = context.removeprefix("while ")
    return f" ({opened} that began at line {mark.line + 1}, column {mark.column + 1})"


def _only_yaml_1_2(text: str, filename: str) -> None:
    """A ``%YAML 1.1`` directive would change what plain words mean (``yes`` a boolean,
    ``0777`` octal); profiles are YAML 1.2."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("%YAML") and line.split()[1:2] != ["1.2"]:
            raise ProfileError(f"{filename}:{number}: YAML syntax error: trainstack reads YAML "
                               f"1.2 (got {line.strip()[:40]!r})")
        if line.startswith("---") or (line and not line.startswith(("%", "#"))):
            return  # directives come before the document


def dotted(loc: Path_) -> str:
    """``training.max_hours``, ``suppressions[0].rule``; ``(profile)`` for the whole file."""
    out = ""
    for part in loc:
        if isinstance(part, str) and len(part) > 64:  # a key echoed back stays readable
            part = part[:64] + "..."
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(profile)"


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Walker:
    def __init__(self, filename: str, constructor: Any, lines: dict[Path_, int]) -> None:
        self.filename = filename
        self.constructor = constructor
        self.lines = lines
        self.nodes = 0

    def fail(self, node: Any, path: Path_, message: str) -> ProfileError:
        line = node.start_mark.line + 1 if node.start_mark is not None else 1
        return ProfileError(f"{self.filename}:{line}: {dotted(path)}: {message}")

    def value(self, node: Any, path: Path_, depth: int) -> Any:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self.nodes += 1
        if self.nodes > PROFILE_MAX_NODES:
            raise self.fail(node, path, f"the profile expands to more than {PROFILE_MAX_NODES:,} "
                                        "values (YAML aliases included); a profile has far fewer")
        if depth > PROFILE_MAX_DEPTH:
            raise self.fail(node, path, f"nests deeper than {PROFILE_MAX_DEPTH} levels (or an "
                                        "alias refers to itself)")
        tag = node.tag if isinstance(node.tag, str) else str(node.tag)
        if isinstance(node, MappingNode):
            if tag != f"{_CORE}map":
                raise self.fail(node, path, f"the YAML tag {_short(tag)} is not allowed in a "
                                            "profile (use a plain mapping)")
            return self.mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            if tag != f"{_CORE}seq":
                raise self.fail(node, path, f"the YAML tag {_short(tag)} is not allowed in a "
                                            "profile (use a plain list)")
            out = []
            for i, item in enumerate(node.value):
                self.lines[(*path, i)] = item.start_mark.line + 1
                out.append(self.value(item, (*path, i), depth + 1))
            return out
        if isinstance(node, ScalarNode):
            return self.scalar(node, path, tag)
        raise self.fail(node, path, "is not a YAML value trainstack reads")  # pragma: no cover

    def mapping(self, node: Any, path: Path_, depth: int) -> dict[str, Any]:
        from ruamel.yaml.nodes import ScalarNode

        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_tag = str(key_node.tag)
            if key_tag == f"{_CORE}merge":
                raise self.fail(key_node, path, "YAML merge keys (<<) are not allowed in a "
                                                "profile; write the fields out")
            if not isinstance(key_node, ScalarNode) or key_tag not in _SCALARS:
                raise self.fail(key_node, path, "keys must be plain text (got a complex or "
                                                "tagged key)")
            key = str(key_node.value)
            child = (*path, key)
            line = key_node.start_mark.line + 1
            if key in out:
                raise self.fail(key_node, child, f"duplicate key (first on line "
                                                 f"{self.lines[child]})")
            self.lines[child] = line
            out[key] = self.value(value_node, child, depth + 1)
        return out

    def scalar(self, node: Any, path: Path_, tag: str) -> Any:
        text = node.value
        if tag == f"{_CORE}str" or tag == f"{_CORE}timestamp":
            return str(text)  # a date where text is expected is text
        if tag == f"{_CORE}null":
            return None
        if tag == f"{_CORE}bool":
            try:
                return bool(self.constructor.construct_yaml_bool(node))
            except Exception:  # an explicit !!bool on text that is no boolean
                raise self.fail(node, path, f"is not true or false (got {text!r})") from None
        if tag in (f"{_CORE}int", f"{_CORE}float"):
            if len(text) > NUMBER_MAX_CHARS:
                raise self.fail(node, path, f"a number of {len(text):,} characters is too large "
                                            f"(at most {NUMBER_MAX_CHARS})")
            try:
                value = (self.constructor.construct_yaml_int(node) if tag.endswith("int")
                         else self.constructor.construct_yaml_float(node))
            except Exception:  # an explicit !!int / !!float on text that is no number
                raise self.fail(node, path, f"is not a number (got {text!r})") from None
            if isinstance(value, float) and not math.isfinite(value):
                raise self.fail(node, path, f"must be a finite number (got {text})")
            return int(value) if tag.endswith("int") else float(value)
        raise self.fail(node, path, f"the YAML tag {_short(tag)} is not allowed in a profile")


def _short(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
