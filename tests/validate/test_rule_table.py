"""Every validation rule, branch by branch, through the real `validate` command, baseline pack.

Each row starts from a stored stack (tests/golden/stacks: no Node needed), changes it,
and pins exactly which unsuppressed findings appear (rule, resource, level) and the
exit code `trainstack validate` gives for them under the default (baseline) pack:
1 when an error is left, 0 when only warnings are. Rows with no expected finding are
the boundaries where a rule must stay quiet.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from conftest import ROOT
from trainstack.cli.entry import main
from trainstack.validate import RULES

GOLDEN = ROOT / "tests" / "golden" / "stacks"
SHAPES = ROOT / "tests" / "golden" / "shapes"  # stacks of other shapes (dbx-private)
CLUSTER = "azurerm_machine_learning_compute_cluster.training"
INSTANCE = "azurerm_machine_learning_compute_instance.development"
WORKSPACE = "azurerm_machine_learning_workspace.workspace"
VAULT = "azurerm_key_vault.key_vault"
ONLINE = "azapi_resource.online_endpoint"
BATCH = "azapi_resource.batch_endpoint"
STORAGE = "azurerm_storage_account.storage"
REGISTRY = "azurerm_container_registry.registry"
POOL = "azurerm_synapse_spark_pool.spark"
COGNITIVE = "azurerm_cognitive_account.formrecognizer"
DATABRICKS = "azurerm_databricks_workspace.databricks"
INSIGHTS = "azurerm_application_insights.insights"
ME = "data.databricks_current_user.me"
PE = "azurerm_private_endpoint"
FS = "azurerm_storage_data_lake_gen2_filesystem.raw"
ON_STORAGE = "${azurerm_storage_account.storage.id}"
DEPLOYER_GRANT = "azurerm_role_assignment.deployer_data"
IDLE_ROLE = "azurerm_role_assignment.development_idle_shutdown_role"
ACRPULL = "azurerm_role_assignment.pull"
FQDN = "azurerm_machine_learning_workspace_network_outbound_rule_fqdn"
EGRESS = "azurerm_subnet_nat_gateway_association"
SYN_FIREWALL = "azurerm_synapse_firewall_rule.synapse_azure_services"
BUDGET = "azurerm_consumption_budget_resource_group.budget"
FIXED = "${formatdate(\"YYYY-MM-'01T00:00:00Z'\", timestamp())}"  # tftemplate.FIRST_OF_THIS_MONTH

Change = Callable[[dict], None]


@cache
def _stored(stack: str) -> str:
    folder = GOLDEN / stack if (GOLDEN / stack).is_dir() else SHAPES / stack
    return (folder / "cdk.tf.json").read_text()


def _node(doc: dict, address: str) -> dict:
    kind, name = address.split(".")[-2:]
    return doc["data" if address.startswith("data.") else "resource"][kind][name]


def put(address: str, path: str, value) -> Change:  # noqa: ANN001 - any JSON value
    """Set ``path`` (dots for nesting) in the body of ``address``."""
    def change(doc: dict) -> None:
        node = _node(doc, address)
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return change


def drop(address: str, path: str) -> Change:
    def change(doc: dict) -> None:
        node = _node(doc, address)
        *parents, leaf = path.split(".")
        for key in parents:
            node = node[key]
        del node[leaf]
    return change


def _existing_databricks_workspace(doc: dict) -> None:
    """The workspace read by a data source (existing.databricks_workspace_id), not made."""
    del doc["resource"]["azurerm_databricks_workspace"]
    del doc["resource"]["azurerm_monitor_diagnostic_setting"]["databricks_diagnostics"]
    text = json.dumps(doc).replace("${azurerm_databricks_workspace.databricks.",
                                   "${data.azurerm_databricks_workspace.databricks.")
    doc.clear()
    doc.update(json.loads(text))
    doc["data"]["azurerm_databricks_workspace"] = {
        "databricks": {"name": "dbw-shared", "resource_group_name": "rg-shared"}}


def add(address: str, body: dict) -> Change:
    kind, name = address.split(".")
    return lambda doc: doc["resource"].setdefault(kind, {}).__setitem__(name, body)


def remove(address: str) -> Change:
    kind, name = address.split(".")
    return lambda doc: doc["resource"][kind].pop(name)


def meta(key: str, value) -> Change:  # noqa: ANN001
    return lambda doc: doc["//"]["trainstack"].__setitem__(key, value)


def provider(setting: str, value) -> Change:  # noqa: ANN001 - a value, or old -> new
    """Set an argument of the stack's azurerm provider (a function maps the old value)."""
    def change(doc: dict) -> None:
        config = doc["provider"]["azurerm"][0]
        config[setting] = value(config.get(setting)) if callable(value) else value
    return change


def without(name: str) -> Callable[[list], list]:
    return lambda names: [n for n in names if n != name]


def replaced(old: str, new: str) -> Callable[[list], list]:
    return lambda names: [new if n == old else n for n in names]


def features(group: str, flag: str, value: bool) -> Change:
    def change(doc: dict) -> None:
        blocks = doc["provider"]["azurerm"][0]["features"][0]
        blocks.setdefault(group, [{}])[0][flag] = value
    return change


def backend(kind: str, config: dict) -> Change:
    return lambda doc: doc["terraform"].__setitem__("backend", {kind: config})


def no_suppressions(doc: dict) -> None:
    doc["//"]["trainstack"]["suppressions"] = []


E, W = "error", "warning"

