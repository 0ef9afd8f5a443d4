"""Step 5, integrate: the inference compute of ``deploy.endpoint`` and its monthly cost.

online: a managed online endpoint's deployment, on a size managed online endpoints run on
(catalog endpoints.online_sizes, Learn's SKU list), of at least ``min_memory_gib`` (Learn
warns that smaller sizes may stop the container for want of memory), billed for every
instance around the clock. batch: a cluster that scales from zero and bills only the
node-hours it scores (Learn, concept-endpoints-batch: batch endpoints and deployments cost
nothing themselves). A model that trained on GPU for images, audio or text serves on a GPU
large enough for its size; everything else on CPU.

Only Azure ML stacks get an endpoint: an Azure AI services account is its own endpoint, and
Databricks and Synapse stacks have no Azure ML workspace to hold one (the rationale says so).
"""

from __future__ import annotations

from trainstack.catalog.facts import Facts
from trainstack.catalog.vm import VmSize
from trainstack.errors import SelectionError
from trainstack.profile.models import WorkloadProfile
from trainstack.select.common import Notes, model_size
from trainstack.select.cost import line
from trainstack.select.models import AmlCluster, AmlOnlineEndpoint, ComputeChoice, CostItem
from trainstack.select.rules import Rule

GPU_MODALITIES = ("image", "audio", "text", "document")
SCORING_IDLE_MINUTES = 10


def _on_gpu(profile: WorkloadProfile, training: ComputeChoice | None) -> tuple[bool, str]:
    """Whether the model serves on GPU, and why."""
    if training is None or training.accelerator != "gpu":
        return False, "the model trained on CPU"
    if profile.data.modality not in GPU_MODALITIES:
        return False, f"{profile.data.modality} models score on CPU (the GPU sped up training)"
    return True, f"a {model_size(profile)} {profile.data.modality} model trained on GPU"


def _cheapest(profile: WorkloadProfile, facts: Facts, region: str, gpu: bool,
              online: bool) -> VmSize:
    """The cheapest size for the endpoint (ties by name)."""
    ef = facts.services.endpoints
    need = ef.gpu_memory_gib[model_size(profile)]
    options = [vm for vm in facts.vms.in_region(region)
               if vm.aml and not vm.retired and (ef.online(vm.vm_size) or not online)
               and vm.memory_gib >= ef.min_memory_gib
               and (vm.gpus > 0 and vm.total_gpu_memory_gib >= need if gpu else vm.gpus == 0)]
    if not options:
        what = "GPU" if gpu else "CPU"
        raise SelectionError("deploy.endpoint", f"no {what} size for a "
                             f"{'managed online' if online else 'batch'} endpoint in {region} "
                             f"(got '{profile.deploy.endpoint}')")
    return min(options, key=lambda vm: (vm.hourly_usd, vm.vm_size))


def select_inference(profile: WorkloadProfile, service: str, training: ComputeChoice | None,
                     facts: Facts, region: str, notes: Notes
                     ) -> tuple[ComputeChoice | None, list[CostItem]]:
    """The endpoint's compute and its cost lines (none without an endpoint)."""
    endpoint = profile.deploy.endpoint
    if endpoint == "none":
        return None, []
    if service != "azure-ml":
        why = ("the Azure AI services account serves the calls itself"
               if service == "ai-services" else
               f"{service} stacks have no Azure ML workspace: register the model in one, or "
               "serve it from the platform (docs/guide.md, step 5)")
        notes.why(Rule.ENDPOINT_NOT_PROVISIONED, f"deploy.endpoint {endpoint}: {why}")
        return None, []
    ef = facts.services.endpoints
    gpu, why = _on_gpu(profile, training)
    prod = "prod" if profile.environment == "prod" else "other"
    online = endpoint == "online"
    vm = _cheapest(profile, facts, region, gpu, online)
    spec = (f"{vm.vm_size} ({vm.vcpus} vCPUs, {vm.memory_gib:g} GiB"
            + (f", {vm.gpus} x {vm.gpu_model}" if vm.gpus else "") + ")")
    shape = {"accelerator": vm.accelerator, "family": vm.family, "gpus": vm.gpus,
             "vcpus": vm.vcpus, "memory_gib": vm.memory_gib, "vm_size": vm.vm_size,
             "role": "inference"}
    if online:
        n = profile.deploy.instances or ef.instances[prod]
        monthly_hours = n * facts.services.platform.hours_per_month
        notes.why(Rule.ENDPOINT_ONLINE, f"{why}: {spec} x {n} instance(s), the cheapest size "
                  f"managed online endpoints run on with >= {ef.min_memory_gib:g} GiB"
                  + (f" and {ef.gpu_memory_gib[model_size(profile)]:g} GiB of GPU memory"
                     if gpu else "")
                  + f"; Entra (key-less) auth; ${vm.hourly_usd:.4f}/h x {monthly_hours:g} h"
                  + ("" if profile.deploy.instances or prod == "other" else
                     "; prod: 3 instances, so two serve while Azure upgrades one (Learn "
                     "recommends more than 3 for production: deploy.instances)"))
        compute = AmlOnlineEndpoint(**shape, min_nodes=n, max_nodes=n, priority="dedicated",
                                    hourly_usd=round(vm.hourly_usd, 4), idle_minutes=0)
        return compute, [line(f"online endpoint {vm.vm_size} x {n}", "endpoint", monthly_hours,
                              "instance-hours", compute.hourly_usd, vm.price_source)]
    n = profile.deploy.instances or ef.batch_nodes[prod]
    low = profile.constraints.allow_low_priority and vm.low_priority_usd is not None
    hourly = vm.price(low)
    hours = profile.deploy.batch_hours_per_month
    notes.why(Rule.ENDPOINT_BATCH, f"{why}: a scoring cluster of {spec}, 0-{n} node(s), "
              f"{'low-priority' if low else 'dedicated'} (a batch job restarts), releases idle "
              f"nodes after {SCORING_IDLE_MINUTES} minutes; ${hourly:.4f}/h x {hours:g} "
              "node-hours a month (deploy.batch_hours_per_month); the endpoint itself is free")
    compute = AmlCluster(**shape, min_nodes=0, max_nodes=n,
                         priority="low-priority" if low else "dedicated",
                         hourly_usd=round(hourly, 4), idle_minutes=SCORING_IDLE_MINUTES)
    source = vm.price_source if not low else (vm.low_priority_source or vm.price_source)
    return compute, [line(f"batch scoring cluster {vm.vm_size} ({compute.priority})", "endpoint",
                          hours, "node-hours", compute.hourly_usd, source)]
