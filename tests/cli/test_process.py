"""The installed `trainstack` command as CI runs it: exit codes, stdout and stderr of the process.

docs/profile-v1.md: 0 success, 1 the command ran and found problems, 2 bad input or
usage, 3 a bug in trainstack, 130 interrupted. These run the console script itself
(not `main()` in-process), so its own exit path is what is tested.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MINIMAL, PROFILES, ROOT

EXE = shutil.which("trainstack", path=str(Path(sys.executable).parent)) or "trainstack"
GOLDEN = ROOT / "tests" / "golden"


def trainstack(*args: str, cwd: Path = ROOT, env: dict | None = None
               ) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, "TRAINSTACK_DEBUG": "", **(env or {})})


def test_select_exit_0_prints_exactly_the_stored_json():
    done = trainstack("select", str(ROOT / "profiles" / "churn.yaml"))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (GOLDEN / "select" / "churn.json").read_text()


def test_select_strict_over_budget_exit_1(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(MINIMAL + "training:\n  max_hours: 100\n  runs_per_month: 30\n"
                    "constraints:\n  monthly_budget_usd: 1\n")
    assert trainstack("select", str(path)).returncode == 0
    done = trainstack("select", str(path), "--strict")
    assert done.returncode == 1
    assert json.loads(done.stdout)["within_budget"] is False


def test_bad_field_exit_2_names_file_line_and_field(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(MINIMAL.replace("size_gb: 1", "size_gb: -3"))
    done = trainstack("select", str(path))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"error: {path}:9: data.size_gb: must be greater than 0 (got -3)\n"


@pytest.mark.parametrize("tail, line", [
    ("training: [unclosed\n", 11),         # the parser stops at the end of the file
    ("training:\n  max_hours: 2\n\tbad: 1\n", 12),  # a tab where indentation belongs
    ("team: {prefers: [ui}\n", 10),
])
def test_yaml_syntax_error_exit_2_on_its_line(tmp_path, tail, line):
    path = tmp_path / "p.yaml"
    path.write_text(MINIMAL + tail)
    done = trainstack("select", str(path))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"error: {path}:{line}: YAML syntax error: ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_missing_profile_exit_2(tmp_path):
    done = trainstack("select", str(tmp_path / "nope.yaml"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: ") and "nope.yaml" in done.stderr


def test_usage_error_exit_2():
    done = trainstack("select", "--no-such-option", str(PROFILES[0]))
    assert done.returncode == 2 and done.stdout == ""
    assert "No such option" in done.stderr


def test_validate_exit_0_clean_and_1_on_errors(tmp_path):
    stack = json.loads((GOLDEN / "stacks" / "churn" / "cdk.tf.json").read_text())
    folder = tmp_path / "out" / "stacks" / "churn"
    folder.mkdir(parents=True)
    (folder / "cdk.tf.json").write_text(json.dumps(stack))
    done = trainstack("validate", str(tmp_path / "out"))
    assert done.returncode == 0, done.stdout + done.stderr
    stack["resource"]["azurerm_container_registry"]["registry"]["admin_enabled"] = True
    (folder / "cdk.tf.json").write_text(json.dumps(stack))
    done = trainstack("validate", str(tmp_path / "out"), "--format", "json")
    assert done.returncode == 1
    assert [f["rule"] for f in json.loads(done.stdout)["findings"]
            if not f["suppressed"]] == ["TS-SEC-010"]


def test_validate_missing_directory_exit_2(tmp_path):
    done = trainstack("validate", str(tmp_path / "none"))
    assert done.returncode == 2 and "no such directory" in done.stderr


def test_a_bug_exits_3_with_a_plain_message(tmp_path):
    """An unexpected exception anywhere: exit 3, one message, no traceback."""
    boom = tmp_path / "sitecustomize.py"
    boom.write_text("import trainstack.synth as s\n"
                    "def _boom(*a, **k):\n    raise ZeroDivisionError('injected')\n"
                    "s.select_document = _boom\n")
    done = trainstack("select", str(PROFILES[0]), env={"PYTHONPATH": str(tmp_path)})
    assert done.returncode == 3 and done.stdout == ""
    assert done.stderr.startswith("error: internal error: ZeroDivisionError: injected\n")
    assert "Traceback" not in done.stderr


def _wait_for_the_handler(pid: int) -> None:
    """Until the process has installed trainstack's interrupt handling (interrupts.install
    sets a SIGALRM handler, which Python never sets itself): a Ctrl-C before that, while the
    interpreter itself starts (tens of ms, more on a loaded machine), gets Python's own
    behaviour, which no program can change. Linux: the caught-signals mask in /proc."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return  # already gone
        caught = int(next(line.split()[1] for line in status.splitlines()
                          if line.startswith("SigCgt:")), 16)
        if caught & (1 << (signal.SIGALRM - 1)):
            return
        time.sleep(0.001)
    raise AssertionError("trainstack never installed its interrupt handling")


