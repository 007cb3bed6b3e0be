"""The package surface: lazy widget classes, and a clear error when anywidget is missing."""

import json
import subprocess
import sys

import workbench.widgets as widgets


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_importing_the_package_does_not_load_anywidget():
    out = run(
        "import sys, json, workbench.widgets as w; "
        "print(json.dumps([m for m in ('anywidget', 'ipywidgets') if m in sys.modules] + [w.word_diff('a', 'b')[0]['op']]))"
    )
    assert json.loads(out.stdout) == ["del"], out.stderr


def test_missing_anywidget_says_what_to_install():
    out = run("import sys; sys.modules['anywidget'] = None\nfrom workbench.widgets import CaseBrowser")
    assert out.returncode == 1
    assert (
        "ImportError: workbench.widgets.CaseBrowser needs anywidget, which is not installed: " in out.stderr
    )
    assert "pip install 'workbench[notebook]'" in out.stderr


def test_public_names():
    assert widgets.__all__ == ["Annotator", "CaseBrowser", "SliceExplorer", "word_diff"]
    assert widgets.CaseBrowser.__name__ == "CaseBrowser" and widgets.SliceExplorer.__name__ == "SliceExplorer"
