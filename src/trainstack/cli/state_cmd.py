"""`trainstack state bootstrap`: the storage the azurerm state backend needs, made by a small
stack of its own (constructs/state.py), planned, approved and applied like any other."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainstack.cli import output
from trainstack.cli.app import app

state_app = typer.Typer(help="Where Terraform state is kept.", no_args_is_help=True)
app.add_typer(state_app, name="state")


@state_app.command("bootstrap")
def bootstrap_cmd(
    region: Annotated[str, typer.Option(help="Azure region of the state storage account.")],
    resource_group: Annotated[str | None, typer.Option(
        help="Resource group (default: TRAINSTACK_STATE_RESOURCE_GROUP).")] = None,
    storage_account: Annotated[str | None, typer.Option(
        help="Storage account, unique in all of Azure (default: "
             "TRAINSTACK_STATE_STORAGE_ACCOUNT).")] = None,
    container: Annotated[str | None, typer.Option(
        help="Blob container (default: TRAINSTACK_STATE_CONTAINER or tfstate).")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The project's output directory; "
                                      "the state stack lives in .trainstack beside it.")
                   ] = Path("cdktf.out"),
    terraform: Annotated[str | None, typer.Option(
        "--terraform", help="terraform or tofu binary.")] = None,
    auto_approve: Annotated[bool, typer.Option("--auto-approve",
                                               help="Apply without asking (CI).")] = False,
) -> None:
    """Create the state resource group, storage account and container (Entra ID only,
    versioned, soft delete, a delete lock), then print the settings to use."""
    from trainstack.cli.provision_cmd import _approval, _session
    from trainstack.provision.commands import apply_each, describe, plan_each

    backend, target = _state_target(region, resource_group, storage_account, container, out)
    session = _session(terraform, "bootstrap")
    results = plan_each(session, [target])
    for line in describe(results[0]) + [f"  {e}" for e in results[0].error]:
        output.note(line)
    if results[0].status == "failed":
        raise typer.Exit(1)
    apply_each(session, results, _approval(auto_approve, allow_replace=False))
    if results[0].status == "failed":
        for line in results[0].error:
            output.note(line)
        raise typer.Exit(1)
    output.note("state storage ready; synthesize with these settings (or put them in CI):")
    output.emit_text(
        "export TRAINSTACK_STATE_BACKEND=azurerm\n"
        f"export TRAINSTACK_STATE_RESOURCE_GROUP={backend.resource_group_name}\n"
        f"export TRAINSTACK_STATE_STORAGE_ACCOUNT={backend.storage_account_name}\n"
        f"export TRAINSTACK_STATE_CONTAINER={backend.container_name}\n")


def _state_target(region: str, resource_group: str | None, storage_account: str | None,
                  container: str | None, out: Path):
    """The checked names, and the state stack synthesized into ``.trainstack/bootstrap``."""
    import tempfile

    from trainstack.atomic import write_atomic
    from trainstack.constructs import engine
    from trainstack.constructs.state import BOOTSTRAP_ENVIRONMENT, state_stack
    from trainstack.errors import TrainstackError
    from trainstack.provision.layout import StackPaths
    from trainstack.provision.plans import Origin, sha256_file
    from trainstack.provision.runner import Target
    from trainstack.regions import AZURE_REGIONS
    from trainstack.settings import Settings

    if region not in AZURE_REGIONS:
        raise TrainstackError(f"--region: must be an Azure region name (got {region!r})")
    settings = Settings.current()
    backend = Settings.from_env({}, kind="azurerm",
                                resource_group_name=resource_group
                                or settings.state.resource_group_name,
                                storage_account_name=storage_account
                                or settings.state.storage_account_name,
                                container_name=container or settings.state.container_name).state
    root = out.resolve().parent / ".trainstack"
    name = f"state-{backend.storage_account_name}"
    spec = state_stack(name, backend.resource_group_name, backend.storage_account_name,
                       backend.container_name, region, settings.azurerm_version)
    paths = StackPaths(name, BOOTSTRAP_ENVIRONMENT, root / "bootstrap", state_root=root)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".bootstrap-") as staging:
        engine.synth([spec], Path(staging), settings.engine)
        write_atomic(paths.stack_file,
                     (Path(staging) / "stacks" / name / "cdk.tf.json").read_bytes(),
                     what="state stack")
    digest = sha256_file(paths.stack_file)
    return backend, Target(paths, Origin("state bootstrap", digest, digest,
                                         BOOTSTRAP_ENVIRONMENT))
