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


def mermaid(selection: Selection, view: dict) -> str:
    """The flowchart of one stack (``view``: preflight.stack_view of its spec)."""
    resources = view.get("resource") or {}
    compute = _compute_labels(selection)
    groups: dict[str, list[str]] = {}
    edges: list[str] = []
    for kind, items in sorted(resources.items()):
        for local, body in sorted(items.items()):
            if kind in _SKIP:
                continue
            name = str(body.get("name", local))
            extra = next((text for key, text in compute.items() if kind.endswith(key)), "")
            label = _label(f"{kind.removeprefix('azurerm_')}: {name}") + \
                (f"<br/>{_label(extra)}" if extra else "")
            node = _node(kind, local)
            groups.setdefault(_group(kind), []).append(f'    {node}["{label}"]')
            for ref_kind, ref_local in sorted(set(_refs(body))):
                if ref_kind not in _SKIP and ref_kind in resources:
                    edges.append(f"  {node} --> {_node(ref_kind, ref_local)}")
    for local, body in sorted((resources.get("azurerm_role_assignment") or {}).items()):
        who, where = _refs(body.get("principal_id")), _refs(body.get("scope"))
        if who and where and who[0][0] in resources and where[0][0] in resources:
            role = _label(str(body.get("role_definition_name", "role")))
            edges.append(f'  {_node(*who[0])} -. "{role}" .-> {_node(*where[0])}')
    lines = ["flowchart LR", f'  %% {_label(selection.profile)}: {selection.service} in '
                             f'{selection.region}, ${selection.estimated_monthly_usd:,.2f}/month']
    for group in sorted(groups):
        lines += [f"  subgraph {group}", *groups[group], "  end"]
    return "\n".join(lines + sorted(set(edges))) + "\n"
