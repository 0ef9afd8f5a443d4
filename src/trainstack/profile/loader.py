"""Read a profile YAML file into a WorkloadProfile, with errors that point at lines.

Every error reads ``file:line: dotted.path: what is wrong (got X)``, with the
allowed values and the nearest match for a misspelt one (docs/profile-v1.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from trainstack.errors import ProfileError, continued, did_you_mean
from trainstack.inputs import read_text
from trainstack.limits import PROFILE_MAX_BYTES
from trainstack.profile.models import WorkloadProfile
from trainstack.profile.yaml_reader import Path_, dotted, read_yaml

_MAX_LISTED = 20  # allowed values listed in a message before it says "..."


@dataclass(frozen=True)
class ProfileDocument:
    """A validated profile with where it came from, to point later errors at lines."""

    path: str
    profile: WorkloadProfile
    lines: dict[Path_, int]

    def where(self, dotted: str) -> str:
        """``file:line: dotted`` for a field path like ``overrides.region``."""
        loc = tuple(int(p) if p.isdigit() else p for p in dotted.split("."))
        return f"{self.path}:{_line_for(loc, self.lines)}: {dotted}"


def load_profile(path: str | Path) -> WorkloadProfile:
    """Load and validate one profile file; raise ProfileError naming file and line."""
    return load_profile_document(path).profile


def load_profile_document(path: str | Path) -> ProfileDocument:
    """Like load_profile, keeping the line of every field for later messages."""
    path = Path(path)
    text = read_text(path, limit=PROFILE_MAX_BYTES, what="profile", error=ProfileError)
    name = "<stdin>" if str(path) == "-" else str(path)
    profile, lines = _parse(text, name)
    return ProfileDocument(name, profile, lines)


def parse_profile(text: str, filename: str = "<profile>") -> WorkloadProfile:
    """Validate profile YAML text; ``filename`` is used in error messages."""
    return _parse(text, filename)[0]


def _parse(text: str, filename: str) -> tuple[WorkloadProfile, dict[Path_, int]]:
    if len(text) > PROFILE_MAX_BYTES:
        raise ProfileError(f"{filename}: the profile is over the limit of "
                           f"{PROFILE_MAX_BYTES:,} bytes")
    data, lines = read_yaml(text, filename)
    if not isinstance(data, dict):
        raise ProfileError(
            f"{filename}:1: the profile must be a YAML mapping of fields "
            f"(got {type(data).__name__ if data is not None else 'an empty document'})"
        )
    try:
        return WorkloadProfile.model_validate(data), lines
    except ValidationError as exc:
        messages = [_format_error(err, filename, lines) for err in exc.errors()]
        # One message per line, in file order; a stable order keeps output deterministic.
        messages = sorted(dict.fromkeys(messages), key=_sort_key)
        raise ProfileError(*messages) from None


def _sort_key(message: str) -> tuple[int, str]:
    m = re.match(r"^.*?:(\d+): ", message)
    return (int(m.group(1)) if m else 0, message)


def _line_for(loc: Path_, lines: dict[Path_, int]) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


_SHOWN_CHARS = 80  # of a value echoed in a message


def _got(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = repr(value[:_SHOWN_CHARS])  # repr: control characters stay escaped
        return shown + (f"... ({len(value):,} characters)" if len(value) > _SHOWN_CHARS else "")
    return json.dumps(value) if isinstance(value, (bool, int, float)) or value is None else repr(value)


_TYPE_WORDS = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of fields",
    "model_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
}


def _format_error(err: dict[str, Any], filename: str, lines: dict[Path_, int]) -> str:
    loc: Path_ = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    where = f"{filename}:{_line_for(loc, lines)}: {dotted(loc)}"

    if kind == "missing":
        return f"{where}: is required"
    if kind == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        hint = _elsewhere(loc) or did_you_mean(str(loc[-1]), allowed)
        text = f"{where}: unknown field"
        if hint:
            text += f"; did you mean '{hint}'?"
        if allowed:
            text += f" (allowed here: {', '.join(allowed)})"
        return text
    if kind in ("literal_error", "unknown_value"):
        allowed = ctx.get("allowed") or re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = did_you_mean(value, allowed)
        shown = ", ".join(allowed[:_MAX_LISTED]) + (", ..." if len(allowed) > _MAX_LISTED else "")
        text = f"{where}: must be one of: {shown} (got {_got(value)})"
        return text + (f"; did you mean '{hint}'?" if hint else "")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {
            "greater_than": ("greater than", "gt"),
            "greater_than_equal": ("at least", "ge"),
            "less_than": ("less than", "lt"),
            "less_than_equal": ("at most", "le"),
        }[kind]
        bound = ctx.get(words[1])
        if isinstance(bound, float):
            bound = f"{bound:.0f}" if bound.is_integer() and abs(bound) < 1e15 else f"{bound:g}"
        return f"{where}: must be {words[0]} {bound} (got {_got(value)})"
    if kind == "string_pattern_mismatch":
        return f"{where}: must match {ctx.get('pattern')} (got {_got(value)})"
    if kind in ("string_too_short", "too_short"):
        unit = "characters" if kind == "string_too_short" else "items"
        return f"{where}: must have at least {ctx.get('min_length')} {unit} (got {_got(value)})"
    if kind in ("string_too_long", "too_long"):
        unit = "characters" if kind == "string_too_long" else "items"
        return f"{where}: must have at most {ctx.get('max_length')} {unit} (got {_got(value)})"
    if kind in _TYPE_WORDS:
        return f"{where}: {_TYPE_WORDS[kind]} (got {_got(value)})"
    if kind == "value_error":
        text = f"{where}: {ctx.get('error', err['msg'])}"
        return text if isinstance(value, (dict, list)) else f"{text} (got {_got(value)})"
    return f"{where}: {continued(err['msg'])} (got {_got(value)})"


def _elsewhere(loc: Path_) -> str | None:
    """The field an unknown top-level-section key belongs to in another section, named
    after both (``training.vm_size`` -> ``overrides.training_vm_size``)."""
    if len(loc) != 2 or not all(isinstance(p, str) for p in loc):
        return None
    wanted = f"{loc[0]}_{loc[1]}"
    for section in _fields_at(()):
        if section != loc[0] and wanted in _fields_at((section,)):
            return f"{section}.{wanted}"
    return None


def _fields_at(loc: Path_) -> list[str]:
    """The field names the model accepts at a location (aliases as users write them)."""
    model: type[BaseModel] | None = WorkloadProfile
    for part in loc:
        if model is None or isinstance(part, int):
            continue
        field = _field_by_key(model, part)
        model = _model_of(field.annotation) if field is not None else None
    if model is None:
        return []
    return sorted((f.alias or name) for name, f in model.model_fields.items())


def _field_by_key(model: type[BaseModel], key: str):  # noqa: ANN202 - pydantic FieldInfo
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def _model_of(annotation: Any) -> type[BaseModel] | None:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None
