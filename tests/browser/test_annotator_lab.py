"""The Annotator in a real JupyterLab, in a real Chromium: labels survive a killed kernel.

The notebook written here builds four outputs by hand (no model call), opens an ``Annotator`` on
them with its label store in a temporary project, and writes its kernel's pid beside the store.
The test labels three items in the browser (one click, two keyboard shortcuts), kills the kernel
with SIGKILL, and reads the label store from this process.
"""

from __future__ import annotations

import os
import re
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import psutil
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO, LabServer
from workbench.labels import LabelStore
from workbench.labels._queue import queue_sample

pytestmark = pytest.mark.browser

CASES = [
    {"id": "c1", "input": "How do I reset my password?", "reference": "Click Forgot password."},
    {
        "id": "c2",
        "input": "Refund for invoice 42",
        "reference": "Refunds take 5 days.",
        "context": ["Refunds: 5 days."],
    },
    {"id": "c3", "input": "Can I upgrade?", "reference": "Yes, in Settings."},
    {"id": "c4", "input": "<b>Bonjour</b>", "reference": "Hello"},
]
OUTPUTS = ["Use Forgot password.", "Refunds take a week.", "<img src=x onerror=window.__pwned=1>", "Hi"]
SCREENSHOT = REPO / "build" / "screenshots" / "annotator_lab.png"
PENDING = re.compile(r"\bwb-ann-pending\b")  # a label sent, its "saved" not yet back: keys are ignored
RIVAL = ["Reset it in Settings.", "Refunds take 5 days.", "Yes.", "Hello"]


def notebook_cells(project: Path) -> list[str]:
    return [
        f"""\
import os
from pathlib import Path

import polars as pl
from workbench.cases import load_cases
from workbench.labels import queue_sample
from workbench.metrics import Rubric
from workbench.widgets import Annotator

PROJECT = {str(project)!r}
Path(PROJECT, "kernel.pid").write_text(str(os.getpid()))
cases = load_cases({CASES!r})
results = pl.DataFrame({{
    "run_id": "run-1", "case_id": ["c1", "c2", "c3", "c4"], "model": "toy", "variant": "base",
    "sample": 0, "output": {OUTPUTS!r},
}})
helpful = Rubric("Does the answer solve the customer's problem?", scale=(1, 5), name="helpful",
                 guidance={{1: "wrong or harmful", 5: "correct and complete"}})
queue = queue_sample(results, 4)
ann = Annotator(queue, cases, results, rubric=helpful, rater="ana", project=PROJECT)
ann""",
        f"""\
from workbench.labels import queue_pairs

rival = results.with_columns(pl.lit("rival").alias("model"), pl.Series("output", {RIVAL!r}))
pairs = queue_pairs(pl.concat([results, rival]), "toy", "rival")
Annotator(pairs, cases, pl.concat([results, rival]), rubric=helpful, rater="bo", mode="pairwise", project=PROJECT)""",
    ]


@pytest.fixture
def annotator_notebook(lab_server: LabServer, tmp_path: Path) -> tuple[str, Path]:
    project = tmp_path / "project"
    project.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in notebook_cells(project)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lab_server.root / "annotator.ipynb")
    return "annotator.ipynb", project


