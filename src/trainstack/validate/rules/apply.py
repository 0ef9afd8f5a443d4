"""TS-APPLY: what ``terraform validate`` passes but Azure or the provider rejects at plan,
apply or destroy, or what deploys but cannot be used or destroyed. docs/validation.md lists
each rule with its sources; the facts are in trainstack/arm.py or beside the check.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from trainstack import arm
from trainstack.naming import suffix
from trainstack.validate.model import Resource, Stack
from trainstack.validate.rules.base import (
    NotApplicable,
    RuleContext,
    Unknown,
    is_expression,
    resource_rule,
    stack_rule,
)


def first_object(value: Any) -> dict[str, Any]:
    """A block written as an object or as an array of one object (Terraform JSON reads both);
    anything else reads as an empty block."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), {})
    return value if isinstance(value, dict) else {}


def azurerm_provider(stack: Stack) -> dict[str, Any]:
    """The default (unaliased) azurerm provider configuration of a stack: ``{}`` when the
    stack has none (the provider's defaults then apply)."""
    providers = stack.document.get("provider", {})
    blocks = providers if isinstance(providers, list) else [providers]
    for block in blocks:
        if not isinstance(block, dict):
            continue
        configs = block.get("azurerm", [])
        for config in configs if isinstance(configs, list) else [configs]:
            if isinstance(config, dict) and "alias" not in config:
                return config
    return {}


def feature(stack: Stack, group: str, flag: str, default: bool) -> Any:
    """One azurerm ``features`` flag of the stack (``features.<group>.<flag>``), or its
    provider default (internal/features/defaults.go, v5.2.0)."""
    features = first_object(azurerm_provider(stack).get("features"))
    return first_object(features.get(group)).get(flag, default)


def points_at(ctx: RuleContext, value: Any, target: Resource) -> bool:
    """Whether a value references ``target`` (any attribute of it)."""
    return target.address in set(ctx.stack.referenced(value))


# -- 1: resource provider registration -------------------------------------------------------

def registered(stack: Stack) -> set[str]:
    """The namespaces the stack's azurerm provider registers: its named set plus its list."""
    config = azurerm_provider(stack)
    chosen = config.get(arm.REGISTRATION_SETTING, "none")
    extra = config.get(arm.EXTRA_SETTING, [])
    if is_expression(chosen) or not isinstance(extra, list) or any(
            not isinstance(n, str) or is_expression(n) for n in extra):
        raise Unknown(f"the azurerm provider's {arm.REGISTRATION_SETTING} / "
                      f"{arm.EXTRA_SETTING}")
    named = arm.REGISTRATION_SETS.get(str(chosen).lower())
    if named is None:
        raise Unknown(f"{arm.REGISTRATION_SETTING} {chosen!r} (not a set azurerm 5.x knows)")
    return set(named) | set(extra)


@stack_rule("TS-APPLY-001", "Every resource provider namespace the stack uses is registered",
            "azurerm 5.x registers none by default; on a subscription that never used a "
            "namespace the apply fails with MissingSubscriptionRegistration "
            "(azurerm internal/resourceproviders/required.go; learn.microsoft.com/azure/"
            "azure-resource-manager/troubleshooting/error-register-resource-provider)", "error")
