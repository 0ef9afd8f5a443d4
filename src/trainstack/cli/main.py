"""The ``trainstack`` command: one function per verb, errors become exit codes.

Exit codes (docs/profile-v1.md): 0 success, 1 the command ran and found
problems (``select --strict`` over budget), 2 bad input or usage.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from trainstack import __version__
from trainstack.cli import output
from trainstack.errors import TrainstackError

app = typer.Typer(
    name="trainstack",
    help="Design and provision ML training infrastructure on Azure from a workload profile.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


class Format(str, Enum):
    json = "json"
    table = "table"


class Engine(str, Enum):
    cdktf = "cdktf"
    cdktn = "cdktn"


class StateBackendKind(str, Enum):
    local = "local"
    azurerm = "azurerm"


def _version(value: bool) -> None:
    if value:
        output.note(f"trainstack {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """trainstack: workload profile -> service and compute selection -> Terraform JSON."""


@app.command("select")
def select_cmd(
    profile: Annotated[Path, typer.Argument(help="Workload profile YAML file.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.json,
    strict: Annotated[bool, typer.Option(help="Exit 1 when the estimate is over budget.")] = False,
) -> None:
    """Select the service and compute for a profile and explain every choice."""
    from trainstack.catalog import load_facts
    from trainstack.profile import load_profile_document
    from trainstack.synth import select_document

    selection = select_document(load_profile_document(profile), load_facts())
    if format is Format.json:
        output.emit_json(selection.contract_dict())
    else:
        output.selection_table(selection)
    if strict and not selection.within_budget:
        raise typer.Exit(1)


@app.command("synth")
def synth_cmd(
    profiles: Annotated[list[Path], typer.Argument(help="Workload profile YAML files.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path("cdktf.out"),
    engine: Annotated[Engine | None, typer.Option(
        help="CDK engine (default: TRAINSTACK_ENGINE or cdktf).")] = None,
    state_backend: Annotated[StateBackendKind | None, typer.Option(
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
    if not quiet:
        output.synth_summary(str(out), [
            (p.spec.name, f"{p.selection.service}, {p.selection.region}",
             p.selection.headline(), p.selection.estimated_monthly_usd)
            for p in planned
        ])


catalog_app = typer.Typer(help="Look up and refresh the packaged VM catalog.",
                          no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("list")
def catalog_list(
    region: Annotated[str | None, typer.Option(help="Only this region (prices per region).")] = None,
    gpu: Annotated[bool, typer.Option("--gpu", help="Only GPU sizes.")] = False,
    all_sizes: Annotated[bool, typer.Option(
        "--all", help="Also sizes Azure ML does not offer, and retired ones.")] = False,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """VM sizes Azure ML offers: specs and prices (per region with --region)."""
    from trainstack.catalog import load_catalog
    from trainstack.catalog.queries import list_sizes

    rows = list_sizes(load_catalog(), region=region, gpu=gpu, include_all=all_sizes)
    if format is Format.json:
        output.emit_json(rows)
    else:
        output.catalog_rows(rows, region)


@catalog_app.command("show")
def catalog_show(
    size: Annotated[str, typer.Argument(help="A VM size, e.g. Standard_NC4as_T4_v3.")],
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """One VM size: specs, and per region: price, low-priority price, Azure ML, source."""
    from trainstack.catalog import load_catalog
    from trainstack.catalog.queries import show_size

    detail = show_size(load_catalog(), size)
    if format is Format.json:
        output.emit_json(detail)
    else:
        output.catalog_detail(detail)


@catalog_app.command("refresh")
def catalog_refresh(
    region: Annotated[list[str] | None, typer.Option(
        help="Region to refresh (repeatable; default: every catalog region).")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Directory for vm_sizes.csv and sources.json (default: the packaged catalog).")
    ] = None,
) -> None:
    """Rebuild the price snapshot from the Azure Retail Prices API (public, no credentials)."""
    import datetime
    from importlib import resources

    from trainstack.catalog import load_catalog
    from trainstack.catalog.refresh import refresh
    from trainstack.errors import TrainstackError

    catalog = load_catalog()
    regions = region or sorted(catalog.regions)
    unknown = sorted(set(regions) - catalog.regions)
    if unknown:
        raise TrainstackError(f"catalog refresh: not catalog regions: {', '.join(unknown)} "
                              f"(catalog regions: {', '.join(sorted(catalog.regions))})")
    target = out or Path(str(resources.files("trainstack.catalog") / "data"))
    today = datetime.date.today().isoformat()
    path, counts = refresh(catalog, regions, target, today)
    for name, count in sorted(counts.items()):
        output.note(f"{name}: {count} VM prices")
    output.note(f"wrote {path}")


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    sarif = "sarif"
    junit = "junit"


# The names of validate.packs.PACKS (importing the packs here would load every rule on each
# start; a test keeps the two equal).
PACK_NAMES = ("baseline", "strict")
Pack = Enum("Pack", {name: name for name in PACK_NAMES}, type=str)


@app.command("validate")
def validate_cmd(
    directory: Annotated[Path, typer.Argument(help="Synth output directory.")] = Path("cdktf.out"),
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
    output_file: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report here (default: stdout).")] = None,
    pack: Annotated[Pack, typer.Option(help="Rule levels: baseline or strict.")] = "baseline",
    checkov: Annotated[bool, typer.Option(
        "--checkov", help="Also run checkov (pip install 'trainstack[checkov]').")] = False,
    terraform: Annotated[bool, typer.Option(
        "--terraform", help="Also run terraform init/validate when providers install.")] = False,
) -> None:
    """Check every stacks/*/cdk.tf.json: exit 0 clean, 1 unsuppressed errors, 2 bad input."""
    from trainstack.catalog import load_facts
    from trainstack.validate import validate_directory
    from trainstack.validate.report import FORMATS

    report = validate_directory(directory, pack.value, load_facts(), checkov=checkov,
                                terraform=terraform)
    text = FORMATS[format.value](report)
    if output_file is not None:
        output.write_file(output_file, text)
        output.note(report_summary_line(report) + f"; report: {output_file}")
    elif format is ReportFormat.table:
        output.validation_table(report)
    else:
        output.emit_text(text)
    if report.failed:
        raise typer.Exit(1)


def report_summary_line(report) -> str:  # noqa: ANN001 - a validate.Report
    s = report.summary()
    return (f"{s['stacks']} stack(s), {s['checks']} check(s): {s['errors']} error(s), "
            f"{s['warnings']} warning(s), {s['suppressed']} suppressed")


@app.command("schema")
def schema_cmd() -> None:
    """Print the profile JSON Schema (for editor completion and checks)."""
    from trainstack.profile.schema import profile_json_schema

    output.emit_json(json.loads(profile_json_schema()))


INTERNAL_ERROR = 3  # a bug in trainstack, never "findings" (1) nor "bad input" (2)
INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def run(argv: list[str] | None = None) -> int:
    """Run the CLI on ``argv`` and return the exit code (see entry.py for the process)."""
    import os

    try:
        # standalone mode: usage errors print their message and exit 2
        app(args=argv, prog_name="trainstack")
    except TrainstackError as exc:
        output.error(*exc.lines)
        return exc.exit_code
    except SystemExit as exc:
        if exc.code == INTERRUPTED:  # click turns Ctrl-C inside a command into exit 130
            output.error("interrupted")
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        output.error(str(exc.code))
        return 1
    except KeyboardInterrupt:
        output.error("interrupted")
        return INTERRUPTED
    except Exception as exc:  # a bug: say so plainly, with a documented exit code
        if os.environ.get("TRAINSTACK_DEBUG"):
            raise
        output.error(f"internal error: {type(exc).__name__}: {exc}",
                     "  this is a bug in trainstack; run again with TRAINSTACK_DEBUG=1 for the "
                     "traceback and report it")
        return INTERNAL_ERROR
    return 0
