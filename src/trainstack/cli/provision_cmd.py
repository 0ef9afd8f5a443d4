"""`trainstack plan | deploy | destroy | status | outputs PROFILE...`: the stacks, provisioned
with the real terraform (or OpenTofu) binary. How it runs: provision/ and docs/guide.md."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trainstack.choices import OutputFormat, enum_of
from trainstack.cli import output
from trainstack.cli.app import app

if TYPE_CHECKING:
    from trainstack.provision.commands import Approval, Result
    from trainstack.provision.runner import Session, Target

FormatChoice = enum_of("ProvisionFormat", OutputFormat)
TABLE, JSON = FormatChoice("table"), FormatChoice("json")
Profiles = Annotated[list[Path], typer.Argument(help="Workload profile YAML files.")]
Out = Annotated[Path, typer.Option("--out", "-o", help="Synthesized output directory.")]
Binary = Annotated[str | None, typer.Option(
    "--terraform", help="terraform or tofu binary (default: TRAINSTACK_TERRAFORM, then "
                        "terraform or tofu on PATH).")]
Format = Annotated[FormatChoice, typer.Option("--format", "-f", help="table (for people, on "
                                              "stderr) or json (on stdout).")]
AutoApprove = Annotated[bool, typer.Option("--auto-approve", help="Apply without asking (CI).")]
Preflight = Annotated[bool, typer.Option(
    "--preflight/--no-preflight", help="Check sizes, quota, registration and names on Azure "
                                       "first (`trainstack preflight`).")]
AllowReplace = Annotated[bool, typer.Option(
    "--allow-replace", help="Let a prod plan destroy or replace resources without typing the "
                            "profile name.")]


def _synthesize(profiles: list[Path], out: Path):
    """Synthesize the profiles (tests replace this with a writer of terraform_data stacks)."""
    from trainstack.settings import Settings
    from trainstack.synth import synth

    return synth(profiles, out, Settings.current())


def _preflight(profiles: list[Path], out: Path) -> None:
    """The preflight checks before terraform runs; a failed one stops the command."""
    from trainstack.cli.preflight_cmd import run_preflight, table
    from trainstack.errors import TrainstackError

    try:
        reports = run_preflight(profiles, None, out)
    except TrainstackError as exc:
        raise TrainstackError(*exc.lines, "  (or pass --no-preflight to skip the checks on "
                                          "Azure)") from None
    for report in reports:
        table(report)
    if not all(r.ok for r in reports):
        output.error("preflight failed: nothing was planned (fix the checks above, or pass "
                     "--no-preflight)")
        raise typer.Exit(1)


def _targets(profiles: list[Path], out: Path) -> list[Target]:
    """Synthesize, then one target per stack, by name."""
    from trainstack.provision.layout import StackPaths
    from trainstack.provision.plans import Origin, sha256_file
    from trainstack.provision.runner import Target

    targets = []
    for p in _synthesize(profiles, out):
        env = p.profile.environment
        paths = StackPaths(p.name, env, out)
        origin = Origin(p.path, sha256_file(Path(p.path)), sha256_file(paths.stack_file), env)
        targets.append(Target(paths, origin, prod=env == "prod",
                              monthly_usd=p.selection.estimated_monthly_usd))
    return sorted(targets, key=lambda t: t.name)


def _session(binary: str | None, command: str) -> Session:
    import os

    from trainstack.provision import terraform
    from trainstack.provision.runner import Session
    from trainstack.settings import default_catalog_dir

    tf = terraform.find(binary)
    return Session(tf, command, env=dict(os.environ),
                   plugin_cache=default_catalog_dir(os.environ).parent / "plugins",
                   stream=sys.stderr, live=sys.stderr.isatty())


def _approval(auto: bool, allow_replace: bool) -> Approval:
    from trainstack.provision.commands import Approval

    return Approval(auto=auto, allow_replace=allow_replace, interactive=sys.stdin.isatty(),
                    ask=_ask)


def _ask(question: str) -> str | None:
    """One line from the person at the terminal (None at end of input)."""
    sys.stderr.write(question)
    sys.stderr.flush()
    line = sys.stdin.readline()
    return line if line else None


def _report(results: list[Result], fmt: FormatChoice) -> None:
    from trainstack.provision.commands import closing, describe

    if fmt.value == "json":
        output.emit_json([r.to_json() for r in results])
    for r in results:
        for line in describe(r) + [f"  {k}" for k in r.kept]:
            output.note(line)
    for line in closing(results):
        output.note(line)


@app.command("plan")
def plan_cmd(profiles: Profiles, out: Out = Path("cdktf.out"), terraform: Binary = None,
             fmt: Format = TABLE,
             detailed_exitcode: Annotated[bool, typer.Option(
                 "--detailed-exitcode", help="Exit 4 when any stack has changes pending.")
             ] = False, preflight: Preflight = True) -> None:
    """Synthesize, then terraform init and plan -out per stack: what would change."""
    from trainstack.provision.commands import CHANGES_PENDING, plan_each

    session = _session(terraform, "plan")
    if preflight:
        _preflight(profiles, out)
    results = plan_each(session, _targets(profiles, out))
    _report(results, fmt)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)
    if detailed_exitcode and any(r.status == "planned" for r in results):
        raise typer.Exit(CHANGES_PENDING)


@app.command("deploy")
def deploy_cmd(profiles: Profiles, out: Out = Path("cdktf.out"), terraform: Binary = None,
               fmt: Format = TABLE, auto_approve: AutoApprove = False,
               allow_replace: AllowReplace = False,
               saved: Annotated[bool, typer.Option(
                   "--saved", help="Apply the plans `trainstack plan` saved (refused when a "
                                   "profile or stack changed since).")] = False,
               preflight: Preflight = True) -> None:
    """Plan (or take the saved plans), ask, and apply exactly what was planned."""
    from trainstack.provision.commands import apply_each, describe, plan_each, saved_plans

    session = _session(terraform, "deploy")
    if preflight:
        _preflight(profiles, out)
    targets = _targets(profiles, out)
    results = saved_plans(targets) if saved else plan_each(session, targets)
    _stop_if_a_plan_failed(results, fmt, "a plan failed: nothing was applied")
    for r in results:
        for line in describe(r):
            output.note(line)
    apply_each(session, results, _approval(auto_approve, allow_replace))
    _after_apply(results)
    _finish(results, fmt)


def _after_apply(results: list[Result]) -> None:
    """What terraform cannot do, done once a stack applied: a private Synapse workspace's
    managed private endpoint to its lake, made and approved (azure/synapse_lake.py). A
    failure leaves the stack applied and says what to do by hand."""
    import json

    from trainstack.azure.synapse_lake import connect_lake, lake_of
    from trainstack.errors import TrainstackError

    az = None
    for r in results:
        if r.status != "applied":
            continue
        lake = lake_of(json.loads(r.target.paths.stack_file.read_text(encoding="utf-8")))
        if lake is None:
            continue
        try:
            if az is None:
                from trainstack.azure import connect

                az = connect.connect(None)
            r.after_apply += connect_lake(az, lake)
        except TrainstackError as exc:
            r.status = "failed"
            r.error = (f"applied, but the Synapse workspace cannot reach its lake yet: "
                       f"{' '.join(line.strip() for line in exc.lines)}",
                       "make and approve the managed private endpoint from inside the "
                       "network: docs/guide.md, Synapse stacks")


def _stop_if_a_plan_failed(results: list[Result], fmt: FormatChoice, message: str) -> None:
    """Apply nothing when any plan failed: report every stack (the others did not run)."""
    if not any(r.status == "failed" for r in results):
        return
    for r in results:
        if r.status != "failed":
            r.status = "not run"
    _report(results, fmt)
    output.error(message)
    raise typer.Exit(1)


@app.command("destroy")
def destroy_cmd(profiles: Profiles, out: Out = Path("cdktf.out"), terraform: Binary = None,
                fmt: Format = TABLE, auto_approve: AutoApprove = False,
                allow_replace: AllowReplace = False) -> None:
    """Plan each stack's destruction (reverse order), ask, destroy; say what Azure keeps."""
    from trainstack.provision.commands import apply_each, describe, plan_each

    session = _session(terraform, "destroy")
    targets = list(reversed(_targets(profiles, out)))
    results = plan_each(session, targets, destroy=True)
    _stop_if_a_plan_failed(results, fmt, "a destroy plan failed: nothing was destroyed")
    for r in results:
        for line in describe(r):
            output.note(line)
    apply_each(session, results, _approval(auto_approve, allow_replace), destroy=True)
    _finish(results, fmt)


