"""The checks before a deploy: what most often fails an Azure ML deployment outside Terraform.

For one profile's selection and synthesized stack:

- ``vm-size-offered``: each Azure ML size is offered in the region (and low-priority
  capable where low priority was chosen);
- ``quota``: vCPUs per VM family, dedicated and low priority separately: max nodes x vCPUs
  (a development instance: its vCPUs, dedicated) within what is free of the family's limit
  and of the regional total (for low priority Azure ML sets no family limit, only the
  regional one);
- ``provider-registered``: each namespace the stack needs is registered, or the stack
  registers it on its first apply (a warning: that needs ``*/register/action``);
- ``name-free``: storage account, key vault (a vault soft-deleted in this subscription holds
  its name: the stack recovers it), registry, Synapse workspace, AI services subdomain.

When a size or quota check fails, the selection is made again with what Azure said (the
selector's ``SelectionContext``: sizes not offered, free vCPUs per size); what it chooses
then is the fallback. When nothing fits, the failing checks say what to request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from trainstack import arm
from trainstack.azure import facts as live
from trainstack.azure.connect import Azure
from trainstack.catalog import Facts
from trainstack.errors import SelectionError
from trainstack.profile.models import WorkloadProfile
from trainstack.select import Selection, select
from trainstack.select.common import SelectionContext
from trainstack.select.models import AmlCluster, AmlInstance, AmlOnlineEndpoint

Status = Literal["pass", "fail", "warn"]
_NAME_KINDS = {"azurerm_storage_account": "storage", "azurerm_key_vault": "vault",
               "azurerm_container_registry": "registry", "azurerm_synapse_workspace": "synapse",
               "azurerm_cognitive_account": "subdomain"}


@dataclass(frozen=True)
class Check:
    """One check's outcome."""

    id: str
    status: Status
    resource: str
    message: str

    def to_json(self) -> dict:
        """``{"id", "status", "resource", "message"}``."""
        return {"id": self.id, "status": self.status, "resource": self.resource,
                "message": self.message}


@dataclass
class Report:
    """The checks of one profile, and the selection made again if one failed."""

    profile: str
    checks: list[Check] = field(default_factory=list)
    reselected: Selection | None = None
    no_fallback: str = ""  # why the selector found nothing with what Azure said

    @property
    def ok(self) -> bool:
        """No check failed (warnings allowed)."""
        return all(c.status != "fail" for c in self.checks)

    def to_json(self) -> dict:
        """The preflight JSON object of one profile."""
        return {"profile": self.profile, "ok": self.ok,
                "checks": [c.to_json() for c in self.checks],
                "reselected": self.reselected.contract_dict() if self.reselected else None}


def _vm_computes(selection: Selection) -> list[AmlCluster | AmlInstance | AmlOnlineEndpoint]:
    return [c for c in selection.compute
            if isinstance(c, AmlCluster | AmlInstance | AmlOnlineEndpoint)]


def _vcpus_needed(c: AmlCluster | AmlInstance | AmlOnlineEndpoint) -> int:
    """The quota a compute holds at most: an online deployment's instances plus the 20%
    Azure ML reserves for upgrades (Learn, how-to-manage-quotas, "Azure Machine Learning
    online endpoints and batch endpoints": ceil(1.2 x instances) x cores)."""
    if isinstance(c, AmlOnlineEndpoint):
        return math.ceil(1.2 * c.max_nodes) * c.vcpus
    return c.max_nodes * c.vcpus


def check_compute(selection: Selection, offered: dict[str, live.Offered],
                  quota: live.Quota) -> list[Check]:
    """vm-size-offered and quota for every Azure ML compute of the selection."""
    checks: list[Check] = []
    needs: dict[tuple[str, bool], int] = {}
    seen: set[tuple[str, bool]] = set()
    for c in _vm_computes(selection):
        low = c.priority == "low-priority"
        size = offered.get(c.vm_size)
        if (c.vm_size, low) in seen:  # checked once; counted each time it passed
            if size is not None and (size.family, low) in needs:
                needs[(size.family, low)] += _vcpus_needed(c)
            continue
        seen.add((c.vm_size, low))
        if size is None:
            checks.append(Check("vm-size-offered", "fail", c.vm_size,
                                f"{c.vm_size} is not offered for Azure ML compute in "
                                f"{selection.region}"))
            continue
        if low and not size.low_priority:
            checks.append(Check("vm-size-offered", "fail", c.vm_size,
                                f"{c.vm_size} cannot run at low priority in {selection.region}"))
            continue
        checks.append(Check("vm-size-offered", "pass", c.vm_size,
                            f"offered in {selection.region}" + (" at low priority" if low else "")))
        key = (size.family, low)
        needs[key] = needs.get(key, 0) + _vcpus_needed(c)
    for (family, low), need in sorted(needs.items()):
        checks.append(_quota_check(family, low, need, quota, selection.region))
    return checks


