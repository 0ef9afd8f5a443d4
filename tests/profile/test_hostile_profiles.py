"""Hostile and broken profiles: exit 2 naming file, line and field; no traceback, no hang.

Each case here crashed, hung, printed NaN or echoed raw escape sequences before the
reader and models were bounded (issue 7). The fuzz tests at the end throw generated
structures and texts at the loader and the whole pure pipeline (select, build, render).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MINIMAL, ROOT, profile_text
from trainstack.catalog import load_facts
from trainstack.errors import ProfileError, TrainstackError
from trainstack.limits import PROFILE_MAX_BYTES, PROFILE_MAX_NODES
from trainstack.profile import load_profile, parse_profile


def error_of(text: str, filename: str = "p.yaml") -> str:
    with pytest.raises(ProfileError) as info:
        parse_profile(text, filename)
    return "\n".join(info.value.lines)


def _bomb(levels: int = 20, width: int = 10) -> str:
    lines = ['x0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("extra", "expected"), [
    # numbers: infinite, overflowing, huge, beyond what Azure can mean
    ("training:\n  max_hours: .inf\n",
     "p.yaml:11: training.max_hours: must be a finite number (got .inf)"),
    ("training:\n  max_hours: .nan\n",
     "p.yaml:11: training.max_hours: must be a finite number (got .nan)"),
    ("training:\n  max_hours: 1e400\n",
     "p.yaml:11: training.max_hours: must be a finite number (got 1e400)"),
    ("training:\n  max_hours: 1e308\n",
     "p.yaml:11: training.max_hours: must be at most 504 (got 1e+308)"),
    ("training:\n  runs_per_month: " + "9" * 5000 + "\n",
     "p.yaml:11: training.runs_per_month: a number of 5,000 characters is too large (at most 40)"),
    ("training:\n  nodes: 100000\n  distributed: true\n",
     "p.yaml:11: training.nodes: must be at most 1000 (got 100000)"),
    ("training:\n  concurrent_trials: 1001\n",
     "p.yaml:11: training.concurrent_trials: must be at most 1000 (got 1001)"),
    ("constraints:\n  monthly_budget_usd: 1e12\n",
     "p.yaml:11: constraints.monthly_budget_usd: must be at most 100000000 (got 1000000000000.0)"),
    ("deploy:\n  requests_per_month: 10000000000000\n",
     "p.yaml:11: deploy.requests_per_month: must be at most 1000000000000 (got 10000000000000)"),
    # YAML features a profile does not need
    ("team: !!omap [a: 1]\n",
     "p.yaml:10: team: the YAML tag !!omap is not allowed in a profile (use a plain list)"),
    ("team: !!python/object/apply:os.system [echo hi]\n",
     "p.yaml:10: team: the YAML tag !!python/object/apply:os.system is not allowed"),
    ("team: !!binary aGVsbG8=\n", "p.yaml:10: team: the YAML tag !!binary is not allowed"),
    ("team: !custom {}\n", "p.yaml:10: team: the YAML tag !custom is not allowed"),
    ("constraints:\n  allow_low_priority: !!bool maybe\n",
     "constraints.allow_low_priority: is not true or false (got 'maybe')"),
    ("training:\n  max_hours: !!float ''\n", "training.max_hours: is not a number (got '')"),
    ("training:\n  nodes: !!int x1\n", "training.nodes: is not a number (got 'x1')"),
    ("base: &b {ml_expertise: low}\nteam:\n  <<: *b\n",
     "p.yaml:12: team: YAML merge keys (<<) are not allowed in a profile"),
    ("team:\n  ? [a, b]\n  : 1\n", "p.yaml:11: team: keys must be plain text"),
    ("team: &t\n  prefers: [*t]\n", "nests deeper than 16 levels (or an alias refers to itself)"),
    (_bomb(), f"the profile expands to more than {PROFILE_MAX_NODES:,} values"),
    ("x: " + "[" * 5000 + "]" * 5000 + "\n", "p.yaml:1: the YAML nests too deeply"),
    ("x: " + "[" * 40 + "]" * 40 + "\n", "nests deeper than 16 levels"),
    # text that would reach the terminal or the engine
    ("team:\n  \"bad\\x1b[31mkey\": 1\n",
     "p.yaml:11: team.bad\x1b[31mkey: unknown field"),  # escaped by the CLI: see below
    ("monitor:\n  alert_email: \"a\\x07@example.com\"\n",
     "monitor.alert_email: must not contain control characters (U+0007 at character 2)"),
    ('problem:\n  predicts: "x\\u202eevil"\n  task: classification\n',
     "problem.predicts: must not contain control characters (U+202E at character 2)"),
    ('problem:\n  predicts: "${TfToken[TOKEN.1]}"\n  task: classification\n',
     "problem.predicts: must not contain '{TfToken[': the CDK engine would read it"),
    ("problem:\n  predicts: \"" + "x" * 501 + "\"\n  task: classification\n",
     "problem.predicts: must have at most 500 characters (got 'xxxx"),
    ("suppressions:\n  - rule: TS-SEC-001\n    resource: '${file(\"/etc/passwd\")}'\n"
     "    reason: because we have to\n", "suppressions[0].resource: must match"),
])
def test_hostile_profile_is_a_located_error(extra, expected):
    text = MINIMAL.replace("problem:\n  predicts: \"something useful\"\n  task: classification\n",
                           "") if extra.startswith("problem:") else MINIMAL
    assert expected in error_of(text + extra)


def test_the_models_refuse_infinite_numbers_given_directly():
    """The models are an API too (not only behind the YAML reader, which refuses .inf)."""
    from pydantic import ValidationError

    from trainstack.profile.models import WorkloadProfile

    base = parse_profile(MINIMAL, "p.yaml").model_dump(by_alias=True)
    for section, key in (("training", "max_hours"), ("data", "size_gb"),
                         ("constraints", "monthly_budget_usd")):
        for bad in (math.inf, -math.inf, math.nan):
            data = {**base, section: {**base[section], key: bad}}
            with pytest.raises(ValidationError):
                WorkloadProfile.model_validate(data)


def test_duplicate_keys_anywhere_are_located():
    assert error_of(MINIMAL + "team:\n  ml_expertise: low\n  ml_expertise: high\n") == \
        "p.yaml:12: team.ml_expertise: duplicate key (first on line 11)"


def test_aliases_within_the_limit_are_read():
    profile = parse_profile(MINIMAL + "constraints:\n  allow_low_priority: &no false\n"
                            "monitor:\n  data_drift: *no\n", "p.yaml")
    assert profile.constraints.allow_low_priority is False
    assert profile.monitor.data_drift is False


def test_dates_where_text_is_expected_are_text():
    text = MINIMAL.replace('predicts: "something useful"', "predicts: 2026-12-01")
    assert parse_profile(text, "p.yaml").problem.predicts == "2026-12-01"


BOUNDS = """\
    training:
      framework: pytorch
      max_hours: 504
      runs_per_month: 44640
      concurrent_trials: 1000
      distributed: true
      nodes: 1000
    constraints:
      monthly_budget_usd: 100000000
    deploy:
      requests_per_month: 1000000000000
    """


def test_a_profile_at_the_bounds_selects_builds_and_renders():
    """The largest values the models accept go through the pure pipeline without a crash."""
    from trainstack.settings import Settings

    _through_the_pipeline(profile_text(BOUNDS), load_facts(), Settings(), must_select=True)


def test_data_at_the_bounds_is_a_located_selection_error():
    """5.6 PB of data with 10^21 cells: no Spark pool holds it; the error names the field."""
    from trainstack.errors import SelectionError
    from trainstack.select import select

    text = profile_text(BOUNDS).replace("size_gb: 1", "size_gb: 5629499\n  rows: "
                                        "1000000000000000\n  columns: 1000000")
    with pytest.raises(SelectionError) as info:
        select(parse_profile(text, "p.yaml"), load_facts())
    assert info.value.field == "data.size_gb" and "Synapse nodes" in info.value.message


def _through_the_pipeline(text: str, facts, settings, must_select: bool = False  # noqa: ANN001
                          ) -> None:
    """Select, build and render; a selection may refuse the profile only with an error that
    names a field of it."""
    from trainstack.constructs.literal import terraform_value
    from trainstack.constructs.stack import build_stack
    from trainstack.errors import SelectionError
    from trainstack.select import select

    profile = parse_profile(text, "p.yaml")
    try:
        selection = select(profile, facts)
    except SelectionError as exc:
        assert not must_select, exc.message
        top = exc.field.split(".")[0]
        assert top in type(profile).model_fields and exc.message, (exc.field, exc.message)
        return
    contract = selection.contract_dict()
    assert math.isfinite(contract["estimated_monthly_usd"])
    spec = build_stack(profile, selection, settings)
    assert spec.elements
    for element in spec.elements:
        terraform_value(element.arguments())


# -- files that are not profiles ------------------------------------------------------------

def test_oversized_profile_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(MINIMAL + "# " + "x" * PROFILE_MAX_BYTES + "\n")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert "over the limit of 262,144 bytes" in str(info.value)


def test_fifo_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "p.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ProfileError) as info:
        load_profile(fifo)  # would block forever on open() or read() without the check
    assert str(info.value) == f"{fifo}: the profile must be a regular file, not a FIFO (named pipe)"


@pytest.mark.parametrize(("path", "kind"), [("/dev/zero", "a character device"),
                                            (".", "a directory")])
def test_devices_and_directories_are_refused(path, kind):
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(info.value).endswith(f"must be a regular file, not {kind}")


def test_dangling_and_looping_symlinks_are_named(tmp_path):
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    with pytest.raises(ProfileError, match="no such file \\(a dangling symbolic link\\)"):
        load_profile(tmp_path / "dangling.yaml")
    with pytest.raises(ProfileError, match="a symbolic link that loops"):
        load_profile(tmp_path / "loop.yaml")


def test_binary_file_is_not_utf8(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(MINIMAL.encode() + b"\xff\xfe")
    with pytest.raises(ProfileError, match="not UTF-8 text"):
        load_profile(path)


# -- the real process ------------------------------------------------------------------------

def _process(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trainstack", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=timeout,
                          env={**os.environ, "TRAINSTACK_DEBUG": ""})


@pytest.mark.parametrize("extra", [
    "training:\n  max_hours: .inf\n",
    "team:\n  \"bad\\x1b[2J\\x1b]0;pwned\\x07key\": 1\n",
    _bomb(),
])
def test_real_process_exits_2_with_no_traceback_and_no_raw_escapes(tmp_path, extra):
    path = tmp_path / "p.yaml"
    path.write_text(MINIMAL + extra)
    done = _process("select", str(path))
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {path}:")
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "NaN" not in done.stderr


def test_real_process_refuses_a_fifo_quickly(tmp_path):
    fifo = tmp_path / "p.yaml"
    os.mkfifo(fifo)
    done = _process("select", str(fifo), timeout=30)
    assert done.returncode == 2
    assert "not a FIFO" in done.stderr or "a FIFO (named pipe)" in done.stderr


def test_an_unexpected_exception_is_exit_3_not_1(monkeypatch, capsys):
    """A bug must never read as 'findings' (1) to CI."""
    from trainstack.cli.main import run

    def boom(*a, **k):  # noqa: ANN002, ANN003
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("trainstack.synth.select_document", boom)
    monkeypatch.delenv("TRAINSTACK_DEBUG", raising=False)
    code = run(["select", str(ROOT / "profiles" / "churn.yaml")])
    err = capsys.readouterr().err
    assert code == 3
    assert "internal error: ZeroDivisionError: a bug" in err and "Traceback" not in err


def test_interrupt_is_130(monkeypatch, capsys):
    from trainstack.cli.main import run

    def interrupted(*a, **k):  # noqa: ANN002, ANN003
        raise KeyboardInterrupt

    monkeypatch.setattr("trainstack.synth.select_document", interrupted)
    assert run(["select", str(ROOT / "profiles" / "churn.yaml")]) == 130


# -- fuzz ----------------------------------------------------------------------------------------

_extreme_numbers = st.one_of(
    st.integers(), st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0, -1, 1, 2**63, 1e308]),
)
_nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["${file(\"/etc/passwd\")}", "%{ if true }x%{ endif }", "\x1b[31m", "\u202e",
                     "", "   ", "~", "null", "yes", ".inf", "!!python/object", "*a", "&a",
                     "${TfToken[TOKEN.1]}", "a" * 600]),
)
_scalars = st.one_of(st.none(), st.booleans(), _extreme_numbers, _nasty_text)
_values = st.recursive(_scalars, lambda children: st.one_of(
    st.lists(children, max_size=4),
    st.dictionaries(st.one_of(_nasty_text, st.sampled_from(
        ["size_gb", "max_hours", "nodes", "task", "prefers", "network"])), children, max_size=4),
), max_leaves=20)

_FIELDS = [("problem", "predicts"), ("problem", "task"), ("problem", "success"),
           ("data", "size_gb"), ("data", "rows"), ("data", "columns"), ("data", "modality"),
           ("training", "max_hours"), ("training", "runs_per_month"), ("training", "nodes"),
           ("training", "concurrent_trials"), ("training", "distributed"),
           ("training", "framework"), ("training", "model_size"), ("team", "prefers"),
           ("constraints", "monthly_budget_usd"), ("constraints", "network"),
           ("deploy", "requests_per_month"), ("monitor", "alert_email"),
           ("overrides", "training_vm_size"), ("overrides", "region"), ("suppressions", None)]


def _dump(data: object) -> str:
    import io

    from ruamel.yaml import YAML

    buffer = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.dump(data, buffer)
    return buffer.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_FIELDS), _values)
def test_fuzz_any_value_in_any_field_is_a_profile_or_a_located_error(field, value):
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(MINIMAL)
    section, key = field
    if key is None:
        data[section] = value
    else:
        data.setdefault(section, {})
        if not isinstance(data[section], dict):
            data[section] = {}
        data[section][key] = value
    try:
        text = _dump(data)
    except Exception:  # the dumper cannot write every Python value (e.g. NaN keys); skip
        return
    _assert_profile_or_located_error(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(MINIMAL)),
       st.lists(st.sampled_from(list("{}[]:,-&*!|>'\"%@`#?\n\t \\\x00\x1b") +
                                ["<<", "!!", ".inf", "&a", "*a", "---", "...", "1e400", "  ",
                                 "!!bool ", "!!int ", "!!float ", "!!str ", "!!null ",
                                 "!!timestamp ", "x", "0x", "-"]),
                max_size=12))
def test_fuzz_mangled_text_is_a_profile_or_a_located_error(at, pieces):
    _assert_profile_or_located_error(MINIMAL[:at] + "".join(pieces) + MINIMAL[at:])


def _assert_profile_or_located_error(text: str) -> None:
    from trainstack.settings import Settings

    try:
        parse_profile(text, "fuzz.yaml")
    except ProfileError as exc:
        assert exc.lines and all(line.startswith("fuzz.yaml") for line in exc.lines), exc.lines
        return
    _through_the_pipeline(text, load_facts(), Settings())


def test_state_settings_from_the_environment_are_azure_names():
    """The backend block takes no expressions; its settings are checked like a profile."""
    from trainstack.settings import Settings

    with pytest.raises(TrainstackError, match="settings: resource_group_name"):
        Settings.from_env({"TRAINSTACK_STATE_BACKEND": "azurerm",
                           "TRAINSTACK_STATE_RESOURCE_GROUP": '${file("/etc/passwd")}',
                           "TRAINSTACK_STATE_STORAGE_ACCOUNT": "sttfstate"})


@pytest.mark.parametrize("nesting", ["[" * 130_000 + "]" * 130_000, "[" * 999 + "]" * 999,
                                     "{a: " * 60_000 + "1" + "}" * 60_000,
                                     "\n  " + "- " * 100_000 + "x", "\n  " + "- " * 1500 + "x"],
                         ids=["130k-brackets", "999-brackets", "60k-braces", "100k-entries",
                              "1500-entries"])
def test_deep_nesting_never_crashes_the_parser(tmp_path, nesting):
    """The C parser composes nested collections recursively and would overflow its stack;
    text with many nesting indicators goes to the pure parser
    (yaml_reader.C_PARSER_MAX_INDICATORS).
    A real process, so a crash would show as a signal, not take the test run down."""
    path = tmp_path / "p.yaml"
    path.write_text((MINIMAL + "x: " + nesting + "\n")[:PROFILE_MAX_BYTES])
    done = _process("select", str(path))
    assert done.returncode == 2, (done.returncode, done.stderr[-300:])
    assert "nest" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("directive", ["%YAML 1.1", "%YAML 1.0", "%YAML 2.0"])
def test_only_yaml_1_2(directive):
    """Under YAML 1.1 `yes` would be a boolean and 0777 octal: profiles are YAML 1.2."""
    with pytest.raises(ProfileError, match="p.yaml:1: YAML syntax error: trainstack reads "
                                           "YAML 1.2"):
        parse_profile(f"{directive}\n---\n" + MINIMAL, "p.yaml")


def test_a_yaml_1_2_directive_is_fine():
    assert parse_profile("%YAML 1.2\n---\n" + MINIMAL, "p.yaml").name == "demo"
