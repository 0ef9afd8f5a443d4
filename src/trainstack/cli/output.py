"""The one place that writes to the terminal.

Machine-readable output (JSON) goes to stdout alone; messages and errors go to
stderr, so ``trainstack select --format json > plan.json`` stays parseable.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported lazily: `synth` should not wait for it at start-up
    from trainstack.select.models import Selection


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, sort_keys=False) + "\n")


def error(*lines: str) -> None:
    for line in lines:
        sys.stderr.write(f"error: {line}\n" if not line.startswith(" ") else line + "\n")


def note(text: str) -> None:
    sys.stderr.write(text + "\n")


def _console(stderr: bool = False):  # noqa: ANN202 - rich is imported lazily
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def selection_table(selection: Selection) -> None:
    """``select --format table``: the same content as the JSON, for a person."""
    from rich.table import Table

    console = _console()
    budget = "within budget" if selection.within_budget else "OVER BUDGET"
    console.print(
        f"[bold]{selection.profile}[/]: {selection.service} in {selection.region} - "
        f"estimated ${selection.estimated_monthly_usd:,.2f}/month ({budget})"
    )
    compute = Table(title="Compute", title_justify="left")
    for col in ("role", "size", "spec", "nodes", "priority", "$/h"):
        compute.add_column(col, no_wrap=col in ("size", "$/h"))
    for c in selection.compute:
        spec = f"{c.family}, {c.vcpus} vCPU, {c.memory_gib:g} GiB"
        if c.gpus:
            spec += f", {c.gpus} GPU"
        compute.add_row(f"{c.role} ({c.kind})", c.vm_size, spec, f"{c.min_nodes}-{c.max_nodes}",
                        c.priority, f"{c.hourly_usd:.4f}")
    console.print(compute)
    if selection.ai_services:
        ai = Table(title="Azure AI services", title_justify="left")
        for col in ("kind", "sku", "covers"):
            ai.add_column(col)
        for a in selection.ai_services:
            ai.add_row(a.kind, a.sku, ", ".join(a.covers))
        console.print(ai)
    why = Table(title="Rationale", title_justify="left")
    why.add_column("rule", no_wrap=True)
    why.add_column("why")
    for reason in selection.rationale:
        why.add_row(reason.rule, reason.text)
    console.print(why)
    if selection.alternatives:
        alt = Table(title="Alternatives considered", title_justify="left")
        for col in ("vm_size", "$/h", "rejected because"):
            alt.add_column(col)
        for a in selection.alternatives:
            alt.add_row(a.vm_size, f"{a.hourly_usd:.4f}", a.rejected_because)
        console.print(alt)
    for warning in selection.warnings:
        console.print(f"[yellow]warning:[/] {warning}")


def synth_summary(rows: list[tuple[str, str, str, float]]) -> None:
    """One line per stack written: name, path, training size, monthly estimate."""
    from rich.table import Table

    table = Table(title="Synthesized", title_justify="left")
    for col in ("stack", "file", "training", "$/month"):
        table.add_column(col)
    for name, path, size, monthly in rows:
        table.add_row(name, path, size, f"{monthly:,.2f}")
    _console().print(table)
