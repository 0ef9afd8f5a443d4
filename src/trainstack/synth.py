"""Profiles to Terraform JSON: load -> select -> build -> render, written atomically.

The whole output directory is produced in a temporary sibling directory and
swapped into place only when every stack synthesized, so a failed run leaves
the previous output exactly as it was. Like ``cdktf synth``, the output
directory holds the stacks of one run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from trainstack.catalog import Catalog, load_catalog
from trainstack.constructs.stack import build_stack
from trainstack.constructs.spec import StackSpec
from trainstack.errors import SelectionError, SynthError, TrainstackError
from trainstack.profile import ProfileDocument, load_profile_document
from trainstack.select import Selection, select
from trainstack.settings import Settings

DEFAULT_OUT = Path("cdktf.out")


@dataclass(frozen=True)
class Planned:
    """One profile carried through selection to its stack spec."""

    document: ProfileDocument
    selection: Selection
    spec: StackSpec


def select_document(document: ProfileDocument, catalog: Catalog) -> Selection:
    """Select for a loaded profile; selection errors point at the profile's line."""
    try:
        return select(document.profile, catalog)
    except SelectionError as exc:
        raise TrainstackError(f"{document.where(exc.field)}: {exc.message}") from None


def plan(paths: list[Path], settings: Settings, catalog: Catalog | None = None) -> list[Planned]:
    """Load, select and build every profile; raise on the first bad one."""
    catalog = catalog or load_catalog()
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
        selection = select_document(document, catalog)
        planned.append(Planned(document, selection, build_stack(document.profile, selection, settings)))
    return planned


def _plan_while_engine_starts(paths: list[Path], settings: Settings,
                              catalog: Catalog | None) -> list[Planned]:
    from trainstack.constructs import engine

    # Starting the engine (Python import + node process + assemblies) takes most
    # of a cold run and waits on node; overlap it with loading and selecting.
    warm = engine.preload(settings.engine)
    try:
        return plan(paths, settings, catalog)
    finally:
        warm.join()  # also on errors, so the engine's process shuts down cleanly


def synth(paths: list[Path], outdir: Path = DEFAULT_OUT, settings: Settings | None = None,
          catalog: Catalog | None = None) -> list[Planned]:
    """Synthesize the profiles' stacks into ``outdir`` atomically."""
    from trainstack.constructs import engine

    settings = settings or Settings.from_env()
    # every input error surfaces here, before anything is written
    planned = _plan_while_engine_starts(paths, settings, catalog)
    outdir = outdir.resolve()
    _check_replaceable(outdir)
    try:
        outdir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; the output is not
    except OSError as exc:
        raise SynthError(f"cannot write next to {outdir}: {exc.strerror or exc}") from None
    try:
        engine.synth([p.spec for p in planned], staging, settings.engine)
        _check_written(staging, planned)
        _swap(staging, outdir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise SynthError(f"cannot write {outdir}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return planned


def _check_replaceable(outdir: Path) -> None:
    """Refuse to replace anything but an earlier synth output (or nothing)."""
    if not outdir.exists():
        return
    if not outdir.is_dir():
        raise SynthError(f"{outdir} exists and is not a directory; choose another --out")
    if any(outdir.iterdir()) and not (outdir / "manifest.json").is_file():
        raise SynthError(
            f"{outdir} is not empty and holds no earlier synth output (no manifest.json); "
            "refusing to replace it: choose another --out"
        )


def synth_in_place(paths: list[Path], outdir: Path, settings: Settings | None = None) -> list[Planned]:
    """Render straight into ``outdir``, for ``cdktf synth``, which owns that directory."""
    from trainstack.constructs import engine

    settings = settings or Settings.from_env()
    planned = _plan_while_engine_starts(paths, settings, None)
    engine.synth([p.spec for p in planned], outdir, settings.engine)
    return planned


def _check_written(staging: Path, planned: list[Planned]) -> None:
    for p in planned:
        if not (staging / "stacks" / p.spec.name / "cdk.tf.json").is_file():
            raise SynthError(f"the engine wrote no stacks/{p.spec.name}/cdk.tf.json")


def _swap(staging: Path, outdir: Path) -> None:
    """Put ``staging`` where ``outdir`` is; the old output goes only after that worked."""
    if not outdir.exists():
        os.replace(staging, outdir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old.", dir=outdir.parent))
    os.replace(outdir, retired / "out")
    try:
        os.replace(staging, outdir)
    except OSError:
        os.replace(retired / "out", outdir)  # put the previous output back
        raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)
