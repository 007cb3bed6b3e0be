"""Execute a notebook with nbclient and render it to HTML with nbconvert."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from workbench.store._store import atomic_write_bytes


def execute_notebook(path: str | os.PathLike[str], *, timeout: int = 1800, cwd: str | os.PathLike[str] | None = None) -> Any:
    """Run every cell of a notebook in a fresh kernel and return the executed notebook.

    Raises nbclient's ``CellExecutionError`` naming the failing cell if any cell fails.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(Path(cwd) if cwd else path.parent)}},
    )
    client.execute()
    return nb


def export_html(nb: Any, out: str | os.PathLike[str]) -> Path:
    """Render an executed notebook to one HTML file (written atomically)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    out = Path(out)
    atomic_write_bytes(out, body.encode("utf-8"))
    return out
