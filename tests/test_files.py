"""Atomic writes: files and folders get the user's umask, as a plain open() or mkdir() gives them."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench._files import atomic_open, atomic_write_bytes, new_temp_dir, new_temp_file


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask")
def test_modes_follow_the_umask(tmp_path: Path) -> None:
    assert mode(atomic_write_bytes(tmp_path / "a" / "b.html", b"x")) == 0o644
    assert mode(new_temp_dir(tmp_path, prefix=".v1.")) == 0o755
    os.umask(0o027)
    assert mode(atomic_write_bytes(tmp_path / "c.html", b"x")) == 0o640
    assert mode(new_temp_file(tmp_path / "d.onnx", suffix=".tmp.onnx")) == 0o640


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError, match="boom"), atomic_open(path, "w", encoding="utf-8") as fh:
        fh.write("half")
        raise RuntimeError("boom")
    assert path.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    with atomic_open(path, "w", encoding="utf-8") as fh:
        fh.write("new")
    assert path.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    with pytest.raises(FileNotFoundError):
        atomic_write_bytes(tmp_path / "missing" / "x", b"x", make_parents=False)
