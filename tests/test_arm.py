"""trainstack/arm.py: the facts behind the TS-APPLY rules, and that the builders use them."""

from __future__ import annotations

import json

from conftest import ROOT
from trainstack import arm
from trainstack.constructs import resources as r
from trainstack.constructs.resources.element import Element

GOLDEN = ROOT / "tests" / "golden"


def _models(cls: type = Element):
    for sub in cls.__subclasses__():
        yield sub
        yield from _models(sub)


def test_every_azurerm_resource_trainstack_can_build_has_its_namespaces():
    """A type missing here would be built without its namespace registered (TS-APPLY-001
    could not see it either)."""
    built = {m.terraform_type for m in _models() if getattr(m, "terraform_type", "")
             .startswith("azurerm_") and not m.is_data}
    assert built - set(arm.NAMESPACES) == set()


def test_each_stored_stack_registers_exactly_what_its_resources_need():
    """Written out by hand from the azurerm docs' "API Providers" sections, not computed."""
    expected = {
        "churn": ["Microsoft.ContainerRegistry", "microsoft.insights", "Microsoft.KeyVault",
                  "Microsoft.MachineLearningServices", "Microsoft.Notebooks",
                  "Microsoft.OperationalInsights", "Microsoft.AlertsManagement",
                  "Microsoft.Storage"],
        "invoice-ocr": ["Microsoft.CognitiveServices", "microsoft.insights",
                        "Microsoft.Network",  # its private endpoint, zone and network
                        "Microsoft.OperationalInsights"],
        "claims-synapse": ["microsoft.insights", "Microsoft.Network",  # private endpoints
                           "Microsoft.OperationalInsights", "Microsoft.Storage",
                           "Microsoft.Synapse"],
        "clickstream": ["Microsoft.Databricks", "microsoft.insights", "Microsoft.Network",
                        "Microsoft.OperationalInsights"],
    }
    for name, namespaces in expected.items():
        doc = json.loads((GOLDEN / "stacks" / name / "cdk.tf.json").read_text())
        config = doc["provider"]["azurerm"][0]
        assert config["resource_provider_registrations"] == "none"
        assert sorted(config["resource_providers_to_register"]) == sorted(namespaces), name


def test_the_named_sets_nest_as_required_go_builds_them():
    sets = arm.REGISTRATION_SETS
    assert sets["none"] == frozenset()
    assert sets["core"] < sets["extended"] < sets["all"]
    assert sets["legacy"] == sets["all"] - {"Microsoft.AlertsManagement"}
    assert "Microsoft.Synapse" not in sets["all"] | sets["legacy"]


def test_bypass_only_where_the_kind_takes_it():
    assert {k for k in ("OpenAI", "AIServices", "TextAnalytics", "FormRecognizer",
                        "SpeechServices", "ComputerVision") if k in arm.BYPASS_KINDS} == {
        "OpenAI", "AIServices", "TextAnalytics"}
    assert r.CognitiveNetworkAcls(default_action="Deny").bypass is None
