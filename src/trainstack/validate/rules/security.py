"""TS-SEC-001..013, -016, -017: the security baseline (mapped to Azure Policy built-ins for Azure ML where
one exists)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trainstack.tftemplate import is_reference_only
from trainstack.validate.model import Resource
from trainstack.validate.rules.base import (
    NotApplicable,
    RuleContext,
    declared_rules,
    resource_rule,
)

# TS-SEC-001, -002, -004, -005, -007, -009, -010 ("argument X must be Y") and -008, -012
# ("every X is the target of a Y"): declared as data in security.toml
declared_rules("security.toml")


IDENTITY_TYPES = ("azurerm_machine_learning_workspace", "azurerm_machine_learning_compute_cluster",
                  "azurerm_machine_learning_compute_instance", "azurerm_synapse_workspace",
                  "azurerm_cognitive_account", "azurerm_machine_learning_synapse_spark")


@resource_rule("TS-SEC-003", "Workspaces, computes and AI accounts have a managed identity",
               "managed identities replace stored credentials for data and registry access",
               "error", IDENTITY_TYPES)
def _identity(r: Resource, ctx: RuleContext) -> Iterator[str]:
    if not r.block("identity").get("type"):
        yield "no managed identity (identity block)"


@resource_rule("TS-SEC-006", "Storage accounts require TLS 1.2 and HTTPS",
               "older TLS versions are deprecated by Azure Storage; checkov CKV_AZURE_44",
               "error", ["azurerm_storage_account"])
def _storage_tls(r: Resource, ctx: RuleContext) -> Iterator[str]:
    if r.get("min_tls_version", "TLS1_2") != "TLS1_2":
        yield f"min_tls_version is {r.get('min_tls_version')!r}, not TLS1_2"
    if r.get("https_traffic_only_enabled", True) is not True:
        yield "https_traffic_only_enabled is not true"


PUBLIC_ACCESS_TYPES = ("azurerm_machine_learning_workspace", "azurerm_storage_account",
                       "azurerm_key_vault", "azurerm_container_registry",
                       "azurerm_synapse_workspace", "azurerm_databricks_workspace",
                       "azurerm_cognitive_account")


@resource_rule("TS-SEC-011", "Private profiles leave no public network access on",
               "constraints.network: private asks for every data and control endpoint to be "
               "private", "error", PUBLIC_ACCESS_TYPES)
def _private_means_private(r: Resource, ctx: RuleContext) -> Iterator[str]:
    if ctx.stack.meta.get("network") != "private":
        raise NotApplicable
    if r.get("public_network_access_enabled", True) is not False:
        yield "the profile is private but public_network_access_enabled is not false"


SECRET_ARGUMENTS = frozenset({"admin_password", "client_secret", "sql_administrator_login_password",
                              "account_key", "shared_access_signature", "password", "key_value"})


def _is_literal_secret(value: Any) -> bool:
    """Anything but references: text, numbers, and templates with any literal part
    (``"hunter2${""}"``, ``"${base64decode("...")}"``), decided by parsing the template."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and value != "" and not is_reference_only(value)


def _secret_keys(value: Any, path: str = "", body: bool = True) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "//" and body:
                continue  # a comment only directly in a block body (see _strings)
            where = f"{path}.{k}" if path else k
            if k in SECRET_ARGUMENTS and _is_literal_secret(v):
                yield where
            yield from _secret_keys(v, where, False)
    elif isinstance(value, list):
        for v in value:
            yield from _secret_keys(v, path, body)


@resource_rule("TS-SEC-013", "No literal secrets in the configuration",
               "a password or key written into the plan lands in state, logs and review tools",
               "error", None)
def _literal_secrets(r: Resource, ctx: RuleContext) -> Iterator[str]:
    for where in _secret_keys(r.body):
        yield f"{where} holds a literal secret; use a managed identity or a secret reference"


@resource_rule("TS-SEC-016", "A Synapse firewall rule admits only what needs it",
               "the 0.0.0.0 rule ('Allow Azure services') admits resources of every Azure "
               "tenant, not only this subscription's (learn.microsoft.com/azure/azure-sql/"
               "database/network-access-controls-overview), and 0.0.0.0-255.255.255.255 admits "
               "the internet; trainstack keeps the first only for a pool Azure ML attaches",
               "warning", ["azurerm_synapse_firewall_rule"])
def _synapse_firewall(r: Resource, ctx: RuleContext) -> Iterator[str]:
    start, end = r.get("start_ip_address"), r.get("end_ip_address")
    if (start, end) == ("0.0.0.0", "255.255.255.255"):
        yield "admits every address on the internet"
        return
    if (start, end) != ("0.0.0.0", "0.0.0.0"):
        raise NotApplicable
    workspace = ctx.stack.resolve(r.get("synapse_workspace_id"))
    pools = [p for p in ctx.stack.of_type("azurerm_synapse_spark_pool")
             if workspace is not None and ctx.stack.resolve(p.get("synapse_workspace_id"))
             is workspace]
    attached = any(ctx.stack.resolve(link.get("synapse_spark_pool_id")) in pools
                   for link in ctx.stack.of_type("azurerm_machine_learning_synapse_spark"))
    if not attached:
        yield ("admits resources of every Azure tenant, and no Azure ML workspace attaches "
               "a pool of this workspace: remove it, or add your own address ranges")


ENDPOINT_TYPES = ("Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
                  "Microsoft.MachineLearningServices/workspaces/batchEndpoints")


@resource_rule("TS-SEC-017", "Azure ML endpoints take Entra ID tokens only, and a private "
               "profile's online endpoint is closed",
               "authMode Key or AMLToken hands out keys and tokens that bypass Entra ID "
               "(azure-rest-api-specs machinelearningservices 2024-10-01: AADToken is the Entra "
               "mode); with publicNetworkAccess Enabled an online endpoint answers from the "
               "internet though the workspace is private (Learn, how-to-secure-online-endpoint)",
               "error", ["azapi_resource"])
def _endpoints(r: Resource, ctx: RuleContext) -> Iterator[str]:
    kind = str(r.get("type", "")).split("@", 1)[0]
    if kind not in ENDPOINT_TYPES:
        raise NotApplicable
    body = r.get("body")
    props = body.get("properties") if isinstance(body, dict) else None
    if not isinstance(props, dict):
        props = {}
    if props.get("authMode") != "AADToken":
        yield f"authMode is {props.get('authMode')!r}, not AADToken (Entra ID only)"
    private = ctx.stack.meta.get("network") == "private"
    if private and kind == ENDPOINT_TYPES[0] and props.get("publicNetworkAccess") != "Disabled":
        yield "the profile is private but publicNetworkAccess is not Disabled"
