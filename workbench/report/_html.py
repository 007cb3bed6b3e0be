"""Render an executed notebook to one self-contained HTML file that reads offline.

nbconvert's stock templates load require.js, MathJax, Mermaid and the Jupyter-widgets manager from
CDNs, and Altair's default renderer loads Vega from one, so an exported notebook opened offline
shows no charts. The ``workbench`` template (``templates/workbench/``) extends nbconvert's ``lab``
template without any of those, draws Vega-Lite outputs (see :mod:`workbench.report._charts`) with
a chart library inlined once per document, and sets a Content-Security-Policy under which only
that one script (allowed by its hash) runs and nothing is fetched: model outputs are untrusted,
and no ``<script>`` or event handler in an output can run in the exported page.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import os
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

from workbench._files import atomic_write_bytes
from workbench.report._charts import chart_payload, is_vega_mimetype, vega_bundle
from workbench.report._widgets import widgets_as_text

TEMPLATE = "workbench"
# What the export shows of an output, best first. Vega(-Lite) specs come first; JavaScript,
# widget views and Mermaid are left out (they need scripts from a CDN): their text/html or
# text/plain fallback is shown instead.
DISPLAY_PRIORITY = [
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "text/latex",
    "image/png",
    "image/jpeg",
    "text/plain",
]
# Altair's default (CDN) renderer writes these into its HTML output.
_CDN_CHART_MARKERS = ("cdn.jsdelivr.net/npm/vega", "vega-embed@")


class OfflineChartWarning(UserWarning):
    """An output draws a chart with a script from a CDN: it will be blank in the offline export."""


def export_html(
    notebook: Any,
    out: str | os.PathLike[str],
    *,
    title: str | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """Render an executed notebook to one self-contained HTML file (written atomically).

    The file needs no network: no CDN scripts, Altair charts drawn by an inlined copy of Vega
    (once per file, however many charts), images embedded. Charts must come from the
    ``workbench`` Altair renderer (:func:`workbench.report.enable_offline_charts`) or any other
    producer of Vega-Lite mimetype outputs; an Altair chart drawn by Altair's default renderer
    raises an :class:`OfflineChartWarning` naming its cell.

    Args:
        notebook: an executed ``nbformat`` notebook (e.g. from :func:`execute_notebook`) or the
            path of an ``.ipynb`` file.
        out: the HTML file to write (its folder is created); it gets the mode a plain ``open()``
            gives (the user's umask: 0644 under the usual 022), so others can read the report.
        title: the page title (default: the notebook's ``title`` metadata, else the file stem).
        base_dir: the folder that relative image paths in markdown cells are read from, to embed
            them (default: the notebook's folder when given a path, else the current folder).

    Returns:
        The path written.

    Example:
        >>> export_html(execute_notebook("notebooks/quickstart.ipynb"), "build/quickstart.html")  # doctest: +SKIP
    """
    import nbformat

    out = Path(out)
    if isinstance(notebook, (str, os.PathLike)):
        source = Path(notebook)
        nb = nbformat.read(source, as_version=4)
        title = title or source.stem
        base_dir = source.parent if base_dir is None else base_dir
    else:
        nb = copy.deepcopy(notebook)
    # Widget views need the widget manager from a CDN: show the text they last showed instead.
    widgets_as_text(nb)
    nb.metadata.pop("widgets", None)
    vega_types = _vega_mimetypes(nb)
    _warn_cdn_charts(nb)

    vega_js = vega_bundle() if vega_types else ""
    title = title or nb.metadata.get("title") or out.stem
    body = _render(nb, vega_types, vega_js, title, Path(base_dir) if base_dir is not None else Path.cwd())
    if vega_js and body.count(vega_js) != 1:  # the CSP hash would not match: charts would not draw
        raise RuntimeError("workbench: the inlined chart script was altered while rendering the HTML")
    atomic_write_bytes(out, body.encode("utf-8"))
    return out


def content_security_policy(script: str | None) -> str:
    """The page's CSP: only ``script`` (by its SHA-256) may run; nothing loads from the network.

    Vega compiles chart expressions with ``Function``, hence ``'unsafe-eval'`` when there are
    charts; it lets running code evaluate strings, it does not let an injected script run.
    """
    if script:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        scripts = f"'sha256-{digest}' 'unsafe-eval'"
    else:
        scripts = "'none'"
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
        "img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'"
    )


def _vega_mimetypes(nb: Any) -> list[str]:
    found: set[str] = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            found.update(m for m in output.get("data", {}) if is_vega_mimetype(m))
    # newest version first: an output carrying several is drawn from its newest spec
    return sorted(found, reverse=True)


def _warn_cdn_charts(nb: Any) -> None:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if any(is_vega_mimetype(m) for m in data):
                continue
            html = data.get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if any(marker in html for marker in _CDN_CHART_MARKERS):
                warnings.warn(
                    f"cell {index} draws a chart with Vega loaded from a CDN (Altair's default "
                    "renderer); it will be blank in the offline HTML. Call "
                    "workbench.report.enable_offline_charts() before drawing charts and re-run.",
                    OfflineChartWarning,
                    stacklevel=3,
                )


def _render(nb: Any, vega_types: list[str], vega_js: str, title: str, base_dir: Path) -> str:
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    from workbench import __version__

    config = Config({"NbConvertBase": {"display_data_priority": [*vega_types, *DISPLAY_PRIORITY]}})
    templates = resources.files("workbench.report").joinpath("templates")
    exporter = HTMLExporter(
        config=config,
        template_name=TEMPLATE,
        extra_template_basedirs=[str(templates)],
        embed_images=True,
    )
    exporter.register_filter("wb_chart_payload", chart_payload)
    res = {
        "metadata": {"name": title, "path": str(base_dir)},
        "workbench": {
            "csp": content_security_policy(vega_js or None),
            "vega_mimetypes": vega_types,
            "vega_js": vega_js,
            "version": __version__,
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=res)
    return str(body)
