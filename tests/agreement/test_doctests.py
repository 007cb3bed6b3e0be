"""Docstring examples are tests."""

from __future__ import annotations

import doctest

import pytest

from workbench.agreement import _api, _table


@pytest.mark.parametrize("module", [_api, _table])
def test_docstring_examples(module) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
