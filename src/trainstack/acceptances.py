"""Named, reasoned acceptances of validation findings that a profile opts into (``accept:``).

Each preset is a decision a team makes once, with its reason, instead of writing the same
suppression into every profile: the stack's metadata then carries one suppression per
matching resource, its reason prefixed with the preset's name, and `trainstack validate`
treats it as any other (docs/validation.md, "Accepted by preset"). A preset suppresses
only the checks it lists, only on the resource types it lists, and only for the profiles
it fits (``public-network`` only for ``constraints.network: public``, ``basic-registry``
only outside prod). The checkov ids are checkov 3.3.30's.
"""

from __future__ import annotations

from dataclasses import dataclass

STORAGE = ("azurerm_storage_account",)
REGISTRY = ("azurerm_container_registry",)


@dataclass(frozen=True)
class Preset:
    """A named acceptance: what it covers, for which profiles, and why."""

    why: str
    checks: tuple[tuple[str, tuple[str, ...], str], ...]  # (rule, resource types, reason)
    network: str | None = None  # the only constraints.network it fits
    not_environment: str | None = None  # an environment it does not fit


_PUBLIC = "public profile (constraints.network: public): reached over the internet with " \
          "Entra ID; set network: private to close it"
_KEYS = "platform-managed encryption keys; customer-managed keys need a key owner and " \
        "rotation this workload does not have"
_PREMIUM = "Premium-only feature; a Basic registry holds this dev/test workload's images"

PRESETS: dict[str, Preset] = {
    "public-network": Preset(
        "the workload is reached over the internet, with Entra ID sign-in",
        (("TS-SEC-001", ("azurerm_machine_learning_workspace",), _PUBLIC),
         ("CKV2_AZURE_49", ("azurerm_machine_learning_workspace",), _PUBLIC),
         ("CKV2_AZURE_50", ("azurerm_machine_learning_workspace",), _PUBLIC),
         ("CKV_AZURE_144", ("azurerm_machine_learning_workspace",), _PUBLIC),
         ("CKV2_AZURE_32", ("azurerm_key_vault",), _PUBLIC),
         ("CKV_AZURE_109", ("azurerm_key_vault",), _PUBLIC),
         ("CKV_AZURE_189", ("azurerm_key_vault",), _PUBLIC),
         ("CKV2_AZURE_33", STORAGE, _PUBLIC),
         ("CKV_AZURE_59", STORAGE, _PUBLIC),
         ("CKV_AZURE_139", REGISTRY, _PUBLIC),
         ("CKV_AZURE_157", ("azurerm_synapse_workspace",), _PUBLIC),
         ("CKV_AZURE_58", ("azurerm_synapse_workspace",), _PUBLIC),
         ("CKV2_AZURE_19", ("azurerm_synapse_workspace",), ("public profile: the "
          "AllowAllWindowsAzureIps firewall rule lets Azure services (Azure ML attaching the "
          "Spark pool) reach the workspace; set network: private to close it")),
         ("CKV_AZURE_158", ("azurerm_databricks_workspace",), _PUBLIC),
         ("CKV_AZURE_134", ("azurerm_cognitive_account",), _PUBLIC)),
        network="public"),
    "platform-managed-keys": Preset(
        "data is encrypted with Microsoft-managed keys; nobody owns and rotates a key",
        (("CKV2_AZURE_1", STORAGE, _KEYS),
         ("CKV2_AZURE_22", ("azurerm_cognitive_account",), _KEYS),
         ("CKV2_AZURE_48", ("azurerm_databricks_workspace",), _KEYS),
         ("CKV_AZURE_240", ("azurerm_synapse_workspace",), _KEYS))),
    "azure-ml-defaults": Preset(
        "what Azure ML needs of its storage and registry",
        (("CKV2_AZURE_40", STORAGE, ("Azure ML datastores and the studio still read the "
          "workspace storage with its account key unless constraints.storage_shared_keys: "
          "false (an Azure ML preview)")),
         ("CKV_AZURE_163", REGISTRY, ("image scanning comes from Microsoft Defender for "
          "Containers, enabled per subscription outside this stack")),
         ("CKV_AZURE_164", REGISTRY, ("content trust needs signed images; Azure ML builds and "
          "pulls its own unsigned environment images")),
         ("CKV_AZURE_166", REGISTRY, ("quarantine would block Azure ML from pulling the "
          "environment images it just built")),
         ("CKV2_AZURE_21", ("azurerm_storage_container",), ("blob reads are logged by the "
          "diagnostic setting on the workspace storage's blob service (StorageRead to Log "
          "Analytics); checkov accepts only storage insights, which reads the account with "
          "its key")))),
    "single-region": Preset(
        "one region: training data is reproducible from its source",
        (("CKV_AZURE_206", STORAGE, ("LRS/ZRS on purpose: training data is reproducible from "
          "its source, geo-replication would double storage cost")),
         ("CKV_AZURE_165", REGISTRY, "single-region workload: no geo-replication needed"))),
    "no-queues": Preset(
        "the storage accounts hold blobs and files, no queues",
        (("CKV_AZURE_33", STORAGE, ("no queues are used in this account (and azurerm 5 moved "
          "queue logging to a separate resource)")),)),
    "basic-registry": Preset(
        "a dev/test workload's images live in a Basic registry",
        (("CKV_AZURE_167", REGISTRY, _PREMIUM), ("CKV_AZURE_233", REGISTRY, _PREMIUM),
         ("CKV_AZURE_237", REGISTRY, _PREMIUM)),
        not_environment="prod"),
    "spark-only-synapse": Preset(
        "the Synapse workspace runs Spark only: no dedicated SQL pool, a lake without keys",
        (("CKV2_AZURE_53", ("azurerm_synapse_workspace",), ("SQL auditing: this workload uses "
          "no dedicated SQL pool, only Spark")),
         ("CKV_AZURE_242", ("azurerm_synapse_spark_pool",), ("isolated compute exists only for "
          "XXXLarge nodes in a few regions; the pool's size is chosen for the data")),
         ("CKV2_AZURE_21", ("azurerm_storage_container",), ("checkov accepts read logging only "
          "through storage insights, which needs the account's shared key; keys are off on "
          "this lake (identities only)")))),
}

PREFIX = "accepted by preset"


def suppressions(names: list[str], resources: list[tuple[str, str]]) -> list[dict]:
    """The suppressions of the presets ``names`` for the stack's resources ((type, local
    name) pairs), in the metadata's shape."""
    out = []
    for name in names:
        for rule, types, reason in PRESETS[name].checks:
            for kind, local in resources:
                if kind in types:
                    out.append({"rule": rule, "resource": f"{kind}.{local}",
                                "reason": f"{PREFIX} {name}: {reason}"})
    return out
