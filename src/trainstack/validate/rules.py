"""The built-in rules. Ids are stable; docs/validation.md lists them with their sources.

Categories: TS-SCHEMA (provider schema conformance), TS-NAME (Azure naming rules),
TS-SKU (values the schema does not constrain: priorities, sizes, Spark, cognitive
kinds and SKUs), TS-SEC (security baseline, mapped to the Azure Policy built-ins
for Azure ML where one exists), TS-COST (budget and idle cost), TS-XRES
(cross-resource consistency), TS-META (the stack's own metadata; cannot be
suppressed).

A rule compares literal values: a string is read as the template Terraform reads
(``literal``), so ``"$${x}"`` is the text ``${x}`` and ``"${var.x}"`` is no literal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from trainstack.naming import ABBREVIATIONS, NAME_RULES
from trainstack.provider_schema import SCHEMA_FILES, Problem, check_element, provider_of
from trainstack.tftemplate import (
    TemplateError,
    is_reference_only,
    is_stack_reference,
    literal_value,
    parse,
)
from trainstack.validate.model import Level, Resource, Rule, Stack

RULES: dict[str, Rule] = {}

POLICY = "https://learn.microsoft.com/azure/governance/policy/samples/built-in-policies"


def resource_rule(rule_id: str, what: str, why: str, level: Level, types: Iterable[str] | None,
                  help_uri: str | None = None):  # noqa: ANN201 - a decorator
    def register(fn):  # noqa: ANN001, ANN202
        RULES[rule_id] = Rule(rule_id, what, why, level, tuple(types) if types else None,
                              resource_check=fn, help_uri=help_uri)
        return fn
    return register


def stack_rule(rule_id: str, what: str, why: str, level: Level):  # noqa: ANN201 - a decorator
    def register(fn):  # noqa: ANN001, ANN202
        RULES[rule_id] = Rule(rule_id, what, why, level, stack_check=fn)
        return fn
    return register


# -- TS-SCHEMA: provider schema conformance ---------------------------------------------

def _problems(r: Resource, stack: Stack) -> list[Problem]:
    key = ("schema", r.address)
    if key not in stack.cache:
        stack.cache[key] = (check_element(r.type, r.body, data=r.is_data)
                            if provider_of(r.type) in SCHEMA_FILES else [])
    return stack.cache[key]


def _schema_rule(rule_id: str, kind: str, what: str, why: str) -> None:
    def check(r: Resource, stack: Stack) -> Iterator[str]:
        for p in _problems(r, stack):
            if p.kind == kind:
                yield str(p)
    resource_rule(rule_id, what, why, "error", None)(check)


_schema_rule("TS-SCHEMA-001", "unknown-argument", "No argument the provider does not know",
             "terraform plan rejects unknown arguments; usually a typo or a renamed argument "
             "(azurerm 5.x renamed many)")
_schema_rule("TS-SCHEMA-002", "missing", "Every required argument and block is set",
             "terraform plan fails on a missing required argument")
_schema_rule("TS-SCHEMA-003", "type", "Every argument has the type the provider expects",
             "a string where a number or boolean belongs fails at plan or behaves unexpectedly")
_schema_rule("TS-SCHEMA-004", "nesting", "Blocks are nested as the provider expects",
             "a single-nested block given twice, or a value where a block belongs, fails at plan")
_schema_rule("TS-SCHEMA-005", "unknown-type", "Only resource types the provider has",
             "an unknown resource type cannot be planned")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def literal(value: Any) -> str | None:
    """The text a string argument evaluates to, or None when it evaluates anything."""
    if not isinstance(value, str):
        return None
    try:
        return literal_value(value)
    except TemplateError:
        return None


# -- TS-NAME: naming -------------------------------------------------------------------

@resource_rule("TS-NAME-001", "Names follow the Azure rules of their resource type",
               "Azure rejects invalid names at apply time, after part of the plan ran",
               "error", NAME_RULES)
def _name_valid(r: Resource, stack: Stack) -> Iterator[str]:
    name = literal(r.get("name"))
    if name is not None and not NAME_RULES[r.type].match(name):
        yield f"name {name!r} breaks the {r.type} rule {NAME_RULES[r.type].pattern}"


@resource_rule("TS-NAME-002", "Names start with the Cloud Adoption Framework abbreviation",
               "consistent prefixes make resources recognisable in the portal, cost reports "
               "and policies", "warning", ABBREVIATIONS)
def _name_caf(r: Resource, stack: Stack) -> Iterator[str]:
    name, prefix = literal(r.get("name")), ABBREVIATIONS[r.type]
    if name is not None and not name.startswith(prefix):
        yield f"name {name!r} does not start with the CAF abbreviation '{prefix}'"


# -- TS-SKU: values the schema does not constrain ------------------------------------------

VM_SIZE_ARGS = {
    "azurerm_machine_learning_compute_cluster": "vm_size",
    "azurerm_machine_learning_compute_instance": "virtual_machine_size",
    "databricks_cluster": "node_type_id",
}
COGNITIVE_KINDS = frozenset({
    "AIServices", "Academic", "AnomalyDetector", "CognitiveServices", "ComputerVision",
    "ContentModerator", "ContentSafety", "CustomSpeech", "CustomVision.Prediction",
    "CustomVision.Training", "Emotion", "Face", "FormRecognizer", "ImmersiveReader", "LUIS",
    "LUIS.Authoring", "MetricsAdvisor", "OpenAI", "Personalizer", "QnAMaker", "Recommendations",
    "SpeakerRecognition", "Speech", "SpeechServices", "SpeechTranslation", "TextAnalytics",
    "TextTranslation", "WebLM",
})
RETIRED_COGNITIVE_KINDS = {
    "AnomalyDetector": "retired (2023 announcement)", "ContentModerator": "replaced by "
    "ContentSafety", "LUIS": "retired; use conversational language understanding",
    "LUIS.Authoring": "retired", "MetricsAdvisor": "retired", "QnAMaker": "retired",
}
COGNITIVE_SKUS = frozenset({"C2", "C3", "C4", "D3", "DC0", "E0", "F0", "F1", "P0", "P1", "P2",
                            "S", "S0", "S1", "S2", "S3", "S4", "S5", "S6"})


@resource_rule("TS-SKU-001", "Compute cluster priority is Dedicated or LowPriority",
               "the provider does not check vm_priority; Azure rejects anything else at apply",
               "error", ["azurerm_machine_learning_compute_cluster"])
def _priority(r: Resource, stack: Stack) -> Iterator[str]:
    if r.get("vm_priority") not in ("Dedicated", "LowPriority"):
        yield f"vm_priority must be Dedicated or LowPriority (got {r.get('vm_priority')!r})"


def _catalog():  # noqa: ANN202 - loaded lazily, once
    from trainstack.catalog import load_catalog

    return load_catalog()


def _region_of(r: Resource, stack: Stack) -> str | None:
    if literal(r.get("location")) is not None:
        return literal(r.get("location"))
    parent = stack.resolve(r.get("machine_learning_workspace_id"))
    if parent is not None and isinstance(parent.get("location"), str):
        return parent.get("location")
    region = stack.meta.get("region")
    return region if isinstance(region, str) else None


@resource_rule("TS-SKU-002", "No retired VM size",
               "retired sizes (NCv3 since 2025-09-30; NC, NCv2, ND, NV v1 since 2023) cannot be "
               "deployed", "error", VM_SIZE_ARGS)
def _retired(r: Resource, stack: Stack) -> Iterator[str]:
    size, catalog = r.get(VM_SIZE_ARGS[r.type]), _catalog()
    if (isinstance(size, str) and size in catalog.size_names
            and not catalog.regions_offering(size, aml_only=False)):
        yield f"{size} is retired and can no longer be deployed"


@resource_rule("TS-SKU-003", "The VM size is offered in the region",
               "a size the region does not offer fails at apply (or waits for capacity forever)",
               "error", VM_SIZE_ARGS)
def _offered(r: Resource, stack: Stack) -> Iterator[str]:
    size, region = r.get(VM_SIZE_ARGS[r.type]), _region_of(r, stack)
    catalog = _catalog()
    if not isinstance(size, str) or region is None or region not in catalog.regions:
        return
    if size not in catalog.size_names:
        yield f"{size} is not a VM size the catalog knows"
    elif catalog.get(size, region) is None:
        from trainstack.regions import nearest

        near = ", ".join(nearest(region, catalog.regions_offering(size, aml_only=False))[:3])
        yield f"{size} is not offered in {region}; nearest regions that offer it: {near or 'none'}"


@resource_rule("TS-SKU-004", "Synapse Spark pools use a live runtime and CPU node family",
               "Spark 3.4 support ended 2026-03-31; GPU (and FPGA) pools were retired "
               "2024-07-08", "error", ["azurerm_synapse_spark_pool"])
def _spark(r: Resource, stack: Stack) -> Iterator[str]:
    from trainstack.catalog.services import load_services

    facts = load_services().synapse  # the same facts the selector sizes pools with
    sizes = [s.name for s in (*facts.node_sizes, facts.isolated_node_size)]
    if r.get("spark_version") != facts.spark_version:
        yield (f"spark_version must be {facts.spark_version} (got {r.get('spark_version')!r}; "
               "3.4 is out of support)")
    if r.get("node_size_family") not in (facts.node_family, "None"):
        yield f"node_size_family {r.get('node_size_family')!r}: GPU and FPGA pools are retired"
    if r.get("node_size") not in sizes:
        yield f"node_size must be one of {', '.join(sizes)}"
    auto = r.block("auto_scale")
    minimum = facts.min_nodes
    counts = [auto.get(k, minimum) for k in ("min_node_count", "max_node_count")] if auto else []
    if any(not _is_number(c) or c < minimum for c in counts):
        yield f"autoscale node counts must be numbers of at least {minimum}"


@resource_rule("TS-SKU-005", "Cognitive accounts use a live kind and a valid SKU",
               "retired kinds cannot be created; an SKU the kind does not have fails at apply",
               "error", ["azurerm_cognitive_account"])
def _cognitive(r: Resource, stack: Stack) -> Iterator[str]:
    kind, sku = literal(r.get("kind")), literal(r.get("sku_name"))
    if kind not in COGNITIVE_KINDS:
        yield f"kind {kind!r} is not a cognitive account kind"
    elif kind in RETIRED_COGNITIVE_KINDS:
        yield f"kind {kind}: {RETIRED_COGNITIVE_KINDS[kind]}"
    if sku not in COGNITIVE_SKUS:
        yield f"sku_name {sku!r} is not a cognitive services SKU"
    else:
        from trainstack.catalog.services import load_services

        known = load_services().ai.kinds.get(kind)
        if known is not None and sku not in known.skus:
            yield f"{kind} is sold as {', '.join(known.skus)} (got {sku})"


@resource_rule("TS-SKU-006", "Databricks workspaces are premium",
               "the standard tier retires in October 2026 and lacks RBAC, Unity Catalog and "
               "private link", "warning", ["azurerm_databricks_workspace"])
def _databricks_sku(r: Resource, stack: Stack) -> Iterator[str]:
    if r.get("sku") != "premium":
        yield f"sku {r.get('sku')!r}: use premium"


# -- TS-SEC: security baseline ----------------------------------------------------------------

@resource_rule("TS-SEC-001", "Azure ML workspaces disable public network access",
               "Azure Policy 'Azure Machine Learning Workspaces should disable public network "
               "access' (438c38d2-3772-465a-a9cc-7a6666a275ce); checkov CKV_AZURE_144",
               "warning", ["azurerm_machine_learning_workspace"], POLICY)
def _ws_public(r: Resource, stack: Stack) -> Iterator[str]:
    if r.get("public_network_access_enabled", True) is not False:
        yield "public_network_access_enabled is not false"


@resource_rule("TS-SEC-002", "Azure ML computes have local authentication disabled",
               "Azure Policy 'Azure Machine Learning Computes should have local authentication "
               "methods disabled' (e96a9a5f-07ca-471b-9bc5-6a0f33cbd68f); keys bypass Entra ID",
               "error", ["azurerm_machine_learning_compute_cluster",
                         "azurerm_machine_learning_compute_instance",
                         "azurerm_machine_learning_synapse_spark"], POLICY)
def _compute_local_auth(r: Resource, stack: Stack) -> Iterator[str]:
    if r.get("local_auth_enabled", True) is not False:
        yield "local_auth_enabled is not false"


IDENTITY_TYPES = ("azurerm_machine_learning_workspace", "azurerm_machine_learning_compute_cluster",
                  "azurerm_machine_learning_compute_instance", "azurerm_synapse_workspace",
                  "azurerm_cognitive_account", "azurerm_machine_learning_synapse_spark")


@resource_rule("TS-SEC-003", "Workspaces, computes and AI accounts have a managed identity",
               "managed identities replace stored credentials for data and registry access",
               "error", IDENTITY_TYPES)
def _identity(r: Resource, stack: Stack) -> Iterator[str]:
    if not r.block("identity").get("type"):
        yield "no managed identity (identity block)"


@resource_rule("TS-SEC-004", "Key vaults have purge protection",
               "without it a deleted vault and its secrets can be purged at once; Azure ML "
               "requires it for customer-managed keys; checkov CKV_AZURE_110", "error",
               ["azurerm_key_vault"])
def _kv_purge(r: Resource, stack: Stack) -> Iterator[str]:
    if r.get("purge_protection_enabled") is not True:
        yield "purge_protection_enabled is not true"


@resource_rule("TS-SEC-005", "Key vaults use Azure RBAC authorization",
               "access policies are vault-local and escape central RBAC review", "error",
               ["azurerm_key_vault"])
def _kv_rbac(r: Resource, stack: Stack) -> Iterator[str]:
    if r.get("rbac_authorization_enabled") is not True:
        yield "rbac_authorization_enabled is not true"


@resource_rule("TS-SEC-006", "Storage accounts require TLS 1.2 and HTTPS",
               "older TLS versions are deprecated by Azure Storage; checkov CKV_AZURE_44",
               "error", ["azurerm_storage_account"])
def _storage_tls(r: Resource, stack: Stack) -> Iterator[str]:
    if r.get("min_tls_version", "TLS1_2") != "TLS1_2":
        yield f"min_tls_version is {r.get('min_tls_version')!r}, not TLS1_2"
    if r.get("https_traffic_only_enabled", True) is not True:
        yield "https_traffic_only_enabled is not true"


@resource_rule("TS-SEC-007", "Storage accounts allow no public blob access",
               "anonymous blob access exposes training data; checkov CKV_AZURE_190 / "
               "CKV2_AZURE_47", "error", ["azurerm_storage_account"])
def _storage_public_blob(r: Resource, stack: Stack) -> Iterator[str]:
    if r.get("allow_nested_items_to_be_public", True) is not False:
        yield "allow_nested_items_to_be_public is not false"


@stack_rule("TS-SEC-008", "Azure ML workspaces send resource logs to Log Analytics",
            "Azure Policy 'Resource logs in Azure Machine Learning Workspaces should be "
            "enabled' (afe0c3be-ba3b-4544-ba52-0c99672a8ad6)", "error")
def _diagnostics(stack: Stack) -> Iterator[tuple[str, str]]:
    targets = {
        t.address for d in stack.of_type("azurerm_monitor_diagnostic_setting")
        if (t := stack.resolve(d.get("target_resource_id"))) is not None
        and d.get("enabled_log")
    }
    for ws in stack.of_type("azurerm_machine_learning_workspace"):
        if ws.address not in targets:
            yield ws.address, "no diagnostic setting with enabled logs targets this workspace"


@resource_rule("TS-SEC-009", "Azure AI services accounts have local (key) authentication off",
               "keys bypass Entra ID and cannot be scoped; checkov CKV_AZURE_236", "error",
               ["azurerm_cognitive_account"])
def _cognitive_local_auth(r: Resource, stack: Stack) -> Iterator[str]:
    if r.get("local_auth_enabled", True) is not False:
        yield "local_auth_enabled is not false"


@resource_rule("TS-SEC-010", "Container registries have the admin user disabled",
               "the admin user is a shared password; checkov CKV_AZURE_137", "error",
               ["azurerm_container_registry"])
def _acr_admin(r: Resource, stack: Stack) -> Iterator[str]:
    if r.get("admin_enabled", False) is not False:
        yield "admin_enabled is not false"


PUBLIC_ACCESS_TYPES = ("azurerm_machine_learning_workspace", "azurerm_storage_account",
                       "azurerm_key_vault", "azurerm_container_registry",
                       "azurerm_synapse_workspace", "azurerm_databricks_workspace",
                       "azurerm_cognitive_account")


@resource_rule("TS-SEC-011", "Private profiles leave no public network access on",
               "constraints.network: private asks for every data and control endpoint to be "
               "private", "error", PUBLIC_ACCESS_TYPES)
def _private_means_private(r: Resource, stack: Stack) -> Iterator[str]:
    if stack.meta.get("network") == "private" and \
            r.get("public_network_access_enabled", True) is not False:
        yield "the profile is private but public_network_access_enabled is not false"


@stack_rule("TS-SEC-012", "Compute instances shut down when idle",
            "Azure Policy 'Azure Machine Learning Compute Instance should have idle shutdown' "
            "(679ddf89-ab8f-48a5-9029-e76054077449)", "warning")
def _idle_shutdown(stack: Stack) -> Iterator[tuple[str, str]]:
    shut = {t.address for a in stack.of_type("azapi_resource_action")
            if a.get("action") == "updateIdleShutdownSetting"
            and (t := stack.resolve(a.get("resource_id"))) is not None}
    for ci in stack.of_type("azurerm_machine_learning_compute_instance"):
        if ci.address not in shut:
            yield ci.address, "no idle shutdown (azapi_resource_action updateIdleShutdownSetting)"


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
def _literal_secrets(r: Resource, stack: Stack) -> Iterator[str]:
    for where in _secret_keys(r.body):
        yield f"{where} holds a literal secret; use a managed identity or a secret reference"


# -- TS-COST -----------------------------------------------------------------------------

@stack_rule("TS-COST-001", "The estimated monthly cost fits the profile's budget",
            "a plan over budget should be a decision, not a surprise on the invoice", "error")
def _budget(stack: Stack) -> Iterator[tuple[str, str]]:
    meta = stack.meta
    cost, budget = meta.get("estimated_monthly_usd"), meta.get("monthly_budget_usd")
    if isinstance(cost, (int, float)) and isinstance(budget, (int, float)) and cost > budget:
        yield "", f"estimated ${cost:,.2f}/month is over the ${budget:,.2f} budget"


@resource_rule("TS-COST-002", "Training clusters scale to zero",
               "a minimum above 0 bills idle nodes around the clock; checkov CKV_AZURE_150",
               "warning", ["azurerm_machine_learning_compute_cluster"])
def _scale_to_zero(r: Resource, stack: Stack) -> Iterator[str]:
    minimum = r.block("scale_settings").get("min_node_count")
    if isinstance(minimum, (int, float)) and minimum > 0:
        yield f"min_node_count is {minimum:g}, not 0"


# -- TS-XRES: cross-resource consistency -------------------------------------------------------

_ADDRESS = re.compile(r"^(data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+$")


@stack_rule("TS-XRES-001", "Every reference resolves to an element of the stack",
            "a reference to a missing element fails at plan time", "error")
def _references(stack: Stack) -> Iterator[tuple[str, str]]:
    for r in stack.resources.values():
        for address in sorted(set(stack.referenced(r.body, body=True))):
            if address not in stack.resources:
                yield r.address, f"refers to {address}, which the stack does not define"


@stack_rule("TS-XRES-002", "Compute is in its workspace's region",
            "a cluster in another region than its workspace fails to create or moves data "
            "across regions", "error")
def _same_region(stack: Stack) -> Iterator[tuple[str, str]]:
    for r in stack.of_type("azurerm_machine_learning_compute_cluster",
                           "azurerm_machine_learning_synapse_spark"):
        ws = stack.resolve(r.get("machine_learning_workspace_id"))
        if ws is None:
            continue
        # only literal regions are compared: a reference (say, to the workspace's own
        # location) is known at apply time, not here
        here, there = literal(r.get("location")), literal(ws.get("location"))
        if here is not None and there is not None and here != there:
            yield r.address, f"location {here} differs from the workspace's {there}"


# -- TS-SEC-014: what Terraform would evaluate ------------------------------------------------

# Arguments trainstack always writes as literal text (profile words, names, tags): an
# interpolation here was not written by trainstack.
LITERAL_ARGUMENTS = frozenset({"description", "friendly_name", "display_name", "tags",
                               "custom_tags", "email_address", "short_name", "login", "name",
                               "cluster_name"})
_SHOWN = 80


def _strings(value: Any, path: str, body: bool = True) -> Iterator[tuple[str, str]]:
    """(path, string) of every string Terraform evaluates: values and keys.

    ``"//"`` is a comment only where Terraform reads a block body; inside an argument's
    value (``tags``, an output's value, a local) it is an ordinary key that is evaluated.
    Without the provider schema a nested object could be either, so below the top of a
    body every ``"//"`` is read as evaluated (flagged rather than missed).
    """
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "//" and body:
                continue
            where = f"{path}.{key}" if path else key
            yield where, key
            yield from _strings(item, where, False)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]", body)
    elif isinstance(value, str):
        yield path, value


def _evaluated(stack: Stack) -> Iterator[tuple[str, str, str]]:
    """(address, path, string) over the whole document: resources, data sources and every
    other block (provider, output, locals, variable, module, terraform)."""
    for r in stack.resources.values():
        for path, text in _strings(r.body, ""):
            yield r.address, path, text
    for kind, value in stack.document.items():
        if kind in ("//", "resource", "data"):
            continue
        blocks = value if isinstance(value, list) else [value]
        for block in blocks:
            if isinstance(block, dict):
                for label, body in block.items():
                    if label == "//":
                        continue
                    address = f"{kind}.{label}" if kind not in ("locals", "terraform") else kind
                    yield address, label, label
                    # output/provider/variable/module bodies are block bodies; a local's
                    # value and the terraform block's settings are read whole
                    for path, text in _strings(body, label if address == kind else "",
                                               address != kind):
                        yield address, path, text
            elif isinstance(block, str):
                yield kind, "", block


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


@stack_rule("TS-SEC-014", "Strings interpolate nothing but references to the stack's elements",
            "Terraform evaluates ${...} and %{...} in every string of a .tf.json file. "
            "trainstack writes profile text literally ($${, %%{) and interpolates only "
            "references to the stack's own resources, so a function call (file(), "
            "templatefile()), a variable, a directive, or an interpolation into a name, tag or "
            "description was put there by hand or by an injection, and can read the CI "
            "runner's files into a plan", "error")
def _interpolations(stack: Stack) -> Iterator[tuple[str, str]]:
    for address, path, text in _evaluated(stack):
        if "{" not in text:
            continue
        try:
            parts = parse(text)
        except TemplateError as exc:
            yield address, f"{path}: Terraform cannot read {_short(text)!r}: {exc}"
            continue
        for part in parts:
            if part.kind == "directive":
                yield address, f"{path}: template directive %{{{_short(part.value)}}}"
            elif part.kind == "interpolation" and not is_stack_reference(part.value):
                yield address, (f"{path}: ${{{_short(part.value)}}} is not a reference to one "
                                "of the stack's elements")
            elif part.kind == "interpolation" and LITERAL_ARGUMENTS.intersection(
                    _path_keys(path)):
                yield address, (f"{path}: interpolates ${{{_short(part.value)}}} into text "
                                "trainstack writes literally")


def _path_keys(path: str) -> set[str]:
    return {part.split("[")[0] for part in path.split(".")}


# -- TS-SEC-015: code that runs when terraform plans or applies -----------------------------------

# Data sources that act during `terraform plan`: `external` runs a program on the runner,
# `http` fetches a URL (and can send what it reads elsewhere).
PLAN_TIME_DATA_SOURCES = {"external": "runs a program on the runner during plan",
                          "http": "fetches a URL during plan"}


@stack_rule("TS-SEC-015", "Nothing runs on the runner but the providers",
            "trainstack stacks use only the azurerm, azapi and databricks providers; an "
            "`external` or `http` data source, a provisioner (local-exec, remote-exec, file) "
            "or a module (code from elsewhere) runs or fetches things on the CI runner that "
            "no rule can see", "error")
def _runs_code(stack: Stack) -> Iterator[tuple[str, str]]:
    for r in stack.resources.values():
        if r.is_data and r.type in PLAN_TIME_DATA_SOURCES:
            yield r.address, f"data source {r.type} {PLAN_TIME_DATA_SOURCES[r.type]}"
        if not r.is_data and "provisioner" in r.body:
            yield r.address, "a provisioner runs commands when the resource is created or destroyed"
    modules = stack.document.get("module")
    for block in modules if isinstance(modules, list) else [modules]:
        if isinstance(block, dict):
            for label in block:
                if label != "//":
                    yield f"module.{label}", "a module brings code validation does not read"


# -- TS-META: the stack's own metadata (never suppressed) ------------------------------------

@stack_rule("TS-META-001", "The stack carries trainstack's metadata",
            "rules that need the profile's region, network, budget and suppressions read them "
            "from the stack's \"//\".trainstack comment; deleting it must not turn them off",
            "error")
def _meta_present(stack: Stack) -> Iterator[tuple[str, str]]:
    if not stack.meta.present:
        yield "", ("no \"//\".trainstack metadata: TS-SEC-011, TS-COST-001 and TS-SKU-003 "
                   "cannot run and no suppression applies; synthesize the stack with trainstack "
                   "(or restore the comment)")


@stack_rule("TS-META-002", "The metadata's fields are present and well-formed",
            "a missing or malformed field would silently turn off the rules that need it",
            "error")
def _meta_fields(stack: Stack) -> Iterator[tuple[str, str]]:
    for problem in stack.meta.problems:
        yield "", problem


@stack_rule("TS-META-003", "Suppressions in the stack follow the profile's rules",
            "a suppression added to the JSON by hand is held to the rules of one in a profile: "
            "a rule id, a resource address, a reason of 10 characters or more; findings about "
            "validation itself cannot be suppressed", "error")
def _meta_suppressions(stack: Stack) -> Iterator[tuple[str, str]]:
    for problem in stack.meta.refused:
        yield "", problem


@stack_rule("TS-META-004", "Validation reads every file terraform reads in the stack folder",
            "terraform reads every *.tf and *.tf.json file of the folder; validation reads the "
            "JSON ones (cdk.tf.json, additions, overrides) but not HCL, so a *.tf file could "
            "change the stack unseen", "error")
def _unread_files(stack: Stack) -> Iterator[tuple[str, str]]:
    for name in stack.unread:
        yield "", (f"{name} is HCL, which validation does not read, and terraform applies it "
                   "with the stack; write it as .tf.json or move it out of the folder")
