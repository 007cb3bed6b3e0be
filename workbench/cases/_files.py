"""Atomic writes whose files get the mode a plain ``open()`` gives (``0o666 & ~umask``).

``tempfile.mkstemp`` and ``mkdtemp`` make private files (0600) and folders (0700), and renaming
one into place keeps that mode: a shared report, golden set or cache would then be unreadable by
a web server or a colleague. The temporary file or folder here is created with ``os.open`` /
``os.mkdir`` and the default modes, so the kernel applies the user's umask, as it does for any
file the user writes, and nothing needs to read the (process-wide) umask.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def new_temp_file(target: Path, suffix: str = ".tmp") -> Path:
    """Create an empty, uniquely named file beside ``target`` (mode ``0o666 & ~umask``)."""
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}{suffix}"
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        return tmp


def new_temp_dir(parent: Path, prefix: str, suffix: str = ".tmp") -> Path:
    """Create a uniquely named empty folder in ``parent`` (mode ``0o777 & ~umask``)."""
    while True:
        tmp = parent / f"{prefix}{secrets.token_hex(6)}{suffix}"
        try:
            os.mkdir(tmp, 0o777)
        except FileExistsError:
            continue
        return tmp


@contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    mode: str = "wb",
    *,
    encoding: str | None = None,
    newline: str | None = None,
    make_parents: bool = False,
) -> Iterator[IO[Any]]:
    """Write ``path`` through a temporary file that replaces it only once complete (and synced).

    An error while writing leaves ``path`` as it was and no temporary file behind.
    """
    target = Path(path)
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = new_temp_file(target)
    try:
        with open(tmp, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, make_parents: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (its folder is created); returns the path."""
    with atomic_open(path, "wb", make_parents=make_parents) as fh:
        fh.write(data)
    return Path(path)


def remove_tree(path: Path) -> None:
    """Remove a temporary folder, ignoring errors (it may be half-written)."""
    shutil.rmtree(path, ignore_errors=True)
