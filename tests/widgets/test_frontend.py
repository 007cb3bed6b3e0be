"""The front-end ESM in a real Chromium, wired to the real Python widget through a stand-in comm.

The page gets a minimal anywidget model (get/set/on/off/save_changes). Whatever the front end
saves is applied to the Python widget with ``set_state``, and the widget's new state is pushed
back, as the kernel would.
"""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

import pytest

from workbench.widgets import CaseBrowser, SliceExplorer

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

FAKE_MODEL = """
window.makeModel = (state) => {
  const handlers = {};
  const model = {
    state, sent: [], pending: {},
    get: (k) => model.state[k],
    set: (k, v) => { model.state[k] = v; model.pending[k] = v; (handlers["change:" + k] || []).forEach((f) => f()); },
    save_changes: () => { model.sent.push(model.pending); model.pending = {}; },
    on: (e, f) => { (handlers[e] = handlers[e] || []).push(f); },
    off: (e, f) => { handlers[e] = (handlers[e] || []).filter((g) => g !== f); },
    update: (next) => { for (const [k, v] of Object.entries(next)) { model.state[k] = v; (handlers["change:" + k] || []).forEach((f) => f()); } },
  };
  return model;
};
"""


@pytest.fixture(scope="module")
def page():
    if CHROMIUM is None:
        if os.environ.get("WORKBENCH_SKIP_BROWSER") == "1":
            pytest.skip("WORKBENCH_SKIP_BROWSER=1")
        pytest.fail("chromium is not installed: `make test` installs it (make browser)")
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        yield page
        browser.close()


def state_of(widget: Any) -> dict[str, Any]:
    return json.loads(json.dumps({k: v for k, v in widget.get_state().items() if not k.startswith("_")}))


def mount(page: Any, widget: Any) -> None:
    page.set_content("<html><body><div id='el'></div></body></html>")
    page.add_script_tag(content=FAKE_MODEL)
    page.add_style_tag(content=widget._css)
    page.evaluate(
        """async ([src, state]) => {
            const url = URL.createObjectURL(new Blob([src], {type: "text/javascript"}));
            const mod = await import(url);
            window.model = window.makeModel(state);
            mod.default.render({model: window.model, el: document.getElementById("el")});
        }""",
        [widget._esm, state_of(widget)],
    )


def sync(page: Any, widget: Any) -> None:
    """Apply what the front end saved to the Python widget, then push the new state back."""
    for message in page.evaluate("() => { const s = window.model.sent; window.model.sent = []; return s; }"):
        widget.set_state(message)
    page.evaluate("(state) => window.model.update(state)", state_of(widget))


def test_browser_renders_untrusted_text_as_text_and_round_trips(page, cases, results, scores):
    widget = CaseBrowser(cases, results, scores)
    mount(page, widget)
    el = page.locator("#el")
    assert page.locator("#el .wb-table-wrap tbody tr").count() == 6
    assert "<script>alert('x')</script>" in el.inner_text()
    assert page.evaluate("() => document.querySelectorAll('#el script, #el img, #el svg, #el b').length") == 0

    page.locator("#el .wb-table-wrap tbody tr", has_text="c2").first.click()  # a row click selects the case
    sync(page, widget)
    assert widget.selected_id == "c2"
    assert page.locator("#el .wb-del").first.inner_text() == "5"
    assert page.locator("#el .wb-ins").first.inner_text() == "7"
    assert "m1 on c2" in page.locator("#el .wb-scores").inner_text()

    page.locator("#el .wb-tag-input").fill("billing and not intent:*")
    page.locator("#el .wb-tag-input").press("Enter")
    sync(page, widget)
    assert widget.tag_expr == "billing and not intent:*"
    assert page.locator("#el .wb-table-wrap tbody tr").count() == 1
    assert "1 of 6 cases" in page.locator("#el .wb-status").inner_text()

    page.locator("#el .wb-table-wrap tbody tr input[type=checkbox]").first.check()  # checked ids reach Python
    sync(page, widget)
    assert widget.selected == ["c2"]

    page.locator("#el .wb-tag-input").fill("billing and (")
    page.locator("#el .wb-tag-input").press("Enter")
    sync(page, widget)
    assert "invalid tag expression" in page.locator("#el .wb-error").inner_text()
    assert page.locator("#el .wb-table-wrap tbody tr").count() == 1  # the table stays as it was


def test_explorer_click_filters_a_linked_browser(page, cases, results, scores):
    browser = CaseBrowser(cases, results, scores)
    widget = SliceExplorer(scores, metric="em", cases=cases, n_resamples=200).link(browser)
    mount(page, widget)
    assert page.locator("#el tbody tr").count() == 7
    page.locator("#el tbody tr", has_text="refund").first.click()
    sync(page, widget)
    assert widget.selected_slice == "refund" and browser.tag_expr == "refund" and browser.n_filtered == 1
    assert "wb-current" in (
        page.locator("#el tbody tr", has_text="refund").first.get_attribute("class") or ""
    )
