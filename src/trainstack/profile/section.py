"""The base of every profile section model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A part of the profile: frozen, strict, no unknown keys."""

    # strict: YAML already types its scalars, so "12" for a number is a mistake
    # to report, not to coerce. extra=forbid: a misspelt key is an error.
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)
