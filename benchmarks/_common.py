"""Helpers shared by the benchmarks: a child-process timer and the results file."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"

ENV = {
    **os.environ,
    "HF_HUB_OFFLINE": "1",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "PYTHONPATH": str(ROOT),
    "TOKENIZERS_PARALLELISM": "false",
}


def run_child(code: str, *args: str, timeout: float = 1800) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; it must print one JSON object as its last line."""
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=timeout
    )
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def record(section: str, figures: dict[str, Any]) -> None:
    """Merge one benchmark's figures into benchmarks/results.json."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    data[section] = figures
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
