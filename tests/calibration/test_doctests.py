"""Docstring examples are tests."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from workbench.calibration import _align, _bias


@pytest.mark.parametrize("module", [_align, _bias])
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
