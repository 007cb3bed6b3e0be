"""`import workbench` is instant: no heavy library, no network, no secret read at import."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["litellm", "torch", "sentence_transformers", "llama_cpp", "sklearn", "scipy", "statsmodels", "polars", "pandas", "altair", "datasets"]


def test_import_loads_no_heavy_library():
    code = f"import sys, json, workbench; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_every_public_name_resolves():
    import workbench as wb

    for name in wb.__all__:
        assert getattr(wb, name) is not None, name
    assert set(wb.__all__) - {"__version__"} == set(wb._LAZY)
