"""The synth output directory: replaced in one atomic step, never losing a file it did not write.

A synth builds its output in a staging directory beside ``--out`` and puts it in
place with one ``renameat2(RENAME_EXCHANGE)``: readers see the old output or
the new one, and a process killed at any point leaves one of them in place.
Where the filesystem cannot exchange (not Linux, some network filesystems) two
renames are used, and a run killed between them is recovered by the next one.

What trainstack wrote is recorded in a marker, ``.trainstack-synth.json``:
its own format and the SHA-256 of every file the engine wrote. Only a
directory with that marker (or an empty one) is replaced, and only the files
it lists, unchanged, are deleted. Everything else in it - terraform state,
``.terraform/``, a plan file, a hand-written ``extra.tf.json`` - is carried into
the new output as a hard link (the same file, no copy), and checked again
before the old directory goes: a file that appeared meanwhile is moved over,
never deleted. A trainstack-written file changed by hand stops the synth.

Concurrent synths into one directory: the second fails at once with a clear
message (an ``flock`` on ``.<out>.trainstack.lock`` beside it, removed when the
synth ends). Staging directories of killed runs are cleaned up by the next
run, under that lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import glob
import hashlib
import json
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from trainstack.atomic import replace_file
from trainstack.errors import SynthError

MARKER = ".trainstack-synth.json"
FORMAT = "trainstack-synth/1"
STAGING = "trainstack-staging"
RETIRED = "trainstack-retired"
KEPT = "trainstack-kept"


@dataclass(frozen=True)
class Marker:
    complete: bool
    files: dict[str, str]  # relative path -> sha256 of what trainstack wrote


def read_marker(directory: Path) -> Marker | None:
    """The directory's marker, or None when it has none trainstack could have written."""
    path = directory / MARKER
    try:
        if not stat.S_ISREG(path.lstat().st_mode) or path.lstat().st_size > 16 * 1024 * 1024:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    files = data.get("files", {})
    if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and _inside(k) for k, v in files.items()):
        return None  # a marker trainstack did not write: the folder is not replaceable
    return Marker(complete=data.get("complete") is True, files=files)


def _inside(rel: str) -> bool:
    """A normalized relative path that stays inside its directory."""
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and "\0" not in rel and "\\" not in rel \
        and all(part not in ("", ".", "..") for part in parts)


def write_marker(directory: Path, files: dict[str, str], *, complete: bool) -> None:
    """The marker that lists what trainstack wrote (path -> sha256), replaced atomically."""
    text = json.dumps({"format": FORMAT, "complete": complete, "files": dict(sorted(
        files.items()))}, indent=2) + "\n"
    replace_file(directory / MARKER, text.encode("utf-8"))


