"""Azure resource names: Cloud Adoption Framework abbreviations + each type's rules.

Globally unique names (storage account, key vault, container registry) and
region-unique ones (compute instance) end in a deterministic 6-character
suffix: a hash of profile name, environment, region and an optional salt from
settings, so the same input always gives the same names and two
organisations' "churn" profiles do not collide when they set their own salt.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# CAF abbreviations (learn.microsoft.com/azure/cloud-adoption-framework/ready/
# azure-best-practices/resource-abbreviations).
ABBREVIATIONS = {
    "azurerm_resource_group": "rg",
    "azurerm_storage_account": "st",
    "azurerm_key_vault": "kv",
    "azurerm_log_analytics_workspace": "log",
    "azurerm_application_insights": "appi",
    "azurerm_container_registry": "cr",
    "azurerm_machine_learning_workspace": "mlw",
    "azurerm_machine_learning_compute_instance": "ci",
    "azurerm_synapse_workspace": "synw",
    "azurerm_synapse_spark_pool": "synsp",
    "azurerm_databricks_workspace": "dbw",
    "azurerm_virtual_network": "vnet",
    "azurerm_network_security_group": "nsg",
    "azurerm_private_endpoint": "pep",
}

# CAF abbreviations of Azure AI services accounts, by cognitive account kind.
AI_ABBREVIATIONS = {
    "AIServices": "ais", "ComputerVision": "cv", "CustomVision.Prediction": "cstv",
    "CustomVision.Training": "cstvt", "FormRecognizer": "di", "OpenAI": "oai",
    "SpeechServices": "spch", "TextAnalytics": "lang", "TextTranslation": "trsl",
}

# The provider's own validators (azurerm 5.x), checked for every generated name.
NAME_RULES: dict[str, re.Pattern[str]] = {
    "azurerm_resource_group": re.compile(r"^[-\w._()]{0,89}[-\w_()]$"),
    "azurerm_storage_account": re.compile(r"^[a-z0-9]{3,24}$"),
    "azurerm_key_vault": re.compile(r"^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$"),
    "azurerm_log_analytics_workspace": re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$"),
    "azurerm_application_insights": re.compile(r"^[^%&\\?/]{1,260}$"),
    "azurerm_container_registry": re.compile(r"^[a-zA-Z0-9]{5,50}$"),
    "azurerm_machine_learning_workspace": re.compile(r"^[a-zA-Z0-9][\w-]{2,32}$"),
    "azurerm_machine_learning_compute_cluster": re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{1,30}[a-zA-Z0-9]$"),
    "azurerm_machine_learning_compute_instance": re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{3,23}[a-zA-Z0-9]$"),
    "azurerm_machine_learning_synapse_spark": re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{2,16}$"),
    "azurerm_synapse_workspace": re.compile(r"^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$"),
    "azurerm_synapse_spark_pool": re.compile(r"^[a-zA-Z][a-zA-Z0-9]{0,14}$"),
    "azurerm_storage_data_lake_gen2_filesystem": re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"),
    "azurerm_databricks_workspace": re.compile(r"^[a-zA-Z0-9_-]{3,64}$"),
    "azurerm_cognitive_account": re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,63}$"),
    # online and batch endpoints: 3-32 letters, digits and hyphens, a letter first, unique in
    # the region (Learn, how-to-deploy-online-endpoints and how-to-use-batch-endpoint,
    # "endpoint name")
    "endpoint": re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{1,30}[a-zA-Z0-9]$"),
}


def suffix(name: str, environment: str, region: str, salt: str = "") -> str:
    """Six hex digits that make global names unique per profile, environment, region and salt."""
    digest = hashlib.sha256(f"{salt}|{name}|{environment}|{region}".encode()).hexdigest()
    return digest[:6]


@dataclass(frozen=True)
class Names:
    """Every resource name for one profile's stack."""

    resource_group: str
    storage_account: str
    key_vault: str
    log_analytics: str
    app_insights: str
    container_registry: str
    workspace: str
    training_cluster: str
    dev_instance: str
    datalake: str
    synapse_workspace: str
    spark_pool: str
    aml_spark_link: str
    databricks_workspace: str
    databricks_managed_rg: str
    online_endpoint: str
    batch_endpoint: str
    suffix: str

    def ai_account(self, kind: str, workload: str, environment: str) -> str:
        """A cognitive account name; also its custom subdomain, so globally unique."""
        name = _fit(AI_ABBREVIATIONS[kind], f"{workload}-{environment}", self.suffix, 64, sep="-")
        if not NAME_RULES["azurerm_cognitive_account"].match(name):
            raise ValueError(f"generated cognitive account name {name!r} is invalid")
        return name

    def check(self) -> None:
        """Raise ValueError if any name breaks its resource type's rule."""
        pairs = {
            "azurerm_resource_group": self.resource_group,
            "azurerm_storage_account": self.storage_account,
            "azurerm_key_vault": self.key_vault,
            "azurerm_log_analytics_workspace": self.log_analytics,
            "azurerm_application_insights": self.app_insights,
            "azurerm_container_registry": self.container_registry,
            "azurerm_machine_learning_workspace": self.workspace,
            "azurerm_machine_learning_compute_cluster": self.training_cluster,
            "azurerm_machine_learning_compute_instance": self.dev_instance,
            "azurerm_machine_learning_synapse_spark": self.aml_spark_link,
            "azurerm_synapse_workspace": self.synapse_workspace,
            "azurerm_synapse_spark_pool": self.spark_pool,
            "azurerm_databricks_workspace": self.databricks_workspace,
        }
        for endpoint in (self.online_endpoint, self.batch_endpoint):
            if not NAME_RULES["endpoint"].match(endpoint):
                raise ValueError(f"generated endpoint name {endpoint!r} is invalid")
        for kind, value in pairs.items():
            if not NAME_RULES[kind].match(value):
                raise ValueError(f"generated {kind} name {value!r} breaks {NAME_RULES[kind].pattern}")


