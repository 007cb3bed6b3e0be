"""Crash-safe files in a run folder: atomic writes, stale temp files, and the run's liveness lock.

Every file is written to a temporary name beside it and renamed into place, so a reader never sees
half a file. A writer holds an exclusive ``flock`` on its temporary file from creation to rename;
the kernel releases it when the writer dies, even by ``kill -9``. A temporary file whose lock
nobody holds was therefore left by a dead writer, and the next write in the folder removes it; one
whose lock is held belongs to a live writer (another process writing the same run) and is left
alone.

A running run holds a shared ``flock`` on ``run.lock`` in its folder (every process running it,
so two kernels on one run both count). A manifest that says ``running`` while nobody holds that
lock was written by a process that died: the store reports such a run as ``interrupted``.

``flock`` is POSIX: where ``fcntl`` is missing (Windows) no temp file is ever taken for stale and
a run's status is what its manifest says.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "run.lock"
TEMP_SUFFIX = ".tmp"


def _try_exclusive(fd: int) -> bool:
    """Take an exclusive lock on ``fd`` without waiting; False if someone else holds a lock."""
    if fcntl is None:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it (and put it back)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def locked_temp(path: Path) -> Iterator[Path]:
    """A fresh temporary file beside ``path``, exclusively locked until the block ends.

    The block writes the file (by its path) and renames it into place; on an error the file is
    removed. A cleaner in another process may remove a temporary file in the instant between its
    creation and its lock; the inode check catches that and a new temporary file is made.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
        if hasattr(os, "fchmod"):  # mkstemp makes 0600: give the file the mode open() would
            os.fchmod(fd, 0o666 & ~_umask())
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            same = os.stat(name).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)  # releases the lock


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """``write(tmp)`` then rename ``tmp`` to ``path``; first removes stale temp files in the folder."""
    remove_stale_temps(path.parent)
    with locked_temp(path) as tmp:
        write(tmp)
        os.replace(tmp, path)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    atomic_write(path, write)


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
            if _try_exclusive(fd):  # its writer is gone: it can never be renamed into place
                tmp.unlink(missing_ok=True)
                removed.append(tmp)
        finally:
            os.close(fd)
    return removed


class RunLock:
    """A shared lock on a run folder's ``run.lock``, held while this process runs the run."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / LOCK_NAME
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        if fcntl is not None:
            fcntl.flock(self._fd, fcntl.LOCK_SH)  # waits only for a status check in progress

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def left_by_dead_process(folder: Path, says_running: Callable[[], bool]) -> bool:
    """True when ``says_running()`` is true while no process runs the run (nobody holds its lock).

    ``says_running`` (re-reading the manifest) is called while the lock is held exclusively, so no
    process can start running the run meanwhile and the manifest it reads is the last word of a
    dead process. Without ``fcntl`` this is always False: liveness cannot be told.
    """
    if fcntl is None:
        return False
    lock = folder / LOCK_NAME
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_RDONLY)
        except FileNotFoundError:  # a run written before locks existed, or one starting right now
            dead = says_running()
            if not lock.exists():
                return dead
            continue  # a process started running it meanwhile: check its lock
        try:
            return _try_exclusive(fd) and says_running()
        finally:
            os.close(fd)
    return False
