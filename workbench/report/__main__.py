"""``python -m workbench.report NOTEBOOK --html OUT``: execute a notebook and render it."""

from __future__ import annotations

import argparse
import sys

from workbench.report._notebook import execute_notebook, export_html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.report", description=__doc__)
    parser.add_argument("notebook")
    parser.add_argument("--html", required=True, help="where to write the rendered HTML")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    nb = execute_notebook(args.notebook, timeout=args.timeout)
    out = export_html(nb, args.html)
    print(out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
