"""`trainstack report`: one page per selection, for a pull-request comment or a review.

The decision trail (every rule id with its reason), the compute chosen, the alternatives
and why they lost, the monthly cost (every line of the estimate, with its price's source),
the warnings, and the validation summary of the stack. Markdown or HTML; every text from the profile or the
selection is escaped for where it goes (table cells, HTML), so a profile cannot forge a
table, a link or a tag. Deterministic: no dates, no paths.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from trainstack.select import Selection
from trainstack.text import printable


def _md(text: object) -> str:
    """Text for a Markdown table cell: one line, pipes and markup characters escaped."""
    value = printable(str(text))
    for char in "\\`*_[]<>|":
        value = value.replace(char, "\\" + char)
    return value


def _sections(selection: Selection, validation: dict | None) -> list[tuple[str, list[str],
                                                                            list[list[str]]]]:
    """(title, columns, rows) of each part of the page, as plain text."""
    parts = [("Compute", ["role", "kind", "size", "nodes", "priority", "$/h per node"],
              [[c.role, c.kind, c.size, f"{c.min_nodes}-{c.max_nodes}", c.priority,
                f"{c.hourly_usd:.4f}"] for c in selection.compute])]
    if selection.ai_services:
        parts.append(("Azure AI services", ["kind", "sku", "covers"],
                      [[a.kind, a.sku, ", ".join(a.covers)] for a in selection.ai_services]))
    cost = [[i.item, i.category, f"{i.quantity:,.4g} {i.unit}", f"{i.unit_usd:g}",
             f"{i.monthly_usd:,.2f}", i.source] for i in selection.cost_breakdown]
    cost.append(["total", "", "", "", f"{selection.estimated_monthly_usd:,.2f}", ""])
    parts.append(("Monthly cost (USD)", ["item", "category", "quantity", "$/unit", "$/month",
                                         "price source"], cost))
    parts.append(("Decision trail", ["rule", "why"],
                  [[r.rule, r.text] for r in selection.rationale]))
    if selection.alternatives:
        parts.append(("Alternatives", ["size", "$/h", "rejected because"],
                      [[a.vm_size, f"{a.hourly_usd:.4f}", a.rejected_because]
                       for a in selection.alternatives]))
    if validation is not None:
        parts.append(("Validation", ["rule", "level", "where", "finding"],
                      validation["findings"]))
    return parts


def _headline(selection: Selection) -> str:
    budget = "within budget" if selection.within_budget else "OVER BUDGET"
    return (f"{selection.profile}: {selection.service} in {selection.region}, "
            f"${selection.estimated_monthly_usd:,.2f}/month ({budget})")


def markdown(selections: Iterable[tuple[Selection, dict | None]]) -> str:
    """The pages as Markdown (GitHub and Azure DevOps render it in a comment)."""
    out: list[str] = []
    for selection, validation in selections:
        out.append(f"## {_md(_headline(selection))}\n")
        for title, columns, rows in _sections(selection, validation):
            out.append(f"### {title}\n")
            if title == "Validation" and validation is not None:
                out.append(_md(validation["summary"]) + "\n")
            if rows:
                out.append("| " + " | ".join(columns) + " |")
                out.append("|" + "---|" * len(columns))
                out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
                out.append("")
        out += [f"- warning: {_md(w)}" for w in selection.warnings]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def page_html(selections: Iterable[tuple[Selection, dict | None]]) -> str:
    """The pages as one self-contained HTML document (no scripts, no external files)."""
    esc = html.escape
    body = []
    for selection, validation in selections:
        body.append(f"<h2>{esc(printable(_headline(selection)))}</h2>")
        for title, columns, rows in _sections(selection, validation):
            body.append(f"<h3>{esc(title)}</h3>")
            if title == "Validation" and validation is not None:
                body.append(f"<p>{esc(printable(validation['summary']))}</p>")
            if rows:
                head = "".join(f"<th>{esc(c)}</th>" for c in columns)
                cells = "".join("<tr>" + "".join(f"<td>{esc(printable(str(c)))}</td>"
                                                 for c in row) + "</tr>" for row in rows)
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody>"
                            "</table>")
        body += [f"<p>warning: {esc(printable(w))}</p>" for w in selection.warnings]
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;"
             "text-align:left;vertical-align:top}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>trainstack report</title><style>{style}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def validation_of(report) -> dict:  # noqa: ANN001 - a validate Report
    """The validation part of a page: the summary line and every live finding."""
    s = report.summary()
    verdict = "PASSED" if s["passed"] else "FAILED"
    summary = (f"{s['resources']} resources, {s['checks']} checks: {s['errors']} error(s), "
               f"{s['warnings']} warning(s), {s['suppressed']} suppressed: {verdict} "
               f"({report.pack} pack)")
    findings = [[f.rule, f.level, f.resource or f.stack, f.message]
                for f in report.findings if not f.suppressed]
    return {"summary": summary, "findings": findings}