def sha256(path: Path) -> str:
    """The SHA-256 of a file's content, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _entries(root: Path) -> Iterator[tuple[str, Path, bool]]:
    """(relative path, path, is_dir) below ``root``; symbolic links are never followed."""
    for top, dirs, files in os.walk(root, followlinks=False):
        base = Path(top)
        for name in sorted(dirs):
            path = base / name
            if path.is_symlink():  # os.walk lists a link to a directory among dirs
                yield path.relative_to(root).as_posix(), path, False
            else:
                yield path.relative_to(root).as_posix(), path, True
        for name in sorted(files):
            path = base / name
            yield path.relative_to(root).as_posix(), path, False


def written_files(directory: Path) -> dict[str, str]:
    """Every file in a freshly rendered directory, with its hash (the marker's list)."""
    return {rel: sha256(path) for rel, path, is_dir in _entries(directory)
            if not is_dir and rel != MARKER}


# -- the lock --------------------------------------------------------------------------------

@contextlib.contextmanager
def locked(outdir: Path) -> Iterator[None]:
    """Hold the output directory's lock, or fail at once naming the holder.

    The lock file is removed on release; a waiter that locked a file already removed
    sees that its inode is no longer at the path and tries again, so two processes
    never both hold the lock.
    """
    lock_path = outdir.parent / f".{outdir.name}.trainstack.lock"
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as exc:
            raise SynthError(f"cannot write next to {outdir} ({exc.strerror or exc}); "
                             "trainstack builds the new output beside it and swaps it in"
                             ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            os.close(fd)
            raise SynthError(f"another trainstack synth ({holder}) is writing {outdir}; wait for "
                             "it to finish or choose another --out") from None
        try:
            current = os.stat(lock_path)
        except FileNotFoundError:
            current = None
        if current is not None and (current.st_dev, current.st_ino) == \
                (os.fstat(fd).st_dev, os.fstat(fd).st_ino):
            break
        os.close(fd)  # the holder removed this file as we locked it: lock the new one
    try:
        with contextlib.suppress(OSError):  # only a hint for the next one (a full disk)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            lock_path.unlink()  # still holding the lock: nobody else holds this inode
        os.close(fd)


# -- checks before writing ------------------------------------------------------------------------

def check_replaceable(outdir: Path) -> Marker | None:
    """Refuse anything but an earlier trainstack output (or nothing, or an empty directory)."""
    if not outdir.exists() and not outdir.is_symlink():
        return None
    if outdir.is_symlink() and not outdir.exists():
        raise SynthError(f"{outdir} is a symbolic link to nothing (dangling or looping); "
                         "remove it or choose another --out")
    if not outdir.is_dir():
        raise SynthError(f"{outdir} exists and is not a directory; choose another --out")
    if os.path.ismount(outdir):
        raise SynthError(
            f"{outdir} is a mount point: trainstack puts a new output in place with one atomic "
            "rename, which a mount point cannot take; write to a directory inside it instead "
            f"(--out {outdir / 'cdktf.out'})")
    marker = read_marker(outdir)
    if marker is None:
        if any(outdir.iterdir()):
            raise SynthError(
                f"{outdir} is not empty and holds no trainstack output (no {MARKER} of format "
                f"{FORMAT}); refusing to replace it: choose another --out (an output of an "
                "earlier trainstack version can be deleted and synthesized again)")
        return None
    for rel, expected in sorted(marker.files.items()):
        path = outdir / rel
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise SynthError(f"{path} is no longer the file trainstack wrote; move it away "
                             "and synthesize again")
        if path.is_file() and sha256(path) != expected:
            raise SynthError(f"{path} was changed since trainstack wrote it; move your copy "
                             "away (or delete it) and synthesize again")
    return marker


# -- carrying files trainstack did not write ------------------------------------------------

def carry_over(old: Path, new: Path, marker: Marker | None) -> None:
    """Hard-link into ``new`` every entry of ``old`` trainstack did not write.

    Folders keep their permissions (a ``chmod 700`` on a folder holding state stays),
    and a folder trainstack did not make is carried even when empty.
    """
    written = set(marker.files) if marker else set()
    ours = {parent.as_posix() for rel in written for parent in Path(rel).parents} - {"."}
    folders: list[tuple[str, Path]] = []
    for rel, path, is_dir in _entries(old):
        if rel == MARKER or rel in written:
            continue
        target = new / rel
        blocked = next((p for p in [target, *target.parents] if p != new and p.is_relative_to(new)
                        and (p.is_symlink() or (p.exists() and (
                            (p == target and not is_dir) or not p.is_dir())))), None)
        if blocked is not None:
            raise SynthError(f"{path} was not written by trainstack and the new output writes "
                             f"{blocked.relative_to(new).as_posix()}; move it away and "
                             "synthesize again")
        if is_dir:
            folders.append((rel, path))
            if rel not in ours:
                target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(path, target)
    for rel, path in folders:  # the folders' own permissions, once their content is in
        if (new / rel).is_dir():
            os.chmod(new / rel, stat.S_IMODE(path.stat().st_mode))


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        if source.is_symlink():
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target, follow_symlinks=False)


def _same_file(a: Path, b: Path) -> bool:
    try:
        sa, sb = a.lstat(), b.lstat()
    except OSError:
        return False
    if (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino):
        return True
    if stat.S_ISLNK(sa.st_mode) and stat.S_ISLNK(sb.st_mode):
        return os.readlink(a) == os.readlink(b)
    return (stat.S_ISREG(sa.st_mode) and stat.S_ISREG(sb.st_mode)
            and sa.st_size == sb.st_size and sha256(a) == sha256(b))


# -- retiring an old directory without losing a file ----------------------------------------------

def dispose(old: Path, outdir: Path) -> Path | None:
    """Remove ``old`` (a staging or replaced output), deleting only what is safe to delete.

    Deleted: files its marker lists, unchanged (trainstack wrote them), and files the
    current output holds too (the same file, linked or copied). A file found nowhere
    else - one written while the synth ran, say - is moved into the output where its
    path is free, else kept: ``old`` is then renamed ``.<out>.trainstack-kept-*`` and
    returned, so nothing is ever lost. Folders are removed only when empty.
    """
    marker = read_marker(old)
    if marker is not None and not marker.files and not marker.complete:
        # a staging folder killed before its engine finished: only the engine's output
        shutil.rmtree(old, ignore_errors=True)
        return None
    written = marker.files if marker else {}
    for _ in range(3):  # a file may appear while we work; look again before giving up
        kept = False
        for rel, path, is_dir in sorted(_entries(old), key=lambda e: e[0].count("/"),
                                        reverse=True):
            if is_dir:
                with contextlib.suppress(OSError):
                    path.rmdir()  # only when empty
            elif rel == MARKER:
                continue
            elif rel in written and path.is_file() and not path.is_symlink() \
                    and sha256(path) == written[rel]:
                path.unlink()
            elif _same_file(path, outdir / rel):
                path.unlink()
            elif not (outdir / rel).exists() and not (outdir / rel).is_symlink() \
                    and _folder_for(outdir, rel):
                os.rename(path, outdir / rel)
            else:
                kept = True
        if kept:
            break
        with contextlib.suppress(FileNotFoundError):
            (old / MARKER).unlink()
        try:
            old.rmdir()
            return None
        except OSError:  # something appeared meanwhile: another pass
            if marker is not None:
                write_marker(old, written, complete=marker.complete)
    keep = old.parent / f".{outdir.name}.{KEPT}-{secrets.token_hex(4)}"
    os.rename(old, keep)
    return keep


def _folder_for(outdir: Path, rel: str) -> bool:
    """Make the folder ``rel`` goes into inside ``outdir``; False if a file is in the way."""
    try:
        (outdir / rel).parent.mkdir(parents=True, exist_ok=True)
        return True
    except OSError:
        return False


def recover(outdir: Path) -> list[Path]:
    """Finish or undo what killed runs left beside ``outdir`` (call under the lock)."""
    kept: list[Path] = []
    retired = outdir.parent / f".{outdir.name}.{RETIRED}"
    if retired.is_dir() and not retired.is_symlink():
        if not outdir.exists() and not outdir.is_symlink():
            os.rename(retired, outdir)  # killed between the two renames: the old output returns
        else:
            kept += [k for k in [dispose(retired, outdir)] if k]
    for leftover in sorted(outdir.parent.glob(f".{glob.escape(outdir.name)}.{STAGING}-*")):
        if leftover.is_dir() and not leftover.is_symlink():
            kept += [k for k in [dispose(leftover, outdir)] if k]
    return kept


def new_staging(outdir: Path) -> Path:
    """A new staging folder beside ``outdir``, with its permissions (or the umask's)."""
    staging = outdir.parent / f".{outdir.name}.{STAGING}-{secrets.token_hex(4)}"
    staging.mkdir(mode=0o777)  # the umask applies, as for any directory a command makes
    try:
        if outdir.is_dir():
            os.chmod(staging, stat.S_IMODE(outdir.stat().st_mode))
        write_marker(staging, {}, complete=False)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # brand new and ours alone
        raise
    return staging


# -- the swap -------------------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); OSError when unsupported."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}


def swap_in(staging: Path, outdir: Path) -> Path:
    """Put ``staging`` where ``outdir`` is; returns where the old output now is (to dispose)."""
    if not outdir.exists() and not outdir.is_symlink():
        os.rename(staging, outdir)
        return staging  # nothing there any more
    try:
        exchange(staging, outdir)
        return staging  # the old output, under the staging name
    except OSError as exc:
        if exc.errno not in _NO_EXCHANGE:
            raise
    # No atomic exchange here: two renames, recovered by `recover` if killed between them.
    retired = outdir.parent / f".{outdir.name}.{RETIRED}"
    os.rename(outdir, retired)
    try:
        os.rename(staging, outdir)
    except OSError:
        os.rename(retired, outdir)
        raise
    return retired
