"""`trainstack diagram`: a picture of what a stack builds, as a Mermaid flowchart.

Resources are grouped by what they are for (compute, data, network, security, monitoring,
AI services); an arrow is a reference from one resource to another (a cluster to its
workspace, a diagnostic setting to its workspace and target); a role assignment is drawn as
a labelled arrow from the identity that holds it to its scope, and a private endpoint as an
arrow to what it reaches. Compute carries its size, nodes and price from the selection.
Built from the stack spec, without the engine; deterministic. GitHub, Azure DevOps and
most Markdown viewers render Mermaid in a ```mermaid block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from trainstack.errors import TrainstackError
from trainstack.select import Selection
from trainstack.text import printable

_REF = re.compile(r"\$\{(?:data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)")
_GROUPS = (
    ("compute", ("compute", "spark_pool", "databricks_cluster", "synapse_spark",
                 "azapi_resource")),
    ("ai", ("cognitive",)),
    ("network", ("virtual_network", "subnet", "private_endpoint", "private_dns", "nat_gateway",
                 "public_ip", "network_security_group", "outbound_rule")),
    ("monitoring", ("log_analytics", "application_insights", "monitor_", "consumption_budget")),
    ("security", ("key_vault", "management_lock")),
    ("data", ("storage", "container_registry", "synapse_workspace", "datalake")),
    ("workspace", ("machine_learning_workspace", "databricks_workspace", "synapse")),
)
_SKIP = ("azurerm_resource_group", "azurerm_client_config", "azurerm_role_assignment",
         "azurerm_private_dns_zone_virtual_network_link",
         "azurerm_subnet_network_security_group_association",
         "azurerm_subnet_nat_gateway_association", "azurerm_nat_gateway_public_ip_association")


def _group(kind: str) -> str:
    for name, needles in _GROUPS:
        if any(n in kind for n in needles):
            return name
    return "other"


def _node(kind: str, local: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{kind.removeprefix('azurerm_')}__{local}")


def _label(text: str) -> str:
    """Text inside a Mermaid label: quotes and markup characters as entities."""
    return printable(text).replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _refs(value: object) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [r for v in value.values() for r in _refs(v)]
    if isinstance(value, list | tuple):
        return [r for v in value for r in _refs(v)]
    return _REF.findall(value) if isinstance(value, str) else []


# the stack resource (type, local name) that holds each kind of compute, by role
# (constructs/aml.py, endpoints.py, synapse.py, databricks.py)
_HOLDERS = {
    ("aml-cluster", "training"): ("azurerm_machine_learning_compute_cluster", "training"),
    ("aml-cluster", "inference"): ("azurerm_machine_learning_compute_cluster", "scoring"),
    ("aml-instance", "development"): ("azurerm_machine_learning_compute_instance",
                                      "development"),
    ("aml-online-endpoint", "inference"): ("azapi_resource", "online_endpoint"),
    ("synapse-spark-pool", "training"): ("azurerm_synapse_spark_pool", "spark"),
    ("synapse-spark-pool", "data-prep"): ("azurerm_synapse_spark_pool", "spark"),
    ("databricks-cluster", "training"): ("databricks_cluster", "training"),
}


def _compute_labels(selection: Selection) -> dict[tuple[str, str], str]:
    """Size, nodes and price of each compute, by the stack resource that holds it."""
    return {_HOLDERS[c.kind, c.role]: f"{c.size} x {c.min_nodes}-{c.max_nodes}, {c.priority}, "
                                      f"${c.hourly_usd:.4f}/h" for c in selection.compute}


def graph(selection: Selection, view: dict) -> tuple[dict[str, list[tuple[str, list[str]]]],
                                                      list[tuple[str, str, str]]]:
    """The nodes by group ({group: [(node id, label lines)]}) and the edges ((from, to, role
    label or "")) of one stack (``view``: StackSpec.view() of its spec)."""
    resources = view.get("resource") or {}
    compute = _compute_labels(selection)
    groups: dict[str, list[tuple[str, list[str]]]] = {}
    edges: set[tuple[str, str, str]] = set()
    for kind, items in sorted(resources.items()):
        for local, body in sorted(items.items()):
            if kind in _SKIP:
                continue
            name = str(body.get("name", local))
            extra = compute.get((kind, local), "")
            lines = [printable(f"{kind.removeprefix('azurerm_')}: {name}")]
            lines += [printable(extra)] if extra else []
            node = _node(kind, local)
            groups.setdefault(_group(kind), []).append((node, lines))
            for ref_kind, ref_local in sorted(set(_refs(body))):
                if ref_kind not in _SKIP and ref_kind in resources:
                    edges.add((node, _node(ref_kind, ref_local), ""))
    for _, body in sorted((resources.get("azurerm_role_assignment") or {}).items()):
        who, where = _refs(body.get("principal_id")), _refs(body.get("scope"))
        role = printable(str(body.get("role_definition_name", "role")))
        if not who and where and where[0][0] in resources:  # a principal named by its id
            principal = str(body.get("principal_id"))
            node = _node("principal", principal)
            if node not in {n for n, _ in groups.get("callers", [])}:
                groups.setdefault("callers", []).append((node, [printable(
                    f"principal: {principal}")]))
            edges.add((node, _node(*where[0]), role))
        elif who and where and who[0][0] in resources and where[0][0] in resources:
            edges.add((_node(*who[0]), _node(*where[0]), role))
    return {g: groups[g] for g in sorted(groups)}, sorted(edges)


def _title(selection: Selection) -> str:
    return (f"{selection.profile}: {selection.service} in {selection.region}, "
            f"${selection.estimated_monthly_usd:,.2f}/month")


def mermaid(selection: Selection, view: dict) -> str:
    """The flowchart of one stack, as Mermaid text."""
    groups, edges = graph(selection, view)
    lines = ["flowchart LR", f"  %% {_label(_title(selection))}"]
    for group, nodes in groups.items():
        lines.append(f"  subgraph {group}")
        lines += [f'    {node}["' + "<br/>".join(_label(t) for t in text) + '"]'
                  for node, text in nodes]
        lines.append("  end")
    for a, b, role in edges:
        lines.append(f'  {a} -. "{_label(role)}" .-> {b}' if role else f"  {a} --> {b}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Layout:
    """Where everything of the chart goes: a column per group, a box per resource (its first
    two label lines), a line per reference, dashed and labelled for a role assignment."""

    width: int
    height: int
    title: str
    groups: list[tuple[int, int, int, int, str]]  # x, y, width, height, name
    boxes: list[tuple[int, int, list[str]]]  # x, y, lines
    edges: list[tuple[int, int, int, int, str]]  # from centre x, y, to centre x, y, role


BOX_W, BOX_H = 300, 46


def layout(selection: Selection, view: dict) -> Layout:
    """The chart of one stack laid out, for the SVG and PNG renderers alike."""
    groups, edges = graph(selection, view)
    col_w, gap, top = 330, 16, 60
    where: dict[str, tuple[int, int]] = {}
    frames, boxes = [], []
    for i, (group, nodes) in enumerate(groups.items()):
        x = 20 + i * col_w
        frames.append((x - 5, top - 30, BOX_W + 10, 40 + len(nodes) * (BOX_H + gap), group))
        for j, (node, text) in enumerate(nodes):
            where[node] = (x, top + j * (BOX_H + gap))
            boxes.append((*where[node], [line[:52] for line in text[:2]]))
    lines = [(where[a][0] + BOX_W // 2, where[a][1] + BOX_H // 2,
              where[b][0] + BOX_W // 2, where[b][1] + BOX_H // 2, role) for a, b, role in edges]
    return Layout(width=40 + max(len(groups), 1) * col_w,
                  height=top + 40 + max((len(n) for n in groups.values()), default=0) * (BOX_H + gap),
                  title=_title(selection), groups=frames, boxes=boxes, edges=lines)


def svg(selection: Selection, view: dict) -> str:
    """The chart as a self-contained SVG."""
    from xml.sax.saxutils import escape

    chart = layout(selection, view)
    parts = []
    for x, y, w, h, name in chart.groups:
        parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#f6f8fa" '
                     f'stroke="#d0d7de"/><text x="{x + 5}" y="{y + 18}" font-weight="bold">'
                     f"{escape(name)}</text>")
    for x, y, text in chart.boxes:
        parts.append(f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
                     'fill="white" stroke="#57606a"/>')
        parts += [f'<text x="{x + 6}" y="{y + 18 + 16 * k}" font-size="11">{escape(line)}</text>'
                  for k, line in enumerate(text)]
    for x1, y1, x2, y2, role in chart.edges:
        dash = ' stroke-dasharray="5,4"' if role else ""
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#8c959f" '
                     f'marker-end="url(#arrow)"{dash}/>')
        if role:
            parts.append(f'<text x="{(x1 + x2) // 2}" y="{(y1 + y2) // 2 - 4}" '
                         f'font-size="10" fill="#6e7781">{escape(role)}</text>')
    width, height = chart.width, chart.height
    return ('<svg xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
            'markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
            f'fill="#8c959f"/></marker></defs><text x="20" y="20" font-weight="bold">'
            f"{escape(chart.title)}</text>" + "".join(parts) + "</svg>\n")


def png(selection: Selection, view: dict, scale: int = 2) -> bytes:
    """The chart as a PNG at ``scale`` times the SVG's size (sharp on high-density screens),
    drawn with Pillow (``pip install 'trainstack[png]'``), byte-identical run to run."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise TrainstackError("--format png needs Pillow: pip install 'trainstack[png]' "
                              "(or use --format svg)") from None
    import io

    chart = layout(selection, view)
    image = Image.new("RGB", (chart.width * scale, chart.height * scale), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=11 * scale)
    bold = ImageFont.load_default(size=13 * scale)
    draw.text((20 * scale, 20 * scale), chart.title, fill="black", font=bold, anchor="ls")
    for x, y, w, h, name in chart.groups:
        draw.rectangle(_box(x, y, w, h, scale), fill="#f6f8fa", outline="#d0d7de", width=scale)
        draw.text(((x + 5) * scale, (y + 18) * scale), name, fill="black", font=bold,
                  anchor="ls")
    for x, y, text in chart.boxes:
        draw.rounded_rectangle(_box(x, y, BOX_W, BOX_H, scale), radius=6 * scale, fill="white",
                               outline="#57606a", width=scale)
        for k, line in enumerate(text):
            draw.text(((x + 6) * scale, (y + 18 + 16 * k) * scale), line, fill="black",
                      font=font, anchor="ls")
    for x1, y1, x2, y2, role in chart.edges:
        _arrow(draw, [v * scale for v in (x1, y1, x2, y2)], dashed=bool(role), scale=scale)
        if role:
            draw.text((((x1 + x2) // 2) * scale, ((y1 + y2) // 2 - 4) * scale), role,
                      fill="#6e7781", font=font, anchor="ls")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _box(x: int, y: int, w: int, h: int, scale: int) -> tuple[int, int, int, int]:
    return x * scale, y * scale, (x + w) * scale, (y + h) * scale


def _arrow(draw: Any, points: list[int], *, dashed: bool, scale: int) -> None:
    """A line with an arrowhead at its end, in dashes of 5 and gaps of 4 (the SVG's)."""
    import math

    x1, y1, x2, y2 = points
    length = math.hypot(x2 - x1, y2 - y1)
    if length == 0:
        return
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    dash, gap = (5 * scale, 4 * scale) if dashed else (length, 0)
    start = 0.0
    while start < length:
        end = min(start + dash, length)
        draw.line([(x1 + ux * start, y1 + uy * start), (x1 + ux * end, y1 + uy * end)],
                  fill="#8c959f", width=scale)
        start = end + gap
    head = 6 * scale
    draw.polygon([(x2, y2), (x2 - ux * head - uy * head / 2, y2 - uy * head + ux * head / 2),
                  (x2 - ux * head + uy * head / 2, y2 - uy * head - ux * head / 2)],
                 fill="#8c959f")
