"""synth's steps around the engine, with the engine replaced by a writer of one file: what
each failure says, the order of the marker's two writes, and the folders it had to keep.
(The real engine, real kills and a full disk: tests/test_outdir.py.)"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import PROFILES

from trainstack import outdir as outdir_lib
from trainstack import synth as synth_module
from trainstack.catalog import load_facts
from trainstack.constructs import engine
from trainstack.errors import SynthError
from trainstack.synth import synth

CHURN = next(p for p in PROFILES if p.stem == "churn")
REAL_RENDER = synth_module._render  # the fixture below replaces it


@pytest.fixture(autouse=True)
def no_engine(monkeypatch):
    """No Node: the engine does not start, and rendering writes one stack file."""
    idle = threading.Thread(target=lambda: None)
    idle.start()
    monkeypatch.setattr(engine, "preload", lambda name: idle)

    def render(planned, staging: Path, settings) -> None:
        for p in planned:
            target = staging / "stacks" / Path(p.path).stem / "cdk.tf.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text('{"resource": {}}\n')
        (staging / "manifest.json").write_text('{"stacks": {}}\n')

    monkeypatch.setattr(synth_module, "_render", render)


def failing(exc: OSError):
    def fail(*args, **kwargs):
        raise exc
    return fail


WITH_STRERROR = OSError(errno.EACCES, "Permission denied")
PLAIN = OSError("plain words")


@pytest.mark.parametrize("exc,said", [(WITH_STRERROR, "Permission denied"),
                                      (PLAIN, "plain words")])
def test_a_failure_to_recover_or_read_the_output_says_so(tmp_path, monkeypatch, exc, said):
    out = tmp_path / "out"
    monkeypatch.setattr(outdir_lib, "recover", failing(exc))
    with pytest.raises(SynthError) as caught:
        synth([CHURN], out)
    assert str(caught.value) == (f"cannot read {out} or clean up after an earlier run beside "
                                 f"it: {said}")


@pytest.mark.parametrize("exc,said", [(WITH_STRERROR, "Permission denied"),
                                      (PLAIN, "plain words")])
def test_a_failure_to_make_the_staging_folder_says_where_and_why(tmp_path, monkeypatch, exc,
                                                                 said):
    out = tmp_path / "out"
    monkeypatch.setattr(outdir_lib, "new_staging", failing(exc))
    with pytest.raises(SynthError) as caught:
        synth([CHURN], out)
    assert str(caught.value) == (f"cannot write next to {out} ({said}); trainstack builds the "
                                 "new output beside it and swaps it in")


@pytest.mark.parametrize("exc,said", [(WITH_STRERROR, "Permission denied"),
                                      (PLAIN, "plain words")])
def test_a_failure_at_the_swap_keeps_the_previous_output_and_says_so(tmp_path, monkeypatch,
                                                                     exc, said):
    out = tmp_path / "out"
    synth([CHURN], out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    monkeypatch.setattr(outdir_lib, "swap_in", failing(exc))
    with pytest.raises(SynthError) as caught:
        synth([CHURN], out)
    assert str(caught.value) == (f"cannot write {out}: {said}; the previous output is "
                                 "unchanged")
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the staging folder is gone


def test_the_marker_says_incomplete_until_the_foreign_files_are_carried(tmp_path, monkeypatch):
    out = tmp_path / "out"
    synth([CHURN], out)
    calls = []
    real_marker, real_carry = outdir_lib.write_marker, outdir_lib.carry_over

    def marker(directory, files, *, complete):
        calls.append(("marker", complete))
        real_marker(directory, files, complete=complete)

    def carry(old, new, m):
        calls.append(("carry", m is not None))
        real_carry(old, new, m)

    monkeypatch.setattr(outdir_lib, "write_marker", marker)
    monkeypatch.setattr(outdir_lib, "carry_over", carry)
    synth([CHURN], out)
    # new_staging marks the empty staging folder first (a killed run leaves it disposable)
    assert calls == [("marker", False), ("marker", False), ("carry", True), ("marker", True)]
    assert outdir_lib.read_marker(out).complete is True


def test_every_folder_kept_is_reported_recovered_and_disposed_alike(tmp_path, monkeypatch,
                                                                     capsys):
    """Folders recover() kept and the one dispose() kept of the replaced output: each is
    named in a warning (the list adds up; it is not overwritten)."""
    out = tmp_path / "out"
    synth([CHURN], out)
    capsys.readouterr()
    monkeypatch.setattr(outdir_lib, "recover", lambda o: [tmp_path / "kept-by-recover"])
    monkeypatch.setattr(outdir_lib, "dispose", lambda old, o: tmp_path / "kept-by-dispose")
    synth([CHURN], out)
    tail = ("it holds files trainstack did not write that the new output could not take; "
            "look through it, then delete it")
    assert capsys.readouterr().err.splitlines() == [
        f"warning: kept {tmp_path / 'kept-by-recover'}: {tail}",
        f"warning: kept {tmp_path / 'kept-by-dispose'}: {tail}"]


def test_the_parent_folders_of_out_are_made(tmp_path):
    out = tmp_path / "a" / "b" / "out"
    synth([CHURN], out)
    assert (out / "stacks" / "churn" / "cdk.tf.json").is_file()


def test_a_parent_that_cannot_be_made_says_which(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SynthError) as caught:
        synth([CHURN], tmp_path / "file" / "sub" / "out")
    assert str(caught.value) == f"cannot create {tmp_path / 'file' / 'sub'}: Not a directory"


def test_the_facts_given_are_the_facts_used(tmp_path):
    """synth(facts=...) selects with them (as `select` does), not with the packaged ones:
    without churn's training size in the catalog another one is chosen."""
    from trainstack.catalog import catalog_from_rows, with_vms

    default = synth([CHURN], tmp_path / "a")[0].selection.training().vm_size
    rows = [vm for vm in load_facts().vms.rows if vm.vm_size != default]
    given = synth([CHURN], tmp_path / "b",
                  facts=with_vms(catalog_from_rows(rows)))[0].selection.training().vm_size
    assert default == "Standard_E16a_v4" and given != default


