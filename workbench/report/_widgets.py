"""Plain-text stand-ins for Jupyter widget outputs in the offline HTML export.

Drawing a widget needs the widget manager's JavaScript from a CDN, and a widget output's own
text/plain is its repr when it was first shown (a progress bar at "0%"). Notebooks saved by
nbclient keep every widget's final state, so simple widgets (text, labels, progress bars and
boxes of them, e.g. tqdm's bar) are rewritten as the text they last showed.
"""

from __future__ import annotations

import html
import re
from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_TEXT_MODELS = {"HTMLModel", "HTMLMathModel", "LabelModel", "TextModel", "TextareaModel"}
_PROGRESS_MODELS = {"FloatProgressModel", "IntProgressModel"}
_BOX_MODELS = {"HBoxModel": " ", "VBoxModel": "\n", "BoxModel": " "}
_TAG = re.compile(r"<[^>]*>")
_BAR = 10


def widgets_as_text(nb: Any) -> None:
    """Replace the text/plain of widget outputs by their last state's text, in place."""
    state = ((nb.metadata.get("widgets") or {}).get(WIDGET_STATE) or {}).get("state") or {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if not isinstance(view, dict):
                continue
            text = widget_text(state, str(view.get("model_id")))
            if text is not None:
                output["data"]["text/plain"] = text


def widget_text(state: dict[str, Any], model_id: str, depth: int = 0) -> str | None:
    """The text a simple widget showed, or None for a widget this cannot describe."""
    model = state.get(model_id)
    if not isinstance(model, dict) or depth > 8:
        return None
    name, values = model.get("model_name"), model.get("state") or {}
    label = _plain(values.get("description") or "")
    if name in _TEXT_MODELS:
        return " ".join(t for t in (label, _plain(str(values.get("value") or ""))) if t)
    if name in _PROGRESS_MODELS:
        top, value = float(values.get("max") or 0), float(values.get("value") or 0)
        filled = round(_BAR * value / top) if top > 0 else 0
        return " ".join(t for t in (label, "|" + "█" * filled + " " * (_BAR - filled) + "|") if t)
    if name in _BOX_MODELS:
        parts = []
        for child in values.get("children") or []:
            text = widget_text(state, str(child).removeprefix("IPY_MODEL_"), depth + 1)
            if text is None:
                return None
            parts.append(text)
        return _BOX_MODELS[name].join(p for p in parts if p)
    return None


def _plain(value: str) -> str:
    return html.unescape(_TAG.sub("", value)).replace("\u2007", " ").strip()