# (row id, stored stack, changes, {(rule, resource): level}); an empty dict: nothing fires.
TABLE: list[tuple[str, str, list[Change], dict[tuple[str, str], str]]] = [
    # -- provider schema ------------------------------------------------------------------
    ("schema-unknown-argument", "churn", [put(VAULT, "enable_rbac_authorization", True)],
     {("TS-SCHEMA-001", VAULT): E}),
    ("schema-missing-required", "churn", [drop(CLUSTER, "vm_size")],
     {("TS-SCHEMA-002", CLUSTER): E}),
    ("schema-missing-required-block", "churn", [drop(CLUSTER, "scale_settings")],
     {("TS-SCHEMA-002", CLUSTER): E}),
    ("schema-type", "churn", [put(STORAGE, "min_tls_version", 12)],
     {("TS-SCHEMA-003", STORAGE): E, ("TS-SEC-006", STORAGE): E}),
    ("schema-nesting", "churn",
     [put(WORKSPACE, "identity", [{"type": "SystemAssigned"}, {"type": "SystemAssigned"}])],
     {("TS-SCHEMA-004", WORKSPACE): E}),
    ("schema-unknown-type", "churn", [add("azurerm_ml_thing.x", {"name": "x"})],
     {("TS-SCHEMA-005", "azurerm_ml_thing.x"): E}),
    ("schema-other-provider-not-checked", "churn",
     [add("random_string.x", {"length": 4})], {}),
    # -- naming ---------------------------------------------------------------------------
    ("name-invalid", "churn", [put(STORAGE, "name", "St_Churn")],
     {("TS-NAME-001", STORAGE): E, ("TS-NAME-002", STORAGE): W}),
    ("name-too-long", "churn", [put(STORAGE, "name", "st" + "a" * 23)],
     {("TS-NAME-001", STORAGE): E}),
    ("name-longest-valid", "churn", [put(STORAGE, "name", "st" + "a" * 22)], {}),
    ("name-reference-is-unknown", "churn",
     [put(STORAGE, "name", "${azurerm_resource_group.rg.name}")],
     {("TS-SEC-014", STORAGE): E}),  # names are literal text: TS-NAME-001 stays quiet
    ("name-caf-prefix", "churn", [put(VAULT, "name", "vault-churn-dev-1")],
     {("TS-NAME-002", VAULT): W}),
    # -- SKUs -------------------------------------------------------------------------------
    ("priority-spot", "churn", [put(CLUSTER, "vm_priority", "Spot")],
     {("TS-SKU-001", CLUSTER): E}),
    ("priority-dedicated", "churn", [put(CLUSTER, "vm_priority", "Dedicated")], {}),
    ("priority-missing", "churn", [drop(CLUSTER, "vm_priority")],
     {("TS-SKU-001", CLUSTER): E, ("TS-SCHEMA-002", CLUSTER): E}),
    ("retired-cluster-size", "vision-defects", [put(CLUSTER, "vm_size", "Standard_NC6s_v3")],
     {("TS-SKU-002", CLUSTER): E}),
    ("retired-instance-size", "churn",
     [put(INSTANCE, "virtual_machine_size", "Standard_NC6s_v3")],
     {("TS-SKU-002", INSTANCE): E}),
    ("size-not-in-region", "fraud-private",
     [put(CLUSTER, "vm_size", "Standard_ND96amsr_A100_v4")], {("TS-SKU-003", CLUSTER): E}),
    ("size-unknown", "churn", [put(CLUSTER, "vm_size", "Standard_Q4_v9")],
     {("TS-SKU-003", CLUSTER): E}),
    ("size-region-from-workspace", "churn",
     [put(CLUSTER, "location", "${azurerm_machine_learning_workspace.workspace.location}"),
      put(CLUSTER, "vm_size", "Standard_D2_v2_Promo")], {("TS-SKU-003", CLUSTER): E}),
    # the region comes from the compute's own location, else its workspace's, else the
    # stack's (a location given as a reference is passed over); ND96asr_v4: westeurope only
    ("size-region-from-own-location", "churn",
     [put(CLUSTER, "location", "northeurope"), put(CLUSTER, "vm_size", "Standard_ND96asr_v4")],
     {("TS-SKU-003", CLUSTER): E, ("TS-XRES-002", CLUSTER): E}),
    ("size-region-from-workspace-location", "churn",
     [put(WORKSPACE, "location", "northeurope"), put(CLUSTER, "location", "northeurope"),
      put(INSTANCE, "virtual_machine_size", "Standard_ND96asr_v4")],
     {("TS-SKU-003", INSTANCE): E}),
    ("size-region-from-the-stack", "churn",
     [put(WORKSPACE, "location", "${azurerm_resource_group.rg.location}"),
      put(CLUSTER, "location", "${azurerm_resource_group.rg.location}"),
      meta("region", "northeurope"),
      put(INSTANCE, "virtual_machine_size", "Standard_ND96asr_v4")],
     {("TS-SKU-003", INSTANCE): E}),
    ("cluster-location-by-reference", "churn",
     [put(CLUSTER, "location", "${azurerm_machine_learning_workspace.workspace.location}")],
     {}),
    ("size-region-not-in-catalog", "churn",
     [put(CLUSTER, "location", "westeurope2"), put(WORKSPACE, "location", "westeurope2"),
      put(CLUSTER, "vm_size", "Standard_Q4_v9")], {}),
    ("spark-version", "claims-synapse", [put(POOL, "spark_version", "3.4")],
     {("TS-SKU-004", POOL): E}),
    ("spark-gpu-family", "claims-synapse",
     [put(POOL, "node_size_family", "HardwareAcceleratedGPU")], {("TS-SKU-004", POOL): E}),
    ("spark-family-none", "claims-synapse", [put(POOL, "node_size_family", "None")], {}),
    ("spark-node-size", "claims-synapse", [put(POOL, "node_size", "Huge")],
     {("TS-SKU-004", POOL): E}),
    ("spark-isolated-node-size", "claims-synapse", [put(POOL, "node_size", "XXXLarge")], {}),
    ("spark-min-below-3", "claims-synapse", [put(POOL, "auto_scale.min_node_count", 2)],
     {("TS-SKU-004", POOL): E}),
    ("spark-min-3", "claims-synapse", [put(POOL, "auto_scale.min_node_count", 3),
                                       put(POOL, "auto_scale.max_node_count", 3)], {}),
    ("spark-max-not-a-number", "claims-synapse",
     [put(POOL, "auto_scale.max_node_count", "nine")],
     {("TS-SKU-004", POOL): E, ("TS-SCHEMA-003", POOL): E}),
    ("cognitive-unknown-kind", "invoice-ocr", [put(COGNITIVE, "kind", "Telepathy")],
     {("TS-SKU-005", COGNITIVE): E}),
    ("cognitive-retired-kind", "invoice-ocr", [put(COGNITIVE, "kind", "LUIS")],
     {("TS-SKU-005", COGNITIVE): E}),
    ("cognitive-unknown-sku", "invoice-ocr", [put(COGNITIVE, "sku_name", "G7")],
     {("TS-SKU-005", COGNITIVE): E}),
    ("cognitive-sku-not-for-kind", "invoice-ocr", [put(COGNITIVE, "sku_name", "S3")],
     {("TS-SKU-005", COGNITIVE): E}),
    ("cognitive-free-tier", "invoice-ocr", [put(COGNITIVE, "sku_name", "F0")], {}),
    ("databricks-standard", "clickstream", [put(DATABRICKS, "sku", "standard")],
     {("TS-SKU-006", DATABRICKS): W}),
    # -- security ---------------------------------------------------------------------------
    ("workspace-public-unsuppressed", "churn", [no_suppressions],
     {("TS-SEC-001", WORKSPACE): W}),
    ("workspace-public-by-default", "churn",
     [no_suppressions, drop(WORKSPACE, "public_network_access_enabled")],
     {("TS-SEC-001", WORKSPACE): W}),
    ("workspace-private", "churn",  # closed, but nothing reaches it (TS-APPLY-008)
     [no_suppressions, put(WORKSPACE, "public_network_access_enabled", False)],
     {("TS-APPLY-008", WORKSPACE): E}),
    ("cluster-local-auth", "churn", [put(CLUSTER, "local_auth_enabled", True)],
     {("TS-SEC-002", CLUSTER): E}),
    ("instance-local-auth-by-default", "churn", [drop(INSTANCE, "local_auth_enabled")],
     {("TS-SEC-002", INSTANCE): E}),
    ("cluster-no-identity", "churn", [drop(CLUSTER, "identity")],
     {("TS-SEC-003", CLUSTER): E}),
    ("workspace-identity-without-type", "churn", [put(WORKSPACE, "identity", {})],
     {("TS-SEC-003", WORKSPACE): E, ("TS-SCHEMA-002", WORKSPACE): E}),
    ("cognitive-no-identity", "invoice-ocr", [drop(COGNITIVE, "identity")],
     {("TS-SEC-003", COGNITIVE): E}),
    ("vault-purge-off", "churn", [put(VAULT, "purge_protection_enabled", False)],
     {("TS-SEC-004", VAULT): E}),
    ("vault-purge-unset", "churn", [drop(VAULT, "purge_protection_enabled")],
     {("TS-SEC-004", VAULT): E}),
    # a string is not the boolean the rule asks for; a reference cannot be judged before
    # apply (fails closed, at the rule's level)
    ("vault-purge-as-text", "churn", [put(VAULT, "purge_protection_enabled", "true")],
     {("TS-SEC-004", VAULT): E, ("TS-SCHEMA-003", VAULT): E}),
    ("vault-purge-by-reference", "churn",
     [put(VAULT, "purge_protection_enabled", "${azurerm_key_vault.key_vault.enabled}")],
     {("TS-SEC-004", VAULT): E}),
    ("vault-rbac-off", "churn", [put(VAULT, "rbac_authorization_enabled", False)],
     {("TS-SEC-005", VAULT): E}),
    ("vault-rbac-unset", "churn", [drop(VAULT, "rbac_authorization_enabled")],
     {("TS-SEC-005", VAULT): E, ("TS-SCHEMA-002", VAULT): E}),
    ("storage-tls-1-0", "churn", [put(STORAGE, "min_tls_version", "TLS1_0")],
     {("TS-SEC-006", STORAGE): E}),
    ("storage-tls-default", "churn", [drop(STORAGE, "min_tls_version")], {}),
    ("storage-http-allowed", "churn", [put(STORAGE, "https_traffic_only_enabled", False)],
     {("TS-SEC-006", STORAGE): E}),
    ("storage-https-default", "churn", [drop(STORAGE, "https_traffic_only_enabled")], {}),
    ("storage-public-blobs", "churn", [put(STORAGE, "allow_nested_items_to_be_public", True)],
     {("TS-SEC-007", STORAGE): E}),
    ("storage-public-blobs-by-default", "churn",
     [drop(STORAGE, "allow_nested_items_to_be_public")], {("TS-SEC-007", STORAGE): E}),
    ("no-diagnostics", "churn", [remove("azurerm_monitor_diagnostic_setting."
                                        "workspace_diagnostics")],
     {("TS-SEC-008", WORKSPACE): E}),
    ("diagnostics-without-logs", "churn",
     [drop("azurerm_monitor_diagnostic_setting.workspace_diagnostics", "enabled_log")],
     {("TS-SEC-008", WORKSPACE): E}),
    ("diagnostics-of-another-resource", "churn",
     [put("azurerm_monitor_diagnostic_setting.workspace_diagnostics", "target_resource_id",
          "${azurerm_key_vault.key_vault.id}")], {("TS-SEC-008", WORKSPACE): E}),
    ("cognitive-keys-on", "invoice-ocr", [put(COGNITIVE, "local_auth_enabled", True)],
     {("TS-SEC-009", COGNITIVE): E}),
    ("cognitive-keys-by-default", "invoice-ocr", [drop(COGNITIVE, "local_auth_enabled")],
     {("TS-SEC-009", COGNITIVE): E}),
    ("registry-admin", "churn", [put(REGISTRY, "admin_enabled", True)],
     {("TS-SEC-010", REGISTRY): E}),
    ("registry-admin-default-off", "churn", [drop(REGISTRY, "admin_enabled")], {}),
    ("private-vault-public", "fraud-private", [put(VAULT, "public_network_access_enabled", True)],
     {("TS-SEC-011", VAULT): E}),
    ("private-storage-public-by-default", "fraud-private",
     [drop(STORAGE, "public_network_access_enabled")], {("TS-SEC-011", STORAGE): E}),
    ("private-cognitive-public", "invoice-ocr",
     [put(COGNITIVE, "public_network_access_enabled", True)], {("TS-SEC-011", COGNITIVE): E}),
    ("public-profile-public-vault", "churn", [put(VAULT, "public_network_access_enabled", True)],
     {}),
    # a typed rule judges resources, not data sources reading what exists: an existing
    # Synapse workspace read for its identity has no identity block to check
    ("data-source-not-judged", "churn",
     [lambda doc: doc.setdefault("data", {}).setdefault("azurerm_synapse_workspace", {})
      .__setitem__("shared", {"name": "synw-shared", "resource_group_name": "rg"})], {}),
    # a workspace the stack reads exists already: its data sources need not wait for it
    ("databricks-existing-workspace-read", "clickstream",
     [_existing_databricks_workspace, drop("data.databricks_current_user.me", "depends_on")],
     {}),
    ("same-as-resource-judged", "churn",
     [add("azurerm_synapse_workspace.shared", {"name": "synw-shared"})],
     {("TS-SEC-003", "azurerm_synapse_workspace.shared"): E,
      ("TS-APPLY-001", "azurerm_synapse_workspace.shared"): E,
      ("TS-SCHEMA-002", "azurerm_synapse_workspace.shared"): E}),
    # TS-SEC-017: Azure ML endpoints (azapi_resource) are key-less; private means closed
    ("online-endpoint-keys", "churn", [put(ONLINE, "body.properties.authMode", "Key")],
     {("TS-SEC-017", ONLINE): E}),
    ("online-endpoint-aml-token", "churn", [put(ONLINE, "body.properties.authMode", "AMLToken")],
     {("TS-SEC-017", ONLINE): E}),
    ("online-endpoint-no-auth-mode", "churn", [drop(ONLINE, "body.properties.authMode")],
     {("TS-SEC-017", ONLINE): E}),
    ("private-online-endpoint-open", "fraud-private",
     [put(ONLINE, "body.properties.publicNetworkAccess", "Enabled")], {("TS-SEC-017", ONLINE): E}),
    ("private-online-endpoint-default-open", "fraud-private",
     [drop(ONLINE, "body.properties.publicNetworkAccess")], {("TS-SEC-017", ONLINE): E}),
    ("public-online-endpoint-open", "churn",
     [put(ONLINE, "body.properties.publicNetworkAccess", "Enabled")], {}),
    ("batch-endpoint-keys", "vision-defects", [put(BATCH, "body.properties.authMode", "Key")],
     {("TS-SEC-017", BATCH): E}),
    ("other-azapi-resource", "churn",
     [put(ONLINE, "type", "Microsoft.Storage/storageAccounts@2023-05-01")], {}),
    ("no-idle-shutdown", "churn", [remove("azapi_resource_action.development_idle_shutdown")],
     {("TS-SEC-012", INSTANCE): W}),
    ("idle-shutdown-other-action", "churn",
     [put("azapi_resource_action.development_idle_shutdown", "action", "stop")],
     {("TS-SEC-012", INSTANCE): W}),
    ("idle-shutdown-of-nothing", "churn",
     [put("azapi_resource_action.development_idle_shutdown", "resource_id",
          "${azurerm_machine_learning_compute_cluster.training.id}")],
     {("TS-SEC-012", INSTANCE): W}),
    ("literal-password", "churn",
     [put(CLUSTER, "ssh", {"admin_username": "azureuser", "admin_password": "hunter2!"})],
     {("TS-SEC-013", CLUSTER): E}),
    ("literal-numeric-key", "churn", [put(CLUSTER, "ssh", {"key_value": 1234})],
     {("TS-SEC-013", CLUSTER): E, ("TS-SCHEMA-002", CLUSTER): E,
      ("TS-SCHEMA-003", CLUSTER): E}),
    ("secret-template-with-literal", "churn",
     [put(CLUSTER, "ssh", {"admin_username": "a", "admin_password": 'x${var.p}'})],
     {("TS-SEC-013", CLUSTER): E, ("TS-SEC-014", CLUSTER): E}),
    ("secret-by-reference", "churn",
     [put(CLUSTER, "ssh", {"admin_username": "a",
                           "admin_password": "${azurerm_key_vault.key_vault.id}"})], {}),
    # -- cost ----------------------------------------------------------------------------------
    ("over-budget", "churn", [meta("monthly_budget_usd", 52.24), put(BUDGET, "amount", 52.24)],
     {("TS-COST-001", ""): E}),
    ("exactly-the-budget", "churn", [meta("monthly_budget_usd", 155.76),
                                     put(BUDGET, "amount", 155.76)], {}),
    ("budget-start-as-a-list-of-one", "churn",
     [put(BUDGET, "time_period", [{"start_date": FIXED}])], {}),
    ("fixed-expression-elsewhere", "churn", [put(BUDGET, "name", FIXED)],
     {("TS-SEC-014", BUDGET): E}),
    ("fixed-expression-on-another-type", "churn", [put(CLUSTER, "description", FIXED)],
     {("TS-SEC-014", CLUSTER): E}),
    ("fixed-expression-altered", "churn",
     [put(BUDGET, "time_period.start_date", "${timestamp()}")], {("TS-SEC-014", BUDGET): E}),
    ("fixed-expression-inside-text", "churn",
     [put(BUDGET, "time_period.start_date", f"x{FIXED}")], {("TS-SEC-014", BUDGET): E}),
    ("budget-not-watched", "churn", [remove(BUDGET)], {("TS-COST-003", ""): W}),
    ("budget-watches-another-amount", "churn", [put(BUDGET, "amount", 1999.99)],
     {("TS-COST-003", BUDGET): W}),
    ("budget-within-a-cent", "churn", [put(BUDGET, "amount", 2000.004)], {}),
    ("budget-quarterly", "churn", [put(BUDGET, "time_grain", "Quarterly")],
     {("TS-COST-003", BUDGET): W}),
    ("budget-monthly-by-default", "churn", [drop(BUDGET, "time_grain")], {}),
    ("budget-amount-by-expression", "churn",
     [put(BUDGET, "amount", "${azurerm_resource_group.rg.id}")], {}),
    ("budget-below-azures-minimum", "churn",
     [meta("monthly_budget_usd", 0.99), remove(BUDGET)], {("TS-COST-001", ""): E}),
    ("budget-of-1-is-watched", "churn",
     [meta("monthly_budget_usd", 1), remove(BUDGET)],
     {("TS-COST-001", ""): E, ("TS-COST-003", ""): W}),
    ("no-budget", "churn", [meta("monthly_budget_usd", "none")], {}),
    ("cluster-min-1", "churn", [put(CLUSTER, "scale_settings.min_node_count", 1)],
     {("TS-COST-002", CLUSTER): W}),
    ("cluster-min-0", "churn", [put(CLUSTER, "scale_settings.min_node_count", 0)], {}),
    # -- cross-resource --------------------------------------------------------------------------
    ("dangling-reference", "churn",
     [put(WORKSPACE, "key_vault_id", "${azurerm_key_vault.other.id}")],
     {("TS-XRES-001", WORKSPACE): E}),
    ("dangling-data-reference", "churn",
     [put(WORKSPACE, "key_vault_id", "${data.azurerm_key_vault.other.id}")],
     {("TS-XRES-001", WORKSPACE): E}),
    ("cluster-other-region", "churn", [put(CLUSTER, "location", "northeurope")],
     {("TS-XRES-002", CLUSTER): E}),
    # -- what terraform would evaluate ----------------------------------------------------------
    ("function-in-description", "churn",
     [put(WORKSPACE, "description", '${file("/home/runner/.ssh/id_rsa")}')],
     {("TS-SEC-014", WORKSPACE): E}),
    ("interpolation-in-tags", "churn", [put(WORKSPACE, "tags.owner", "${path.cwd}")],
     {("TS-SEC-014", WORKSPACE): E}),
    ("escaped-text", "churn", [put(WORKSPACE, "description", "$${not evaluated}")], {}),
    ("provisioner", "churn",
     [add("terraform_data.run", {"provisioner": [{"local-exec": {"command": "env"}}]})],
     {("TS-SEC-015", "terraform_data.run"): E}),
    ("external-data", "churn",
     [lambda doc: doc.setdefault("data", {}).setdefault("external", {}).__setitem__(
         "x", {"program": ["sh"]})], {("TS-SEC-015", "data.external.x"): E}),
    ("module", "churn", [lambda doc: doc.__setitem__("module", {"m": {"source": "./m"}})],
     {("TS-SEC-015", "module.m"): E}),
    # -- metadata ---------------------------------------------------------------------------------
    ("no-metadata", "churn", [lambda doc: doc["//"].pop("trainstack")],
     {("TS-META-001", ""): E, ("TS-SEC-001", WORKSPACE): W}),  # its suppressions went too
    ("metadata-field", "fraud-private", [meta("network", "internet")],
     {("TS-META-002", ""): E}),
    ("metadata-budget-deleted", "churn",
     [lambda doc: doc["//"]["trainstack"].pop("monthly_budget_usd")], {("TS-META-002", ""): E}),
    ("suppression-without-resource-ok", "churn",
     [meta("suppressions", [{"rule": "TS-SEC-001", "reason": "reached from the office"}])], {}),
    ("suppression-of-validation-itself", "churn",
     [no_suppressions, meta("suppressions", [{"rule": "TS-META-001", "reason": "x"}])],
     {("TS-META-003", ""): E, ("TS-SEC-001", WORKSPACE): W}),
    ("hcl-file-beside", "churn", [], {("TS-META-004", ""): E}),  # main.tf written below
    ("suppression-of-no-such-rule", "churn",
     [lambda doc: doc["//"]["trainstack"]["suppressions"].append(
         {"rule": "TS-SEC-999", "reason": "a rule that was never written"})],
     {("TS-META-005", ""): W}),
    # -- deployability (trainstack/arm.py has each fact's source) -------------------------
    ("registration-missing", "churn",
     [provider("resource_providers_to_register", without("Microsoft.KeyVault"))],
     {("TS-APPLY-001", VAULT): E}),
    ("registration-case-sensitive", "invoice-ocr",
     [provider("resource_providers_to_register", replaced("microsoft.insights",
                                                          "Microsoft.Insights"))],
     {("TS-APPLY-001", f"azurerm_monitor_diagnostic_setting.{d}_diagnostics"): E
      for d in ("formrecognizer", "endpoints_nsg", "logs", "vnet")}),
    ("registration-named-set", "churn",  # "all" has everything here but Microsoft.Notebooks
     [provider("resource_provider_registrations", "all"),
      provider("resource_providers_to_register", lambda names: [])],
     {("TS-APPLY-001", WORKSPACE): E}),
    ("registration-set-by-expression", "churn",
     [provider("resource_provider_registrations", "${var.rp}")],
     {("TS-APPLY-001", ""): E, ("TS-SEC-014", "provider.azurerm"): E}),
    ("destroy-blocked-by-generated-rule", "churn",
     [features("resource_group", "prevent_deletion_if_contains_resources", True)],
     {("TS-APPLY-002", INSIGHTS): W}),
    ("destroy-generated-rule-managed", "churn",
     [features("resource_group", "prevent_deletion_if_contains_resources", True),
      features("application_insights", "disable_generated_rule", True)], {}),
    ("destroy-workspace-name-held", "churn",
     [features("machine_learning", "purge_soft_deleted_workspace_on_destroy", False)],
     {("TS-APPLY-002", WORKSPACE): W}),
    ("destroy-prod-keeps-protection", "fraud-private", [], {}),
    ("data-plane-in-a-closed-lake", "claims-synapse",
     [add(FS, {"name": "raw", "storage_account_id": "${azurerm_storage_account.datalake.id}"})],
     {("TS-APPLY-003", FS): E}),
    ("data-plane-keys-on", "churn", [add(FS, {"name": "raw", "storage_account_id": ON_STORAGE})],
     {}),
    ("data-plane-keys-off-no-grant", "churn",
     [put(STORAGE, "shared_access_key_enabled", False),
      add(FS, {"name": "raw", "storage_account_id": ON_STORAGE})], {("TS-APPLY-003", FS): E}),
    ("data-plane-keys-off-granted-first", "churn",
     [put(STORAGE, "shared_access_key_enabled", False),
      add(DEPLOYER_GRANT, {"scope": ON_STORAGE, "role_definition_name": "Storage Blob Data Owner",
                           "principal_id": "${data.azurerm_client_config.current.object_id}"}),
      add(FS, {"name": "raw", "storage_account_id": ON_STORAGE,
               "depends_on": [DEPLOYER_GRANT]})], {}),
    ("data-plane-firewall-denies", "churn",
     [put(STORAGE, "network_rules", {"default_action": "Deny", "bypass": ["AzureServices"]}),
      add(FS, {"name": "raw", "storage_account_id": ON_STORAGE})], {("TS-APPLY-003", FS): E}),
    ("data-plane-public-access-off", "churn",
     [put(STORAGE, "public_network_access_enabled", False),
      add(FS, {"name": "raw", "storage_account_id": ON_STORAGE})],
     {("TS-APPLY-003", FS): E, ("TS-APPLY-008", STORAGE): E}),
    ("data-plane-keys-off-other-role-first", "churn",
     [put(STORAGE, "shared_access_key_enabled", False),
      add(DEPLOYER_GRANT, {"scope": ON_STORAGE, "role_definition_name": "Reader",
                           "principal_id": "${data.azurerm_client_config.current.object_id}"}),
      add(FS, {"name": "raw", "storage_account_id": ON_STORAGE,
               "depends_on": [DEPLOYER_GRANT]})], {("TS-APPLY-003", FS): E}),
    ("bypass-on-a-kind-without-it", "invoice-ocr",
     [put(COGNITIVE, "network_acls.bypass", "AzureServices")], {("TS-APPLY-004", COGNITIVE): E}),
    ("bypass-on-openai", "invoice-ocr",
     [put(COGNITIVE, "network_acls.bypass", "AzureServices"), put(COGNITIVE, "kind", "OpenAI")],
     {}),
    ("databricks-data-before-workspace", "clickstream", [drop(ME, "depends_on")],
     {("TS-APPLY-005", ME): E}),
    ("idle-shutdown-without-role", "churn", [remove(IDLE_ROLE)], {("TS-APPLY-006", INSTANCE): E}),
    ("idle-shutdown-role-on-storage", "churn",
     [put(IDLE_ROLE, "scope", "${azurerm_storage_account.storage.id}")],
     {("TS-APPLY-006", INSTANCE): E}),
    ("idle-shutdown-role-owner", "churn", [put(IDLE_ROLE, "role_definition_name", "Owner")], {}),
    ("acrpull-azure-already-grants", "churn", [add(ACRPULL, {
        "scope": "${azurerm_container_registry.registry.id}", "role_definition_name": "AcrPull",
        "principal_id": f"${{{CLUSTER}.identity[0].principal_id}}"})],
     {("TS-APPLY-007", ACRPULL): E}),
    ("acrpull-for-the-instance", "churn", [add(ACRPULL, {
        "scope": "${azurerm_container_registry.registry.id}", "role_definition_name": "AcrPull",
        "principal_id": f"${{{INSTANCE}.identity[0].principal_id}}"})], {}),
    ("private-without-endpoint", "invoice-ocr", [remove(f"{PE}.formrecognizer_account")],
     {("TS-APPLY-008", COGNITIVE): E}),
    ("private-endpoint-without-dns", "invoice-ocr",
     [drop(f"{PE}.formrecognizer_account", "private_dns_zone_group")],
     {("TS-APPLY-008", COGNITIVE): E}),
    ("private-lake-without-dfs", "claims-synapse", [remove(f"{PE}.datalake_dfs")],
     {("TS-APPLY-008", "azurerm_storage_account.datalake"): E}),
    ("private-synapse-without-serverless-sql", "claims-synapse",
     [remove(f"{PE}.synapse_sqlondemand")],
     {("TS-APPLY-008", "azurerm_synapse_workspace.synapse"): E}),
    ("prod-private-workspace-without-hbi", "fraud-private",
     [drop(WORKSPACE, "high_business_impact")], {("TS-APPLY-009", WORKSPACE): E}),
    ("dev-workspace-without-hbi", "churn", [], {}),
    ("global-name-without-salt", "churn", [put(STORAGE, "name", "stchurndev717405")],
     {("TS-APPLY-010", STORAGE): E}),  # the suffix of churn/dev/westeurope with no salt
    ("global-name-of-a-hand-written-stack", "churn", [put(STORAGE, "name", "stacmechurn01")],
     {}),
    ("state-in-the-output", "churn", [backend("local", {"path": "terraform.churn.tfstate"})],
     {("TS-APPLY-011", ""): E}),
    ("state-default-path", "churn", [backend("local", {})], {("TS-APPLY-011", ""): E}),
    ("state-shared-by-environments", "churn",
     [backend("local", {"path": "../../../.trainstack/state/churn.tfstate"})],
     {("TS-APPLY-011", ""): E}),
    ("state-remote-key-shared", "churn",
     [backend("azurerm", {"key": "churn.tfstate", "use_azuread_auth": True})],
     {("TS-APPLY-011", ""): E}),
    ("approved-only-without-package-rules", "fraud-private",
     [lambda doc: doc["resource"].pop(FQDN)], {("TS-APPLY-012", WORKSPACE): W}),
    ("internet-outbound-without-package-rules", "fraud-private",
     [lambda doc: doc["resource"].pop(FQDN),
      put(WORKSPACE, "managed_network.isolation_mode", "AllowInternetOutbound")], {}),
    ("outbound-rules-two-first", "fraud-private", [drop(f"{FQDN}.outbound_github", "depends_on")],
     {("TS-APPLY-013", WORKSPACE): E}),
    ("outbound-rules-two-wait-for-one", "fraud-private",
     [put(f"{FQDN}.outbound_anaconda", "depends_on", [f"{FQDN}.outbound_pypi"])],
     {("TS-APPLY-013", WORKSPACE): E}),
    ("outbound-rules-one-rule", "fraud-private",
     [lambda doc: doc["resource"].__setitem__(FQDN, {"outbound_pypi": {
         "name": "allow-pypi", "destination_fqdn": "pypi.org",
         "workspace_id": "${azurerm_machine_learning_workspace.workspace.id}"}})], {}),
    ("injected-databricks-without-egress", "dbx-private",
     [lambda doc: doc["resource"].pop(EGRESS)], {("TS-APPLY-014", DATABRICKS): E}),
    ("injected-databricks-egress-on-host-only", "dbx-private",
     [remove(f"{EGRESS}.databricks_container_egress")], {("TS-APPLY-014", DATABRICKS): E}),
    ("injected-databricks-route-table", "dbx-private",
     [lambda doc: doc["resource"].pop(EGRESS),
      add("azurerm_route_table.firewall", {
          "name": "rt-dbx-private-prod", "location": "westeurope",
          "resource_group_name": "${azurerm_resource_group.rg.name}"})] + [add(
         f"azurerm_subnet_route_table_association.{role}",
         {"subnet_id": f"${{azurerm_subnet.databricks_{role}.id}}",
          "route_table_id": "${azurerm_route_table.firewall.id}"}) for role in
         ("host", "container")], {}),
    ("injected-databricks-public-ips", "dbx-private",
     [lambda doc: doc["resource"].pop(EGRESS),
      put(DATABRICKS, "custom_parameters.no_public_ip", False)], {}),
    ("synapse-firewall-allow-all", "call-audio",
     [put(SYN_FIREWALL, "end_ip_address", "255.255.255.255")], {("TS-SEC-016", SYN_FIREWALL): W}),
    ("synapse-firewall-azure-services-unattached", "call-audio",
     [remove("azurerm_machine_learning_synapse_spark.spark_link"),
      remove("azurerm_role_assignment.spark_link_datalake"),
      lambda doc: doc["output"].pop("aml_spark_compute_name")],
     {("TS-SEC-016", SYN_FIREWALL): W}),
    ("synapse-firewall-own-range", "call-audio",
     [put(SYN_FIREWALL, "start_ip_address", "203.0.113.0"),
      put(SYN_FIREWALL, "end_ip_address", "203.0.113.255")], {}),
    ("state-remote-key-per-environment", "churn",
     [backend("azurerm", {"key": "dev/churn.tfstate", "use_azuread_auth": True})], {}),
]


