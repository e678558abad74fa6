"""Reading the notebooks locally: JupyterLab loads the MyST renderer and the widget manager.

A JupyterLab whose shared packages do not match an extension's still starts, but silently leaves that
extension out: the chapters' MyST (math, glossary links, exercise boxes) would show as raw text, or the
explorers as "Loading widget...". `jupyter labextension list` says so; this test reads it.
"""

import subprocess
import sys
from pathlib import Path

JUPYTER = str(Path(sys.executable).parent / "jupyter")


def test_lab_extensions_are_installed_and_compatible():
    result = subprocess.run([JUPYTER, "labextension", "list"], capture_output=True, text=True, timeout=120)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    for extension in ("jupyterlab-myst", "@jupyter-widgets/jupyterlab-manager"):
        lines = [line for line in report.splitlines() if extension in line and " v" in line]
        assert lines, f"{extension} is not installed:\n{report}"
        assert all("enabled" in line and "OK" in line for line in lines), f"{extension} is not usable:\n{report}"
    assert "not compatible" not in report, report
