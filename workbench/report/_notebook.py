"""Execute a notebook headless with nbclient, in a fresh kernel, offline by default."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

# Set for the kernel unless the caller's environment or ``env`` says otherwise: a notebook run by
# workbench never reaches for a model hub or litellm's online cost map.
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class NotebookExecutionError(RuntimeError):
    """A cell of a notebook failed (an exception, a timeout or a dead kernel).

    Attributes:
        path: the notebook's file, or None for an in-memory notebook.
        cell_index: the failing cell's position (0-based, counting markdown cells).
        source: the failing cell's source.
        ename, evalue: the exception's type name and message.
        notebook: the partly executed notebook (outputs up to the failing cell).
    """

    def __init__(
        self,
        path: Path | None,
        cell_index: int | None,
        source: str,
        ename: str,
        evalue: str,
        detail: str,
        notebook: Any,
    ) -> None:
        where = f"{path}" if path else "notebook"
        cell = f"cell {cell_index}" if cell_index is not None else "before the first cell"
        super().__init__(
            f"{where}: {cell} failed with {ename}: {evalue}\n"
            f"---- cell source ----\n{source}\n---- error ----\n{detail}"
        )
        self.path = path
        self.cell_index = cell_index
        self.source = source
        self.ename = ename
        self.evalue = evalue
        self.notebook = notebook


def execute_notebook(
    notebook: str | os.PathLike[str] | Any,
    *,
    timeout: int = 1800,
    cwd: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    kernel_name: str = "python3",
) -> Any:
    """Run every cell of a notebook in a fresh kernel and return the executed notebook.

    Args:
        notebook: a ``.ipynb`` path or an ``nbformat`` notebook (not modified: a copy is run).
        timeout: seconds allowed per cell.
        cwd: the kernel's working directory (default: the notebook's folder, or the current one).
        env: environment variables for the kernel, on top of this process's environment and
            ``HF_HUB_OFFLINE=1``, ``LITELLM_LOCAL_MODEL_COST_MAP=True``.
        kernel_name: the Jupyter kernel. ``python3`` runs the Python that runs this function.

    Returns:
        The executed ``nbformat.NotebookNode``.

    Raises:
        NotebookExecutionError: naming the notebook, the failing cell, its source and the error.

    Example:
        >>> nb = execute_notebook("notebooks/quickstart.ipynb")           # doctest: +SKIP
    """
    import nbformat
    from nbclient import NotebookClient

    path: Path | None = None
    if isinstance(notebook, (str, os.PathLike)):
        path = Path(notebook)
        nb = nbformat.read(path, as_version=4)
    else:
        nb = nbformat.from_dict(notebook)  # a deep copy: the caller's notebook keeps no outputs
    workdir = Path(cwd) if cwd is not None else (path.parent if path else Path.cwd())
    kernel_env = {**OFFLINE_ENV, **os.environ, **(env or {})}

    current: dict[str, int] = {}

    def on_cell_execute(cell: Any, cell_index: int, **_: Any) -> None:
        current["index"] = cell_index

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(workdir.resolve())}},
        on_cell_execute=on_cell_execute,
    )
    try:
        _in_own_thread(lambda: client.execute(env=kernel_env))
    except Exception as e:
        index = current.get("index")
        source = nb.cells[index].source if index is not None else ""
        text = str(e).strip()
        ename = getattr(e, "ename", None) or type(e).__name__
        evalue = getattr(e, "evalue", None) or (text.splitlines()[-1] if text else "")
        detail = _ANSI.sub("", getattr(e, "traceback", None) or text)
        raise NotebookExecutionError(path, index, source, ename, evalue, detail, nb) from e
    return nb


def _in_own_thread(fn: Any) -> Any:
    """Call ``fn`` in a fresh thread.

    nbclient drives the kernel with an asyncio loop of the calling thread (patched re-entrant by
    nest_asyncio), which then stays marked as running there: later ``asyncio.run`` calls in the
    same thread fail. A thread of its own keeps that loop away from the caller (a test session, or
    a notebook cell that executes another notebook).
    """
    import threading

    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:  # re-raised in the caller's thread
            box["error"] = e

    thread = threading.Thread(target=target, name="workbench-notebook", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")
