"""The offline Altair renderer and the chart payload inlined in exported HTML."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from workbench.report import enable_offline_charts
from workbench.report._charts import (
    LAB_MIMETYPE,
    RENDERER,
    chart_payload,
    is_vega_mimetype,
    offline_renderer,
    vega_bundle,
)

SPEC = {
    "mark": "bar",
    "data": {"values": [{"a": 1}]},
    "encoding": {"x": {"field": "a", "type": "quantitative"}},
}


@pytest.fixture
def altair() -> Iterator[object]:
    import altair as alt

    before = alt.renderers.active
    yield alt
    alt.renderers.enable(before)


def test_renderer_emits_the_spec_under_jupyterlabs_mimetype() -> None:
    bundle, metadata = offline_renderer(SPEC)
    assert bundle[LAB_MIMETYPE] is SPEC
    assert LAB_MIMETYPE == "application/vnd.vegalite.v5+json"
    assert bundle["text/plain"].startswith("<Altair chart")
    assert metadata == {}


def test_renderer_keeps_embed_options_in_metadata() -> None:
    _, metadata = offline_renderer(SPEC, embed_options={"actions": False})
    assert metadata == {LAB_MIMETYPE: {"embed_options": {"actions": False}}}


def test_enable_offline_charts_switches_altair(altair: object) -> None:
    import altair as alt

    enable_offline_charts()
    assert alt.renderers.active == RENDERER
    chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_bar().encode(x="a:Q")
    bundle = chart._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert set(data) == {LAB_MIMETYPE, "text/plain"}
    assert data[LAB_MIMETYPE]["mark"] == {"type": "bar"}
    assert "https://" not in json.dumps({k: v for k, v in data[LAB_MIMETYPE].items() if k != "$schema"})
    enable_offline_charts()  # a second call is harmless
    assert alt.renderers.active == RENDERER


@pytest.mark.parametrize(
    ("mimetype", "expected"),
    [
        ("application/vnd.vegalite.v5+json", True),
        ("application/vnd.vegalite.v6.json", True),  # what altair 6's "mimetype" renderer writes
        ("application/vnd.vega.v5+json", True),
        ("application/vnd.vegalite.v5+json+x", False),
        ("text/html", False),
        ("application/json", False),
    ],
)
def test_is_vega_mimetype(mimetype: str, expected: bool) -> None:
    assert is_vega_mimetype(mimetype) is expected


def test_payload_cannot_break_out_of_its_script_element() -> None:
    hostile = "</script><script>alert(1)</script><!-- & \u2028"
    spec = {"mark": "text", "data": {"values": [{"t": hostile}]}}
    output = {
        "data": {LAB_MIMETYPE: spec},
        "metadata": {LAB_MIMETYPE: {"embed_options": {"renderer": "svg"}}},
    }
    text = chart_payload(output, LAB_MIMETYPE)
    assert not set(text) & {"<", ">", "&", "\u2028"}
    assert json.loads(text) == {"mode": "vega-lite", "spec": spec, "embed_options": {"renderer": "svg"}}


def test_payload_of_a_vega_spec_stored_as_a_string() -> None:
    output = {"data": {"application/vnd.vega.v5+json": json.dumps({"marks": []})}}
    assert json.loads(chart_payload(output, "application/vnd.vega.v5+json")) == {
        "mode": "vega",
        "spec": {"marks": []},
        "embed_options": {},
    }


def test_bundle_is_self_contained() -> None:
    js = vega_bundle()
    assert "</script" not in js.lower()
    assert "import(" not in js and not js.lstrip().startswith("import ")
    assert "wb-vega-spec" in js  # the drawing script is part of the one bundle
    assert vega_bundle() is js  # built once per process
