"""Profile text reaches Terraform literally: no profile can make terraform evaluate anything.

Oracles independent of the code under test: the terraform binary itself (it reads the
escaped strings back), and a real `terraform plan` with the azurerm provider that would
print a file from the runner if a profile could interpolate (it did before issue 7).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MINIMAL, ROOT
from trainstack.constructs.literal import Ref, comment_value, terraform_value
from trainstack.errors import SynthError
from trainstack.tftemplate import RESOURCE_REFERENCE, Part, TemplateError, escape, parse

TERRAFORM = shutil.which("terraform")
SHARED_TF = ROOT.parent / "shared" / "terraform"
needs_terraform = pytest.mark.skipif(TERRAFORM is None, reason="terraform is not on PATH")

TRICKY = ["${", "%{", "$${", "%%{", "$$${", "%%%{", "$", "%", "$$", "%%", "${}", "%{}", "}",
          "{", "${a}", "$${a}", "%{ if true }x%{ endif }", "${file(\"/etc/passwd\")}",
          "a$", "a%", "$%{", "%${", "\\${", "\\\\${x}", "${\"${x}\"}", "~${~x~}", "", "é${€}"]


def _corpus() -> list[str]:
    rng = random.Random(7)
    alphabet = "$%{}\\\"a ~"
    return TRICKY + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
                     for _ in range(300)]


@given(st.text())
def test_escaped_text_parses_back_to_itself(text):
    assert parse(escape(text)) == ((Part("text", text),) if text else ())


def test_templates_are_read_as_terraform_reads_them():
    assert parse("a${x.y.id}b") == (Part("text", "a"), Part("interpolation", "x.y.id"),
                                     Part("text", "b"))
    assert parse("%{ if true }x%{ endif }") == (Part("directive", "if true"), Part("text", "x"),
                                                Part("directive", "endif"))
    assert parse('${file("${path.module}/x")}') == (
        Part("interpolation", 'file("${path.module}/x")'),)
    assert parse("$${x}") == (Part("text", "${x}"),)
    assert parse("${~ x.y.z ~}") == (Part("interpolation", "x.y.z"),)
    assert parse('${"}"}') == (Part("interpolation", '"}"'),)
    assert parse('${"\\"}"}') == (Part("interpolation", '"\\"}"'),)
    with pytest.raises(TemplateError):
        parse("${unclosed")


def _terraform(workdir: Path, document: dict, *commands: list[str]) -> None:
    """Write ``document`` as the only configuration in ``workdir`` and run each command."""
    (workdir / "main.tf.json").write_text(json.dumps(document))
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    for args in (["init", "-input=false"], *commands):
        done = subprocess.run([TERRAFORM, *args, "-no-color"], cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr


def _applied_input(workdir: Path, value) -> object:  # noqa: ANN001
    """What terraform makes of ``value`` as a terraform_data input (it reads it back)."""
    _terraform(workdir, {"resource": {"terraform_data": {"x": {"input": value}}},
                         "output": {"o": {"value": "${terraform_data.x.output}"}}},
               ["apply", "-auto-approve", "-input=false"])
    out = subprocess.run([TERRAFORM, "output", "-json", "o"], cwd=workdir, capture_output=True,
                         text=True, timeout=120, env={**os.environ, "CHECKPOINT_DISABLE": "1"})
    return json.loads(out.stdout)


@needs_terraform
def test_terraform_reads_escaped_text_literally(tmp_path):
    """The terraform binary is the oracle: each escaped string comes back as the original."""
    corpus = _corpus()
    values = _applied_input(tmp_path, {f"k{i}": terraform_value(t) for i, t in enumerate(corpus)})
    assert values == {f"k{i}": t for i, t in enumerate(corpus)}


# -- every profile string that reaches the JSON -----------------------------------------------

def _strings(value, path=()):  # noqa: ANN001, ANN202
    """Every string Terraform evaluates: values and object keys, "//" comments skipped."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "//":
                continue
            yield (*path, "<key>"), key
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))
    elif isinstance(value, str):
        yield path, value


