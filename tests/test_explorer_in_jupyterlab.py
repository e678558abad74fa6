"""An explorer in JupyterLab, as a reader meets it: the front end draws, the kernel's lstm_book computes.

Starts JupyterLab on 127.0.0.1 (no token, a temporary folder), opens a notebook in headless Chromium, runs a cell
that shows a chapter's explorer, moves a slider with the keyboard, and checks that the figure now shows what
lstm_book computes for the new value; then presses a guided observation's button and asks the kernel's widget what
it holds. Run in CI (CI=true) it must run: a missing browser is an error there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from lstm_book.teaching.explorers import gate_explorer
from test_guided_observations import button_name

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
GUIDED = [("2. b_f = 4", {"b_f": 4.0}), ("3. b_f = 4, w_xf = 0", {"b_f": 4.0, "w_xf": 0.0})]
JUPYTER = str(Path(sys.executable).parent / "jupyter")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    import nbformat

    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI=true but no chromium on PATH")
        pytest.skip("no chromium on PATH (apt-get install chromium); CI runs this test")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('from lstm_book.teaching.explorers import gate_explorer\ngate_explorer("f")')]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, tmp_path / "explorer.ipynb")
    # a chapter's explorer with its guided observations, shown as a widget the kernel keeps a name for
    nb.cells = [nbformat.v4.new_code_cell(f"from lstm_book.teaching.explorers import gate_explorer\n"
                                          f"w = gate_explorer('f').with_observations({GUIDED!r}).widget()\nw"),
                nbformat.v4.new_code_cell("print('kernel:', sorted(w.values().items()), round(float(w.arrays()['c'][48]), 12))"),
                nbformat.v4.new_code_cell("w.set(b_f=4.0, w_xf=0.0)")]
    nbformat.write(nb, tmp_path / "observations.ipynb")
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / ".config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / ".rt")}
    server = subprocess.Popen(
        [JUPYTER, "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1", "--ServerApp.token=",
         "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={tmp_path}",
         "--LabApp.news_url=", "--allow-root"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.time() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.time() < deadline, "JupyterLab did not start within 90 s"
                assert server.poll() is None, "JupyterLab exited"
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _open_and_run_first_cell(context, url):
    """Open the notebook, run its first cell (the explorer); the tab, its page errors and the explorer's view."""
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(url, timeout=90_000)
    tab.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    tab.wait_for_timeout(1000)  # a cell run before the kernel is up waits for it
    tab.locator(".jp-Notebook .jp-Cell").first.click()
    tab.keyboard.press("Shift+Enter")
    live = tab.locator(".lstm-explorer-live")
    live.wait_for(timeout=90_000)
    return tab, errors, live


