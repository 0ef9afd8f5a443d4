"""The stack's ``"//".trainstack`` metadata, read as untrusted input.

Synthesis writes what validation needs from the profile (region, network,
budget, estimate, suppressions) into this comment. Anyone can edit the JSON, so
the metadata is checked with the same models the profile uses: a suppression
added by hand is held to the same rules as one from a profile (a rule id, a
resource address, a reason of 10 characters or more), and rules that validate
itself reports (TS-META-*, TS-ENGINE-001) cannot be suppressed. Missing or
malformed metadata never silently turns a rule off: it is a finding (TS-META-*)
naming the rules it affects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from trainstack.errors import continued
from trainstack.profile.models import AzureRegion, Number, Service, Suppression
from trainstack.validate.reader import StackError

# field -> (type, rules that cannot run without it)
FIELDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "profile": (Annotated[str, Field(min_length=1, max_length=64)], ()),
    "environment": (Literal["dev", "test", "prod"], ()),
    "service": (Service, ()),
    "region": (AzureRegion, ("TS-SKU-003",)),
    "network": (Literal["public", "private"], ("TS-SEC-011",)),
    "estimated_monthly_usd": (Annotated[Number, Field(ge=0)], ("TS-COST-001",)),
    "monthly_budget_usd": (Annotated[Number, Field(gt=0)] | Literal["none"], ("TS-COST-001",)),
    "suppressions": (list[Any], ("every suppression",)),
}
_ADAPTERS = {name: TypeAdapter(kind, config={"strict": True}) for name, (kind, _) in
             FIELDS.items()}


@dataclass(frozen=True)
class Metadata:
    present: bool
    values: dict[str, Any] = field(default_factory=dict)  # the valid fields only
    problems: tuple[str, ...] = ()  # TS-META-002: fields missing or malformed
    suppressions: tuple[Suppression, ...] = ()  # the valid ones, applied
    refused: tuple[str, ...] = ()  # TS-META-003: suppressions not applied, and why

    def get(self, key: str, default: Any = None) -> Any:
        """A valid metadata field, or ``default`` when it is missing or malformed."""
        return self.values.get(key, default)


def read_metadata(document: dict[str, Any], path: str) -> Metadata:
    """The stack's "//".trainstack metadata, checked with the profile's models."""
    comment = document.get("//")
    if not isinstance(comment, dict) or "trainstack" not in comment:
        return Metadata(present=False)
    raw = comment["trainstack"]
    if not isinstance(raw, dict):
        raise StackError(f"{path}: //.trainstack: the trainstack metadata must be an object "
                         f"(got {type(raw).__name__})")
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, (_, affects) in FIELDS.items():
        needs = f"; {', '.join(affects)} cannot run" if affects else ""
        if name not in raw:
            problems.append(f"metadata field '{name}' is missing{needs}")
            continue
        try:
            values[name] = _ADAPTERS[name].validate_python(raw[name])
        except ValidationError as exc:
            problems.append(f"metadata field '{name}': {_first(exc)} (got {_shown(raw[name])})"
                            f"{needs}")
    suppressions, refused = [], []
    for i, entry in enumerate(values.pop("suppressions", [])):
        try:
            suppressions.append(Suppression.model_validate(entry))
        except ValidationError as exc:
            refused.append(f"suppression {i + 1} is not applied: {_first(exc)}")
    return Metadata(True, values, tuple(problems), tuple(suppressions), tuple(refused))


def _first(exc: ValidationError) -> str:
    """The first error, as "field: message". Pydantic's own location parts (a union
    member's tag such as ``constrained-float``, a validator's ``function-after[...]``) are
    left out; the message's first letter is lowered unless it starts a name (``TS-...``)."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"] if isinstance(p, int) or str(p).isidentifier())
    return f"{loc + ': ' if loc else ''}{continued(err['msg'])}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."
