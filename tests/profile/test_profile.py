"""Profiles: every contract field accepted, every error in the contract's format."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from conftest import MINIMAL, PROFILES, parse, profile_text
from trainstack.errors import ProfileError
from trainstack.profile import load_profile, parse_profile
from trainstack.profile.schema import profile_json_schema

FULL_CONTRACT_EXAMPLE = """\
apiVersion: trainstack/v1
kind: WorkloadProfile
name: churn
environment: dev
region: westeurope
problem:
  predicts: "customer churn in the next 30 days"
  task: classification
  success: {metric: auc, target: 0.85}
  output: realtime
  prebuilt_ok: false
data:
  modality: tabular
  size_gb: 12
  rows: 40000000
  columns: 120
  source: blob
  needs_distributed_prep: false
training:
  framework: xgboost
  max_hours: 4
  runs_per_month: 20
  concurrent_trials: 1
  distributed: false
team:
  prefers: [python-sdk, ui]
  existing_platform: none
  ml_expertise: high
constraints:
  monthly_budget_usd: 2000
  network: public
  allow_low_priority: true
deploy:
  endpoint: online
monitor:
  alert_email: ml-team@example.com
  data_drift: true
overrides:
  service: azure-ml
  training_vm_size: Standard_D8s_v5
  region: northeurope
suppressions:
  - rule: TS-SEC-001
    resource: azurerm_machine_learning_workspace.workspace
    reason: "public endpoint needed for the partner demo until 2027-03"