def test_labels_given_in_lab_survive_a_killed_kernel(open_notebook, annotator_notebook):
    notebook, project = annotator_notebook
    lab = open_notebook(notebook)
    lab.run_all(timeout_s=300)
    lab.check_ran_cleanly()

    widgets = lab.page.locator(".jp-OutputArea-output .wb-annotator")
    expect(widgets).to_have_count(2)
    widget = widgets.nth(0)
    progress = widget.locator(".wb-ann-progress")
    where = widget.locator(".wb-ann-where")
    expect(progress).to_have_text("0 / 4 labelled")
    expect(widget.locator(".wb-ann-input")).to_have_text(CASES[0]["input"])
    expect(widget.locator(".wb-ann-output-text")).to_have_text(OUTPUTS[0])
    assert "toy" not in widget.inner_text()  # blind: the model's name is not shown
    before = datetime.now(UTC)

    # item 1 by mouse, with a note typed key by key (letters and digits are text there, not shortcuts)
    widget.locator(".wb-ann-note").press_sequentially("a bit terse, 4/5")
    widget.locator('.wb-ann-choice[data-choice="4"]').click()
    expect(progress).to_have_text("1 / 4 labelled")
    expect(widget).not_to_have_class(PENDING)
    expect(where).to_contain_text("item 2 of 4 · case c2")
    # items 2 and 3 by keyboard shortcuts, right after the click (the widget keeps the focus)
    lab.page.keyboard.press("2")
    expect(progress).to_have_text("2 / 4 labelled")
    expect(widget).not_to_have_class(PENDING)
    expect(where).to_contain_text("item 3 of 4 · case c3")
    expect(widget.locator(".wb-ann-output-text")).to_have_text(OUTPUTS[2])  # markup shown as text
    lab.page.keyboard.press("5")
    expect(progress).to_have_text("3 / 4 labelled")  # the kernel answers only after the commit
    expect(where).to_contain_text("item 4 of 4 · case c4")
    after = datetime.now(UTC)

    # pairwise, blind: "a" picks the left output, "t" a tie; the store keeps the sorted pair
    pair = widgets.nth(1)
    pair_progress = pair.locator(".wb-ann-progress")
    expect(pair_progress).to_have_text("0 / 4 labelled")
    assert "toy" not in pair.inner_text() and "rival" not in pair.inner_text()
    lefts = []
    for key, n in (("a", 1), ("b", 2), ("t", 3)):
        left = pair.locator(".wb-ann-output-text").first.inner_text()
        lefts.append("rival" if left in RIVAL else "toy")
        if n == 1:
            pair.focus()
        lab.page.keyboard.press(key)
        expect(pair_progress).to_have_text(f"{n} / 4 labelled")
        expect(pair).not_to_have_class(PENDING)  # the kernel said "saved": the next key counts

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    pair.scroll_into_view_if_needed()
    lab.page.screenshot(path=str(SCREENSHOT))

    # the keys went to the widget, not to the notebook shortcuts (1-6 make a heading, a/b insert a cell)
    cell_types = lab.page.evaluate(
        "(path) => " + lab._panel_js + ".content.widgets.map((c) => c.model.type)", notebook
    )
    assert cell_types == ["code", "code"]  # and "a"/"b" inserted no cell
    assert lab.page.evaluate("() => typeof window.__pwned") == "undefined"
    assert widget.locator("img, script").count() == 0

    pid = int((project / "kernel.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, f"kernel {pid} still alive after SIGKILL"
        time.sleep(0.1)

    store = LabelStore(project)
    pairwise = store.table(latest=False, kind="pairwise")
    assert pairwise.select("case_id", "model_a", "model_b", "rater").rows() == [
        ("c1", "rival/base", "toy/base", "bo"),
        ("c2", "rival/base", "toy/base", "bo"),
        ("c3", "rival/base", "toy/base", "bo"),
    ]
    # "a" (left better) names the left model; "b" the right one; the shown order is recorded
    winners = [lefts[0], "toy" if lefts[1] == "rival" else "rival"]
    for row, winner, left in zip(pairwise.rows(named=True), [*winners, None], lefts, strict=True):
        assert row["shown_first"] == ("a" if left == "rival" else "b")
        if winner is None:
            assert (row["label"], row["value"]) == ("tie", 0.5)
        else:
            assert row["label"] == ("a" if winner == "rival" else "b")
    rows = store.table(latest=False, kind="single")
    assert rows.get_column("note").to_list() == ["a bit terse, 4/5", None, None]
    assert rows.select(
        "run_id",
        "case_id",
        "kind",
        "model",
        "variant",
        "sample",
        "criterion",
        "rater",
        "label",
        "value",
        "blind",
    ).rows() == [
        ("run-1", "c1", "single", "toy", "base", 0, "helpful", "ana", "4", 4.0, True),
        ("run-1", "c2", "single", "toy", "base", 0, "helpful", "ana", "2", 2.0, True),
        ("run-1", "c3", "single", "toy", "base", 0, "helpful", "ana", "5", 5.0, True),
    ]
    stamps = rows.get_column("created_at").to_list()
    assert stamps == sorted(stamps)
    assert all(before <= s <= after for s in stamps)
    assert store.raters() == ["ana", "bo"]
    # a new session for the same rater resumes at the one item left
    import polars as pl

    results = pl.DataFrame({"run_id": "run-1", "case_id": ["c1", "c2", "c3", "c4"], "model": "toy",
                            "variant": "base", "sample": 0, "output": OUTPUTS})  # fmt: skip
    queue = queue_sample(results, 4)
    assert store.progress(queue, "ana", "helpful") == {"labelled": 3, "total": 4, "remaining": 1}
    assert store.remaining(queue, "ana", "helpful").get_column("case_id").to_list() == ["c4"]
