"""TS-APPLY rules about reaching resources: data-plane resources the runner must reach
(TS-APPLY-003) and closed resources that need private endpoints (TS-APPLY-008). The
helpers and the other TS-APPLY rules are in apply.py; docs/validation.md lists the sources.
"""

from __future__ import annotations

from collections.abc import Iterator

from trainstack import arm
from trainstack.validate.model import Resource
from trainstack.validate.rules.apply import first_object, points_at, azurerm_provider
from trainstack.validate.rules.base import NotApplicable, RuleContext, Unknown, resource_rule

# -- 3: data-plane resources --------------------------------------------------------------

# Resources azurerm creates through a data plane, not Azure Resource Manager
# (storage_data_lake_gen2_filesystem_resource.go / _path_resource.go: every CRUD step through
# the account's dfs endpoint; synapse_managed_private_endpoint_resource.go and
# synapse_role_assignment_resource.go: the workspace's dev endpoint), and the argument that
# names the account or workspace they reach.
DATA_PLANE = {
    "azurerm_storage_data_lake_gen2_filesystem": "storage_account_id",
    "azurerm_storage_data_lake_gen2_path": "storage_account_id",
    "azurerm_synapse_managed_private_endpoint": "synapse_workspace_id",
    "azurerm_synapse_role_assignment": "synapse_workspace_id",
}
# Learn, "Access control model in Azure Data Lake Storage": these may create filesystems.
STORAGE_DATA_ROLES = ("Storage Blob Data Owner", "Storage Blob Data Contributor")
DEPLOYER = "data.azurerm_client_config"


def _closed(target: Resource) -> bool:
    """Public network access off, or a firewall that denies by default."""
    rules = first_object(target.get("network_rules"))
    return target.get("public_network_access_enabled") is False or \
        rules.get("default_action") == "Deny"


def _granted_first(ctx: RuleContext, r: Resource, account: Resource) -> bool:
    """Whether a data role on ``account`` is granted to the deploying identity and ``r``
    waits for it."""
    waits = r.get("depends_on")
    waits = set(waits) if isinstance(waits, list) else set()
    return any(g.get("role_definition_name") in STORAGE_DATA_ROLES
               and points_at(ctx, g.get("scope"), account)
               and any(a.startswith(DEPLOYER) for a in ctx.stack.referenced(g.get("principal_id")))
               and g.address in waits
               for g in ctx.stack.of_type("azurerm_role_assignment"))


@resource_rule("TS-APPLY-003", "Data-plane resources can reach their account, with the right "
               "to", "azurerm creates these through the account's own endpoint, not Azure "
               "Resource Manager: with public access off the runner cannot reach it "
               "(hashicorp/terraform-provider-azurerm#6659), and with shared keys off the "
               "deploying identity needs a data role granted before (azurerm "
               "storage_data_lake_gen2_filesystem_resource.go; storage_account docs: "
               "storage_use_azuread)", "error", list(DATA_PLANE))
def _data_plane(r: Resource, ctx: RuleContext) -> Iterator[str]:
    target = ctx.stack.resolve(r.get(DATA_PLANE[r.type]))
    if target is None:
        raise Unknown(f"{DATA_PLANE[r.type]} {r.get(DATA_PLANE[r.type])!r}")
    if _closed(target):
        yield (f"goes through {target.address}'s data plane, which the runner cannot reach "
               f"with its public access off: use azurerm_storage_container (Azure Resource "
               f"Manager) or run terraform inside the network")
        return
    if target.type != "azurerm_storage_account" or \
            target.get("shared_access_key_enabled", True) is not False:
        return
    if azurerm_provider(ctx.stack).get("storage_use_azuread") is not True:
        yield ("shared keys are off on the account, so the provider must sign with Entra ID: "
               "set storage_use_azuread = true on the azurerm provider")
    if not _granted_first(ctx, r, target):
        yield (f"shared keys are off on {target.address}: grant the deploying identity "
               f"({DEPLOYER}.current.object_id) {' or '.join(STORAGE_DATA_ROLES)} on it and "
               f"add that role assignment to depends_on")


# -- 8: private must be usable -----------------------------------------------------------------

@resource_rule("TS-APPLY-008", "A resource with public access off has its private endpoints "
               "and their DNS", "with public access off a resource is reachable only through "
               "a private endpoint, and by name only when the endpoint's private DNS zone "
               "group answers for it (learn.microsoft.com/azure/private-link/"
               "private-endpoint-dns)", "error", list(arm.PRIVATE_LINK))
def _private_endpoints(r: Resource, ctx: RuleContext) -> Iterator[str]:
    if r.get("public_network_access_enabled", True) is not False:
        raise NotApplicable
    hierarchical = r.get("is_hns_enabled") is True
    have: dict[str, bool] = {}  # sub-resource -> has a DNS zone group
    for endpoint in ctx.stack.of_type("azurerm_private_endpoint"):
        connection = first_object(endpoint.get("private_service_connection"))
        if not points_at(ctx, connection.get("private_connection_resource_id"), r):
            continue
        zoned = bool(first_object(endpoint.get("private_dns_zone_group"))
                     .get("private_dns_zone_ids"))
        names = connection.get("subresource_names")
        for name in names if isinstance(names, list) else []:
            if isinstance(name, str):
                have[name.lower()] = have.get(name.lower(), False) or zoned
    for subresource, zones in arm.private_link(r.type, hierarchical=hierarchical):
        if subresource.lower() not in have:
            yield (f"public access is off but no private endpoint reaches its "
                   f"{subresource!r} sub-resource: nothing can reach it")
        elif not have[subresource.lower()]:
            yield (f"the {subresource!r} private endpoint has no private DNS zone group "
                   f"({', '.join(zones)}): its name still resolves to the public address")
