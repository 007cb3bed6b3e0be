"""The static HTML snapshots escape every untrusted string (cases, outputs, filters, errors)."""

from html.parser import HTMLParser

import polars as pl
import pytest

from workbench.widgets import CaseBrowser, SliceExplorer
from workbench.widgets._snapshot import active_filters, browser_html, estimate_text

ALLOWED_TAGS = {
    "div",
    "style",
    "p",
    "b",
    "code",
    "pre",
    "i",
    "small",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>']


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data):
        self.text.append(data)


def parse(html_text):
    parser = Collect()
    parser.feed(html_text)
    return parser


def assert_inert(html_text):
    parsed = parse(html_text)
    assert set(parsed.tags) <= ALLOWED_TAGS, set(parsed.tags) - ALLOWED_TAGS
    assert set(parsed.attrs) <= {"class"}, parsed.attrs
    return "".join(parsed.text)


@pytest.fixture
def hostile():
    n = len(PAYLOADS)
    cases = pl.DataFrame({
        "case_id": [f"id{p}" for p in PAYLOADS], "input": PAYLOADS, "reference": PAYLOADS[::-1],
        "tags": [[p] for p in PAYLOADS], "note": PAYLOADS,
    })  # fmt: skip
    results = pl.DataFrame({"case_id": [f"id{p}" for p in PAYLOADS], "model": [PAYLOADS[0]] * n,
                            "variant": [PAYLOADS[1]] * n, "output": PAYLOADS})  # fmt: skip
    scores = pl.DataFrame({"case_id": [f"id{p}" for p in PAYLOADS], "model": [PAYLOADS[0]] * n,
                           "variant": [PAYLOADS[1]] * n, "metric": PAYLOADS[2], "value": 0.5,
                           "rationale": PAYLOADS})  # fmt: skip
    return cases, results, scores


def test_browser_snapshot_escapes_case_texts_and_shows_counts(hostile):
    browser = CaseBrowser(*hostile)
    html_text = browser.to_html()
    text = assert_inert(html_text)
    for payload in PAYLOADS:
        assert payload in text  # shown as text, not markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    assert "CaseBrowser: 3 of 3 cases · page 1 of 1 · 3 shown" in text
    assert "Filters: none" in text


def test_browser_snapshot_escapes_filters_and_errors(hostile):
    browser = CaseBrowser(*hostile)
    browser.set_state({"query": PAYLOADS[1], "metadata": {"note": PAYLOADS[2]}})
    browser.set_state({"tag_expr": "<script>"})  # invalid: the error message quotes it
    text = assert_inert(browser.to_html())
    assert "CaseBrowser: 0 of 3 cases" in text
    assert f"text contains: {PAYLOADS[1]!r}" in text
    assert "invalid tag expression" in text and "<script>" in text
    data, _ = browser._repr_mimebundle_()
    assert_inert(data["text/html"])


def test_browser_snapshot_of_the_toy_set(cases, results, scores):
    browser = CaseBrowser(
        cases, results, scores, tag_expr="billing", score_filter={"metric": "em", "op": "failed"}
    )
    text = assert_inert(browser.to_html())
    assert "CaseBrowser: 2 of 6 cases · page 1 of 1 · 2 shown" in text
    assert "tags: billing" in text and "score em (any model) failed" in text
    assert "Refunds take 7 days." in text
    browser.set_state({"tag_expr": "intent:cancel", "score_filter": {}})
    text = assert_inert(browser.to_html())
    assert "error: Timeout" in text  # a failed call is shown as its error, not as an empty cell


def test_empty_result_says_so():
    html_text = browser_html(columns=[], rows=[], n_total=5, n_filtered=0, page=0, n_pages=1, filters=[])
    assert "No case matches the filters." in html_text


def test_active_filters_text():
    assert active_filters(" a and b ", "", {"tier": ["pro"], "x": []}, {"metric": "em", "op": "<", "value": 0.5}) == [
        "tags: a and b", 'tier = ["pro"]', "score em (any model) < 0.5",
    ]  # fmt: skip


def test_explorer_snapshot_escapes_slice_and_model_names():
    summary = pl.DataFrame({
        "metric": PAYLOADS[2], "model": [PAYLOADS[0], PAYLOADS[1]], "slice": [PAYLOADS[1], PAYLOADS[1]],
        "n": [4, 4], "n_missing": 0, "mean": [0.25, 0.75], "ci_lo": [0.0, 0.5], "ci_hi": [0.5, 1.0],
    })  # fmt: skip
    explorer = SliceExplorer(summary)
    explorer.set_state({"selected_slice": PAYLOADS[1]})
    text = assert_inert(explorer.to_html())
    assert PAYLOADS[0] in text and PAYLOADS[1] in text
    assert "0.25 [0, 0.5] n=4" in text and "0.75 [0.5, 1] n=4" in text
    data, _ = explorer._repr_mimebundle_()
    assert_inert(data["text/html"])


def test_estimate_text():
    assert estimate_text({"est": 0.5, "lo": None, "hi": None, "n": 1}) == "0.5 n=1"
    assert estimate_text({"est": None, "n": 0, "note": "empty slice"}) == "– n=0 (empty slice)"


def test_snapshot_cells_are_escaped_and_cut_by_the_shared_html_cell():
    from workbench._html import MAX_CELL, cell

    long_model = "<b>" + "m" * 1000
    summary = pl.DataFrame({"metric": "em", "model": [long_model], "slice": ["s"], "n": [2], "n_missing": 0,
                            "mean": [0.5], "ci_lo": [0.0], "ci_hi": [1.0]})  # fmt: skip
    html_text = SliceExplorer(summary).to_html()
    assert f"<th>{cell(long_model)}</th>" in html_text  # the one escaping and cutting of every table
    assert len(cell(long_model)) < MAX_CELL + 10 and cell(long_model).endswith("…")
    assert long_model not in assert_inert(html_text)
