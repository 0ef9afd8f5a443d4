"""`trainstack schema`: the profile JSON Schema for editors and CI."""

from __future__ import annotations

import json

from trainstack.cli import output
from trainstack.cli.app import app


@app.command("schema")
def schema_cmd() -> None:
    """Print the profile JSON Schema (for editor completion and checks)."""
    from trainstack.profile.schema import profile_json_schema

    output.emit_json(json.loads(profile_json_schema()))