def _findings(tmp_path: Path, capsys, doc: dict, name: str, hcl: bool) -> tuple[int, list]:
    folder = tmp_path / "out" / "stacks" / name
    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text(json.dumps(doc, indent=2))
    if hcl:
        (folder / "main.tf").write_text('output "x" { value = 1 }\n')
    code = main(["validate", str(tmp_path / "out"), "--format", "json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return code, json.loads(out)["findings"]


@pytest.mark.parametrize("row", TABLE, ids=[r[0] for r in TABLE])
def test_rule_branch(tmp_path, capsys, row):
    row_id, stack, changes, expected = row
    doc = json.loads(_stored(stack))
    for change in changes:
        change(doc)
    code, findings = _findings(tmp_path, capsys, doc, stack, row_id == "hcl-file-beside")
    live = {(f["rule"], f["resource"]): f["level"] for f in findings if not f["suppressed"]}
    assert live == expected
    assert code == (1 if "error" in expected.values() else 0)
    for f in findings:
        assert f["message"] and f["stack"] == stack


@pytest.mark.parametrize("stack", sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()))
def test_stored_stacks_are_clean(tmp_path, capsys, stack):
    code, findings = _findings(tmp_path, capsys, json.loads(_stored(stack)), stack, False)
    assert [f for f in findings if not f["suppressed"]] == [] and code == 0


def test_every_rule_has_a_branch_row():
    fired = {rule for *_, expected in TABLE for rule, _ in expected}
    assert fired == set(RULES)


def test_levels_in_the_table_are_the_rules_levels():
    """One place pins each rule's baseline level: a change of level shows up here too."""
    pinned = {rule: level for *_, expected in TABLE for (rule, _), level in expected.items()}
    assert pinned == {rule_id: rule.level for rule_id, rule in RULES.items()}


def test_strict_pack_turns_each_warning_row_into_exit_1(tmp_path, capsys):
    for row_id, stack, changes, expected in TABLE:
        if not expected or "error" in expected.values():
            continue
        doc = copy.deepcopy(json.loads(_stored(stack)))
        for change in changes:
            change(doc)
        folder = tmp_path / row_id / "stacks" / stack
        folder.mkdir(parents=True)
        (folder / "cdk.tf.json").write_text(json.dumps(doc))
        code = main(["validate", str(tmp_path / row_id), "--pack", "strict", "--format", "json"])
        findings = json.loads(capsys.readouterr().out)["findings"]
        assert code == 1, row_id
        assert {f["level"] for f in findings if not f["suppressed"]} == {"error"}, row_id


# -- every finding's text, in every report format ---------------------------------------------

REPORTS_OF_DEFECTS = {"json": "json", "sarif": "sarif", "table": "txt"}  # JUnit: 1.4 MB


@pytest.fixture(scope="module")
def defects(tmp_path_factory):
    """One stack folder per table row, named after the row: the changed stored stacks."""
    root = tmp_path_factory.mktemp("defects")
    for row_id, stack, changes, _ in TABLE:
        doc = json.loads(_stored(stack))
        for change in changes:
            change(doc)
        folder = root / "out" / "stacks" / row_id
        folder.mkdir(parents=True)
        (folder / "cdk.tf.json").write_text(json.dumps(doc, indent=2))
        if row_id == "hcl-file-beside":
            (folder / "main.tf").write_text('output "x" { value = 1 }\n')
    return root


@pytest.mark.parametrize("fmt", sorted(REPORTS_OF_DEFECTS))
def test_reports_of_every_branch(defects, capsys, monkeypatch, fmt):
    """The text of every finding of the table, as each report format writes it, stored in
    tests/golden/reports (TRAINSTACK_UPDATE_GOLDEN=1 rewrites them on purpose); plus one
    finding terraform reported, which the SARIF report must describe as a rule too."""
    import os

    from trainstack.catalog import load_facts
    from trainstack.validate import load_stacks, validate
    from trainstack.validate.model import Finding
    from trainstack.validate.report import FORMATS

    monkeypatch.chdir(defects)
    report = validate(load_stacks(Path("out")), "baseline", load_facts())
    report.findings.append(Finding("TS-TF-001", "warning", "dangling-reference", "",
                                   "Deprecated attribute: use x", source="terraform"))
    report.notes.append("--terraform: a note")
    text = FORMATS[fmt](report)
    stored = GOLDEN.parent / "reports" / f"defects.{REPORTS_OF_DEFECTS[fmt]}"
    if os.environ.get("TRAINSTACK_UPDATE_GOLDEN") == "1":
        stored.write_text(text)
    assert text == stored.read_text(), f"{stored} changed"


def test_the_rules_registered_again_behave_the_same(tmp_path, capsys):
    """Rules and packs are registered when their modules are imported. Registering them
    again (a reload) must give the same rules, levels and findings for every branch of the
    table: this is what lets a mutation test see the registration helpers
    (resource_rule, stack_rule, attribute_rule, the packs), which otherwise run only once,
    at import time."""
    import importlib
    import pkgutil

    from trainstack.catalog import load_facts
    from trainstack.validate import packs, rules
    from trainstack.validate.engine import validate
    from trainstack.validate.model import Stack
    from trainstack.validate.rules import base

    def signature() -> dict:
        return {i: (r.what, r.why, r.level, r.types, r.help_uri,
                    r.resource_check is None, r.stack_check is None)
                for i, r in base.RULES.items()}

    facts = load_facts()

    def findings(pack) -> dict:  # every row's findings, words and all
        out = {}
        for row_id, stack, changes, _ in TABLE:
            if row_id == "hcl-file-beside":
                continue
            doc = json.loads(_stored(stack))
            for change in changes:
                change(doc)
            report = validate([Stack.from_document(stack, f"{stack}/cdk.tf.json", doc)],
                              pack, facts)
            out[row_id] = sorted((f.rule, f.resource, f.level, f.message, f.suppressed)
                                 for f in report.findings)
        return out

    before, levels, found = signature(), dict(packs.BASELINE.levels), findings(packs.BASELINE)
    base.RULES.clear()
    # every rule module of the package (a new module cannot be forgotten here)
    for info in sorted(pkgutil.iter_modules(rules.__path__), key=lambda m: m.name):
        if info.name != "base":
            importlib.reload(importlib.import_module(f"{rules.__name__}.{info.name}"))
    assert signature() == before
    # the packs as packs.py makes them (the module is not reloaded: its Pack class must
    # stay the one the engine checks for)
    baseline = packs._pack("baseline", base.RULES, strict=False)
    strict = packs._pack("strict", base.RULES, strict=True)
    assert (baseline.name, dict(baseline.levels)) == ("baseline", levels)
    assert (strict.name, dict(strict.levels)) == ("strict", {
        i: "error" if lv == "warning" else lv for i, lv in levels.items()})
    again = findings(baseline)
    for row_id, _, _, expected in TABLE:
        if row_id == "hcl-file-beside":
            continue
        assert again[row_id] == found[row_id], row_id
        live = {(rule, res): level for rule, res, level, _, suppressed in again[row_id]
                if not suppressed}
        assert live == expected, row_id
