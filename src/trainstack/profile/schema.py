"""The profile JSON Schema, for editors (``trainstack schema``)."""

from __future__ import annotations

import json

from trainstack.profile.models import WorkloadProfile

SCHEMA_ID = "https://trainstack.dev/schemas/profile-v1.json"


def profile_json_schema() -> str:
    """The JSON Schema (draft 2020-12) of a v1 profile, as deterministic text."""
    schema = WorkloadProfile.model_json_schema(by_alias=True, mode="validation")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
    return json.dumps(schema, indent=2, sort_keys=True)
