"""Offline HTML export: one executed notebook with two Altair charts and hostile outputs.

The page must load nothing from the network, inline the chart library once, escape model outputs,
and, in a real Chromium with every non-file request blocked, draw the charts while no script from
an output runs.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
import warnings
from pathlib import Path
from typing import Any

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from workbench.report import (
    OfflineChartWarning,
    content_security_policy,
    execute_notebook,
    export_html,
)
from workbench.report._charts import vega_bundle

PWNED = "<script>window.__pwned=1</script>"
# Rendered as HTML on purpose (as `display(HTML(model_output))` would): only the CSP stops it.
RAW_HTML = '<b>raw</b><script>window.__pwned=2</script><img src="data:," onerror="window.__pwned=3">'
MAX_BYTES = 2_000_000  # two small charts + the chart library (~0.9 MB) + nbconvert's CSS (~0.3 MB)

CHART = """
import altair as alt
import polars as pl
from workbench.report import enable_offline_charts

enable_offline_charts()
frame = pl.DataFrame({"model": ["a", "b", "</script><script>window.__pwned=4</script>"], "latency_s": [0.5, 1.5, 2.5]})
alt.Chart(frame).mark_bar().encode(x="latency_s:Q", y="model:N", tooltip=["model:N"])
"""


@pytest.fixture(scope="module")
def executed() -> Any:
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Export test\nSome *markdown*."),
            new_code_cell(CHART),
            new_code_cell(f"print({PWNED!r})"),
            new_code_cell(  # the libraries that show model outputs in tables must escape them
                f"import pandas as pd\ndisplay(pl.DataFrame({{'output': [{PWNED!r}]}}))\n"
                f"display(pd.DataFrame({{'output': [{PWNED!r}]}}))"
            ),
            new_code_cell(f"from IPython.display import HTML\nHTML({RAW_HTML!r})"),
            new_code_cell("alt.Chart(frame).mark_point().encode(x='latency_s:Q', y='model:N')"),
            new_code_cell("from tqdm.auto import tqdm\nfor _ in tqdm(range(3)):\n    pass"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    return execute_notebook(nb, timeout=300)


@pytest.fixture(scope="module")
def page_path(executed: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_html(
        executed, tmp_path_factory.mktemp("export") / "sub" / "report.html", title="Export test"
    )


@pytest.fixture(scope="module")
def page(page_path: Path) -> str:
    return page_path.read_text("utf-8")


def _scripts(html: str) -> list[tuple[str, str]]:
    """(opening tag, content) of every <script> element."""
    return re.findall(r"(<script\b[^>]*>)(.*?)</script>", html, flags=re.DOTALL | re.IGNORECASE)


def _csp(html: str) -> str:
    metas = re.findall(r"<meta\b[^>]*Content-Security-Policy[^>]*>", html)
    assert len(metas) == 1
    content = re.search(r'content="([^"]*)"', metas[0])
    assert content is not None
    return content.group(1)


def test_nothing_loads_from_the_network(page: str) -> None:
    tags = [tag for tag, _ in _scripts(page)]
    assert not [t for t in tags if "src=" in t.lower()]
    assert not re.search(r"<link\b[^>]*href=[\"']?(https?:)?//", page, flags=re.IGNORECASE)
    assert "require.min.js" not in page and "MathJax" not in page
    assert "@jupyter-widgets/html-manager" not in page
    assert 'type="application/vnd.jupyter.widget-state+json"' not in page


def test_chart_library_is_inlined_once(page: str) -> None:
    bundle = vega_bundle()
    assert page.count(bundle) == 1
    modules = [content for tag, content in _scripts(page) if 'type="module"' in tag]
    assert modules == [bundle]
    assert page.count('class="wb-vega-spec"') == 2
    assert page.count('<div class="wb-vega-chart">') == 2


def test_size_is_bounded(page_path: Path) -> None:
    assert page_path.stat().st_size < MAX_BYTES


def test_csp_allows_only_the_chart_script(page: str) -> None:
    bundle = vega_bundle()
    digest = base64.b64encode(hashlib.sha256(bundle.encode("utf-8")).digest()).decode("ascii")
    policy = _csp(page)
    assert policy == content_security_policy(bundle)
    assert f"script-src 'sha256-{digest}' 'unsafe-eval';" in policy
    assert policy.startswith("default-src 'none';")


def test_outputs_are_escaped(page: str) -> None:
    soup = BeautifulSoup(page, "html.parser")
    shown = [o for o in soup.select(".jp-OutputArea-output") if "<script>window.__pwned=1" in o.get_text()]
    assert len(shown) == 3  # printed, in a polars table, in a pandas table: as text
    assert not [s for s in soup.find_all("script") if "__pwned=1" in (s.string or "")]
    assert "<script>window.__pwned=1" not in page
    # chart data cannot close its <script type="application/json"> element
    specs = [content for tag, content in _scripts(page) if "wb-vega-spec" in tag]
    assert all("<" not in s and ">" not in s for s in specs)
    assert "\\u003c/script\\u003e\\u003cscript\\u003ewindow.__pwned=4" in specs[0]


def test_widgets_show_their_final_text(page: str) -> None:
    assert "100% |██████████| 3/3 [" in page


def test_page_without_charts_runs_no_script(executed: Any, tmp_path: Path) -> None:
    nb = nbformat.from_dict(executed)
    nb.cells = [c for c in nb.cells if "alt.Chart" not in c.source]
    html = export_html(nb, tmp_path / "plain.html").read_text("utf-8")
    assert [content for _, content in _scripts(html)] == ["window.__pwned=2"]  # the raw HTML output's
    assert "script-src 'none';" in _csp(html)
    assert 'class="wb-vega' not in html


def test_export_reads_an_ipynb_path(executed: Any, tmp_path: Path) -> None:
    nbformat.write(executed, tmp_path / "saved.ipynb")
    out = export_html(tmp_path / "saved.ipynb", tmp_path / "saved.html")
    html = out.read_text("utf-8")
    assert "<title>saved</title>" in html
    assert html.count('class="wb-vega-spec"') == 2


def test_altair_cdn_charts_are_flagged(tmp_path: Path) -> None:
    cdn = '<div id="vis"></div><script>var src = "https://cdn.jsdelivr.net/npm/vega@6";</script>'
    cell = new_code_cell(
        "chart", outputs=[new_output("execute_result", data={"text/html": cdn}, execution_count=1)]
    )
    nb = new_notebook(cells=[new_markdown_cell("x"), cell])
    with pytest.warns(OfflineChartWarning, match=r"cell 1 draws a chart with Vega loaded from a CDN"):
        export_html(nb, tmp_path / "cdn.html")


def test_export_is_readable_by_others_under_the_users_umask(tmp_path: Path) -> None:
    nb = new_notebook(cells=[new_markdown_cell("# Shared report")])
    old = os.umask(0o022)
    try:
        out = export_html(nb, tmp_path / "shared" / "report.html")
        assert stat.S_IMODE(out.stat().st_mode) == 0o644  # a web server or a colleague can read it
        os.umask(0o077)
        assert stat.S_IMODE(export_html(nb, tmp_path / "private.html").stat().st_mode) == 0o600
    finally:
        os.umask(old)
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == ["report.html"]


def test_export_does_not_modify_the_notebook(executed: Any, tmp_path: Path) -> None:
    before = nbformat.writes(executed)
    with warnings.catch_warnings():
        warnings.simplefilter("error", OfflineChartWarning)
        export_html(executed, tmp_path / "again.html")
    assert nbformat.writes(executed) == before


@pytest.mark.browser
def test_charts_render_offline_and_outputs_cannot_run_scripts(page_path: Path, offline_page: Any) -> None:
    view = offline_page.page
    view.goto(page_path.resolve().as_uri())
    view.wait_for_function(
        "document.querySelectorAll('div.wb-vega[data-rendered]').length === 2", timeout=60_000
    )
    states = view.eval_on_selector_all(
        "div.wb-vega",
        "els => els.map(e => [e.getAttribute('data-rendered'), "
        "e.querySelectorAll('.wb-vega-chart svg, .wb-vega-chart canvas').length])",
    )
    assert [s for s, _ in states] == ["true", "true"], offline_page.console
    assert all(n >= 1 for _, n in states)
    assert view.evaluate("typeof window.__pwned") == "undefined"
    assert offline_page.blocked == []
