"""A run's liveness lock. (Files in a run folder are written by :mod:`workbench._files`, which
also removes the temporary files that dead writers left there.)

A running run holds a shared ``flock`` on ``run.lock`` in its folder (every process running it,
so two kernels on one run both count). A manifest that says ``running`` while nobody holds that
lock was written by a process that died: the store reports such a run as ``interrupted``.

``flock`` is POSIX: where ``fcntl`` is missing (Windows) no temp file is ever taken for stale and
a run's status is what its manifest says.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from workbench._files import try_exclusive

LOCK_NAME = "run.lock"


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
            return try_exclusive(fd) and says_running()
        finally:
            os.close(fd)
    return False
