"""TS-SKU: values the provider schema does not constrain: priorities, VM sizes and their
regions, Spark runtimes and node sizes, cognitive kinds and SKUs, Databricks tiers. The
catalog and service facts come from the rule context, the same ones the selector used."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trainstack.regions import nearest
from trainstack.validate.model import Resource
from trainstack.validate.rules.base import RuleContext, literal, resource_rule


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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
def _priority(r: Resource, ctx: RuleContext) -> Iterator[str]:
    if r.get("vm_priority") not in ("Dedicated", "LowPriority"):
        yield f"vm_priority must be Dedicated or LowPriority (got {r.get('vm_priority')!r})"


def _region_of(r: Resource, ctx: RuleContext) -> str | None:
    """The region a compute is created in: its own location, else its workspace's (compute
    instances take the workspace's), else the stack's; a location Terraform computes (a
    reference) is passed over for the next."""
    if (own := literal(r.get("location"))) is not None:
        return own
    parent = ctx.stack.resolve(r.get("machine_learning_workspace_id"))
    if parent is not None and (theirs := literal(parent.get("location"))) is not None:
        return theirs
    region = ctx.stack.meta.get("region")
    return region if isinstance(region, str) else None


@resource_rule("TS-SKU-002", "No retired VM size",
               "retired sizes (NCv3 since 2025-09-30; NC, NCv2, ND, NV v1 since 2023) cannot be "
               "deployed", "error", VM_SIZE_ARGS)
def _retired(r: Resource, ctx: RuleContext) -> Iterator[str]:
    size, catalog = r.get(VM_SIZE_ARGS[r.type]), ctx.facts.vms
    if (isinstance(size, str) and size in catalog.size_names
            and not catalog.regions_offering(size, aml_only=False)):
        yield f"{size} is retired and can no longer be deployed"


@resource_rule("TS-SKU-003", "The VM size is offered in the region",
               "a size the region does not offer fails at apply (or waits for capacity forever)",
               "error", VM_SIZE_ARGS)
def _offered(r: Resource, ctx: RuleContext) -> Iterator[str]:
    size, region = r.get(VM_SIZE_ARGS[r.type]), _region_of(r, ctx)
    catalog = ctx.facts.vms
    if not isinstance(size, str) or region is None or region not in catalog.regions:
        return
    if size not in catalog.size_names:
        yield f"{size} is not a VM size the catalog knows"
    elif catalog.get(size, region) is None:
        near = ", ".join(nearest(region, catalog.regions_offering(size, aml_only=False))[:3])
        yield f"{size} is not offered in {region}; nearest regions that offer it: {near or 'none'}"


@resource_rule("TS-SKU-004", "Synapse Spark pools use a live runtime and CPU node family",
               "Spark 3.4 support ended 2026-03-31; GPU (and FPGA) pools were retired "
               "2024-07-08", "error", ["azurerm_synapse_spark_pool"])
def _spark(r: Resource, ctx: RuleContext) -> Iterator[str]:
    facts = ctx.facts.services.synapse  # the same facts the selector sizes pools with
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
def _cognitive(r: Resource, ctx: RuleContext) -> Iterator[str]:
    kind, sku = literal(r.get("kind")), literal(r.get("sku_name"))
    if kind not in COGNITIVE_KINDS:
        yield f"kind {kind!r} is not a cognitive account kind"
    elif kind in RETIRED_COGNITIVE_KINDS:
        yield f"kind {kind}: {RETIRED_COGNITIVE_KINDS[kind]}"
    if sku not in COGNITIVE_SKUS:
        yield f"sku_name {sku!r} is not a cognitive services SKU"
    else:
        known = ctx.facts.services.ai.kinds.get(kind)
        if known is not None and sku not in known.skus:
            yield f"{kind} is sold as {', '.join(known.skus)} (got {sku})"


@resource_rule("TS-SKU-006", "Databricks workspaces are premium",
               "the standard tier retires in October 2026 and lacks RBAC, Unity Catalog and "
               "private link", "warning", ["azurerm_databricks_workspace"])
def _databricks_sku(r: Resource, ctx: RuleContext) -> Iterator[str]:
    if r.get("sku") != "premium":
        yield f"sku {r.get('sku')!r}: use premium"
