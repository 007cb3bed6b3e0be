"""The one way workbench writes a file: atomically, with the mode a plain ``open()`` gives.

Every file is written to a temporary name beside it and renamed into place, so a reader never sees
half a file and an error leaves the old file as it was.

* **Modes.** ``tempfile.mkstemp`` and ``mkdtemp`` make private files (0600) and folders (0700), and
  renaming one into place keeps that mode: a shared report, golden set or run would then be
  unreadable by a web server or a colleague. Temporary files and folders here are created with
  ``os.open`` / ``os.mkdir`` and the default modes, so the kernel applies the user's umask, as for
  any file the user writes (nothing reads the process-wide umask).
* **Stale temporary files.** A writer holds an exclusive ``flock`` on its temporary file from
  creation to rename; the kernel releases it when the writer dies, even by ``kill -9``. A temporary
  file whose lock nobody holds was left by a dead writer: writers that own their folder (the run
  store) remove such files first (``clean_stale=True``); one being written by a live process is
  left alone. A user's folder (where a report is exported) is never swept.

``flock`` is POSIX: where ``fcntl`` is missing (Windows) no temporary file is taken for stale.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".tmp"


def try_exclusive(fd: int) -> bool:
    """Take an exclusive lock on ``fd`` without waiting; False if someone else holds a lock."""
    if fcntl is None:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _open_new(target: Path, suffix: str) -> tuple[int, Path]:
    """A new, uniquely named file beside ``target`` (mode ``0o666 & ~umask``), open for writing."""
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}{suffix}"
        try:
            return os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666), tmp
        except FileExistsError:
            continue


def new_temp_file(target: Path, suffix: str = TEMP_SUFFIX) -> Path:
    """Create an empty, uniquely named file beside ``target`` (mode ``0o666 & ~umask``)."""
    fd, tmp = _open_new(target, suffix)
    os.close(fd)
    return tmp


def new_temp_dir(parent: Path, prefix: str, suffix: str = TEMP_SUFFIX) -> Path:
    """Create a uniquely named empty folder in ``parent`` (mode ``0o777 & ~umask``)."""
    while True:
        tmp = parent / f"{prefix}{secrets.token_hex(6)}{suffix}"
        try:
            os.mkdir(tmp, 0o777)
        except FileExistsError:
            continue
        return tmp


def remove_tree(path: Path) -> None:
    """Remove a temporary folder, ignoring errors (it may be half-written)."""
    shutil.rmtree(path, ignore_errors=True)


@contextmanager
def locked_temp(path: Path) -> Iterator[Path]:
    """A fresh temporary file beside ``path``, exclusively locked until the block ends.

    The block writes the file (by its path) and renames it into place; on an error the file is
    removed. A cleaner in another process may remove a temporary file in the instant between its
    creation and its lock; the inode check catches that and a new temporary file is made.
    """
    while True:
        fd, tmp = _open_new(path, TEMP_SUFFIX)
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            same = os.stat(tmp).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)  # releases the lock


def remove_stale_temps(folder: Path) -> list[Path]:
    """Remove the temporary files in ``folder`` whose writer is dead (nobody holds their lock).

    Returns the files removed. A temporary file being written by a live process is kept.
    """
    if fcntl is None or not folder.is_dir():
        return []
    removed = []
    for tmp in folder.glob(f".*{TEMP_SUFFIX}"):
        if not tmp.is_file():
            continue
        try:
            fd = os.open(tmp, os.O_RDONLY)
        except OSError:  # gone already, or not ours to open
            continue
        try:
            if try_exclusive(fd):  # its writer is gone: it can never be renamed into place
                tmp.unlink(missing_ok=True)
                removed.append(tmp)
        finally:
            os.close(fd)
    return removed


def _prepare(path: str | os.PathLike[str], make_parents: bool, clean_stale: bool) -> Path:
    """The target path, its folder made (``make_parents``) and swept of dead writers' temporary
    files (``clean_stale``)."""
    target = Path(path)
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    if clean_stale:
        remove_stale_temps(target.parent)
    return target


def atomic_write(
    path: str | os.PathLike[str],
    write: Callable[[Path], None],
    *,
    make_parents: bool = True,
    clean_stale: bool = False,
) -> Path:
    """``write(tmp)``, then rename ``tmp`` to ``path``; returns the path.

    ``clean_stale`` first removes the temporary files that dead writers left in the folder (for
    folders workbench owns).
    """
    target = _prepare(path, make_parents, clean_stale)
    with locked_temp(target) as tmp:
        write(tmp)
        os.replace(tmp, target)
    return target


@contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    mode: str = "wb",
    *,
    encoding: str | None = None,
    newline: str | None = None,
    make_parents: bool = False,
    clean_stale: bool = False,
) -> Iterator[IO[Any]]:
    """Write ``path`` through a temporary file that replaces it only once complete (and synced).

    An error while writing leaves ``path`` as it was and no temporary file behind.
    """
    target = _prepare(path, make_parents, clean_stale)
    with locked_temp(target) as tmp:
        with open(tmp, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, make_parents: bool = True, clean_stale: bool = False
) -> Path:
    """Write ``data`` to ``path`` atomically (its folder is created); returns the path."""
    with atomic_open(path, "wb", make_parents=make_parents, clean_stale=clean_stale) as fh:
        fh.write(data)
    return Path(path)
