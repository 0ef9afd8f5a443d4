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

from trainstack.select import Selection
from trainstack.text import printable

_REF = re.compile(r"\$\{(?:data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)")
_GROUPS = (
    ("compute", ("compute", "spark_pool", "databricks_cluster", "synapse_spark",
                 "azapi_resource_action")),
    ("ai", ("cognitive",)),
    ("network", ("virtual_network", "subnet", "private_endpoint", "private_dns", "nat_gateway",
                 "public_ip", "network_security_group", "outbound_rule")),
    ("monitoring", ("log_analytics", "application_insights", "monitor_")),
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


def _compute_labels(selection: Selection) -> dict[str, str]:
    """Size, nodes and price of each compute, by the stack resource that holds it."""
    kinds = {"aml-cluster": "machine_learning_compute_cluster",
             "aml-instance": "machine_learning_compute_instance",
             "synapse-spark-pool": "synapse_spark_pool", "databricks-cluster": "cluster"}
    return {kinds[c.kind]: f"{c.size} x {c.min_nodes}-{c.max_nodes}, {c.priority}, "
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
            extra = next((text for key, text in compute.items() if kind.endswith(key)), "")
            lines = [printable(f"{kind.removeprefix('azurerm_')}: {name}")]
            lines += [printable(extra)] if extra else []
            node = _node(kind, local)
            groups.setdefault(_group(kind), []).append((node, lines))
            for ref_kind, ref_local in sorted(set(_refs(body))):
                if ref_kind not in _SKIP and ref_kind in resources:
                    edges.add((node, _node(ref_kind, ref_local), ""))
    for _, body in sorted((resources.get("azurerm_role_assignment") or {}).items()):
        who, where = _refs(body.get("principal_id")), _refs(body.get("scope"))
        if who and where and who[0][0] in resources and where[0][0] in resources:
            edges.add((_node(*who[0]), _node(*where[0]),
                       printable(str(body.get("role_definition_name", "role")))))
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


def svg(selection: Selection, view: dict) -> str:
    """The same chart as a self-contained SVG: a column per group, a box per resource, an
    arrow per reference, a dashed labelled arrow per role assignment."""
    from xml.sax.saxutils import escape

    groups, edges = graph(selection, view)
    col_w, box_w, box_h, gap, top = 330, 300, 46, 16, 60
    where: dict[str, tuple[int, int]] = {}
    parts = []
    for i, (group, nodes) in enumerate(groups.items()):
        x = 20 + i * col_w
        height = 40 + len(nodes) * (box_h + gap)
        parts.append(f'<rect x="{x - 5}" y="{top - 30}" width="{box_w + 10}" height="{height}" '
                     f'fill="#f6f8fa" stroke="#d0d7de"/><text x="{x}" y="{top - 12}" '
                     f'font-weight="bold">{escape(group)}</text>')
        for j, (node, text) in enumerate(nodes):
            y = top + j * (box_h + gap)
            where[node] = (x, y)
            parts.append(f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="6" '
                         'fill="white" stroke="#57606a"/>')
            parts += [f'<text x="{x + 6}" y="{y + 18 + 16 * k}" font-size="11">'
                      f"{escape(line[:52])}</text>" for k, line in enumerate(text[:2])]
    for a, b, role in edges:
        (x1, y1), (x2, y2) = where[a], where[b]
        dash = ' stroke-dasharray="5,4"' if role else ""
        parts.append(f'<line x1="{x1 + box_w // 2}" y1="{y1 + box_h // 2}" x2="{x2 + box_w // 2}" '
                     f'y2="{y2 + box_h // 2}" stroke="#8c959f" marker-end="url(#arrow)"{dash}/>')
        if role:
            parts.append(f'<text x="{(x1 + x2 + box_w) // 2}" y="{(y1 + y2 + box_h) // 2 - 4}" '
                         f'font-size="10" fill="#6e7781">{escape(role)}</text>')
    width = 40 + max(len(groups), 1) * col_w
    height = top + 40 + max((len(n) for n in groups.values()), default=0) * (box_h + gap)
    return ('<svg xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
            'markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
            f'fill="#8c959f"/></marker></defs><text x="20" y="20" font-weight="bold">'
            f"{escape(_title(selection))}</text>" + "".join(parts) + "</svg>\n")
