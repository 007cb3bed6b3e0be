"""README's examples are tests: its Python blocks run in order, as a reader would paste them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def blocks() -> list[str]:
    return BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def test_readme_has_examples() -> None:
    assert len(blocks()) >= 6


@pytest.mark.slow
def test_readme_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").symlink_to(ROOT / "data")  # the paths read as from the repository's root
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))  # a store of its own
    namespace: dict[str, object] = {"__name__": "readme"}
    for i, source in enumerate(blocks()):
        try:
            exec(compile(source, f"README.md block {i + 1}", "exec"), namespace)
        except Exception as e:  # name the block: the traceback's file is the README block
            raise AssertionError(f"README.md block {i + 1} failed: {type(e).__name__}: {e}") from e
    run = namespace["run"]
    assert run.cases is not None and len(run.results) == 16  # 4 cases x 2 models x 2 prompts
    assert namespace["cal"].table.height > 0
