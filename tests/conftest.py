"""Shared test setup: a headless matplotlib backend, a fixed hypothesis profile (deterministic runs), and one
headless Chromium for every browser test (Playwright's sync API allows one instance per process)."""

import os
import shutil

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "book", max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("book")


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
