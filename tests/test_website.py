"""The website, as a reader's browser sees it.

Builds the book strictly (warnings are errors, a failing cell fails the build), serves `_build/html` on
127.0.0.1, and opens every page in headless Chromium (Debian's package, driven by Playwright for Python).
Every request that would leave 127.0.0.1 is aborted and counted. For each page: math typeset, the explorer's
figure visible where the page has one, no console errors, no failed or third-party requests. A screenshot of
each page is saved under `_build/screenshots/`.

Run in CI (CI=true) these tests must run: a missing browser is an error there, not a skip.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
JUPYTER_BOOK = str(Path(sys.executable).parent / "jupyter-book")

# page -> does it show an explorer?
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PAGES = {"book/intro.html": False, "book/glossary.html": False, "book/references.html": False}
PAGES.update({f"notebooks/{name}.html": True for name in NOTEBOOKS})
MATH_PAGES = {"book/intro.html", "book/glossary.html", *(f"notebooks/{name}.html" for name in NOTEBOOKS)}


def _require_browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI=true but no chromium on PATH: .ci/run must install Debian's chromium package")
        pytest.skip("no chromium on PATH (apt-get install chromium); CI runs these tests")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("playwright is not installed: pip install -r requirements.txt")


@pytest.fixture(scope="session")
def built_site():
    """Build the book once, strictly; the build itself is the first test."""
    if not (ROOT / "node_modules" / "mathjax").is_dir():
        message = "node_modules is missing: run `npm ci` so the site serves MathJax and the widget manager itself"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [JUPYTER_BOOK, "build", str(ROOT), "--all", "-W", "-n", "--keep-going"],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
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
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


def _tiny_book(tmp_path, toc: str) -> Path:
    for name in ("_config.yml", "book", "lstm_book"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    (tmp_path / "_toc.yml").write_text(toc)
    return tmp_path


def _build(book: Path) -> subprocess.CompletedProcess:
    return subprocess.run([JUPYTER_BOOK, "build", str(book), "-W", "-n", "--keep-going"],
                          cwd=book, capture_output=True, text=True, timeout=600)


def test_strict_build_fails_on_a_warning(tmp_path):
    """The build command really is strict: a broken cross-reference makes it exit non-zero."""
    book = _tiny_book(tmp_path, "format: jb-book\nroot: book/intro\n")
    (book / "book" / "intro.md").write_text("# Intro\n\nA link to {ref}`no-such-label`.\n")
    result = _build(book)
    assert result.returncode != 0, "a broken reference did not fail the strict build"
    assert "no-such-label" in result.stdout + result.stderr


def test_strict_build_fails_on_a_failing_cell(tmp_path):
    """execute.raise_on_error: a notebook cell that raises makes the build exit non-zero."""
    import nbformat

    book = _tiny_book(tmp_path, "format: jb-book\nroot: book/intro\nchapters:\n  - file: broken\n")
    (book / "book" / "intro.md").write_text("# Intro\n\nNothing to see.\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Broken"), nbformat.v4.new_code_cell("1 / 0")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, book / "broken.ipynb")
    result = _build(book)
    assert result.returncode != 0, "a cell that raises did not fail the build"
    assert "ZeroDivisionError" in result.stdout + result.stderr


def test_assets_fall_back_to_the_cdns_without_npm(tmp_path):
    """Without node_modules the extension leaves Sphinx's and MyST-NB's default (CDN) addresses alone."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import offline_assets
    finally:
        sys.path.pop(0)

    class Config:
        html_static_path = []
        mathjax_path = "https://cdn.example/mathjax.js"
        nb_ipywidgets_js = {"https://cdn.example/require.js": {}}

    class App:
        confdir = str(tmp_path)
        doctreedir = str(tmp_path / "_build" / ".doctrees")

    config = Config()
    offline_assets.configure(App(), config)
    assert config.mathjax_path == "https://cdn.example/mathjax.js" and config.html_static_path == []
    assert not offline_assets.available(tmp_path / "node_modules")
    if (ROOT / "node_modules" / "mathjax").is_dir():  # and with them, everything points at the local copies
        App.confdir = str(ROOT)
        offline_assets.configure(App(), config)
        assert config.mathjax_path == "vendor/mathjax/tex-chtml.js"
        assert all("://" not in path for path in config.nb_ipywidgets_js)
        staged = tmp_path / "_build" / "vendor_static" / "vendor"
        assert (staged / "mathjax" / "tex-chtml.js").is_file() and (staged / "html-manager" / "embed-amd.js").is_file()


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_in_browser(page, server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    console_errors, failed, outside = [], [], []
    host = urlparse(server).netloc

    def route(r):
        if urlparse(r.request.url).netloc != host and not r.request.url.startswith("data:"):
            outside.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    tab.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: console_errors.append(f"uncaught: {e}"))
    tab.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    tab.on("response", lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
    try:
        tab.goto(f"{server}/{page}", wait_until="load", timeout=60_000)
        if page in MATH_PAGES:
            tab.wait_for_selector("mjx-container", timeout=30_000)
        if PAGES[page]:
            # the explorer: the widget manager renders the stored Output, whose figure is a PNG <img>
            figure = tab.wait_for_selector(".widget-output img, .jupyter-widgets-output-area img", timeout=30_000)
            box = figure.bounding_box()
            assert box and box["width"] > 300 and box["height"] > 200, f"explorer figure too small: {box}"
            assert tab.evaluate("(img) => img.complete && img.naturalWidth > 0", figure), "figure did not load"
            assert tab.locator(".widget-slider").count() >= 3, "the explorer's sliders are missing"
            figure.scroll_into_view_if_needed()
            tab.locator(".widget-vbox").first.screenshot(path=str(SHOTS / (page.replace("/", "__") + ".explorer.png")))
        tab.wait_for_timeout(500)
        tab.screenshot(path=str(SHOTS / (page.replace("/", "__") + ".png")), full_page=False)
    finally:
        context.close()
    assert outside == [], f"requests that would leave 127.0.0.1: {outside}"
    assert failed == [], f"failed requests: {failed}"
    assert console_errors == [], f"console errors: {console_errors}"