"""


def errors_of(text: str, filename: str = "p.yaml") -> list[str]:
    with pytest.raises(ProfileError) as info:
        parse_profile(text, filename)
    return list(info.value.lines)


def test_every_field_of_the_contract_example_is_accepted():
    p = parse_profile(FULL_CONTRACT_EXAMPLE)
    assert p.name == "churn" and p.api_version == "trainstack/v1"
    assert p.problem.success.metric == "auc" and p.problem.success.target == 0.85
    assert p.data.rows == 40_000_000 and p.team.prefers == ["python-sdk", "ui"]
    assert p.overrides.training_vm_size == "Standard_D8s_v5"
    assert p.target_region == "northeurope"
    assert p.suppressions[0].rule == "TS-SEC-001"
    assert p.monitor.alert_email == "ml-team@example.com"


def test_defaults_follow_the_contract():
    p = parse()
    assert p.environment == "dev"
    assert p.problem.output == "batch" and p.problem.prebuilt_ok is False
    assert p.data.modality == "tabular" and p.data.source == "blob"
    assert p.training.framework == "automl" and p.training.max_hours == 2
    assert p.training.runs_per_month == 20 and p.training.concurrent_trials == 1
    assert p.team.existing_platform == "none" and p.team.ml_expertise == "high"
    assert p.constraints.network == "public" and p.constraints.allow_low_priority is True
    assert p.deploy.endpoint == "none" and p.monitor.data_drift is False
    assert p.training.nodes_per_run == 1


def test_profiles_are_frozen():
    p = parse()
    with pytest.raises(ValidationError):
        p.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.name)
def test_bundled_examples_load(path):
    assert load_profile(path).name == path.stem


def test_at_least_three_examples():
    assert len(PROFILES) >= 3


def test_negative_size_names_file_line_field_and_value():
    text = MINIMAL.replace("size_gb: 1", "size_gb: -3")
    assert errors_of(text, "profiles/churn.yaml") == [
        "profiles/churn.yaml:9: data.size_gb: must be greater than 0 (got -3)"
    ]


def test_misspelt_task_lists_allowed_values_and_suggests():
    (msg,) = errors_of(MINIMAL.replace("task: classification", "task: clasification"))
    assert msg.startswith("p.yaml:7: problem.task: must be one of: classification, regression")
    assert "(got 'clasification')" in msg
    assert msg.endswith("did you mean 'classification'?")


def test_misspelt_region_suggests_the_region():
    (msg,) = errors_of(MINIMAL.replace("region: westeurope", "region: westeuroep"))
    assert msg.startswith("p.yaml:4: region: must be one of:")
    assert msg.endswith("did you mean 'westeurope'?")


def test_unknown_key_is_rejected_with_suggestion_and_line():
    (msg,) = errors_of(MINIMAL + "  sise_gb: 3\n")
    assert msg.startswith("p.yaml:10: data.sise_gb: unknown field; did you mean 'size_gb'?")
    assert "allowed here:" in msg and "modality" in msg


def test_unknown_top_level_section():
    (msg,) = errors_of(MINIMAL + "trainig:\n  max_hours: 2\n")
    assert "p.yaml:10: trainig: unknown field; did you mean 'training'?" in msg


def test_missing_required_field_points_at_its_parent():
    (msg,) = errors_of(MINIMAL.replace("  size_gb: 1\n", "  modality: image\n"))
    assert msg == "p.yaml:8: data.size_gb: is required"


def test_missing_section():
    text = MINIMAL.split("data:")[0]
    assert errors_of(text) == ["p.yaml:1: data: is required"]


def test_wrong_types_are_not_coerced():
    msgs = errors_of(profile_text("training:\n  concurrent_trials: '4'\n  distributed: yes\n"))
    assert msgs == [
        "p.yaml:11: training.concurrent_trials: must be a whole number (got '4')",
        "p.yaml:12: training.distributed: must be true or false (got 'yes')",
    ]


def test_list_items_are_located():
    (msg,) = errors_of(profile_text("team:\n  prefers: [python-sdk, noteboks]\n"))
    assert msg.startswith("p.yaml:11: team.prefers[1]: must be one of:")
    assert msg.endswith("did you mean 'notebooks'?")


def test_several_errors_are_all_reported_in_line_order():
    text = MINIMAL.replace("name: demo", "name: Demo").replace("size_gb: 1", "size_gb: 0")
    msgs = errors_of(text)
    assert [m.split(":")[1] for m in msgs] == ["3", "9"]
    assert "name: must match" in msgs[0] and "(got 'Demo')" in msgs[0]


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        (("apiVersion: trainstack/v1", "apiVersion: trainstack/v2"),
         "p.yaml:1: apiVersion: must be one of: trainstack/v1 (got 'trainstack/v2'); "
         "did you mean 'trainstack/v1'?"),
        (("name: demo", "name: ab"), "p.yaml:3: name: must have at least 3 characters (got 'ab')"),
        (("name: demo", "name: a-very-long-profile-name"),
         "p.yaml:3: name: must have at most 20 characters (got 'a-very-long-profile-name')"),
    ],
)
def test_top_level_value_errors(replace, expected):
    assert errors_of(MINIMAL.replace(*replace)) == [expected]


def test_suppression_reason_must_be_meaningful():
    text = profile_text("suppressions:\n  - rule: TS-SEC-001\n    reason: because\n")
    (msg,) = errors_of(text)
    assert msg == "p.yaml:12: suppressions[0].reason: must have at least 10 characters (got 'because')"


def test_suppression_rule_id_format():
    text = profile_text("suppressions:\n  - rule: SEC-1\n    reason: long enough reason\n")
    (msg,) = errors_of(text)
    assert msg.startswith("p.yaml:11: suppressions[0].rule: must match")


def test_a_rule_id_at_the_start_of_a_message_keeps_its_capitals():
    text = profile_text("suppressions:\n  - rule: TS-META-001\n    reason: long enough reason\n")
    (msg,) = errors_of(text)
    assert msg == ("p.yaml:11: suppressions[0].rule: TS-META-001 cannot be suppressed: it "
                   "reports that validation itself could not run as it should (got 'TS-META-001')")


def test_nodes_need_distributed():
    (msg,) = errors_of(profile_text("training:\n  nodes: 4\n"))
    assert msg == "p.yaml:10: training: nodes > 1 needs distributed: true"


def test_bad_email():
    (msg,) = errors_of(profile_text("monitor:\n  alert_email: not-an-email\n"))
    assert msg == ("p.yaml:11: monitor.alert_email: must be an email address, like "
                   "ml-team@example.com (got 'not-an-email')")


def test_yaml_syntax_error_has_a_line():
    (msg,) = errors_of(MINIMAL + "training: [unclosed\n")
    assert msg.startswith("p.yaml:") and "YAML syntax error" in msg
    assert int(msg.split(":")[1]) >= 10


def test_duplicate_keys_are_an_error():
    (msg,) = errors_of(MINIMAL + "region: northeurope\n")
    assert msg == "p.yaml:10: region: duplicate key (first on line 4)"


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text\n"])
def test_document_must_be_a_mapping(text):
    (msg,) = errors_of(text)
    assert msg.startswith("p.yaml:1: the profile must be a YAML mapping")


def test_missing_file(tmp_path):
    with pytest.raises(ProfileError) as info:
        load_profile(tmp_path / "nope.yaml")
    assert info.value.lines == (f"{tmp_path / 'nope.yaml'}: no such file",)


def test_schema_is_valid_and_matches_the_models():
    jsonschema = pytest.importorskip("jsonschema")
    from ruamel.yaml import YAML

    schema = json.loads(profile_json_schema())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in PROFILES:
        data = json.loads(json.dumps(YAML(typ="safe").load(path.read_text())))
        assert list(validator.iter_errors(data)) == [], path
    bad = YAML(typ="safe").load(MINIMAL)
    bad["data"]["sise_gb"] = 1
    assert list(validator.iter_errors(bad)), "unknown keys must fail the schema too"
    assert "westeurope" in schema["properties"]["region"]["enum"]
    assert schema["properties"]["problem"]["$ref"].endswith("Problem")


