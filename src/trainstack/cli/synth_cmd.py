"""`trainstack synth PROFILE...`: Terraform JSON for every profile, written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainstack.choices import Engine, StateBackendKind, enum_of
from trainstack.cli import output
from trainstack.cli.app import app

EngineChoice = enum_of("EngineChoice", Engine)
BackendChoice = enum_of("BackendChoice", StateBackendKind)


@app.command("synth")
def synth_cmd(
    profiles: Annotated[list[Path], typer.Argument(help="Workload profile YAML files.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path("cdktf.out"),
    engine: Annotated[EngineChoice | None, typer.Option(
        help="CDK engine (default: TRAINSTACK_ENGINE or cdktf).")] = None,
    state_backend: Annotated[BackendChoice | None, typer.Option(
        help="Terraform state backend (default: TRAINSTACK_STATE_BACKEND or local).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
) -> None:
    """Synthesize Terraform JSON to OUT/stacks/<stack>/cdk.tf.json, atomically."""
    from trainstack.settings import Settings
    from trainstack.synth import synth

    settings = Settings.from_env(
        engine=engine.value if engine else None,
        kind=state_backend.value if state_backend else None,
    )
    planned = synth(profiles, out, settings)
    if quiet:
        return
    output.synth_summary(str(out), [
        (p.name, f"{p.selection.service}, {p.selection.region}",
         p.selection.headline(), p.selection.estimated_monthly_usd)
        for p in planned
    ])
    output.global_names(_global_names(out, [p.name for p in planned]))
    if not settings.name_salt:
        output.note("warning: these names carry no salt, so anyone who applies the same "
                    "profiles gets the same names and every apply after the first fails "
                    "on them (TS-APPLY-010). Set TRAINSTACK_NAME_SALT (your organisation's, "
                    "the same in every run) or ARM_SUBSCRIPTION_ID before you apply.")


def _global_names(out: Path, stacks: list[str]) -> list[tuple[str, str, str]]:
    """(stack, resource address, name) of every name Azure requires to be unique across all
    customers (trainstack/arm.py), read back from the stacks just written."""
    import json

    from trainstack.arm import GLOBAL_NAMES

    rows = []
    for stack in stacks:
        doc = json.loads((out / "stacks" / stack / "cdk.tf.json").read_text(encoding="utf-8"))
        for kind, argument in GLOBAL_NAMES.items():
            for local, body in sorted(doc.get("resource", {}).get(kind, {}).items()):
                rows.append((stack, f"{kind.removeprefix('azurerm_')}.{local}",
                             str(body.get(argument, ""))))
    return rows
