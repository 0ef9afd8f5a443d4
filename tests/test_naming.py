"""Resource names: Azure's rules, CAF prefixes, deterministic unique suffixes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainstack.naming import NAME_RULES, names_for, suffix

profile_names = st.from_regex(r"[a-z][a-z0-9-]{1,18}[a-z0-9]", fullmatch=True)
environments = st.sampled_from(["dev", "test", "prod"])
regions = st.sampled_from(["westeurope", "eastus2", "australiasoutheast", "germanywestcentral"])


@given(profile_names, environments, regions, st.sampled_from(["cpu", "gpu"]), st.text(max_size=8))
def test_every_generated_name_follows_its_resource_rule(name, env, region, acc, salt):
    names = names_for(name, env, region, acc, salt)  # .check() runs inside
    assert len(names.storage_account) <= 24 and names.storage_account.startswith("st")
    assert len(names.key_vault) <= 24 and "--" not in names.key_vault
    assert names.container_registry.isalnum()


def test_caf_prefixes_and_suffix():
    n = names_for("churn", "dev", "westeurope", "cpu")
    sfx = "717405"  # sha256("|churn|dev|westeurope")[:6]: stable across releases
    assert n.resource_group == "rg-churn-dev-westeurope"
    assert n.storage_account == f"stchurndev{sfx}"
    assert n.key_vault == f"kv-churn-dev-{sfx}"
    assert n.container_registry == f"crchurndev{sfx}"
    assert n.workspace == "mlw-churn-dev"
    assert n.log_analytics.startswith("log-") and n.app_insights.startswith("appi-")
    assert n.training_cluster == "train-cpu"
    assert n.dev_instance == f"ci-churn-{sfx}"


def test_long_names_keep_the_suffix():
    n = names_for("a-very-long-name-xyz", "prod", "westeurope", "gpu")
    sfx = "c6d215"  # sha256("|a-very-long-name-xyz|prod|westeurope")[:6]
    for value in (n.storage_account, n.key_vault, n.container_registry, n.dev_instance):
        assert value.endswith(sfx)


def test_names_are_salted():
    assert suffix("churn", "dev", "eastus") != suffix("churn", "dev", "eastus", salt="contoso")
    assert suffix("churn", "dev", "eastus") != suffix("churn", "prod", "eastus")


@pytest.mark.parametrize(
    ("kind", "bad"),
    [
        ("azurerm_storage_account", "St-Upper"),
        ("azurerm_key_vault", "kv--double"),
        ("azurerm_key_vault", "1starts-with-digit"),
        ("azurerm_container_registry", "cr-dash"),
        ("azurerm_machine_learning_compute_cluster", "x"),
        ("azurerm_machine_learning_workspace", "-bad"),
    ],
)
def test_rules_reject_bad_names(kind, bad):
    assert not NAME_RULES[kind].match(bad)


# Azure's naming rules, written from Microsoft Learn ("Naming rules and restrictions for
# Azure resources", learn.microsoft.com/azure/azure-resource-manager/management/
# resource-name-rules), independently of trainstack.naming: (min, max, allowed characters,
# first character, last character).
AZURE_RULES = {
    "azurerm_storage_account": (3, 24, "abcdefghijklmnopqrstuvwxyz0123456789", None, None),
    "azurerm_key_vault": (3, 24, "alnum-", "alpha", "alnum"),
    "azurerm_container_registry": (5, 50, "alnum", None, None),
    "azurerm_machine_learning_workspace": (3, 33, "alnum-_", "alnum", None),
    "azurerm_log_analytics_workspace": (4, 63, "alnum-", "alnum", "alnum"),
    "azurerm_resource_group": (1, 90, "alnum-_.()", None, "not."),
}


def _azure_ok(kind: str, name: str) -> bool:
    low, high, chars, first, last = AZURE_RULES[kind]
    allowed = set(chars.replace("alnum", "").replace("alpha", ""))
    if "alnum" in chars:
        allowed |= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    if not (low <= len(name) <= high and set(name) <= allowed):
        return False
    if kind == "azurerm_key_vault" and "--" in name:
        return False
    if first == "alpha" and not name[0].isalpha() or first == "alnum" and not name[0].isalnum():
        return False
    return not (last == "alnum" and not name[-1].isalnum() or last == "not." and
                name.endswith("."))


KIND_OF = {"azurerm_storage_account": "storage_account", "azurerm_key_vault": "key_vault",
           "azurerm_container_registry": "container_registry",
           "azurerm_machine_learning_workspace": "workspace",
           "azurerm_log_analytics_workspace": "log_analytics",
           "azurerm_resource_group": "resource_group"}


@given(profile_names, environments, regions, st.text(max_size=8))
def test_generated_names_meet_azures_rules_as_documented(name, env, region, salt):
    names = names_for(name, env, region, "cpu", salt)
    for kind, field in KIND_OF.items():
        assert _azure_ok(kind, getattr(names, field)), (kind, getattr(names, field))


@pytest.mark.parametrize("kind", sorted(AZURE_RULES))
@pytest.mark.parametrize("name", ["ab", "abc", "a" * 24, "a" * 25, "a" * 51, "Abc1", "ab-c",
                                  "a--b", "1abc", "abc-", "ab_c", "a.b", "abc.", "a(b)"])
def test_trainstacks_rules_agree_with_azures(kind, name):
    """NAME_RULES (used by synth and by TS-NAME-001) accept exactly what Azure accepts."""
    assert bool(NAME_RULES[kind].match(name)) == _azure_ok(kind, name), (kind, name)
