"""synth's edges the mutation run showed no test held: the exact words for two profiles of
one name, the engine the settings name is the one started early, the output's parent folder
made by someone else in the meantime, and an engine that writes no stack file. No Node: the
engine is replaced as in tests/test_synth_steps.py."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from conftest import MINIMAL, PROFILES

from trainstack import synth as synth_module
from trainstack.constructs import engine
from trainstack.errors import SynthError, TrainstackError
from trainstack.settings import Settings
from trainstack.synth import synth

CHURN = next(p for p in PROFILES if p.stem == "churn")


@pytest.fixture
def started(monkeypatch) -> list:
    """No Node: preload records the engine it is asked for; rendering writes one stack file
    per profile. Yields the names preload was called with."""
    names: list = []
    idle = threading.Thread(target=lambda: None)
    idle.start()

    def preload(name):
        names.append(name)
        return idle
    monkeypatch.setattr(engine, "preload", preload)

    def render(planned, staging: Path, settings) -> None:
        for p in planned:
            target = staging / "stacks" / p.name / "cdk.tf.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text('{"resource": {}}\n')
        (staging / "manifest.json").write_text('{"stacks": {}}\n')
    monkeypatch.setattr(synth_module, "_render", render)
    return names


def test_two_profiles_of_one_name_name_both_files_and_the_line_of_name(tmp_path):
    """The second file is blamed at its `name:` line (line 3 of MINIMAL), and the first
    file is named too."""
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(MINIMAL)
    second.write_text(MINIMAL)
    with pytest.raises(TrainstackError) as caught:
        synth_module.plan([first, second], Settings())
    assert str(caught.value) == (
        f"{second}:3: name: two profiles make the stack 'demo' (also {first}); "
        "stack names must be unique (got 'demo')")


def test_the_engine_started_early_is_the_one_the_settings_name(tmp_path, started):
    """While profiles are selected, the engine of ``settings.engine`` is warmed up."""
    synth([CHURN], tmp_path / "out", Settings(engine="cdktn"))
    assert started == ["cdktn"]


def test_a_parent_folder_made_by_someone_else_meanwhile_is_no_error(tmp_path, monkeypatch,
                                                                      started):
    """The parent of out is missing when synth looks, and another process makes it just
    after: making it again is not an error, and the output is written."""
    out = tmp_path / "parent" / "out"
    real_is_dir = Path.is_dir
    first = [True]

    def is_dir(self):
        if self == out.parent and first[0]:
            first[0] = False
            os.mkdir(self)  # the other process, between the check and the mkdir
            return False
        return real_is_dir(self)
    monkeypatch.setattr(Path, "is_dir", is_dir)
    synth([CHURN], out)
    assert (out / "stacks" / "churn" / "cdk.tf.json").is_file()


def test_an_engine_that_writes_no_stack_file_says_which(tmp_path, monkeypatch):
    """The engine returns without error but without stacks/churn/cdk.tf.json: a SynthError
    names the missing file."""
    settings = Settings()
    planned = synth_module.plan([CHURN], settings)

    def writes_nothing(specs, outdir, name):
        list(specs)
    monkeypatch.setattr(engine, "synth", writes_nothing)
    with pytest.raises(SynthError) as caught:
        synth_module._render(planned, tmp_path / "staging", settings)
    assert str(caught.value) == "the engine wrote no stacks/churn/cdk.tf.json"
