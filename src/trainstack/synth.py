"""Profiles to Terraform JSON: load -> select -> build -> render, written atomically.

The whole output directory is produced in a staging directory beside it and
swapped into place in one atomic step only when every stack synthesized, so a
failed or killed run leaves the previous output exactly as it was. Like
``cdktf synth``, the output holds the stacks of one run; files trainstack did
not write (terraform state, plans, hand-written .tf.json) are kept (outdir.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from trainstack import interrupts
from trainstack import outdir as outdir_lib
from trainstack.catalog import Facts, load_facts
from trainstack.constructs.spec import StackSpec
from trainstack.constructs.stack import build_stack
from trainstack.errors import SelectionError, SynthError, TrainstackError
from trainstack.profile import ProfileDocument, load_profile_document
from trainstack.profile.models import WorkloadProfile
from trainstack.select import Selection, select
from trainstack.settings import Settings

DEFAULT_OUT = Path("cdktf.out")


@dataclass(frozen=True)
class Planned:
    """One profile carried through selection; its stack spec is built when it is rendered
    (a thousand specs held at once would cost memory for nothing)."""

    path: str
    profile: WorkloadProfile
    selection: Selection

    @property
    def name(self) -> str:
        """The stack's name (the profile's)."""
        return self.profile.name

    def spec(self, settings: Settings) -> StackSpec:
        """The stack spec of this selection."""
        return build_stack(self.profile, self.selection, settings)


def select_document(document: ProfileDocument, facts: Facts) -> Selection:
    """Select for a loaded profile; selection errors point at the profile's line."""
    try:
        return select(document.profile, facts)
    except SelectionError as exc:
        raise TrainstackError(f"{document.where(exc.field)}: {exc.message}") from None


def plan(paths: list[Path], settings: Settings, facts: Facts | None = None) -> list[Planned]:
    """Load and select every profile; raise on the first bad one, before anything is
    written."""
    facts = facts or load_facts()
    planned: list[Planned] = []
    seen: dict[str, str] = {}
    for path in paths:
        document = load_profile_document(path)
        name = document.profile.name
        if name in seen:
            raise TrainstackError(
                f"{document.where('name')}: two profiles make the stack '{name}' "
                f"(also {seen[name]}); stack names must be unique (got '{name}')"
            )
        seen[name] = document.path
        planned.append(Planned(document.path, document.profile,
                               select_document(document, facts)))
    return planned


def _plan_while_engine_starts(paths: list[Path], settings: Settings,
                              facts: Facts | None) -> list[Planned]:
    from trainstack.constructs import engine

    # Starting the engine (Python import + node process + assemblies) takes most
    # of a cold run and waits on node; overlap it with loading and selecting.
    warm = engine.preload(settings.engine)
    try:
        return plan(paths, settings, facts)
    finally:
        warm.join()  # also on errors, so the engine's process shuts down cleanly


def synth(paths: list[Path], outdir: Path = DEFAULT_OUT, settings: Settings | None = None,
          facts: Facts | None = None) -> list[Planned]:
    """Synthesize the profiles' stacks into ``outdir`` atomically (see outdir.py)."""
    settings = settings or Settings.from_env()
    # every input error surfaces here, before anything is written
    planned = _plan_while_engine_starts(paths, settings, facts)
    outdir = Path(os.path.abspath(outdir))
    if outdir.is_symlink() and outdir.exists():
        outdir = outdir.resolve()  # replace what the link points at; the link stays
    if not outdir.parent.is_dir():
        try:
            outdir.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SynthError(f"cannot create {outdir.parent}: {exc.strerror or exc}") from None
    with outdir_lib.locked(outdir):
        kept = _replace_output(planned, outdir, settings)
    if kept:
        from trainstack.cli import output

        for path in kept:
            output.note(f"warning: kept {path}: it holds files trainstack did not write that "
                        "the new output could not take; look through it, then delete it")
    return planned


