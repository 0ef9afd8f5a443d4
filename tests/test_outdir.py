"""The synth output directory: one atomic swap, a lock, and no file lost that trainstack
did not write (issue 7). Kills are real SIGKILLs of a real process at the worst moments.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import PROFILES, ROOT
from trainstack import outdir as outdir_lib
from trainstack.errors import SynthError
from trainstack.settings import Settings
from trainstack.synth import synth

pytestmark = pytest.mark.node  # these tests run the CDK engine (Node.js)

CHURN = next(p for p in PROFILES if p.stem == "churn")
VISION = next(p for p in PROFILES if p.stem == "vision-defects")


def tree(root: Path) -> dict[str, bytes | str]:
    """Every file (content) and symbolic link (target) below ``root``."""
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = path.read_bytes()
    return out


def siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


def _add_foreign(out: Path) -> dict[str, bytes | str]:
    """What terraform and people put into an output: state, providers, plans, extra config."""
    (out / "stacks" / "churn" / "terraform.churn.tfstate").write_text('{"serial": 7}')
    (out / "stacks" / "churn" / ".terraform" / "providers").mkdir(parents=True)
    (out / "stacks" / "churn" / ".terraform" / "providers" / "azurerm").write_bytes(b"\x7fELF")
    (out / "stacks" / "churn" / ".terraform.lock.hcl").write_text("# lock\n")
    (out / "stacks" / "churn" / "extra.tf.json").write_text('{"locals": {"x": 1}}')
    (out / "stacks" / "churn" / "plan.link").symlink_to("terraform.churn.tfstate")
    return {k: v for k, v in tree(out).items() if not k.endswith(("cdk.tf.json", ".json"))
            or k.endswith(("tfstate", "extra.tf.json"))}


# -- what is replaced, what is kept ---------------------------------------------------------

def test_files_trainstack_did_not_write_survive_a_new_synth(tmp_path):
    out = tmp_path / "out"
    synth([CHURN], out, Settings())
    foreign = _add_foreign(out)
    state_inode = (out / "stacks" / "churn" / "terraform.churn.tfstate").stat().st_ino
    synth([CHURN, VISION], out, Settings())
    after = tree(out)
    for rel, content in foreign.items():
        assert after[rel] == content, rel
    assert (out / "stacks" / "churn" / "terraform.churn.tfstate").stat().st_ino == state_inode
    assert (out / "stacks" / "vision-defects" / "cdk.tf.json").is_file()
    assert siblings(out) == []  # no staging, retired or lock left behind


def test_state_of_a_stack_no_longer_synthesized_is_kept(tmp_path):
    out = tmp_path / "out"
    synth([CHURN, VISION], out, Settings())
    (out / "stacks" / "vision-defects" / "terraform.vision-defects.tfstate").write_text("{}")
    synth([CHURN], out, Settings())
    assert not (out / "stacks" / "vision-defects" / "cdk.tf.json").exists()
    assert (out / "stacks" / "vision-defects" / "terraform.vision-defects.tfstate").read_text() \
        == "{}"


def test_a_hand_changed_output_file_stops_the_synth(tmp_path):
    out = tmp_path / "out"
    synth([CHURN], out, Settings())
    stack = out / "stacks" / "churn" / "cdk.tf.json"
    stack.write_text(stack.read_text().replace("westeurope", "northeurope"))
    before = tree(out)
    with pytest.raises(SynthError, match="was changed since trainstack wrote it"):
        synth([CHURN], out, Settings())
    assert tree(out) == before


def test_a_foreign_file_where_the_new_output_writes_stops_the_synth(tmp_path):
    out = tmp_path / "out"
    synth([CHURN], out, Settings())
    (out / "stacks" / "vision-defects").mkdir()
    (out / "stacks" / "vision-defects" / "cdk.tf.json").write_text("mine")
    before = tree(out)
    with pytest.raises(SynthError, match="was not written by trainstack"):
        synth([CHURN, VISION], out, Settings())
    assert tree(out) == before


@pytest.mark.parametrize("marker", [None, "garbage", {"format": "other/1", "files": {}},
                                    {"format": "trainstack-synth/1", "files": []}])
def test_only_trainstacks_own_marker_makes_a_folder_replaceable(tmp_path, marker):
    """A manifest.json alone (what the old check trusted) is not enough."""
    out = tmp_path / "out"
    (out / "stacks").mkdir(parents=True)
    (out / "manifest.json").write_text("{}")
    (out / "notes.txt").write_text("precious")
    if marker is not None:
        (out / outdir_lib.MARKER).write_text(marker if isinstance(marker, str)
                                             else json.dumps(marker))
    before = tree(out)
    with pytest.raises(SynthError, match="holds no trainstack output"):
        synth([CHURN], out, Settings())
    assert tree(out) == before


def test_a_forged_marker_cannot_delete_files_outside_the_output(tmp_path):
    out = tmp_path / "out"
    synth([CHURN], out, Settings())
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    marker = json.loads((out / outdir_lib.MARKER).read_text())
    marker["files"]["../precious.txt"] = outdir_lib.sha256(precious)
    marker["files"]["/etc/hostname"] = "0" * 64
    (out / outdir_lib.MARKER).write_text(json.dumps(marker))
    with pytest.raises(SynthError, match="holds no trainstack output"):
        synth([CHURN], out, Settings())  # a marker trainstack cannot have written
    assert precious.read_text() == "keep me"


def test_a_file_written_into_an_empty_out_while_the_engine_runs_is_kept(tmp_path, monkeypatch):
    import trainstack.synth as synth_module

    out = tmp_path / "out"
    out.mkdir()
    real = synth_module._render

    def render(planned, staging, settings):  # noqa: ANN001, ANN202
        (out / "terraform.tfstate").write_text("written meanwhile")
        real(planned, staging, settings)

    monkeypatch.setattr(synth_module, "_render", render)
    synth([CHURN], out, Settings())
    assert (out / "terraform.tfstate").read_text() == "written meanwhile"
    assert (out / "stacks" / "churn" / "cdk.tf.json").is_file() and siblings(out) == []


def test_folder_permissions_and_empty_folders_of_the_user_are_kept(tmp_path):
    out = tmp_path / "out"
    synth([CHURN], out, Settings())
    (out / "private").mkdir()
    (out / "private" / "terraform.tfstate").write_text("{}")
    (out / "empty").mkdir()
    for folder in (out, out / "private", out / "stacks" / "churn"):
        folder.chmod(0o700)
    synth([CHURN, VISION], out, Settings())
    modes = {p: oct(p.stat().st_mode & 0o777) for p in
             (out, out / "private", out / "stacks" / "churn")}
    assert set(modes.values()) == {"0o700"}, modes
    assert (out / "empty").is_dir()
    assert (out / "private" / "terraform.tfstate").read_text() == "{}"


def test_a_glob_character_in_out_touches_no_other_output(tmp_path):
    other = tmp_path / ".o1.trainstack-staging-12345678"
    other.mkdir()
    (other / "busy").write_text("another synth is writing here")
    synth([CHURN], tmp_path / "o[1]", Settings())
    assert (other / "busy").read_text() == "another synth is writing here"


def test_an_empty_directory_is_replaced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    synth([CHURN], out, Settings())
    assert (out / "stacks" / "churn" / "cdk.tf.json").is_file()


@pytest.mark.parametrize("kind", ["dangling", "looping"])
def test_a_broken_symlink_as_out_is_an_error(tmp_path, kind):
    out = tmp_path / "out"
    out.symlink_to(tmp_path / "nowhere" if kind == "dangling" else out)
    with pytest.raises(SynthError, match="symbolic link to nothing"):
        synth([CHURN], out, Settings())


def test_a_symlink_to_an_output_keeps_pointing_at_the_new_output(tmp_path):
    real = tmp_path / "real"
    synth([CHURN], real, Settings())
    link = tmp_path / "out"
    link.symlink_to(real)
    synth([CHURN, VISION], link, Settings())
    assert link.is_symlink() and (link / "stacks" / "vision-defects" / "cdk.tf.json").is_file()


# -- concurrency --------------------------------------------------------------------------------

def test_a_second_synth_into_the_same_folder_fails_clearly(tmp_path):
    out = tmp_path / "out"
    synth([CHURN], out, Settings())
    before = tree(out)
    with outdir_lib.locked(out.resolve()):
        with pytest.raises(SynthError, match=f"another trainstack synth \\(pid {os.getpid()}\\) "
                                             "is writing"):
            synth([CHURN, VISION], out, Settings())
    assert tree(out) == before
    synth([CHURN, VISION], out, Settings())  # the lock is released with the first
    assert siblings(out) == []


def test_two_real_processes_never_lose_an_output(tmp_path):
    out = tmp_path / "out"
    procs = [subprocess.Popen([sys.executable, "-m", "trainstack", "synth", str(profile),
                               "--out", str(out), "-q"], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for profile in (CHURN, VISION)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 2]), results
    for code, err in results:
        assert code == 0 or "another trainstack synth" in err
    stacks = sorted(p.name for p in (out / "stacks").iterdir())
    assert len(stacks) == 1 and (out / "stacks" / stacks[0] / "cdk.tf.json").is_file()
    assert siblings(out) == []


# -- killed runs ------------------------------------------------------------------------------

_DRIVER = """\
import os, signal, sys
import trainstack.outdir as o
import trainstack.synth as s
from trainstack.cli.entry import main


