"""What Azure keeps after ``terraform destroy`` of a stack, read from the stack itself.

The facts (and their sources) are those of ``constructs/base.py`` ``destroy_features`` and
docs/guide.md, "What destroy keeps": the stack's azurerm ``features`` decide whether a
workspace, account or vault is purged or soft-deleted, and for how long its name is held.
"""

from __future__ import annotations

from trainstack.text import printable

# Learn: azure/machine-learning/concept-soft-delete (14 days), ai-services/
# recover-purge-resources (48 hours), azure-monitor/logs/delete-workspace (14 days),
# key-vault/general/soft-delete-overview (7-90 days, 90 by default).
_WORKSPACE_DAYS = 14
_LOG_ANALYTICS_DAYS = 14
_VAULT_DEFAULT_DAYS = 90


def _feature(doc: dict, block: str, key: str, default: bool) -> bool:
    """A ``provider.azurerm.features`` flag of the stack; ``default`` is the provider's when
    unset (internal/features/defaults.go, azurerm v5.2.0)."""
    provider = (doc.get("provider") or {}).get("azurerm") or [{}]
    provider = provider[0] if isinstance(provider, list) and provider else {}
    features = (provider.get("features") or [{}]) if isinstance(provider, dict) else [{}]
    features = features[0] if isinstance(features, list) and features else {}
    section = features.get(block) if isinstance(features, dict) else None
    section = section[0] if isinstance(section, list) and section else {}
    value = section.get(key, default) if isinstance(section, dict) else default
    return value if isinstance(value, bool) else default


def _named(doc: dict, kind: str) -> list[dict]:
    resources = (doc.get("resource") or {}).get(kind) or {}
    return [body for _, body in sorted(resources.items()) if isinstance(body, dict)] \
        if isinstance(resources, dict) else []


def _name(body: dict) -> str:
    return printable(str(body.get("name", "?")))


def after_destroy(doc: dict) -> list[str]:
    """One line per thing Azure keeps (or purges) after the stack is destroyed, with how to
    purge it where that is possible."""
    lines: list[str] = []
    for vault in _named(doc, "azurerm_key_vault"):
        days = vault.get("soft_delete_retention_days", _VAULT_DEFAULT_DAYS)
        if vault.get("purge_protection_enabled"):
            lines.append(f"key vault {_name(vault)}: soft-deleted for {days} days with purge "
                         "protection, so nothing can purge it sooner; applying the stack "
                         "again recovers it and its name")
        else:
            lines.append(f"key vault {_name(vault)}: soft-deleted for {days} days; purge: "
                         f"az keyvault purge --name {_name(vault)}")
    purge_ml = _feature(doc, "machine_learning", "purge_soft_deleted_workspace_on_destroy", False)
    for ws in _named(doc, "azurerm_machine_learning_workspace"):
        lines.append(f"Azure ML workspace {_name(ws)}: purged, its name is free at once"
                     if purge_ml else
                     f"Azure ML workspace {_name(ws)}: soft-deleted for {_WORKSPACE_DAYS} days, "
                     "holding its name; recover or delete it for good in the Azure portal "
                     "(Azure Machine Learning, Recently deleted)")
    purge_ai = _feature(doc, "cognitive_account", "purge_soft_delete_on_destroy", True)
    for account in _named(doc, "azurerm_cognitive_account"):
        lines.append(f"AI services account {_name(account)}: purged" if purge_ai else
                     f"AI services account {_name(account)}: soft-deleted for 48 hours, holding "
                     f"its name; purge: az cognitiveservices account purge --name "
                     f"{_name(account)} --resource-group <group> --location <region>")
    gone = _feature(doc, "log_analytics_workspace", "permanently_delete_on_destroy", False)
    for ws in _named(doc, "azurerm_log_analytics_workspace"):
        lines.append(f"Log Analytics workspace {_name(ws)}: deleted for good" if gone else
                     f"Log Analytics workspace {_name(ws)}: soft-deleted for "
                     f"{_LOG_ANALYTICS_DAYS} days; creating it again with the same name "
                     "recovers it")
    if _feature(doc, "resource_group", "prevent_deletion_if_contains_resources", True):
        for group in _named(doc, "azurerm_resource_group"):
            lines.append(f"resource group {_name(group)}: not deleted while it holds "
                         "resources terraform does not manage (such as the Failure "
                         "Anomalies alert rule Azure adds beside Application Insights): "
                         "delete them first, on purpose")
    return lines
