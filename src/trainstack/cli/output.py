"""The one place that writes to the terminal.

Machine-readable output (JSON) goes to stdout alone; messages and errors go to
stderr, so ``trainstack select --format json > plan.json`` stays parseable.
Text that came from input is shown with its control characters escaped
(``printable``) and never read as rich markup (``_plain`` / ``Text``).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from trainstack.text import printable, printable_lines

if TYPE_CHECKING:  # imported lazily: `synth` should not wait for it at start-up
    from trainstack.select.models import Selection


def emit_json(value: Any) -> None:
    """A JSON document on stdout (the machine-readable output)."""
    sys.stdout.write(json.dumps(value, indent=2, sort_keys=False) + "\n")


def emit_text(text: str) -> None:
    """Text on stdout as is (reports already formatted)."""
    sys.stdout.write(text)


def _plain(value: object) -> str:
    """Input text inside a rich markup string: escaped for the terminal and for rich."""
    from rich.markup import escape

    return escape(printable(str(value)))


def write_file(path, text: str) -> None:  # noqa: ANN001 - a Path
    """Write a report atomically, so a CI step never reads half a file."""
    from trainstack.atomic import write_atomic

    write_atomic(path, text, what="report")


def error(*lines: str) -> None:
    """``error: ...`` lines on stderr, control characters escaped."""
    for line in lines:
        line = printable(line)
        sys.stderr.write(f"error: {line}\n" if not line.startswith(" ") else line + "\n")


def note(text: str) -> None:
    """A message for people on stderr, control characters escaped."""
    sys.stderr.write(printable_lines(text) + "\n")


def _console(stderr: bool = False):  # noqa: ANN202 - rich is imported lazily
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


class _Adaptive:
    """A table where it fits the width (a terminal, a pipe, COLUMNS), else one record per
    row ("column: value" lines): nothing is ever cut to "…"."""

    def __init__(self, title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]],
                 no_wrap: tuple[str, ...]) -> None:
        self.title, self.columns, self.no_wrap = title, columns, no_wrap
        self.rows = [tuple(printable(str(cell)) for cell in row) for row in rows]

    def _table(self):  # noqa: ANN202 - rich is imported lazily
        from rich.table import Table
        from rich.text import Text

        table = Table(title=self.title, title_justify="left")
        for col in self.columns:
            table.add_column(col, no_wrap=col in self.no_wrap, overflow="fold")
        for row in self.rows:  # Text: a cell is shown as it is, never read as markup
            table.add_row(*(Text(cell) for cell in row))
        return table

    def _narrowest(self) -> int:
        """The least width the table needs without cutting a word (or a no-wrap cell)."""
        total = 3 * len(self.columns) + 1  # borders and padding
        for i, col in enumerate(self.columns):
            cells = [col, *(row[i] for row in self.rows if i < len(row))]
            if col in self.no_wrap:
                total += max(len(c) for c in cells)
            else:
                total += max(len(w) for c in cells for w in (c.split() or [""]))
        return total

    def __rich_console__(self, console, options):  # noqa: ANN001, ANN204 - rich's protocol
        from rich.text import Text

        if self._narrowest() <= options.max_width:
            yield self._table()
            return
        yield Text(self.title, style="italic")
        for row in self.rows:
            for col, cell in zip(self.columns, row, strict=False):
                yield Text(f"  {col}: {cell}")
            yield Text("")


def _table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]], *,
           no_wrap: tuple[str, ...] = ()) -> _Adaptive:
    """A table of input text, shown as it is (never markup), that adapts to the width."""
    return _Adaptive(title, columns, rows, no_wrap)


def selection_table(selection: Selection) -> None:
    """``select --format table``: the same content as the JSON, for a person."""
    console = _console()
    budget = "within budget" if selection.within_budget else "OVER BUDGET"
    console.print(
        f"[bold]{_plain(selection.profile)}[/]: {selection.service} in {selection.region} - "
        f"estimated ${selection.estimated_monthly_usd:,.2f}/month ({budget})"
    )
    compute_rows = []
    for c in selection.compute:
        spec = f"{c.family}, {c.vcpus} vCPU, {c.memory_gib:g} GiB" + (
            f", {c.gpus} GPU" if c.gpus else "")
        size = f"Synapse {c.size}" if c.kind == "synapse-spark-pool" else c.size
        compute_rows.append((f"{c.role} ({c.kind})", size, spec,
                             f"{c.min_nodes}-{c.max_nodes}", c.priority, f"{c.hourly_usd:.4f}"))
    console.print(_table("Compute", ("role", "size", "spec", "nodes", "priority", "$/h"),
                         compute_rows, no_wrap=("size", "priority", "$/h")))
    if selection.ai_services:
        console.print(_table("Azure AI services", ("kind", "sku", "covers"),
                             [(a.kind, a.sku, ", ".join(a.covers)) for a in selection.ai_services]))
    if selection.network.items:
        console.print(_table(
            f"Network ({selection.network.mode}): ${selection.network.monthly_usd:,.2f}/month",
            ("item", "count", "$/month"),
            [(i.item, str(i.quantity), f"{i.monthly_usd:,.2f}") for i in selection.network.items],
            no_wrap=("count", "$/month")))
    if selection.cost_breakdown:
        console.print(_table(
            f"Cost: ${selection.estimated_monthly_usd:,.2f}/month",
            ("item", "category", "quantity", "$/unit", "$/month", "price source"),
            [(i.item, i.category, f"{i.quantity:,.4g} {i.unit}", f"{i.unit_usd:g}",
              f"{i.monthly_usd:,.2f}", i.source) for i in selection.cost_breakdown],
            no_wrap=("category", "$/unit", "$/month")))
    console.print(_table("Rationale", ("rule", "why"),
                         [(r.rule, r.text) for r in selection.rationale], no_wrap=("rule",)))
    if selection.alternatives:
        console.print(_table("Alternatives considered", ("vm_size", "$/h", "rejected because"),
                             [(a.vm_size, f"{a.hourly_usd:.4f}", a.rejected_because)
                              for a in selection.alternatives]))
    for warning in selection.warnings:
        console.print(f"[yellow]warning:[/] {_plain(warning)}")


def synth_summary(outdir: str, rows: list[tuple[str, str, str, float]]) -> None:
    """One line per stack written: name, service and region, compute, monthly estimate."""
    console = _console()
    console.print(_table("Synthesized", ("stack", "service", "compute", "$/month"),
                         [(n, r, size, f"{m:,.2f}") for n, r, size, m in rows],
                         no_wrap=("stack", "compute")))
    for name, *_ in rows:
        console.print(f"wrote {_plain(outdir)}/stacks/{_plain(name)}/cdk.tf.json",
                      soft_wrap=True)


def global_names(rows: list[tuple[str, str, str]]) -> None:
    """The names Azure must find free in all of Azure, per stack: shown before any apply."""
    _console().print(_table("Names that must be free in all of Azure",
                            ("stack", "resource", "name"), rows, no_wrap=("name",)))


def catalog_rows(rows: list[dict], region: str | None) -> None:
    """The `catalog list` table."""
    if region:
        table = _table(f"Azure ML sizes in {region}",
                       ("size", "family", "vCPU", "GiB", "GPUs", "$/h", "low-pri $/h"),
                       [(r["vm_size"], r["family"], str(r["vcpus"]), f"{r['memory_gib']:g}",
                         f"{r['gpus']} {r['gpu_model'] or ''}".strip(), f"{r['hourly_usd']:.4f}",
                         "-" if r["low_priority_usd"] is None else f"{r['low_priority_usd']:.4f}")
                        for r in rows], no_wrap=("size", "GPUs", "$/h", "low-pri $/h"))
    else:
        table = _table("Azure ML sizes", ("size", "family", "vCPU", "GiB", "GPUs", "regions",
                                          "from $/h"),
                       [(r["vm_size"], r["family"], str(r["vcpus"]), f"{r['memory_gib']:g}",
                         f"{r['gpus']} {r['gpu_model'] or ''}".strip(), str(r["regions"]),
                         f"{r['min_hourly_usd']:.4f}") for r in rows], no_wrap=("size",))
    _console().print(table)
    note(f"{len(rows)} size(s)")


def catalog_detail(d: dict) -> None:
    """The `catalog show` view of one size."""
    console = _console()
    gpus = f", {d['gpus']} x {d['gpu_model']} ({d['gpu_memory_gib']:g} GiB)" if d["gpus"] else ""
    retired = " - RETIRED, never selected" if d["retired"] else ""
    console.print(f"[bold]{_plain(d['vm_size'])}[/]: {d['family']}, {d['vcpus']} vCPU, "
                  f"{d['memory_gib']:g} GiB{gpus}{retired}")
    console.print(_table("Regions", ("region", "$/h", "low-pri $/h", "Azure ML", "source", "date"),
                         [(r["region"], f"{r['hourly_usd']:.4f}",
                           "-" if r["low_priority_usd"] is None else f"{r['low_priority_usd']:.4f}",
                           "yes" if r["aml"] else "no", r["price_source"], r["price_date"])
                          for r in d["regions"]]))
    for source, info in sorted(d["sources"].items()):
        console.print(_plain(f"{source}: {info.get('what', '')} - {info.get('origin', '')}"))


def validation_table(report) -> None:  # noqa: ANN001 - a validate.Report
    """One line per finding (CI logs keep long lines whole), then the verdict."""
    console = _console()
    colour = {"error": "red", "warning": "yellow", "note": "cyan"}
    for f in report.findings:
        state = ("[dim]suppressed[/]" if f.suppressed
                 else f"[{colour[f.level]}]{f.level}[/]")
        where = f"{f.stack}/{f.resource}" if f.resource else f.stack
        accepted = f" [dim](accepted: {_plain(f.reason)})[/]" if f.suppressed else ""
        console.print(f"{_plain(f.rule)} {state} {_plain(where)}: {_plain(f.message)}{accepted}",
                      soft_wrap=True)
    for line in report.notes:
        console.print(f"[yellow]note:[/] {_plain(line)}", soft_wrap=True)
    s = report.summary()
    verdict = "[green]PASSED[/]" if s["passed"] else "[red]FAILED[/]"
    console.print(f"{s['stacks']} stack(s), {s['resources']} resource(s), {s['checks']} "
                  f"check(s): {s['errors']} error(s), {s['warnings']} warning(s), "
                  f"{s['suppressed']} suppressed - {verdict} ({report.pack} pack)")
