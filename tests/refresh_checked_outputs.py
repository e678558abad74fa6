"""Run chapter notebooks and keep outputs only where nbval compares them.

    .venv/bin/python tests/refresh_checked_outputs.py notebooks/03_cell_state.ipynb [...]

Every code cell loses its outputs and execution count, except cells marked `# NBVAL_CHECK_OUTPUT`, which keep
both (nbval compares a marked cell only if it has a stored output and execution count). Run it after
changing a marked cell, then read the diff: the stored output is the reference the tests compare against, so
it must be what the text of the chapter says.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARK = "NBVAL_CHECK_OUTPUT"


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and (MARK in cell.source or "nbval-check-output" in cell.metadata.get("tags", []))


def refresh(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    kept = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if is_checked(cell):
            kept += 1
        else:
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return kept


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name in sys.argv[1:]:
        print(f"{name}: kept the outputs of {refresh(Path(name))} checked cell(s)")
