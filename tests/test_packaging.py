"""The built wheel carries every module and data file a user's install needs."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import ROOT


def test_wheel_contains_all_modules_and_data(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("trainstack-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    src = ROOT / "src"
    expected = {p.relative_to(src).as_posix() for p in (src / "trainstack").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    assert expected - names == set()
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "trainstack = trainstack.cli.entry:console" in zipfile.ZipFile(wheel).read(entry).decode()
