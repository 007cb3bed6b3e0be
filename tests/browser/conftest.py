"""A real JupyterLab server and a real Chromium (Debian's, driven by Playwright) for end-to-end tests.

``lab_server`` starts ``jupyter lab`` once per session on 127.0.0.1 with a random token, in a
temporary folder laid out like the repository (``notebooks/`` beside ``data/``, so the notebooks'
``../data`` paths work), with its own Jupyter config, settings, workspaces and workbench store.
``page`` is a fresh Chromium profile per test whose requests to anywhere but 127.0.0.1 are blocked
and recorded in ``blocked_requests``. ``LabPage`` opens a notebook, runs it and reads its outputs
through the ``window.jupyterapp`` object (``--LabApp.expose_app_in_browser``).

Playwright cannot download a browser here: it drives ``/usr/bin/chromium`` (``make browser``, part
of ``make test``, installs it). A missing Chromium fails these tests unless
``WORKBENCH_SKIP_BROWSER=1`` is set.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 180
LAB_LOAD_TIMEOUT_MS = 180_000
UI_TIMEOUT_MS = 60_000

# JupyterLab user settings: every cell stays in the DOM (no virtual scrolling), nothing is saved
# behind the test's back, and no news or update toast covers the page.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def chromium_or_fail() -> str:
    """The Chromium executable; fails (or skips with ``WORKBENCH_SKIP_BROWSER=1``) when absent."""
    path = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if path:
        return path
    message = (
        f"Chromium is not installed (looked for {CHROMIUM} and `chromium` on PATH). "
        "`make test` installs it (its `browser` target runs `apt-get install chromium`); "
        "set WORKBENCH_SKIP_BROWSER=1 to skip the browser tests instead."
    )
    if os.environ.get("WORKBENCH_SKIP_BROWSER") == "1":
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: ``url`` (no trailing slash), ``token``, ``root`` (its root_dir) and ``log``."""

    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen[bytes]

    def lab_url(self, notebook: str) -> str:
        # One JupyterLab workspace per notebook: the default workspace would restore every notebook
        # an earlier test left open, and their panels would clash with this test's.
        workspace = "wb-" + "".join(c if c.isalnum() else "-" for c in notebook)
        return f"{self.url}/lab/workspaces/{workspace}/tree/{notebook}?token={self.token}"

    def log_tail(self, n_chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n_chars:]


def _wait_until_up(url: str, token: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            pytest.fail(
                f"jupyter lab exited with code {proc.returncode} before answering; log {log}:\n"
                + log.read_text(errors="replace")[-4000:],
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"jupyter lab did not answer {url}/api/status within {SERVER_START_TIMEOUT_S} s; log {log}:\n"
                + log.read_text(errors="replace")[-4000:],
                pytrace=False,
            )
        time.sleep(0.25)


def _stop(proc: subprocess.Popen[bytes], url: str, token: str) -> None:
    """Shut the server down through its API (which stops the kernels), then kill what is left."""
    import psutil  # a dependency of ipykernel

    try:
        tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        tree = []
    try:
        request = urllib.request.Request(f"{url}/api/shutdown?token={token}", method="POST")
        urllib.request.urlopen(request, timeout=10).close()
        proc.wait(timeout=30)
    except (urllib.error.URLError, ConnectionError, TimeoutError, subprocess.TimeoutExpired):
        pass
    alive = [p for p in tree if p.is_running()]
    for p in alive:
        try:
            p.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(alive, timeout=10)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=10)


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """A real JupyterLab on 127.0.0.1 serving a temporary copy of ``notebooks/`` (and ``data/`` beside it)."""
    chromium_or_fail()  # no point starting a server that no browser will open
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(REPO / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(REPO / "data", base / "data")
    jupyter = base / "jupyter"
    settings = jupyter / "user-settings"
    for name, values in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    (base / "home").mkdir()
    port, token = _free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "WORKBENCH_HOME": str(base / "home"),
        # the kernelspec runs `python`: make it this interpreter
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "JUPYTER_CONFIG_DIR": str(jupyter / "config"),
        "JUPYTER_DATA_DIR": str(jupyter / "data"),
        "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"),
        "IPYTHONDIR": str(jupyter / "ipython"),
    }
    cmd = [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={jupyter / 'workspaces'}",
        "--ServerApp.terminals_enabled=False",
    ]  # fmt: skip
    if os.geteuid() == 0:  # CI containers run as root; jupyter refuses that unless told
        cmd.append("--allow-root")
    log = base / "jupyter-lab.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(url, token, proc, log)
        yield LabServer(url=url, token=token, root=root, log=log, process=proc)
    finally:
        _stop(proc, url, token)


@pytest.fixture
def blocked_requests() -> list[str]:
    """URLs the ``page`` fixture refused to load (anything not on 127.0.0.1)."""
    return []