# -- the engine's failures ------------------------------------------------------------------

@pytest.fixture
def planned():
    from trainstack.settings import Settings

    settings = Settings.from_env()
    return synth_module.plan([CHURN], settings, None), settings


def engine_raising(monkeypatch, exc: BaseException):
    def fail(specs, outdir, name):
        list(specs)  # the engine builds every spec as it renders
        raise exc
    monkeypatch.setattr(engine, "synth", fail)


@pytest.mark.parametrize("message", [
    "Error: ENOSPC: write failed", "Error: No space left on device, write",
    "ENOSPC\n  at   write"])
def test_a_full_disk_reported_by_the_engine_says_so(tmp_path, monkeypatch, planned, message):
    engine_raising(monkeypatch, RuntimeError(message))
    with pytest.raises(SynthError) as caught:
        REAL_RENDER(planned[0], tmp_path / "staging", planned[1])
    assert str(caught.value) == (f"no space left on the device while writing {tmp_path}; the "
                                 "previous output is unchanged")


def test_another_engine_failure_is_shown_on_one_line_cut_at_500_characters(tmp_path,
                                                                           monkeypatch, planned):
    engine_raising(monkeypatch, RuntimeError("jsii says:\n   " + "x" * 600 + " enospc"))
    with pytest.raises(SynthError) as caught:
        REAL_RENDER(planned[0], tmp_path / "staging", planned[1])
    shown = "jsii says: " + "x" * 600
    assert str(caught.value) == f"the cdktf engine failed: {shown[:500]}"


@pytest.mark.parametrize("exc", [SynthError("the engine's own words"),
                                 OSError(errno.EIO, "Input/output error")])
def test_trainstacks_own_errors_and_os_errors_pass_through(tmp_path, monkeypatch, planned, exc):
    engine_raising(monkeypatch, exc)
    with pytest.raises(type(exc)) as caught:
        REAL_RENDER(planned[0], tmp_path / "staging", planned[1])
    assert caught.value is exc


def test_a_bug_while_building_a_spec_is_raised_as_itself(tmp_path, monkeypatch, planned):
    """Not reported as the engine's failure: exit 3, as any bug."""
    def bug(self, settings):
        raise ZeroDivisionError("in trainstack")
    monkeypatch.setattr(synth_module.Planned, "spec", bug)
    engine_raising(monkeypatch, RuntimeError("never reached"))
    with pytest.raises(ZeroDivisionError, match="in trainstack"):
        REAL_RENDER(planned[0], tmp_path / "staging", planned[1])


# -- in place, for `cdktf synth` --------------------------------------------------------------

