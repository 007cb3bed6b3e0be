"""The exported report at realistic scale: 2,000 cases x 3 models stays small and works offline.

No model is called: the notebook builds synthetic cases and results, scores them with the
deterministic scorers, draws the summary, slice and latency charts and shows the case browser.
The export must stay under the size budget, and in Chromium with every non-file request blocked
every chart must draw while no script from a case or an output runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from workbench.report import execute_notebook, export_html

MAX_BYTES = 5_000_000
N_CASES = 2_000
PWNED = "<script>window.__pwned=1</script>"

DATA = f"""
import datetime as dt
import random

import polars as pl
import workbench as wb
from workbench._schema import RESULT_COLUMNS, polars_schema

PWNED = {PWNED!r}
rng = random.Random(7)
topics = ["billing", "refund", "shipping", "account", "privacy", PWNED]
records = [
    {{
        "id": f"c{{i:04d}}",
        "input": f"question {{i}} about {{topics[i % 6]}}" + (" " + PWNED if i % 97 == 0 else ""),
        "reference": f"answer {{i % 40}} for {{topics[i % 6]}}",
        "tags": [topics[i % 5], "hard" if i % 3 == 0 else "easy"],
        "topic": topics[i % 6],
    }}
    for i in range({N_CASES})
]
cases = wb.CaseSet.from_records(records)

started = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
rows = []
for model, skill, speed in [("alpha", 0.8, 0.6), ("beta", 0.6, 1.2), ("gamma", 0.4, 2.5)]:
    for i, rec in enumerate(records):
        failed = rng.random() < 0.01
        right = rng.random() < skill
        output = rec["reference"] if right else f"wrong answer {{rng.randint(0, 99)}}"
        if i % 89 == 0:
            output += " " + PWNED
        rows.append({{
            "run_id": "r1", "case_id": rec["id"], "model": model, "variant": "base", "sample": 0,
            "output": None if failed else output,
            "latency_s": None if failed else rng.lognormvariate(0, 0.5) * speed,
            "ttft_s": None, "prompt_tokens": 40, "completion_tokens": None if failed else 12,
            "cost_usd": None if failed else 1e-5,
            "error_type": "Timeout" if failed else None, "error": "timed out" if failed else None,
            "attempts": 1, "cached": False, "started_at": started, "litellm_model": f"openai/{{model}}",
            "finish_reason": None if failed else "stop", "cache_key": f"{{model}}-{{rec['id']}}",
        }})
results = pl.DataFrame(rows, schema=polars_schema(RESULT_COLUMNS))
results.shape
"""

SCORE = (
    "scores = wb.score(results, [wb.token_f1, wb.exact_match], cases=cases, save=False)\nscores.table.shape"
)

CHARTS = [
    "wb.enable_offline_charts()\nsummary = wb.summarize(scores.table)\nwb.charts.metric_by_model(summary)",
    "wb.charts.slice_heatmap(wb.summarize(scores.table, slices='topic', cases=cases), 'token_f1')",
    "wb.charts.latency_distribution(results)",
]

BROWSER = "wb.CaseBrowser(cases, results, scores.table)"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Budget test"),
            new_code_cell(DATA),
            new_code_cell(SCORE),
            *[new_code_cell(src) for src in CHARTS],
            new_code_cell(BROWSER),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    executed = execute_notebook(nb, timeout=600, cwd=home, env={"WORKBENCH_HOME": str(home)})
    return export_html(executed, tmp_path_factory.mktemp("export") / "budget.html", title="Budget")


@pytest.mark.browser
def test_realistic_report_is_small_and_works_offline(report: Path, offline_page: Any) -> None:
    html = report.read_text("utf-8")
    assert report.stat().st_size < MAX_BYTES
    assert f"CaseBrowser</b>: {N_CASES:,} of {N_CASES:,} cases" in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html  # the snapshot shows it as text
    assert "<script>window.__pwned" not in html
    assert html.count('class="wb-vega-spec"') == len(CHARTS)
    assert "\\u003cscript\\u003ewindow.__pwned=1" in html  # the hostile slice name, in chart data

    view = offline_page.page
    view.goto(report.resolve().as_uri())
    view.wait_for_function(
        f"document.querySelectorAll('div.wb-vega[data-rendered]').length === {len(CHARTS)}",
        timeout=120_000,
    )
    states = view.eval_on_selector_all(
        "div.wb-vega",
        "els => els.map(e => [e.getAttribute('data-rendered'), "
        "e.querySelectorAll('.wb-vega-chart svg, .wb-vega-chart canvas').length])",
    )
    assert [s for s, _ in states] == ["true"] * len(CHARTS), offline_page.console
    assert all(n >= 1 for _, n in states)
    assert view.evaluate("typeof window.__pwned") == "undefined"
    assert offline_page.blocked == []
    text = view.inner_text("body")
    assert f"CaseBrowser: {N_CASES:,} of {N_CASES:,} cases" in text