@pytest.fixture
def page(tmp_path: Path, blocked_requests: list[str]) -> Iterator[Any]:
    """A Playwright page in a fresh Chromium profile; requests off 127.0.0.1 are aborted and recorded."""
    executable = chromium_or_fail()
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: `make test` installs the dev extras", pytrace=False)

    def gate(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked_requests.append(url)
            route.abort()

    expect.set_options(timeout=UI_TIMEOUT_MS)  # a widget change is a round trip through a busy kernel
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.route("**/*", gate)
            yield page
        finally:
            context.close()


class LabPage:
    """A notebook open in JupyterLab, driven through ``window.jupyterapp``."""

    def __init__(self, page: Any, server: LabServer, notebook: str) -> None:
        self.page, self.server, self.notebook = page, server, notebook
        self.page_errors: list[str] = []
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def open(self) -> LabPage:
        """Load the notebook and wait until its kernel is idle."""
        self.page.goto(self.server.lab_url(self.notebook), timeout=LAB_LOAD_TIMEOUT_MS)
        self.page.wait_for_function("() => window.jupyterapp !== undefined", timeout=LAB_LOAD_TIMEOUT_MS)
        self.page.evaluate(
            """async (path) => {
                const app = window.jupyterapp;
                await app.restored;
                let panel;
                for (let i = 0; i < 600 && !panel; i++) {
                    panel = Array.from(app.shell.widgets("main")).find((w) => w.context && w.context.path === path);
                    if (!panel) await new Promise((r) => setTimeout(r, 100));
                }
                if (!panel) throw new Error("no notebook panel for " + path);
                await panel.context.ready;
                await panel.sessionContext.ready;
                app.shell.activateById(panel.id);
            }""",
            self.notebook,
        )
        self.page.wait_for_function(
            "(path) => " + self._panel_js + "?.sessionContext.session?.kernel?.status === 'idle'",
            arg=self.notebook,
            timeout=LAB_LOAD_TIMEOUT_MS,
        )
        return self

    @property
    def _panel_js(self) -> str:
        return 'Array.from(window.jupyterapp.shell.widgets("main")).find((w) => w.context && w.context.path === path)'

    def run_all(self, timeout_s: float) -> None:
        """Run every cell (``notebook:run-all-cells``) and wait until the last reply came back."""
        self.page.evaluate(
            """() => {
                window.__runAll = undefined;
                window.jupyterapp.commands.execute("notebook:run-all-cells").then(
                    (ok) => { window.__runAll = { ok: ok !== false }; },
                    (e) => { window.__runAll = { ok: false, error: String(e) }; },
                );
            }"""
        )
        self.page.wait_for_function(
            "(path) => window.__runAll !== undefined"
            " && " + self._panel_js + "?.sessionContext.session?.kernel?.status === 'idle'"
            " && !Array.from(document.querySelectorAll('.jp-InputPrompt')).some((p) => p.textContent.includes('[*]'))",
            arg=self.notebook,
            timeout=timeout_s * 1000,
            polling=500,
        )

    def errors(self) -> list[str]:
        """Error outputs of the notebook's cells (``cell i: EName: value``), from the cell models."""
        return self.page.evaluate(
            "(path) => { const panel = " + self._panel_js + ";"
            """ const out = [];
                panel.content.widgets.forEach((cell, i) => {
                    if (cell.model.type !== "code") return;
                    for (const o of cell.model.outputs.toJSON()) {
                        if (o.output_type === "error") out.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
                    }
                });
                return out;
            }""",
            self.notebook,
        )

    def unexecuted_cells(self) -> list[int]:
        """Indices of non-empty code cells with no execution count (e.g. after an error stopped the run)."""
        return self.page.evaluate(
            "(path) => " + self._panel_js + ".content.widgets"
            ".map((c, i) => [c.model.type === 'code' && c.model.sharedModel.getSource().trim() !== '', c.model.executionCount, i])"
            ".filter(([code, n]) => code && !n).map(([, , i]) => i)",
            self.notebook,
        )

    def check_ran_cleanly(self) -> None:
        """Fail with the cells' errors (and any traceback on stderr) if the run did not go through."""
        errors = self.errors()
        tracebacks = [
            text[:2000]
            for text in self.page.locator(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
            ).all_inner_texts()
            if "Traceback" in text
        ]
        unexecuted = self.unexecuted_cells()
        run_all = self.page.evaluate("() => window.__runAll")
        assert not errors and not tracebacks and not unexecuted and run_all == {"ok": True}, (
            f"{self.notebook} did not run cleanly in JupyterLab: run-all-cells {run_all}, errors {errors}, "
            f"tracebacks on stderr {tracebacks}, code cells never run {unexecuted}; "
            f"page errors {self.page_errors}; server log tail:\n{self.server.log_tail()}"
        )


@pytest.fixture
def open_notebook(page: Any, lab_server: LabServer) -> Any:
    """``open_notebook("name.ipynb")`` opens a notebook of the lab's root in ``page``, kernel idle."""

    def _open(notebook: str) -> LabPage:
        return LabPage(page, lab_server, notebook).open()

    return _open