def _rendered(profile_text: str) -> dict:
    """The stack's Terraform JSON as the engine is given it (pure: no engine)."""
    from trainstack.catalog import load_facts
    from trainstack.constructs.stack import build_stack
    from trainstack.profile import parse_profile
    from trainstack.select import select
    from trainstack.settings import Settings

    profile = parse_profile(profile_text, "p.yaml")
    spec = build_stack(profile, select(profile, load_facts()), Settings())
    resources: dict = {}
    for element in spec.elements:
        kind = "data" if element.is_data else "resource"
        resources.setdefault(kind, {}).setdefault(element.terraform_type, {})[
            element.local_name] = terraform_value(element.arguments())
    resources["output"] = {n: {"value": terraform_value(o.value),
                               "description": terraform_value(o.description)}
                           for n, o in spec.outputs.items()}
    resources["provider"] = {p.name: terraform_value(p.config) for p in spec.providers}
    return resources


def _addresses(document: dict) -> set[str]:
    return {f"{'data.' if kind == 'data' else ''}{t}.{n}"
            for kind in ("resource", "data") for t, items in document.get(kind, {}).items()
            for n in items}


def _assert_only_references(document: dict) -> list[str]:
    """Every part of every string is literal text or a reference to an element of the stack;
    returns the decoded literal texts."""
    known, texts = _addresses(document), []
    for path, value in _strings(document):
        parts = parse(value)
        for part in parts:
            if part.kind == "text":
                continue
            match = RESOURCE_REFERENCE.match(part.value)
            assert part.kind == "interpolation" and match, (path, value)
            assert f"{match.group(1) or ''}{match.group(2)}.{match.group(3)}" in known, value
        if all(p.kind == "text" for p in parts):
            texts.append("".join(p.value for p in parts))
    return texts


_payload = st.one_of(
    st.sampled_from(["${file(\"/etc/passwd\")}", "%{ for x in [1] }${x}%{ endfor }",
                     "${path.cwd}", "$${x}", "%%{", "${", "%{", "a ${ b } c"]),
    st.text(alphabet=st.sampled_from(list("${}%~\"\\ab ")), min_size=1, max_size=30),
)
# local part of an email: RFC 5322 atext, which has $ { } %
_email_local = st.text(alphabet=st.sampled_from(list("${}%~ab.")), min_size=1, max_size=20) \
    .filter(lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s)


def _yaml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(predicts=_payload, metric=_payload, reason=_payload, email_local=_email_local,
       network=st.sampled_from(["public", "private"]))
def test_every_profile_string_reaches_terraform_literally(predicts, metric, reason,
                                                          email_local, network):
    email = f"{email_local}@example.com"
    text = MINIMAL.replace('"something useful"', _yaml_string(predicts)).replace(
        "  task: classification\n",
        f"  task: classification\n  success: {{metric: {_yaml_string(metric)}, target: 0.9}}\n",
    ) + f"""\
constraints:
  network: {network}
monitor:
  alert_email: {_yaml_string(email)}
suppressions:
  - rule: TS-SEC-001
    reason: {_yaml_string("accepted: " + reason)}
"""
    texts = _assert_only_references(_rendered(text))
    # the payloads that reach the stack arrive as the exact text the profile holds
    assert f"trainstack: {predicts}" in texts
    assert email in texts


# Every string field of the profile that can hold "${" (no enum, no pattern that forbids
# it), from the published JSON Schema: each must be in the property test above, so a new
# free-text field cannot be forgotten.
COVERED_FREE_TEXT = {"problem.predicts", "problem.success.metric", "monitor.alert_email",
                     "suppressions[].reason"}


def test_the_property_test_covers_every_free_text_field():
    import re

    from trainstack.profile.models import WorkloadProfile

    schema = WorkloadProfile.model_json_schema()
    defs = schema.get("$defs", {})
    found = set()

    def free(node: dict) -> bool:
        if "enum" in node or "const" in node:
            return False
        pattern = node.get("pattern")
        return pattern is None or any(re.search(pattern, probe)
                                      for probe in ("${x}", "a ${x} b", "${x}@a.io"))

    def walk(node: dict, where: str) -> None:
        if "$ref" in node:
            walk(defs[node["$ref"].split("/")[-1]], where)
            return
        for option in node.get("anyOf", []):
            walk(option, where)
        if node.get("type") == "object":
            for key, child in node.get("properties", {}).items():
                walk(child, f"{where}.{key}" if where else key)
        elif node.get("type") == "array":
            walk(node.get("items", {}), f"{where}[]")
        elif node.get("type") == "string" and free(node):
            found.add(where)

    walk(schema, "")
    assert found == COVERED_FREE_TEXT


def test_suppressions_stay_plain_in_the_comment_terraform_ignores():
    """The "//" metadata is never evaluated (shown with terraform in the test below), so
    validation reads the profile's words as they are."""
    assert comment_value({"reason": "keep ${x}"}) == {"reason": "keep ${x}"}


