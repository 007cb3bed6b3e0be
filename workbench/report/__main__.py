"""``python -m workbench.report NOTEBOOK --html OUT``: execute a notebook and render it offline.

Prints the path of the HTML file written; timing and size go to stderr. Exits 1, naming the
failing cell, when a cell fails (no HTML is written then).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from workbench.report._html import export_html
from workbench.report._notebook import NotebookExecutionError, execute_notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.report", description=__doc__.splitlines()[0])
    parser.add_argument("notebook", help="the .ipynb file to execute (its folder is the kernel's cwd)")
    parser.add_argument("--html", required=True, help="where to write the rendered HTML")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    notebook = Path(args.notebook)
    if not notebook.is_file():
        parser.error(f"no notebook at {notebook}")
    start = time.perf_counter()
    try:
        nb = execute_notebook(notebook, timeout=args.timeout)
    except NotebookExecutionError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    executed = time.perf_counter() - start
    try:
        out = export_html(nb, args.html, title=notebook.stem, base_dir=notebook.parent)
    except ImportError as e:  # e.g. vl-convert-python missing: the message says what to install
        print(f"error: {e}", file=sys.stderr)
        return 1
    total = time.perf_counter() - start
    size = out.stat().st_size
    print(
        f"executed {notebook} in {executed:.1f} s; rendered {size / 1e6:.2f} MB in {total - executed:.1f} s",
        file=sys.stderr,
    )
    print(out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
