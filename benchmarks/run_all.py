"""``make bench``: run every benchmark, then rewrite the table in benchmarks/README.md.

Each benchmark records its figures in benchmarks/results.json (see _common.record); the table
below is generated from that file so the two never disagree.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCHES = ["bench_runner.py", "bench_scoring.py", "bench_widgets.py", "bench_cluster.py", "bench_traffic.py"]
START, END = "<!-- results:start -->", "<!-- results:end -->"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _rows(prefix: str, obj: Any) -> list[tuple[str, str]]:
    if isinstance(obj, dict):
        out: list[tuple[str, str]] = []
        for k, v in obj.items():
            out += _rows(f"{prefix}.{k}" if prefix else k, v)
        return out
    return [(prefix, _fmt(obj))]


def table(results: dict[str, Any]) -> str:
    lines = []
    for section, figures in results.items():
        if section == "machine":
            continue
        lines += [f"### {section}", "", f"Reproduce: `{figures.get('command', 'make bench')}`", "", "| figure | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in _rows("", figures) if k != "command"]
        lines.append("")
    m = results.get("machine", {})
    lines.append(f"Machine: {m.get('cpus')} CPUs, Python {m.get('python')}, {m.get('platform')}.")
    return "\n".join(lines)


def main() -> int:
    failed = []
    for name in BENCHES:
        path = HERE / name
        if not path.exists():
            continue
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, str(path)], cwd=ROOT).returncode != 0:
            failed.append(name)
    results = json.loads((HERE / "results.json").read_text())
    readme = HERE / "README.md"
    text = readme.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    readme.write_text(f"{head}{START}\n{table(results)}\n{END}{tail}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
