"""The notebooks and the case browser in a real JupyterLab, in a real Chromium, with a real kernel.

``case_browser.ipynb`` is written here into the lab's root: a ``CaseBrowser`` on the demo golden set
(no model run) and one on two cases carrying an HTML/script payload. The quickstart test runs
``notebooks/quickstart.ipynb`` as a user would, on the local model, and filters its case browser.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO, LabServer

pytestmark = pytest.mark.browser

PAGE_SIZE = 50  # CaseBrowser's default
PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
SCREENSHOT = REPO / "build" / "screenshots" / "quickstart_lab.png"
STATUS = re.compile(r"^([\d,]+) of ([\d,]+) cases")

CASE_BROWSER_CELLS = [
    """\
import workbench as wb

cases = wb.load_cases("../data/support_golden.jsonl")
wb.CaseBrowser(cases)""",
    f"""\
import polars as pl

PAYLOAD = {PAYLOAD!r}
hostile = wb.load_cases([
    {{"id": "xss-1", "input": PAYLOAD, "reference": "Hello there", "tags": ["hostile", PAYLOAD], "channel": PAYLOAD}},
    {{"id": "ok-1", "input": "Hello", "reference": "Hello there", "tags": ["benign"], "channel": "chat"}},
])
results = pl.DataFrame({{"case_id": ["xss-1", "ok-1"], "model": ["toy", "toy"], "output": [PAYLOAD, "Hello there"]}})
scores = pl.DataFrame({{
    "case_id": ["xss-1", "ok-1"], "model": ["toy", "toy"], "metric": ["exact", "exact"],
    "value": [0.0, 1.0], "rationale": [PAYLOAD, "same"],
}})
wb.CaseBrowser(hostile, results, scores)""",
]

QUICKSTART_CELL = """\
browser = wb.CaseBrowser(subset, run.results, scores)  # or `cases`; `scores` from the scoring cell
browser"""


def golden_counts() -> tuple[int, int]:
    """(number of cases, number tagged intent:billing) in data/support_golden.jsonl."""
    lines = (REPO / "data" / "support_golden.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return len(rows), sum("intent:billing" in row["tags"] for row in rows)


def status_of(n: int, total: int) -> str:
    return f"{n:,} of {total:,} cases · page 1 of {max(1, math.ceil(n / PAGE_SIZE))}"


def row_tags(widget: Any) -> list[list[str]]:
    return [row.locator(".wb-tag").all_inner_texts() for row in widget.locator("tbody tr.wb-row").all()]


@pytest.fixture
def case_browser_notebook(lab_server: LabServer) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CASE_BROWSER_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lab_server.root / "case_browser.ipynb")
    return "case_browser.ipynb"


def test_case_browser_filters_in_lab(open_notebook, case_browser_notebook, blocked_requests):
    lab = open_notebook(case_browser_notebook)
    expect(lab.page.locator(".jp-Notebook")).to_be_visible()  # the lab loads with off-host requests blocked
    print(f"requests blocked (not to 127.0.0.1): {len(blocked_requests)} {blocked_requests[:5]}")
    lab.run_all(timeout_s=300)
    lab.check_ran_cleanly()

    total, n_billing = golden_counts()
    widget = lab.page.locator(".jp-OutputArea-output .wb-browser").nth(0)
    status = widget.locator(".wb-status")
    expect(status).to_have_text(status_of(total, total))
    expect(widget.locator("tbody tr.wb-row")).to_have_count(min(total, PAGE_SIZE))

    # typed, not submitted: the front end sends the expression to the kernel when typing pauses
    widget.locator(".wb-tag-input").press_sequentially("intent:billing")
    expect(status).to_have_text(status_of(n_billing, total))
    expect(widget.locator("tbody tr.wb-row")).to_have_count(min(n_billing, PAGE_SIZE))
    assert all("intent:billing" in tags for tags in row_tags(widget))

    widget.locator(".wb-tag-input").fill("intent:billing and (")
    widget.locator(".wb-tag-input").press("Enter")
    expect(widget.locator(".wb-error")).to_contain_text("invalid tag expression")
    # an invalid expression is reported and leaves the table as it was
    expect(status).to_have_text(status_of(n_billing, total))


def test_case_browser_shows_html_payloads_as_text_in_lab(open_notebook, case_browser_notebook):
    lab = open_notebook(case_browser_notebook)
    requested: list[str] = []
    lab.page.on("request", lambda r: requested.append(r.url))
    lab.run_all(timeout_s=300)
    lab.check_ran_cleanly()

    widget = lab.page.locator(".jp-OutputArea-output .wb-browser").nth(1)
    expect(widget.locator("tbody tr.wb-row")).to_have_count(2)
    widget.locator("tbody tr.wb-row", has_text="xss-1").locator(".wb-cell-id").click()
    detail = widget.locator(".wb-detail")
    expect(detail.locator(".wb-detail-head b")).to_have_text("xss-1")
    expect(detail.locator(".wb-section").first.locator(".wb-text")).to_have_text(PAYLOAD)  # the input
    expect(detail.locator(".wb-scores")).to_contain_text(PAYLOAD)  # the rationale
    expect(detail.locator(".wb-meta")).to_contain_text(f"channel: {PAYLOAD}")
    assert PAYLOAD in widget.locator("tbody tr.wb-row", has_text="xss-1").inner_text()

    lab.page.wait_for_timeout(1000)  # room for an injected <img> to fail to load and fire onerror
    assert lab.page.evaluate("() => typeof window.__pwned") == "undefined"
    assert widget.locator("img, script, svg, iframe").count() == 0
    assert [u for u in requested if urlsplit(u).path.endswith("/x")] == []  # no <img src=x> was ever made


def quickstart_has_case_browser(path: Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    return any(c.cell_type == "code" and "CaseBrowser(" in c.source for c in nb.cells)


@pytest.mark.timeout(1800)
def test_quickstart_runs_in_lab_and_browser_filters(request, lab_server):
    assert quickstart_has_case_browser(lab_server.root / "quickstart.ipynb"), (
        "notebooks/quickstart.ipynb has no cell showing a CaseBrowser; after the scoring cell add:\n"
        + QUICKSTART_CELL
    )
    lab = request.getfixturevalue("open_notebook")("quickstart.ipynb")  # the browser starts only now
    lab.run_all(timeout_s=1500)  # the local model on a slow CPU
    lab.check_ran_cleanly()

    widget = lab.page.locator(".jp-OutputArea-output .wb-browser")
    expect(widget).to_have_count(1)
    status = widget.locator(".wb-status")
    expect(status).to_have_text(STATUS)
    before = status.inner_text()
    n_before = int(STATUS.match(before).group(1).replace(",", ""))

    widget.locator(".wb-tag-input").fill("intent:billing")
    widget.locator(".wb-tag-input").press("Enter")
    expect(status).not_to_have_text(before)
    n_after = int(STATUS.match(status.inner_text()).group(1).replace(",", ""))
    assert 0 < n_after < n_before
    expect(widget.locator("tbody tr.wb-row")).to_have_count(min(n_after, PAGE_SIZE))
    assert all("intent:billing" in tags for tags in row_tags(widget))

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    widget.scroll_into_view_if_needed()
    lab.page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert SCREENSHOT.stat().st_size > 20_000