def _interrupt_synth(tmp_path: Path, delay: float, *, whole_group: bool) -> str:
    """Run synth over every profile into an output a previous run wrote, send SIGINT
    ``delay`` seconds after it installed its interrupt handling (to the process, or to its whole process group as a terminal's Ctrl-C
    does, node included) and return stderr, once the previous output and the temp folder
    are checked."""
    out = tmp_path / "o"
    assert trainstack("synth", str(PROFILES[0]), "--out", str(out), "-q").returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    temp = tmp_path / "temp"  # jsii writes its runtime under TMPDIR
    temp.mkdir()
    proc = subprocess.Popen([EXE, "synth", *map(str, PROFILES), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "TMPDIR": str(temp)}, start_new_session=True)
    _wait_for_the_handler(proc.pid)
    time.sleep(delay)
    if whole_group:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("synth finished before the interrupt arrived")
    assert proc.returncode == 130, err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    # the engine was stopped and its files removed, even when the interrupt came while it
    # was still starting (its exit hook racing its own start-up printed a traceback)
    assert list(temp.iterdir()) == []
    return err


def _only_interrupted(err: str) -> bool:
    """stderr says "interrupted" last, and no traceback but Python's own report of an
    interrupt that native code swallowed (pydantic-core building a validator), after which
    interrupts.py still stops the run."""
    return err.endswith("error: interrupted\n") and (
        "Traceback" not in err or "Exception ignored" in err.split("error: interrupted")[0])


@pytest.mark.node
@pytest.mark.parametrize("delay", [0.05, 0.08, 0.3, 0.6])  # starting up (importing); synthesizing
def test_interrupted_synth_exits_130_and_keeps_the_previous_output(tmp_path, delay):
    err = _interrupt_synth(tmp_path, delay, whole_group=False)
    assert _only_interrupted(err), err


@pytest.mark.node
@pytest.mark.parametrize("delay", [0.3, 0.7, 0.9])  # engine starting; engine running
def test_ctrl_c_in_a_terminal_stops_node_too_and_prints_only_interrupted(tmp_path, delay):
    """A terminal's Ctrl-C reaches node as well; jsii's runtime then shuts down by itself,
    and jsii's exit hook failed writing to it (a BrokenPipeError traceback after
    "interrupted")."""
    err = _interrupt_synth(tmp_path, delay, whole_group=True)
    assert _only_interrupted(err), err


@pytest.mark.node
def test_synth_exit_0_writes_the_stored_stacks(tmp_path):
    done = trainstack("synth", *map(str, PROFILES), "--out", str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr
    for path in PROFILES:
        rel = Path("stacks") / path.stem / "cdk.tf.json"
        assert (tmp_path / "o" / rel).read_bytes() == (GOLDEN / rel).read_bytes()


def test_select_and_catalog_do_not_need_valid_synth_settings():
    """Settings for synth (state backend, engine) are checked where they are used; a bad
    one does not stop `select` or `catalog`."""
    env = {"TRAINSTACK_STATE_BACKEND": "azurerm", "TRAINSTACK_ENGINE": "bogus"}
    assert trainstack("select", str(PROFILES[0]), env=env).returncode == 0
    assert trainstack("catalog", "show", "Standard_D4s_v3", env=env).returncode == 0
    done = trainstack("synth", str(PROFILES[0]), "--out", "/tmp/never-written", env=env)
    assert done.returncode == 2 and "settings:" in done.stderr


@pytest.mark.node
def test_synth_shows_the_global_names_and_warns_when_they_carry_no_salt(tmp_path):
    """Before any apply, synth lists the names that must be free in all of Azure; without a
    salt it says why they will collide (TS-APPLY-010), with one it does not."""
    bare = trainstack("synth", str(ROOT / "profiles" / "churn.yaml"), "--out",
                      str(tmp_path / "a"), env={"TRAINSTACK_NAME_SALT": "", "COLUMNS": "200"})
    assert bare.returncode == 0, bare.stderr
    assert "stchurndev717405" in bare.stdout and "kv-churn-dev-717405" in bare.stdout
    assert "warning: these names carry no salt" in bare.stderr
    salted = trainstack("synth", str(ROOT / "profiles" / "churn.yaml"), "--out",
                        str(tmp_path / "b"), env={"TRAINSTACK_NAME_SALT": "contoso",
                                                  "COLUMNS": "200"})
    assert salted.returncode == 0 and salted.stderr == ""
    assert "stchurndev717405" not in salted.stdout and "stchurndev" in salted.stdout


@pytest.mark.node
@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")
def test_plan_of_the_bundled_profiles_without_a_provider_exits_2_and_loses_nothing(tmp_path):
    """No provider can be downloaded here (and a mirror that refuses connections makes that
    so on any machine): plan says so plainly, exit 2, and the state is untouched."""
    config = tmp_path / "offline.tfrc"
    config.write_text('provider_installation {\n  network_mirror {\n'
                      '    url = "https://127.0.0.1:9/"\n  }\n}\n')
    state = tmp_path / ".trainstack" / "state" / "dev" / "call-audio.tfstate"
    state.parent.mkdir(parents=True)
    state.write_text('{"version": 4, "serial": 7}\n')
    done = trainstack("plan", "--no-preflight", *map(str, PROFILES), cwd=tmp_path,
                      env={"TF_CLI_CONFIG_FILE": str(config),
                           "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert done.returncode == 2, done.stderr
    assert "terraform could not download the stack's providers; nothing was planned" \
        in done.stderr
    assert "hashicorp/azurerm" in done.stderr and "filesystem_mirror" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert state.read_text() == '{"version": 4, "serial": 7}\n'
    assert not list((tmp_path / ".trainstack").glob("plans/*/*.tfplan"))
    assert (tmp_path / "cdktf.out" / "stacks" / "call-audio" / "cdk.tf.json").is_file()
