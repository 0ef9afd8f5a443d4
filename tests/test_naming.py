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
    sfx = suffix("churn", "dev", "westeurope")
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
    sfx = suffix("a-very-long-name-xyz", "prod", "westeurope")
    for value in (n.storage_account, n.key_vault, n.container_registry, n.dev_instance):
        assert value.endswith(sfx)


def test_names_are_deterministic_and_salted():
    assert names_for("churn", "dev", "eastus", "cpu") == names_for("churn", "dev", "eastus", "cpu")
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
