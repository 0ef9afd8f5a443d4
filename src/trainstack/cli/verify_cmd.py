"""`trainstack verify PROFILE...`: what is deployed, read back from Azure and compared with the
selection (azure/verify.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainstack.choices import OutputFormat, enum_of
from trainstack.cli import output
from trainstack.cli.app import app

FormatChoice = enum_of("VerifyFormat", OutputFormat)
TABLE = FormatChoice("table")


@app.command("verify")
def verify_cmd(
    profiles: Annotated[list[Path], typer.Argument(help="Workload profile YAML files.")],
    subscription: Annotated[str | None, typer.Option(
        help="Subscription id (default: AZURE_SUBSCRIPTION_ID, then ARM_SUBSCRIPTION_ID).")
    ] = None,
    fmt: Annotated[FormatChoice, typer.Option("--format", "-f", help="table (stderr) or json "
                                              "(stdout).")] = TABLE,
) -> None:
    """Read the deployed workspace and computes back and compare them with the selection:
    exit 0 as selected, 1 drift."""
    from trainstack.azure import connect, verify
    from trainstack.azure.preflight import stack_view
    from trainstack.catalog import load_facts
    from trainstack.settings import Settings
    from trainstack.synth import plan

    settings = Settings.current()
    planned = plan(profiles, settings, load_facts())  # every input error first (exit 2)
    az = connect.connect(subscription)
    reports = [verify.run(az, p.name, p.selection, stack_view(p.spec(settings)))
               for p in planned]
    if fmt.value == "json":
        output.emit_json([r.to_json() for r in reports])
    else:
        for r in reports:
            head = "as selected" if r.ok else f"DRIFT in {len(r.drift)} of {r.checked} field(s)"
            output.note(f"{r.profile}: {r.note or head}")
            for d in r.drift:
                output.note(f"  {d.resource} {d.field}: selected {d.expected!r}, deployed "
                            f"{d.actual!r}")
    if not all(r.ok for r in reports):
        raise typer.Exit(1)
