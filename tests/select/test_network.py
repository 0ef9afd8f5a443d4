"""NET-*: the network a selection prices is the network its stack makes.

The oracle for the stack side is the synthesized resources themselves (counted by type);
the prices are written out by hand from services.json's list prices (private endpoint
$0.01/h, DNS zone $0.50/month, NAT gateway $0.045/h, static public IP $0.005/h, Azure
Firewall Standard $1.25/h, 730 h a month).
"""

from __future__ import annotations

import math

import pytest

from conftest import PROFILES, parse
from trainstack.catalog import load_facts
from trainstack.constructs.stack import build_stack
from trainstack.profile import load_profile
from trainstack.select import select
from trainstack.settings import Settings

PRIVATE = "constraints:\n  network: private\n"
SHAPES = {
    "aml-dev": PRIVATE,
    "aml-prod": "environment: prod\n" + PRIVATE,
    "aml-synapse-prep": "team:\n  existing_platform: synapse\ntraining:\n  framework: pytorch\n"
                        + PRIVATE,
    "synapse": "team:\n  existing_platform: synapse\n" + PRIVATE,
    "databricks": "team:\n  existing_platform: databricks\n" + PRIVATE,
    "custom-vision": "problem:\n  predicts: x\n  task: object-detection\n  prebuilt_ok: true\n"
                     "  custom_labels: true\n" + PRIVATE,
    "public": "",
}


def _profile(shape: str):
    from test_select import scenario_profile
    return scenario_profile(SHAPES[shape])


def _types(spec) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in spec.elements:
        counts[e.terraform_type] = counts.get(e.terraform_type, 0) + 1
    return counts


def _cases():
    yield from ((p.stem, load_profile(p)) for p in PROFILES)
    yield from ((f"shape-{s}", _profile(s)) for s in SHAPES)


@pytest.mark.parametrize("name,profile", list(_cases()), ids=lambda v: v if isinstance(v, str)
                         else "")
def test_the_priced_network_is_the_synthesized_one(name, profile):
    selection = select(profile, load_facts())
    counts = _types(build_stack(profile, selection, Settings()))
    net = selection.network
    assert counts.get("azurerm_private_endpoint", 0) == net.private_endpoints
    assert counts.get("azurerm_private_dns_zone", 0) == net.private_dns_zones
    assert counts.get("azurerm_nat_gateway", 0) == (net.egress == "nat-gateway")
    fqdn = counts.get("azurerm_machine_learning_workspace_network_outbound_rule_fqdn", 0)
    assert (fqdn > 0) == (net.outbound == "approved-only")
    # every priced line is in the estimate: the same profile made public (compute does not
    # depend on the network) costs the network less
    public = profile.model_copy(update={"constraints": profile.constraints.model_copy(
        update={"network": "public", "existing_network": None})})
    compute = select(public, load_facts())
    assert compute.compute == selection.compute and compute.network.items == ()
    assert compute.compute_monthly_usd == selection.compute_monthly_usd
    lines = [(i.item, i.quantity, i.monthly_usd) for i in selection.cost_breakdown
             if i.category == "network"]
    assert lines == [(i.item, i.quantity, i.monthly_usd) for i in net.items]
    assert selection.estimated_monthly_usd == pytest.approx(
        sum(i.monthly_usd for i in selection.cost_breakdown))
    if not net.items:
        assert net.mode == "public" and "network" not in next(
            r.text for r in selection.rationale if r.rule == "COST-TOTAL")


