"""Every notebook in notebooks/ runs top to bottom in a fresh kernel (examples are tests)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from workbench.report import NotebookExecutionError, execute_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_notebooks_exist() -> None:
    assert NOTEBOOKS / "quickstart.ipynb" in PATHS


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_notebook_is_committed_clean(path: Path) -> None:
    """Committed notebooks carry no outputs, execution counts or widget state (diffs stay readable)."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert "widgets" not in nb.metadata
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert dirty == [], f"{path.name}: clear the outputs of cells {dirty} before committing"


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    env = {
        "HF_HUB_OFFLINE": "1",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "WORKBENCH_HOME": str(tmp_path),  # a store of its own, not the repository's .workbench/
    }
    try:
        nb = execute_notebook(path, cwd=NOTEBOOKS, env=env, timeout=1500)
    except NotebookExecutionError as e:
        pytest.fail(str(e), pytrace=False)
    errors = [
        (i, o.get("ename"))
        for i, c in enumerate(nb.cells)
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert errors == []