@needs_terraform
def test_terraform_evaluates_a_comment_key_inside_a_value(tmp_path):
    """The premise of TS-SEC-014's "//" handling: in a map value "//" is no comment."""
    assert _applied_input(tmp_path, {"//": '${upper("evaluated")}'}) == {"//": "EVALUATED"}


@needs_terraform
def test_terraform_never_evaluates_the_comment(tmp_path):
    _terraform(tmp_path, {
        "//": {"trainstack": {"x": "${file(\"/nonexistent\")}"}},
        "resource": {"terraform_data": {"x": {"//": "${file(\"/nonexistent\")}",
                                               "input": "ok"}}},
    }, ["validate"], ["plan", "-input=false"])


def test_only_references_reach_terraform_as_expressions():
    assert terraform_value(Ref("${azurerm_key_vault.kv.id}")) == "${azurerm_key_vault.kv.id}"
    assert terraform_value({"${k}": ["${v}", 1, True, None]}) == {"$${k}": ["$${v}", 1, True, None]}
    for bad in ("${file(\"/etc/passwd\")}", "${var.x}", "x ${a.b.c}", "${a.b.c} x"):
        with pytest.raises(ValueError):
            Ref(bad)
    with pytest.raises(SynthError):
        terraform_value(float("inf"))


@pytest.mark.parametrize("marker", ["${TfToken[TOKEN.1]}", "#{TfToken[TOKEN.1]}"])
def test_cdk_token_markers_never_reach_the_engine(marker):
    """cdktf resolves these in any string, escaped or not: refused before it sees them."""
    with pytest.raises(SynthError, match="CDK token marker"):
        terraform_value({"description": f"x {marker}"})
    with pytest.raises(SynthError, match="CDK token marker"):
        comment_value({"reason": marker})


@pytest.mark.node
def test_the_engine_writes_the_escaped_text(tmp_path, write_profile):
    from trainstack.settings import Settings
    from trainstack.synth import synth

    path = write_profile(MINIMAL.replace('"something useful"',
                                         _yaml_string('${file("/etc/passwd")} %{ if true }')))
    synth([path], tmp_path / "out", Settings())
    stack = json.loads((tmp_path / "out" / "stacks" / "demo" / "cdk.tf.json").read_text())
    workspace = stack["resource"]["azurerm_machine_learning_workspace"]["workspace"]
    assert workspace["description"] == 'trainstack: $${file("/etc/passwd")} %%{ if true }'
    _assert_only_references(stack)


@pytest.mark.skipif(not (SHARED_TF / "plan-stack.sh").exists() or TERRAFORM is None,
                    reason="needs ../shared/terraform (the azurerm provider) and terraform")
@pytest.mark.node
def test_a_real_plan_prints_the_profile_text_not_a_runner_file(tmp_path, write_profile):
    """End to end: a profile that tries to read a file on the runner through terraform plan.
    The control (the same stack unescaped, as synth wrote it before issue 7) shows the file's
    content in the plan, so this oracle would see the hole."""
    from trainstack.settings import Settings
    from trainstack.synth import synth

    secret = tmp_path / "runner-secret.txt"
    secret.write_text("CANARY-7f3a\n")
    predicts = f'${{file("{secret}")}}'
    path = write_profile(MINIMAL.replace('"something useful"', _yaml_string(predicts))
                         + 'monitor:\n  alert_email: "${path.cwd}@example.com"\n')
    synth([path], tmp_path / "out", Settings())
    stack_dir = tmp_path / "out" / "stacks" / "demo"

    plan = _real_plan(stack_dir)
    assert "CANARY-7f3a" not in plan
    assert f"trainstack: {predicts}".replace('"', '\\"') in plan
    assert '"${path.cwd}@example.com"' in plan

    control = tmp_path / "control"
    control.mkdir()
    text = (stack_dir / "cdk.tf.json").read_text()
    (control / "cdk.tf.json").write_text(text.replace("$${", "${").replace("%%{", "%{"))
    assert "CANARY-7f3a" in _real_plan(control)


def _real_plan(stack_dir: Path) -> str:
    done = subprocess.run([str(SHARED_TF / "plan-stack.sh"), str(stack_dir)],
                          env={**os.environ, "REALPLAN_SHOW_PLAN": "1", "CHECKPOINT_DISABLE": "1"},
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr

