"""Files written whole or not at all: a temporary sibling, flushed, then renamed.

A reader (a CI step, the next command) sees the old file or the new one, never
half of one; a failed write (a full disk, a read-only directory) leaves the old
file as it was and no temporary file behind, and is reported naming the path.
New files get the user's umask, like any file a command writes.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from trainstack.errors import TrainstackError


def temp_sibling(path: Path) -> Path:
    """A hidden, unique name beside ``path`` for the file being written."""
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary sibling, flush it to disk and rename it over ``path``.
    OSError on failure, with the temporary file removed and ``path`` as it was."""
    tmp = temp_sibling(path)
    # 0o666 less the umask, as for any file a command writes (mkstemp would give 0600)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str | bytes, *, what: str = "file") -> None:
    """``replace_file`` for a file the user named: failures are exit-2 errors naming it."""
    path = Path(path)
    if path.is_dir():
        raise TrainstackError(f"{path}: is a directory; give the {what} a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TrainstackError(f"{path}: cannot create its directory "
                              f"({exc.strerror or exc})") from None
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        replace_file(path, data)
    except OSError as exc:
        raise TrainstackError(f"{path}: cannot write the {what} ({exc.strerror or exc}); "
                              "the previous file, if any, is unchanged") from None
