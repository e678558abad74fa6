"""Benchmark (not a test): how fast an explorer answers a slider, on the website and in JupyterLab.

    .venv/bin/python benchmarks/bench_explorers.py            # both
    .venv/bin/python benchmarks/bench_explorers.py --site     # the website only (no JupyterLab server)

Both run in headless Chromium (Debian's, driven by Playwright), on the heaviest explorer (the whole cell: twelve
sliders, four panels, seven curves). A slider is dragged with the keyboard, one step every 16 ms (a 60 Hz drag),
and the front end records, for every figure it draws, the milliseconds from the slider's move to the figure:

* website: the JavaScript mirror computes and the SVG is redrawn in the same event (budget: one frame, 16 ms);
  also reported, the time until the browser has painted it (the next animation frame);
* JupyterLab: the move goes to the kernel, lstm_book computes, the data come back and are drawn (budget 50 ms,
  median while dragging). Moves made while a request is on its way are merged into the next one.

It also prints the page weight the explorers add: the front end's files and each explorer's inline description.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lstm_book.teaching.explorers import (  # noqa: E402
    WEB_DIR, cell_state_explorer, full_cell_explorer, gate_explorer, hidden_state_explorer,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRAG_STEPS = 120


def _quiet_server(directory):
    sys.path.insert(0, str(ROOT / "tools"))
    from make_pdf import serve  # one quiet static server for the benchmark and the PDF

    return serve(directory)


def standalone_page(html: str, names, mount: str, before: str = "") -> str:
    """A page holding a view as the website does: its HTML, the CSS, the scripts `names` of web/, then `mount`."""
    scripts = before + "".join(f"<script>{(WEB_DIR / name).read_text(encoding='utf-8')}</script>" for name in names)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title><style>'
            f'{(WEB_DIR / "explorer.css").read_text(encoding="utf-8")}</style></head><body>'
            f'<main style="max-width:760px">{html}</main>{scripts}<script>{mount}</script></body></html>')


def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])


def _drag(tab, handle, steps=DRAG_STEPS):
    handle.focus()
    for k in range(steps):
        tab.keyboard.press("ArrowRight" if (k // 30) % 2 == 0 else "ArrowLeft")
        tab.wait_for_timeout(16)


def _summary(name, values, budget):
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    print(f"{name}: median {statistics.median(values):.2f} ms, 95th percentile {p95:.2f} ms, "
          f"{len(values)} figures (budget {budget} ms)")


def bench_site():
    from playwright.sync_api import sync_playwright

    explorer = full_cell_explorer()
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("explorer.js", "mirror.js", "explorer.css"):
            shutil.copy(WEB_DIR / name, Path(tmp) / name)
        page = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>'
                '<link rel="stylesheet" href="explorer.css"><script src="mirror.js"></script>'
                '<script src="explorer.js"></script></head><body><main style="max-width:760px">'
                + explorer.html() + "</main></body></html>")
        (Path(tmp) / "index.html").write_text(page)
        httpd = _quiet_server(tmp)
        try:
            with sync_playwright() as p:
                browser = _browser(p)
                tab = browser.new_page(viewport={"width": 1280, "height": 1000})
                tab.goto(f"http://127.0.0.1:{httpd.server_address[1]}/index.html")
                tab.wait_for_selector(".lstm-explorer-live")
                # time to paint: from the input event to the next animation frame after the redraw
                tab.evaluate("""() => {
                    window.paints = [];
                    document.querySelectorAll('input[type=range]').forEach(el => el.addEventListener('input', () => {
                        const t0 = performance.now();
                        requestAnimationFrame(() => setTimeout(() => window.paints.push(performance.now() - t0), 0));
                    }, {capture: true}));
                }""")
                _drag(tab, tab.locator('input[name="w_hf"]'))
                tab.wait_for_timeout(200)
                timings = tab.evaluate("() => document.querySelector('[data-lstm-explorer]').lstmExplorer.timings")
                paints = tab.evaluate("() => window.paints")
                browser.close()
        finally:
            httpd.shutdown()
    _summary("website, slider -> figure (mirror + SVG redraw)", timings, 16)
    _summary("website, slider -> painted frame", paints, 16)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_jupyterlab():
    import nbformat
    from playwright.sync_api import sync_playwright

    jupyter = str(Path(sys.executable).parent / "jupyter")
    with tempfile.TemporaryDirectory() as tmp:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("from lstm_book.teaching.explorers import full_cell_explorer\n"
                                              "full_cell_explorer()")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
        nbformat.write(nb, Path(tmp) / "bench.ipynb")
        port = _free_port()
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(Path(tmp) / "config"), "JUPYTER_RUNTIME_DIR": str(Path(tmp) / "rt")}
        server = subprocess.Popen(
            [jupyter, "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1", "--ServerApp.token=",
             "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={tmp}",
             "--LabApp.news_url=", "--allow-root"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.5)
            with sync_playwright() as p:
                browser = _browser(p)
                tab = browser.new_page(viewport={"width": 1400, "height": 1000})
                tab.goto(f"http://127.0.0.1:{port}/lab/tree/bench.ipynb", timeout=60_000)
                tab.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
                tab.wait_for_timeout(3000)  # the kernel starts
                tab.locator(".jp-Notebook .jp-Cell").first.click()
                tab.keyboard.press("Shift+Enter")
                tab.wait_for_selector(".lstm-explorer-live", timeout=60_000)
                tab.wait_for_timeout(1000)
                live = tab.locator(".lstm-explorer-live")
                handle = live.locator('input[name="w_hf"]')
                handle.focus()
                for _ in range(20):  # single moves, 300 ms apart: one round trip each
                    tab.keyboard.press("ArrowRight")
                    tab.wait_for_timeout(300)
                single = live.evaluate("(el) => el.parentElement.lstmExplorer.timings.splice(0)")
                _drag(tab, handle)
                tab.wait_for_timeout(1500)
                timings = live.evaluate("(el) => el.parentElement.lstmExplorer.timings")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    _summary("JupyterLab, one slider step -> figure (kernel round trip, lstm_book computes, SVG redraw)", single, 50)
    _summary("JupyterLab, while dragging at 60 Hz: slider -> figure", timings, 50)
    _summary("JupyterLab, of which the kernel's share (the widget's answer to one request, in Python)",
             kernel_answer(), 50)


def kernel_answer(n: int = 200) -> list[float]:
    """Milliseconds the kernel spends on one request of the same explorer: lstm_book computes and the arrays are
    made ready to send (the rest of a JupyterLab round trip is messaging and drawing)."""
    widget = full_cell_explorer().widget()
    slider = widget.explorer.sliders[0]
    times = []
    for k in range(n):
        value = slider.low + (k % int(round((slider.high - slider.low) / slider.step))) * slider.step
        start = time.perf_counter()
        widget._answer({"values": {slider.name: value}, "seq": k})
        times.append((time.perf_counter() - start) * 1000)
    return times


def page_weight():
    total = 0
    print("page weight the explorers add:")
    for name in ("explorer.js", "mirror.js", "explorer.css"):
        data = (WEB_DIR / name).read_bytes()
        total += len(data)
        print(f"  {name}: {len(data) / 1024:.1f} KB ({len(gzip.compress(data)) / 1024:.1f} KB gzipped)")
    print(f"  front end in all: {total / 1024:.1f} KB, loaded only on pages with an explorer")
    for explorer in (full_cell_explorer(), hidden_state_explorer(), cell_state_explorer(), gate_explorer("f")):
        html = explorer.html()
        spec = json.dumps(explorer.spec(), separators=(",", ":"))
        print(f"  inline, {explorer.title}: {len(html) / 1024:.1f} KB ({len(gzip.compress(html.encode())) / 1024:.1f} KB "
              f"gzipped), of which the description {len(spec) / 1024:.1f} KB and the static PNG the rest")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", action="store_true", help="only the website (no JupyterLab server)")
    args = parser.parse_args()
    if CHROMIUM is None:
        sys.exit("no chromium on PATH (apt-get install chromium)")
    bench_site()
    if not args.site:
        bench_jupyterlab()
    page_weight()


if __name__ == "__main__":
    main()
