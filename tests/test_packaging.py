"""The built wheel carries every module and data file a user's install needs.

Built offline from a copy of the sources: no package index (--no-index, the build
backend from the test environment), and nothing written into the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_contains_all_modules_and_data(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    # setuptools reads PEP 639 license expressions with packaging >= 24.2; checkov pins an
    # older packaging into the same environment, so the build gets setuptools' own copy.
    import setuptools

    vendored = Path(setuptools.__file__).parent / "_vendor"
    env = {**os.environ, "PYTHONPATH": str(vendored)}
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                           "--no-index", "--no-build-isolation", "-w", str(tmp_path / "dist"),
                           str(source)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    (wheel,) = (tmp_path / "dist").glob("trainstack-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    src = ROOT / "src"
    expected = {p.relative_to(src).as_posix() for p in (src / "trainstack").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    assert expected - names == set()
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "trainstack = trainstack.cli.entry:console" in zipfile.ZipFile(wheel).read(entry).decode()
