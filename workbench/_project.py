"""Where a project's store and cache live."""

from __future__ import annotations

import os
from pathlib import Path

STORE_DIRNAME = ".workbench"


def project_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The project folder whose ``.workbench/`` holds runs and the call cache.

    Resolution order: the ``path`` given; ``$WORKBENCH_HOME``; the nearest folder at or above the
    current directory that has a ``.workbench/`` folder or a ``pyproject.toml`` (so a notebook in
    ``notebooks/`` shares its project's store); else the current directory.
    """
    if path is not None:
        return Path(path).expanduser().resolve()
    env = os.environ.get("WORKBENCH_HOME")
    if env:
        return Path(env).expanduser().resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / STORE_DIRNAME).is_dir() or (folder / "pyproject.toml").is_file():
            return folder
    return here
