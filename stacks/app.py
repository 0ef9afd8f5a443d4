"""Entry point for `cdktf synth` (see cdktf.json): every profile in profiles/.

No logic here: trainstack.synth does the work. `trainstack synth` is the same
with atomic output and a summary; this file exists so the usual cdktf workflow
(`cdktf synth`, `cdktf diff`, `cdktf deploy`) works on the repository as is.
Set TRAINSTACK_PROFILES to a glob to pick other profiles.
"""

import glob
import os
import sys
from pathlib import Path

from trainstack.cli.output import error
from trainstack.errors import TrainstackError
from trainstack.synth import synth_in_place

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    pattern = os.environ.get("TRAINSTACK_PROFILES", "profiles/*.yaml")
    profiles = sorted(ROOT / match for match in glob.glob(pattern, root_dir=ROOT))
    if not profiles:
        error(f"no profiles match {pattern} (in {ROOT})")
        sys.exit(2)
    try:
        synth_in_place(profiles, Path(os.environ.get("CDKTF_OUTDIR", ROOT / "cdktf.out")))
    except TrainstackError as exc:
        error(*exc.lines)
        sys.exit(exc.exit_code)
