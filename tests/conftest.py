"""Shared test setup: a headless matplotlib backend, a fixed hypothesis profile (deterministic runs), one headless
Chromium for every browser test (Playwright's sync API allows one instance per process), and the strict build of the
website with a server for it (the website, the plain notebooks and the PDF use the same build)."""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "book", max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("book")

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
JUPYTER_BOOK = str(Path(sys.executable).parent / "jupyter-book")


@pytest.fixture(scope="session")
def built_site():
    """Build the book once, strictly; the build itself is the first test. While working on a test that reads the
    site, LSTM_BOOK_PREBUILT=1 uses the _build/html of an earlier strict build instead (never in CI)."""
    if os.environ.get("LSTM_BOOK_PREBUILT") == "1" and not os.environ.get("CI") and (HTML / "index.html").exists():
        return HTML
    if not (ROOT / "node_modules" / "mathjax").is_dir():
        message = "node_modules is missing: run `npm ci` so the site serves MathJax and the widget manager itself"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # the kernels must draw figures inline as in `make book`: without the Agg backend that conftest.py sets for pytest
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    result = subprocess.run(
        [JUPYTER_BOOK, "build", str(ROOT), "--all", "-W", "-n", "--keep-going"],
        cwd=ROOT, capture_output=True, text=True, timeout=1200, env=env,
    )
    log = ROOT / "_build" / "build.log"
    log.parent.mkdir(exist_ok=True)
    log.write_text(result.stdout + result.stderr)
    assert result.returncode == 0, f"strict build failed (exit {result.returncode}); log in {log}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return HTML


@pytest.fixture(scope="session")
def server(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium, launched once for the whole session (the website, JupyterLab and explorer tests)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("CI=true but no chromium on PATH: .ci/run must install Debian's chromium package")
        pytest.skip("no chromium on PATH (apt-get install chromium); CI runs the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()
