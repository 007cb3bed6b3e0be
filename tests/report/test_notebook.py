"""execute_notebook: a fresh kernel of this very Python, offline environment, actionable errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from workbench.report import NotebookExecutionError, execute_notebook

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}

PROBE = """
import json, os, sys
print(json.dumps({
    "prefix": sys.prefix,
    "cwd": os.getcwd(),
    "hf": os.environ.get("HF_HUB_OFFLINE"),
    "cost_map": os.environ.get("LITELLM_LOCAL_MODEL_COST_MAP"),
    "extra": os.environ.get("WORKBENCH_TEST_VALUE"),
}))
"""


def _stdout(cell: nbformat.NotebookNode) -> str:
    return "".join(o["text"] for o in cell.outputs if o["output_type"] == "stream" and o["name"] == "stdout")


def test_kernel_is_this_python_with_offline_env_and_cwd(tmp_path: Path) -> None:
    path = tmp_path / "probe.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(PROBE)], metadata={"kernelspec": KERNELSPEC}), path)
    nb = execute_notebook(path, env={"WORKBENCH_TEST_VALUE": "42"}, timeout=120)
    seen = json.loads(_stdout(nb.cells[0]))
    # kernel_name "python3" must resolve to the interpreter running the tests (the venv's)
    assert seen["prefix"] == sys.prefix
    assert Path(seen["cwd"]) == tmp_path.resolve()
    assert seen["hf"] == "1"
    assert seen["cost_map"] == "True"
    assert seen["extra"] == "42"
    assert nbformat.read(path, as_version=4).cells[0].outputs == []  # the file is not written back


def test_in_memory_notebook_is_copied_and_runs_in_cwd(tmp_path: Path) -> None:
    nb = new_notebook(
        cells=[new_code_cell("import os; print(os.getcwd())")], metadata={"kernelspec": KERNELSPEC}
    )
    executed = execute_notebook(nb, cwd=tmp_path, timeout=120)
    assert Path(_stdout(executed.cells[0]).strip()) == tmp_path.resolve()
    assert nb.cells[0].outputs == []


def test_failing_cell_is_named_with_its_source_and_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    cells = [new_markdown_cell("# broken"), new_code_cell("x = 1"), new_code_cell("y = {}\ny['missing']")]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC}), path)
    with pytest.raises(NotebookExecutionError) as info:
        execute_notebook(path, timeout=120)
    err = info.value
    assert (err.path, err.cell_index, err.ename, err.evalue) == (path, 2, "KeyError", "'missing'")
    assert err.source == "y = {}\ny['missing']"
    message = str(err)
    assert message.startswith(f"{path}: cell 2 failed with KeyError: 'missing'\n")
    assert "---- cell source ----\ny = {}\ny['missing']\n" in message
    assert "\x1b[" not in message  # no terminal colour codes
    assert err.notebook.cells[1].outputs == [] and err.notebook.cells[1].execution_count == 1
