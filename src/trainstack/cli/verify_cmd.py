"""`trainstack verify PROFILE...`: what is deployed, read back from Azure and compared with the
selection (azure/verify.py)."""

from __future__ import annotations

import typer

from trainstack.cli import output
from trainstack.cli.app import app
from trainstack.cli.preflight_cmd import TABLE, Format, Profiles, Subscription


@app.command("verify")
def verify_cmd(profiles: Profiles, subscription: Subscription = None,
               fmt: Format = TABLE) -> None:
    """Read the deployed workspace and computes back and compare them with the selection:
    exit 0 as selected, 1 drift."""
    from trainstack.azure import connect, verify
    from trainstack.catalog import load_facts
    from trainstack.settings import Settings
    from trainstack.synth import plan

    settings = Settings.current()
    planned = plan(profiles, settings, load_facts())  # every input error first (exit 2)
    az = connect.connect(subscription)
    reports = [verify.run(az, p.name, p.selection, p.spec(settings).view())
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