def test_in_place_renders_into_out_keeps_what_is_there_and_marks_what_it_wrote(tmp_path):
    """`cdktf synth` (stacks/app.py) owns the folder: nothing in it is removed, and the
    marker lists exactly the files this run wrote, so `trainstack synth` may replace them."""
    from trainstack.settings import Settings

    out = tmp_path / "cdktf.out"
    (out / "stacks" / "churn").mkdir(parents=True)
    (out / "stacks" / "churn" / "terraform.tfstate").write_text("{}")
    (out / "notes.txt").write_text("mine")
    planned = synth_module.synth_in_place([CHURN], out, Settings.from_env())
    assert [p.name for p in planned] == ["churn"]
    marker = outdir_lib.read_marker(out)
    assert marker.complete is True
    assert marker.files == {
        rel: outdir_lib.sha256(out / rel)
        for rel in ("manifest.json", "stacks/churn/cdk.tf.json")}
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "stacks" / "churn" / "terraform.tfstate").read_text() == "{}"


def test_in_place_marks_only_files_that_are_there(tmp_path, monkeypatch):
    out = tmp_path / "cdktf.out"
    out.mkdir()

    def render_without_manifest(planned, staging, settings):
        target = staging / "stacks" / "churn" / "cdk.tf.json"
        target.parent.mkdir(parents=True)
        target.write_text("{}")
    monkeypatch.setattr(synth_module, "_render", render_without_manifest)
    synth_module.synth_in_place([CHURN], out)  # settings from the environment
    assert list(outdir_lib.read_marker(out).files) == ["stacks/churn/cdk.tf.json"]


def test_settle_waits_for_an_engine_still_starting_but_not_for_ever(monkeypatch):
    """console() calls settle() before the exit hooks: an engine left starting by a Ctrl-C
    must finish first (see cli/entry.py), and a hung one must not hang the exit."""
    release, finished = threading.Event(), threading.Event()

    def start() -> None:
        release.wait(10)
        finished.set()

    thread = threading.Thread(target=start, daemon=True)
    monkeypatch.setattr(engine, "_preloading", {"cdktf": thread})
    thread.start()
    engine.settle(timeout=0.2)
    assert not finished.is_set()  # it gave up waiting
    threading.Timer(0.1, release.set).start()
    engine.settle(timeout=10)
    assert finished.is_set()


NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="needs node")
@pytest.mark.parametrize("folder", ["plain", 'with space and "quote" and \\ back'])
def test_node_options_make_node_ignore_sigint_and_keep_the_users_options(tmp_path, monkeypatch,
                                                                         folder):
    """node itself is the oracle: with the options, a node process that sends itself SIGINT
    lives on (and the user's own option still applies); without them it dies of it."""
    script = tmp_path / folder / "ignore_sigint.cjs"
    script.parent.mkdir()
    script.write_bytes(engine._IGNORE_SIGINT.read_bytes())
    monkeypatch.setattr(engine, "_IGNORE_SIGINT", script)
    options = engine.node_options("--max-old-space-size=100")
    assert engine.node_options(options) == options  # added once
    probe = ("process.kill(process.pid, 'SIGINT');"
             "setTimeout(() => console.log('alive', require('v8').getHeapStatistics()"
             ".heap_size_limit < 200 * 2 ** 20), 200)")
    lives = subprocess.run([NODE, "-e", probe], capture_output=True, text=True, timeout=30,
                           env={**os.environ, "NODE_OPTIONS": options})
    assert (lives.returncode, lives.stdout) == (0, "alive true\n"), lives.stderr
    dies = subprocess.run([NODE, "-e", probe], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "NODE_OPTIONS": ""})
    assert dies.returncode == -signal.SIGINT


@pytest.mark.skipif(NODE is None, reason="needs node")
def test_node_options_collect_the_garbage_of_written_stacks(tmp_path):
    """node is the oracle: 80 MiB of garbage is still on the heap after a file write without
    the options (V8 collects only near jsii's 4 GB limit), and gone with them."""
    probe = ("const v8 = require('v8'), fs = require('fs');"
             "let keep = [];"
             "for (let i = 0; i < 40; i++) keep.push(new Array(2 ** 18).fill(i + 0.5));"
             "keep = null;"
             f"fs.writeFileSync({json.dumps(str(tmp_path / 'stack.json'))}, '{{}}');"
             "console.log(Math.round(v8.getHeapStatistics().used_heap_size / 2 ** 20))")

    def heap_after_write(options: str) -> int:
        done = subprocess.run([NODE, "-e", probe], capture_output=True, text=True, timeout=60,
                              env={**os.environ, "NODE_OPTIONS": options})
        assert done.returncode == 0, done.stderr
        return int(done.stdout)

    assert heap_after_write("") > 60
    assert heap_after_write(engine.node_options("")) < 20
