"""Reading untrusted input files: regular files only, size-capped, UTF-8.

A FIFO would block a read forever and a device (``/dev/zero``) never ends, so a
file is opened without blocking and checked with ``fstat`` on the open
descriptor (no window between the check and the read), then read up to its
limit and no further.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from trainstack.errors import TrainstackError

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """What a path is when it is not a regular file (a directory, a FIFO, ...), or None."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_text(path: Path, *, limit: int, what: str,
              error: type[TrainstackError] = TrainstackError) -> str:
    """The UTF-8 text of the regular file ``path``; ``error`` naming the file otherwise."""
    data = read_bytes(path, limit=limit, what=what, error=error)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: the {what} is not UTF-8 text (byte {exc.start} is "
                    f"0x{data[exc.start]:02x})") from None


STDIN = "-"  # a path of "-" means standard input, as for most command-line tools


def read_bytes(path: Path, *, limit: int, what: str,
               error: type[TrainstackError] = TrainstackError) -> bytes:
    """A regular file's bytes (``-``: standard input, read to its end), refused beyond
    ``limit`` without reading it all."""
    if str(path) == STDIN:
        import sys

        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise error(f"<stdin>: the {what} is over the limit of {limit:,} bytes")
        return data
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        dangling = os.path.islink(path)
        raise error(f"{path}: no such file" + (" (a dangling symbolic link)" if dangling else "")
                    ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise error(f"{path}: a symbolic link that loops") from None
        raise error(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{path}: the {what} must be a regular file, not "
                        f"{file_kind(info.st_mode)}")
        if info.st_size > limit:
            raise error(f"{path}: the {what} is {info.st_size:,} bytes, over the limit of "
                        f"{limit:,} bytes")
        chunks, size = [], 0
        while size <= limit:  # the file may grow between fstat and read
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if size > limit:
        raise error(f"{path}: the {what} is over the limit of {limit:,} bytes")
    return b"".join(chunks)