def kill():
    sys.stdout.flush(); sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)

where = sys.argv[1]
if where == "after-exchange":
    real = o.swap_in
    def swap_in(staging, out):
        old = real(staging, out); kill()
    s.outdir_lib.swap_in = swap_in
elif where == "between-renames":
    def no_exchange(a, b):
        raise OSError(22, "no exchange here")
    o.exchange = no_exchange
    real_rename = os.rename
    def rename(a, b, *args, **kw):
        real_rename(a, b, *args, **kw)
        if str(b).endswith("trainstack-retired"):
            kill()
    os.rename = rename
elif where == "during-render":
    real_render = s._render
    def render(planned, staging, settings):
        real_render(planned, staging, settings); kill()
    s._render = render
elif where == "during-carry-over":
    real_carry = o.carry_over
    def carry(old, new, marker):
        real_carry(old, new, marker); kill()
    s.outdir_lib.carry_over = carry
sys.exit(main(sys.argv[2:]))
"""


def _killed_synth(where: str, out: Path, *profiles: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _DRIVER, where, "synth", *map(str, profiles),
                           "--out", str(out), "-q"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("where", ["after-exchange", "between-renames", "during-render",
                                   "during-carry-over"])
def test_a_run_killed_at_any_point_loses_nothing_and_the_next_run_recovers(tmp_path, where):
    out = tmp_path / "out"
    synth([CHURN], out, Settings())
    foreign = _add_foreign(out)
    old_stack = (out / "stacks" / "churn" / "cdk.tf.json").read_bytes()

    done = _killed_synth(where, out, CHURN, VISION)
    assert done.returncode == -9, done.stderr

    if where == "between-renames":
        assert not out.exists()  # the one window the fallback has; the next run closes it
        assert outdir_lib.recover(out) == []
        assert (out / "stacks" / "churn" / "cdk.tf.json").read_bytes() == old_stack
    elif where == "after-exchange":
        assert (out / "stacks" / "vision-defects" / "cdk.tf.json").is_file()  # new output in
    else:
        assert not (out / "stacks" / "vision-defects").exists()  # old output untouched
    current = tree(out)
    for rel, content in foreign.items():
        assert current[rel] == content, rel

    synth([CHURN, VISION], out, Settings())  # the next run cleans up what the kill left
    assert siblings(out) == []
    current = tree(out)
    for rel, content in foreign.items():
        assert current[rel] == content, rel
    assert (out / "stacks" / "vision-defects" / "cdk.tf.json").is_file()


def test_a_file_written_into_the_old_output_during_the_swap_is_moved_not_deleted(tmp_path):
    """terraform may create a state file between carry-over and the swap."""
    out = tmp_path / "out"
    synth([CHURN], out, Settings())
    staging = outdir_lib.new_staging(out)
    shutil.copytree(out, staging, dirs_exist_ok=True)
    old = outdir_lib.swap_in(staging, out)
    (old / "stacks" / "churn" / "terraform.churn.tfstate").write_text("late")
    assert outdir_lib.dispose(old, out) is None
    assert (out / "stacks" / "churn" / "terraform.churn.tfstate").read_text() == "late"
    assert not old.exists()


def test_a_file_that_cannot_be_moved_is_kept_in_a_named_folder(tmp_path):
    out = tmp_path / "out"
    synth([CHURN], out, Settings())
    staging = outdir_lib.new_staging(out)
    shutil.copytree(out, staging, dirs_exist_ok=True)
    (staging / "notes.txt").write_text("new")
    old = outdir_lib.swap_in(staging, out)
    (old / "notes.txt").write_text("old and different")
    kept = outdir_lib.dispose(old, out)
    assert kept is not None and (kept / "notes.txt").read_text() == "old and different"


# -- filesystems: mount points, full and read-only disks (in a private mount namespace) -----

UNSHARE = shutil.which("unshare")


def _in_namespace(script: str) -> subprocess.CompletedProcess:
    """Run a shell script as root of a private mount namespace (tmpfs mounts vanish after)."""
    if UNSHARE is None:
        pytest.skip("unshare is not available")
    probe = subprocess.run([UNSHARE, "-rm", "sh", "-c", "mount -t tmpfs none /mnt"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount in a private namespace here: {probe.stderr.strip()}")
    env = {**os.environ, "PY": sys.executable, "ROOT": str(ROOT)}
    return subprocess.run([UNSHARE, "-rm", "sh", "-c", "set -u\n" + textwrap.dedent(script)],
                          capture_output=True, text=True, env=env, timeout=600, cwd=ROOT)


def test_a_mount_point_as_out_says_why_not(tmp_path):
    done = _in_namespace(f"""
        mkdir -p {tmp_path}/vol && mount -t tmpfs none {tmp_path}/vol
        "$PY" -m trainstack synth {CHURN} --out {tmp_path}/vol -q; echo "exit=$?"
        "$PY" -m trainstack synth {CHURN} --out {tmp_path}/vol/cdktf.out -q; echo "inside=$?"
    """)
    assert "exit=2" in done.stdout and "inside=0" in done.stdout, done.stdout + done.stderr
    assert "is a mount point" in done.stderr and "write to a directory inside it" in done.stderr
    assert "Traceback" not in done.stderr


def test_synthesis_on_a_full_disk_is_exit_2_and_keeps_the_previous_output(tmp_path):
    done = _in_namespace(f"""
        mkdir -p {tmp_path}/disk && mount -t tmpfs -o size=160k none {tmp_path}/disk
        "$PY" -m trainstack synth {CHURN} --out {tmp_path}/disk/out -q; echo "first=$?"
        sha256sum {tmp_path}/disk/out/stacks/churn/cdk.tf.json
        "$PY" -m trainstack synth profiles/*.yaml --out {tmp_path}/disk/out -q; echo "full=$?"
        sha256sum {tmp_path}/disk/out/stacks/churn/cdk.tf.json
        ls -a {tmp_path}/disk
    """)
    text = done.stdout + done.stderr
    assert "first=0" in done.stdout and "full=2" in done.stdout, text
    sums = [line.split()[0] for line in done.stdout.splitlines() if "cdk.tf.json" in line]
    assert len(sums) == 2 and sums[0] == sums[1]  # the previous output, unchanged
    assert "no space left" in done.stderr.lower() and "Traceback" not in done.stderr
    assert "trainstack-staging" not in done.stdout  # no staging left on the full disk


def test_synth_onto_a_disk_already_full_is_exit_2(tmp_path):
    done = _in_namespace(f"""
        mkdir -p {tmp_path}/disk && mount -t tmpfs -o size=64k none {tmp_path}/disk
        "$PY" -m trainstack synth {CHURN} --out {tmp_path}/disk/out -q; echo "first=$?"
        head -c 1000000 /dev/zero > {tmp_path}/disk/filler 2>/dev/null
        "$PY" -m trainstack synth {CHURN} {VISION} --out {tmp_path}/disk/out -q; echo "full=$?"
        ls -a {tmp_path}/disk
    """)
    assert "full=2" in done.stdout, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert "trainstack-staging" not in done.stdout


@pytest.mark.parametrize("case", ["directory", "read-only", "full"])
def test_report_paths_that_cannot_be_written_are_exit_2(tmp_path, case):
    out = tmp_path / "out"
    synth([CHURN], out, Settings())
    target = {"directory": f"{tmp_path}/disk", "read-only": f"{tmp_path}/disk/r.sarif",
              "full": f"{tmp_path}/disk/r.sarif"}[case]
    setup = {"directory": "", "read-only": f"mount -o remount,ro {tmp_path}/disk",
             "full": f"head -c 60000 /dev/zero > {tmp_path}/disk/filler 2>/dev/null || true"}[case]
    done = _in_namespace(f"""
        mkdir -p {tmp_path}/disk && mount -t tmpfs -o size=64k none {tmp_path}/disk
        echo old > {tmp_path}/disk/r.sarif
        {setup}
        "$PY" -m trainstack validate {out} -f sarif --output {target}; echo "exit=$?"
        cat {tmp_path}/disk/r.sarif; ls -a {tmp_path}/disk
    """)
    assert "exit=2" in done.stdout, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and target in done.stderr
    assert "\nold\n" in "\n" + done.stdout  # the previous report is as it was
    assert ".tmp" not in done.stdout  # no temporary file left


# -- the final swap ---------------------------------------------------------------------------

def test_the_swap_never_leaves_out_missing(tmp_path, monkeypatch):
    """Where the kernel has RENAME_EXCHANGE, the old output is replaced in one step: no
    rename during the run ever leaves OUT absent (a reader never sees no output)."""
    out = tmp_path / "out"
    synth([CHURN], out, Settings())
    seen, exchanged = [], []
    real_rename, real_exchange = os.rename, outdir_lib.exchange

    def rename(a, b, *args, **kw):
        real_rename(a, b, *args, **kw)
        seen.append(out.is_dir())

    def exchange(a, b):
        real_exchange(a, b)
        exchanged.append(out.is_dir())

    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(outdir_lib, "exchange", exchange)
    synth([CHURN, VISION], out, Settings())
    assert exchanged == [True] and all(seen)
    assert (out / "stacks" / "vision-defects" / "cdk.tf.json").is_file()


@pytest.mark.parametrize("where", ["exchange", "fallback-second-rename"])
def test_a_failure_at_the_final_swap_keeps_the_previous_output(tmp_path, monkeypatch, where):
    import errno

    out = tmp_path / "out"
    synth([CHURN], out, Settings())
    foreign = _add_foreign(out)
    before = tree(out)
    real_rename = os.rename

    if where == "exchange":
        def exchange(a, b):
            raise OSError(errno.EIO, "I/O error")
    else:
        def exchange(a, b):
            raise OSError(errno.EINVAL, "no exchange here")

        def rename(a, b, *args, **kw):
            if Path(b) == out and "staging" in Path(a).name:  # the new output's rename
                raise OSError(errno.EIO, "I/O error")
            real_rename(a, b, *args, **kw)
        monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(outdir_lib, "exchange", exchange)
    with pytest.raises(SynthError, match="previous output is unchanged"):
        synth([CHURN, VISION], out, Settings())
    monkeypatch.undo()
    assert tree(out) == before
    assert siblings(out) == []
    assert all(tree(out)[rel] == content for rel, content in foreign.items())


def test_an_interrupt_something_swallowed_still_stops_the_swap(tmp_path, monkeypatch):
    """A Ctrl-C recorded by the console script's handler but swallowed inside the run (see
    trainstack/interrupts.py) stops synth before the swap: the old output stays."""
    from trainstack import interrupts

    out = tmp_path / "out"
    synth([CHURN], out, Settings())
    before = tree(out)
    monkeypatch.setattr(interrupts, "_received", True)
    with pytest.raises(KeyboardInterrupt):
        synth([CHURN, VISION], out, Settings())
    assert tree(out) == before and siblings(out) == []


def test_the_marker_is_replaced_atomically_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    """One atomic write helper (atomic.replace_file): a failed marker write leaves the old
    marker and no temporary file."""
    import errno

    outdir_lib.write_marker(tmp_path, {"a.json": "00"}, complete=True)
    before = (tmp_path / outdir_lib.MARKER).read_bytes()

    def fail(a, b, *args, **kw):
        raise OSError(errno.EIO, "I/O error")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        outdir_lib.write_marker(tmp_path, {"b.json": "11"}, complete=False)
    monkeypatch.undo()
    assert (tmp_path / outdir_lib.MARKER).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [outdir_lib.MARKER]
