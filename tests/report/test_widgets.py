"""Widget outputs shown as the text their saved state last showed."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook, new_output

from workbench.report._widgets import WIDGET_STATE, WIDGET_VIEW, widget_text, widgets_as_text


def _model(name: str, **state: object) -> dict[str, object]:
    return {"model_name": name, "model_module": "@jupyter-widgets/controls", "state": state}


TQDM = {
    "box": _model("HBoxModel", children=["IPY_MODEL_left", "IPY_MODEL_bar", "IPY_MODEL_right"]),
    "left": _model("HTMLModel", value="100%", description=""),
    "bar": _model("FloatProgressModel", value=3.0, max=3.0),
    "right": _model("HTMLModel", value="\u20073/3\u2007[00:00&lt;00:00,\u2007165.87it/s]"),
    "half": _model("IntProgressModel", value=1, max=2, description="<b>load</b>"),
    "custom": _model("AnyModel", value="x"),
    "mixed": _model("VBoxModel", children=["IPY_MODEL_left", "IPY_MODEL_custom"]),
}


def test_tqdm_bar_reads_as_its_final_text() -> None:
    assert widget_text(TQDM, "box") == "100% |██████████| 3/3 [00:00<00:00, 165.87it/s]"


def test_progress_with_a_label() -> None:
    assert widget_text(TQDM, "half") == "load |█████     |"


def test_unknown_widgets_are_not_described() -> None:
    assert widget_text(TQDM, "custom") is None
    assert widget_text(TQDM, "mixed") is None
    assert widget_text(TQDM, "missing") is None


def test_widgets_as_text_rewrites_text_plain_only_when_it_can() -> None:
    outputs = [
        new_output("display_data", data={WIDGET_VIEW: {"model_id": "box"}, "text/plain": "  0%|"}),
        new_output("display_data", data={WIDGET_VIEW: {"model_id": "custom"}, "text/plain": "Custom()"}),
    ]
    nb = new_notebook(cells=[new_code_cell("x", outputs=outputs)])
    nb.metadata["widgets"] = {WIDGET_STATE: {"state": TQDM, "version_major": 2, "version_minor": 0}}
    widgets_as_text(nb)
    texts = [o["data"]["text/plain"] for o in nb.cells[0].outputs]
    assert texts == ["100% |██████████| 3/3 [00:00<00:00, 165.87it/s]", "Custom()"]
