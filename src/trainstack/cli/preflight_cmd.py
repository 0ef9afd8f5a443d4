"""`trainstack preflight PROFILE...`: what Azure says before anything is deployed (azure/)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainstack.choices import OutputFormat, enum_of
from trainstack.cli import output
from trainstack.cli.app import app

FormatChoice = enum_of("AzureFormat", OutputFormat)
TABLE = FormatChoice("table")
_MARK = {"pass": "ok  ", "warn": "warn", "fail": "FAIL"}
# the arguments `preflight` and `verify` share
Profiles = Annotated[list[Path], typer.Argument(help="Workload profile YAML files.")]
Subscription = Annotated[str | None, typer.Option(
    help="Subscription id (default: AZURE_SUBSCRIPTION_ID, then ARM_SUBSCRIPTION_ID).")]
Format = Annotated[FormatChoice, typer.Option("--format", "-f", help="table (stderr) or json "
                                              "(stdout).")]


@app.command("preflight")
def preflight_cmd(
    profiles: Profiles, subscription: Subscription = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The synthesized output directory "
                                      "(to know which stacks are deployed).")
                   ] = Path("cdktf.out"),
    fmt: Format = TABLE,
) -> None:
    """Check sizes, quota, provider registration and global names on Azure: exit 0 all pass,
    1 a check failed."""
    reports = run_preflight(profiles, subscription, out)
    if fmt.value == "json":
        output.emit_json([r.to_json() for r in reports])
    else:
        for report in reports:
            table(report)
    if not all(r.ok for r in reports):
        raise typer.Exit(1)


def run_preflight(profiles: list[Path], subscription: str | None, out: Path) -> list:
    """The preflight reports of the profiles (also the first step of plan and deploy)."""
    from trainstack.azure import connect, preflight
    from trainstack.catalog import load_facts
    from trainstack.provision.layout import StackPaths
    from trainstack.provision.plans import APPLIED_FORMAT, read_record
    from trainstack.settings import Settings
    from trainstack.synth import plan

    settings = Settings.current()
    facts = load_facts()
    planned = plan(profiles, settings, facts)  # every input error first (exit 2)
    az = connect.connect(subscription)
    reports = []
    for p in planned:
        record = read_record(StackPaths(p.name, p.profile.environment, out).applied_record,
                             APPLIED_FORMAT)
        deployed = bool(record) and not record.get("destroyed")
        reports.append(preflight.run(az, p.profile, p.selection,
                                     p.spec(settings).view(), facts,
                                     deployed=deployed))
    return reports


def table(report) -> None:
    """One profile's checks for a person, and the fallback or what to request."""
    output.note(f"{report.profile}: {'ready' if report.ok else 'NOT READY'}")
    for c in report.checks:
        output.note(f"  {_MARK[c.status]} {c.id} {c.resource}: {c.message}")
    if report.reselected is not None:
        output.note(f"  fallback with what Azure said: {report.reselected.headline()} in "
                    f"{report.reselected.region}, ${report.reselected.estimated_monthly_usd:,.2f}"
                    "/month; to take it, pin it (overrides.training_vm_size) or request the "
                    "quota above")
        for reason in report.reselected.rationale:
            if reason.rule in ("NODES-QUOTA", "COMPUTE-CHEAPEST"):
                output.note(f"    {reason.rule}: {reason.text}")
    elif any(c.status == "fail" and c.id in ("vm-size-offered", "quota")
             for c in report.checks):
        output.note("  nothing else fits this profile with what Azure said: request the quota "
                    "above, or choose another region (overrides.region)")
        output.note(f"    the selector: {report.no_fallback}")