@pytest.mark.parametrize("shape,endpoints,zones,extra", [
    # workspace (api + notebooks zones), storage blob + file, key vault, registry
    ("aml-dev", 5, 6, 0.0),
    # the same, and the managed network's firewall
    ("aml-prod", 5, 6, 1.25 * 730),
    # Azure ML's five and Synapse's Dev, Sql, SqlOnDemand + lake blob, dfs (blob zone shared)
    ("aml-synapse-prep", 10, 9, 0.0),
    ("synapse", 5, 4, 0.0),
    # databricks_ui_api + browser_authentication in one zone; NAT gateway and its address
    ("databricks", 2, 1, 0.045 * 730 + 0.005 * 730),
    # Custom Vision training + prediction accounts, one zone
    ("custom-vision", 2, 1, 0.0),
])
def test_network_prices_by_hand(shape, endpoints, zones, extra):
    net = select(_profile(shape), load_facts()).network
    assert (net.private_endpoints, net.private_dns_zones) == (endpoints, zones)
    assert net.monthly_usd == pytest.approx(endpoints * 0.01 * 730 + zones * 0.5 + extra)


def test_outbound_is_open_outside_prod_and_approved_only_in_prod():
    facts = load_facts()
    assert select(_profile("aml-dev"), facts).network.outbound == "internet"
    assert select(_profile("aml-prod"), facts).network.outbound == "approved-only"
    for shape in ("synapse", "databricks", "custom-vision", "public"):
        assert select(_profile(shape), facts).network.outbound is None


def test_a_fixed_network_cost_over_the_budget_is_said_and_not_offset():
    profile = parse("environment: prod\nconstraints:\n  network: private\n"
                    "  monthly_budget_usd: 300\n")
    s = select(profile, load_facts())
    assert s.within_budget is False
    assert s.estimated_monthly_usd > 912.5
    over = [r.text for r in s.rationale if r.rule == "BUDGET-OVER"]
    assert over and "with the fixed" in over[0]
    assert any(w.startswith("over budget:") for w in s.warnings)
    # compute itself was not squeezed for it: the same compute as with no budget
    free = select(parse("environment: prod\nconstraints:\n  network: private\n"), load_facts())
    assert s.compute == free.compute


def test_a_budget_that_covers_the_network_stays_within():
    s = select(parse("environment: prod\nconstraints:\n  network: private\n"
                     "  monthly_budget_usd: 5000\n"), load_facts())
    assert s.within_budget and "BUDGET-OVER" not in [r.rule for r in s.rationale]
    assert any(r.rule == "COST-TOTAL" and "within the $5,000.00 budget" in r.text
               for r in s.rationale)


# -- an existing (hub-and-spoke) network -----------------------------------------------------

SUB = "00000000-0000-0000-0000-000000000000"
SUBNET = (f"/subscriptions/{SUB}/resourceGroups/rg-spoke/providers/Microsoft.Network/"
          "virtualNetworks/vnet-spoke/subnets/snet-pep")
HUB = f"/subscriptions/{SUB}/resourceGroups/rg-hub/providers/Microsoft.Network/privateDnsZones/"


def _spoke(subnet: str = SUBNET, zones: dict | None = None, network: str = "private"):
    zones = {"privatelink.vaultcore.azure.net": HUB + "privatelink.vaultcore.azure.net"} \
        if zones is None else zones
    lines = "".join(f"      {k}: {v}\n" for k, v in zones.items())
    return parse(f"environment: prod\nconstraints:\n  network: {network}\n  existing_network:\n"
                 f"    subnet_id: {subnet}\n"
                 + (f"    private_dns_zone_ids:\n{lines}" if lines else ""))


def test_an_existing_subnet_and_zones_replace_the_stacks_own():
    profile = _spoke()
    selection = select(profile, load_facts())
    spec = build_stack(profile, selection, Settings())
    counts = _types(spec)
    # no virtual network, endpoint subnet or NSG of its own; five zones of its own, not six
    assert "azurerm_virtual_network" not in counts and "azurerm_subnet" not in counts
    assert counts["azurerm_private_dns_zone"] == 5 == selection.network.private_dns_zones
    endpoints = [e for e in spec.elements if e.terraform_type == "azurerm_private_endpoint"]
    assert len(endpoints) == 5 and {e.subnet_id for e in endpoints} == {SUBNET}
    vault = next(e for e in endpoints if e.local_name == "key_vault_vault")
    assert vault.private_dns_zone_group.private_dns_zone_ids == (
        HUB + "privatelink.vaultcore.azure.net",)
    # the stack's own zones are linked to the spoke network the subnet is in
    links = [e for e in spec.elements
             if e.terraform_type == "azurerm_private_dns_zone_virtual_network_link"]
    assert {(e.name, e.virtual_network_id) for e in links} == {
        ("vnet-spoke", SUBNET.rsplit("/subnets/", 1)[0])}
    assert selection.network.monthly_usd == pytest.approx(5 * 7.3 + 5 * 0.5 + 912.5)