def _alnum(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _fit(prefix: str, middle: str, tail: str, limit: int, sep: str = "") -> str:
    """prefix+sep+middle+sep+tail, trimming middle so the whole fits ``limit``."""
    fixed = len(prefix) + len(tail) + (2 * len(sep) if sep else 0)
    middle = re.sub(r"-{2,}", "-", middle)  # key vault names cannot hold "--"
    middle = middle[: max(limit - fixed, 0)].strip("-")
    parts = [p for p in (prefix, middle, tail) if p]
    return sep.join(parts)


def names_for(name: str, environment: str, region: str, accelerator: str, salt: str = "") -> Names:
    """Deterministic names for a profile (name is ^[a-z][a-z0-9-]*[a-z0-9]$, 3-20 chars)."""
    sfx = suffix(name, environment, region, salt)
    names = Names(
        resource_group=f"rg-{name}-{environment}-{region}",
        storage_account=_fit("st", _alnum(name) + environment, sfx, 24),
        key_vault=_fit("kv", f"{name}-{environment}", sfx, 24, sep="-"),
        log_analytics=f"log-{name}-{environment}-{region}",
        app_insights=f"appi-{name}-{environment}-{region}",
        container_registry=_fit("cr", _alnum(name) + environment, sfx, 50),
        workspace=f"mlw-{name}-{environment}",
        training_cluster=f"train-{accelerator}",
        dev_instance=_fit("ci", name, sfx, 25, sep="-"),
        datalake=_fit("stdl", _alnum(name) + environment, sfx, 24),
        # globally unique, lowercase, and never containing "-ondemand"
        synapse_workspace=_fit("synw", f"{name}-{environment}".replace("ondemand", "od"),
                               sfx, 50, sep="-"),
        spark_pool=("synsp" + _alnum(name))[:15],
        aml_spark_link="spark-prep",
        databricks_workspace=f"dbw-{name}-{environment}",
        databricks_managed_rg=f"rg-{name}-{environment}-{region}-dbw-managed",
        # region-unique, so with the suffix
        online_endpoint=_fit("", f"{name}-{environment}", sfx, 32, sep="-"),
        batch_endpoint=_fit("", f"{name}-{environment}-batch", sfx, 32, sep="-"),
        suffix=sfx,
    )
    names.check()
    return names