def _finish(results: list[Result], fmt: FormatChoice) -> None:
    from trainstack.provision.commands import closing

    if fmt.value == "json":
        output.emit_json([r.to_json() for r in results])
    for r in results:
        for line in [r.applied, *r.after_apply, *r.error, *r.kept]:
            if line:
                output.note(f"{r.target.name}: {line.strip()}")
    for line in closing(results):
        output.note(line)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


@app.command("status")
def status_cmd(profiles: Profiles, out: Out = Path("cdktf.out"), terraform: Binary = None,
               fmt: Format = TABLE) -> None:
    """What is deployed per stack, its URLs, when it was applied, and what changed since."""
    from trainstack.provision.commands import status_of

    session = _session(terraform, "status")
    rows = [status_of(session, t) for t in _targets(profiles, out)]
    if fmt.value == "json":
        output.emit_json(rows)
        return
    for row in rows:
        _status_lines(row)


def _status_lines(row: dict) -> None:
    head = f"{row['stack']} ({row['environment']})"
    if not row["deployed"]:
        output.note(f"{head}: not deployed")
        return
    when = row["last_applied"] or "unknown (not applied by trainstack here)"
    output.note(f"{head}: {len(row['resources'])} resource(s), last applied {when}")
    for name, url in row["urls"].items():
        output.note(f"  {name}: {url}")
    for name, value in row["outputs"].items():
        output.note(f"  {name} = {value}")
    if row["profile_changed"] or row["stack_changed"]:
        what = "profile" if row["profile_changed"] else "synthesized stack"
        output.note(f"  the {what} changed since the last apply: `trainstack plan` shows how")


@app.command("outputs")
def outputs_cmd(profiles: Profiles, out: Out = Path("cdktf.out"), terraform: Binary = None,
                fmt: Format = JSON) -> None:
    """The stacks' outputs (sensitive values hidden) and URLs, per stack."""
    from trainstack.provision.commands import status_of

    session = _session(terraform, "outputs")
    rows = {t.name: {**(s := status_of(session, t))["outputs"], **s["urls"]}
            for t in _targets(profiles, out)}
    if fmt.value == "json":
        output.emit_json(rows)
        return
    for stack, values in rows.items():
        for name, value in values.items():
            output.note(f"{stack}.{name} = {value}")
