"""The front-end files: untrusted text only ever as text nodes, nothing loaded from elsewhere."""

import re
import subprocess
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "workbench" / "widgets" / "static"
ESM = sorted(STATIC.glob("*.js"))

# Every DOM API that parses a string as HTML (or runs it as code).
FORBIDDEN = re.compile(
    r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser"
    r"|srcdoc|\beval\s*\(|new\s+Function|setAttribute\s*\(\s*['\"]on|\.on\w+\s*="
)


def test_the_widgets_have_their_files():
    assert [p.name for p in ESM] == ["annotator.js", "browser.js", "explorer.js"]
    assert (STATIC / "widgets.css").is_file()


@pytest.mark.parametrize("path", ESM, ids=lambda p: p.name)
def test_no_html_parsing_sinks(path):
    source = path.read_text(encoding="utf-8")
    assert not FORBIDDEN.findall(source)


@pytest.mark.parametrize("path", ESM, ids=lambda p: p.name)
def test_no_imports_or_network(path):
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"^\s*import\b|\bimport\s*\(|https?://|fetch\s*\(|XMLHttpRequest", source, re.M)
    assert "export default { render };" in source


def test_css_loads_nothing():
    for css in ("widgets.css", "annotator.css"):
        assert not re.search(r"@import|url\s*\(", (STATIC / css).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", ESM, ids=lambda p: p.name)
def test_esm_parses_when_node_is_available(path):
    node = subprocess.run(["which", "node"], capture_output=True, text=True).stdout.strip()
    if not node:
        pytest.skip("node is not installed")
    subprocess.run([node, "--check", "--input-type=module"], input=path.read_text(), text=True, check=True)
