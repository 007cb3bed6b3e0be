"""Altair charts that render offline: in JupyterLab and in workbench's HTML export.

Altair 6's default renderer emits HTML whose script loads Vega from a CDN, so with no network the
chart is blank both in JupyterLab and in an exported file. :func:`enable_offline_charts` switches
Altair to a renderer that emits only the chart's spec under the Vega-Lite v5 mimetype, which
JupyterLab 4 (and VS Code) draw with the Vega they bundle, offline. The HTML export
(:func:`workbench.report.export_html`) turns every such output into a ``<div>`` plus the spec as
inert JSON, and inlines Vega, Vega-Lite and vega-embed once per document, built by
``vl-convert-python`` from the copies it ships.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

RENDERER = "workbench"
# JupyterLab 4 draws v3-v5 Vega-Lite mimetypes natively; altair 6's own "mimetype" renderer uses a
# v6 mimetype that JupyterLab does not know, so its charts show as text there.
LAB_MIMETYPE = "application/vnd.vegalite.v5+json"
_VEGA_MIMETYPE = re.compile(r"^application/vnd\.vega(lite)?\.v\d+(\+json|\.json)$")
_TEXT = "<Altair chart: drawn by JupyterLab, VS Code and workbench.report.export_html>"
_INSTALL_HINT = "pip install 'workbench[notebook]' (it brings vl-convert-python)"


def enable_offline_charts() -> Any:
    """Make Altair charts render without network access, in JupyterLab and in exported HTML.

    Call it once at the top of a notebook (it does nothing at import time). It registers and
    enables an Altair renderer named ``"workbench"``; ``alt.renderers.enable("default")`` switches
    back.

    Returns:
        Altair's plugin enabler, which also works as a context manager for a single cell.

    Example:
        >>> from workbench.report import enable_offline_charts
        >>> enable_offline_charts()                        # doctest: +SKIP
    """
    import altair as alt

    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, offline_renderer)
    return alt.renderers.enable(RENDERER)


def offline_renderer(spec: dict[str, Any], **options: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Altair renderer: the spec under the Vega-Lite v5 mimetype, plus a text fallback.

    Embed options (``alt.renderers.set_embed_options(...)``) travel in the output's metadata.
    """
    bundle = {LAB_MIMETYPE: spec, "text/plain": _TEXT}
    embed = options.get("embed_options")
    metadata = {LAB_MIMETYPE: {"embed_options": embed}} if embed else {}
    return bundle, metadata


def is_vega_mimetype(mimetype: str) -> bool:
    """Whether an output mimetype holds a Vega or Vega-Lite spec."""
    return bool(_VEGA_MIMETYPE.match(mimetype))


def chart_payload(output: Any, mimetype: str) -> str:
    """The JSON that the export's chart script reads for one output, safe inside ``<script>``.

    Chart data can hold model outputs (untrusted): ``<``, ``>`` and ``&`` are written as JSON
    escapes, so nothing in the data can close the script element or open a comment.
    """
    spec = output["data"][mimetype]
    if isinstance(spec, str):  # some front-ends store the spec as a JSON string
        spec = json.loads(spec)
    meta = (output.get("metadata") or {}).get(mimetype) or {}
    payload = {
        "mode": "vega-lite" if ".vegalite." in mimetype else "vega",
        "spec": spec,
        "embed_options": meta.get("embed_options") or {},
    }
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@functools.lru_cache(maxsize=2)
def vega_bundle(vl_version: str | None = None) -> str:
    """Vega, Vega-Lite and vega-embed plus the script that draws the export's charts, as one module.

    Built by vl-convert from the copies it ships (no network); takes a few seconds, then cached
    for the process.
    """
    try:
        import vl_convert as vlc
    except ImportError as e:
        raise ImportError(
            f"exporting a notebook with charts to offline HTML needs vl-convert-python: {_INSTALL_HINT}"
        ) from e
    if vl_version is None:
        try:  # the Vega-Lite version that the installed Altair writes
            from altair.utils._importers import vl_version_for_vl_convert

            vl_version = vl_version_for_vl_convert()
        except ImportError:
            vl_version = None
    snippet = resources.files("workbench.report").joinpath("templates/workbench/charts.js").read_text("utf-8")
    js = vlc.javascript_bundle(snippet, vl_version=vl_version)
    # Nothing in the bundle may end the <script> element it is inlined in.
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)