def _registration(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    resources = [r for r in ctx.stack.resources.values()
                 if not r.is_data and r.type in arm.NAMESPACES]
    if not resources:
        raise NotApplicable
    have = registered(ctx.stack)
    by_lower = {n.lower(): n for n in have}
    for r in resources:
        for namespace in arm.namespaces_for([r.type]):
            if namespace in have:
                continue
            wrong = by_lower.get(namespace.lower())
            hint = (f" ({wrong!r} is listed, but the names are case-sensitive and Azure "
                    f"lists {namespace!r})" if wrong else "")
            yield r.address, (f"needs {namespace} registered; add it to the azurerm "
                              f"provider's {arm.EXTRA_SETTING}{hint}")


# -- 2: destroy ----------------------------------------------------------------------------

@stack_rule("TS-APPLY-002", "dev and test stacks destroy cleanly and can be applied again",
            "with azurerm's defaults the Application Insights 'Failure Anomalies' rule Azure "
            "adds blocks the resource group's deletion, and a soft-deleted Azure ML workspace "
            "holds its name for 14 days (azurerm internal/features/defaults.go; "
            "learn.microsoft.com/azure/machine-learning/concept-soft-delete)", "warning")
def _destroy(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    if ctx.stack.meta.get("environment") not in ("dev", "test"):
        raise NotApplicable  # prod keeps its protections on purpose; unknown: not ours
    prevent = feature(ctx.stack, "resource_group", "prevent_deletion_if_contains_resources", True)
    generated = feature(ctx.stack, "application_insights", "disable_generated_rule", False)
    purge = feature(ctx.stack, "machine_learning", "purge_soft_deleted_workspace_on_destroy",
                    False)
    for r in ctx.stack.of_type("azurerm_application_insights"):
        if prevent is not False and generated is not True:
            yield r.address, ("Azure adds a 'Failure Anomalies' alert rule beside it that "
                              "terraform does not manage: set features.resource_group."
                              "prevent_deletion_if_contains_resources = false (or "
                              "application_insights.disable_generated_rule = true) so "
                              "destroy can delete the resource group")
    for r in ctx.stack.of_type("azurerm_machine_learning_workspace"):
        if purge is not True:
            yield r.address, ("destroy soft-deletes the workspace, which then holds its name "
                              "for 14 days and azurerm cannot recover it: set features."
                              "machine_learning.purge_soft_deleted_workspace_on_destroy = true")


# -- 4: cognitive accounts -------------------------------------------------------------------

@resource_rule("TS-APPLY-004", "network_acls.bypass only on the AI services kinds that take it",
               "azurerm's CustomizeDiff fails the plan: '`network_acls.bypass` cannot be set "
               "when `kind` is set to ...' unless kind is OpenAI, AIServices or TextAnalytics "
               "(internal/services/cognitive/cognitive_account_resource.go)", "error",
               ["azurerm_cognitive_account"])
def _bypass_kinds(r: Resource, ctx: RuleContext) -> Iterator[str]:
    bypass = first_object(r.get("network_acls")).get("bypass")
    if bypass in (None, ""):
        raise NotApplicable
    kind = r.get("kind")
    if is_expression(kind):
        raise Unknown(f"kind is {kind!r}")
    if kind not in arm.BYPASS_KINDS:
        yield (f"network_acls.bypass is set but kind is {kind!r}; only "
               f"{', '.join(sorted(arm.BYPASS_KINDS))} accept it: leave bypass out")


# -- 5: databricks data sources ---------------------------------------------------------------

@stack_rule("TS-APPLY-005", "Databricks data sources wait for the workspace they read",
            "data sources are read at plan time; before the workspace exists the databricks "
            "provider has no host and the first plan fails ('default auth: cannot configure "
            "default credentials'); the provider's guide prescribes depends_on "
            "(databricks/terraform-provider-databricks docs/guides/azure-workspace.md)", "error")
def _databricks_data(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    workspaces = {w.address for w in ctx.stack.of_type("azurerm_databricks_workspace")}
    if not workspaces:
        raise NotApplicable
    for r in ctx.stack.resources.values():
        if not (r.is_data and r.type.startswith("databricks_")):
            continue
        waits = r.get("depends_on")
        waits = set(waits) if isinstance(waits, list) and all(
            isinstance(w, str) for w in waits) else set()
        if not waits & workspaces and not set(ctx.stack.referenced(r.body, body=True)) & workspaces:
            yield r.address, (f"read before the workspace exists: add depends_on = "
                              f"[{', '.join(sorted(workspaces))}]")


# -- 6, 7: identities of Azure ML computes -----------------------------------------------------

@resource_rule("TS-APPLY-006", "A compute instance whose idle shutdown is set may act on its "
               "workspace", "idle shutdown runs as the instance's managed identity and never "
               "fires unless it has Contributor on the workspace: the instance then bills "
               "around the clock (learn.microsoft.com/azure/machine-learning/"
               "how-to-create-compute-instance, 'Configure idle shutdown')", "error",
               ["azurerm_machine_learning_compute_instance"])
def _idle_shutdown_identity(r: Resource, ctx: RuleContext) -> Iterator[str]:
    actions = [a for a in ctx.stack.of_type("azapi_resource_action")
               if a.get("action") == "updateIdleShutdownSetting"
               and points_at(ctx, a.get("resource_id"), r)]
    if not actions or not r.block("identity").get("type"):
        raise NotApplicable  # no idle shutdown, or no identity to run it as
    workspace = ctx.stack.resolve(r.get("machine_learning_workspace_id"))
    if workspace is None:
        raise Unknown(f"machine_learning_workspace_id {r.get('machine_learning_workspace_id')!r}")
    granted = [g for g in ctx.stack.of_type("azurerm_role_assignment")
               if g.get("role_definition_name") in ("Contributor", "Owner")
               and points_at(ctx, g.get("scope"), workspace)
               and points_at(ctx, g.get("principal_id"), r)]
    if not granted:
        yield (f"idle shutdown is set ({actions[0].address}) but the instance's identity has "
               f"no Contributor role on {workspace.address}: it will never shut down")


@resource_rule("TS-APPLY-007", "No role assignment Azure ML makes itself",
               "Azure grants a compute cluster's managed identity AcrPull on its workspace's "
               "registry (learn.microsoft.com/azure/machine-learning/"
               "how-to-identity-based-service-authentication); the same role, principal and "
               "scope assigned again fails the apply with RoleAssignmentExists", "error",
               ["azurerm_role_assignment"])
def _automatic_roles(r: Resource, ctx: RuleContext) -> Iterator[str]:
    if r.get("role_definition_name") != "AcrPull":
        raise NotApplicable
    registry = ctx.stack.resolve(r.get("scope"))
    if registry is None or registry.type != "azurerm_container_registry":
        raise NotApplicable
    for cluster in ctx.stack.of_type("azurerm_machine_learning_compute_cluster"):
        workspace = ctx.stack.resolve(cluster.get("machine_learning_workspace_id"))
        if (workspace is not None and points_at(ctx, r.get("principal_id"), cluster)
                and points_at(ctx, workspace.get("container_registry_id"), registry)):
            yield (f"Azure already grants {cluster.address}'s identity AcrPull on its "
                   f"workspace's registry: this duplicate fails with RoleAssignmentExists")


# -- 9: production details -----------------------------------------------------------------

@resource_rule("TS-APPLY-009", "A prod private Azure ML workspace is created high business "
               "impact", "high_business_impact can only be set when the workspace is created: "
               "azurerm marks it ForceNew, so turning it on later replaces the workspace and "
               "everything in it (internal/services/machinelearning/"
               "machine_learning_workspace_resource.go)", "error",
               ["azurerm_machine_learning_workspace"])
def _high_business_impact(r: Resource, ctx: RuleContext) -> Iterator[str]:
    if ctx.stack.meta.get("environment") != "prod" or ctx.stack.meta.get("network") != "private":
        raise NotApplicable
    value = r.get("high_business_impact", False)
    if is_expression(value):
        raise Unknown(f"high_business_impact is {value!r}")
    if value is not True:
        yield ("a prod private workspace without high_business_impact = true; setting it "
               "later replaces the workspace")


# -- 10: global names --------------------------------------------------------------------

@stack_rule("TS-APPLY-010", "Names that must be unique in all of Azure carry a salt",
            "storage accounts, key vaults, registries, Synapse workspaces and AI services "
            "subdomains share one namespace with every Azure customer "
            "(learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules); "
            "without a salt everyone who applies the same profile gets the same names, and "
            "every apply after the first fails on them", "error")
def _global_names(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    meta = ctx.stack.meta
    profile, environment, region = (meta.get("profile"), meta.get("environment"),
                                    meta.get("region"))
    if not (profile and environment and region):
        raise NotApplicable  # not trainstack's names (TS-META-* reports missing metadata)
    unsalted = suffix(profile, environment, region)
    for r in ctx.stack.of_type(*arm.GLOBAL_NAMES):
        name = r.get(arm.GLOBAL_NAMES[r.type])
        if isinstance(name, str) and unsalted in name:
            yield r.address, (f"{name!r} ends in the suffix everyone gets for this profile "
                              f"without a salt: set TRAINSTACK_NAME_SALT (or "
                              f"ARM_SUBSCRIPTION_ID) and synthesize again")


# -- 11: state -------------------------------------------------------------------------------

def _backend(stack: Stack) -> tuple[str, dict[str, Any]]:
    """The stack's backend type and settings: ("local", {}) when it declares none (terraform
    then keeps terraform.tfstate in the folder it runs in)."""
    backend = first_object(first_object(stack.document.get("terraform")).get("backend"))
    for kind, config in backend.items():
        if kind != "//":
            return kind, first_object(config)
    return "local", {}


def _inside_output(stack: Stack, state: str) -> bool:
    """Whether a local state path, read from the stack's folder as terraform reads it,
    lands inside the output folder ``<out>`` of ``<out>/stacks/<stack>/cdk.tf.json`` (a
    stack outside that layout: inside its own folder)."""
    folder = os.path.dirname(os.path.abspath(stack.path))
    parent = os.path.dirname(folder)
    output = os.path.dirname(parent) if os.path.basename(parent) == "stacks" else folder
    where = os.path.normpath(os.path.join(folder, state))  # an absolute state path stays
    return where == output or where.startswith(output.rstrip(os.sep) + os.sep)


def _names_environment(text: str, environment: str) -> bool:
    """Whether a state path or key has the environment as one of its parts."""
    return environment in re.split(r"[/\\._-]", text)


@stack_rule("TS-APPLY-011", "Terraform state lives outside the synthesized output, one per "
            "environment", "synth replaces its output folder; state kept there is one "
            "deleted folder away from lost, and dev and prod of one profile must not share "
            "one state (docs/guide.md, 'Terraform state')", "error")
def _state(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    kind, config = _backend(ctx.stack)
    environment = ctx.stack.meta.get("environment")
    if kind == "local":
        path = config.get("path", "terraform.tfstate")
        if is_expression(path) or not isinstance(path, str):
            raise Unknown(f"the local backend's path {path!r}")
        if _inside_output(ctx.stack, path):
            yield "", (f"local state {path!r} is inside the synthesized output; keep it "
                       f"beside it (trainstack writes ../../../.trainstack/state/<env>/"
                       f"<stack>.tfstate)")
        elif environment and not _names_environment(path, environment):
            yield "", (f"local state {path!r} does not name the environment "
                       f"({environment}): other environments of this stack would share it")
    elif kind == "azurerm" and environment:
        key = config.get("key", "")
        if is_expression(key):
            raise Unknown(f"the azurerm backend's key {key!r}")
        if not _names_environment(str(key), environment):
            yield "", (f"the state key {key!r} does not name the environment "
                       f"({environment}): other environments of this stack would share it")