@pytest.mark.parametrize("subnet,zones,fragment", [
    (SUBNET.replace("/subnets/", "/subnetz/"), None, "existing_network.subnet_id: must match"),
    (SUBNET + "/${path.cwd}", None, "existing_network.subnet_id: must match"),
    (SUBNET, {"privatelink.vaultcore.azure.net": HUB + "privatelink.azurecr.io"},
     "names the zone 'privatelink.azurecr.io'"),
    (SUBNET, {"privatelink.vault.azure.net": HUB + "privatelink.vault.azure.net"},
     "did you mean 'privatelink.vaultcore.azure.net'"),
    (SUBNET, {"privatelink.vaultcore.azure.net": "privatelink.vaultcore.azure.net"},
     "must be the resource id of a private DNS zone"),
])
def test_existing_network_ids_are_checked(subnet, zones, fragment):
    from trainstack.errors import ProfileError
    with pytest.raises(ProfileError) as info:
        _spoke(subnet, zones)
    assert fragment in str(info.value)


def test_an_existing_network_needs_a_private_profile():
    from trainstack.errors import ProfileError
    with pytest.raises(ProfileError) as info:
        _spoke(network="public")
    assert "existing_network needs network: private" in str(info.value)


def test_only_a_pool_azure_ml_attaches_lets_azure_services_through_the_synapse_firewall():
    """TS-SEC-016: the 0.0.0.0 rule admits every Azure tenant's resources."""
    from test_select import scenario_profile
    facts = load_facts()
    alone = scenario_profile("team:\n  existing_platform: synapse\n")
    for_aml = scenario_profile("team:\n  existing_platform: synapse\ntraining:\n"
                               "  framework: pytorch\n")
    counts = {name: _types(build_stack(p, select(p, facts), Settings()))
              for name, p in (("alone", alone), ("for_aml", for_aml))}
    assert counts["alone"]["azurerm_synapse_workspace"] == 1
    assert "azurerm_synapse_firewall_rule" not in counts["alone"]
    assert counts["for_aml"]["azurerm_machine_learning_synapse_spark"] == 1
    assert counts["for_aml"]["azurerm_synapse_firewall_rule"] == 1


def test_a_budget_equal_to_the_total_is_within():
    """COST-TOTAL's boundary: the total may equal the budget."""
    free = select(parse("environment: prod\nconstraints:\n  network: private\n"), load_facts())
    total = free.estimated_monthly_usd
    exact = select(parse(f"environment: prod\nconstraints:\n  network: private\n"
                         f"  monthly_budget_usd: {total}\n"), load_facts())
    assert exact.estimated_monthly_usd == total and exact.within_budget
    assert "BUDGET-OVER" not in [r.rule for r in exact.rationale]


def test_over_budget_compute_advice_counts_the_network_too():
    """When compute alone is over, its advice counted compute only: the fixed lines' say
    what budget holds both."""
    s = select(parse("environment: prod\nconstraints:\n  network: private\n"
                     "  monthly_budget_usd: 0.5\n"), load_facts())
    assert not s.within_budget
    over = [r.text for r in s.rationale if r.rule == "BUDGET-OVER"]
    assert len(over) == 2
    fixed = sum(i.monthly_usd for i in s.cost_breakdown if i.category != "compute")
    assert over[1] == (f"the fixed ${fixed:,.2f}/month comes on top of "
                       f"compute: a budget that holds both is at least "
                       f"${math.ceil(s.estimated_monthly_usd):,}")