def _replace_output(planned: list[Planned], outdir: Path, settings: Settings) -> list[Path]:
    """Render into a staging folder beside ``outdir``, carry the files trainstack did not
    write over, and swap it in; the folders it had to keep (see outdir.dispose)."""
    kept: list[Path] = []
    try:
        kept += outdir_lib.recover(outdir)
        marker = outdir_lib.check_replaceable(outdir)
    except OSError as exc:
        raise SynthError(f"cannot read {outdir} or clean up after an earlier run beside "
                         f"it: {exc.strerror or exc}") from None
    try:
        staging = outdir_lib.new_staging(outdir)
    except OSError as exc:
        raise SynthError(f"cannot write next to {outdir} ({exc.strerror or exc}); trainstack "
                         "builds the new output beside it and swaps it in") from None
    try:
        _render(planned, staging, settings)
        files = outdir_lib.written_files(staging)
        outdir_lib.write_marker(staging, files, complete=False)
        if marker is not None:
            outdir_lib.carry_over(outdir, staging, marker)
        outdir_lib.write_marker(staging, files, complete=True)
        interrupts.check()  # a Ctrl-C something swallowed still stops the swap
        old = outdir_lib.swap_in(staging, outdir)
    except BaseException as exc:
        # staging holds the engine's output and links to files that are still in
        # place (or, interrupted just after the swap, the old output): dispose deletes
        # only what it can prove is a copy or trainstack's own
        try:
            if staging.exists():
                kept += [k for k in [outdir_lib.dispose(staging, outdir)] if k]
        except OSError:
            pass  # the next run cleans up
        if isinstance(exc, OSError):
            raise SynthError(f"cannot write {outdir}: {exc.strerror or exc}; the previous "
                             "output is unchanged") from None
        raise
    try:
        if old.exists():
            kept += [k for k in [outdir_lib.dispose(old, outdir)] if k]
    except OSError:
        pass  # the new output is in place; the next run finishes the clean-up
    return kept


class _BuildFailed(Exception):
    """Building a stack spec failed (carried through the engine as its cause)."""


def _render(planned: list[Planned], staging: Path, settings: Settings) -> None:
    """The engine writes the stacks into ``staging``; its failures become SynthErrors."""
    from trainstack.constructs import engine

    def specs() -> Iterator[StackSpec]:
        for p in planned:
            try:
                yield p.spec(settings)
            except Exception as exc:  # trainstack's own code: a bug, not the engine's
                raise _BuildFailed from exc

    try:
        engine.synth(specs(), staging, settings.engine)
    except _BuildFailed as exc:
        raise exc.__cause__ from None  # exit 3 as any bug (TRAINSTACK_DEBUG shows where)
    except (SynthError, OSError):
        raise
    except Exception as exc:  # jsii reports the engine's errors (a full disk too) this way
        message = " ".join(str(exc).split())
        if "ENOSPC" in message or "no space left" in message.lower():
            raise SynthError(f"no space left on the device while writing {staging.parent}; the "
                             "previous output is unchanged") from None
        raise SynthError(f"the {settings.engine} engine failed: {message[:500]}") from None
    _check_written(staging, planned)


def synth_in_place(paths: list[Path], outdir: Path,
                   settings: Settings | None = None) -> list[Planned]:
    """Render straight into ``outdir``, for ``cdktf synth``, which owns that directory."""
    settings = settings or Settings.from_env()
    planned = _plan_while_engine_starts(paths, settings, None)
    _render(planned, outdir, settings)
    # Mark what this run wrote, so that `trainstack synth` may later replace the folder
    # (and keeps everything else in it).
    written = ["manifest.json", *(f"stacks/{p.name}/cdk.tf.json" for p in planned)]
    outdir_lib.write_marker(outdir, {rel: outdir_lib.sha256(outdir / rel) for rel in written
                                     if (outdir / rel).is_file()}, complete=True)
    return planned


def _check_written(staging: Path, planned: list[Planned]) -> None:
    for p in planned:
        if not (staging / "stacks" / p.name / "cdk.tf.json").is_file():
            raise SynthError(f"the engine wrote no stacks/{p.name}/cdk.tf.json")
