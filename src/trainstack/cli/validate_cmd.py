"""`trainstack validate [DIR]`: the rules of a pack (and checkov, terraform) over the stacks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainstack.choices import PackName, ReportFormat, enum_of
from trainstack.cli import output
from trainstack.cli.app import app

ReportFormatChoice = enum_of("ReportFormatChoice", ReportFormat)
PackChoice = enum_of("PackChoice", PackName)


@app.command("validate")
def validate_cmd(
    directory: Annotated[Path, typer.Argument(
        help="Synth output directory, or one stack: its folder or its cdk.tf.json.")
    ] = Path("cdktf.out"),
    format: Annotated[ReportFormatChoice, typer.Option(
        "--format", "-f", help="Report format.")] = "table",
    output_file: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report here (default: stdout).")] = None,
    pack: Annotated[PackChoice, typer.Option(help="Rule levels: baseline or strict.")] = "baseline",
    checkov: Annotated[bool, typer.Option(
        "--checkov", help="Also run checkov (pip install 'trainstack\\[checkov]').")] = False,
    terraform: Annotated[bool, typer.Option(
        "--terraform", help="Also run terraform init/validate when providers install.")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print nothing; the exit code says (a report file is still "
                              "written).")] = False,
) -> None:
    """Check the stacks (every stacks/*/cdk.tf.json, or one): exit 0 clean, 1 unsuppressed
    errors, 2 bad input."""
    from trainstack.catalog import load_facts
    from trainstack.validate import validate_directory
    from trainstack.validate.report import FORMATS

    if (checkov or terraform) and not quiet:  # checkov alone takes 5-7 s
        output.note("validating" + " with checkov" * checkov + " and terraform" * terraform
                    + " ...")
    report = validate_directory(directory, pack.value, load_facts(), checkov=checkov,
                                terraform=terraform)
    text = FORMATS[format.value](report)
    if output_file is not None:
        output.write_file(output_file, text)
        if not quiet:
            output.note(report_summary_line(report) + f"; report: {output_file}")
    elif quiet:
        pass
    elif format.value == "table":
        output.validation_table(report)
    else:
        output.emit_text(text)
    if report.failed:
        raise typer.Exit(1)


def report_summary_line(report) -> str:  # noqa: ANN001 - a validate.Report
    """One line: stacks, checks, errors, warnings, suppressed."""
    s = report.summary()
    return (f"{s['stacks']} stack(s), {s['checks']} check(s): {s['errors']} error(s), "
            f"{s['warnings']} warning(s), {s['suppressed']} suppressed")