def test_the_explorer_responds_in_jupyterlab(lab, chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab, errors, live = _open_and_run_first_cell(context, f"{lab}/lab/tree/explorer.ipynb")
        view = lambda expr: live.evaluate(f"(el) => {{ const v = el.parentElement.lstmExplorer; return {expr}; }}")
        explorer = gate_explorer("f")
        assert np.array_equal(view("v.drawn.c"), explorer.data()["c"]), "the first figure is the defaults"
        live.locator('input[name="b_f"]').focus()
        for _ in range(3):
            tab.keyboard.press("ArrowRight")  # stays on the slider: JupyterLab's own shortcuts are suppressed
        tab.wait_for_function(
            "() => { const v = document.querySelector('.lstm-explorer-live').parentElement.lstmExplorer;"
            " return v.seq > 0 && v.received === v.seq; }", timeout=30_000)
        values, drawn = view("v.values"), view("v.drawn")
        assert abs(values["b_f"] - 1.3) < 1e-9, values
        expected = explorer.data(**values)  # the kernel ran this same package: equal to the last digit
        for name in ("f", "c"):
            assert np.array_equal(drawn[name], expected[name]), name
        assert errors == [], errors
    finally:
        context.close()


def test_an_observation_button_sets_the_kernels_explorer(lab, chromium):
    """A press of "3. b_f = 4, w_xf = 0" after a slider moved by hand: the kernel's widget now holds that setting
    (the slider moved by hand back at its default) and the figure shows what the kernel computed for it."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab, errors, live = _open_and_run_first_cell(context, f"{lab}/lab/tree/observations.ipynb")
        view = lambda expr: live.evaluate(f"(el) => {{ const v = el.parentElement.lstmExplorer; return {expr}; }}")
        settled = ("() => { const v = document.querySelector('.lstm-explorer-live').parentElement.lstmExplorer;"
                   " return v.seq > 0 && v.received === v.seq; }")
        explorer = gate_explorer("f")
        live.locator('input[name="w_hf"]').focus()
        for _ in range(5):
            tab.keyboard.press("ArrowLeft")   # w_hf = -0.5 by hand
        tab.wait_for_function(settled, timeout=30_000)
        assert abs(view("v.values")["w_hf"] + 0.5) < 1e-9
        seq = view("v.seq")
        label = GUIDED[1][0]
        live.get_by_role("button", name=button_name(label), exact=True).click()
        tab.wait_for_function(settled.replace("v.seq > 0", f"v.seq > {seq}"), timeout=30_000)
        setting = explorer.values(**GUIDED[1][1])
        assert view("v.values") == setting and setting["w_hf"] == 0.0 and setting["w_xf"] == 0.0
        assert float(live.locator('input[name="w_hf"]').input_value()) == 0.0
        drawn, expected = view("v.drawn"), explorer.data(**setting)
        for name in ("f", "c"):
            assert np.array_equal(drawn[name], expected[name]), name
        assert not np.allclose(drawn["c"], explorer.data()["c"]), "the figure changed"
        # the kernel's side: ask the widget in a second cell
        tab.locator(".jp-Notebook .jp-Cell").nth(1).click()
        tab.keyboard.press("Shift+Enter")
        output = tab.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-OutputArea-output")
        output.wait_for(timeout=60_000)
        text = output.inner_text()
        assert text.startswith("kernel:"), text
        assert f"kernel: {sorted(setting.items())} {round(float(expected['c'][48]), 12)}" in text, text
        assert errors == [], errors
    finally:
        context.close()


def test_setting_the_widget_from_code_moves_the_sliders_on_screen(lab, chromium):
    """`w.set(b_f=4.0, w_xf=0.0)` in a cell: the sliders and readouts on screen move there, the figure shows the
    kernel's numbers for that setting, and the guided observation of that setting shows as pressed."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab, errors, live = _open_and_run_first_cell(context, f"{lab}/lab/tree/observations.ipynb")
        view = lambda expr: live.evaluate(f"(el) => {{ const v = el.parentElement.lstmExplorer; return {expr}; }}")
        explorer = gate_explorer("f")
        tab.locator(".jp-Notebook .jp-Cell").nth(2).click()
        tab.keyboard.press("Shift+Enter")
        tab.wait_for_function("() => { const v = document.querySelector('.lstm-explorer-live').parentElement"
                              ".lstmExplorer; return v.values.b_f === 4 && v.values.w_xf === 0; }", timeout=60_000)
        setting = explorer.values(b_f=4.0, w_xf=0.0)
        assert view("v.values") == setting
        for name, value in setting.items():
            assert float(live.locator(f'input[name="{name}"]').input_value()) == value, name
        assert "4.0" in live.inner_text()  # the readout of b_f
        drawn, expected = view("v.drawn"), explorer.data(**setting)
        for name in ("f", "c"):
            assert np.array_equal(drawn[name], expected[name]), name
        pressed = live.get_by_role("button", name=button_name(GUIDED[1][0]), exact=True).get_attribute("aria-pressed")
        assert pressed == "true"
        assert errors == [], errors
    finally:
        context.close()