def _quota_check(family: str, low: bool, need: int, quota: live.Quota, region: str) -> Check:
    kind = "low-priority" if low else "dedicated"
    free = quota.headroom(family, low)
    resource = f"{family} ({kind})"
    if free is None or free >= need:
        text = "no limit reported" if free is None else f"{free} free"
        return Check("quota", "pass", resource, f"{need} vCPUs needed, {text} in {region}")
    return Check("quota", "fail", resource,
                 f"{need} vCPUs needed at most, {max(free, 0)} free in {region}: request a "
                 f"{kind} vCPU quota increase of {need - max(free, 0)} for {family} "
                 "(Azure portal, Quotas, Machine learning)")


def check_providers(az: Azure, stack: dict) -> list[Check]:
    """provider-registered for each namespace the stack's azurerm provider registers."""
    config = ((stack.get("provider") or {}).get("azurerm") or [{}])[0]
    checks = []
    for ns in config.get(arm.EXTRA_SETTING) or []:
        state = live.registration(az, ns)
        if state == "Registered":
            checks.append(Check("provider-registered", "pass", ns, "registered"))
        else:
            checks.append(Check("provider-registered", "warn", ns,
                                f"{state}: the stack registers it on its first apply, which "
                                f"needs {ns}/register/action (in Contributor) and can take "
                                "minutes"))
    return checks


def check_names(az: Azure, stack: dict, region: str, deployed: bool) -> list[Check]:
    """name-free for every name the stack needs to be unique in all of Azure."""
    checks = []
    for kind_type, argument in arm.GLOBAL_NAMES.items():
        for body in sorted((stack.get("resource") or {}).get(kind_type, {}).values(),
                           key=lambda b: str(b.get(argument))):
            name = str(body.get(argument, ""))
            if deployed:
                checks.append(Check("name-free", "pass", name,
                                    "held by this project's deployed stack"))
                continue
            checks.append(_name_check(az, _NAME_KINDS[kind_type], name, region))
    return checks


def _name_check(az: Azure, kind: str, name: str, region: str) -> Check:
    if kind == "vault":
        held = live.deleted_vault(az, region, name)
        if held is not None:
            purge = (held.get("properties") or {}).get("scheduledPurgeDate", "?")
            return Check("name-free", "warn", name,
                         f"a soft-deleted vault of this subscription holds it (purged "
                         f"{purge}); the stack recovers it on apply "
                         "(recover_soft_deleted_key_vaults)")
    free, reason = live.name_free(az, kind, name)
    if free:
        return Check("name-free", "pass", name, "free")
    return Check("name-free", "fail", name,
                 f"{reason}: names of this kind are unique in all of Azure; set another "
                 "TRAINSTACK_NAME_SALT and synthesize again")


def reselect(profile: WorkloadProfile, selection: Selection, facts: Facts,
             offered: dict[str, live.Offered], quota: live.Quota) -> Selection | str:
    """The selection made again with what Azure said; the selector's reason when nothing
    fits (it names the nearest regions that offer a fitting size, when there are any)."""
    low = any(c.priority == "low-priority" for c in _vm_computes(selection)
              if c.role == "training")
    in_region = {vm.vm_size for vm in facts.vms.in_region(selection.region)}
    context = SelectionContext(
        quota_vcpus={name: free for name, size in offered.items()
                     if (free := quota.headroom(size.family, low)) is not None},
        unavailable_sizes=frozenset(in_region - set(offered)))
    try:
        return select(profile, facts, context)
    except SelectionError as exc:
        return exc.message


def run(az: Azure, profile: WorkloadProfile, selection: Selection, stack: dict, facts: Facts,
        *, deployed: bool = False) -> Report:
    """Every check of one profile, and the fallback selection when a compute check fails."""
    report = Report(profile.name)
    offered, quota = {}, live.Quota()
    if _vm_computes(selection):
        offered = live.offered_sizes(az, selection.region)
        quota = live.quota(az, selection.region)
        report.checks += check_compute(selection, offered, quota)
    report.checks += check_providers(az, stack)
    report.checks += check_names(az, stack, selection.region, deployed)
    if any(c.status == "fail" and c.id in ("vm-size-offered", "quota") for c in report.checks):
        again = reselect(profile, selection, facts, offered, quota)
        if isinstance(again, str):
            report.no_fallback = again
        else:
            report.reselected = again
    return report
